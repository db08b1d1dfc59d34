"""Daily reminders of the trainers app, run by Celery beat (and `manage.py send_reminders`).

To each trainer: their facilitation commitment 90, 30 and 7 days before its last day, and once
when it lapses; a training they lead, 7 days and 1 day before its first session, with what is
still open on its preparation checklist. To coordinators, once a week: a summary of commitments
coming due or lapsed, and of honoraria waiting for approval. To each registrant of a turnkey
training, the day before its first session (``trainers.registration``). Ledger milestones carry
the deadline or the ISO week
("commit-30:2027-03-01", "week:2026-W48"), so a second run sends nothing twice.

To everyone present at a turnkey training (registered or walk-in, no account needed): the
post-training survey the day after its last session, and 90 days later the follow-up on whether
they applied it, with links to their implementation plans when they have an account with some.
The survey engine keeps one invitation per (survey, training, e-mail), so each goes out once.

To coordinators, by its own daily task: each agency request nobody answered in 14 days, flagged
once (``trainers.training_requests.flag``: the request moves to "flagged" and remembers when).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from communities.models import ImplementationPlan
from portal import reminders
from portal.emails import BatchResult, Message, absolute_url, model_ref, object_ref, queue_many
from portal.surveys import services as surveys
from trainers import registration, training_requests
from trainers.attendance import FOLLOW_UP_SURVEY, POST_SURVEY
from trainers.models import Certification, Honorarium, Registration, TurnkeyTraining
from trainers.planning import REMINDER_KIND, day_start, open_checklist_items

LAPSED_REMINDER_DAYS = 14  # a commitment that lapsed longer ago than this gets no lapse notice
SUMMARY_LAPSED_DAYS = 7
SUMMARY_DUE_DAYS = 30


def commitment_milestone(deadline: date, today: date) -> str | None:
    """Which reminder is due today for a commitment whose last day is ``deadline``, if any."""
    days_left = (deadline - today).days
    for window_start, window_end, name in ((30, 90, "commit-90"), (7, 30, "commit-30"), (-1, 7, "commit-7")):
        if window_start < days_left <= window_end:
            return f"{name}:{deadline.isoformat()}"
    if -LAPSED_REMINDER_DAYS <= days_left < 0:
        return f"lapsed:{deadline.isoformat()}"
    return None


def _commitment_message(certification, today: date, report_url: str) -> Message | None:
    """``certification`` is a row of ``commitment_reminder_batches``' values_list."""
    milestone = commitment_milestone(certification.commitment_ends_on, today)
    if milestone is None:
        return None
    module = certification.module__title
    days_left = (certification.commitment_ends_on - today).days

    def wording() -> tuple[str, dict]:
        last_day = reminders.long_date(certification.commitment_ends_on)
        if days_left < 0:
            subject = f"Your facilitation commitment for {module} has ended"
            lines = [
                f"The year to facilitate {module} ended on {last_day}, and we have no verified"
                " facilitation report for it.",
                "If you facilitated a training in that year, report it now and a coordinator will review it."
                " If not, your coordinator can talk through what comes next.",
            ]
        else:
            when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
            subject = f"{module}: your facilitation year ends {when}"
            lines = [
                f"As a certified trainer of {module}, you committed to facilitate it at least once"
                f" by {last_day}, for your agency, your region or a program event.",
                "Once you have facilitated it, report the training with its agenda and sign-in sheet; a verified"
                " report fulfils the commitment.",
            ]
        return subject, {
            "lines": lines,
            "action_url": report_url,
            "action_label": "Report a training",
        }

    return Message(
        to=certification.participant__email,
        kind="trainers.commitment_lapsed" if days_left < 0 else "trainers.commitment_reminder",
        template="emails/notice",
        wording=wording,
        about_ref=model_ref(Certification, certification.pk),
        milestone=milestone,
        user_id=certification.participant_id,
    )


def commitment_reminder_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """Active, unfulfilled certifications whose deadline falls in a reminder window."""
    candidates = (
        Certification.objects.active()
        .with_a_commitment()
        .filter(
            commitment_ends_on__gte=today - timedelta(days=LAPSED_REMINDER_DAYS),
            commitment_ends_on__lte=today + timedelta(days=90),
        )
        .with_commitment(today)
        .filter(fulfilled_date__isnull=True)
        # Plain rows: a model instance per certification and trainer cost more than the rest.
        .values_list(
            "pk", "commitment_ends_on", "module__title", "participant_id", "participant__email", named=True
        )
    )
    report_url = absolute_url(reverse("trainers:report-new"))
    for batch in reminders.keyset_batches(candidates, size):
        messages = [m for c in batch if (m := _commitment_message(c, today, report_url))]
        yield queue_many(messages, dry_run=dry_run)


def _coordinators():
    return get_user_model().objects.filter(groups__name="Coordinators", is_active=True)


def coordinator_summary_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """Once per ISO week: commitments coming due or just lapsed, and honoraria waiting."""
    week = f"week:{reminders.iso_week(today)}"
    commitments = (
        Certification.objects.active()
        .with_a_commitment()
        .filter(
            commitment_ends_on__gte=today - timedelta(days=SUMMARY_LAPSED_DAYS),
            commitment_ends_on__lte=today + timedelta(days=SUMMARY_DUE_DAYS),
        )
        .with_commitment(today)
        .filter(fulfilled_date__isnull=True)
        .aggregate(
            due=Count("pk", filter=Q(commitment_ends_on__gte=today)),
            lapsed=Count("pk", filter=Q(commitment_ends_on__lt=today)),
        )
    )
    waiting = Honorarium.objects.filter(status=Honorarium.Status.REQUESTED).aggregate(
        count=Count("pk"), total=Sum("amount"), oldest=Min("requested_at")
    )
    summaries = []
    if commitments["due"] or commitments["lapsed"]:
        summaries.append(
            (
                "trainers.commitment_summary",
                f"This week: {commitments['due']} facilitation commitment(s) due, {commitments['lapsed']} lapsed",
                [
                    f"{commitments['due']} certified trainer(s) have not yet reported a verified training and"
                    f" their commitment ends in the next {SUMMARY_DUE_DAYS} days.",
                    f"{commitments['lapsed']} commitment(s) lapsed in the last {SUMMARY_LAPSED_DAYS} days"
                    " without a verified training.",
                    "A word from you may be all a trainer needs to find a place to facilitate.",
                ],
                reverse("trainers:commitments"),
                "See the commitments",
            )
        )
    if waiting["count"]:
        summaries.append(
            (
                "trainers.honoraria_waiting",
                f"{waiting['count']} honorari{'um' if waiting['count'] == 1 else 'a'} waiting for approval",
                [
                    f"{waiting['count']} honorarium request(s) totalling ${waiting['total']:,.2f} are waiting for"
                    f" approval; the oldest was requested on {reminders.long_date(waiting['oldest'].date())}.",
                    "Trainers are paid only after a coordinator approves the request.",
                ],
                reverse("trainers:honoraria"),
                "Review honoraria",
            )
        )
    if not summaries:
        return
    for batch in reminders.keyset_batches(_coordinators(), size):
        messages = [
            Message(
                to=coordinator.email,
                kind=kind,
                template="emails/notice",
                subject=subject,
                context={"lines": lines, "action_url": absolute_url(path), "action_label": label},
                milestone=week,
                user=coordinator,
            )
            for coordinator in batch
            for kind, subject, lines, path, label in summaries
        ]
        yield queue_many(messages, dry_run=dry_run)


def training_milestone(first_day: date, today: date) -> str | None:
    """Which reminder the lead trainer gets today for a training starting on ``first_day``: the
    week-before one from 7 days out, the day-before one from 1 day out (once each, per date)."""
    days_left = (first_day - today).days
    if 1 < days_left <= 7:
        return f"train-7:{first_day.isoformat()}"
    if 0 <= days_left <= 1:
        return f"train-1:{first_day.isoformat()}"
    return None


def _training_message(training: TurnkeyTraining, today: date) -> Message | None:
    first_day = timezone.localtime(training.starts_at).date()
    milestone = training_milestone(first_day, today)
    if milestone is None:
        return None

    def wording() -> tuple[str, dict]:
        days_left = (first_day - today).days
        when = {0: "today", 1: "tomorrow"}.get(days_left, f"in {days_left} days")
        start = timezone.localtime(training.starts_at)
        lines = [
            f"{training.title} ({training.module}) starts {when}: {reminders.long_date(first_day)} at"
            f" {reminders.clock(start)}."
        ]
        if training.status == TurnkeyTraining.Status.DRAFT:
            lines.append("It is still a draft: open it for registration so that educators can sign up.")
        still_open = open_checklist_items(training)
        if still_open:
            lines.append("Still on your preparation checklist: " + "; ".join(still_open) + ".")
        else:
            lines.append("Your preparation checklist is complete. Thank you, and enjoy the training!")
        return f"{training.title} is {when}", {
            "lines": lines,
            "action_url": absolute_url(training.get_absolute_url()),
            "action_label": "Open the training",
        }

    return Message(
        to=training.trainer.email,
        kind=REMINDER_KIND,
        template="emails/notice",
        wording=wording,
        about_ref=object_ref(training),
        milestone=milestone,
        user=training.trainer,
    )


def training_reminder_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """Trainings being prepared whose first session is within the next 7 days."""
    candidates = TurnkeyTraining.objects.filter(
        status__in=(TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.PUBLISHED),
        starts_at__gte=day_start(today),
        starts_at__lt=day_start(today + timedelta(days=8)),
    ).select_related("trainer", "module")
    for batch in reminders.keyset_batches(candidates, size):
        messages = [m for t in batch if (m := _training_message(t, today))]
        yield queue_many(messages, dry_run=dry_run)


# --- turnkey trainings: registrants ------------------------------------------------------------


def registrant_reminder_batches(today: date, *, size: int, dry_run: bool = False) -> Iterator[BatchResult]:
    """The day before a training's first session: each registrant with a place, once."""
    for batch in reminders.keyset_batches(registration.reminder_candidates(today), size):
        yield queue_many([registration.reminder_message(r) for r in batch], dry_run=dry_run)


# --- surveys after a turnkey training ------------------------------------------------------

FOLLOW_UP_DAYS = 90
SURVEY_CATCH_UP_DAYS = 7  # a scan missed for a few days still asks; older trainings are left alone
SURVEYED_STATUSES = (TurnkeyTraining.Status.PUBLISHED, TurnkeyTraining.Status.HELD)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _trainings_ended(days_ago: int, today: date) -> dict[int, TurnkeyTraining]:
    """Trainings whose last session ended ``days_ago`` days before ``today`` (or up to a week more)."""
    last_day = today - timedelta(days=days_ago)
    return TurnkeyTraining.objects.filter(
        status__in=SURVEYED_STATUSES,
        ends_at__gte=_midnight(last_day - timedelta(days=SURVEY_CATCH_UP_DAYS - 1)),
        ends_at__lt=_midnight(last_day + timedelta(days=1)),
    ).in_bulk()


def _plan_links(batch: list[Registration]) -> dict[int, list[tuple[str, str]]]:
    """Each attendee's implementation plans, by registration id, for those with an account (the
    one they registered with, or one under the same e-mail): one query."""
    plans = (
        ImplementationPlan.objects.filter(
            Q(owner__email__in={r.email for r in batch})
            | Q(owner__in={r.person_id for r in batch if r.person_id})
        )
        .select_related("owner")
        .only("pk", "title", "owner__id", "owner__email")
        .order_by("-updated_at")
    )
    by_person: dict[int, list[tuple[str, str]]] = {}
    by_email: dict[str, list[tuple[str, str]]] = {}
    for plan in plans:
        link = (f"Your implementation plan: {plan.title}", absolute_url(plan.get_absolute_url()))
        by_person.setdefault(plan.owner.pk, []).append(link)
        by_email.setdefault(plan.owner.email.lower(), []).append(link)
    return {r.pk: by_person.get(r.person_id) or by_email.get(r.email, []) for r in batch}


def training_survey_batches(
    key: str, days_ago: int, today: date, *, size: int, dry_run: bool = False
) -> Iterator[BatchResult]:
    """Invite everyone present at a training that ended ``days_ago`` days ago to survey ``key``."""
    trainings = _trainings_ended(days_ago, today)
    if not trainings:
        return
    attendees = (
        Registration.objects.filter(training_id__in=list(trainings), attendance__isnull=False)
        .exclude(status=Registration.Status.CANCELLED)
        .distinct()
        .select_related("person")
    )
    for batch in reminders.keyset_batches(attendees, size):
        plans = _plan_links(batch) if key == FOLLOW_UP_SURVEY else {}
        invitees = [
            surveys.Invitee(a.training_id, a.email, a.name, a.person, tuple(plans.get(a.pk, ())))
            for a in batch
        ]
        yield surveys.invite_batch(key, trainings, invitees, dry_run=dry_run)


def scan_reminders(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int | None = None
) -> dict[str, dict[str, int]]:
    """Every trainers reminder due today (in the portal's time zone); safe to run again."""
    today = reminders.portal_today(now)
    size = reminders.batch_size(batch_size)
    if not dry_run:
        # Sites on cron rather than beat flag the requests waiting too long here (each once, ever).
        flag_waiting_requests(now=now, batch_size=batch_size)
    return reminders.run_scans(
        {
            "commitments": lambda: commitment_reminder_batches(today, size=size, dry_run=dry_run),
            "coordinator_summaries": lambda: coordinator_summary_batches(today, size=size, dry_run=dry_run),
            "trainings": lambda: training_reminder_batches(today, size=size, dry_run=dry_run),
            "registrant_reminders": lambda: registrant_reminder_batches(today, size=size, dry_run=dry_run),
            "training_surveys": lambda: training_survey_batches(
                POST_SURVEY, 1, today, size=size, dry_run=dry_run
            ),
            "training_follow_ups": lambda: training_survey_batches(
                FOLLOW_UP_SURVEY, FOLLOW_UP_DAYS, today, size=size, dry_run=dry_run
            ),
        }
    )


@shared_task(name="trainers.send_reminders")
def send_reminders() -> dict[str, dict[str, int]]:
    return scan_reminders()


# --- agencies' requests waiting too long -------------------------------------------------------


def flag_waiting_requests(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Flag every request waiting 14 days for an answer to the coordinators; each once, ever."""
    now = now or timezone.now()
    flagged = 0
    for batch in reminders.keyset_batches(
        training_requests.waiting_too_long(now).only("pk"), reminders.batch_size(batch_size)
    ):
        for req in batch:
            flagged += training_requests.flag(req, now=now)
    return flagged


@shared_task(name="trainers.flag_waiting_requests")
def flag_waiting_requests_task() -> dict[str, int]:
    return {"flagged": flag_waiting_requests()}
