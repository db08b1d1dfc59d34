"""Threads and posts: starting, reading, replying, editing, reporting, following, previewing."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import EditPostForm, PostForm, PreviewForm, ReportForm, ThreadForm
from communities.markdown import render_markdown
from communities.models import Follow
from communities.views._common import (
    PAGE_SIZE,
    _page,
    _preview,
    _require,
    _visible_community,
    _visible_post,
    _visible_thread,
)
from portal.access import login_required, public
from portal.fragments import render_form, render_items, url_for_pk


@login_required
def thread_create(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_start_thread(request.user, community))
    form = ThreadForm(request.POST or None)
    preview = _preview(request, form) if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.is_valid():
        thread = services.start_thread(
            community=community,
            author=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, "Your thread is posted. You will hear about replies by e-mail.")
        return redirect(thread)
    return render(
        request, "communities/thread_form.html", {"community": community, "form": form, "preview": preview}
    )


POST_CARD_TEMPLATE = "communities/_post.html"
REPLY_TEMPLATES = ("communities/_markdown_editor.html", "portal/_field.html")


# What a card shows (communities/_post.html), read as plain values: not four model instances
# (post, author, agency, quote and its author) a card.
POST_CARD_VALUES = [
    *("pk", "author_id", "body_html", "created_at", "edited_at", "hidden", "quote_id"),
    *("author__name", "author__email", "author__agency__name"),
    *("quote__hidden", "quote__body_html", "quote__author__name", "quote__author__email"),
]


def _display_name(name: str | None, email: str | None) -> str | None:
    """User.display_name from the two columns it reads; None for a deleted author."""
    if email is None:
        return None
    return name or email.split("@")[0]


class QuotedPost:
    __slots__ = ("author_name", "body_html", "hidden", "pk", "url")

    def __init__(self, row: dict, url: str):
        self.pk, self.url = row["quote_id"], url
        self.hidden, self.body_html = row["quote__hidden"], row["quote__body_html"]
        self.author_name = _display_name(row["quote__author__name"], row["quote__author__email"])


class PostCard:
    """One post as its card shows it, with its links."""

    __slots__ = (
        *("agency_name", "author_id", "author_name", "body_html", "card", "created_at", "edit_url"),
        *("edited_at", "hidden", "moderate_url", "move_url", "opens_thread", "pk", "quote"),
        *("report_url", "url"),
    )

    def __init__(self, row: dict, links: dict):
        self.pk, self.author_id, self.body_html = row["pk"], row["author_id"], row["body_html"]
        self.created_at, self.edited_at, self.hidden = row["created_at"], row["edited_at"], row["hidden"]
        self.author_name = _display_name(row["author__name"], row["author__email"])
        self.agency_name = row["author__agency__name"]
        self.quote = QuotedPost(row, links["url"](row["quote_id"])) if row["quote_id"] else None
        self.url, self.edit_url = links["url"](self.pk), links["edit_url"](self.pk)
        self.report_url, self.moderate_url = links["report_url"](self.pk), links["moderate_url"](self.pk)
        self.move_url = links["move_url"](self.pk)
        self.opens_thread = False
        self.card = ""


def _post_links() -> dict:
    """``pk -> URL`` for each kind of link of a card: one reverse() per kind for the page instead
    of up to four per post."""
    return {
        "url": url_for_pk("communities:post-detail"),
        "edit_url": url_for_pk("communities:post-edit"),
        "report_url": url_for_pk("communities:post-report"),
        "moderate_url": url_for_pk("communities:post-moderate"),
        "move_url": url_for_pk("communities:post-move"),
    }


def _post_card_inputs(post: PostCard, viewer: tuple, own: bool) -> list:
    """Everything a card shows (communities/_post.html): an edit, a hidden post or quote, a
    renamed author or agency gives another card, never a stale one."""
    inputs = [
        *(*viewer, own, post.pk, post.author_name, post.agency_name, post.created_at, post.edited_at),
        *(post.hidden, post.body_html, post.url, post.edit_url, post.report_url),
    ]
    if post.quote:
        quote = post.quote
        inputs += [quote.pk, quote.hidden, quote.url, quote.author_name, quote.body_html]
    return inputs


def _post_cards(request, posts, *, can_reply: bool, can_moderate: bool, is_member: bool) -> None:
    """Set ``post.card``, the rendered card of each post, for a thread page.

    Rendering 25 cards through the template engine was most of the page's cost (bench: ~9 ms),
    and the same cards are read far more often than they change: portal.fragments renders a
    card once per distinct set of inputs and reads the page's cards in one cache read.
    """
    user = request.user
    context = {"user": user, "can_reply": can_reply, "can_moderate": can_moderate, "is_member": is_member}
    if can_moderate:  # the hide/show form carries this request's CSRF token: never cached
        context["csrf_token"] = get_token(request)
        for post in posts:
            post.card = mark_safe(render_to_string(POST_CARD_TEMPLATE, {**context, "post": post}))
        return
    # Cards are shared between readers: only these facts about the reader change a card.
    viewer = (user.is_authenticated, can_reply, is_member)
    render_items(
        posts,
        POST_CARD_TEMPLATE,
        name="post",
        context=context,
        inputs=lambda post: _post_card_inputs(post, viewer, own=post.author_id == user.pk),
    )


@public
def thread_detail(request, pk):
    thread = _visible_thread(request, pk)
    user = request.user
    community = thread.community
    page = _page(request, thread.posts.order_by("created_at", "pk"))
    links = _post_links()
    # The page's rows as values (the count above joins nothing).
    page.object_list = [PostCard(row, links) for row in page.object_list.values(*POST_CARD_VALUES)]
    can_reply = permissions.can_reply(user, thread)
    can_moderate = permissions.can_moderate_thread(user, thread)
    is_member = permissions.is_member(user, community)
    if page.number == 1 and page.object_list:
        page.object_list[0].opens_thread = True  # moderators are not offered to move it
    _post_cards(
        request, page.object_list, can_reply=can_reply, can_moderate=can_moderate, is_member=is_member
    )
    quote = None
    if request.GET.get("quote", "").isdigit():
        quote = thread.posts.filter(pk=int(request.GET["quote"]), hidden=False).first()
    form = PostForm(initial={"quote": quote.pk if quote else None})
    reply_fields = ""
    if can_reply:  # the reply field and its buttons, the same for every reader: from the cache
        editor = {"submit_label": "Post my reply", "light": True}
        reply_fields = render_form(form, REPLY_TEMPLATES, editor, fields=("body",))
    context = {
        "thread": thread,
        "community": community,
        "page": page,
        "form": form,
        "reply_fields": reply_fields,
        "quote": quote,
        "can_reply": can_reply,
        "can_moderate": can_moderate,
        "is_member": is_member,
        "following": user.is_authenticated and Follow.objects.filter(user=user, thread=thread).exists(),
    }
    return render(request, "communities/thread_detail.html", context)


@login_required
def post_create(request, pk):
    thread = _visible_thread(request, pk)
    _require(permissions.can_reply(request.user, thread))
    form = PostForm(request.POST or None)
    if request.method != "POST":
        return redirect(f"{thread.get_absolute_url()}#reply")
    preview = _preview(request, form)
    quote = None
    if form.is_valid() and form.cleaned_data.get("quote"):
        quote = thread.posts.filter(pk=form.cleaned_data["quote"], hidden=False).first()
    if preview is None and form.is_valid():
        try:
            post = services.reply(
                thread=thread,
                author=request.user,
                body=form.cleaned_data["body"],
                quote=quote,
                moderator=permissions.can_moderate_thread(request.user, thread),
            )
        except services.CommunityError as exc:
            messages.error(request, str(exc))
            return redirect(thread)
        messages.success(request, "Your reply is posted.")
        return redirect(post)
    return render(
        request,
        "communities/post_form.html",
        {"thread": thread, "community": thread.community, "form": form, "preview": preview, "quote": quote},
    )


@public
def post_detail(request, pk):
    """A permanent link to a post: the thread page that holds it, scrolled to it."""
    post = _visible_post(request, pk)
    before = post.thread.posts.filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk)
    )
    page = before.count() // PAGE_SIZE + 1
    url = post.thread.get_absolute_url()
    if page > 1:
        url += f"?page={page}"
    return redirect(f"{url}#post-{post.pk}")


@login_required
def post_edit(request, pk):
    post = _visible_post(request, pk)
    _require(permissions.can_edit_post(request.user, post))
    form = EditPostForm(request.POST or None, initial={"body": post.body})
    preview = _preview(request, form) if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.is_valid():
        services.edit_post(post=post, editor=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your changes are saved.")
        return redirect(post)
    return render(
        request,
        "communities/post_edit.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "form": form,
            "preview": preview,
        },
    )


@login_required
def post_report(request, pk):
    post = _visible_post(request, pk)
    _require(permissions.can_report_post(request.user, post))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, created = services.report_post(
            post=post, reporter=request.user, reason=form.cleaned_data["reason"]
        )
        if created:
            messages.success(request, "Thank you. The facilitators will look at this post.")
        else:
            messages.info(
                request, "You have already reported this post. The facilitators have it in their queue."
            )
        return redirect(post)
    return render(
        request,
        "communities/post_report.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "form": form,
            "earlier_report": services.open_report_by(post, request.user),
        },
    )


@login_required
@require_POST
def thread_follow(request, pk):
    thread = _visible_thread(request, pk)
    _require(permissions.can_follow_thread(request.user, thread))
    if request.POST.get("follow") == "off":
        services.unfollow_thread(user=request.user, thread=thread)
        messages.success(request, "You no longer follow this thread.")
    else:
        services.follow_thread(user=request.user, thread=thread)
        messages.success(request, "You follow this thread: replies come to you by e-mail.")
    return redirect(thread)


@login_required
@require_POST
def preview(request):
    """The htmx preview of a Markdown field; the no-JS forms have their own Preview button."""
    form = PreviewForm(request.POST)
    html = render_markdown(form.cleaned_data["body"]) if form.is_valid() else ""
    if not html:
        html = format_html('<p class="text-body-secondary">{}</p>', "Nothing to preview yet.")
    return HttpResponse(html)
