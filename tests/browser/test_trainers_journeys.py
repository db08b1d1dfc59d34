"""Trainers journeys in Chromium: certifying a roster, verifying a code, a report that fulfils the
commitment, and an honorarium from request to payment and the CSV export.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import coordinator_of
from tests.trainers.factories import (
    RateFactory,
    ReportFactory,
    certified_trainer,
    completed_institute,
    coordinating,
)
from trainers import services
from trainers.models import Certification, FacilitationReport, Honorarium

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


def staff_with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def _coordinator():
    from tests.factories import coordinator

    return staff_with_totp(coordinator(name="Marcela Movit"))


def _finance():
    from tests.factories import finance

    return staff_with_totp(finance(name="Farah Nguyen"))


def test_coordinator_certifies_a_roster(page, login_as, shot, axe):
    institute, done, (absent,) = completed_institute(
        participants=2, incomplete=1, title="Effective Teaching ToT"
    )
    coordinator = coordinator_of(institute, _coordinator())
    login_as(page, coordinator)
    page.goto(f"/trainers/institutes/{institute.pk}/certify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Certify trainers")
    expect(page.get_by_text("Absent from the session on")).to_be_visible()
    shot(page, "roster-before")
    assert axe(page) == []
    page.get_by_role("button", name="Certify all 2 who completed").click()
    expect(page.get_by_text("Certified 2:")).to_be_visible()
    expect(page.get_by_text("Not certified yet, because they have not completed:")).to_contain_text(
        absent.display_name
    )
    shot(page, "roster-certified")
    assert set(Certification.objects.values_list("participant", flat=True)) == {u.pk for u in done}
    page.get_by_role("link", name="Certified").first.click()
    expect(page.locator(".certificate")).to_contain_text("Certificate of Trainer Certification")
    shot(page, "certificate")
    assert page.js_errors == []


def test_visitor_verifies_a_code(page, shot, axe):
    _, active = certified_trainer(name="Grace Kim")
    _, revoked = certified_trainer(name="Ben Whitaker")
    services.revoke_certification(revoked, by=None, reason="Issued by mistake")
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Verify a trainer certificate").click()
    page.get_by_label("Certificate code").fill(active.code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status").first).to_contain_text("Active certificate")
    expect(page.locator("[data-field=trainer]")).to_have_text("Grace Kim")
    expect(page.locator("[data-field=module]")).to_have_text(active.module.title)
    shot(page, "verified-active")
    assert axe(page) == []
    page.get_by_label("Certificate code").fill(revoked.code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status").first).to_contain_text("Revoked certificate")
    expect(page.get_by_text("Issued by mistake")).to_have_count(0)
    shot(page, "verified-revoked")
    assert page.js_errors == []
    page.get_by_label("Certificate code").fill("not-a-real-code")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("We found no certificate")).to_be_visible()  # served with status 404


def test_trainer_reports_coordinator_verifies_commitment_fulfilled(page, login_as, shot, axe, tmp_path):
    agency = AgencyFactory(name="Elk Grove Unified School District")
    trainer, certification = certified_trainer(days_ago=320, name="Tomás Reyes", agency=agency)
    colleague, _ = certified_trainer(certification.module, name="Grace Kim")
    login_as(page, trainer)
    page.goto("/dashboard/")
    expect(page.get_by_text("Due soon")).to_be_visible()
    expect(page.locator("[data-field=days-left]")).to_contain_text("45 days left")
    page.get_by_role("link", name="Report a training").click()
    page.get_by_label("Module").select_option(label=certification.module.title)
    page.get_by_label("First day of the training").fill(
        (timezone.localdate() - timedelta(days=5)).isoformat()
    )
    page.get_by_label("Hours of training you facilitated").fill("3")
    page.get_by_label("My own agency").check()
    page.get_by_label("Audience").fill("ESL teachers")
    page.get_by_label("Number of participants").fill("16")
    page.get_by_label("Grace Kim").check()
    agenda = tmp_path / "agenda.pdf"
    agenda.write_bytes(PDF)
    sheet = tmp_path / "sign-in.csv"
    sheet.write_text("name,agency\nAna Torres,SCUSD\n")
    page.get_by_label("Agenda").set_input_files(str(agenda))
    page.get_by_label("Sign-in sheet").set_input_files(str(sheet))
    page.get_by_label("Reflection").fill("The lesson-planning activity went well.")
    shot(page, "report-form")
    page.get_by_role("button", name="File the report").click()
    expect(page.get_by_text("your report is filed")).to_be_visible()
    expect(page.locator("[data-field=status]")).to_have_text("Waiting for review")
    shot(page, "report-filed")

    coordinator = coordinating(_coordinator(), certification.module)  # coordinates the module's institute
    login_as(page, coordinator)
    page.goto("/trainers/reports/queue/")
    page.get_by_role("link", name="Tomás Reyes").click()
    assert axe(page) == []
    page.get_by_role("button", name="Verify the report").click()
    expect(page.get_by_text("is verified")).to_be_visible()
    page.goto("/trainers/commitments/?state=fulfilled")
    expect(page.get_by_role("row")).to_have_count(3)  # header, Tomás and his co-facilitator Grace
    shot(page, "commitments-fulfilled")

    login_as(page, trainer)
    page.goto("/dashboard/")
    expect(page.get_by_text("✓ Fulfilled")).to_be_visible()
    shot(page, "dashboard-fulfilled")
    report = FacilitationReport.objects.get()
    assert report.status == FacilitationReport.Status.VERIFIED
    assert list(report.co_facilitators.all()) == [colleague]
    assert page.js_errors == []


def test_honorarium_requested_approved_paid_and_exported(page, login_as, shot, axe):
    trainer, certification = certified_trainer(name="Tomás Reyes")
    RateFactory(module=certification.module, amount=Decimal("312.50"))
    report = ReportFactory(
        trainer=trainer, module=certification.module, status=FacilitationReport.Status.VERIFIED
    )
    login_as(page, trainer)
    page.goto(report.get_absolute_url())
    page.get_by_role("button", name="Request my honorarium").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Honorarium: $312.50")
    expect(page.locator("[data-field=status]")).to_have_text("Requested")
    shot(page, "honorarium-requested")

    login_as(page, coordinating(_coordinator(), certification.module))
    page.goto("/trainers/honoraria/")
    page.get_by_role("link", name="Review for Tomás Reyes").click()
    page.get_by_role("button", name="Approve $312.50").click()
    expect(page.get_by_text("is approved")).to_be_visible()
    shot(page, "honorarium-approved")

    login_as(page, _finance())
    page.goto("/trainers/honoraria/")
    assert axe(page) == []
    page.get_by_role("link", name="Record payment for Tomás Reyes").click()
    page.get_by_label("Payment reference").fill("CHK-1042")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_text("is marked paid")).to_be_visible()
    shot(page, "honorarium-paid")
    today = timezone.localdate().isoformat()
    page.get_by_label("Approved from").fill(today)
    page.get_by_label("Approved until").fill(today)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert [(r["trainer"], r["amount"], r["status"], r["payment reference"]) for r in rows] == [
        ("Tomás Reyes", "312.50", "Paid", "CHK-1042")
    ]
    assert Honorarium.objects.get().status == Honorarium.Status.PAID
    assert page.js_errors == []


def test_trainer_cannot_open_another_trainers_report(page, login_as):
    module_report = ReportFactory(trainer=UserFactory())
    trainer, _ = certified_trainer()
    login_as(page, trainer)
    response = page.goto(module_report.get_absolute_url())
    assert response.status == 404
