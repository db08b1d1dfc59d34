"""Thin views: check permission -> validate form -> call service -> message -> redirect."""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import (
    CommentForm,
    DirectoryFilterForm,
    EditPostForm,
    InviteForm,
    JoinRequestForm,
    MovePostForm,
    NotifyForm,
    PlanForm,
    PlanStepForm,
    PostForm,
    PreviewForm,
    ReflectionForm,
    ReportForm,
    ResolveReportForm,
    ResourceForm,
    SearchForm,
    ThreadForm,
)
from communities.markdown import render_markdown
from communities.models import (
    Community,
    CommunityFacilitator,
    Follow,
    ImplementationPlan,
    JoinRequest,
    Membership,
    PlanStep,
    Post,
    Report,
    Resource,
    Thread,
)
from communities.search import search as run_search
from portal.access import login_required, public
from portal.fragments import render_items, url_for_pk
from portal.uploads import attachment_response

PAGE_SIZE = 25


def _page(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _listed_community(request, slug) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not permissions.can_see_listing(request.user, community):
        raise Http404
    return community


def _visible_community(request, slug) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not permissions.can_view_community(request.user, community):
        raise Http404
    return community


def _membership(user, community) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, community=community).first()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Directory and community pages --------------------------------------------------------------


@public
def directory(request):
    listed = Community.objects.listed_for(request.user)
    regions = sorted(set(listed.exclude(region="").values_list("region", flat=True)))
    form = DirectoryFilterForm(request.GET or None, regions=regions)
    communities = listed.annotate(member_count=Count("memberships", distinct=True)).order_by("kind", "title")
    if form.is_valid():
        for field in ("topic", "region", "kind"):
            if form.cleaned_data[field]:
                communities = communities.filter(**{field: form.cleaned_data[field]})
    mine = []
    if request.user.is_authenticated:
        mine = list(Community.objects.filter(memberships__user=request.user).order_by("title"))
    return render(
        request,
        "communities/directory.html",
        {"form": form, "page": _page(request, communities), "mine": mine},
    )


@public
def community_detail(request, slug):
    community = _listed_community(request, slug)
    user = request.user
    can_view = permissions.can_view_community(user, community)
    membership = _membership(user, community)
    show_orientation = bool(
        membership and (not membership.seen_orientation or request.GET.get("orientation"))
    )
    if membership and not membership.seen_orientation:
        services.mark_orientation_seen(membership=membership)
    threads = None
    if can_view:
        threads = _page(
            request,
            Thread.objects.visible_to(user)
            .filter(community=community)
            .select_related("author")
            .annotate(post_count=Count("posts"))
            .order_by("-pinned", "-last_activity_at", "-pk"),
        )
    facilitators = [
        role.user
        for role in CommunityFacilitator.objects.active().filter(community=community).select_related("user")
    ]
    context = {
        "community": community,
        "can_view": can_view,
        "membership": membership,
        "show_orientation": show_orientation,
        "threads": threads,
        "facilitators": facilitators,
        "can_join": permissions.can_join_community(user, community),
        "can_request": permissions.can_request_to_join(user, community),
        "pending_request": user.is_authenticated
        and JoinRequest.objects.filter(
            community=community, user=user, status=JoinRequest.Status.PENDING
        ).exists(),
        "invitation": services.pending_invitation(community=community, user=user) if not membership else None,
        "can_moderate": permissions.can_moderate_community(user, community),
        "can_start_thread": permissions.can_start_thread(user, community),
        "following": bool(membership) and Follow.objects.filter(user=user, community=community).exists(),
        "member_count": community.memberships.count(),
    }
    return render(request, "communities/community_detail.html", context)


@login_required
@require_POST
def join(request, slug):
    community = _listed_community(request, slug)
    _require(permissions.can_join_community(request.user, community))
    services.join(community=community, user=request.user)
    messages.success(request, f"Welcome to {community}! You will hear about new threads here by e-mail.")
    return redirect(community)


@login_required
@require_POST
def leave(request, slug):
    community = _listed_community(request, slug)
    _require(permissions.can_leave_community(request.user, community))
    services.leave(community=community, user=request.user)
    messages.success(request, f"You have left {community}. You are welcome back any time.")
    if permissions.can_see_listing(request.user, community):
        return redirect(community)
    return redirect("communities:directory")


@login_required
def request_to_join(request, slug):
    community = _listed_community(request, slug)
    _require(permissions.can_request_to_join(request.user, community))
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_to_join(community=community, user=request.user, message=form.cleaned_data["message"])
        messages.success(
            request, "Your request is on its way to the facilitators. We will e-mail you their answer."
        )
        return redirect(community)
    return render(request, "communities/request_to_join.html", {"community": community, "form": form})


@login_required
def join_requests(request, slug):
    community = _listed_community(request, slug)
    _require(permissions.can_manage_members(request.user, community))
    pending = community.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user__agency")
    return render(
        request, "communities/join_requests.html", {"community": community, "page": _page(request, pending)}
    )


@login_required
@require_POST
def join_request_decide(request, slug, pk):
    community = _listed_community(request, slug)
    _require(permissions.can_manage_members(request.user, community))
    join_request = get_object_or_404(JoinRequest, pk=pk, community=community)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_join_request(join_request=join_request, approve=approve, actor=request.user)
    except services.CommunityError as exc:
        messages.error(request, str(exc))
    else:
        who = join_request.user.display_name
        messages.success(request, f"{who} is now a member." if approve else f"You declined {who}'s request.")
    return redirect("communities:join-requests", slug=community.slug)


@login_required
def members(request, slug):
    community = _visible_community(request, slug)
    _require(
        permissions.is_member(request.user, community)
        or permissions.can_manage_members(request.user, community)
    )
    memberships = community.memberships.select_related("user__agency").order_by("user__name", "user__email")
    return render(
        request,
        "communities/members.html",
        {
            "community": community,
            "page": _page(request, memberships),
            "can_manage": permissions.can_manage_members(request.user, community),
        },
    )


@login_required
@require_POST
def member_remove(request, slug, pk):
    community = _visible_community(request, slug)
    _require(permissions.can_manage_members(request.user, community))
    membership = get_object_or_404(Membership, pk=pk, community=community)
    services.remove_member(community=community, user=membership.user, actor=request.user)
    messages.success(request, f"{membership.user.display_name} is no longer a member of {community}.")
    return redirect("communities:members", slug=community.slug)


@login_required
def invite(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_manage_members(request.user, community))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite(community=community, email=form.cleaned_data["email"], actor=request.user)
        messages.success(request, f"We e-mailed an invitation to {form.cleaned_data['email']}.")
        return redirect("communities:invite", slug=community.slug)
    pending = community.invitations.filter(accepted_at__isnull=True)[:50]
    return render(
        request, "communities/invite.html", {"community": community, "form": form, "pending": pending}
    )


@login_required
@require_POST
def invitation_accept(request, slug):
    community = get_object_or_404(Community, slug=slug)
    if services.pending_invitation(community=community, user=request.user) is None:
        if not permissions.can_see_listing(request.user, community):
            raise Http404
        messages.error(request, "We could not find an invitation for your e-mail address.")
        return redirect(community)
    services.accept_invitation(community=community, user=request.user)
    messages.success(request, f"Welcome to {community}!")
    return redirect(community)


@login_required
def notify_settings(request, slug):
    community = _visible_community(request, slug)
    membership = _membership(request.user, community)
    _require(membership is not None)
    form = NotifyForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        services.set_notify(membership=membership, notify=form.cleaned_data["notify"])
        messages.success(request, "Your e-mail settings for this community are saved.")
        return redirect(community)
    return render(request, "communities/notify_settings.html", {"community": community, "form": form})


@login_required
@require_POST
def follow_community(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_follow_community(request.user, community))
    if request.POST.get("follow") == "off":
        services.unfollow_community(user=request.user, community=community)
        messages.success(request, "You no longer follow every thread of this community.")
    else:
        services.follow_community(user=request.user, community=community)
        messages.success(request, "You now follow this community: new threads and replies come to you.")
    return redirect(community)


class CommunityFeed(Feed):
    """Recent posts of a public community (feed readers have no session: public content only)."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        community = get_object_or_404(Community, slug=slug)
        if not permissions.can_view_community(AnonymousUser(), community):
            raise Http404
        return community

    def title(self, obj):
        return f"{obj.title}: new posts"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return (
            Post.objects.visible_to(AnonymousUser())
            .filter(thread__community=obj)
            .select_related("thread", "author")
            .order_by("-created_at")[:30]
        )

    def item_title(self, item):
        return item.thread.title

    def item_description(self, item):
        return item.body_html

    def item_author_name(self, item):
        return item.author.display_name if item.author else ""

    def item_pubdate(self, item):
        return item.created_at


community_feed = public(CommunityFeed())


# --- Threads and posts --------------------------------------------------------------------------


def _preview(request, form) -> str | None:
    if "preview" in request.POST and form.is_valid():
        return render_markdown(form.cleaned_data["body"])
    return None


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


def _visible_thread(request, pk) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("community"), pk=pk)
    if not permissions.can_view_thread(request.user, thread):
        raise Http404
    return thread


POST_CARD_TEMPLATE = "communities/_post.html"
POST_CARD_FIELDS = [
    *("thread_id", "author_id", "body_html", "created_at", "edited_at", "hidden", "quote_id"),
    *("author__name", "author__email", "author__agency__name"),
    *("quote__hidden", "quote__body_html", "quote__author__name", "quote__author__email"),
]


def _post_card_inputs(post, viewer: tuple, own: bool) -> list:
    """Everything a card shows (communities/_post.html): an edit, a hidden post or quote, a
    renamed author or agency gives another card, never a stale one."""
    author, quote = post.author, post.quote
    inputs = [
        *viewer,
        own,
        post.pk,
        author.display_name if author else None,
        author.agency.name if author and author.agency else None,
        post.created_at,
        post.edited_at,
        post.hidden,
        post.body_html,
        post.url,
        post.edit_url,
        post.report_url,
    ]
    if quote:
        inputs += [quote.pk, quote.hidden, quote.url, quote.author.display_name if quote.author else None]
        inputs += [quote.body_html]
    return inputs


def _post_cards(request, posts, *, can_reply: bool, can_moderate: bool, is_member: bool) -> None:
    """Set ``post.card``, the rendered card of each post, for a thread page.

    Rendering 25 cards through the template engine was most of the page's cost (bench: ~9 ms),
    and the same cards are read far more often than they change: portal.fragments renders a
    card once per distinct set of inputs and reads the page's cards in one cache read.
    """
    # One reverse() per kind of link for the page instead of up to four per post.
    post_url = url_for_pk("communities:post-detail")
    edit_url, report_url = url_for_pk("communities:post-edit"), url_for_pk("communities:post-report")
    moderate_url, move_url = url_for_pk("communities:post-moderate"), url_for_pk("communities:post-move")
    for post in posts:
        post.url, post.edit_url = post_url(post.pk), edit_url(post.pk)
        post.report_url, post.moderate_url = report_url(post.pk), moderate_url(post.pk)
        post.move_url = move_url(post.pk)
        if post.quote_id:
            post.quote.url = post_url(post.quote_id)
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
    posts = (
        thread.posts.select_related("author__agency", "quote__author")
        # Only what a card shows: 25 posts with four related rows each are built on every view.
        .only(*POST_CARD_FIELDS)
        .order_by("created_at", "pk")
    )
    page = _page(request, posts)
    page.object_list = list(page.object_list)
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
    context = {
        "thread": thread,
        "community": community,
        "page": page,
        "form": form,
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


def _visible_post(request, pk) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__community", "author"), pk=pk)
    if not permissions.can_view_post(request.user, post):
        raise Http404
    return post


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
        services.report_post(post=post, reporter=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Thank you. The facilitators will look at this post.")
        return redirect(post)
    return render(
        request,
        "communities/post_report.html",
        {"post": post, "thread": post.thread, "community": post.thread.community, "form": form},
    )


@login_required
@require_POST
def post_moderate(request, pk):
    post = _visible_post(request, pk)
    _require(permissions.can_moderate_post(request.user, post))
    hidden = request.POST.get("action") == "hide"
    services.set_post_hidden(post=post, actor=request.user, hidden=hidden)
    messages.success(request, "The post is hidden from members." if hidden else "The post is visible again.")
    return redirect(post)


@login_required
def post_move(request, pk):
    post = _visible_post(request, pk)
    _require(permissions.can_moderate_post(request.user, post))
    form = MovePostForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        to_thread = form.cleaned_data["thread"]
        try:
            services.move_post(
                post=post, to_thread=to_thread, actor=request.user, note=form.cleaned_data["note"]
            )
        except services.CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The post is now in “{to_thread.title}”.")
            return redirect(post)
    return render(
        request,
        "communities/post_move.html",
        {"post": post, "thread": post.thread, "community": post.thread.community, "form": form},
    )


THREAD_ACTION_MESSAGES = {
    "pin": "The thread is pinned to the top of the community.",
    "unpin": "The thread is no longer pinned.",
    "lock": "The thread is locked: members can read it but not reply.",
    "unlock": "The thread is open for replies again.",
    "hide": "The thread is hidden from members.",
    "unhide": "The thread is visible to members again.",
}


@login_required
@require_POST
def thread_moderate(request, pk):
    thread = _visible_thread(request, pk)
    _require(permissions.can_moderate_thread(request.user, thread))
    action = request.POST.get("action", "")
    if action not in THREAD_ACTION_MESSAGES:
        messages.error(request, "Choose pin, lock or hide.")
        return redirect(thread)
    services.moderate_thread(thread=thread, actor=request.user, action=action)
    messages.success(request, THREAD_ACTION_MESSAGES[action])
    return redirect(thread)


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


@login_required
def moderation_queue(request):
    _require(permissions.can_see_moderation_queue(request.user))
    reports = Report.objects.filter(resolved=False).select_related(
        "post__author", "post__thread__community", "reporter"
    )
    requests_ = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related("community")
    if not request.user.is_coordinator:
        moderated = CommunityFacilitator.objects.active().filter(user=request.user).values("community")
        reports = reports.filter(post__thread__community__in=moderated)
        requests_ = requests_.filter(community__in=moderated)
    pending_by_community = (
        requests_.values("community__title", "community__slug")
        .annotate(n=Count("pk"))
        .order_by("community__title")
    )
    return render(
        request,
        "communities/moderation_queue.html",
        {
            "page": _page(request, reports),
            "pending_by_community": pending_by_community,
            "form": ResolveReportForm(),
        },
    )


@login_required
@require_POST
def report_resolve(request, pk):
    report = get_object_or_404(Report.objects.select_related("post__thread__community"), pk=pk)
    _require(permissions.can_moderate_post(request.user, report.post))
    form = ResolveReportForm(request.POST)
    if form.is_valid():
        services.resolve_report(
            report=report,
            actor=request.user,
            hide_post=form.cleaned_data["hide_post"],
            resolution=form.cleaned_data["resolution"],
        )
        messages.success(request, "The report is resolved.")
    return redirect("communities:moderation-queue")


# --- Resources ----------------------------------------------------------------------------------


def _resource_list(request, community, resources, template="communities/resources.html"):
    topic = request.GET.get("topic", "")
    if topic:
        resources = resources.filter(topic=topic)
    return render(
        request,
        template,
        {
            "community": community,
            "page": _page(request, resources.select_related("added_by", "community")),
            "topic": topic,
            "can_add": permissions.can_add_resource(request.user, community),
        },
    )


@public
def resources(request, slug):
    community = _visible_community(request, slug)
    return _resource_list(
        request, community, Resource.objects.visible_to(request.user).filter(community=community)
    )


@public
def library(request):
    return _resource_list(request, None, Resource.objects.filter(community__isnull=True))


def _resource_form(request, community):
    _require(permissions.can_add_resource(request.user, community))
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.add_resource(community=community, added_by=request.user, **form.cleaned_data)
        messages.success(request, "Thank you for sharing this resource.")
        return redirect(
            reverse("communities:resources", args=[community.slug]) if community else "communities:library"
        )
    return render(request, "communities/resource_form.html", {"community": community, "form": form})


@login_required
def resource_create(request, slug):
    return _resource_form(request, _visible_community(request, slug))


@login_required
def library_add(request):
    return _resource_form(request, None)


def _visible_resource(request, pk) -> Resource:
    resource = get_object_or_404(Resource.objects.select_related("community"), pk=pk)
    if not permissions.can_view_resource(request.user, resource):
        raise Http404
    return resource


@public
def resource_download(request, pk):
    resource = _visible_resource(request, pk)
    if not resource.file:
        raise Http404
    return attachment_response(resource.file, resource.filename or resource.title)


@login_required
@require_POST
def resource_delete(request, pk):
    resource = _visible_resource(request, pk)
    _require(permissions.can_delete_resource(request.user, resource))
    community = resource.community
    services.delete_resource(resource=resource, actor=request.user)
    messages.success(request, "The resource is removed.")
    return redirect(
        reverse("communities:resources", args=[community.slug]) if community else "communities:library"
    )


# --- Search -------------------------------------------------------------------------------------


@public
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = run_search(
            request.user, form.cleaned_data["q"], kind=request.GET.get("kind"), page=request.GET.get("page")
        )
    return render(request, "communities/search.html", {"form": form, "results": results})


# --- Implementation plans -----------------------------------------------------------------------


@login_required
def plan_list(request):
    plans = (
        ImplementationPlan.objects.filter(owner=request.user)
        .select_related("shared_with")
        .annotate(step_count=Count("steps", distinct=True))
        .order_by("-updated_at", "-pk")
    )
    return render(request, "communities/plan_list.html", {"page": _page(request, plans)})


@login_required
def plan_create(request):
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = services.save_plan(plan=form.instance, owner=request.user, **form.cleaned_data)
        messages.success(request, "Your plan is saved. Add the steps you will take.")
        return redirect(plan)
    return render(request, "communities/plan_form.html", {"form": form})


def _visible_plan(request, pk) -> ImplementationPlan:
    plan = get_object_or_404(ImplementationPlan.objects.select_related("owner", "shared_with"), pk=pk)
    if not permissions.can_view_plan(request.user, plan):
        raise Http404
    return plan


@login_required
def plan_detail(request, pk):
    plan = _visible_plan(request, pk)
    return render(
        request,
        "communities/plan_detail.html",
        {
            "plan": plan,
            "steps": plan.steps.all(),
            "reflections": plan.reflections.all(),
            "comments": plan.comments.select_related("author"),
            "can_edit": permissions.can_edit_plan(request.user, plan),
            "can_comment": permissions.can_comment_on_plan(request.user, plan),
            "step_form": PlanStepForm(prefix="step"),
            "reflection_form": ReflectionForm(prefix="reflection"),
            "comment_form": CommentForm(prefix="comment"),
        },
    )


@login_required
def plan_edit(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_plan(plan=plan, owner=request.user, **form.cleaned_data)
        messages.success(request, "Your plan is saved.")
        return redirect(plan)
    return render(request, "communities/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_step(request, pk, step_pk=None):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    step = get_object_or_404(PlanStep, pk=step_pk, plan=plan) if step_pk else None
    form = PlanStepForm(request.POST or None, instance=step, prefix="step")
    if request.method == "POST" and form.is_valid():
        services.save_plan_step(plan=plan, step=step, **form.cleaned_data)
        messages.success(request, "The step is saved.")
        return redirect(plan)
    return render(request, "communities/plan_step_form.html", {"plan": plan, "form": form, "step": step})


@login_required
def plan_reflection(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    form = ReflectionForm(request.POST or None, prefix="reflection")
    if request.method == "POST" and form.is_valid():
        services.add_reflection(plan=plan, body=form.cleaned_data["body"])
        messages.success(request, "Your reflection is saved.")
        return redirect(plan)
    return render(
        request, "communities/plan_text_form.html", {"plan": plan, "form": form, "what": "reflection"}
    )


@login_required
def plan_comment(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_comment_on_plan(request.user, plan))
    form = CommentForm(request.POST or None, prefix="comment")
    if request.method == "POST" and form.is_valid():
        services.comment_on_plan(plan=plan, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your comment is posted.")
        return redirect(plan)
    return render(request, "communities/plan_text_form.html", {"plan": plan, "form": form, "what": "comment"})


@login_required
def community_plans(request, slug):
    community = _visible_community(request, slug)
    _require(
        permissions.is_member(request.user, community)
        or permissions.can_moderate_community(request.user, community)
    )
    plans = (
        ImplementationPlan.objects.filter(shared_with=community)
        .select_related("owner")
        .annotate(
            step_count=Count("steps", distinct=True),
            comment_count=Count("comments", distinct=True),
            has_done=Exists(PlanStep.objects.filter(plan=OuterRef("pk"), status=PlanStep.Status.DONE)),
        )
        .order_by("-updated_at", "-pk")
    )
    return render(
        request, "communities/community_plans.html", {"community": community, "page": _page(request, plans)}
    )
