"""Every write with a rule in the institutes app: applications, teams, endorsements, decisions,
assignments, attendance, the practice result and the completion roster.

Each state change goes through ``portal.states.move``: it re-reads the row with select_for_update()
inside transaction.atomic(), returns quietly when the row is already where the caller wants it, raises
ApplicationError (a plain-language message) when the move is not allowed, writes a row of the
portal's audit trail and queues e-mail for after commit. The institute's own status moves the same
way (open, close, start, complete, back to draft), on the table ``Institute.ALLOWED_MOVES``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from communities.services import join_cohort, leave_cohort, leave_team_plan, start_team_plan
from institutes.learning import credit_session
from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Institute,
    InstituteCoordinator,
    PracticeResult,
    Session,
    Team,
    TeamInvitation,
)
from portal import states
from portal.emails import absolute_url, queue_email
from portal.models import Agency, AuditEntry, User
from portal.reminders import clock
from portal.states import DomainError

log = logging.getLogger(__name__)

Status = Application.Status
ENDORSEMENT_SALT = "institutes.endorsement"
ENDORSEMENT_MAX_AGE = 60 * 60 * 24 * 21  # three weeks: supervisors are busy people


class ApplicationError(DomainError):
    """A move the rules do not allow; the message is shown to the person who tried it."""


class CapacityError(ApplicationError):
    pass


class EligibilityError(ApplicationError):
    """Accepting an ineligible application needs the coordinator's stated reason."""


# --- Eligibility ------------------------------------------------------------------------------

# Who holds an active certification in a module: certifications are the trainers app's, above this
# one, so it registers the check (trainers/apps.py) rather than institutes reaching up for it.
_certification_checks: list[Callable[[User, object], bool]] = []


def register_certification_check(check: Callable[[User, object], bool]) -> None:
    """``check(user, module)``: True when the user holds an active certification in the module."""
    if check not in _certification_checks:
        _certification_checks.append(check)


def holds_active_certification(user: User, module) -> bool:
    return any(check(user, module) for check in _certification_checks)


def level_reasons(applicant: User, institute: Institute) -> list[str]:
    """What keeps this person from a level of a levelled series (empty: nothing). Unlike the
    eligibility policy, no coordinator can accept past it: each level builds on the one below."""
    module = institute.module
    if institute.kind != Institute.Kind.SERIES or not module.level or module.level < 2:
        return []
    below = module.level_below()
    if below is None:
        return [
            f"{institute.title} is Level {module.level} of {module.family}, which requires an active "
            f"Level {module.level - 1} certification; that level is not in the catalog, so nobody can "
            "hold it yet. Ask the coordinator."
        ]
    if holds_active_certification(applicant, below):
        return []
    return [
        f"{institute.title} is Level {module.level} of {module.family}: it requires an active "
        f"Level {below.level} certification in {below.title}, and {applicant.display_name} does not "
        f"hold one. Complete {below.title} first (or ask us if your certification was revoked)."
    ]


def eligibility_reasons(application: Application) -> list[str]:
    """Why this application does not meet the institute's policy, in plain words (empty: eligible)."""
    institute = application.institute
    agency = application.agency
    reasons: list[str] = level_reasons(application.applicant, institute)
    if agency is None:
        return [*reasons, "Choose your agency from the registry so that we can check eligibility."]
    if not agency.is_active:
        reasons.append(f"{agency.name} is no longer active in the agency registry.")
    email_domain = application.applicant.email.rsplit("@", 1)[-1].lower()
    if agency.domains and email_domain not in agency.domains:
        reasons.append(
            f"The e-mail address {application.applicant.email} is not at one of {agency.name}'s addresses "
            f"({', '.join('@' + d for d in agency.domains)}). Check that you chose your own agency; if you "
            "use another address, the coordinator will confirm with your agency."
        )
    if institute.allowed_agency_kinds and agency.kind not in institute.allowed_agency_kinds:
        kinds = ", ".join(label.lower() for label in institute.allowed_kind_labels)
        reasons.append(
            f"This institute is open to staff of these kinds of agency: {kinds}. "
            f"{agency.name} is registered as: {agency.get_kind_display().lower()}."
        )
    if institute.requires_caep_funding and not agency.caep_funded:
        reasons.append(
            f"This institute is open to staff of CAEP-funded agencies, and {agency.name} "
            "is not listed as CAEP-funded."
        )
    if institute.team_required:
        team = application.team
        if team is None:
            reasons.append(
                f"This institute takes team applications: at least {institute.min_team_size} people "
                "from the same LEA. Start a team or accept a colleague's invitation."
            )
        elif team.agency_id != agency.pk:
            reasons.append(f"Every team member must come from the same LEA as the team ({team.agency.name}).")
    return reasons


def team_reasons(team: Team) -> list[str]:
    """What keeps a team from being submitted (empty: ready)."""
    institute = team.institute
    reasons: list[str] = []
    if not team.agency.is_lea:
        reasons.append(
            f"A team comes from one LEA (a county office, school district or charter system); "
            f"{team.agency.name} is registered as: {team.agency.get_kind_display().lower()}."
        )
    ready = team.applications.exclude(part_completed_at=None).exclude(status=Status.WITHDRAWN).count()
    if ready < institute.min_team_size:
        reasons.append(
            f"{ready} team member{'s have' if ready != 1 else ' has'} completed their part so far; "
            f"this institute needs at least {institute.min_team_size} from the same LEA."
        )
    return reasons


def completeness_problems(application: Application) -> list[str]:
    """Fields a submission needs; the form says the same, field by field."""
    problems = []
    planning = application.institute.is_planning_network
    if application.agency_id is None:
        problems.append("Choose your agency.")
    if not application.position.strip():
        problems.append("Tell us your leadership role in your LEA." if planning else "Tell us your position.")
    if planning and not application.local_data.strip():
        problems.append("Tell us what local data your team can bring.")
    if not application.statement.strip():
        problems.append("Write a short statement about why you want to take part.")
    if not application.supervisor_name.strip() or not application.supervisor_email.strip():
        problems.append("Give your supervisor's name and e-mail address.")
    if not application.commits_to_attend:
        problems.append("Confirm that you will attend every session.")
    if application.institute.has_commitment and not application.commits_to_present:
        problems.append("Confirm that you will present the module at least once within a year.")
    return problems


# --- E-mail helpers ---------------------------------------------------------------------------


def _mail_applicant(application: Application, *, kind: str, milestone: str, subject: str, **context) -> None:
    queue_email(
        to=application.applicant.email,
        user=application.applicant,
        kind=kind,
        template=f"institutes/emails/{kind.replace('.', '_')}",
        subject=subject,
        context={
            "application": application,
            "institute": application.institute,
            "application_url": absolute_url(application.get_absolute_url()),
            **context,
        },
        about=application,
        milestone=milestone,
    )


STATUS_SUBJECTS = {
    Status.SUBMITTED: "We received your application to {institute}",
    Status.ACCEPTED: "You are accepted to {institute}",
    Status.WAITLISTED: "You are on the waitlist for {institute}",
    Status.DECLINED: "Your application to {institute}",
    Status.WITHDRAWN: "Your application to {institute} is withdrawn",
}


def _refusal(application: Application, to: str) -> str:
    return (
        f"An application that is {application.get_status_display().lower()} "
        f"cannot be {Status(to).label.lower()}."
    )


def _move(
    application: Application, to: str, *, by: User | None, note: str = "", action: str | None = None, **fields
) -> None:
    """One allowed move through the portal's state helper; the applicant hears of it by e-mail."""

    def mail(entry: AuditEntry) -> None:
        _mail_applicant(
            application,
            kind="application.status",
            milestone=to,
            subject=STATUS_SUBJECTS[Status(to)].format(institute=application.institute.title),
            note=note,
            status=Status(to),
        )

    states.move(
        application,
        to,
        by=by,
        note=note,
        allowed=Application.ALLOWED_MOVES,
        error=ApplicationError,
        refusal=_refusal,
        notify=mail,
        action=action,
        **fields,
    )


def _locked(application: Application) -> Application:
    return states.lock(application, "institute", "applicant", "agency", "team")


def _check_move(application: Application, to: str) -> None:
    if not application.can_move_to(to):
        raise ApplicationError(_refusal(application, to))


# --- The institute's own status ------------------------------------------------------------------

InstituteStatus = Institute.Status


def _move_institute(institute: Institute, to: str, *, by: User | None, note: str = "") -> Institute:
    with transaction.atomic():
        states.move(
            institute,
            to,
            by=by,
            note=note,
            allowed=Institute.ALLOWED_MOVES,
            error=ApplicationError,
            refusal=lambda row, target: (
                f"{row.title} is {row.get_status_display().lower()}; "
                f"it can't be moved to “{InstituteStatus(target).label.lower()}”."
            ),
        )
    return institute


def open_institute(institute: Institute, *, by: User | None, note: str = "") -> Institute:
    """Publish a draft in the catalog, or reopen closed applications (the window still applies)."""
    return _move_institute(institute, InstituteStatus.OPEN, by=by, note=note)


def close_institute(institute: Institute, *, by: User | None, note: str = "") -> Institute:
    """Stop taking applications, whatever the window says."""
    return _move_institute(institute, InstituteStatus.CLOSED, by=by, note=note)


def start_institute(institute: Institute, *, by: User | None, note: str = "") -> Institute:
    """The sessions have begun."""
    return _move_institute(institute, InstituteStatus.RUNNING, by=by, note=note)


def complete_institute(institute: Institute, *, by: User | None, note: str = "") -> Institute:
    """The last session is over; participants who completed can be certified."""
    return _move_institute(institute, InstituteStatus.COMPLETED, by=by, note=note)


def unpublish_institute(institute: Institute, *, by: User | None, note: str = "") -> Institute:
    """Take an open institute back to draft, out of the catalog, while nobody has applied."""
    with transaction.atomic():
        Institute.objects.select_for_update().get(pk=institute.pk)
        if institute.applications.exclude(status=Status.DRAFT).exists():
            raise ApplicationError(
                f"People have already applied to {institute.title}, so it stays in the catalog. "
                "Close applications instead."
            )
        return _move_institute(institute, InstituteStatus.DRAFT, by=by, note=note)


INSTITUTE_MOVES = {
    InstituteStatus.OPEN: open_institute,
    InstituteStatus.CLOSED: close_institute,
    InstituteStatus.RUNNING: start_institute,
    InstituteStatus.COMPLETED: complete_institute,
    InstituteStatus.DRAFT: unpublish_institute,
}


# --- Drafts and submission ---------------------------------------------------------------------


def start_application(*, institute: Institute, applicant: User) -> Application:
    """The applicant's application for this institute: the existing one, or a new draft."""
    application, _ = Application.objects.get_or_create(
        applicant=applicant,
        institute=institute,
        defaults={"agency": applicant.agency, "position": applicant.position},
    )
    return application


def save_draft(application: Application, *, by: User) -> Application:
    """Save the applicant's edits, as long as the stored row is still a draft."""
    with transaction.atomic():
        stored = _locked(application) if application.pk else application
        if stored.status != Status.DRAFT:
            raise ApplicationError("Only a draft can be changed; this application has been submitted.")
        application.status = stored.status
        application.save()
    return application


def _submit(application: Application, *, by: User, note: str = "") -> None:
    reasons = eligibility_reasons(application)
    _move(
        application,
        Status.SUBMITTED,
        by=by,
        note=note,
        submitted_at=timezone.now(),
        part_completed_at=application.part_completed_at or timezone.now(),
        is_eligible=not reasons,
        eligibility_reasons=reasons,
    )
    _fill_profile_from(application)
    request_endorsement(application)


def _fill_profile_from(application: Application) -> None:
    """A first application completes an empty profile, so the next form starts filled in."""
    applicant = application.applicant
    changed = []
    if applicant.agency_id is None and application.agency_id is not None:
        applicant.agency_id = application.agency_id
        changed.append("agency")
    if not applicant.position and application.position:
        applicant.position = application.position[: User._meta.get_field("position").max_length]
        changed.append("position")
    if changed:
        applicant.save(update_fields=changed)


def _ready_to_submit(application: Application) -> None:
    if application.status == Status.DRAFT and not application.institute.is_accepting_applications():
        raise ApplicationError("Applications for this institute are closed.")
    problems = completeness_problems(application)
    if problems:
        raise ApplicationError("Before you submit: " + " ".join(problems))
    refused = level_reasons(application.applicant, application.institute)
    if refused:
        raise ApplicationError(" ".join(refused))


def submit_application(application: Application, *, by: User) -> Application:
    """Submit a personal application. Eligibility is recorded with its reasons for the coordinator."""
    with transaction.atomic():
        application = _locked(application)
        if application.status == Status.SUBMITTED:
            return application
        _check_move(application, Status.SUBMITTED)
        if application.institute.team_required:
            raise ApplicationError(
                "This institute takes team applications: complete your part, and the team lead submits "
                "the team."
            )
        _ready_to_submit(application)
        _submit(application, by=by)
    return application


def withdraw_application(application: Application, *, by: User, note: str = "") -> Application:
    """The applicant steps back. A seat they held (accepted, or offered) goes to the next in line."""
    with transaction.atomic():
        institute = Institute.objects.select_for_update().get(pk=application.institute_id)
        application = _locked(application)
        if application.status == Status.WITHDRAWN:
            return application
        _check_move(application, Status.WITHDRAWN)
        was = application.status
        _move(application, Status.WITHDRAWN, by=by, note=note)
        if was == Status.ACCEPTED:
            leave_cohort(
                institute=application.institute, user=application.applicant, actor=by, note="withdrew"
            )
            if application.team_id:
                leave_team_plan(team=application.team, user=application.applicant, by=by)
        if was in Application.SEAT_HOLDING:
            offer_freed_seats(institute, freed=1, freed_by=application)
    return application


def waitlist(institute: Institute):
    """The institute's waitlisted applications, first in line first."""
    return institute.applications.filter(status=Status.WAITLISTED).waitlist_order()


def first_waitlisted(institute: Institute) -> Application | None:
    return waitlist(institute).select_related("applicant", "agency").first()


def seats_taken(institute: Institute) -> int:
    """Accepted participants and seat offers waiting for an answer."""
    return institute.applications.holding_seats().count()


def seats_left(institute: Institute) -> int:
    return max(institute.capacity - seats_taken(institute), 0)


# --- Seat offers from the waitlist ----------------------------------------------------------------

# A freed seat is offered automatically while the institute is before its sessions; once it runs,
# the coordinator decides by hand.
OFFERING_STATUSES = (InstituteStatus.OPEN, InstituteStatus.CLOSED)


def offer_deadline(institute: Institute, now=None) -> datetime:
    """The end of the offer's last day (the portal's time zone): an offer made today with 5 days
    to answer can be accepted until midnight five days on."""
    last_day = timezone.localdate(now) + timedelta(days=institute.offer_days)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))


def offer_candidates(institute: Institute):
    """Who may be offered a seat without a coordinator's decision, first in line first: a person
    (a team is decided as one unit, by hand) who meets the eligibility policy and, where the
    institute asks for it, has the supervisor's endorsement."""
    candidates = waitlist(institute).filter(team=None).exclude(is_eligible=False)
    if institute.endorsement_required:
        candidates = candidates.filter(endorsement=Application.Endorsement.ENDORSED)
    return candidates


def _mail_offer(application: Application) -> None:
    institute = application.institute
    expires = timezone.localtime(application.offer_expires_at)
    _mail_applicant(
        application,
        kind="application.seat_offer",
        milestone="offered",
        subject=f"A seat is free for you in {institute.title}: please answer by {expires:%B} {expires.day}",
        offer_url=absolute_url(application.get_absolute_url()) + "#seat-offer",
        expires=expires,
    )


def _make_offer(application: Application, *, now) -> None:
    states.move(
        application,
        Status.OFFERED,
        by=None,
        actor_label="the waitlist (a seat freed up)",
        allowed=Application.ALLOWED_MOVES,
        error=ApplicationError,
        refusal=_refusal,
        notify=lambda entry: _mail_offer(application),
        offered_at=now,
        offer_expires_at=offer_deadline(application.institute, now),
    )


def offer_freed_seats(
    institute: Institute, *, freed: int = 1, freed_by: Application | None = None, now=None
) -> list[Application]:
    """Offer up to ``freed`` seats to the first people on the waitlist, never past capacity.

    Call inside the transaction that holds the institute's row lock (a withdrawal, a declined
    or expired offer, a raised capacity): offers count against capacity, so they queue behind
    the same lock as acceptances. When the first in line cannot be offered a seat automatically
    (a team, an ineligible or unendorsed application), the coordinators hear that a seat is free.
    """
    if institute.status not in OFFERING_STATUSES or freed <= 0:
        return []
    free = min(freed, institute.capacity - seats_taken(institute))
    if free <= 0:
        return []
    now = now or timezone.now()
    offered = list(
        offer_candidates(institute)
        .select_for_update(of=("self",))
        .select_related("institute", "applicant", "agency", "team")[:free]
    )
    for application in offered:
        _make_offer(application, now=now)
    if len(offered) < free:
        _tell_coordinators_seat_free(institute, freed_by)
    return offered


def _tell_coordinators_seat_free(institute: Institute, freed: Application | None) -> None:
    candidate = first_waitlisted(institute)
    if candidate is None:
        return
    review_url = absolute_url(reverse("institutes:review-queue", kwargs={"slug": institute.slug}))
    for role in InstituteCoordinator.objects.active().filter(institute=institute).select_related("user"):
        queue_email(
            to=role.user.email,
            user=role.user,
            kind="institute.seat_free",
            template="institutes/emails/institute_seat_free",
            subject=f"A seat is free in {institute.title}",
            context={
                "institute": institute,
                "freed": freed,
                "candidate": candidate,
                "review_url": review_url,
                "candidate_url": absolute_url(candidate.get_absolute_url()),
            },
            about=freed or institute,
            milestone="seat-free" if freed else f"seat-free:capacity-{institute.capacity}",
        )


def _open_offer(application: Application) -> None:
    if application.status != Status.OFFERED:
        raise ApplicationError("There is no seat offer waiting for an answer on this application.")


def accept_seat_offer(application: Application, *, by: User) -> Application:
    """The applicant takes the seat offered to them: accepted, as a coordinator's acceptance makes it."""
    with transaction.atomic():
        Institute.objects.select_for_update().get(pk=application.institute_id)
        application = _locked(application)
        if application.status == Status.ACCEPTED:
            return application
        _open_offer(application)
        if application.offer_expires_at < timezone.now():
            expires = timezone.localtime(application.offer_expires_at)
            raise ApplicationError(
                f"This seat offer expired on {expires:%B} {expires.day}, {expires.year}, and the seat goes to "
                "the next person on the waitlist. If you still hope to take part, write to the coordinator."
            )
        return accept_application(application, by=by, note="Accepted the seat offer")


def decline_seat_offer(application: Application, *, by: User, note: str = "") -> Application:
    """The applicant turns the seat down (their application is withdrawn); it goes to the next in line."""
    with transaction.atomic():
        institute = Institute.objects.select_for_update().get(pk=application.institute_id)
        application = _locked(application)
        if application.status == Status.WITHDRAWN:
            return application
        _open_offer(application)
        _move(application, Status.WITHDRAWN, by=by, note=note, action="offer:declined")
        offer_freed_seats(institute, freed=1, freed_by=application)
    return application


def expire_seat_offer(application: Application, *, now=None) -> bool:
    """An offer unanswered past its date: declined, with the applicant told, and the seat offered
    to the next in line. Returns whether it expired now (False: answered or not due)."""
    now = now or timezone.now()
    with transaction.atomic():
        institute = Institute.objects.select_for_update().get(pk=application.institute_id)
        application = _locked(application)
        if application.status != Status.OFFERED or application.offer_expires_at >= now:
            return False
        expires = timezone.localtime(application.offer_expires_at)
        states.move(
            application,
            Status.DECLINED,
            by=None,
            actor_label="the waitlist (the offer expired)",
            action="offer:expired",
            note=f"The seat offer was not answered by {expires:%B} {expires.day}, {expires.year}.",
            allowed=Application.ALLOWED_MOVES,
            error=ApplicationError,
            refusal=_refusal,
            notify=lambda entry: _mail_applicant(
                application,
                kind="application.seat_offer_expired",
                milestone="offer-expired",
                subject=f"Your seat offer for {institute.title} has expired",
                expires=expires,
            ),
            decided_at=now,
        )
        # The next offer's days count from the scan's clock, like the expiry they follow.
        offer_freed_seats(institute, freed=1, freed_by=application, now=now)
    return True


def expire_stale_offers(now=None) -> int:
    """Every offer past its date (the daily scan): each in its own transaction. Returns how many."""
    now = now or timezone.now()
    stale = Application.objects.filter(status=Status.OFFERED, offer_expires_at__lt=now).order_by(
        "offer_expires_at", "pk"
    )
    return sum(expire_seat_offer(application, now=now) for application in stale.only("pk", "institute_id"))


def capacity_changed(institute: Institute, *, previous: int) -> list[Application]:
    """A raised capacity frees seats: offered to the waitlist, as many as were added."""
    with transaction.atomic():
        institute = Institute.objects.select_for_update().get(pk=institute.pk)
        return offer_freed_seats(institute, freed=institute.capacity - previous)


# --- Coordinator decisions ----------------------------------------------------------------------


def _unit(application: Application) -> list[Application]:
    """A team is decided as one unit: the application and its submitted or waitlisted teammates."""
    if application.team_id is None:
        return [application]
    mates = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("institute", "applicant", "agency", "team")
        .filter(team_id=application.team_id, status__in=[Status.SUBMITTED, Status.WAITLISTED])
        .exclude(pk=application.pk)
        .order_by("pk")
    )
    return [application, *mates]


def accept_application(
    application: Application, *, by: User, note: str = "", override: str = ""
) -> Application:
    """Accept (with the whole team), never past capacity, even when coordinators click at once.

    An application that does not meet the institute's policy is accepted only with ``override``:
    the coordinator's reason, kept in the trail beside the reasons it overrode."""
    with transaction.atomic():
        # The institute row is the lock every acceptance queues behind; then we count.
        institute = Institute.objects.select_for_update().get(pk=application.institute_id)
        application = _locked(application)
        if application.status == Status.ACCEPTED:
            return application
        _check_move(application, Status.ACCEPTED)
        unit = _unit(application)
        ineligible = [m for m in unit if m.is_eligible is False]
        if ineligible and not override.strip():
            names = ", ".join(m.applicant.display_name for m in ineligible)
            raise EligibilityError(
                f"{names} does not meet this institute's eligibility policy. To accept anyway, "
                "give your reason for the exception."
            )
        for member in unit:
            refused = level_reasons(member.applicant, institute)
            if refused:
                raise EligibilityError(" ".join(refused))
        if institute.endorsement_required:
            waiting = [m for m in unit if m.endorsement != Application.Endorsement.ENDORSED]
            if waiting:
                names = ", ".join(m.applicant.display_name for m in waiting)
                raise ApplicationError(
                    f"{institute.title} accepts applications once the supervisor has endorsed them; "
                    f"still waiting for: {names}. If the endorsement came another way, record it on the "
                    "application first."
                )
        # A seat offered to someone else is held for them; the unit's own offer is its seat.
        taken = institute.applications.holding_seats().exclude(pk__in=[m.pk for m in unit]).count()
        if taken + len(unit) > institute.capacity:
            left = max(institute.capacity - taken, 0)
            who = f"a team of {len(unit)}" if len(unit) > 1 else "another participant"
            raise CapacityError(
                f"{institute.title} has {left} seat{'s' if left != 1 else ''} left, not enough for {who}. "
                "Waitlist the application, or free a seat first."
            )
        now = timezone.now()
        for member in ineligible:
            states.record(
                member,
                action="eligibility:overridden",
                by=by,
                note=f"{override.strip()} (overrode: {' '.join(member.eligibility_reasons)})",
            )
        for member in unit:
            _move(member, Status.ACCEPTED, by=by, note=note, decided_at=now)
            join_cohort(institute=institute, user=member.applicant)
        if institute.is_planning_network and application.team_id:
            give_team_its_plan(institute, application.team)
    return application


def give_team_its_plan(institute: Institute, team: Team) -> None:
    """A planning network's accepted team leaves with a plan from the institute's protocol (safe to
    call again: someone accepted later joins the team's plan)."""
    members = User.objects.filter(pk__in=team.applications.filter(status=Status.ACCEPTED).values("applicant"))
    start_team_plan(
        team=team,
        institute=institute,
        lead=team.lead,
        members=list(members),
        title=f"{team.agency.name}: {institute.title}",
        template=institute.plan_template,
    )


def waitlist_application(application: Application, *, by: User, note: str = "") -> Application:
    with transaction.atomic():
        application = _locked(application)
        if application.status == Status.WAITLISTED:
            return application
        _check_move(application, Status.WAITLISTED)
        now = timezone.now()
        for member in _unit(application):
            if member.status != Status.WAITLISTED:
                _move(member, Status.WAITLISTED, by=by, note=note, waitlisted_at=now, decided_at=now)
    return application


def decline_application(application: Application, *, by: User, note: str = "") -> Application:
    """Decline (with the whole team). A seat the application held goes to the next in line."""
    with transaction.atomic():
        institute = Institute.objects.select_for_update().get(pk=application.institute_id)
        application = _locked(application)
        if application.status == Status.DECLINED:
            return application
        _check_move(application, Status.DECLINED)
        now = timezone.now()
        freed = 0
        for member in _unit(application):
            freed += member.status in Application.SEAT_HOLDING
            _move(member, Status.DECLINED, by=by, note=note, decided_at=now)
        offer_freed_seats(institute, freed=freed, freed_by=application)
    return application


DECISIONS = {
    "accept": accept_application,
    "waitlist": waitlist_application,
    "decline": decline_application,
}


@dataclass
class BulkResult:
    done: list[Application] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)


def bulk_decide(applications: list[Application], *, decision: str, by: User, note: str = "") -> BulkResult:
    """Decide several applications; each one in its own transaction, so one refusal stops nothing else."""
    service = DECISIONS[decision]
    result = BulkResult()
    for application in applications:
        try:
            service(application, by=by, note=note)
        except ApplicationError as exc:
            result.skipped.append((application, str(exc)))
        else:
            result.done.append(application)
    return result


# --- Supervisor endorsement ------------------------------------------------------------------


def endorsement_token(application: Application) -> str:
    return signing.TimestampSigner(salt=ENDORSEMENT_SALT).sign(str(application.pk))


def application_for_endorsement(token: str, max_age: int | None = None) -> Application:
    """The application behind a supervisor's link; raises signing.BadSignature (or SignatureExpired)."""
    max_age = ENDORSEMENT_MAX_AGE if max_age is None else max_age
    pk = signing.TimestampSigner(salt=ENDORSEMENT_SALT).unsign(token, max_age=max_age)
    try:
        return Application.objects.select_related("institute", "applicant", "agency").get(pk=int(pk))
    except (Application.DoesNotExist, ValueError) as exc:
        raise signing.BadSignature("No such application") from exc


def request_endorsement(application: Application) -> None:
    """E-mail the supervisor a signed, expiring link (called on submission, inside its transaction)."""
    if not application.supervisor_email:
        return
    now = timezone.now()
    Application.objects.filter(pk=application.pk).update(
        endorsement=Application.Endorsement.REQUESTED, endorsement_requested_at=now
    )
    application.endorsement = Application.Endorsement.REQUESTED
    application.endorsement_requested_at = now
    states.record(
        application, action="endorsement:requested", by=None, note=f"Sent to {application.supervisor_email}"
    )
    link = absolute_url(reverse("institutes:endorse", kwargs={"token": endorsement_token(application)}))
    queue_email(
        to=application.supervisor_email,
        kind="application.endorsement_request",
        template="institutes/emails/endorsement_request",
        subject=f"{application.applicant.display_name} asks for your endorsement: {application.institute.title}",
        context={
            "application": application,
            "institute": application.institute,
            "endorse_url": link,
            "valid_days": ENDORSEMENT_MAX_AGE // 86400,
        },
        about=application,
        milestone="endorsement-requested",
    )


def record_endorsement(
    application: Application, *, endorsed: bool, comment: str = "", by: User | None = None
) -> Application:
    """The supervisor's answer: through their link (``by`` is None), or recorded by a coordinator
    when it came another way (by e-mail, by phone), which ``by`` names in the trail."""
    with transaction.atomic():
        application = _locked(application)
        target = Application.Endorsement.ENDORSED if endorsed else Application.Endorsement.DECLINED
        if application.endorsement == target:
            return application
        answerable = {Application.Endorsement.REQUESTED}
        if by is not None:
            answerable.add(Application.Endorsement.NOT_REQUESTED)
        if application.endorsement not in answerable:
            raise ApplicationError("This endorsement has already been answered. Thank you.")
        if application.status in (Status.WITHDRAWN, Status.DRAFT):
            raise ApplicationError("This application has been withdrawn; nothing more is needed.")
        application.endorsement = target
        application.endorsement_comment = comment
        application.endorsement_answered_at = timezone.now()
        application.save(
            update_fields=["endorsement", "endorsement_comment", "endorsement_answered_at", "updated_at"]
        )
        if by is None:
            states.record(
                application,
                action=f"endorsement:{target}",
                by=None,
                actor_label=f"{application.supervisor_name} (supervisor)",
                note=comment,
            )
        else:
            answer = "endorsed" if endorsed else "not endorsed"
            states.record(
                application, action="endorsement:recorded", by=by, note=f"{answer}: {comment}".strip(": ")
            )
        _mail_applicant(
            application,
            kind="application.endorsement",
            milestone=target,
            subject=f"Your supervisor answered: {application.institute.title}",
            endorsed=endorsed,
        )
    return application


# --- Teams ---------------------------------------------------------------------------------------


def start_team(*, institute: Institute, lead: User, agency: Agency) -> Team:
    """The lead's team and their own draft application in it."""
    with transaction.atomic():
        application = start_application(institute=institute, applicant=lead)
        application = _locked(application)
        if application.team_id:
            return application.team
        if application.status != Status.DRAFT:
            raise ApplicationError("Your application is already submitted; a team must start from a draft.")
        if not agency.is_lea:
            raise ApplicationError(
                "A team comes from one LEA: a county office of education, a school district or a charter system."
            )
        team = Team.objects.create(institute=institute, lead=lead, agency=agency)
        application.team = team
        application.agency = agency
        application.save(update_fields=["team", "agency", "updated_at"])
        states.record(application, action="team:started", by=lead, note=f"Team lead for {agency.name}")
    return team


def invite_to_team(team: Team, *, email: str, by: User) -> TeamInvitation:
    email = email.strip().lower()
    if team.lead_id != by.pk:
        raise ApplicationError("Only the team lead can invite colleagues.")
    if email == by.email.lower():
        raise ApplicationError("You are already on the team.")
    with transaction.atomic():
        invitation, created = TeamInvitation.objects.get_or_create(
            team=team, email=email, defaults={"token": secrets.token_urlsafe(32), "invited_by": by}
        )
        if created:
            queue_email(
                to=email,
                kind="team.invitation",
                template="institutes/emails/team_invitation",
                subject=f"{by.display_name} invites you to apply as a team: {team.institute.title}",
                context={
                    "team": team,
                    "institute": team.institute,
                    "lead": by,
                    "invitation_url": absolute_url(invitation.get_absolute_url()),
                },
                about=invitation,
                milestone="invited",
            )
    return invitation


def accept_invitation(invitation: TeamInvitation, *, user: User) -> Application:
    """The invitee joins the team; their draft application is ready for them to complete."""
    with transaction.atomic():
        invitation = (
            TeamInvitation.objects.select_for_update().select_related("team__institute").get(pk=invitation.pk)
        )
        if user.email.lower() != invitation.email.lower():
            raise ApplicationError(
                f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."
            )
        team = invitation.team
        application = start_application(institute=team.institute, applicant=user)
        application = _locked(application)
        if invitation.state == TeamInvitation.State.ACCEPTED and application.team_id == team.pk:
            return application
        if invitation.state != TeamInvitation.State.PENDING:
            raise ApplicationError("This invitation has already been answered.")
        if application.team_id and application.team_id != team.pk:
            raise ApplicationError("You are already on another team for this institute.")
        if application.status != Status.DRAFT:
            raise ApplicationError("You have already submitted an application for this institute.")
        application.team = team
        application.agency = team.agency
        application.save(update_fields=["team", "agency", "updated_at"])
        invitation.state = TeamInvitation.State.ACCEPTED
        invitation.accepted_by = user
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["state", "accepted_by", "answered_at", "updated_at"])
        states.record(
            application, action="team:joined", by=user, note=f"Joined {team.lead.display_name}'s team"
        )
    return application


def decline_invitation(invitation: TeamInvitation, *, user: User) -> TeamInvitation:
    with transaction.atomic():
        invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
        if user.email.lower() != invitation.email.lower():
            raise ApplicationError(f"This invitation was sent to {invitation.email}.")
        if invitation.state == TeamInvitation.State.PENDING:
            invitation.state = TeamInvitation.State.DECLINED
            invitation.answered_at = timezone.now()
            invitation.save(update_fields=["state", "answered_at", "updated_at"])
    return invitation


def complete_team_part(application: Application, *, by: User) -> Application:
    """A team member's part is complete; once the team is submitted, a late part is submitted at once."""
    with transaction.atomic():
        application = _locked(application)
        if application.team_id is None:
            raise ApplicationError("This application is not part of a team.")
        if application.status != Status.DRAFT:
            return application
        _ready_to_submit(application)
        if application.part_completed_at is None:
            application.part_completed_at = timezone.now()
            application.save(update_fields=["part_completed_at", "updated_at"])
            states.record(application, action="team:part-completed", by=by)
        if application.team.submitted_at:
            _submit(application, by=by, note="Joined a submitted team")
    return application


def submit_team(team: Team, *, by: User) -> Team:
    """The lead submits every completed part at once, when the team meets the minimum size."""
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("institute", "agency").get(pk=team.pk)
        if team.lead_id != by.pk:
            raise ApplicationError("Only the team lead can submit the team.")
        if team.submitted_at:
            return team
        lead_application = team.applications.get(applicant=team.lead)
        if lead_application.part_completed_at is None:
            complete_team_part(lead_application, by=by)
        reasons = team_reasons(team)
        if reasons:
            raise ApplicationError(" ".join(reasons))
        members = (
            Application.objects.select_for_update(of=("self",))
            .select_related("institute", "applicant", "agency", "team")
            .filter(team=team, status=Status.DRAFT)
            .exclude(part_completed_at=None)
            .order_by("pk")
        )
        for member in members:
            _ready_to_submit(member)
            _submit(member, by=by, note=f"Submitted with the team ({team.agency.name})")
        team.submitted_at = timezone.now()
        team.save(update_fields=["submitted_at", "updated_at"])
    return team


# --- Assignments ---------------------------------------------------------------------------------


def create_assignment(*, institute: Institute, by: User, **fields) -> Assignment:
    return Assignment.objects.create(institute=institute, created_by=by, **fields)


def submit_assignment(
    assignment: Assignment, *, application: Application, by: User, text: str = "", file=None
) -> AssignmentSubmission:
    """Submit (or resubmit after a revision request) a participant's work."""
    if application.status != Status.ACCEPTED or application.institute_id != assignment.institute_id:
        raise ApplicationError("Only accepted participants of this institute can submit assignments.")
    kind = assignment.kind
    if kind == Assignment.Kind.TEXT and not text.strip():
        raise ApplicationError("Write your response before you submit.")
    if kind == Assignment.Kind.FILE and not file:
        raise ApplicationError("Choose a file to upload.")
    with transaction.atomic():
        submission = (
            AssignmentSubmission.objects.select_for_update()
            .filter(assignment=assignment, application=application)
            .first()
        )
        if submission is None:
            submission = AssignmentSubmission(assignment=assignment, application=application)
        elif submission.state == AssignmentSubmission.State.ACCEPTED:
            raise ApplicationError("This assignment is already accepted; there is nothing more to do.")
        elif submission.state == AssignmentSubmission.State.SUBMITTED and submission.pk:
            pass  # a correction before review replaces the work
        submission.state = AssignmentSubmission.State.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.text = text if kind == Assignment.Kind.TEXT else ""
        if kind == Assignment.Kind.FILE:
            if submission.file:
                # Only once the new file is stored and recorded: a failed save keeps the old one.
                old_storage, old_name = submission.file.storage, submission.file.name
                transaction.on_commit(lambda: old_storage.delete(old_name))
            submission.original_filename = getattr(file, "name", "upload")[:255]
            submission.file = file
        submission.save()
    return submission


def review_submission(
    submission: AssignmentSubmission, *, by: User, accept: bool, comment: str = ""
) -> AssignmentSubmission:
    State = AssignmentSubmission.State
    target = State.ACCEPTED if accept else State.REVISION
    with transaction.atomic():
        submission = (
            AssignmentSubmission.objects.select_for_update(of=("self",))
            .select_related("assignment__institute", "application__applicant", "application__institute")
            .get(pk=submission.pk)
        )
        if submission.state == target:
            return submission
        if target not in submission.ALLOWED_MOVES[State(submission.state)]:
            raise ApplicationError(f"This submission is {submission.get_state_display().lower()} already.")
        if not accept and not comment.strip():
            raise ApplicationError("Say what to revise, so the participant knows what to change.")
        submission.state = target
        submission.reviewed_by = by
        submission.reviewed_at = timezone.now()
        submission.review_comment = comment
        if not accept:
            submission.revision_count += 1
        submission.save(
            update_fields=[
                "state",
                "reviewed_by",
                "reviewed_at",
                "review_comment",
                "revision_count",
                "updated_at",
            ]
        )
        application = submission.application
        _mail_applicant(
            application,
            kind="assignment.reviewed",
            milestone=f"assignment-{submission.assignment_id}-{target}-{submission.revision_count}",
            subject=f"{submission.assignment.title}: {submission.get_state_display().lower()}",
            submission=submission,
            assignment=submission.assignment,
        )
    return submission


# --- Attendance and practice -------------------------------------------------------------------


def record_attendance(session: Session, *, marks: dict[int, str], by: User) -> int:
    """marks: application id -> Attendance.Status. Only accepted participants of the session's institute,
    and only once the session has started."""
    if not session.has_started():
        raise ApplicationError(
            f"Attendance can be taken once the session has started, on {session.date:%B %-d, %Y} "
            f"at {clock(session.starts_at)}."
        )
    valid = set(
        Application.objects.filter(institute_id=session.institute_id, status=Status.ACCEPTED).values_list(
            "pk", flat=True
        )
    )
    changed = 0
    with transaction.atomic():
        for application_id, status in marks.items():
            if application_id not in valid or status not in Attendance.Status.values:
                continue
            Attendance.objects.update_or_create(
                session=session,
                application_id=application_id,
                defaults={"status": status, "recorded_by": by, "recorded_at": timezone.now()},
            )
            changed += 1
        # The session's professional-learning hours follow its register (institutes/learning.py).
        credit_session(session)
    return changed


# --- Completion roster ---------------------------------------------------------------------------


@dataclass
class RosterRow:
    application: Application
    participant: User
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def _practice_missing(institute: Institute, application: Application) -> list[str]:
    if institute.is_planning_network:
        return []  # its teams build a plan; nobody practises presenting a module there
    practice = getattr(application, "practice", None)
    if practice is None:
        return ["Practice facilitation not recorded yet"]
    if practice.result != PracticeResult.Result.PASSED:
        return ["Practice facilitation not passed yet under the rubric's rule"]
    return []


def completion_roster(institute: Institute) -> list[RosterRow]:
    """Each accepted participant and what they still lack: sessions, assignments, and practice
    where the kind has it (a planning network does not).

    A fixed number of queries however many participants (the trainers app certifies from this).
    """
    sessions = list(Session.objects.filter(institute=institute).order_by("date", "starts_at"))
    assignments = list(Assignment.objects.filter(institute=institute).order_by("due_on", "pk"))
    applications = (
        Application.objects.filter(institute=institute, status=Status.ACCEPTED)
        .select_related("applicant", "agency", "practice")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.all()),
            Prefetch("submissions", queryset=AssignmentSubmission.objects.all()),
        )
        .order_by("applicant__name", "applicant__email")
    )
    rows = []
    for application in applications:
        attended = {a.session_id: a.status for a in application.attendance.all()}
        accepted = {
            s.assignment_id
            for s in application.submissions.all()
            if s.state == AssignmentSubmission.State.ACCEPTED
        }
        missing = []
        for session in sessions:
            status = attended.get(session.pk)
            when = _session_label(session)
            if status is None:
                missing.append(f"Attendance not recorded for {when}")
            elif status == Attendance.Status.ABSENT:
                missing.append(f"Absent from {when}")
            elif status == Attendance.Status.PARTIAL:
                missing.append(f"Only partly present at {when}")
        missing.extend(
            f"Assignment not accepted yet: {assignment.title}"
            for assignment in assignments
            if assignment.pk not in accepted
        )
        missing.extend(_practice_missing(institute, application))
        rows.append(RosterRow(application=application, participant=application.applicant, missing=missing))
    return rows


def _session_label(session: Session) -> str:
    label = f"the session on {session.date:%B} {session.date.day}, {session.date.year}"
    return f"{label} ({session.title})" if session.title else label


def is_complete(application: Application) -> bool:
    return any(
        row.application.pk == application.pk and row.complete
        for row in completion_roster(application.institute)
    )


def next_due(application: Application, today: date | None = None) -> list[Assignment]:
    """Assignments this accepted participant still has to submit or revise, soonest first."""
    today = today or timezone.localdate()
    done = set(
        application.submissions.filter(
            state__in=[AssignmentSubmission.State.SUBMITTED, AssignmentSubmission.State.ACCEPTED]
        ).values_list("assignment_id", flat=True)
    )
    return [a for a in application.institute.assignments.order_by("due_on") if a.pk not in done]
