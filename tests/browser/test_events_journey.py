"""A community webinar end to end, through the real UI in Chromium (issue 16, "Checked by").

A facilitator schedules a webinar with one place; two members register and the second is
waitlisted; the first gives the place back and the waitlisted one moves up and is told by e-mail;
both calendar files parse; on the day the facilitator takes attendance on a phone and marks the
webinar held, and Ben's hour and a half reaches his learning transcript; afterwards the recording
lands in the community's resources in one step.

Time passes by moving the event's date between steps. Every page is screenshotted and checked
with axe-core (asserted once at the end), and the phone-sized pages must not scroll sideways.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import icalendar
from django.urls import reverse
from django.utils import timezone

from communities.models import Event, EventDate, EventRegistration, Resource
from portal.learning.models import LearningCredit
from portal.surveys.models import Invitation
from tests.browser.journey import PHONE, fits_the_phone, newest_email
from tests.communities.factories import CommunityFactory, FacilitatorFactory, MembershipFactory
from tests.factories import UserFactory

LINK = "https://meet.example.org/capital-math-webinar"


def _ics(email) -> icalendar.Calendar:
    (attachment,) = [a for a in email.attachments if a["filename"].endswith(".ics")]
    return icalendar.Calendar.from_ical(attachment["content"])


def test_a_webinar_with_a_waitlist_from_scheduling_to_the_recording(
    page, journey, login_as, survey_instruments, mailoutbox
):
    step = journey.step
    community = CommunityFactory(title="Capital Region Math CoP")
    lead = FacilitatorFactory(community=community, user=UserFactory(name="Tomás Reyes")).user
    ana = MembershipFactory(
        community=community, user=UserFactory(name="Ana Torres", email="ana@example.org")
    ).user
    ben = MembershipFactory(
        community=community, user=UserFactory(name="Ben Whitaker", email="ben@example.org")
    ).user
    day = timezone.localdate() + timedelta(days=3)

    # --- 1. The facilitator schedules a webinar with one place ------------------------------------
    login_as(page, lead)
    page.goto(community.get_absolute_url())
    page.get_by_role("link", name="Schedule an event").click()
    page.get_by_label("Title").fill("Fractions, decimals; and percents")
    page.get_by_label("How people take part").select_option("webinar")
    page.get_by_label("Online meeting link").fill(LINK)
    page.get_by_label("Capacity").fill("1")
    page.get_by_label("Date (the first, for a series)").fill(day.isoformat())
    page.get_by_label("Starts at").fill("15:30")
    page.get_by_label("Ends at").fill("17:00")
    step(page, "event-form")
    page.get_by_role("button", name="Schedule the event").click()
    page.get_by_text("is scheduled. Members can now register.").wait_for()
    step(page, "event-scheduled")
    event = Event.objects.get()
    assert (event.capacity, event.kind, event.online_link) == (1, "webinar", LINK)

    # --- 2. Two members register; the second is waitlisted and does not see the link ----------
    login_as(page, ana)
    page.set_viewport_size(PHONE)
    page.goto("/events/")
    assert fits_the_phone(page)
    step(page, "events-page-phone")
    page.get_by_role("link", name="Fractions, decimals; and percents").click()
    page.get_by_role("button", name="Register").click()
    page.get_by_text("You are registered. A confirmation with a calendar file is on its way.").wait_for()
    assert page.get_by_role("link", name=LINK).is_visible()
    assert fits_the_phone(page)
    step(page, "ana-registered")

    login_as(page, ben)
    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_text("The event is full, so you are on the waitlist.").wait_for()
    assert LINK not in page.content()
    step(page, "ben-waitlisted")

    # --- 3. Ana gives her place back; Ben moves up and is told ------------------------------------
    login_as(page, ana)
    page.goto(event.get_absolute_url())
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Give my place back").click()
    page.get_by_text("You gave your place back.").wait_for()
    step(page, "ana-gave-place-back")
    statuses = dict(EventRegistration.objects.values_list("person__email", "status"))
    assert statuses == {"ana@example.org": "cancelled", "ben@example.org": "registered"}
    promoted = newest_email("ben@example.org", "community.event_promoted")
    assert promoted.subject == "A place opened up for you: Fractions, decimals; and percents"
    assert LINK in promoted.body_text
    # It was delivered: the outbox holds it, with its calendar file attached.
    (told,) = [m for m in mailoutbox if m.subject == promoted.subject]
    assert told.to == ["ben@example.org"]
    assert [(name, kind) for name, _, kind in told.attachments] == [
        (f"event-{event.pk}.ics", "text/calendar")
    ]

    # Both calendar files parse, in the portal's zone, with the title intact.
    confirmation = newest_email("ana@example.org", "community.event_registered")
    for email in (confirmation, promoted):
        (entry,) = _ics(email).walk("VEVENT")
        assert entry.decoded("summary") == "Fractions, decimals; and percents"
        assert timezone.localtime(entry.decoded("dtstart")).date() == day
        assert (entry.decoded("dtstart").hour, entry.decoded("dtstart").minute) == (15, 30)
        assert str(entry["LOCATION"]) == LINK

    login_as(page, ben)
    page.goto(event.get_absolute_url())
    assert page.get_by_role("link", name=LINK).is_visible()
    step(page, "ben-holds-a-place")

    # --- 4. The day comes: attendance on a phone, then held -------------------------------------
    now = timezone.now()
    EventDate.objects.filter(event=event).update(
        starts_at=now - timedelta(minutes=95), ends_at=now - timedelta(minutes=5)
    )
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(minutes=95), ends_at=now - timedelta(minutes=5)
    )
    ben_place = EventRegistration.objects.get(person=ben)
    login_as(page, lead)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Take attendance").click()
    assert fits_the_phone(page)
    step(page, "roster")
    page.locator(f"#registration-{ben_place.pk} button").click()
    page.locator(f'#registration-{ben_place.pk} button[aria-pressed="true"]').wait_for()
    assert page.get_by_text("1 of 1 marked present").is_visible()
    step(page, "roster-ben-present")
    page.get_by_role("button", name="Mark the event held").click()
    page.get_by_text("is marked held").wait_for()
    step(page, "event-held")
    event.refresh_from_db()
    assert event.status == Event.Status.HELD
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ben@example.org"]
    # Ben's hour and a half is on his professional-learning transcript.
    credit = LearningCredit.objects.get(person=ben)
    assert (credit.hours, credit.title) == (Decimal("1.50"), "Fractions, decimals; and percents")

    # --- 5. The recording goes to the community's resources in one step ---------------------------
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Share the recording and slides").click()
    page.get_by_label("Link to the recording").fill("https://video.example.org/fractions")
    step(page, "materials-form")
    page.get_by_role("button", name="Share in the resources").click()
    page.get_by_text("Shared in Capital Region Math CoP's resources").wait_for()
    assert page.get_by_role("link", name="Recording: Fractions, decimals; and percents").count() >= 1
    step(page, "resources-with-recording")
    assert list(Resource.objects.values_list("title", "url")) == [
        ("Recording: Fractions, decimals; and percents", "https://video.example.org/fractions")
    ]

    login_as(page, ben)
    page.goto(reverse("learning:transcript"))
    assert page.get_by_text("Fractions, decimals; and percents").first.is_visible()
    step(page, "ben-transcript")

    assert journey.violations == []
    assert journey.js_errors == []
    assert page.js_errors == []
