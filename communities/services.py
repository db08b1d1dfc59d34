"""Every write in communities that carries a rule.

Other apps call ``join_cohort`` (institutes, when an application is accepted). Views call the rest
after checking permissions.py; these functions re-check the state they change.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from communities.models import (
    Community,
    CommunityFacilitator,
    Follow,
    Invitation,
    JoinRequest,
    Membership,
    ModerationEvent,
)
from portal.emails import absolute_url, queue_email


class CommunityError(Exception):
    """A move the rules do not allow; the message is shown to the person."""


def _audit(community, actor, action, *, thread=None, post=None, subject_user=None, note="") -> None:
    ModerationEvent.objects.create(
        community=community,
        actor=actor,
        action=action,
        thread=thread,
        post=post,
        subject_user=subject_user,
        note=note[:300],
    )


# --- Membership ---------------------------------------------------------------------------------


def cohort_for(institute) -> Community:
    """The institute's cohort community, created on first use (members only, by invitation)."""
    community = Community.objects.filter(kind=Community.Kind.COHORT, institute=institute).first()
    if community is not None:
        return community
    try:
        with transaction.atomic():
            return Community.objects.create(
                kind=Community.Kind.COHORT,
                institute=institute,
                title=str(institute)[:200],
                topic=(getattr(institute, "topic", "") or "")[:120],
                description=(
                    f"The participants of {institute} meet here before, between and after the sessions: "
                    "introduce yourself, share your pre-institute work and keep supporting each other "
                    "as you put the module into practice."
                ),
                visibility=Community.Visibility.MEMBERS,
                join_policy=Community.JoinPolicy.INVITATION,
            )
    except IntegrityError:  # another request created it a moment ago
        return Community.objects.get(kind=Community.Kind.COHORT, institute=institute)


def add_member(*, community: Community, user, actor=None, action: str = "joined") -> Membership:
    """Make ``user`` a member (idempotent) and have them follow the community."""
    membership, created = Membership.objects.get_or_create(user=user, community=community)
    if created:
        _audit(community, actor or user, action, subject_user=user)
        follow_community(user=user, community=community)
        JoinRequest.objects.filter(community=community, user=user, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.APPROVED, decided_by=actor, decided_at=timezone.now()
        )
    return membership


def join_cohort(*, institute, user) -> Membership:
    """Enrol an accepted participant in the institute's cohort community. Safe to call twice.

    The membership outlives the institute: nothing here or in institutes removes it later.
    """
    with transaction.atomic():
        community = cohort_for(institute)
        return add_member(community=community, user=user, action="joined with the cohort")


def join(*, community: Community, user) -> Membership:
    """Join an open community."""
    if community.join_policy != Community.JoinPolicy.OPEN:
        raise CommunityError("This community is not open to join; ask to join or wait for an invitation.")
    with transaction.atomic():
        return add_member(community=community, user=user)


def leave(*, community: Community, user) -> None:
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(community=community, user=user).delete()
        if deleted:
            Follow.objects.filter(user=user, community=community).delete()
            Follow.objects.filter(user=user, thread__community=community).delete()
            _audit(community, user, "left", subject_user=user)


def remove_member(*, community: Community, user, actor, note: str = "") -> None:
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(community=community, user=user).delete()
        if deleted:
            Follow.objects.filter(user=user, community=community).delete()
            Follow.objects.filter(user=user, thread__community=community).delete()
            _audit(community, actor, "removed a member", subject_user=user, note=note)


def mark_orientation_seen(*, membership: Membership) -> None:
    if not membership.seen_orientation:
        Membership.objects.filter(pk=membership.pk).update(seen_orientation=True)
        membership.seen_orientation = True


def set_notify(*, membership: Membership, notify: str) -> None:
    if notify not in Membership.Notify.values:
        raise CommunityError("Choose how you would like to hear about replies.")
    Membership.objects.filter(pk=membership.pk).update(notify=notify)
    membership.notify = notify


def request_to_join(*, community: Community, user, message: str = "") -> JoinRequest:
    if community.join_policy != Community.JoinPolicy.REQUEST:
        raise CommunityError("This community does not take join requests.")
    if Membership.objects.filter(community=community, user=user).exists():
        raise CommunityError("You are already a member.")
    with transaction.atomic():
        existing = JoinRequest.objects.filter(
            community=community, user=user, status=JoinRequest.Status.PENDING
        ).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                join_request = JoinRequest.objects.create(community=community, user=user, message=message)
        except IntegrityError:
            return JoinRequest.objects.get(community=community, user=user, status=JoinRequest.Status.PENDING)
        _notify_facilitators_of_request(join_request)
        return join_request


def _notify_facilitators_of_request(join_request: JoinRequest) -> None:
    community = join_request.community
    for role in CommunityFacilitator.objects.active().filter(community=community).select_related("user"):
        queue_email(
            to=role.user.email,
            kind="community.join_request",
            template="communities/emails/join_request",
            subject=f"{join_request.user} asks to join {community}",
            context={
                "join_request": join_request,
                "community": community,
                "url": absolute_url(reverse("communities:join-requests", kwargs={"slug": community.slug})),
            },
            about=join_request,
            user=role.user,
        )


def decide_join_request(*, join_request: JoinRequest, approve: bool, actor) -> JoinRequest:
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        target = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
        if join_request.status == target:
            return join_request
        if target not in JoinRequest.ALLOWED_MOVES.get(join_request.status, set()):
            raise CommunityError("This request has already been decided.")
        join_request.status = target
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        community = join_request.community
        if approve:
            add_member(community=community, user=join_request.user, actor=actor, action="approved a request")
        else:
            _audit(community, actor, "declined a request", subject_user=join_request.user)
        _email_join_decision(join_request)
        return join_request


def _email_join_decision(join_request: JoinRequest) -> None:
    community = join_request.community
    approved = join_request.status == JoinRequest.Status.APPROVED
    queue_email(
        to=join_request.user.email,
        kind="community.join_decision",
        template="communities/emails/join_decision",
        subject=f"You are now a member of {community}" if approved else f"Your request to join {community}",
        context={
            "community": community,
            "approved": approved,
            "url": absolute_url(community.get_absolute_url()),
        },
        about=join_request,
        milestone=join_request.status,
        user=join_request.user,
    )


def invite(*, community: Community, email: str, actor) -> Invitation:
    email = email.strip().lower()
    with transaction.atomic():
        invitation = Invitation.objects.filter(
            community=community, email=email, accepted_at__isnull=True
        ).first() or Invitation.objects.create(community=community, email=email, invited_by=actor)
        _audit(community, actor, "invited", note=email)
        queue_email(
            to=email,
            kind="community.invitation",
            template="communities/emails/invitation",
            subject=f"{actor} invites you to {community}",
            context={
                "community": community,
                "inviter": actor,
                "url": absolute_url(community.get_absolute_url()),
            },
            about=invitation,
        )
        return invitation


def pending_invitation(*, community: Community, user) -> Invitation | None:
    if not user.is_authenticated:
        return None
    return Invitation.objects.filter(
        community=community, email__iexact=user.email, accepted_at__isnull=True
    ).first()


def accept_invitation(*, community: Community, user) -> Membership:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(community=community, email__iexact=user.email, accepted_at__isnull=True)
            .first()
        )
        if invitation is None:
            membership = Membership.objects.filter(community=community, user=user).first()
            if membership:
                return membership
            raise CommunityError("We could not find an invitation for your e-mail address.")
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        return add_member(community=community, user=user, actor=user, action="accepted an invitation")


# --- Following ----------------------------------------------------------------------------------


def follow_community(*, user, community: Community) -> Follow:
    follow, _ = Follow.objects.get_or_create(user=user, community=community, thread=None)
    return follow


def unfollow_community(*, user, community: Community) -> None:
    Follow.objects.filter(user=user, community=community).delete()


def follow_thread(*, user, thread) -> Follow:
    follow, _ = Follow.objects.get_or_create(user=user, thread=thread, community=None)
    return follow


def unfollow_thread(*, user, thread) -> None:
    Follow.objects.filter(user=user, thread=thread).delete()
