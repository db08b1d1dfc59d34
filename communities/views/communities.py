"""The directory, a community's page and feed, and a member's own settings for it."""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import DirectoryFilterForm, ExpectedHoursForm, NotifyForm
from communities.models import Community, CommunityFacilitator, Follow, JoinRequest, Post, Thread
from communities.views._common import _listed_community, _membership, _page, _require, _visible_community
from portal.access import login_required, public


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
def notify_settings(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_change_notifications(request.user, community))
    membership = _membership(request.user, community)
    form = NotifyForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        services.set_notify(membership=membership, notify=form.cleaned_data["notify"])
        messages.success(request, "Your e-mail settings for this community are saved.")
        return redirect(community)
    return render(request, "communities/notify_settings.html", {"community": community, "form": form})


@login_required
def expected_hours(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_set_expected_hours(request.user, community))
    form = ExpectedHoursForm(request.POST or None, instance=Community.objects.get(pk=community.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_expected_hours(
                community=community,
                low=form.cleaned_data["expected_hours_min"],
                high=form.cleaned_data["expected_hours_max"],
                actor=request.user,
            )
        except services.CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            if community.expected_hours:
                messages.success(
                    request, f"Members are now asked for about {community.expected_hours} hours a year."
                )
            else:
                messages.success(request, "This community now asks for no particular number of hours.")
            return redirect(community)
    return render(request, "communities/expected_hours.html", {"community": community, "form": form})


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
