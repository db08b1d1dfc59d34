"""The one way the portal sends e-mail.

Callers describe a message (who, what kind, about which object, at which milestone); this
module renders it from a template pair, records it in the ledger under a unique key, and
queues delivery once the surrounding transaction commits. A second call with the same key
changes nothing, which is what makes retries and repeated reminder scans safe.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.models import OutboundEmail

log = logging.getLogger(__name__)


def object_ref(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def queue_email(
    *,
    to: str,
    kind: str,
    template: str,
    subject: str,
    context: dict | None = None,
    about: models.Model | None = None,
    milestone: str = "",
    user=None,
) -> OutboundEmail | None:
    """Record a message in the ledger and deliver it after commit. Returns None if already recorded.

    ``template`` names a pair: ``<template>.txt`` and ``<template>.html``.
    """
    ref = object_ref(about) if about is not None else ""
    if OutboundEmail.objects.filter(dedupe_key=OutboundEmail.make_key(to, kind, ref, milestone)).exists():
        return None
    ctx = {
        "site_name": "ToT Portal",
        "site_url": settings.SITE_URL,
        "recipient": user,
        "subject": subject,
        **(context or {}),
    }
    return queue_raw(
        to=to,
        kind=kind,
        subject=subject,
        body_text=render_to_string(f"{template}.txt", ctx),
        body_html=render_to_string(f"{template}.html", ctx),
        object_ref=ref,
        milestone=milestone,
        user=user,
    )


def queue_raw(
    *,
    to: str,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    object_ref: str = "",
    milestone: str = "",
    user=None,
    headers: dict | None = None,
) -> OutboundEmail | None:
    """Record an already rendered message; deliver it after commit. None if already recorded."""
    key = OutboundEmail.make_key(to, kind, object_ref, milestone)
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                dedupe_key=key,
                recipient=to,
                user=user,
                kind=kind,
                object_ref=object_ref,
                milestone=milestone,
                subject=" ".join(subject.split())[:250],
                body_text=body_text,
                body_html=body_html,
                headers=headers or {},
            )
    except IntegrityError:  # recorded before, or by a concurrent caller: exactly once
        return None
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id: int) -> None:
    from portal.tasks import deliver_email

    deliver_email.delay(email_id=email_id)


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, or another worker holds it
    RETRY = "retry"
    FAILED = "failed"


def deliver(email_id: int) -> str:
    """Claim, send and mark one ledger row, in one short step."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.EMAIL_CLAIM_LEASE_SECONDS)
    claimable = models.Q(state=OutboundEmail.State.QUEUED) | models.Q(
        state=OutboundEmail.State.SENDING, claimed_until__lt=now
    )
    claimed = OutboundEmail.objects.filter(claimable, pk=email_id).update(
        state=OutboundEmail.State.SENDING,
        claimed_until=lease,
        attempts=models.F("attempts") + 1,
    )
    if not claimed:
        return Outcome.SKIPPED
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        build_message(email).send()
    except Exception as exc:  # any transport error: SMTP, DNS, refused connection
        log.warning("E-mail %s failed on attempt %s: %s", email.pk, email.attempts, exc)
        final = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
        delay = settings.EMAIL_RETRY_BACKOFF_SECONDS * 2 ** (email.attempts - 1)
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=OutboundEmail.State.FAILED if final else OutboundEmail.State.QUEUED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_until=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return Outcome.FAILED if final else Outcome.RETRY
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return Outcome.SENT


def retry_delay(email_id: int) -> int:
    email = OutboundEmail.objects.only("attempts").get(pk=email_id)
    return settings.EMAIL_RETRY_BACKOFF_SECONDS * 2 ** max(email.attempts - 1, 0)


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id, **email.headers}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def due_for_delivery(now=None) -> models.QuerySet[OutboundEmail]:
    """Rows whose task was lost or whose retry is due: queued and due, or sending past the lease."""
    now = now or timezone.now()
    return OutboundEmail.objects.filter(
        models.Q(state=OutboundEmail.State.QUEUED, next_attempt_at__lte=now)
        | models.Q(state=OutboundEmail.State.SENDING, claimed_until__lt=now)
    )


def requeue(email: OutboundEmail) -> None:
    """Give a failed message another chance (the admin's resend action)."""
    OutboundEmail.objects.filter(pk=email.pk, state=OutboundEmail.State.FAILED).update(
        state=OutboundEmail.State.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(email.pk))
