"""The day of a turnkey training on a phone: the trainer takes attendance with taps, adds a
walk-in and shows the code; a participant checks in with it; the training is marked held and
its report is filed prefilled."""

from datetime import timedelta

from django.utils import timezone

from tests.browser.journey import PHONE, fits_the_phone
from tests.trainers.training_factories import RegistrationFactory, SessionFactory, TrainingFactory
from trainers.models import FacilitationReport, SessionAttendance, TurnkeyTraining


def test_trainer_takes_attendance_on_a_phone_and_files_the_report(page, login_as, shot, axe):
    start = timezone.now() - timedelta(minutes=10)
    training = TrainingFactory(sessions=0, title="Math strategies at Hill Adult School")
    session = SessionFactory(training=training, starts_at=start, ends_at=start + timedelta(hours=2))
    TurnkeyTraining.objects.filter(pk=training.pk).update(
        starts_at=session.starts_at, ends_at=session.ends_at
    )
    ana = RegistrationFactory(training=training, name="Ana Lopez", email="ana@example.org")
    RegistrationFactory(training=training, name="Ben Okafor")
    RegistrationFactory(training=training, name="Chidi Moreno-Castellanos de la Vega", other_agency="A" * 60)
    page.set_viewport_size(PHONE)
    login_as(page, training.trainer)

    page.goto(f"/trainers/trainings/{training.pk}/roster/")
    assert fits_the_phone(page)
    assert axe(page) == []
    row = page.locator(f"#registration-{ana.pk} button")
    row.click()
    page.locator(f'#registration-{ana.pk} button[aria-pressed="true"]').wait_for()
    assert page.locator("#roster-count").inner_text().startswith("1 present of 3 registered")
    assert SessionAttendance.objects.filter(session=session, registration=ana).count() == 1
    shot(page, "roster after a tap")

    page.get_by_role("link", name="Add a walk-in").click()
    page.get_by_label("Full name").fill("Walter Inman")
    page.get_by_label("E-mail").fill("walter@example.org")
    page.get_by_label("Agency (if not in the list)").fill("Riverside Adult School")
    page.get_by_label("Role").select_option("teacher")
    assert fits_the_phone(page)
    page.get_by_role("button", name="Add and mark present").click()
    page.get_by_text("Walter Inman is on the roster and marked present.").wait_for()
    assert page.locator('button[aria-pressed="true"]').count() == 2

    page.get_by_role("link", name="Show the check-in code").click()
    assert page.locator(".room-code").inner_text() == session.check_in_code
    assert fits_the_phone(page)
    assert axe(page) == []
    shot(page, "room display")

    visitor = page.context.browser.new_context(base_url=page.url.split("/trainers/")[0], viewport=PHONE)
    phone = visitor.new_page()
    phone.goto(f"/t/{training.short_code}/check-in/?code={session.check_in_code}")
    assert axe(phone) == []
    assert fits_the_phone(phone)
    phone.get_by_label("E-mail").fill("ANA@example.org")
    shot(phone, "check-in")
    phone.get_by_role("button", name="Check in").click()
    phone.get_by_role("heading", name="You are checked in").wait_for()
    visitor.close()

    page.goto(f"/trainers/trainings/{training.pk}/roster/")
    page.get_by_role("button", name="Mark the training held").click()
    page.get_by_role("link", name="Write the facilitation report").click()
    assert page.get_by_label("Number of participants").input_value() == "2"
    assert fits_the_phone(page)
    page.get_by_label("Reflection").fill("The number line activity worked well.")
    page.get_by_role("button", name="File the report").click()
    page.get_by_text("your report is filed").wait_for()
    report = FacilitationReport.objects.get()
    assert (report.participants_count, report.hours, report.training.pk) == (2, 2, training.pk)
    shot(page, "report filed")
    assert page.js_errors == []
