"""Every write in communities that carries a rule.

Other apps call ``join_cohort`` (institutes, when an application is accepted). Views call the rest
after checking permissions.py; these functions re-check the state they change.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communities.models import (
    Community,
    CommunityFacilitator,
    Follow,
    ImplementationPlan,
    Invitation,
    JoinRequest,
    Membership,
    PlanComment,
    PlanDeliverable,
    PlanReflection,
    PlanReview,
    PlanStep,
    PlanTemplate,
    Post,
    Report,
    Resource,
    Thread,
)
from portal import states
from portal.emails import absolute_url, queue_email
from portal.states import DomainError
from portal.uploads import safe_filename


class CommunityError(DomainError):
    """A move the rules do not allow; the message is shown to the person."""


def _audit(community, actor, action, *, thread=None, post=None, subject_user=None, note="") -> None:
    """A line of the community's moderation log, in the portal's one audit trail."""
    details = {"thread": thread, "post": post, "member": subject_user}
    states.record(
        community,
        action=action,
        by=actor,
        note=note,
        details={key: obj.pk for key, obj in details.items() if obj is not None},
    )


# --- Expected professional-learning hours ------------------------------------------------------


def set_expected_hours(*, community: Community, low, high, actor) -> Community:
    """The hours a year the community asks of members (``low`` alone, a range, or none)."""
    if high is not None and (low is None or high < low):
        raise CommunityError("Give the least hours, and a most that is not below it.")
    community.expected_hours_min, community.expected_hours_max = low, high
    community.save(update_fields=["expected_hours_min", "expected_hours_max", "updated_at"])
    _audit(community, actor, "expected-hours", note=community.expected_hours or "none")
    return community


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
        # Added another way (an invitation, the cohort): a pending request is answered by it.
        pending = JoinRequest.objects.filter(
            community=community, user=user, status=JoinRequest.Status.PENDING
        )
        for join_request in pending:
            _move_request(join_request, JoinRequest.Status.APPROVED, actor=actor)
    return membership


def join_cohort(*, institute, user) -> Membership:
    """Enrol an accepted participant in the institute's cohort community. Safe to call twice.

    The membership outlives the institute: only withdrawing from it (``leave_cohort``) takes it away.
    """
    with transaction.atomic():
        community = cohort_for(institute)
        return add_member(community=community, user=user, action="joined with the cohort")


def leave_cohort(*, institute, user, actor, note: str = "") -> None:
    """Take someone who is no longer a participant out of the cohort's members-only space.
    What they posted stays, under their name."""
    community = Community.objects.filter(kind=Community.Kind.COHORT, institute=institute).first()
    if community is not None:
        remove_member(community=community, user=user, actor=actor, note=note or "no longer in the cohort")


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


def _move_request(join_request: JoinRequest, to: str, *, actor):
    return states.move(
        join_request,
        to,
        by=actor,
        allowed=JoinRequest.ALLOWED_MOVES,
        error=CommunityError,
        refusal=lambda row, target: "This request has already been decided.",
        decided_by=actor,
        decided_at=timezone.now(),
    )


def decide_join_request(*, join_request: JoinRequest, approve: bool, actor) -> JoinRequest:
    with transaction.atomic():
        join_request = states.lock(join_request, "community", "user")
        target = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
        if _move_request(join_request, target, actor=actor) is None:
            return join_request
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


# --- Threads and posts --------------------------------------------------------------------------


def start_thread(*, community: Community, author, title: str, body: str) -> Thread:
    with transaction.atomic():
        now = timezone.now()
        thread = Thread.objects.create(
            community=community, title=title.strip(), author=author, created_at=now, last_activity_at=now
        )
        post = Post.objects.create(thread=thread, author=author, body=body, created_at=now)
        follow_thread(user=author, thread=thread)
        notify_followers(post)
        return thread


def reply(*, thread: Thread, author, body: str, quote: Post | None = None, moderator: bool = False) -> Post:
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if (thread.locked or thread.hidden) and not moderator:
            raise CommunityError("This thread is closed to new replies.")
        if quote is not None and (quote.thread_id != thread.pk or quote.hidden):
            quote = None
        now = timezone.now()
        post = Post.objects.create(thread=thread, author=author, body=body, quote=quote, created_at=now)
        thread.last_activity_at = now
        thread.save(update_fields=["last_activity_at"])
        follow_thread(user=author, thread=thread)
        notify_followers(post)
        return post


def edit_post(*, post: Post, editor, body: str) -> Post:
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.author_id != editor.pk:
            raise CommunityError("Only the author can edit a post.")
        if post.body == body:
            return post
        post.body = body
        post.edited_at = timezone.now()
        post.save()
        return post


THREAD_FLAGS = {
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "lock": ("locked", True),
    "unlock": ("locked", False),
    "hide": ("hidden", True),
    "unhide": ("hidden", False),
}


def moderate_thread(*, thread: Thread, actor, action: str, note: str = "") -> Thread:
    if action not in THREAD_FLAGS:
        raise CommunityError("Unknown action.")
    field, value = THREAD_FLAGS[action]
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if getattr(thread, field) == value:
            return thread
        setattr(thread, field, value)
        thread.save(update_fields=[field])
        _audit(thread.community, actor, f"{action} thread", thread=thread, note=note)
        return thread


def set_post_hidden(*, post: Post, actor, hidden: bool, note: str = "") -> Post:
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
        if post.hidden == hidden:
            return post
        post.hidden = hidden
        post.save(update_fields=["hidden"])
        _audit(
            post.thread.community,
            actor,
            "hid a post" if hidden else "restored a post",
            thread=post.thread,
            post=post,
            note=note,
        )
        return post


def move_post(*, post: Post, to_thread: Thread, actor, note: str = "") -> Post:
    """Move a reply to another thread of the same community, where it takes its place by date."""
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
        source = post.thread
        if to_thread.pk == source.pk:
            raise CommunityError("The post is already in this thread.")
        if to_thread.community_id != source.community_id:
            raise CommunityError("A post can only move to another thread of its own community.")
        opening = source.posts.order_by("created_at", "pk").values_list("pk", flat=True).first()
        if opening == post.pk:
            raise CommunityError("This post opens its thread, so it cannot be moved.")
        post.thread = to_thread
        post.save(update_fields=["thread"])
        for thread in (source, to_thread):
            latest = thread.posts.order_by("-created_at").values_list("created_at", flat=True).first()
            Thread.objects.filter(pk=thread.pk).update(last_activity_at=latest or thread.created_at)
        _audit(
            source.community,
            actor,
            "moved a post",
            thread=to_thread,
            post=post,
            note=(f"From “{source.title}”. {note}" if note else f"From “{source.title}”."),
        )
        return post


def open_report_by(post: Post, reporter) -> Report | None:
    """The report ``reporter`` made of ``post`` that the facilitators have not resolved yet."""
    return Report.objects.filter(post=post, reporter=reporter, resolved=False).first()


def report_post(*, post: Post, reporter, reason: str) -> tuple[Report, bool]:
    """Report a post to its community's facilitators; (the report, whether it is new).

    A second report by the same person while the first is open is not a new one: the
    facilitators are not told twice."""
    with transaction.atomic():
        existing = open_report_by(post, reporter)
        if existing:
            return existing, False
        try:
            with transaction.atomic():
                report = Report.objects.create(post=post, reporter=reporter, reason=reason.strip())
        except IntegrityError:
            return Report.objects.get(post=post, reporter=reporter, resolved=False), False
        community = post.thread.community
        for role in CommunityFacilitator.objects.active().filter(community=community).select_related("user"):
            queue_email(
                to=role.user.email,
                kind="community.report",
                template="communities/emails/report",
                subject=f"A post in {community} was reported",
                context={
                    "report": report,
                    "community": community,
                    "url": absolute_url(reverse("communities:moderation-queue")),
                },
                about=report,
                user=role.user,
            )
        return report, True


def resolve_report(*, report: Report, actor, hide_post: bool, resolution: str = "") -> Report:
    with transaction.atomic():
        report = (
            Report.objects.select_for_update().select_related("post__thread__community").get(pk=report.pk)
        )
        if report.resolved:
            return report
        if hide_post:
            set_post_hidden(post=report.post, actor=actor, hidden=True, note="after a report")
        report.resolved = True
        report.resolved_by = actor
        report.resolved_at = timezone.now()
        report.resolution = (resolution or ("Post hidden" if hide_post else "No action needed"))[:300]
        report.save(update_fields=["resolved", "resolved_by", "resolved_at", "resolution"])
        # Other open reports on the same post are answered by the same decision.
        Report.objects.filter(post=report.post, resolved=False).update(
            resolved=True, resolved_by=actor, resolved_at=report.resolved_at, resolution=report.resolution
        )
        _audit(
            report.post.thread.community,
            actor,
            "resolved a report",
            thread=report.post.thread,
            post=report.post,
            note=report.resolution,
        )
        return report


# --- Notifications -----------------------------------------------------------------------------


def followers_to_notify(post: Post, notify: str):
    """People who follow the post's thread or community, are members, and chose ``notify``."""
    from django.contrib.auth import get_user_model

    thread = post.thread
    follows = Follow.objects.filter(Q(thread=thread) | Q(community=thread.community_id)).values("user")
    members = Membership.objects.filter(community=thread.community_id, notify=notify).values("user")
    return (
        get_user_model()
        .objects.filter(pk__in=follows)
        .filter(pk__in=members)
        .exclude(pk=post.author_id)
        .order_by("pk")
    )


def notify_followers(post: Post) -> int:
    """E-mail the followers who asked to hear at once. Digest readers get it with the next digest."""
    thread = post.thread
    if post.hidden or thread.hidden:
        return 0
    sent = 0
    url = absolute_url(post.get_absolute_url())
    for person in followers_to_notify(post, Membership.Notify.IMMEDIATE):
        queued = queue_email(
            to=person.email,
            kind="community.reply",
            template="communities/emails/reply",
            subject=f"New in {thread.community}: {thread.title}",
            context={"post": post, "thread": thread, "community": thread.community, "url": url},
            about=post,
            user=person,
        )
        sent += queued is not None
    return sent


def send_daily_digests(*, now=None) -> int:
    """One e-mail per digest reader with the last day's posts they follow. Safe to run twice a day."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    since = now - timedelta(days=1)
    milestone = timezone.localdate(now).isoformat()
    readers = (
        get_user_model()
        .objects.filter(community_memberships__notify=Membership.Notify.DIGEST)
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for person in readers:
        communities = Membership.objects.filter(user=person, notify=Membership.Notify.DIGEST).values(
            "community"
        )
        followed = Follow.objects.filter(user=person)
        posts = list(
            Post.objects.filter(
                created_at__gte=since,
                created_at__lt=now,
                hidden=False,
                thread__hidden=False,
                thread__community__in=communities,
            )
            .filter(
                Q(thread__in=followed.filter(thread__isnull=False).values("thread"))
                | Q(thread__community__in=followed.filter(community__isnull=False).values("community"))
            )
            .exclude(author=person)
            .select_related("author", "thread__community")
            .order_by("thread__community__title", "thread__title", "created_at")
        )
        if not posts:
            continue
        queued = queue_email(
            to=person.email,
            kind="community.digest",
            template="communities/emails/digest",
            subject=f"Your communities today: {len(posts)} new post{'s' if len(posts) != 1 else ''}",
            context={"posts": posts, "day": timezone.localdate(now)},
            milestone=milestone,
            user=person,
        )
        sent += queued is not None
    return sent


# --- Resources ----------------------------------------------------------------------------------


def add_resource(
    *,
    community: Community | None,
    added_by,
    title: str,
    description: str = "",
    topic: str = "",
    url: str = "",
    file=None,
) -> Resource:
    """Share a link or an uploaded file (already checked by size and content in the form)."""
    with transaction.atomic():
        resource = Resource(
            community=community,
            added_by=added_by,
            title=title.strip(),
            description=description,
            topic=topic,
            url=url or "",
        )
        if file:
            resource.filename = safe_filename(getattr(file, "name", "") or title)
            resource.file = file
        resource.save()
        if community is not None:
            _audit(community, added_by, "shared a resource", note=resource.title)
        return resource


def delete_resource(*, resource: Resource, actor) -> None:
    with transaction.atomic():
        if resource.community is not None:
            _audit(resource.community, actor, "removed a resource", note=resource.title)
        stored = resource.file.name if resource.file else ""
        storage = resource.file.storage if resource.file else None
        resource.delete()
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))


# --- Implementation plans -----------------------------------------------------------------------


def _plan_history(plan: ImplementationPlan, by, action: str, note: str = "", **details) -> None:
    """One line of the plan's history (who changed what, when), in the portal's audit trail."""
    states.record(plan, action=action, by=by, note=note, details={k: v for k, v in details.items() if v})


def _touch(plan: ImplementationPlan) -> None:
    ImplementationPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())


def plan_history(plan: ImplementationPlan):
    """The plan's edits, newest first, with who made them."""
    return states.history(plan).order_by("-at", "-pk")


def save_plan(
    *, plan: ImplementationPlan | None, owner, title: str, goals: str, shared_with=None
) -> ImplementationPlan:
    """Create a plan (``owner`` owns it) or change one (``owner``: the person editing, who must be
    the owner or, for a team plan, a member of the team)."""
    if shared_with is not None and not Membership.objects.filter(user=owner, community=shared_with).exists():
        raise CommunityError("You can share a plan only with a community you belong to.")
    plan = plan or ImplementationPlan()
    new = plan.pk is None
    if not new and plan.owner_id != owner.pk and not plan.members.filter(pk=owner.pk).exists():
        raise CommunityError("Only the plan's owner and its team can change it.")
    if new:
        plan.owner = owner
    plan.title = title.strip()
    plan.goals = goals
    plan.shared_with = shared_with
    with transaction.atomic():
        plan.save()
        _plan_history(plan, owner, "plan:started" if new else "plan:edited", note=plan.title)
    return plan


def start_team_plan(*, team, institute, lead, members, title: str, template: PlanTemplate | None = None):
    """The plan a planning network's team leaves with (institutes calls this on acceptance).

    It starts with the protocol's steps; every member of the team edits it. Safe to call twice:
    a team has one plan, and people who joined since are added to it.
    """
    with transaction.atomic():
        plan = ImplementationPlan.objects.select_for_update().filter(team=team).first()
        if plan is None:
            plan = ImplementationPlan.objects.create(
                owner=lead,
                team=team,
                institute=institute,
                template=template,
                title=title[:200],
                goals="",
            )
            if template is not None:
                PlanStep.objects.bulk_create(
                    PlanStep(plan=plan, description=step.title[:300], guidance=step.guidance)
                    for step in template.steps.all()
                )
            _plan_history(
                plan, None, "plan:started", note=f"From the protocol “{template}”" if template else ""
            )
        plan.members.add(*members)
        return plan


def leave_team_plan(*, team, user, by) -> None:
    """Someone who withdrew from the team no longer edits its plan (their changes stay in its history)."""
    plan = ImplementationPlan.objects.filter(team=team).first()
    if plan is not None and plan.members.filter(pk=user.pk).exists():
        plan.members.remove(user)
        _plan_history(plan, by, "plan:member-left", note=f"{user} left the team")


def save_plan_step(
    *,
    plan: ImplementationPlan,
    step: PlanStep | None,
    description: str,
    owner_name: str = "",
    due_on=None,
    status=None,
    notes: str | None = None,
    by=None,
) -> PlanStep:
    new = step is None
    step = step or PlanStep(plan=plan)
    if step.plan_id != plan.pk:
        raise CommunityError("This step belongs to another plan.")
    # The stored status, not the instance's: a ModelForm has already put the new one on it.
    stored = None if new else PlanStep.objects.filter(pk=step.pk).values_list("status", flat=True).first()
    before = PlanStep.Status(stored).label if stored else ""
    step.description = description.strip()
    step.owner_name = owner_name.strip()
    step.due_on = due_on
    step.status = status or PlanStep.Status.NOT_STARTED
    if notes is not None:
        step.notes = notes
    with transaction.atomic():
        step.save()
        _touch(plan)
        after = step.get_status_display()
        if new:
            note = f"Added the step “{step.description}”"
        elif before != after:
            note = f"“{step.description}”: {before.lower()} → {after.lower()}"
        else:
            note = f"Edited the step “{step.description}”"
        _plan_history(plan, by, "plan:step-added" if new else "plan:step-edited", note=note, step=step.pk)
    return step


def add_reflection(*, plan: ImplementationPlan, body: str, by=None) -> PlanReflection:
    with transaction.atomic():
        reflection = PlanReflection.objects.create(plan=plan, body=body)
        _touch(plan)
        _plan_history(plan, by, "plan:reflection", note="Added a reflection")
        return reflection


def add_deliverable(*, plan: ImplementationPlan, by, title: str, url: str = "", file=None) -> PlanDeliverable:
    """A document or link the team made (the upload already checked in the form)."""
    with transaction.atomic():
        deliverable = PlanDeliverable(plan=plan, added_by=by, title=title.strip(), url=url or "")
        if file:
            deliverable.filename = safe_filename(getattr(file, "name", "") or title)
            deliverable.file = file
        deliverable.save()
        _touch(plan)
        _plan_history(plan, by, "plan:deliverable", note=f"Added the deliverable “{deliverable.title}”")
        return deliverable


def deliverable_community(plan: ImplementationPlan) -> Community | None:
    """Where a team's deliverables are shared: the institute's cohort community (made when its
    first participant was accepted), else the community the plan is shared with."""
    if plan.institute_id:
        return Community.objects.filter(kind=Community.Kind.COHORT, institute_id=plan.institute_id).first()
    return plan.shared_with


def share_deliverable(*, deliverable: PlanDeliverable, by) -> Resource:
    """Make a deliverable a resource of the cohort's community (once; the team chooses when)."""
    with transaction.atomic():
        deliverable = (
            PlanDeliverable.objects.select_for_update().select_related("plan").get(pk=deliverable.pk)
        )
        if deliverable.resource_id:
            raise CommunityError("This deliverable is already shared.")
        plan = deliverable.plan
        community = deliverable_community(plan)
        if community is None:
            raise CommunityError(
                "This plan has no community to share with yet: share the plan with a community first."
            )
        if not Membership.objects.filter(user=by, community=community).exists():
            raise CommunityError(f"Join {community.title} to share a deliverable there.")
        resource = Resource(
            community=community,
            added_by=by,
            title=deliverable.title,
            description=f"A deliverable of the team plan “{plan.title}”.",
            url=deliverable.url,
        )
        if deliverable.file:
            # A copy: the team keeps its own on the plan, whatever becomes of the resource.
            with deliverable.file.open("rb") as stored:
                resource.file.save(deliverable.filename or "deliverable", File(stored), save=False)
            resource.filename = deliverable.filename
        resource.save()
        deliverable.resource = resource
        deliverable.save(update_fields=["resource", "updated_at"])
        _audit(community, by, "shared a resource", note=resource.title)
        _plan_history(
            plan, by, "plan:deliverable-shared", note=f"Shared “{deliverable.title}” in {community.title}"
        )
        return resource


def review_plan(*, plan: ImplementationPlan, by, note: str) -> PlanReview:
    """A coordinator's note on the team's progress at a follow-up (institutes checks who may)."""
    note = note.strip()
    if not note:
        raise CommunityError("Write a note for the team.")
    steps = list(plan.steps.values_list("status", flat=True))
    with transaction.atomic():
        review = PlanReview.objects.create(
            plan=plan,
            author=by,
            note=note,
            steps_done=sum(1 for s in steps if s == PlanStep.Status.DONE),
            steps_total=len(steps),
        )
        _plan_history(plan, by, "plan:reviewed", note="Reviewed the team's progress")
        return review


def comment_on_plan(*, plan: ImplementationPlan, author, body: str) -> PlanComment:
    with transaction.atomic():
        comment = PlanComment.objects.create(plan=plan, author=author, body=body)
        if plan.owner_id != author.pk:
            queue_email(
                to=plan.owner.email,
                kind="community.plan_comment",
                template="communities/emails/plan_comment",
                subject=f"{author} commented on your plan “{plan.title}”",
                context={"plan": plan, "comment": comment, "url": absolute_url(plan.get_absolute_url())},
                about=comment,
                user=plan.owner,
            )
        return comment


# --- Regional CoPs opened from an agency's offer to host one ------------------------------------


def start_regional_community(
    *, title: str, region: str, actor, host=None, description: str = ""
) -> Community:
    """A new regional CoP (public, open to join), opened by a coordinator; ``host``, the person
    at the agency that offered to host it, becomes its first member."""
    title = title.strip()
    if not title:
        raise CommunityError("Give the community a name.")
    with transaction.atomic():
        community = Community.objects.create(
            title=title,
            kind=Community.Kind.REGIONAL,
            region=region,
            description=description,
            visibility=Community.Visibility.PUBLIC,
            join_policy=Community.JoinPolicy.OPEN,
        )
        _audit(community, actor, "created", note=f"Regional CoP for the {region} region" if region else "")
        if host is not None:
            add_member(community=community, user=host, actor=actor, action="added")
    return community
