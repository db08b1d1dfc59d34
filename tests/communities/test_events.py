"""Community events: scheduling, registration and the waitlist, the link for registrants only,
calendar files and feeds, reminders, attendance, the materials and the survey afterwards."""

import datetime as dt
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from communities import events
from communities.models import (
    CalendarFeed,
    Community,
    Event,
    EventAttendance,
    EventRegistration,
    Resource,
)
from portal.models import AuditEntry, OutboundEmail
from portal.surveys.models import Invitation
from tests.communities.factories import CommunityFactory, FacilitatorFactory, MembershipFactory, event
from tests.factories import UserFactory, coordinator

pytestmark = pytest.mark.django_db
Status = EventRegistration.Status
LINK = "https://meet.example.org/zq-room-link"


def _member(community, **kwargs):
    return MembershipFactory(community=community, user=UserFactory(**kwargs)).user


def _facilitator(community):
    return FacilitatorFactory(community=community).user


def _calendar(email: OutboundEmail) -> Calendar:
    [attachment] = email.attachments
    assert (attachment["mimetype"], attachment["filename"][-4:]) == ("text/calendar", ".ics")
    return Calendar.from_ical(attachment["content"])


def _past(community=None, **kwargs):
    """An event whose (only) date, two hours long, began three hours ago."""
    return event(community, starts=timezone.now() - timedelta(hours=3), **kwargs)


# --- scheduling ----------------------------------------------------------------------------------


def test_a_facilitator_schedules_a_weekly_series():
    community = CommunityFactory()
    lead = _facilitator(community)
    first = timezone.localdate() + timedelta(days=3)
    made = events.schedule_event(
        community=community,
        by=lead,
        title="Between the sessions",
        kind=Event.Kind.HYBRID,
        schedule=events.Schedule(first, dt.time(15, 30), dt.time(17, 0), repeat="weekly", count=3),
        capacity=12,
        place="Fresno Adult School",
        online_link=LINK,
    )
    starts = [timezone.localtime(d.starts_at) for d in made.dates.all()]
    assert [s.date() for s in starts] == [first, first + timedelta(weeks=1), first + timedelta(weeks=2)]
    assert {(s.hour, s.minute) for s in starts} == {(15, 30)}
    assert (made.starts_at, made.ends_at) == (made.dates.first().starts_at, made.dates.last().ends_at)
    assert made.status == Event.Status.SCHEDULED
    assert AuditEntry.objects.about(made).get().to_status == "scheduled"


def test_monthly_series_keep_the_day_or_take_the_months_last_day_and_lists_are_sorted():
    schedule = events.Schedule(dt.date(2027, 1, 31), dt.time(9), dt.time(10), repeat="monthly", count=3)
    assert schedule.days() == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]
    listed = events.Schedule(
        dt.date(2027, 1, 5),
        dt.time(9),
        dt.time(10),
        repeat="list",
        extra_days=(dt.date(2027, 3, 1), dt.date(2027, 2, 1)),
    )
    assert listed.days() == [dt.date(2027, 1, 5), dt.date(2027, 2, 1), dt.date(2027, 3, 1)]


def test_members_cannot_schedule_and_a_past_first_date_is_refused():
    community = CommunityFactory()
    member = _member(community)
    schedule = events.Schedule(timezone.localdate() + timedelta(days=2), dt.time(9), dt.time(10))
    with pytest.raises(events.EventError, match="facilitators"):
        events.schedule_event(
            community=community,
            by=member,
            title="x",
            kind="webinar",
            schedule=schedule,
            capacity=5,
            online_link=LINK,
        )
    past = events.Schedule(timezone.localdate() - timedelta(days=1), dt.time(9), dt.time(10))
    with pytest.raises(events.EventError, match="already begun"):
        events.schedule_event(
            community=community,
            by=_facilitator(community),
            title="x",
            kind="webinar",
            schedule=past,
            capacity=5,
            online_link=LINK,
        )
    assert Event.objects.count() == 0


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(client):
    community = CommunityFactory()
    client.force_login(_facilitator(community))
    url = reverse("communities:event-create", kwargs={"slug": community.slug})
    response = client.post(
        url,
        {
            "title": "Webinar, with; odd <b>text</b>",
            "kind": "webinar",
            "capacity": "10",
            "first_day": "2020-01-01",
            "starts": "10:00",
            "ends": "09:00",
            "repeat": "weekly",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["online_link"] == ["Give the link people use to join online."]
    assert errors["ends"] == ["The end comes after the start."]
    assert errors["count"] == ["Say how many dates the series has (2 to 24)."]
    assert "Webinar, with; odd &lt;b&gt;text&lt;/b&gt;" in response.content.decode()
    assert Event.objects.count() == 0


def test_the_form_schedules_and_refuses_a_past_date_next_to_the_field(client):
    community = CommunityFactory()
    client.force_login(_facilitator(community))
    url = reverse("communities:event-create", kwargs={"slug": community.slug})
    data = {
        "title": "Writing webinar",
        "kind": "webinar",
        "capacity": "10",
        "online_link": LINK,
        "starts": "10:00",
        "ends": "11:30",
        "repeat": "once",
    }
    response = client.post(url, {**data, "first_day": "2020-01-01"})
    assert response.context["form"].errors["first_day"] == [
        "The first date has already begun: choose a date and time still to come."
    ]
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(url, {**data, "first_day": day})
    made = Event.objects.get()
    assert response.url == made.get_absolute_url()
    assert made.dates.get().hours == 1.5


# --- registering, the waitlist -----------------------------------------------------------------


def test_places_then_the_waitlist_then_moving_up_with_an_email_and_a_calendar(
    django_capture_on_commit_callbacks,
):
    community = CommunityFactory()
    webinar = event(community, capacity=1)
    ana, ben = _member(community, email="ana@example.org"), _member(community, email="ben@example.org")
    first = events.register(webinar, ana)
    second = events.register(webinar, ben)
    assert (first.status, second.status) == (Status.REGISTERED, Status.WAITLISTED)
    assert events.waitlist_position(second) == 1
    confirmation = OutboundEmail.objects.get(kind="community.event_registered")
    assert LINK in confirmation.body_text
    assert LINK not in OutboundEmail.objects.get(kind="community.event_waitlisted").body_text
    [vevent] = _calendar(confirmation).walk("VEVENT")
    assert vevent.decoded("dtstart") == webinar.starts_at
    assert str(vevent["LOCATION"]) == LINK

    events.cancel_registration(first, by=ana)
    second.refresh_from_db()
    assert second.status == Status.REGISTERED
    promoted = OutboundEmail.objects.get(kind="community.event_promoted")
    assert (promoted.recipient, promoted.subject) == (
        "ben@example.org",
        f"A place opened up for you: {webinar.title}",
    )
    assert LINK in promoted.body_text
    assert "give your place back" in promoted.body_text
    assert _calendar(promoted).walk("VEVENT")[0].decoded("summary") == webinar.title
    trail = AuditEntry.objects.about(second).order_by("pk").last()
    assert (trail.from_status, trail.to_status, trail.actor_label) == (
        "waitlisted",
        "registered",
        "the waitlist (a place freed up)",
    )

    # Ben gives the place back: nobody is waiting, the place stays free.
    events.cancel_registration(second, by=ben)
    assert events.registered_count(webinar) == 0


def test_registering_twice_after_the_start_or_from_outside_is_refused():
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    upcoming = event(community)
    ana = _member(community)
    events.register(upcoming, ana)
    with pytest.raises(events.AlreadyRegistered, match="already registered"):
        events.register(upcoming, ana)
    with pytest.raises(events.EventError, match="for the members of"):
        events.register(upcoming, UserFactory())
    started = _past(community)
    with pytest.raises(events.EventError, match="has already begun"):
        events.register(started, ana)
    assert EventRegistration.objects.count() == 1


def test_anyone_signed_in_registers_for_a_public_communitys_event():
    public = event(CommunityFactory(visibility=Community.Visibility.PUBLIC))
    assert events.register(public, UserFactory()).status == Status.REGISTERED


def test_cancelling_someone_elses_place_or_after_the_start_is_refused():
    community = CommunityFactory()
    upcoming = event(community)
    ana = _member(community)
    place = events.register(upcoming, ana)
    with pytest.raises(events.EventError, match="Only the person"):
        events.cancel_registration(place, by=_member(community))
    Event.objects.filter(pk=upcoming.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(events.EventError, match="nothing to cancel"):
        events.cancel_registration(place, by=ana)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_twenty_people_pressing_register_for_the_last_place_at_once():
    community = CommunityFactory()
    webinar = event(community, capacity=3)
    for _ in range(2):
        events.register(webinar, _member(community))
    people = [_member(community) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def register(person):
        try:
            barrier.wait()
            outcomes.append(events.register(webinar, person).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [Status.REGISTERED] + [Status.WAITLISTED] * 19
    assert webinar.registrations.filter(status=Status.REGISTERED).count() == 3


# --- what people see -----------------------------------------------------------------------------


def test_the_online_link_is_never_rendered_for_someone_without_a_place(client):
    community = CommunityFactory()
    webinar = event(community, capacity=1)
    ana, ben, carla = _member(community), _member(community), _member(community)
    events.register(webinar, ana)
    events.register(webinar, ben)  # waitlisted
    for who, shown in ((ana, True), (ben, False), (carla, False), (_facilitator(community), True)):
        client.force_login(who)
        html = client.get(webinar.get_absolute_url()).content.decode()
        assert ("zq-room-link" in html) is shown, who
        ics = client.get(reverse("events:ics", kwargs={"pk": webinar.pk})).content.decode()
        assert ("zq-room-link" in ics) is shown, who
    client.logout()
    html = client.get(webinar.get_absolute_url()).content.decode()
    assert "zq-room-link" not in html
    assert "Sign in</a> to register" in html


def test_a_members_only_communitys_event_is_hidden_from_outsiders(client):
    hidden = event(CommunityFactory(visibility=Community.Visibility.MEMBERS, title="Closed CoP"))
    client.force_login(UserFactory())
    assert client.get(hidden.get_absolute_url()).status_code == 404
    listed = client.get(reverse("events:list")).content.decode()
    assert hidden.title not in listed


def test_registering_through_the_page_and_refusing_twice_with_a_message(client):
    community = CommunityFactory()
    webinar = event(community)
    client.force_login(_member(community))
    url = reverse("events:register", kwargs={"pk": webinar.pk})
    client.post(url)
    response = client.post(url, follow=True)
    assert "You are already registered for" in response.content.decode()
    assert webinar.registrations.count() == 1


def test_the_events_page_filters_and_its_queries_do_not_grow(client, django_assert_max_num_queries):
    region = CommunityFactory(title="Capital CoP")
    ecop = CommunityFactory(title="e-CoP", kind=Community.Kind.STATEWIDE)
    person = _member(region)
    client.force_login(person)
    event(region, title="Math meeting", kind="meeting")
    event(ecop, title="e-CoP webinar", kind="webinar", starts=timezone.now() + timedelta(days=40))
    url = reverse("events:list")

    def titles(**params):
        return [e.title for e in client.get(url, params).context["page"].object_list]

    assert titles() == ["Math meeting", "e-CoP webinar"]
    assert titles(community=ecop.pk) == ["e-CoP webinar"]
    assert titles(mode="in_person") == ["Math meeting"]
    assert titles(kind="webinar") == ["e-CoP webinar"]
    soon = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert titles(date_from=soon) == ["e-CoP webinar"]
    assert titles(date_to=soon) == ["Math meeting"]
    response = client.get(url, {"date_from": soon, "date_to": "2020-01-01"})
    assert response.context["form"].errors["date_to"] == ["The end of the range comes after its start."]
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(25):
        event(region, title=f"More {n}", dates=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_community_page_and_the_dashboard_show_upcoming_events(client):
    community = CommunityFactory()
    person = _member(community)
    upcoming = event(community, title="Next month's meeting", kind="meeting")
    _past(community, title="Last week's meeting")
    client.force_login(person)
    page = client.get(community.get_absolute_url()).content.decode()
    assert "Next month&#x27;s meeting" in page
    assert "Last week" not in page
    events.register(upcoming, person)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Next month&#x27;s meeting" in dashboard
    assert "you are registered" in dashboard


# --- calendar feeds ---------------------------------------------------------------------------------


def test_a_personal_feed_lists_my_events_with_links_and_can_be_revoked(client):
    community = CommunityFactory()
    ana = _member(community)
    mine = event(community, title="Mine, with; punctuation")
    event(community, title="Not mine")
    events.register(mine, ana)
    client.force_login(ana)
    client.post(reverse("events:calendars"), {"action": "new"})
    feed = CalendarFeed.objects.get(user=ana, community=None)
    client.logout()
    url = reverse("events:feed", kwargs={"token": feed.token})
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    [entry] = parsed.walk("VEVENT")
    assert entry.decoded("summary") == "Mine, with; punctuation"
    assert str(entry["LOCATION"]) == LINK
    assert entry.decoded("dtstart") == mine.starts_at

    client.force_login(ana)
    client.post(reverse("events:calendars"), {"action": "new"})  # a new address: the old one dies
    client.logout()
    assert client.get(url).status_code == 404
    fresh = CalendarFeed.objects.get(user=ana)
    assert client.get(reverse("events:feed", kwargs={"token": fresh.token})).status_code == 200
    client.force_login(ana)
    client.post(reverse("events:calendars"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("events:feed", kwargs={"token": fresh.token})).status_code == 404
    assert client.get(reverse("events:feed", kwargs={"token": "guessed-token-abc"})).status_code == 404


def test_a_community_feed_has_its_events_links_only_where_i_hold_a_place_and_dies_when_i_leave(client):
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    ana = _member(community)
    mine, other = event(community, title="Mine"), event(community, title="Other")
    events.register(mine, ana)
    feed = events.regenerate_feed(ana, community)
    url = reverse("events:feed", kwargs={"token": feed.token})
    entries = {e.decoded("summary"): e for e in Calendar.from_ical(client.get(url).content).walk("VEVENT")}
    assert set(entries) == {"Mine", "Other"}
    assert str(entries["Mine"]["LOCATION"]) == LINK
    assert "zq-room-link" not in entries["Other"].to_ical().decode()
    assert other.pk
    ana.community_memberships.all().delete()
    ana._community_member_cache = {}
    assert client.get(url).status_code == 404


def test_a_feed_for_a_community_one_cannot_read_is_refused():
    closed = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    with pytest.raises(events.EventError, match="you belong to"):
        events.regenerate_feed(UserFactory(), closed)


# --- reminders ---------------------------------------------------------------------------------------


def test_reminders_a_day_and_an_hour_before_go_once_each():
    community = CommunityFactory()
    now = timezone.now().replace(microsecond=0)
    tomorrow = event(community, starts=now + timedelta(hours=23), title="Tomorrow's webinar")
    soon = event(community, starts=now + timedelta(minutes=55), title="Soon")
    ana, ben = _member(community, email="ana@example.org"), _member(community, email="ben@example.org")
    for e in (tomorrow, soon):
        events.register(e, ana)
    events.register(soon, ben)
    OutboundEmail.objects.all().delete()
    assert events.send_reminders(now) == 3
    assert events.send_reminders(now + timedelta(minutes=10)) == 0
    sent = sorted(OutboundEmail.objects.values_list("recipient", "subject"))
    assert sent == [
        ("ana@example.org", "In an hour: Soon"),
        ("ana@example.org", "Tomorrow: Tomorrow's webinar"),
        ("ben@example.org", "In an hour: Soon"),
    ]
    # Twenty-two hours on, the day-before webinar is an hour away: its hour note goes, once.
    assert events.send_reminders(now + timedelta(hours=22, minutes=5)) == 1
    assert events.send_reminders(now + timedelta(hours=22, minutes=15)) == 0


def test_reminders_skip_the_waitlist_cancelled_events_and_scan_in_few_queries(django_assert_max_num_queries):
    community = CommunityFactory()
    now = timezone.now()
    full = event(community, starts=now + timedelta(hours=5), capacity=1)
    events.register(full, _member(community))
    events.register(full, _member(community))  # waitlisted
    off = event(community, starts=now + timedelta(hours=5))
    events.register(off, _member(community))
    Event.objects.filter(pk=off.pk).update(status=Event.Status.CANCELLED)
    with django_assert_max_num_queries(2):
        messages = events.reminder_messages(now)
    assert len(messages) == 1


# --- attendance, held, materials, survey -----------------------------------------------------------


def test_attendance_is_taken_once_the_date_began_and_can_be_taken_back():
    community = CommunityFactory()
    lead = _facilitator(community)
    held = event(community, starts=timezone.now() - timedelta(hours=3), dates=2, every_days=7)
    ana = _member(community)
    Event.objects.filter(pk=held.pk).update(starts_at=timezone.now() + timedelta(days=1))  # let her register
    held.refresh_from_db()
    place = events.register(held, ana)
    first, second = list(held.dates.all())
    events.set_present(first, place, present=True, by=lead)
    events.set_present(first, place, present=True, by=lead)  # a second tap changes nothing
    assert EventAttendance.objects.filter(registration=place).count() == 1
    with pytest.raises(events.EventError, match="not begun yet"):
        events.set_present(second, place, present=True, by=lead)
    with pytest.raises(events.EventError, match="facilitators"):
        events.set_present(first, place, present=True, by=ana)
    events.set_present(first, place, present=False, by=lead)
    assert not EventAttendance.objects.exists()
    actions = list(AuditEntry.objects.about(place).values_list("action", flat=True))
    assert actions == ["status:registered", "attendance:marked", "attendance:unmarked"]


def test_held_sends_the_survey_to_those_who_came(
    client, survey_instruments, django_capture_on_commit_callbacks
):
    community = CommunityFactory()
    lead = _facilitator(community)
    held = event(community, capacity=5)
    came, missed = _member(community), _member(community)
    places = [events.register(held, p) for p in (came, missed)]
    EventDateModel = held.dates.model
    EventDateModel.objects.filter(event=held).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    Event.objects.filter(pk=held.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    held.refresh_from_db()
    client.force_login(lead)
    date = held.dates.get()
    url = reverse("events:attendance", kwargs={"pk": held.pk})
    client.post(url, {"date": date.pk, "registration": places[0].pk, "present": "true"})
    assert list(EventAttendance.objects.values_list("registration", flat=True)) == [places[0].pk]
    page = client.get(url).content.decode()
    assert "1 of 2 marked present" in page
    response = client.post(reverse("events:held", kwargs={"pk": held.pk}), follow=True)
    assert "is marked held" in response.content.decode(), [str(m) for m in response.context["messages"]]
    held.refresh_from_db()
    assert held.status == Event.Status.HELD
    invited = list(Invitation.objects.values_list("email", "purpose"))
    assert invited == [(came.email, events.SURVEY)]
    assert OutboundEmail.objects.filter(kind="survey.invitation", recipient=came.email).count() == 1


def test_the_recording_and_slides_go_to_the_resources_in_one_step(client):
    community = CommunityFactory()
    lead = _facilitator(community)
    held = _past(community, title="Writing webinar")
    client.force_login(lead)
    url = reverse("events:materials", kwargs={"pk": held.pk})
    response = client.post(url, {"recording_url": "not a link"})
    assert response.context["form"].errors["recording_url"] == ["Enter a valid URL."]
    response = client.post(
        url, {"recording_url": "https://video.example.org/rec", "slides_url": "https://example.org/s.pdf"}
    )
    assert response.url == reverse("communities:resources", kwargs={"slug": community.slug})
    titles = sorted(Resource.objects.filter(community=community).values_list("title", "url"))
    assert titles == [
        ("Recording: Writing webinar", "https://video.example.org/rec"),
        ("Slides: Writing webinar", "https://example.org/s.pdf"),
    ]
    response = client.post(url, {"recording_url": "https://video.example.org/again"})
    assert response.context["form"].non_field_errors() == [
        "The materials of this event are already in the community's resources."
    ]
    assert Resource.objects.count() == 2


def test_cancelling_an_event_tells_everyone_with_a_cancelling_calendar(django_capture_on_commit_callbacks):
    community = CommunityFactory()
    webinar = event(community, capacity=1)
    for _ in range(2):
        events.register(webinar, _member(community))
    events.cancel_event(webinar, by=coordinator(), note="The presenter is ill.")
    told = OutboundEmail.objects.filter(kind="community.event_cancelled")
    assert told.count() == 2
    entry = _calendar(told.first()).walk("VEVENT")[0]
    assert str(entry["STATUS"]) == "CANCELLED"
    with pytest.raises(events.EventError, match="cancelled"):
        events.register(webinar, _member(community))


def test_attending_credits_the_dates_hours_once_and_unmarking_withdraws_them():
    from decimal import Decimal

    from portal.learning.models import Kind, LearningCredit

    community = CommunityFactory(topic="Math Instructional Strategies")
    lead = _facilitator(community)
    series = event(community, starts=timezone.now() + timedelta(days=1), hours=1.5, dates=2, every_days=1)
    ana = _member(community)
    place = events.register(series, ana)
    first, second = list(series.dates.all())
    now = timezone.now()
    type(first).objects.filter(pk=first.pk).update(
        starts_at=now - timedelta(hours=2), ends_at=now - timedelta(minutes=30)
    )
    first.refresh_from_db()
    events.set_present(first, place, present=True, by=lead)
    events.set_present(first, place, present=True, by=lead)
    credit = LearningCredit.objects.get(person=ana)
    assert (credit.hours, credit.on, credit.kind, credit.title, credit.topic, credit.community_id) == (
        Decimal("1.50"),
        timezone.localdate(first.starts_at),
        Kind.WEBINAR,
        series.title,
        "Math Instructional Strategies",
        community.pk,
    )
    with pytest.raises(events.EventError, match="not begun yet"):
        events.set_present(second, place, present=True, by=lead)  # no hours for a date to come
    assert LearningCredit.objects.count() == 1
    events.set_present(first, place, present=False, by=lead)
    assert not LearningCredit.objects.exists()


def test_the_backfill_credits_existing_attendance_and_can_run_again():
    from communities.learning import credit_all
    from portal.learning.models import Kind, LearningCredit

    community = CommunityFactory()
    meeting = _past(community, kind="meeting", hours=2)
    ana = _member(community)
    place = EventRegistration.objects.create(event=meeting, person=ana, status=Status.REGISTERED)
    EventAttendance.objects.create(registration=place, date=meeting.dates.get())
    assert credit_all() == 1
    assert credit_all() == 1
    assert list(LearningCredit.objects.values_list("person", "hours", "kind")) == [
        (ana.pk, 2, Kind.COMMUNITY_EVENT)
    ]
