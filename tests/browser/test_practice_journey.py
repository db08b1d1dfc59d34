"""Practice with a mentor, through the real UI: the coordinator pairs a certified trainer with a
participant of the module's next cohort (suggested by region); the participant adds the practice
facilitation she gave, on a phone; her mentor scores it on the module's rubric and writes
feedback, on a phone, and logs their meeting; the participant sees the named feedback and that
she has passed practice under the rubric's rule. Every page: axe-core clean and no sideways
scroll at 390 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from institutes.models import Application, Institute, PracticeResult
from tests import factories
from tests.browser.journey import PHONE, fits_the_phone
from tests.institutes.factories import (
    ApplicationFactory,
    InstituteFactory,
    SessionFactory,
    coordinator_of,
    rubric_for,
)
from tests.trainers.factories import CertificationFactory
from trainers import mentoring
from trainers.models import Mentorship

pytestmark = pytest.mark.browser


def test_participant_gets_rubric_feedback_from_her_mentor_and_passes_practice(journey, login_as, coordinator):
    step = journey.step
    today = timezone.localdate()

    # --- Arrange: the module's next cohort, under way, and a trainer who offered to mentor -------
    capital = factories.AgencyFactory(name="Sacramento City Unified School District", region="Capital")
    institute = InstituteFactory(
        title="Effective Teaching: Training of Trainers, fall cohort",
        status=Institute.Status.RUNNING,
        applications_open_at=timezone.now() - dt.timedelta(days=60),
        applications_close_at=timezone.now() - dt.timedelta(days=30),
    )
    coordinator_of(institute, coordinator)
    rubric_for(institute.module, by=coordinator)
    session = SessionFactory(institute=institute, title="Week 2", date=today - dt.timedelta(days=2))
    maria = factories.UserFactory(name="María López", email="maria@scusd.edu", agency=capital)
    application = ApplicationFactory(
        applicant=maria, institute=institute, agency=capital, status=Application.Status.ACCEPTED
    )
    tomas = factories.UserFactory(name="Tomás Reyes", email="tomas@egusd.net", agency=capital)
    CertificationFactory(participant=tomas, module=institute.module, issued_on=today - dt.timedelta(days=200))
    mentoring.offer_to_mentor(tomas, module=institute.module, region="Capital", capacity=2)
    far = factories.UserFactory(name="Grace Kim", agency=factories.AgencyFactory(region="Coast"))
    CertificationFactory(participant=far, module=institute.module, issued_on=today - dt.timedelta(days=200))
    mentoring.offer_to_mentor(far, module=institute.module, region="Coast", capacity=2)

    # --- 1. The coordinator pairs the mentor from the same region -------------------------------
    coord = login_as(journey.new_page(), coordinator)
    coord.goto(f"/institutes/{institute.slug}/roster/")
    coord.get_by_role("link", name="Mentors", exact=True).click()
    select = coord.get_by_label("Mentor for María López")
    # The suggestion from her region comes first.
    assert select.locator("option").first.inner_text().startswith("Tomás Reyes (Capital)")
    step(coord, "coordinator-pairs-mentor")
    coord.get_by_role("button", name="Pair").click()
    coord.get_by_text("Tomás Reyes now mentors María López.").wait_for()
    assert Mentorship.objects.active().get(application=application).mentor == tomas
    # The coordinator's pages of practice fit a phone too: pairing, the rubric, the cohort's list.
    coord.set_viewport_size(PHONE)
    for path, name in (
        (f"/trainers/mentoring/institutes/{institute.slug}/", "coordinator-paired-phone"),
        (f"/institutes/modules/{institute.module.slug}/rubric/", "coordinator-rubric-phone"),
        (f"/institutes/{institute.slug}/practice/", "coordinator-practice-list-phone"),
    ):
        coord.goto(path)
        assert fits_the_phone(coord), path
        step(coord, name)

    # --- 2. The participant adds the practice facilitation she gave, on a phone -----------------
    participant = login_as(journey.new_page(), maria)
    participant.set_viewport_size(PHONE)
    participant.goto(f"/institutes/applications/{application.pk}/")
    participant.get_by_role("link", name="Your practice facilitations, scores and feedback").click()
    assert "Not scored yet" in participant.locator("main").inner_text()
    participant.get_by_label("Topic").fill("Opening: why adults come back to learning")
    participant.get_by_label("Session").select_option(
        label=f"{session.date:%B} {session.date.day}, {session.date.year}: Week 2"
    )
    assert fits_the_phone(participant)
    step(participant, "participant-adds-practice")
    participant.get_by_role("button", name="Add the facilitation").click()
    participant.get_by_text("Practice facilitation added").wait_for()

    # --- 3. The mentor scores it on the rubric and logs their meeting, on a phone --------------
    mentor = login_as(journey.new_page(), tomas)
    mentor.set_viewport_size(PHONE)
    mentor.goto("/dashboard/")
    mentor.get_by_role("link", name="Mentoring", exact=True).click()
    step(mentor, "mentor-mentoring")
    mentor.get_by_role("link", name="María López").click()
    assert fits_the_phone(mentor)
    step(mentor, "mentor-mentee")
    mentor.get_by_role("link", name=re.compile("score it")).click()
    assert "as mentor" in mentor.locator("main").inner_text()
    for criterion in ("Opening and purpose", "Questions that invite talk", "Timing and pace"):
        group = mentor.get_by_role("group", name=re.compile(f"^{criterion}"))
        group.get_by_role("radio", name=re.compile(r"^3: ")).check()
    mentor.get_by_label("Your feedback").fill("Your questions had everyone talking, and you kept to time.")
    assert fits_the_phone(mentor)
    step(mentor, "mentor-scores")
    mentor.get_by_role("button", name="Save scores and feedback").click()
    mentor.get_by_text("Your scores and feedback for María López are saved.").wait_for()
    mentor.go_back()
    mentor.go_back()
    mentor.reload()
    mentor.get_by_label("Date").fill(today.isoformat())
    mentor.get_by_label("Notes").fill("Planned her first turnkey training together.")
    mentor.get_by_role("button", name="Log the meeting").click()
    mentor.get_by_text("Meeting logged.").wait_for()
    assert fits_the_phone(mentor)
    step(mentor, "mentor-meeting-logged")

    # --- 4. The participant sees the named feedback and has passed practice ---------------------
    participant.reload()
    main = participant.locator("main").inner_text()
    assert "Passed" in main
    assert "Tomás Reyes" in main
    assert "Your questions had everyone talking, and you kept to time." in main
    assert fits_the_phone(participant)
    step(participant, "participant-passed")
    assert PracticeResult.objects.get(application=application).result == PracticeResult.Result.PASSED

    # The roster no longer lists practice among what she lacks.
    coord.goto(f"/institutes/{institute.slug}/roster/")
    assert "Practice facilitation not" not in coord.locator("main").inner_text()

    assert journey.violations == []
    assert journey.js_errors == []
