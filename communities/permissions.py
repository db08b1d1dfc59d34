"""Every access rule of communities. Coordinators moderate every community; facilitators theirs.

Views use ``can_view_*`` to decide 404 (not visible) and the other rules to decide 403.
"""

from __future__ import annotations

from django.db.models import QuerySet

from communities.models import (
    Community,
    CommunityFacilitator,
    Event,
    EventRegistration,
    ImplementationPlan,
    JoinRequest,
    Membership,
    PlanDeliverable,
    Post,
    Report,
    Resource,
    Thread,
)
from portal.access import is_coordinator


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_member(user, community: Community) -> bool:
    if not _signed_in(user):
        return False
    cache = getattr(user, "_community_member_cache", None)
    if cache is None:
        cache = user._community_member_cache = {}
    if community.pk not in cache:
        cache[community.pk] = Membership.objects.filter(user=user, community=community).exists()
    return cache[community.pk]


def is_facilitator(user, community: Community) -> bool:
    if not _signed_in(user):
        return False
    cache = getattr(user, "_community_facilitator_cache", None)
    if cache is None:
        cache = user._community_facilitator_cache = {}
    if community.pk not in cache:
        cache[community.pk] = (
            CommunityFacilitator.objects.active().filter(user=user, community=community).exists()
        )
    return cache[community.pk]


def can_moderate_community(user, community: Community) -> bool:
    """Pin, lock, hide, handle reports, approve requests, invite and remove members."""
    return _signed_in(user) and (is_coordinator(user) or is_facilitator(user, community))


def can_set_expected_hours(user, community: Community) -> bool:
    """How many hours of professional learning a year the community asks of its members."""
    return can_moderate_community(user, community)


# --- Communities and membership ----------------------------------------------------------------


def can_view_community(user, community: Community) -> bool:
    """May read the community's threads, posts and resources."""
    return (
        community.visibility == Community.Visibility.PUBLIC
        or is_member(user, community)
        or can_moderate_community(user, community)
    )


def can_see_listing(user, community: Community) -> bool:
    """May see the community's name and description (to join or ask to join)."""
    if can_view_community(user, community):
        return True
    if community.kind != Community.Kind.COHORT and community.join_policy != Community.JoinPolicy.INVITATION:
        return True
    # Someone invited must reach the page that holds the "Accept the invitation" button.
    return (
        _signed_in(user)
        and community.invitations.filter(email__iexact=user.email, accepted_at__isnull=True).exists()
    )


def can_join_community(user, community: Community) -> bool:
    return (
        _signed_in(user)
        and community.join_policy == Community.JoinPolicy.OPEN
        and not is_member(user, community)
    )


def can_request_to_join(user, community: Community) -> bool:
    return (
        _signed_in(user)
        and community.join_policy == Community.JoinPolicy.REQUEST
        and not is_member(user, community)
    )


def can_leave_community(user, community: Community) -> bool:
    return is_member(user, community)


def can_manage_members(user, community: Community) -> bool:
    return can_moderate_community(user, community)


def can_follow_community(user, community: Community) -> bool:
    return is_member(user, community)


def can_view_members(user, community: Community) -> bool:
    return is_member(user, community) or can_manage_members(user, community)


def can_change_notifications(user, community: Community) -> bool:
    return is_member(user, community)


# --- Threads and posts -------------------------------------------------------------------------


def can_view_thread(user, thread: Thread) -> bool:
    if not can_view_community(user, thread.community):
        return False
    return not thread.hidden or can_moderate_community(user, thread.community)


def can_start_thread(user, community: Community) -> bool:
    return is_member(user, community) or can_moderate_community(user, community)


def can_reply(user, thread: Thread) -> bool:
    if not can_start_thread(user, thread.community):
        return False
    if thread.hidden or thread.locked:
        return can_moderate_community(user, thread.community)
    return True


def can_moderate_thread(user, thread: Thread) -> bool:
    return can_moderate_community(user, thread.community)


def can_follow_thread(user, thread: Thread) -> bool:
    return is_member(user, thread.community) and can_view_thread(user, thread)


def can_view_post(user, post: Post) -> bool:
    if not can_view_thread(user, post.thread):
        return False
    return not post.hidden or can_moderate_community(user, post.thread.community)


def can_edit_post(user, post: Post) -> bool:
    return _signed_in(user) and post.author_id == user.pk and not post.hidden and can_reply(user, post.thread)


def can_report_post(user, post: Post) -> bool:
    return _signed_in(user) and post.author_id != user.pk and can_start_thread(user, post.thread.community)


def can_moderate_post(user, post: Post) -> bool:
    return can_moderate_community(user, post.thread.community)


def can_see_moderation_queue(user) -> bool:
    return _signed_in(user) and (
        is_coordinator(user) or CommunityFacilitator.objects.active().filter(user=user).exists()
    )


def _moderated_by(user) -> QuerySet[Community] | None:
    """The communities ``user`` facilitates now, or None for coordinators (every community)."""
    if is_coordinator(user):
        return None
    return CommunityFacilitator.objects.active().filter(user=user).values("community")


def reports_to_moderate(user) -> QuerySet[Report]:
    """The reports in the communities ``user`` moderates."""
    moderated = _moderated_by(user)
    reports = Report.objects.all()
    return reports if moderated is None else reports.filter(post__thread__community__in=moderated)


def join_requests_to_moderate(user) -> QuerySet[JoinRequest]:
    """The requests to join the communities ``user`` moderates."""
    moderated = _moderated_by(user)
    requests = JoinRequest.objects.all()
    return requests if moderated is None else requests.filter(community__in=moderated)


# --- Resources ---------------------------------------------------------------------------------


def can_view_resource(user, resource: Resource) -> bool:
    return resource.community is None or can_view_community(user, resource.community)


def can_add_resource(user, community: Community | None) -> bool:
    """Members share resources in their community; coordinators keep the statewide library."""
    if community is None:
        return is_coordinator(user)
    return can_start_thread(user, community)


def can_delete_resource(user, resource: Resource) -> bool:
    if not _signed_in(user):
        return False
    if resource.community is None:
        return is_coordinator(user)
    return resource.added_by_id == user.pk or can_moderate_community(user, resource.community)


# --- Implementation plans ----------------------------------------------------------------------


def is_plan_member(user, plan: ImplementationPlan) -> bool:
    """The owner, or a member of the team the plan belongs to (asked once per request)."""
    if not _signed_in(user):
        return False
    if plan.owner_id == user.pk:
        return True
    cache = plan.__dict__.setdefault("_member_cache", {})
    if user.pk not in cache:
        cache[user.pk] = plan.members.filter(pk=user.pk).exists()
    return cache[user.pk]


def can_view_plan(user, plan: ImplementationPlan) -> bool:
    if not _signed_in(user):
        return False
    if is_plan_member(user, plan):
        return True
    return plan.shared_with is not None and (
        is_member(user, plan.shared_with) or can_moderate_community(user, plan.shared_with)
    )


def can_edit_plan(user, plan: ImplementationPlan) -> bool:
    """The owner and, for a team plan, every member of the team."""
    return is_plan_member(user, plan)


def can_comment_on_plan(user, plan: ImplementationPlan) -> bool:
    return can_view_plan(user, plan) and (is_plan_member(user, plan) or plan.shared_with is not None)


def can_add_deliverable(user, plan: ImplementationPlan) -> bool:
    return can_edit_plan(user, plan)


def can_share_deliverable(user, deliverable: PlanDeliverable) -> bool:
    """A team member makes a deliverable a resource of the cohort's community, once."""
    return deliverable.resource_id is None and can_edit_plan(user, deliverable.plan)


def can_share_plan_with(user, community: Community) -> bool:
    return is_member(user, community)


def can_view_community_plans(user, community: Community) -> bool:
    """The plans members shared with the community: its members and its moderators."""
    return is_member(user, community) or can_moderate_community(user, community)


# --- Events ------------------------------------------------------------------------------------


def can_view_event(user, event: Event) -> bool:
    """An event is seen where its community's content is read (a public community's by anyone)."""
    return can_view_community(user, event.community)


def can_schedule_event(user, community: Community) -> bool:
    return can_moderate_community(user, community)


def can_manage_event(user, event: Event) -> bool:
    """Take attendance, mark held, cancel, share the materials, see the registrants."""
    return can_moderate_community(user, event.community)


def can_take_event_attendance(user, event: Event) -> bool:
    return can_manage_event(user, event)


def can_register_for_event(user, event: Event) -> bool:
    """Members (and facilitators); for a public community, anyone signed in."""
    if not _signed_in(user):
        return False
    community = event.community
    return (
        community.visibility == Community.Visibility.PUBLIC
        or is_member(user, community)
        or can_moderate_community(user, community)
    )


def can_cancel_event_registration(user, registration: EventRegistration) -> bool:
    return _signed_in(user) and registration.person_id == user.pk


def can_subscribe_to_community_calendar(user, community: Community) -> bool:
    """A private feed of a community's events: its members and moderators."""
    return is_member(user, community) or can_moderate_community(user, community)
