"""A turnkey training end to end, through the real UI in Chromium (issue 14, "Checked by").

A certified trainer plans a training and opens it for registration; a visitor registers from the
flyer's QR link and gets the .ics; on the day the trainer takes attendance on a phone and adds a
walk-in; once it has taken place the training is marked held; the participant answers the
post-training survey from the daily scan's invitation; the facilitation report comes prefilled, a
coordinator verifies it and the commitment is fulfilled; and the reach and impact dashboard moves
by exactly one training held and by the two educators who came.

The world (a hand-built impact world, so the figures start above zero, and the trainer's
certification) is arranged with factories; time passes by moving the session's row between steps.
Every new page is screenshotted and checked with axe-core, asserted once at the end.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import icalendar
from django.utils import timezone

from portal.surveys.models import Question
from tests import factories
from tests.browser.journey import PHONE, fits_the_phone, link_in_email, newest_email, relative
from tests.institutes.factories import coordinator_of
from tests.trainers.factories import certified_trainer
from tests.trainers.impact_factories import impact_world
from trainers.models import FacilitationReport, Registration, TrainingSession, TurnkeyTraining
from trainers.tasks import scan_reminders

ANA = "ana.torres@example.org"


def _chain(page) -> dict[str, int]:
    """The dashboard's counts as the page shows them: {"Trainings held": 3, ...} and the survey's."""
    page.goto("/trainers/impact/")
    figures = {}
    for item in page.locator(".impact-chain li:not(.multiplier)").all():
        number = item.locator(".number").inner_text()
        figures[item.inner_text().removeprefix(number).strip()] = int(number.replace(",", ""))
    survey = page.locator("section[aria-labelledby=chain-title]").get_by_text("Survey:").inner_text()
    figures["Survey responses"] = int(re.match(r"Survey: ([\d,]+) response", survey)[1].replace(",", ""))
    return figures


def _move_session(training: TurnkeyTraining, starts_at: datetime, ends_at: datetime) -> None:
    """Time passes: the training's one session (and the training's own span) moves."""
    TrainingSession.objects.filter(training=training).update(starts_at=starts_at, ends_at=ends_at)
    TurnkeyTraining.objects.filter(pk=training.pk).update(starts_at=starts_at, ends_at=ends_at)


def test_a_turnkey_training_from_plan_to_impact(page, journey, login_as):
    step = journey.step
    world = impact_world()
    trainer, certification = certified_trainer(
        world["m1"], days_ago=200, name="Rosa Delgado", agency=world["alder"]
    )
    # Cora coordinates the module's institute: she verifies the reports on its module.
    coordinator = coordinator_of(
        world["i1"], factories.with_totp(factories.coordinator(name="Cora Coordinator"))
    )
    tomorrow = timezone.localdate() + timedelta(days=1)

    login_as(page, coordinator)
    before = _chain(page)
    step(page, "impact-before")

    # --- 1. The trainer plans the training and opens it for registration ------------------------
    login_as(page, trainer)
    page.goto("/trainers/trainings/")
    page.get_by_role("link", name="Plan a training").first.click()
    assert page.get_by_label("Module").input_value() == str(certification.pk)
    page.get_by_label("Title").fill("Math Strategies in Elk Grove")
    page.get_by_label("Audience").fill("Math teachers of adult learners")
    page.get_by_label("Date of the first session").fill(tomorrow.isoformat())
    page.get_by_label("Starts at").fill("09:00")
    page.get_by_label("Ends at").fill("12:00")
    page.get_by_label("School or site").fill("Alder Adult School, room 12")
    page.get_by_label("Address").fill("9 Alder Street, Elk Grove")
    page.get_by_label("Capacity").fill("20")
    step(page, "plan-form")
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_text("Your training is saved as a draft.").wait_for()
    step(page, "training-draft")
    page.get_by_role("button", name="Open for registration").click()
    page.get_by_role("link", name="Flyer with QR code").wait_for()
    training = TurnkeyTraining.objects.get(trainer=trainer)
    assert training.status == TurnkeyTraining.Status.PUBLISHED
    session = training.sessions.get()
    assert timezone.localtime(session.starts_at).time() == time(9, 0)
    step(page, "training-published")
    page.get_by_role("link", name="Flyer with QR code").click()
    short_url = page.locator(".flyer-url").inner_text()
    assert relative(short_url) == training.get_public_url()
    page.wait_for_function(
        "() => document.querySelector('img.flyer-qr').naturalWidth > 0"
    )  # the QR code drew
    step(page, "flyer")

    # --- 2. A visitor (not signed in) finds it, opens the QR link and registers -----------------
    visitor = journey.new_page()
    visitor.goto("/trainings/find/")
    visitor.get_by_role("link", name="Math Strategies in Elk Grove").wait_for()
    step(visitor, "find-trainings")
    visitor.goto(relative(short_url))
    visitor.get_by_label("Your name").fill("Ana Torres")
    visitor.get_by_label("Your e-mail address").fill(ANA)
    visitor.get_by_label("Your agency", exact=True).select_option(label="Alder Adult School (Capital)")
    visitor.get_by_label("Your role").select_option(Registration.Role.TEACHER)
    step(visitor, "public-page")
    visitor.get_by_role("button", name="Register").click()
    visitor.get_by_text(
        f"You are registered. We sent a confirmation with a calendar file to {ANA}."
    ).wait_for()
    step(visitor, "registered")
    ana = Registration.objects.get(training=training, email=ANA)
    confirmation = newest_email(ANA, "trainers.registration_confirmed")
    (ics,) = [a for a in confirmation.attachments if a["filename"].endswith(".ics")]
    (event,) = icalendar.Calendar.from_ical(ics["content"]).walk("VEVENT")
    assert event.decoded("dtstart") == session.starts_at

    # --- 3. On the day, the trainer takes attendance on a phone ----------------------------------
    now = timezone.now()
    _move_session(training, now - timedelta(minutes=10), now + timedelta(hours=2, minutes=50))
    page.set_viewport_size(PHONE)
    page.goto(training.get_absolute_url())
    page.get_by_role("link", name="Attendance on the day").click()
    assert fits_the_phone(page)
    step(page, "roster")
    page.locator(f"#registration-{ana.pk} button").click()
    page.locator(f'#registration-{ana.pk} button[aria-pressed="true"]').wait_for()
    page.get_by_role("link", name="Add a walk-in").click()
    page.get_by_label("Full name").fill("Walter Inman")
    page.get_by_label("E-mail").fill("walter.inman@example.org")
    page.get_by_label("Agency (if not in the list)").fill("Riverside Adult School")
    page.get_by_label("Role").select_option(Registration.Role.TEACHER)
    assert fits_the_phone(page)
    step(page, "walk-in")
    page.get_by_role("button", name="Add and mark present").click()
    page.get_by_text("Walter Inman is on the roster and marked present.").wait_for()
    assert page.locator('button[aria-pressed="true"]').count() == 2
    assert fits_the_phone(page)
    step(page, "roster-two-present")

    # --- 4. The session is over: the trainer marks the training held ----------------------------
    now = timezone.now()
    _move_session(training, now - timedelta(hours=3, minutes=10), now - timedelta(minutes=10))
    page.reload()
    page.get_by_role("button", name="Mark the training held").click()
    page.get_by_role("link", name="Write the facilitation report").wait_for()
    assert fits_the_phone(page)
    training.refresh_from_db()
    assert training.status == TurnkeyTraining.Status.HELD

    # --- 5. The day after, the participant answers the survey from the invitation ---------------
    session.refresh_from_db()
    scan_reminders(now=session.ends_at + timedelta(days=1))
    visitor.set_viewport_size(PHONE)
    visitor.goto(relative(link_in_email(ANA, "survey.invitation", "/surveys/")))
    assert fits_the_phone(visitor)
    step(visitor, "survey")
    questions = Question.objects.filter(instrument__key="turnkey-post", instrument__version=1)
    for question in questions.filter(kind=Question.Kind.LIKERT):
        visitor.check(f'input[name="{question.field_name}"][value="5"]')
    quotable = questions.get(quotable=True)
    visitor.fill(f"#id_{quotable.field_name}", "The number line warm-up, with my Tuesday class.")
    visitor.get_by_role("button", name="Send my answers").click()
    visitor.wait_for_url("**/surveys/thanks/")
    step(visitor, "survey-thanks")

    # --- 6. The report comes prefilled; a coordinator verifies it; the commitment is fulfilled ---
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Write the facilitation report").click()
    assert page.get_by_label("First day of the training").input_value() == (
        timezone.localdate(session.starts_at).isoformat()
    )
    assert page.get_by_label("Number of participants").input_value() == "2"
    assert page.get_by_label("Hours of training you facilitated").input_value() in ("3", "3.0", "3.00")
    page.get_by_label("Reflection").fill("The number line warm-up worked; the walk-in joined right in.")
    step(page, "report-form")
    page.get_by_role("button", name="File the report").click()
    page.get_by_text("your report is filed").wait_for()
    report = FacilitationReport.objects.get(trainer=trainer)
    assert (report.participants_count, report.hours, report.training.pk) == (2, 3, training.pk)

    login_as(page, coordinator)
    page.goto("/trainers/reports/queue/")
    page.get_by_role("link", name="Rosa Delgado").click()
    step(page, "report-review")
    page.get_by_role("button", name="Verify the report").click()
    page.get_by_text("is verified").first.wait_for()

    login_as(page, trainer)
    page.goto("/dashboard/")
    page.get_by_text("✓ Fulfilled").wait_for()
    step(page, "commitment-fulfilled")

    # --- 7. The dashboard moves by one training held and the two educators who came -------------
    login_as(page, coordinator)
    after = _chain(page)
    page.wait_for_selector("figure[data-chart] canvas", state="attached")
    step(page, "impact-after")
    moved = {label: after[label] - before[label] for label in before}
    assert moved == {
        "Certified trainers": 0,  # Rosa was certified before the figures were first read
        "Commitments fulfilled": 1,
        "Trainings held": 1,
        "Educators reached": 2,  # Ana and the walk-in
        "Agencies reached": 0,  # Alder and Riverside Adult School were reached before
        "Survey responses": 1,
    }, (before, after)

    visitor.set_viewport_size({"width": 1280, "height": 900})
    visitor.goto("/impact/")
    step(visitor, "public-impact")

    # --- 8. No serious or critical axe-core violation anywhere, no script error ------------------
    assert journey.violations == []
    assert journey.js_errors == []
    assert page.js_errors == []
