"""Registration for a turnkey training, without an account: register, the waitlist, cancelling.

Every registration takes the training's row lock first (``select_for_update``), so the count of
places taken and the decision "a place or the waitlist" are made by one registrant at a time:
capacity holds however many people press the button at once. The unique constraint on a live
registration per e-mail is the backstop under the kind message.

Registrants get their e-mail through the ledger: the confirmation with a calendar file (one
event per session) and the link to cancel, a note when they are on the waitlist, the promotion
when a place frees up, and a reminder the day before the first session (``reminder_messages``,
for the trainers app's daily scan). The online room's link is written in these e-mails only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from portal import notifications, states
from portal.emails import Attachment, Message, absolute_url, object_ref, queue_email
from portal.models import Agency, User
from portal.reminders import clock, long_date
from portal.states import DomainError
from trainers.models import CoFacilitator, Registration, TrainingSession, TurnkeyTraining

Status = Registration.Status

# The e-mails of registration, registered from TrainersConfig.ready(). Each is about the
# registrant's own place at a training, so it always goes out.
EMAIL_KINDS = (
    "trainers.registration_confirmed",
    "trainers.registration_waitlisted",
    "trainers.registration_promoted",
    "trainers.registrant_reminder",
    "trainers.registration_dates_changed",
)
EMAIL_TEMPLATES = "trainers/public/emails"
REMINDER_DAYS = 1


def register_email_kinds() -> None:
    for kind in EMAIL_KINDS:
        notifications.register_kind(kind, notifications.Category.TRANSACTIONAL)


class RegistrationError(DomainError):
    """A rule said no; the message is written for the educator who tried to register."""


class AlreadyRegistered(RegistrationError):
    """This e-mail address already holds a place (or a place in line) at the training."""


# --- reading -------------------------------------------------------------------------------


def with_seats(trainings):
    """Trainings annotated with ``seats_taken`` (registered, not waitlisted) in the same query."""
    return trainings.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status=Status.REGISTERED))
    )


def accepts_registrations(training: TurnkeyTraining, now: datetime | None = None) -> bool:
    """Published, and its first session has not begun (walk-ins on the day are the trainer's)."""
    now = now or timezone.now()
    return training.is_open and (training.starts_at is None or training.starts_at > now)


def facilitators(training: TurnkeyTraining) -> list[User]:
    """The lead trainer and the co-facilitators who accepted, as the public page lists them."""
    accepted = training.co_facilitations.filter(status=CoFacilitator.Status.ACCEPTED).select_related("person")
    return [training.trainer, *(c.person for c in accepted)]


def place(training: TurnkeyTraining) -> str:
    """Where it happens, as the public sees it: the site and address, or "Online"."""
    if training.format == TurnkeyTraining.Format.ONLINE:
        return "Online"
    return ", ".join(part for part in (training.venue, training.address) if part)


def live_registration(training: TurnkeyTraining, email: str) -> Registration | None:
    email = email.strip().lower()
    return training.registrations.exclude(status=Status.CANCELLED).filter(email=email).first()


# --- registering and cancelling ------------------------------------------------------------


def _refusal(training: TurnkeyTraining) -> str:
    if training.status == TurnkeyTraining.Status.CANCELLED:
        return f"{training.title} was cancelled, so it no longer takes registrations."
    if training.status == TurnkeyTraining.Status.HELD:
        return f"{training.title} has already taken place."
    if training.status == TurnkeyTraining.Status.DRAFT:
        return f"{training.title} is not open for registration yet."
    return f"Registration for {training.title} has closed: the training has begun."


def register(
    training: TurnkeyTraining,
    *,
    name: str,
    email: str,
    role: str,
    agency: Agency | None = None,
    other_agency: str = "",
    person: User | None = None,
) -> Registration:
    """A place at the training, or a place on its waitlist once it is full.

    Raises RegistrationError when the training does not take registrations, or when this
    e-mail address already holds a live registration for it.
    """
    email = email.strip().lower()
    with transaction.atomic():
        # The training's row is the lock every registrant queues behind; then we count.
        training = states.lock(training, "trainer")
        if not accepts_registrations(training):
            raise RegistrationError(_refusal(training))
        if live_registration(training, email) is not None:
            raise AlreadyRegistered(_already_registered(email))
        status = Status.REGISTERED if training.registered_count() < training.capacity else Status.WAITLISTED
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    training=training,
                    name=name.strip(),
                    email=email,
                    agency=agency,
                    other_agency="" if agency else other_agency.strip(),
                    role=role,
                    person=person,
                    status=status,
                )
        except IntegrityError as exc:  # the constraint, should a row have slipped past the lock
            raise AlreadyRegistered(_already_registered(email)) from exc
        states.record(
            registration,
            action=f"status:{status}",
            by=person,
            actor_label="" if person else f"{registration.name} (registration form)",
            to_status=status,
        )
        if status == Status.REGISTERED:
            _mail_place(registration, training, milestone="confirmed")
        else:
            _mail_waitlisted(registration, training)
    return registration


def _already_registered(email: str) -> str:
    return (
        f"{email} is already registered for this training. Look for our confirmation e-mail; "
        "its link lets you cancel if your plans change."
    )


def cancel(registration: Registration, *, by: User | None = None) -> Registration:
    """The registrant gives up their place (or their place in line); the first in line moves up.

    Only while the training is open: once it was held (or called off) the registration stays as
    the record of who signed up.
    """
    with transaction.atomic():
        training = states.lock(registration.training, "trainer")
        if not training.is_open:
            raise RegistrationError(f"{_refusal(training)} There is nothing to cancel.")
        entry = states.move(
            registration,
            Status.CANCELLED,
            by=by,
            allowed=Registration.MOVES,
            error=RegistrationError,
            actor_label="" if by else "the registrant (cancel link)",
            cancelled_at=timezone.now(),
        )
        if entry is not None and entry.from_status == Status.REGISTERED:
            fill_from_waitlist(training)
    return registration


def fill_from_waitlist(training: TurnkeyTraining) -> list[Registration]:
    """Move people up from the waitlist, first come first served, while places are free.

    Call inside the transaction that holds the training's lock (a cancellation, a capacity
    raised by the trainer). The line moves only while the training takes registrations: once
    it has begun, a free place is for a walk-in.
    """
    if not accepts_registrations(training):
        return []
    free = training.capacity - training.registered_count()
    if free <= 0:
        return []
    promoted = list(
        training.registrations.filter(status=Status.WAITLISTED).order_by("created_at", "pk")[:free]
    )
    for registration in promoted:
        states.move(
            registration,
            Status.REGISTERED,
            by=None,
            allowed=Registration.MOVES,
            error=RegistrationError,
            actor_label="the waitlist (a place freed up)",
            notify=lambda entry, r=registration: _mail_place(r, training, milestone="promoted"),
        )
    return promoted


# --- e-mail --------------------------------------------------------------------------------


def _sessions(training: TurnkeyTraining) -> list[TrainingSession]:
    return list(training.sessions.order_by("starts_at", "pk"))


def cancel_url(registration: Registration) -> str:
    return absolute_url(reverse("trainers:registration-cancel", kwargs={"token": registration.cancel_token}))


def calendar_file(training: TurnkeyTraining, sessions: list[TrainingSession]) -> str:
    """The training as iCalendar text: one event per session, each with a UID that never changes,
    so a calendar that imports the file again updates the events instead of doubling them."""
    host = urlsplit(settings.SITE_URL).hostname or "tot-portal"
    online = training.format == TurnkeyTraining.Format.ONLINE
    calendar = Calendar()
    calendar.add("prodid", "-//ToT Portal//Turnkey trainings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    organizer = vCalAddress(f"mailto:{training.trainer.email}")
    organizer.params["cn"] = vText(training.trainer.display_name)
    stamp = timezone.now()
    for number, session in enumerate(sessions, start=1):
        event = Event()
        event.add("uid", f"training-{training.pk}-session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        summary = (
            training.title
            if len(sessions) == 1
            else f"{training.title} (session {number} of {len(sessions)})"
        )
        event.add("summary", summary)
        event.add("description", f"{training.module.title}. {training.description}".strip())
        where = training.online_link if online else place(training)
        if where:
            event.add("location", where)
        if online and training.online_link:
            event.add("url", training.online_link)
        event.add("organizer", organizer)
        calendar.add_component(event)
    return calendar.to_ical().decode()


def _context(registration: Registration, training: TurnkeyTraining, sessions: list[TrainingSession]) -> dict:
    online = training.format == TurnkeyTraining.Format.ONLINE
    return {
        "registration": registration,
        "training": training,
        "sessions": sessions,
        "place": place(training),
        "online": online,
        # The room's link is for those holding a place; the waitlist gets it with the promotion.
        "online_link": training.online_link if online and registration.status == Status.REGISTERED else "",
        "public_url": absolute_url(training.get_public_url()),
        "cancel_url": cancel_url(registration),
    }


def _mail_place(registration: Registration, training: TurnkeyTraining, *, milestone: str) -> None:
    """The confirmation (or the promotion from the waitlist), with the calendar file."""
    sessions = _sessions(training)
    promoted = milestone == "promoted"
    queue_email(
        to=registration.email,
        kind="trainers.registration_promoted" if promoted else "trainers.registration_confirmed",
        template=f"{EMAIL_TEMPLATES}/{'promoted' if promoted else 'confirmed'}",
        subject=f"{'A place opened up for you' if promoted else 'You are registered'}: {training.title}",
        context=_context(registration, training, sessions),
        about=registration,
        milestone=milestone,
        user=registration.person,
        attachments=[
            Attachment(
                f"training-{training.short_code}.ics", calendar_file(training, sessions), "text/calendar"
            )
        ],
    )


def tell_of_new_dates(training: TurnkeyTraining) -> int:
    """Tell everyone holding a place or waiting for one that the dates moved, with a new calendar
    file (call inside the transaction that moved them). Keyed by the new dates, so each change is
    told once."""
    sessions = _sessions(training)
    dates = ",".join(f"{s.starts_at:%Y%m%dT%H%M}-{s.ends_at:%H%M}" for s in sessions)
    live = training.registrations.exclude(status=Status.CANCELLED).select_related("person")
    calendar = Attachment(
        f"training-{training.short_code}.ics", calendar_file(training, sessions), "text/calendar"
    )
    told = 0
    for registration in live:
        told += bool(
            queue_email(
                to=registration.email,
                kind="trainers.registration_dates_changed",
                template=f"{EMAIL_TEMPLATES}/dates_changed",
                subject=f"New dates: {training.title}",
                context=_context(registration, training, sessions),
                about=registration,
                milestone=f"dates:{dates}",
                user=registration.person,
                attachments=[calendar] if registration.status == Status.REGISTERED else [],
            )
        )
    return told


def _mail_waitlisted(registration: Registration, training: TurnkeyTraining) -> None:
    queue_email(
        to=registration.email,
        kind="trainers.registration_waitlisted",
        template=f"{EMAIL_TEMPLATES}/waitlisted",
        subject=f"You are on the waitlist: {training.title}",
        context=_context(registration, training, _sessions(training)),
        about=registration,
        milestone="waitlisted",
        user=registration.person,
    )


def reminder_candidates(today: date):
    """Registrations holding a place at an open training whose first session is ``REMINDER_DAYS``
    from ``today`` (in the portal's time zone)."""
    # A range on starts_at (not its date) so that the training's index on it is used.
    day_starts = timezone.make_aware(datetime.combine(today + timedelta(days=REMINDER_DAYS), time.min))
    return Registration.objects.filter(
        status=Status.REGISTERED,
        training__status=TurnkeyTraining.Status.PUBLISHED,
        training__starts_at__gte=day_starts,
        training__starts_at__lt=day_starts + timedelta(days=1),
    ).select_related("training__module", "person")


def reminder_message(registration: Registration) -> Message:
    """The day-before note: when and where (or the online link), and the link to cancel.

    Keyed by the first session's date, so it goes out once, and once more only if the
    training moves to another day.
    """
    training = registration.training
    starts = timezone.localtime(training.starts_at)

    def wording() -> tuple[str, dict]:
        online = training.format == TurnkeyTraining.Format.ONLINE
        where = f"Join online: {training.online_link}" if online else f"Where: {place(training)}"
        return f"Tomorrow: {training.title}", {
            "lines": [
                f"A reminder that {training.title} ({training.module.title}) begins tomorrow, "
                f"{long_date(starts.date())}, at {clock(starts)}.",
                where,
                "If you can no longer come, please cancel so that someone on the waitlist can take your place.",
            ],
            "action_url": cancel_url(registration),
            "action_label": "Cancel my registration",
        }

    return Message(
        to=registration.email,
        kind="trainers.registrant_reminder",
        template="emails/notice",
        wording=wording,
        about_ref=object_ref(registration),
        milestone=f"day-before:{starts.date().isoformat()}",
        user=registration.person,
    )
