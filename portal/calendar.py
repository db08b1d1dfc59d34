"""iCalendar files (RFC 5545), built with the ``icalendar`` library: the one place that writes them.

Callers describe their events as ``CalendarEvent`` rows (aware datetimes, plain text) and get the
calendar's text back from ``build``. The library does the escaping of commas, semicolons,
backslashes and newlines, and the folding of long lines at 75 octets; this module adds what the
library leaves to us:

- every time is written in the portal's time zone (``settings.TIME_ZONE``) with its ``TZID``, and
  the calendar carries the matching ``VTIMEZONE`` (``add_missing_timezones``), so a calendar in
  another zone shows the right hour and daylight-saving changes are honoured;
- every event has a ``UID`` that never changes for the same thing (``uid("event-date", pk)``), so
  a calendar that imports the file again, or reads a feed, updates instead of doubling, and a
  ``DTSTAMP`` (in UTC, as the RFC asks);
- a cancelled event is written with ``STATUS:CANCELLED`` (and a higher ``SEQUENCE``), which
  calendars show as called off.

``response(text, filename)`` serves a file for download; ``feed_response`` serves a subscription
feed inline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: aware ``starts`` and ``ends``, plain-text fields (the library escapes them)."""

    uid: str
    starts: datetime
    ends: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer_email: str = ""
    organizer_name: str = ""
    cancelled: bool = False
    sequence: int = 0


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "tot-portal"


def uid(kind: str, pk: int | str) -> str:
    """A stable, globally unique id for one thing in every file and feed: ``<kind>-<pk>@<host>``."""
    return f"{kind}-{pk}@{host()}"


def portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("Calendar times must be aware datetimes.")
    return moment.astimezone(portal_zone())


def build(
    events: Iterable[CalendarEvent],
    *,
    name: str = "",
    product: str = "Calendar",
    method: str = "PUBLISH",
    stamp: datetime | None = None,
) -> str:
    """The calendar's text (CRLF line ends, folded, escaped) with a VTIMEZONE for the portal's zone."""
    calendar = Calendar()
    calendar.add("prodid", f"-//ToT Portal//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = (stamp or timezone.now()).astimezone(ZoneInfo("UTC"))
    events = list(events)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", _local(item.starts))
        event.add("dtend", _local(item.ends))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        if item.organizer_email:
            organizer = vCalAddress(f"mailto:{item.organizer_email}")
            if item.organizer_name:
                organizer.params["cn"] = vText(item.organizer_name)
            event.add("organizer", organizer)
        if item.cancelled:
            event.add("status", "CANCELLED")
        if item.sequence or item.cancelled:
            event.add("sequence", item.sequence + (1 if item.cancelled else 0))
        calendar.add_component(event)
    if events:
        # The zone's rules for the years the events span (a year either side), not since 1970.
        first = min(_local(e.starts) for e in events).date()
        last = max(_local(e.ends) for e in events).date()
        calendar.add_missing_timezones(date(first.year - 1, 1, 1), date(last.year + 2, 1, 1))
    return calendar.to_ical().decode()


def response(text: str, filename: str) -> HttpResponse:
    """A calendar file to download (``filename`` without a path; ``.ics`` is the caller's)."""
    result = HttpResponse(text, content_type=CONTENT_TYPE)
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result


def feed_response(text: str) -> HttpResponse:
    """A subscription feed: served inline, never cached by shared caches (its URL is private)."""
    result = HttpResponse(text, content_type=CONTENT_TYPE)
    result["Cache-Control"] = "private, max-age=300"
    result["X-Robots-Tag"] = "noindex"
    return result
