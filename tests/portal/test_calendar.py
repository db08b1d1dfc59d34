"""portal.calendar: every file parses back with icalendar, in the portal's zone, text intact."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import override_settings
from icalendar import Calendar

from portal import calendar

PACIFIC = ZoneInfo("America/Los_Angeles")
HARD_SUMMARY = "Writing, reading; and math\nLine two \\ with a backslash, é and 漢字 " * 3


def _one(text: str):
    parsed = Calendar.from_ical(text)
    [event] = parsed.walk("VEVENT")
    return parsed, event


def test_times_are_written_in_the_portal_zone_with_its_vtimezone():
    starts = dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC)  # 9:00 in Sacramento (PST)
    text = calendar.build(
        [calendar.CalendarEvent(uid="e-1@x", starts=starts, ends=starts + dt.timedelta(hours=2), summary="A")]
    )
    parsed, event = _one(text)
    assert "DTSTART;TZID=America/Los_Angeles:20261203T090000" in text
    assert "DTEND;TZID=America/Los_Angeles:20261203T110000" in text
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=-8)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert event["DTSTAMP"].to_ical().endswith(b"Z")
    assert str(event["UID"]) == "e-1@x"


def test_summer_time_is_honoured():
    starts = dt.datetime(2027, 7, 1, 9, 0, tzinfo=PACIFIC)
    text = calendar.build([calendar.CalendarEvent(uid="u", starts=starts, ends=starts, summary="S")])
    _, event = _one(text)
    assert "DTSTART;TZID=America/Los_Angeles:20270701T090000" in text
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=-7)


def test_commas_semicolons_newlines_and_long_lines_survive():
    starts = dt.datetime(2026, 12, 3, 9, 0, tzinfo=PACIFIC)
    item = calendar.CalendarEvent(
        uid=calendar.uid("event-date", 7),
        starts=starts,
        ends=starts + dt.timedelta(hours=1),
        summary=HARD_SUMMARY,
        description=HARD_SUMMARY,
        location="Room 4, 2nd floor; Sacramento",
        url="https://example.org/room?a=1&b=2",
        organizer_email="lead@example.org",
        organizer_name="Grace, Lead",
    )
    text = calendar.build([item], name="Calendar, with; a name")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded
    assert "\n" not in text.replace("\r\n", "")
    parsed, event = _one(text)
    assert event.decoded("summary") == HARD_SUMMARY
    assert event.decoded("description") == HARD_SUMMARY
    assert event.decoded("location") == "Room 4, 2nd floor; Sacramento"
    assert str(event["URL"]) == "https://example.org/room?a=1&b=2"
    assert event["ORGANIZER"].params["CN"] == "Grace, Lead"
    assert str(parsed["X-WR-CALNAME"]) == "Calendar, with; a name"


@override_settings(SITE_URL="https://tot.example.org")
def test_uids_name_the_site_and_cancelled_events_say_so():
    assert calendar.uid("event-date", 12) == "event-date-12@tot.example.org"
    starts = dt.datetime(2026, 12, 3, 9, 0, tzinfo=PACIFIC)
    text = calendar.build(
        [calendar.CalendarEvent(uid="u", starts=starts, ends=starts, summary="Off", cancelled=True)]
    )
    _, event = _one(text)
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)


def test_an_empty_calendar_still_parses():
    parsed = Calendar.from_ical(calendar.build([], name="Nothing yet"))
    assert parsed.walk("VEVENT") == []
    assert str(parsed["VERSION"]) == "2.0"
