"""Community events: scheduling, registration with a waitlist, calendars, reminders, attendance,
the materials afterwards and the survey to those who came.

A community's facilitators (and coordinators) schedule an event: an online webinar, a face-to-face
meeting or both, on one date or a series of dates (``EventDate``). People register for the whole
event. Every registration takes the event's row lock first (``states.lock``), so counting the
places taken and deciding "a place or the waitlist" happen one registrant at a time: capacity
holds however many press the button at once. The unique constraint on a live registration per
person is the backstop under the kind message.

When someone with a place cancels, the first in line moves up at once and is told by e-mail
(with the calendar file); they can give the place back from the event's page, and the next in
line moves up. The online link is shown and sent only to people holding a place.

Every status change goes through ``portal.states``; every e-mail through the ledger, keyed so it
goes once. Reminders a day and an hour before each date are sent by ``reminder_messages``, which
the beat task ``communities.send_event_reminders`` runs every ten minutes.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from communities import learning, permissions
from communities.models import (
    CalendarFeed,
    Community,
    Event,
    EventAttendance,
    EventDate,
    EventRegistration,
    Resource,
)
from portal import calendar, notifications, states
from portal.emails import Attachment, Message, absolute_url, model_ref, queue_email, queue_many
from portal.models import User
from portal.reminders import clock, long_date
from portal.states import DomainError
from portal.surveys import services as surveys

Status = EventRegistration.Status
EventStatus = Event.Status

SURVEY = "community-event"
MAX_DATES = 24
DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(minutes=70)  # the scan runs every ten minutes: an hour's note, on time
# A day's note is not sent for a date that starts within two hours (the hour's note comes then).
DAY_NOTE_LATEST = timedelta(hours=2)

EMAIL_KINDS = (
    "community.event_registered",
    "community.event_waitlisted",
    "community.event_promoted",
    "community.event_reminder",
    "community.event_cancelled",
)


def register_email_kinds() -> None:
    """Each is about the person's own place at an event, so it always goes out."""
    for kind in EMAIL_KINDS:
        notifications.register_kind(kind, notifications.Category.TRANSACTIONAL)


class EventError(DomainError):
    """A rule said no; the message is written for the person who tried."""


class AlreadyRegistered(EventError):
    pass


# --- scheduling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When an event meets: the first day, the times, and how it repeats."""

    first_day: date
    starts: time
    ends: time
    repeat: str = "once"  # once | weekly | monthly | list
    count: int = 1
    extra_days: tuple[date, ...] = ()

    def days(self) -> list[date]:
        if self.repeat == "weekly":
            found = [self.first_day + timedelta(weeks=n) for n in range(self.count)]
        elif self.repeat == "monthly":
            found = [_add_months(self.first_day, n) for n in range(self.count)]
        elif self.repeat == "list":
            found = [self.first_day, *self.extra_days]
        else:
            found = [self.first_day]
        return sorted(set(found))

    def moments(self) -> list[tuple[datetime, datetime]]:
        return [
            (
                timezone.make_aware(datetime.combine(d, self.starts)),
                timezone.make_aware(datetime.combine(d, self.ends)),
            )
            for d in self.days()
        ]


def _add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def schedule_event(
    *,
    community: Community,
    by: User,
    title: str,
    kind: str,
    schedule: Schedule,
    capacity: int,
    description: str = "",
    place: str = "",
    online_link: str = "",
) -> Event:
    if not permissions.can_schedule_event(by, community):
        raise EventError("Only this community's facilitators and the coordinators can schedule its events.")
    moments = schedule.moments()
    if len(moments) > MAX_DATES:
        raise EventError(f"A series can have at most {MAX_DATES} dates.")
    if moments[0][0] <= timezone.now():
        raise EventError("The first date has already begun: choose a date and time still to come.")
    with transaction.atomic():
        event = Event.objects.create(
            community=community,
            title=title.strip(),
            description=description,
            kind=kind,
            place=place.strip() if kind != Event.Kind.WEBINAR else "",
            online_link=online_link.strip() if kind != Event.Kind.MEETING else "",
            capacity=capacity,
            created_by=by,
            starts_at=moments[0][0],
            ends_at=moments[-1][1],
        )
        EventDate.objects.bulk_create(EventDate(event=event, starts_at=s, ends_at=e) for s, e in moments)
        states.record(event, action=f"status:{EventStatus.SCHEDULED}", by=by, to_status=EventStatus.SCHEDULED)
        states.record(community, action="scheduled an event", by=by, note=event.title)
    return event


def cancel_event(event: Event, *, by: User, note: str = "") -> Event:
    """Call the event off; everyone holding a place or waiting for one is told."""
    if not permissions.can_manage_event(by, event):
        raise EventError("Only this community's facilitators and the coordinators can cancel its events.")
    with transaction.atomic():
        entry = states.move(
            event, EventStatus.CANCELLED, by=by, allowed=Event.MOVES, error=EventError, note=note
        )
        if entry is not None:
            dates = _dates(event)
            for registration in event.registrations.exclude(status=Status.CANCELLED).select_related("person"):
                queue_email(
                    to=registration.person.email,
                    kind="community.event_cancelled",
                    template="emails/notice",
                    subject=f"Cancelled: {event.title}",
                    context={
                        "lines": [
                            f"We are sorry: {event.title} ({event.community.title}) has been cancelled.",
                            *([f"Note from the facilitators: {note}"] if note else []),
                            "The attached calendar file removes it from your calendar.",
                        ],
                        "action_url": absolute_url(event.community.get_absolute_url()),
                        "action_label": "See the community",
                    },
                    about=registration,
                    milestone="event-cancelled",
                    user=registration.person,
                    attachments=[_attachment(event, dates, with_link=False, cancelled=True)],
                )
    return event


# --- reading ---------------------------------------------------------------------------------


def with_counts(events):
    """Events annotated with ``seats_taken`` and ``date_count`` in the same query: a counting
    subquery each, which PostgreSQL works out only for the rows a page shows (joining every
    registration and date of every event, then DISTINCT, cost a list of 2,000 events 15 ms)."""
    taken = EventRegistration.objects.filter(event=OuterRef("pk"), status=Status.REGISTERED)
    dates = EventDate.objects.filter(event=OuterRef("pk"))
    return events.annotate(
        seats_taken=Coalesce(_count(taken), 0),
        date_count=Coalesce(_count(dates), 0),
    )


def _count(rows) -> Subquery:
    return Subquery(rows.order_by().values("event").annotate(n=Count("pk")).values("n"))


def registered_count(event: Event) -> int:
    return event.registrations.filter(status=Status.REGISTERED).count()


def live_registration(event: Event, user) -> EventRegistration | None:
    if not user.is_authenticated:
        return None
    return event.registrations.exclude(status=Status.CANCELLED).filter(person=user).first()


def waitlist_position(registration: EventRegistration) -> int | None:
    if registration.status != Status.WAITLISTED:
        return None
    ahead = registration.event.registrations.filter(status=Status.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def accepts_registrations(event: Event, now: datetime | None = None) -> bool:
    """Scheduled, and its first date has not begun."""
    now = now or timezone.now()
    return event.status == EventStatus.SCHEDULED and event.starts_at is not None and event.starts_at > now


def online_link_for(user, event: Event, registration: EventRegistration | None = None) -> str:
    """The webinar's link, for those holding a place and for those who run the event; else ""."""
    if not event.online_link or event.status == EventStatus.CANCELLED:
        return ""
    if permissions.can_manage_event(user, event):
        return event.online_link
    if registration is None:
        registration = live_registration(event, user)
    if (
        registration is not None
        and registration.person_id == user.pk
        and registration.status == Status.REGISTERED
    ):
        return event.online_link
    return ""


def _dates(event: Event) -> list[EventDate]:
    return list(event.dates.order_by("starts_at", "pk"))


# --- registering and cancelling ---------------------------------------------------------------


def _refusal(event: Event) -> str:
    if event.status == EventStatus.CANCELLED:
        return f"{event.title} was cancelled, so it no longer takes registrations."
    if event.status == EventStatus.HELD:
        return f"{event.title} has already taken place."
    return f"Registration for {event.title} has closed: the event has already begun."


def register(event: Event, user: User) -> EventRegistration:
    """A place at the event, or a place on its waitlist once it is full."""
    with transaction.atomic():
        # The event's row is the lock every registrant queues behind; then we count.
        event = states.lock(event, "community")
        if not permissions.can_register_for_event(user, event):
            raise EventError(f"Registration for {event.title} is for the members of {event.community.title}.")
        if not accepts_registrations(event):
            raise EventError(_refusal(event))
        if live_registration(event, user) is not None:
            raise AlreadyRegistered(_already_registered(event))
        status = Status.REGISTERED if registered_count(event) < event.capacity else Status.WAITLISTED
        try:
            with transaction.atomic():
                registration = EventRegistration.objects.create(event=event, person=user, status=status)
        except IntegrityError as exc:  # the constraint, should a row have slipped past the lock
            raise AlreadyRegistered(_already_registered(event)) from exc
        states.record(registration, action=f"status:{status}", by=user, to_status=status)
        if status == Status.REGISTERED:
            _mail_place(registration, event, milestone="registered")
        else:
            _mail_waitlisted(registration, event)
    return registration


def _already_registered(event: Event) -> str:
    return f"You are already registered for {event.title}. Your place is shown on the event's page."


def cancel_registration(registration: EventRegistration, *, by: User) -> EventRegistration:
    """Give up one's place (or place in line); the first in line moves up and is told."""
    with transaction.atomic():
        event = states.lock(registration.event, "community")
        if by.pk != registration.person_id:
            raise EventError("Only the person registered can cancel their registration.")
        if not accepts_registrations(event):
            raise EventError(f"{_refusal(event)} There is nothing to cancel.")
        entry = states.move(
            registration,
            Status.CANCELLED,
            by=by,
            allowed=EventRegistration.MOVES,
            error=EventError,
            cancelled_at=timezone.now(),
        )
        if entry is not None and entry.from_status == Status.REGISTERED:
            fill_from_waitlist(event)
    return registration


def fill_from_waitlist(event: Event) -> list[EventRegistration]:
    """Move people up from the waitlist, first come first served, while places are free (call
    inside the transaction that holds the event's lock)."""
    if not accepts_registrations(event):
        return []
    free = event.capacity - registered_count(event)
    if free <= 0:
        return []
    promoted = list(
        event.registrations.filter(status=Status.WAITLISTED)
        .select_related("person")
        .order_by("created_at", "pk")[:free]
    )
    for registration in promoted:
        states.move(
            registration,
            Status.REGISTERED,
            by=None,
            allowed=EventRegistration.MOVES,
            error=EventError,
            actor_label="the waitlist (a place freed up)",
            notify=lambda entry, r=registration: _mail_place(r, event, milestone="promoted"),
        )
    return promoted


# --- e-mail and calendars ------------------------------------------------------------------


def calendar_events(
    event: Event, dates: Iterable[EventDate], *, with_link: bool, cancelled: bool = False
) -> list[calendar.CalendarEvent]:
    """The event's dates as calendar entries; the online link only ``with_link``."""
    dates = list(dates)
    where = ", ".join(
        part
        for part in (event.place if event.is_in_person else "", "Online" if event.is_online else "")
        if part
    )
    link = event.online_link if with_link and event.is_online else ""
    about = [f"{event.community.title}: {event.get_kind_display()}."]
    if link:
        about.append(f"Join online: {link}")
    elif event.is_online:
        about.append("The online link is sent to people holding a place.")
    about.append(f"Event page: {absolute_url(event.get_absolute_url())}")
    return [
        calendar.CalendarEvent(
            uid=calendar.uid("community-event-date", d.pk),
            starts=d.starts_at,
            ends=d.ends_at,
            summary=event.title if len(dates) == 1 else f"{event.title} ({number} of {len(dates)})",
            description="\n".join(about),
            location=link or where,
            url=absolute_url(event.get_absolute_url()),
            cancelled=cancelled or event.status == EventStatus.CANCELLED,
        )
        for number, d in enumerate(dates, start=1)
    ]


def calendar_text(event: Event, *, with_link: bool) -> str:
    return calendar.build(
        calendar_events(event, _dates(event), with_link=with_link), name=event.title, product="Events"
    )


def _attachment(
    event: Event, dates: list[EventDate], *, with_link: bool, cancelled: bool = False
) -> Attachment:
    text = calendar.build(
        calendar_events(event, dates, with_link=with_link, cancelled=cancelled),
        name=event.title,
        product="Events",
        method="CANCEL" if cancelled else "PUBLISH",
    )
    return Attachment(f"event-{event.pk}.ics", text, "text/calendar")


def _when(dates: list[EventDate]) -> list[str]:
    lines = []
    for d in dates:
        starts, ends = timezone.localtime(d.starts_at), timezone.localtime(d.ends_at)
        lines.append(f"{long_date(starts.date())}, {clock(starts)} to {clock(ends)}")
    return lines


def _where(event: Event, registration: EventRegistration) -> list[str]:
    lines = []
    if event.is_in_person and event.place:
        lines.append(f"Where: {event.place}")
    if event.is_online:
        if registration.status == Status.REGISTERED and event.online_link:
            lines.append(f"Join online: {event.online_link}")
        else:
            lines.append("Online: the link comes to you once you hold a place.")
    return lines


def _mail_place(registration: EventRegistration, event: Event, *, milestone: str) -> None:
    """The confirmation (or the move up from the waitlist), with the calendar file."""
    dates = _dates(event)
    promoted = milestone == "promoted"
    opening = (
        f"Good news: a place opened up, and you now hold a place at {event.title} ({event.community.title})."
        if promoted
        else f"You are registered for {event.title} ({event.community.title})."
    )
    queue_email(
        to=registration.person.email,
        kind="community.event_promoted" if promoted else "community.event_registered",
        template="emails/notice",
        subject=f"{'A place opened up for you' if promoted else 'You are registered'}: {event.title}",
        context={
            "lines": [
                opening,
                "When: " + "; ".join(_when(dates)),
                *_where(event, registration),
                "The attached calendar file adds it to your calendar.",
                "If you can no longer come, please give your place back on the event's page so that "
                "the next person on the waitlist can have it.",
            ],
            "action_url": absolute_url(event.get_absolute_url()),
            "action_label": "See the event, or give your place back",
        },
        about=registration,
        milestone=milestone,
        user=registration.person,
        attachments=[_attachment(event, dates, with_link=True)],
    )


def _mail_waitlisted(registration: EventRegistration, event: Event) -> None:
    queue_email(
        to=registration.person.email,
        kind="community.event_waitlisted",
        template="emails/notice",
        subject=f"You are on the waitlist: {event.title}",
        context={
            "lines": [
                f"{event.title} ({event.community.title}) is full, so you are on its waitlist.",
                "If someone gives their place back you move up by yourself, and we tell you by e-mail.",
                "When: " + "; ".join(_when(_dates(event))),
            ],
            "action_url": absolute_url(event.get_absolute_url()),
            "action_label": "See the event",
        },
        about=registration,
        milestone="waitlisted",
        user=registration.person,
    )


# --- reminders (the beat task, every ten minutes) --------------------------------------------------


def reminder_messages(now: datetime | None = None) -> list[Message]:
    """A note a day before and an hour before each date, to everyone holding a place.

    Keyed by (registration, date, its start, "day" or "hour"): each goes once, and once more only
    if the date moves. Two queries whatever the number of events: the dates starting in the next
    day, and their registrations.
    """
    now = now or timezone.now()
    dates = list(
        EventDate.objects.filter(
            event__status=EventStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + DAY_BEFORE
        ).select_related("event__community")
    )
    if not dates:
        return []
    by_event: dict[int, list[EventDate]] = {}
    for d in dates:
        by_event.setdefault(d.event_id, []).append(d)
    registrations = EventRegistration.objects.filter(
        event_id__in=list(by_event), status=Status.REGISTERED
    ).values_list("pk", "event_id", "person_id", "person__email")
    messages = []
    for pk, event_id, person_id, email in registrations:
        for d in by_event[event_id]:
            left = d.starts_at - now
            if left <= HOUR_BEFORE:
                which = "hour"
            elif left > DAY_NOTE_LATEST:
                which = "day"
            else:
                continue
            messages.append(
                Message(
                    to=email,
                    kind="community.event_reminder",
                    template="emails/notice",
                    wording=lambda d=d, which=which: _reminder_wording(d, which),
                    about_ref=model_ref(EventRegistration, pk),
                    milestone=f"{which}:{d.pk}:{d.starts_at:%Y%m%dT%H%M}",
                    user_id=person_id,
                )
            )
    return messages


def _reminder_wording(d: EventDate, which: str) -> tuple[str, dict]:
    event = d.event
    starts = timezone.localtime(d.starts_at)
    when = "in an hour" if which == "hour" else "tomorrow" if which == "day" else ""
    where = []
    if event.is_in_person and event.place:
        where.append(f"Where: {event.place}")
    if event.is_online and event.online_link:
        where.append(f"Join online: {event.online_link}")
    return f"{'In an hour' if which == 'hour' else 'Tomorrow'}: {event.title}", {
        "lines": [
            f"A reminder that {event.title} ({event.community.title}) begins {when}, "
            f"{long_date(starts.date())} at {clock(starts)}.",
            *where,
            "If you can no longer come, please give your place back so that someone on the waitlist can come.",
        ],
        "action_url": absolute_url(reverse("events:detail", kwargs={"pk": event.pk})),
        "action_label": "See the event",
    }


def send_reminders(now: datetime | None = None) -> int:
    with transaction.atomic():
        return queue_many(reminder_messages(now)).queued


# --- attendance, held, materials, survey -------------------------------------------------------


def _check_runs(user: User, event: Event) -> None:
    if not permissions.can_take_event_attendance(user, event):
        raise EventError("Only this community's facilitators and the coordinators can take attendance.")
    if event.status == EventStatus.CANCELLED:
        raise EventError("This event was cancelled: it takes no attendance.")


def set_present(d: EventDate, registration: EventRegistration, *, present: bool, by: User) -> None:
    """Mark (or un-mark) a registrant present on one date of the event; their hours follow."""
    event = d.event
    _check_runs(by, event)
    if registration.event_id != d.event_id:
        raise EventError("This person is registered for another event.")
    if d.starts_at > timezone.now():
        raise EventError("This date has not begun yet: attendance is taken once it starts.")
    with transaction.atomic():
        if not present:
            deleted, _ = EventAttendance.objects.filter(date=d, registration=registration).delete()
            if deleted:
                states.record(registration, action="attendance:unmarked", by=by, details={"date": d.pk})
                _withdraw_hours(registration, d)
            return
        if registration.status != Status.REGISTERED:
            raise EventError(
                f"{registration.person.display_name}'s registration is {registration.get_status_display().lower()}."
            )
        try:
            with transaction.atomic():
                _, created = EventAttendance.objects.get_or_create(
                    date=d, registration=registration, defaults={"marked_by": by}
                )
        except IntegrityError:  # two phones marked the same person at once: the first mark stands
            created = False
        if created:
            states.record(registration, action="attendance:marked", by=by, details={"date": d.pk})
            _credit_hours(registration, d)
            if event.status == EventStatus.HELD:
                _invite_to_survey(event, [registration])


def _credit_hours(registration: EventRegistration, d: EventDate) -> None:
    """The date's hours go to the person's professional-learning record (portal.learning)."""
    learning.credit_attendance(registration.person, d)


def _withdraw_hours(registration: EventRegistration, d: EventDate) -> None:
    learning.withdraw_attendance(registration.person, d)


def can_be_marked_held(event: Event, now: datetime | None = None) -> bool:
    """Scheduled, and its last date has begun."""
    now = now or timezone.now()
    if event.status != EventStatus.SCHEDULED:
        return False
    last = event.dates.order_by("-starts_at").values_list("starts_at", flat=True).first()
    return last is not None and last <= now


def mark_held(event: Event, *, by: User) -> Event:
    """The event took place: attendees get the survey (and those marked later get it then)."""
    _check_runs(by, event)
    if event.status == EventStatus.SCHEDULED and not can_be_marked_held(event):
        raise EventError("An event is marked held once its last date has begun.")
    with transaction.atomic():
        entry = states.move(event, EventStatus.HELD, by=by, allowed=Event.MOVES, error=EventError)
        if entry is not None:
            attendees = list(
                event.registrations.filter(attendance__isnull=False).distinct().select_related("person")
            )
            _invite_to_survey(event, attendees)
    return event


def _invite_to_survey(event: Event, registrations: Iterable[EventRegistration]) -> None:
    for registration in registrations:
        surveys.invite(
            SURVEY,
            event,
            email=registration.person.email,
            name=registration.person.display_name,
            person=registration.person,
            purpose=SURVEY,
        )


def share_materials(
    event: Event, *, by: User, recording_url: str = "", slides_url: str = ""
) -> list[Resource]:
    """The recording and slides go to the community's resources in one step (once)."""
    if not permissions.can_manage_event(by, event):
        raise EventError("Only this community's facilitators and the coordinators can share its materials.")
    if not (recording_url or slides_url):
        raise EventError("Give the link to the recording, to the slides, or both.")
    with transaction.atomic():
        event = states.lock(event, "community")
        if event.materials_shared_at is not None:
            raise EventError("The materials of this event are already in the community's resources.")
        if (
            event.status == EventStatus.CANCELLED
            or event.starts_at is None
            or event.starts_at > timezone.now()
        ):
            raise EventError("Materials are shared once the event has taken place.")
        day = long_date(timezone.localtime(event.starts_at).date())
        made = []
        for label, url in (("Recording", recording_url), ("Slides", slides_url)):
            if url:
                made.append(
                    Resource.objects.create(
                        community=event.community,
                        added_by=by,
                        title=f"{label}: {event.title}"[:200],
                        description=f"{label} of the {event.get_kind_display().lower()} held on {day}.",
                        topic=event.community.topic,
                        url=url,
                    )
                )
        event.recording_url, event.slides_url = recording_url, slides_url
        event.materials_shared_at = timezone.now()
        event.save(update_fields=["recording_url", "slides_url", "materials_shared_at", "updated_at"])
        states.record(event, action="shared materials", by=by, details={"resources": [r.pk for r in made]})
        states.record(
            event.community, action="shared a resource", by=by, note=", ".join(r.title for r in made)
        )
    return made


# --- calendar feeds -----------------------------------------------------------------------------


def feed_for(user: User, community: Community | None) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, community=community).first()


def regenerate_feed(user: User, community: Community | None) -> CalendarFeed:
    """A new private address (the old one, if any, stops working at once)."""
    if community is not None and not permissions.can_subscribe_to_community_calendar(user, community):
        raise EventError("You can subscribe to the calendar of a community you belong to.")
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user, community=community).delete()
        feed = CalendarFeed.objects.create(user=user, community=community)
        states.record(feed, action="calendar feed: new address", by=user)
    return feed


def revoke_feed(user: User, community: Community | None) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user, community=community).delete()
    return bool(deleted)


def feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("events:feed", kwargs={"token": feed.token}))


FEED_PAST = timedelta(days=120)


def feed_text(feed: CalendarFeed, now: datetime | None = None) -> str:
    """A feed's calendar: the person's events (those they hold a place at), or a community's
    events; the online link only where the person holds a place. Three queries."""
    now = now or timezone.now()
    user = feed.user
    dates = EventDate.objects.filter(event__ends_at__gte=now - FEED_PAST).select_related("event__community")
    mine = set(
        EventRegistration.objects.filter(person=user, status=Status.REGISTERED).values_list(
            "event_id", flat=True
        )
    )
    if feed.community_id is None:
        dates = dates.filter(event_id__in=list(mine))
        name = "My community events"
    else:
        dates = dates.filter(event__community_id=feed.community_id)
        name = f"{feed.community.title}: events"
    by_event: dict[int, list[EventDate]] = {}
    for d in dates.order_by("starts_at", "pk")[:2000]:
        by_event.setdefault(d.event_id, []).append(d)
    items = []
    for rows in by_event.values():
        event = rows[0].event
        all_dates = rows  # the window holds the whole event unless it is very long
        items += calendar_events(event, all_dates, with_link=event.pk in mine)
    return calendar.build(items, name=name, product="Events")
