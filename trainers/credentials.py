"""A certification as things a trainer can carry: its Open Badge, its PDF and its QR code.

Built on the portal's credentials engine (``portal.credentials``). The badge is made when it is
downloaded, from the certification as it stands then, so a renewal's new period is in the next
badge; the verify page reads the certification back from the badge's id (its verify URL) to say
whether it still stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid5

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from portal.credentials import badges
from portal.credentials.qr import qr_svg
from portal.emails import absolute_url
from trainers.models import Certification

CRITERIA = (
    "Took part in the Training-of-Trainers Institute for this module: attended its sessions, completed "
    "its assignments, practised facilitating it, and was certified by the institute's coordinator."
)


def subject_id(user) -> str:
    """A stable identifier for the trainer that says nothing about them."""
    return f"urn:uuid:{uuid5(NAMESPACE_URL, f'{settings.SITE_URL}/people/{user.pk}')}"


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def credential(certification: Certification) -> dict:
    """The certification as an OpenBadgeCredential (unsigned)."""
    module = certification.module
    person = certification.participant
    return badges.open_badge(
        credential_id=absolute_url(certification.get_verify_url()),
        name=f"Certified trainer: {module.title}",
        description=(
            f"{person.display_name} is certified to facilitate {module.title}"
            + (f", after {certification.institute.title}." if certification.institute_id else ".")
        ),
        achievement={
            "id": absolute_url(module.get_absolute_url()),
            "name": f"Certified trainer: {module.title}",
            "description": module.summary or f"Certified to facilitate the {module.title} module.",
            "achievementType": "Certification",
            "criteria": {"narrative": CRITERIA},
        },
        subject_id=subject_id(person),
        identifiers=[badges.identity("name", person.display_name)],
        valid_from=_start_of(certification.valid_from),
        valid_until=_end_of(certification.valid_until) if certification.valid_until else None,
    )


def badge(certification: Certification) -> str:
    """The signed badge (a VC-JWT), as the trainer downloads it."""
    return badges.sign(credential(certification))


def badge_filename(certification: Certification) -> str:
    return f"badge-{certification.module.slug}-{certification.code}.jwt"


def pdf(certification: Certification) -> bytes:
    # WeasyPrint takes a moment to import: only the processes that make a PDF pay for it.
    from portal.credentials.pdf import render_pdf

    verify_url = absolute_url(certification.get_verify_url())
    return render_pdf(
        "trainers/certificate_pdf.html",
        {
            "certification": certification,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, title="Scan to verify this certificate", scale=3),
            "site_name": settings.SITE_NAME,
        },
    )


def pdf_filename(certification: Certification) -> str:
    return f"certificate-{certification.module.slug}-{certification.code}.pdf"


@dataclass(frozen=True)
class BadgeCheck:
    """What the verify page says about a badge whose proof checked out."""

    verified: badges.Verified
    certification: Certification | None
    standing: str  # active, expired, revoked, not_yet_valid or unknown

    @property
    def renewed_since(self) -> bool:
        """The badge's own period ended but the certification was renewed: a newer badge exists."""
        return (
            self.standing == "expired"
            and self.certification is not None
            and not self.certification.is_expired()
        )


def check_badge(text: str) -> BadgeCheck:
    """Verify a badge handed back; raises ``badges.BadgeRefused`` with the reason it fails."""
    verified = badges.verify(text)
    certification = certification_of(verified.credential_id)
    if certification is None:
        standing = "unknown"
    elif not certification.is_active:
        standing = "revoked"
    elif verified.expired() or certification.is_expired():
        standing = "expired"
    elif verified.not_yet_valid():
        standing = "not_yet_valid"
    else:
        standing = "active"
    return BadgeCheck(verified=verified, certification=certification, standing=standing)


def certification_of(credential_id: str) -> Certification | None:
    """The certification a badge's id (its verify URL) names, if it is one of ours."""
    try:
        match = resolve(urlsplit(credential_id).path)
    except (Resolver404, ValueError):
        return None
    if match.view_name != "trainers:verify-code":
        return None
    return (
        Certification.objects.select_related("participant", "module")
        .filter(code=match.kwargs["code"][:60])
        .first()
    )
