"""Daily reminders of the institutes app, run by Celery beat (and `manage.py send_reminders`).

Pre-institute assignments due in 7 days, in 1 day and overdue, to accepted participants who
have not handed them in; supervisors who have not answered an endorsement request, 3 and 7 days on; institutes starting within a week, to accepted participants; the day
after a session, its evaluation to those present at it, and the day after an institute's last
session, the end-of-institute evaluation to every participant marked present at any; a seat offered
from the waitlist, once, on its last day but one. Seat offers past their last day expire here too
(``expire_seat_offers``, its own beat entry, and first in the cron scan). Each
reminder's ledger key carries its milestone and date ("due-7:2026-12-01"), so whatever runs the
scan twice sends nothing twice. Windows rather than exact days let a missed day catch up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from functools import partial

from celery import shared_task
from django.db.models import Exists, Max, Min, OuterRef
from django.urls import reverse
from django.utils import timezone

from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Institute,
    Session,
)
from institutes.services import ENDORSEMENT_MAX_AGE, endorsement_token, expire_stale_offers
from institutes.surveys import END_SURVEY, SESSION_SURVEY
from portal import reminders
from portal.emails import BatchResult, Message, absolute_url, model_ref, object_ref, queue_many
from portal.surveys import services as surveys

OVERDUE_REMINDER_DAYS = 14  # an assignment overdue longer than this gets no late reminder
STARTING_SOON_DAYS = 7
# A participant who handed the assignment in (waiting for review, or accepted) is done for now.
HANDED_IN = (AssignmentSubmission.State.SUBMITTED, AssignmentSubmission.State.ACCEPTED)
LIVE_STATUSES = (Institute.Status.OPEN, Institute.Status.CLOSED, Institute.Status.RUNNING)
# Evaluations go out the day after; a scan missed for a few days still catches up this far back.
EVALUATION_CATCH_UP_DAYS = 7
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.PARTIAL)
EVALUATED_STATUSES = (Institute.Status.CLOSED, Institute.Status.RUNNING, Institute.Status.COMPLETED)
PARTICIPANT_FIELDS = (
    "application__id",
    "application__applicant__id",
    "application__applicant__email",
    "application__applicant__name",
)


def assignment_milestone(due_on: date, today: date) -> str | None:
    """Which reminder is due today for an assignment due on ``due_on``, if any."""
    days_left = (due_on - today).days
    if 1 < days_left <= 7:
        return f"due-7:{due_on.isoformat()}"
    if 0 <= days_left <= 1:
        return f"due-1:{due_on.isoformat()}"
    if -OVERDUE_REMINDER_DAYS <= days_left < 0:
        return f"overdue:{due_on.isoformat()}"
    return None


def _assignment_message(participant, assignment: Assignment, today: date, link: str) -> Message | None:
    """``participant`` is a row of ``_accepted_participants``."""
    milestone = assignment_milestone(assignment.due_on, today)
    if milestone is None:
        return None
    days_left = (assignment.due_on - today).days

    def wording() -> tuple[str, dict]:
        due = reminders.long_date(assignment.due_on)
        if days_left < 0:
            subject = f"Overdue: {assignment.title}"
            lead = f"The pre-institute assignment “{assignment.title}” for {assignment.institute} was due on {due}."
            nudge = "It is not too late: hand it in now so that your coordinator can review it before the institute."
        else:
            when = {0: "today", 1: "tomorrow"}.get(days_left, f"in {days_left} days")
            subject = f"Due {when}: {assignment.title}"
            lead = f"The pre-institute assignment “{assignment.title}” for {assignment.institute} is due {when}, on {due}."
            nudge = "If your coordinator asked for a revision, hand in the new version by then."
        return subject, {
            "lines": [lead, nudge],
            "action_url": link,
            "action_label": "Open the assignment",
        }

    return Message(
        to=participant.applicant__email,
        kind="assignment.overdue_reminder" if days_left < 0 else "assignment.due_reminder",
        template="emails/notice",
        wording=wording,
        about_ref=object_ref(assignment),
        milestone=milestone,
        user_id=participant.applicant_id,
    )


def _accepted_participants(institute_ids):
    """The accepted applications of these institutes as plain rows (pk, institute, applicant, address)."""
    return (
        Application.objects.accepted()
        .filter(institute_id__in=list(institute_ids))
        .values_list("pk", "institute_id", "applicant_id", "applicant__email", named=True)
    )


def assignment_reminder_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """Each accepted participant and assignment in a reminder window, minus those handed in."""
    assignments = list(
        Assignment.objects.filter(
            due_on__gte=today - timedelta(days=OVERDUE_REMINDER_DAYS),
            due_on__lte=today + timedelta(days=7),
            institute__status__in=LIVE_STATUSES,
        ).select_related("institute")
    )
    by_institute: dict[int, list[Assignment]] = defaultdict(list)
    links = {}  # reversed once per assignment, not once per participant
    for assignment in assignments:
        by_institute[assignment.institute_id].append(assignment)
        links[assignment.pk] = absolute_url(assignment.get_absolute_url())
    if not by_institute:
        return
    for batch in reminders.keyset_batches(_accepted_participants(by_institute), size):
        handed_in = set(
            AssignmentSubmission.objects.filter(
                application_id__in=[a.pk for a in batch],
                assignment_id__in=[a.pk for a in assignments],
                state__in=HANDED_IN,
            ).values_list("application_id", "assignment_id")
        )
        messages = [
            message
            for participant in batch
            for assignment in by_institute[participant.institute_id]
            if (participant.pk, assignment.pk) not in handed_in
            and (message := _assignment_message(participant, assignment, today, links[assignment.pk]))
        ]
        yield queue_many(messages, dry_run=dry_run)


def starting_milestone(starts_on: date, today: date) -> str | None:
    days_left = (starts_on - today).days
    if 0 < days_left <= STARTING_SOON_DAYS:
        return f"starts-7:{starts_on.isoformat()}"
    return None


def _starting_wording(institute: Institute, first_sessions: dict, today: date) -> tuple[str, dict]:
    starts_on = first_sessions[institute.pk]
    days_left = (starts_on - today).days
    when = "tomorrow" if days_left == 1 else f"in {days_left} days"
    return f"{institute} begins {when}", {
        "lines": [
            f"{institute} begins {when}, on {reminders.long_date(starts_on)}.",
            "The institute asks you to attend every session. The schedule, places and online"
            " links are on the institute's page, and you can add them to your calendar there.",
        ],
        "action_url": absolute_url(institute.get_absolute_url()),
        "action_label": "See the schedule",
    }


def institute_starting_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """Accepted participants of institutes whose first session is within the coming week."""
    first_sessions = dict(
        Session.objects.values("institute")
        .annotate(first=Min("date"))
        .filter(first__gt=today, first__lte=today + timedelta(days=STARTING_SOON_DAYS))
        .values_list("institute", "first")
    )
    if not first_sessions:
        return
    institutes = Institute.objects.filter(status__in=LIVE_STATUSES).in_bulk(list(first_sessions))
    for batch in reminders.keyset_batches(_accepted_participants(institutes), size):
        messages = [
            Message(
                to=participant.applicant__email,
                kind="institute.starting_reminder",
                template="emails/notice",
                wording=partial(
                    _starting_wording, institutes[participant.institute_id], first_sessions, today
                ),
                about_ref=model_ref(Institute, participant.institute_id),
                milestone=starting_milestone(first_sessions[participant.institute_id], today),
                user_id=participant.applicant_id,
            )
            for participant in batch
        ]
        yield queue_many(messages, dry_run=dry_run)


def _invite_batches(
    key: str, subjects: dict, rows, who: Callable, *, size: int, dry_run: bool
) -> Iterator[BatchResult]:
    """Invite each person once to evaluate each subject (``surveys.invite_batch``).

    ``subjects`` maps ids to the sessions or institutes; ``rows`` is the attendance or the
    applications behind the invitations, and ``who(row)`` gives (subject id, participant).
    """
    for batch in reminders.keyset_batches(rows, size):
        invitees = [
            surveys.Invitee(subject_id, person.email, person.display_name, person)
            for subject_id, person in map(who, batch)
        ]
        yield surveys.invite_batch(key, subjects, invitees, dry_run=dry_run)


def session_evaluation_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """The day after a session: its evaluation to every participant present (or partly) at it."""
    sessions = Session.objects.select_related("institute").in_bulk(
        Session.objects.filter(
            date__lt=today,
            date__gte=today - timedelta(days=EVALUATION_CATCH_UP_DAYS),
            institute__status__in=EVALUATED_STATUSES,
        ).values_list("pk", flat=True)
    )
    if not sessions:
        return
    attendance = (
        Attendance.objects.filter(
            session_id__in=list(sessions),
            status__in=ATTENDED,
            application__status=Application.Status.ACCEPTED,
        )
        .select_related("application__applicant")
        .only("session_id", *PARTICIPANT_FIELDS)
    )
    yield from _invite_batches(
        SESSION_SURVEY,
        sessions,
        attendance,
        lambda row: (row.session_id, row.application.applicant),
        size=size,
        dry_run=dry_run,
    )


def institute_evaluation_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """The day after an institute's last session: the end-of-institute evaluation to every
    participant marked present (or partly) at any of its sessions."""
    ended = (
        Session.objects.values("institute")
        .annotate(last=Max("date"))
        .filter(last__lt=today, last__gte=today - timedelta(days=EVALUATION_CATCH_UP_DAYS))
        .values_list("institute", flat=True)
    )
    institutes = Institute.objects.filter(status__in=EVALUATED_STATUSES).in_bulk(list(ended))
    if not institutes:
        return
    present = Attendance.objects.filter(application=OuterRef("pk"), status__in=ATTENDED)
    participants = (
        Application.objects.accepted()
        .filter(Exists(present), institute_id__in=list(institutes))
        .select_related("applicant")
        .only("institute_id", "applicant__id", "applicant__email", "applicant__name")
    )
    yield from _invite_batches(
        END_SURVEY,
        institutes,
        participants,
        lambda row: (row.institute_id, row.applicant),
        size=size,
        dry_run=dry_run,
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# A supervisor who has not answered is reminded 3 and 7 days after the request, once each.
ENDORSEMENT_REMINDER_DAYS = (3, 7)


def endorsement_milestone(requested_on: date, today: date) -> str | None:
    """The latest reminder due (a missed day catches up, and a later one replaces an earlier)."""
    waited = (today - requested_on).days
    due = [days for days in ENDORSEMENT_REMINDER_DAYS if waited >= days]
    return f"endorsement-reminder-{due[-1]}" if due else None


def _endorsement_reminder(application: Application, today: date) -> Message | None:
    requested_on = timezone.localdate(application.endorsement_requested_at)
    milestone = endorsement_milestone(requested_on, today)
    if milestone is None:
        return None

    def wording() -> tuple[str, dict]:
        applicant = application.applicant.display_name
        expires_on = requested_on + timedelta(seconds=ENDORSEMENT_MAX_AGE)
        return f"A reminder: {applicant} asks for your endorsement", {
            "lines": [
                f"Hello {application.supervisor_name}," if application.supervisor_name else "Hello,",
                f"{applicant} has applied to {application.institute} and named you as their supervisor. "
                "We have not had your answer yet, and the coordinators wait for it before they can accept "
                "the application.",
                f"Please endorse or decline it (no account needed); the link works until "
                f"{reminders.long_date(expires_on)}. If you do not know this person, you can ignore this message.",
            ],
            "action_url": absolute_url(
                reverse("institutes:endorse", kwargs={"token": endorsement_token(application)})
            ),
            "action_label": "Endorse or decline the application",
        }

    return Message(
        to=application.supervisor_email,
        kind="application.endorsement_reminder",
        template="emails/notice",
        wording=wording,
        about_ref=object_ref(application),
        milestone=milestone,
    )


def endorsement_reminder_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """Supervisors still asked for an answer, 3 and 7 days on, while their link still works."""

    first_reminder = today - timedelta(days=ENDORSEMENT_REMINDER_DAYS[0] - 1)
    link_valid_since = today - timedelta(seconds=ENDORSEMENT_MAX_AGE)
    waiting = (
        Application.objects.filter(
            status__in=[Application.Status.SUBMITTED, Application.Status.WAITLISTED],
            endorsement=Application.Endorsement.REQUESTED,
            endorsement_requested_at__lt=_start_of(first_reminder),
            endorsement_requested_at__gte=_start_of(link_valid_since),
        )
        .exclude(supervisor_email="")
        .select_related("applicant", "institute")
    )
    for batch in reminders.keyset_batches(waiting, size):
        messages = [
            message for application in batch if (message := _endorsement_reminder(application, today))
        ]
        yield queue_many(messages, dry_run=dry_run)


def seat_offer_milestone(expires_on: date, today: date) -> str | None:
    """The one reminder of a seat offer: on its last day but one (or its last, catching up)."""
    if 0 <= (expires_on - today).days <= 1:
        return f"offer-reminder:{expires_on.isoformat()}"
    return None


def _seat_offer_reminder(application: Application, today: date) -> Message | None:
    expires_on = timezone.localdate(application.offer_expires_at)
    milestone = seat_offer_milestone(expires_on, today)
    if milestone is None:
        return None

    def wording() -> tuple[str, dict]:
        when = "today" if expires_on == today else "tomorrow"
        institute = application.institute
        return f"A reminder: your seat in {institute} is held until {when}", {
            "lines": [
                f"A seat in {institute} is waiting for you: we offered it to you from the waitlist, and it "
                f"is held for you until the end of {when}, {reminders.long_date(expires_on)}.",
                "Please accept or decline it on your application. If we have no answer by then, the offer "
                "expires and the seat goes to the next person on the waitlist.",
            ],
            "action_url": absolute_url(application.get_absolute_url()) + "#seat-offer",
            "action_label": "Accept or decline the seat",
        }

    return Message(
        to=application.applicant.email,
        kind="application.seat_offer_reminder",
        template="emails/notice",
        wording=wording,
        about_ref=object_ref(application),
        milestone=milestone,
        user_id=application.applicant_id,
    )


def seat_offer_reminder_batches(
    now: datetime, today: date, *, size: int, dry_run: bool = False
) -> Iterator[BatchResult]:
    """Seat offers still open whose last day is today or tomorrow, made before today: one reminder each."""
    waiting = (
        Application.objects.filter(
            status=Application.Status.OFFERED,
            offer_expires_at__gte=now,
            offer_expires_at__lt=_start_of(today + timedelta(days=2)),
            offered_at__lt=_start_of(today),
        )
        .select_related("applicant", "institute")
        .only("pk", "offer_expires_at", "applicant__email", "applicant__id", "institute__title")
    )
    for batch in reminders.keyset_batches(waiting, size):
        messages = [message for application in batch if (message := _seat_offer_reminder(application, today))]
        yield queue_many(messages, dry_run=dry_run)


def expire_seat_offers(*, now: datetime | None = None) -> int:
    """Offers unanswered past their last day: declined, each seat offered to the next in line."""
    return expire_stale_offers(now or timezone.now())


def scan_reminders(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int | None = None
) -> dict[str, dict[str, int]]:
    """Every institutes reminder due today (in the portal's time zone); safe to run again."""
    now = now or timezone.now()
    today = reminders.portal_today(now)
    size = reminders.batch_size(batch_size)
    if not dry_run:
        # Sites on cron rather than beat expire stale seat offers here (safe to run twice), before
        # the reminders, so that an expired offer is never reminded of.
        expire_seat_offers(now=now)
    return reminders.run_scans(
        {
            "seat_offers": lambda: seat_offer_reminder_batches(now, today, size=size, dry_run=dry_run),
            "assignments": lambda: assignment_reminder_batches(today, size=size, dry_run=dry_run),
            "institute_starting": lambda: institute_starting_batches(today, size=size, dry_run=dry_run),
            "session_evaluations": lambda: session_evaluation_batches(today, size=size, dry_run=dry_run),
            "institute_evaluations": lambda: institute_evaluation_batches(today, size=size, dry_run=dry_run),
            "endorsements": lambda: endorsement_reminder_batches(today, size=size, dry_run=dry_run),
        }
    )


@shared_task(name="institutes.expire_seat_offers")
def expire_seat_offers_task() -> int:
    return expire_seat_offers()


@shared_task(name="institutes.send_reminders")
def send_reminders() -> dict[str, dict[str, int]]:
    return scan_reminders()
