"""A certificate as things a trainer carries: the PDF, the badge, the verify page that checks a
badge handed back, and the renewal of a certification whose module expires."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import jwt as pyjwt
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portal.credentials import keys
from portal.models import AuditEntry, OutboundEmail
from tests.factories import coordinator as new_coordinator
from tests.institutes.factories import coordinator_of
from tests.trainers.factories import (
    InstituteFactory,
    ModuleFactory,
    certified_trainer,
    completed_institute,
    coordinating,
)
from trainers import credentials, services
from trainers.models import Certification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _signing_key(settings):
    settings.SITE_URL = "http://testserver"
    settings.CREDENTIALS_SIGNING_KEY = KEY


KEY = keys.new_private_key_pem()


def expiring_certification(*, issued_days_ago: int, months: int = 12, valid_until=None, **user):
    module = ModuleFactory(certification_valid_months=months)
    trainer, certification = certified_trainer(module=module, days_ago=issued_days_ago, **user)
    issued = certification.issued_on
    certification.valid_until = valid_until or (issued + timedelta(days=365 * months // 12 - 1))
    certification.save(update_fields=["valid_until"])
    return trainer, certification


def check(client, text: str):
    return client.post(reverse("trainers:verify-badge"), {"badge": text})


def test_trainer_downloads_a_pdf_with_their_name_module_and_code(client_for):
    trainer, certification = certified_trainer(name="Rosa Díaz")

    response = client_for(trainer).get(reverse("trainers:certificate-pdf", kwargs={"pk": certification.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="{credentials.pdf_filename(certification)}"'
    )
    assert response.content.startswith(b"%PDF-")
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "Rosa Díaz" in text
    assert certification.module.title in text
    assert certification.code in text


def test_trainer_downloads_a_badge_that_an_independent_verifier_accepts(client_for):
    trainer, certification = certified_trainer(name="Rosa Díaz")

    response = client_for(trainer).get(reverse("trainers:certificate-badge", kwargs={"pk": certification.pk}))

    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{credentials.badge_filename(certification)}"'
    )
    token = response.content.decode()
    published = {k["kid"]: k for k in client_for(trainer).get(reverse("credentials:keys")).json()["keys"]}
    header = pyjwt.get_unverified_header(token)
    claims = pyjwt.decode(
        token, pyjwt.PyJWK(published[header["kid"].rsplit("/", 1)[1][:-5]]).key, algorithms=["ES256"]
    )
    assert claims["id"] == f"http://testserver/verify/{certification.code}/"
    assert claims["credentialSubject"]["identifier"][0]["identityHash"] == "Rosa Díaz"
    assert (
        claims["credentialSubject"]["achievement"]["name"]
        == f"Certified trainer: {certification.module.title}"
    )
    assert "validUntil" not in claims  # this module's certification does not expire


def test_verify_page_accepts_the_badge_then_shows_it_revoked(client, coordinator):
    _, certification = certified_trainer(name="Rosa Díaz")
    token = credentials.badge(certification)

    active = check(client, token)
    services.revoke_certification(certification, by=coordinator, reason="Asked to withdraw.")
    revoked = check(client, token)

    assert active.status_code == revoked.status_code == 200
    assert 'data-badge-standing="active"' in active.content.decode()
    assert "Genuine and active." in active.content.decode()
    assert 'data-badge-standing="revoked"' in revoked.content.decode()
    assert "Rosa Díaz" in revoked.content.decode()


def test_verify_page_accepts_the_badge_file(client):
    _, certification = certified_trainer()
    upload = SimpleUploadedFile("badge.jwt", credentials.badge(certification).encode(), "application/jwt")

    response = client.post(reverse("trainers:verify-badge"), {"badge_file": upload})

    assert 'data-badge-standing="active"' in response.content.decode()


def test_verify_page_refuses_a_tampered_badge_next_to_the_field_and_keeps_the_text(client):
    _, certification = certified_trainer()
    token = credentials.badge(certification)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-4]}{'AAAA' if payload[-4:] != 'AAAA' else 'BBBB'}.{signature}"

    response = check(client, tampered)

    page = response.content.decode()
    assert response.status_code == 200
    assert "data-badge-standing" not in page
    assert "changed since the portal signed it" in page
    assert tampered in page  # nothing the person pasted is lost


def test_verify_page_asks_for_a_badge_when_given_nothing(client):
    response = client.post(reverse("trainers:verify-badge"), {"badge": "   "})
    assert "Paste the badge, or choose its file, to check it." in response.content.decode()


def test_verify_page_refuses_a_file_that_is_not_text(client):
    upload = SimpleUploadedFile("badge.jwt", b"\xff\xfe\x00binary", "application/octet-stream")
    response = client.post(reverse("trainers:verify-badge"), {"badge_file": upload})
    assert "a badge file is plain text" in response.content.decode()


def test_a_badge_past_its_period_shows_expired():
    _, certification = expiring_certification(issued_days_ago=400)

    result = credentials.check_badge(credentials.badge(certification))

    assert result.standing == "expired"
    assert result.renewed_since is False


def test_revoked_certification_has_no_downloads(client_for):
    trainer, certification = certified_trainer()
    services.revoke_certification(certification, by=None, reason="Reason")

    for name in ("trainers:certificate-pdf", "trainers:certificate-badge"):
        response = client_for(trainer).get(reverse(name, kwargs={"pk": certification.pk}), follow=True)
        assert response.redirect_chain == [(certification.get_absolute_url(), 302)]
        assert "This certification is revoked, so there is no certificate or badge to download." in (
            response.content.decode()
        )


def test_someone_elses_certificate_downloads_are_not_found(client_for):
    _, certification = certified_trainer()
    stranger, _ = certified_trainer()
    for name in ("trainers:certificate-pdf", "trainers:certificate-badge"):
        response = client_for(stranger).get(reverse(name, kwargs={"pk": certification.pk}))
        assert response.status_code == 404


def test_certificate_page_shows_the_qr_code_and_downloads(client_for):
    trainer, certification = certified_trainer()

    page = client_for(trainer).get(certification.get_absolute_url()).content.decode()

    assert '<svg role="img" aria-label="QR code to this certificate' in page
    assert reverse("trainers:certificate-pdf", kwargs={"pk": certification.pk}) in page
    assert reverse("trainers:certificate-badge", kwargs={"pk": certification.pk}) in page


# --- expiry and renewal -------------------------------------------------------------------


def test_certifying_in_a_module_that_expires_sets_the_last_valid_day():
    institute, (ana, _), _ = completed_institute()
    institute.module.certification_valid_months = 24
    institute.module.save()

    certification = services.certify_participant(institute, ana, by=None)

    today = timezone.localdate()
    assert certification.valid_until == today.replace(year=today.year + 2) - timedelta(days=1)


def test_certifying_in_a_module_that_does_not_expire_leaves_no_end():
    institute, (ana, _), _ = completed_institute()
    assert services.certify_participant(institute, ana, by=None).valid_until is None


def test_coordinator_renews_within_the_window_keeping_the_days_left(django_capture_on_commit_callbacks):
    staff = new_coordinator()
    today = timezone.localdate()
    _, certification = expiring_certification(issued_days_ago=340, valid_until=today + timedelta(days=20))

    with django_capture_on_commit_callbacks(execute=True):
        services.renew_certification(certification, by=staff, note="Facilitated twice this year.")

    certification.refresh_from_db()
    assert certification.renewed_on == today
    assert certification.valid_until == (today + timedelta(days=21)).replace(
        year=(today + timedelta(days=21)).year + 1
    ) - timedelta(days=1)
    entry = AuditEntry.objects.about(certification).get(action="renewed")
    assert (entry.actor, entry.note) == (staff, "Facilitated twice this year.")
    assert entry.details == {
        "valid_until_before": (today + timedelta(days=20)).isoformat(),
        "valid_until": certification.valid_until.isoformat(),
    }
    email = OutboundEmail.objects.get(kind="trainers.certification_renewed")
    assert email.recipient == certification.participant.email
    assert f"now valid until {certification.valid_until:%B %-d, %Y}" in email.body_text


def test_renewing_an_expired_certification_starts_from_today():
    today = timezone.localdate()
    _, certification = expiring_certification(issued_days_ago=500, valid_until=today - timedelta(days=30))

    services.renew_certification(certification, by=None)

    certification.refresh_from_db()
    assert certification.valid_until == today.replace(year=today.year + 1) - timedelta(days=1)
    assert certification.standing() == "active"


def test_renewal_too_early_is_refused_with_the_date_it_opens():
    today = timezone.localdate()
    _, certification = expiring_certification(issued_days_ago=10, valid_until=today + timedelta(days=200))
    opens = today + timedelta(days=110)

    with pytest.raises(services.TrainerError) as exc:
        services.renew_certification(certification, by=None)

    assert str(exc.value) == (
        f"This certification is valid until {today + timedelta(days=200):%B %-d, %Y}; "
        f"it can be renewed from {opens:%B %-d, %Y}."
    )


def test_a_revoked_or_non_expiring_certification_is_not_renewed():
    _, lasting = certified_trainer()
    _, revoked = expiring_certification(issued_days_ago=360)
    services.revoke_certification(revoked, by=None, reason="Reason")

    with pytest.raises(services.TrainerError, match="does not expire"):
        services.renew_certification(lasting, by=None)
    with pytest.raises(services.TrainerError, match="revoked"):
        services.renew_certification(revoked, by=None)


def test_after_renewal_the_old_badge_says_expired_and_renewed_and_the_new_one_is_active():
    today = timezone.localdate()
    _, certification = expiring_certification(issued_days_ago=400, valid_until=today - timedelta(days=2))
    old_badge = credentials.badge(certification)

    services.renew_certification(certification, by=None)
    certification.refresh_from_db()
    old, new = credentials.check_badge(old_badge), credentials.check_badge(credentials.badge(certification))

    assert (old.standing, old.renewed_since) == ("expired", True)
    assert new.standing == "active"
    assert timezone.localtime(new.verified.valid_from).date() == today
    assert timezone.localtime(new.verified.valid_until).date() == certification.valid_until


def test_coordinator_renews_through_the_page(client_for, coordinator):
    today = timezone.localdate()
    institute = InstituteFactory(module=ModuleFactory(certification_valid_months=12))
    staff = coordinator_of(institute, user=coordinator)
    _, certification = expiring_certification(issued_days_ago=360, valid_until=today + timedelta(days=5))
    Certification.objects.filter(pk=certification.pk).update(institute=institute, module=institute.module)

    client = client_for(staff)
    page = client.get(certification.get_absolute_url()).content.decode()
    response = client.post(
        reverse("trainers:certificate-renew", kwargs={"pk": certification.pk}), {"note": ""}, follow=True
    )

    certification.refresh_from_db()
    assert "Renew…" in page
    assert certification.renewed_on == today
    assert f"is renewed until {certification.valid_until:%B %-d, %Y}" in response.content.decode()


def test_trainer_cannot_renew_their_own_certification(client_for):
    trainer, certification = expiring_certification(issued_days_ago=360)
    response = client_for(trainer).post(
        reverse("trainers:certificate-renew", kwargs={"pk": certification.pk})
    )
    assert response.status_code == 403


def test_verify_code_page_says_expired_when_the_period_ended(client):
    today = timezone.localdate()
    _, certification = expiring_certification(issued_days_ago=400, valid_until=today - timedelta(days=1))

    page = client.get(certification.get_verify_url()).content.decode()

    assert "Expired certificate." in page
    assert f"its period ended on {today - timedelta(days=1):%B %-d, %Y}" in page


def test_checking_badges_is_rate_limited_per_address(client):
    for _ in range(30):
        assert check(client, "not a badge").status_code == 200
    assert check(client, "not a badge").status_code == 429


def test_dashboard_shows_how_long_an_expiring_certification_lasts(client_for):
    today = timezone.localdate()
    trainer, _ = expiring_certification(issued_days_ago=30, valid_until=today + timedelta(days=700))
    _, expired = expiring_certification(issued_days_ago=800, valid_until=today - timedelta(days=3))
    expired.participant = trainer
    expired.save(update_fields=["participant"])

    page = client_for(trainer).get(reverse("dashboard")).content.decode()

    assert f"Valid until {today + timedelta(days=700):%b %-d, %Y}" in page
    assert f"Expired {today - timedelta(days=3):%b %-d, %Y}: ask the program office to renew it" in page


def test_renew_page_of_a_certification_that_does_not_expire_says_so(client_for, coordinator):
    _, certification = certified_trainer()  # issued by no institute: its module's coordinators renew
    coordinating(coordinator, certification.module)

    page = client_for(coordinator).get(reverse("trainers:certificate-renew", kwargs={"pk": certification.pk}))

    assert "does not expire, so there is nothing to renew." in page.content.decode()
    assert "Renew the certification</button>" not in page.content.decode()
