"""At a phone's width (390 px): what people would rather see than read, and what they tap.

The attendance choices are buttons at least 44 px tall, with the roster's completion as a bar;
the review queue's row checkboxes are large with a clear edge; the participant's progress is a
stepper (an ordered list, the next step marked aria-current="step"); a trainer's commitment shows
its days left as a bar; the report queue and the overview fit without a scroll box.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from institutes.models import Application
from tests.browser.journey import PHONE, fits_the_phone
from tests.institutes.factories import ApplicationFactory, InstituteFactory, SessionFactory, coordinator_of
from tests.trainers.factories import ReportFactory, certified_trainer, coordinating

pytestmark = pytest.mark.browser


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_coordinator_pages_tap_and_read_at_a_glance_on_a_phone(page, login_as, coordinator, axe):
    institute = InstituteFactory(title="Math Strategies ToT")
    coordinator_of(institute, coordinator)
    session = SessionFactory(institute=institute, date=timezone.localdate() - dt.timedelta(days=1))
    for name in ("Ana Ruiz", "Ben Okafor", "Chloe Park"):
        ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED, applicant__name=name)
    ApplicationFactory(institute=institute, status=Application.Status.SUBMITTED)
    trainer, _ = certified_trainer(institute.module, name="Tess Trainer")
    ReportFactory(trainer=trainer, module=institute.module)
    coordinating(coordinator, institute.module)
    page.set_viewport_size(PHONE)
    login_as(page, coordinator)

    page.goto(f"/institutes/sessions/{session.pk}/attendance/")
    assert page.get_by_text("0 of 3 participants marked").is_visible()
    choice = page.locator("label.attendance-choice").first
    assert choice.bounding_box()["height"] >= 44
    choice.click()  # the label is the tap target: it checks its radio
    assert page.locator("label.attendance-choice input").first.is_checked()
    page.locator("fieldset").nth(1).get_by_label("Partly present", exact=True).check()  # by its name too
    page.get_by_role("button", name="Save attendance").click()
    assert page.get_by_text("2 of 3 participants marked").is_visible()
    assert fits_the_phone(page)
    assert axe(page) == []

    page.goto(f"/institutes/{institute.slug}/review/")
    box = page.locator("input.row-check").first
    assert box.bounding_box()["height"] >= 24
    assert box.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)") >= 2

    for path in ("/trainers/reports/queue/", "/trainers/overview/", "/trainers/commitments/"):
        page.goto(path)
        assert fits_the_phone(page), path
        assert axe(page) == [], path


def test_participant_and_trainer_see_their_progress_as_pictures_on_a_phone(page, login_as, axe):
    institute = InstituteFactory(title="Reading ToT")
    application = ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED)
    trainer, _ = certified_trainer(days_ago=320, name="Tess Trainer")
    page.set_viewport_size(PHONE)

    login_as(page, application.applicant)
    page.goto("/dashboard/")
    stepper = page.locator("ol.stepper").first
    assert stepper.locator("li").count() == 6
    current = stepper.locator('li[aria-current="step"]')
    assert current.count() == 1
    assert current.is_visible()
    assert "Attended (next)" in current.inner_text()
    # One step per line on a phone: the marks sit under one another.
    marks = stepper.locator(".stepper-mark")
    assert marks.nth(1).bounding_box()["y"] > marks.nth(0).bounding_box()["y"]
    assert fits_the_phone(page)
    assert axe(page) == []

    login_as(page, trainer)
    page.goto("/dashboard/")
    bar = page.locator(".days-left-bar").first
    assert bar.get_attribute("aria-valuetext") == "45 days left"
    assert bar.is_visible()
    assert fits_the_phone(page)
    assert axe(page) == []
