"""Credentials in Chromium: a trainer downloads the certificate's PDF and digital badge; a
visitor's verify page accepts the badge; the coordinator revokes the certification and the same
badge then shows revoked. axe-core on every page, and the pages fit a 390 px phone."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.credentials import keys
from tests.browser.journey import PHONE, Journey, fits_the_phone
from tests.factories import coordinator
from tests.institutes.factories import coordinator_of
from tests.trainers.factories import CertificationFactory, InstituteFactory, ModuleFactory, UserFactory
from trainers.models import Certification

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _signing_key(settings):
    settings.CREDENTIALS_SIGNING_KEY = keys.new_private_key_pem()


def staff_with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def test_trainer_carries_the_certificate_and_the_badge_is_checked_then_revoked(
    browser, live_server, page, login_as, shot, axe, tmp_path
):
    journey = Journey(browser, live_server, shot, axe)
    institute = InstituteFactory(
        title="Effective Teaching ToT, spring cohort", module=ModuleFactory(title="Effective Teaching")
    )
    staff = coordinator_of(institute, staff_with_totp(coordinator(name="Marcela Movit")))
    trainer = UserFactory(name="Rosa Díaz")
    certification = CertificationFactory(participant=trainer, module=institute.module, institute=institute)

    # --- The trainer finds the certificate and downloads the PDF and the badge -----------------
    login_as(page, trainer)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Certificate for Effective Teaching").click()
    expect(page.locator(".certificate")).to_contain_text("Rosa Díaz")
    expect(page.get_by_role("img", name="QR code to this certificate's verification page")).to_be_visible()
    journey.step(page, "certificate")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert "Rosa Díaz" in PdfReader(BytesIO(pdf)).pages[0].extract_text()
    with page.expect_download() as badge_download:
        page.get_by_role("link", name="Download the digital badge").click()
    badge_file = tmp_path / badge_download.value.suggested_filename
    badge_download.value.save_as(badge_file)
    assert badge_file.name == f"badge-effective-teaching-{certification.code}.jwt"
    page.set_viewport_size(PHONE)
    journey.step(page, "certificate-phone")
    assert fits_the_phone(page)

    # --- An employer checks the badge file on the verify page ---------------------------------
    visitor = journey.new_page()
    visitor.goto("/")
    visitor.get_by_role("contentinfo").get_by_role("link", name="Verify a trainer certificate").click()
    journey.step(visitor, "verify")
    visitor.get_by_label("Or choose the badge file").set_input_files(str(badge_file))
    visitor.get_by_role("button", name="Check the badge").click()
    expect(visitor.get_by_role("status")).to_contain_text("Genuine and active.")
    expect(visitor.locator('[data-field="trainer"]')).to_have_text("Rosa Díaz")
    journey.step(visitor, "badge-active")

    # A badge with one character changed is refused, next to the field, with the text kept.
    token = badge_file.read_text()
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:10]}{'B' if payload[10] == 'A' else 'A'}{payload[11:]}.{signature}"
    visitor.get_by_label("Paste the badge").fill(tampered)
    visitor.get_by_role("button", name="Check the badge").click()
    expect(visitor.get_by_role("alert")).to_contain_text("Paste the badge")
    expect(visitor.get_by_label("Paste the badge")).to_have_value(tampered)
    journey.step(visitor, "badge-tampered")

    # --- The coordinator revokes the certification ---------------------------------------------
    coordinator_page = journey.new_page()
    login_as(coordinator_page, staff)
    coordinator_page.goto(certification.get_absolute_url())
    coordinator_page.get_by_role("link", name="Revoke…").click()
    coordinator_page.get_by_label("Reason for revoking").fill("Asked to step back from facilitating.")
    journey.step(coordinator_page, "revoke")
    coordinator_page.get_by_role("button", name="Revoke the certification").click()
    expect(coordinator_page.get_by_text("The certification of Rosa Díaz is revoked.")).to_be_visible()
    certification.refresh_from_db()
    assert certification.status == Certification.Status.REVOKED

    # --- The same badge now shows revoked, on a phone -------------------------------------------
    visitor.set_viewport_size(PHONE)
    visitor.goto("/verify/")
    visitor.get_by_label("Paste the badge").fill(token)
    visitor.get_by_role("button", name="Check the badge").click()
    expect(visitor.get_by_role("status")).to_contain_text("Revoked.")
    expect(visitor.locator("[data-badge-standing]")).to_have_attribute("data-badge-standing", "revoked")
    journey.step(visitor, "badge-revoked-phone")
    assert fits_the_phone(visitor)

    journey.close()
    assert journey.violations == []
    assert journey.js_errors == []
    assert page.js_errors == []
