"""Planning a turnkey training: the lead trainer's writes, from the first draft to publishing or
cancelling, and the co-facilitators' answers.

A training is planned for a module the trainer holds an active certification for, as one date
or a weekly or monthly series; its sessions are rows, and ``starts_at``/``ends_at`` on the
training follow the first and last of them. Dates, place and capacity can change while it is a
draft or open for registration, never the capacity below the people already registered. Every
state move goes through ``portal.states.move`` (one audit entry each); cancelling e-mails every
registrant once, through the ledger.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal import notifications, states
from portal.emails import Message, absolute_url, object_ref, queue_email, queue_many
from portal.models import NotificationPreference, User
from portal.reminders import clock
from trainers import registration
from trainers.models import (
    CHECKLIST,
    Certification,
    CoFacilitator,
    Registration,
    TrainingSession,
    TurnkeyTraining,
)
from trainers.permissions import plannable_certifications
from trainers.services import TrainerError

Status = TurnkeyTraining.Status
Repeat = TurnkeyTraining.Repeat
MAX_SESSIONS = 24

# The e-mails of planning, registered from TrainersConfig.ready().
CANCELLED_KIND = "trainers.training_cancelled"
INVITATION_KIND = "trainers.co_facilitation_invitation"
ANSWER_KIND = "trainers.co_facilitation_answer"
REMINDER_KIND = "trainers.training_reminder"


def register_email_kinds() -> None:
    for kind in (CANCELLED_KIND, INVITATION_KIND, ANSWER_KIND):
        notifications.register_kind(kind, NotificationPreference.Category.TRANSACTIONAL)
    # "Your training is in 7 days" is about facilitating, like the commitment reminders.
    notifications.register_kind(REMINDER_KIND, NotificationPreference.Category.COMMITMENT_REMINDERS)


# The fields of a training the trainer writes (the rest follow from the services).
DETAIL_FIELDS = (
    "title",
    "description",
    "audience",
    "host_kind",
    "host_agency",
    "region",
    "format",
    "venue",
    "address",
    "online_link",
    "capacity",
    "agenda",
)
EDITABLE = frozenset({Status.DRAFT, Status.PUBLISHED})


def check_editable(training: TurnkeyTraining) -> None:
    """Details, dates, checklist and co-facilitators change while a training is being prepared."""
    if training.status not in EDITABLE:
        raise TrainerError(f"This training is {training.get_status_display().lower()}; it can't be changed.")


# --- dates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """One date, or a weekly or monthly series of ``count`` sessions at the same hours, or the
    chosen ``dates`` an agency asked for (``on_days``)."""

    first_day: date
    starts: time
    ends: time
    repeat: str = Repeat.ONCE
    count: int = 1
    dates: tuple[date, ...] = ()

    @classmethod
    def on_days(cls, days: list[date], starts: time, ends: time) -> Schedule:
        """A session on each of ``days`` (in order), at the same hours."""
        days = sorted(set(days))
        if not days:
            raise TrainerError("Choose at least one date.")
        if len(days) == 1:
            return cls(days[0], starts, ends)
        return cls(days[0], starts, ends, Repeat.DATES, len(days), tuple(days))

    def days(self) -> list[date]:
        if self.repeat == Repeat.DATES:
            return list(self.dates)
        if self.repeat == Repeat.ONCE:
            return [self.first_day]
        if self.repeat == Repeat.WEEKLY:
            return [self.first_day + timedelta(weeks=i) for i in range(self.count)]
        return [_same_day_months_later(self.first_day, i) for i in range(self.count)]

    def times(self) -> list[tuple[datetime, datetime]]:
        """Each session's start and end, in the portal's time zone."""
        zone = timezone.get_current_timezone()
        return [
            (
                timezone.make_aware(datetime.combine(day, self.starts), zone),
                timezone.make_aware(datetime.combine(day, self.ends), zone),
            )
            for day in self.days()
        ]

    @classmethod
    def of(cls, training: TurnkeyTraining) -> Schedule | None:
        """The schedule a training's sessions follow (the first session's hours), for the edit form."""
        sessions = list(training.sessions.all())
        if not sessions:
            return None
        first = sessions[0]
        starts, ends = timezone.localtime(first.starts_at), timezone.localtime(first.ends_at)
        if training.repeat == Repeat.DATES:
            days = tuple(timezone.localtime(s.starts_at).date() for s in sessions)
            return cls(starts.date(), starts.time(), ends.time(), Repeat.DATES, len(sessions), days)
        return cls(starts.date(), starts.time(), ends.time(), training.repeat, len(sessions))


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the portal's time zone (a bound for starts_at's index)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _same_day_months_later(day: date, months: int) -> date:
    """The same day of the month ``months`` later; the 31st falls on a shorter month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_schedule(schedule: Schedule) -> None:
    if schedule.ends <= schedule.starts:
        raise TrainerError("A session has to end after it starts.")
    if not 1 <= schedule.count <= MAX_SESSIONS:
        raise TrainerError(f"A series has between 1 and {MAX_SESSIONS} sessions.")


def _set_sessions(training: TurnkeyTraining, schedule: Schedule) -> None:
    """Make the sessions follow ``schedule``: existing sessions keep their row (and check-in
    code), moved to the new times; extra ones are added or removed."""
    _check_schedule(schedule)
    times = schedule.times()
    existing = list(training.sessions.order_by("starts_at", "pk"))
    surplus = existing[len(times) :]
    if any(session.attendance.exists() for session in surplus):
        raise TrainerError("Attendance was taken at a session this change would remove.")
    TrainingSession.objects.filter(pk__in=[s.pk for s in surplus]).delete()
    for session, (starts_at, ends_at) in zip(existing, times, strict=False):
        session.starts_at, session.ends_at = starts_at, ends_at
        session.save(update_fields=["starts_at", "ends_at"])
    TrainingSession.objects.bulk_create(
        TrainingSession(training=training, starts_at=s, ends_at=e) for s, e in times[len(existing) :]
    )
    training.repeat = schedule.repeat if schedule.count > 1 else Repeat.ONCE
    training.starts_at, training.ends_at = times[0][0], times[-1][1]


def _keep_dates_in_step(training: TurnkeyTraining) -> None:
    dates = training.sessions.aggregate(first=Min("starts_at"), last=Max("ends_at"))
    training.starts_at, training.ends_at = dates["first"], dates["last"]
    training.save(update_fields=["starts_at", "ends_at", "updated_at"])


def move_session(session: TrainingSession, *, day: date, starts: time, ends: time, by: User) -> None:
    """Move one session of a series (a holiday, a room taken) without touching the others."""
    if ends <= starts:
        raise TrainerError("A session has to end after it starts.")
    zone = timezone.get_current_timezone()
    with transaction.atomic():
        training = states.lock(session.training)
        check_editable(training)
        before = timezone.localtime(session.starts_at)
        session.starts_at = timezone.make_aware(datetime.combine(day, starts), zone)
        session.ends_at = timezone.make_aware(datetime.combine(day, ends), zone)
        session.save(update_fields=["starts_at", "ends_at"])
        _keep_dates_in_step(training)
        states.record(
            training,
            action="session moved",
            by=by,
            note=f"{before:%b %-d, %Y}, {clock(before)} → {day:%b %-d, %Y}",
        )
        registration.tell_of_new_dates(training)


# --- planning and editing -----------------------------------------------------------------


def _check_details(training: TurnkeyTraining) -> None:
    if training.capacity is None or training.capacity < 1:
        raise TrainerError("A training has room for at least one participant.")
    if training.format == TurnkeyTraining.Format.ONLINE and not training.online_link:
        raise TrainerError("An online training needs the link to its room.")


def plan_training(
    trainer: User,
    *,
    certification: Certification,
    schedule: Schedule,
    host_contact: User | None = None,
    **details,
) -> TurnkeyTraining:
    """A draft training of ``certification``'s module, with its sessions; the agenda starts from
    the module's template unless one is given. ``host_contact``: the person at the host agency
    who asked for it (an accepted request, trainers.training_requests)."""
    if not plannable_certifications(trainer).filter(pk=certification.pk).exists():
        raise TrainerError("You can plan trainings only for a module you hold an active certification for.")
    module = certification.module
    training = TurnkeyTraining(
        trainer=trainer,
        certification=certification,
        module=module,
        status=Status.DRAFT,
        host_contact=host_contact,
    )
    for name in DETAIL_FIELDS:
        if name in details:
            setattr(training, name, details[name])
    if not training.agenda:
        training.agenda = module.agenda_template
    _check_details(training)
    with transaction.atomic():
        training.save()
        _set_sessions(training, schedule)
        training.save(update_fields=["repeat", "starts_at", "ends_at"])
        states.record(training, action=f"status:{Status.DRAFT}", by=trainer, to_status=Status.DRAFT)
    return training


def update_training(
    training: TurnkeyTraining, *, by: User, schedule: Schedule | None = None, **details
) -> TurnkeyTraining:
    """Change the details (and, with ``schedule``, the sessions) of a draft or open training."""
    with transaction.atomic():
        locked = states.lock(training)
        check_editable(locked)
        changed = [
            name for name in DETAIL_FIELDS if name in details and getattr(locked, name) != details[name]
        ]
        for name in changed:
            setattr(locked, name, details[name])
        _check_details(locked)
        registered = locked.registered_count()
        if locked.capacity < registered:
            raise TrainerError(
                f"{registered} people are registered already: the capacity can't be lower than that."
            )
        update_fields = [*changed]
        if schedule is not None and schedule != Schedule.of(locked):
            _set_sessions(locked, schedule)
            update_fields += ["repeat", "starts_at", "ends_at"]
            changed.append("dates")
        if update_fields:
            locked.save(update_fields=[*update_fields, "updated_at"])
            states.record(locked, action="changed", by=by, details={"fields": changed})
        if "capacity" in changed:
            registration.fill_from_waitlist(locked)  # more places: the line moves up
        if "dates" in changed:
            registration.tell_of_new_dates(locked)
    return locked


def publish_training(training: TurnkeyTraining, *, by: User) -> None:
    """Open a draft for registration: its public page and short link start working."""
    if not training.sessions.exists():
        raise TrainerError("Add a date before opening the training for registration.")
    states.move(
        training,
        Status.PUBLISHED,
        by=by,
        allowed=TurnkeyTraining.MOVES,
        error=TrainerError,
        published_at=timezone.now(),
    )


def cancel_training(training: TurnkeyTraining, *, by: User, reason: str) -> None:
    """Cancel a draft or open training; everyone registered or waiting hears why, once."""
    reason = reason.strip()
    if not reason:
        raise TrainerError("Say in a sentence why the training is cancelled: the registrants will read it.")
    states.move(
        training,
        Status.CANCELLED,
        by=by,
        allowed=TurnkeyTraining.MOVES,
        error=TrainerError,
        note=reason,
        notify=lambda entry: _tell_cancelled(training, reason),
        cancelled_at=timezone.now(),
        cancel_reason=reason,
    )


def _tell_cancelled(training: TurnkeyTraining, reason: str) -> None:
    registrants = training.registrations.exclude(status=Registration.Status.CANCELLED).select_related(
        "person"
    )
    co_facilitators = training.co_facilitations.filter(status=CoFacilitator.Status.ACCEPTED).select_related(
        "person"
    )
    when = _long_when(training)
    subject = f"Cancelled: {training.title} on {when}"
    about = object_ref(training)
    messages = [
        Message(
            to=r.email,
            kind=CANCELLED_KIND,
            template="emails/notice",
            subject=subject,
            context={
                "lines": [
                    f"Dear {r.name},",
                    f"We are sorry: {training.title} ({training.module}), planned for {when}, is cancelled."
                    f" {training.trainer.display_name}, the trainer, wrote: “{reason}”",
                    "You don't need to do anything. Thank you for your interest; we hope to see you at"
                    " another training soon.",
                ],
            },
            about_ref=about,
            milestone="cancelled",
            user=r.person,
        )
        for r in registrants
    ]
    messages += [
        Message(
            to=c.person.email,
            kind=CANCELLED_KIND,
            template="emails/notice",
            subject=subject,
            context={
                "lines": [
                    f"{training.title}, which you agreed to co-facilitate on {when}, is cancelled."
                    f" {training.trainer.display_name} wrote: “{reason}”",
                ],
                "action_url": absolute_url(training.get_absolute_url()),
                "action_label": "Open the training",
            },
            about_ref=about,
            milestone="cancelled",
            user=c.person,
        )
        for c in co_facilitators
    ]
    queue_many(messages)


def _long_when(training: TurnkeyTraining) -> str:
    if training.starts_at is None:
        return "a date to be set"
    starts = timezone.localtime(training.starts_at)
    return f"{starts:%A, %B %-d, %Y} at {clock(starts)}"


# --- preparation --------------------------------------------------------------------------


def set_checklist_item(training: TurnkeyTraining, key: str, *, done: bool, by: User) -> None:
    """Tick (or untick) one step of the preparation checklist."""
    if key not in dict(CHECKLIST):
        raise TrainerError("There is no such step on the checklist.")
    with transaction.atomic():
        locked = states.lock(training)
        if locked.status not in EDITABLE:
            raise TrainerError("The checklist is for trainings still being prepared.")
        if bool(locked.checklist.get(key)) == done:
            return
        locked.checklist = {**locked.checklist, key: done}
        locked.save(update_fields=["checklist", "updated_at"])
        states.record(locked, action=f"checklist:{key}", by=by, note="done" if done else "not done")
    training.checklist = locked.checklist


def open_checklist_items(training: TurnkeyTraining) -> list[str]:
    return [label for _, label, done in training.checklist_items() if not done]


# --- co-facilitators ----------------------------------------------------------------------


def co_facilitator_candidates(training: TurnkeyTraining, query: str, limit: int = 10) -> QuerySet[User]:
    """Trainers certified for the module, found by part of their name or their whole e-mail,
    not yet invited and not the lead trainer."""
    query = query.strip()
    if len(query) < 2:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            certifications__module=training.module_id,
            certifications__status=Certification.Status.ACTIVE,
        )
        .filter(Q(name__icontains=query) | Q(email__iexact=query))
        .exclude(pk=training.trainer_id)
        .exclude(co_facilitations__training=training)
        .select_related("agency")
        .distinct()
        .order_by("name", "pk")[:limit]
    )


def invite_co_facilitator(training: TurnkeyTraining, person: User, *, by: User) -> CoFacilitator:
    """Invite a trainer certified for the same module; they accept or decline."""
    if training.status not in EDITABLE:
        raise TrainerError("Co-facilitators are invited while the training is being prepared.")
    if person.pk == training.trainer_id:
        raise TrainerError("You lead this training already.")
    certified = Certification.objects.active().filter(participant=person, module=training.module_id)
    if not certified.exists():
        raise TrainerError(f"{person.display_name} is not certified for {training.module}.")
    with transaction.atomic():
        invitation, created = CoFacilitator.objects.get_or_create(training=training, person=person)
        if not created:
            raise TrainerError(f"{person.display_name} is invited already.")
        states.record(invitation, action=f"status:{CoFacilitator.Status.INVITED}", by=by, to_status="invited")
        queue_email(
            to=person.email,
            kind=INVITATION_KIND,
            template="emails/notice",
            subject=f"{training.trainer.display_name} invites you to co-facilitate {training.title}",
            context={
                "lines": [
                    f"{training.trainer.display_name} plans {training.title} ({training.module}),"
                    f" starting {_long_when(training)}, and invites you to facilitate it with them.",
                    "Open the invitation to see the details and to accept or decline. You are listed as a"
                    " co-facilitator only once you accept.",
                ],
                "action_url": absolute_url(reverse("trainers:co-facilitation", kwargs={"pk": invitation.pk})),
                "action_label": "Answer the invitation",
            },
            about=invitation,
            user=person,
        )
    return invitation


def answer_co_facilitation(invitation: CoFacilitator, *, by: User, accept: bool) -> None:
    """The invited trainer (and only they) accepts or declines; the lead trainer hears back."""
    if by.pk != invitation.person_id:
        raise TrainerError("Only the person invited can answer this invitation.")
    to = CoFacilitator.Status.ACCEPTED if accept else CoFacilitator.Status.DECLINED
    training = invitation.training
    if training.status not in EDITABLE:
        raise TrainerError(f"This training is {training.get_status_display().lower()}.")

    def tell_lead(entry) -> None:
        lead = training.trainer
        queue_email(
            to=lead.email,
            kind=ANSWER_KIND,
            template="emails/notice",
            subject=f"{by.display_name} {'accepted' if accept else 'declined'} your invitation",
            context={
                "lines": [
                    f"{by.display_name} {'will co-facilitate' if accept else 'cannot co-facilitate'}"
                    f" {training.title} with you."
                ],
                "action_url": absolute_url(training.get_absolute_url()),
                "action_label": "Open the training",
            },
            about=invitation,
            milestone=to,
            user=lead,
        )

    states.move(
        invitation,
        to,
        by=by,
        allowed=CoFacilitator.MOVES,
        error=TrainerError,
        notify=tell_lead,
        responded_at=timezone.now(),
    )
