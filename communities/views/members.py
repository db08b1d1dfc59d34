"""Joining and leaving, join requests, invitations and the member list."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import InviteForm, JoinRequestForm
from communities.models import Community, JoinRequest, Membership
from communities.views._common import _listed_community, _page, _require, _visible_community
from portal.access import login_required


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
    _require(permissions.can_view_members(request.user, community))
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
