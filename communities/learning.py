"""Communities name themselves to the hours engine (portal.learning), which cannot import them.

``directory(person, ids)`` gives each community's title, page and expected hours a year (set by
its facilitators and coordinators), for the communities the person has credits in and the ones
they belong to that expect hours, in one query.

Community events credit their hours here too: ``credit_attendance``/``withdraw_attendance`` when a
facilitator marks someone present or takes the mark back (``communities.events.set_present``), and
``credit_all`` as the app's backfill.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from communities.models import Community, Event, EventAttendance, EventDate, Membership
from portal.learning import services as learning
from portal.learning.models import Kind
from portal.learning.services import CommunityInfo, register_community_directory


def directory(person, ids) -> dict[int, CommunityInfo]:
    wanted = Q(pk__in=list(ids))
    if person is not None and getattr(person, "pk", None):
        # A subquery rather than a join to memberships, so no DISTINCT over the communities.
        member_of = Membership.objects.filter(user=person).values("community_id")
        wanted |= Q(pk__in=member_of, expected_hours_min__isnull=False)
    rows = Community.objects.filter(wanted).only(
        "pk", "title", "slug", "expected_hours_min", "expected_hours_max"
    )
    return {
        community.pk: CommunityInfo(
            name=community.title,
            url=community.get_absolute_url(),
            expected_min=community.expected_hours_min,
            expected_max=community.expected_hours_max,
        )
        for community in rows
    }


def connect() -> None:
    register_community_directory(directory)
    learning.register_backfill("community events", credit_all)


# --- Community events credit their hours ---------------------------------------------------------
#
# Someone marked present on a date of an event earns that date's hours (its end minus its start);
# the credit's source is the date, so a series is one credit per date attended, each on its own
# day. Taking the mark back withdraws it (communities.events.set_present calls these). Attendance
# is refused before a date begins, so no credit is ever dated in the future.


def _credit_fields(event_date) -> dict:
    event = event_date.event
    return {
        "on": timezone.localdate(event_date.starts_at),
        "title": event.title,
        "kind": Kind.WEBINAR if event.kind == Event.Kind.WEBINAR else Kind.COMMUNITY_EVENT,
        "topic": event.community.topic,
        "community_id": event.community_id,
    }


def credit_attendance(person, event_date) -> None:
    fields = _credit_fields(event_date)
    learning.record(person, event_date, event_date.hours, fields.pop("on"), fields.pop("title"), **fields)


def withdraw_attendance(person, event_date) -> None:
    learning.withdraw(person, event_date)


def credit_date(event_date) -> None:
    """The date's credits become exactly those marked present (three queries)."""
    if event_date.starts_at > timezone.now():
        learning.withdraw_source(event_date)
        return
    people = EventAttendance.objects.filter(date=event_date).values_list("registration__person_id", flat=True)
    learning.sync_source(event_date, dict.fromkeys(people, event_date.hours), **_credit_fields(event_date))


def credit_all() -> int:
    """Every event date with attendance credits its hours (the backfill; safe to run again)."""
    dates = EventDate.objects.filter(attendance__isnull=False, starts_at__lte=timezone.now()).distinct()
    count = 0
    for event_date in dates.select_related("event__community"):
        credit_date(event_date)
        count += 1
    return count
