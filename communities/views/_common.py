"""What the communities' view modules share: paging, fetching what the reader may see, refusing."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404

from communities import permissions
from communities.markdown import render_markdown
from communities.models import Community, Membership, Post, Thread

PAGE_SIZE = 25


def _page(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _listed_community(request, slug) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not permissions.can_see_listing(request.user, community):
        raise Http404
    return community


def _refuse_reader(request, community: Community) -> None:
    """Someone who may not read inside ``community`` followed a link into it. Where the community
    shows itself to them (to join or ask to join), say it is for members and how to join;
    otherwise (a cohort's or an invitation-only space) it stays out of sight: 404."""
    if permissions.can_see_listing(request.user, community):
        raise MembersOnly(community)
    raise Http404


class MembersOnly(PermissionDenied):
    """Rendered by communities' 403 page: the community's name and the way in."""

    template_name = "communities/members_only.html"

    def __init__(self, community: Community):
        super().__init__(f"{community} is for its members.")
        self.context = {"community": community}


def _visible_community(request, slug) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not permissions.can_view_community(request.user, community):
        _refuse_reader(request, community)
    return community


def _membership(user, community) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, community=community).first()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _preview(request, form) -> str | None:
    if "preview" in request.POST and form.is_valid():
        return render_markdown(form.cleaned_data["body"])
    return None


def _visible_thread(request, pk) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("community"), pk=pk)
    if not permissions.can_view_thread(request.user, thread):
        if not permissions.can_view_community(request.user, thread.community):
            _refuse_reader(request, thread.community)
        raise Http404  # a hidden thread
    return thread


def _visible_post(request, pk) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__community", "author"), pk=pk)
    if not permissions.can_view_post(request.user, post):
        if not permissions.can_view_community(request.user, post.thread.community):
            _refuse_reader(request, post.thread.community)
        raise Http404  # a hidden post or thread
    return post
