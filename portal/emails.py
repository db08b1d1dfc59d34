"""The one way the portal sends e-mail.

Callers describe a message (who, what kind, about which object, at which milestone); this
module renders it from a template pair, records it in the ledger under a unique key, and
queues delivery once the surrounding transaction commits. A second call with the same key
changes nothing, which is what makes retries and repeated reminder scans safe.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal import notifications
from portal.models import OutboundEmail, User

log = logging.getLogger(__name__)


def object_ref(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass
class Message:
    """One message to record: who, what kind, about which object, at which milestone."""

    to: str
    kind: str
    template: str
    subject: str = ""
    context: dict = field(default_factory=dict)
    about_ref: str = ""
    milestone: str = ""
    user: Any = None
    # Scans pass the wording as a callable: it runs only for messages not yet in the ledger,
    # so a second run costs the key check and nothing more.
    wording: Callable[[], tuple[str, dict]] | None = None

    def resolve(self) -> None:
        if self.wording is not None:
            self.subject, self.context = self.wording()
            self.wording = None

    @property
    def key(self) -> str:
        return OutboundEmail.make_key(self.to, self.kind, self.about_ref, self.milestone)


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

    ``template`` names a pair: ``<template>.txt`` and ``<template>.html``. A non-transactional
    kind the recipient turned off is recorded as SUPPRESSED and not sent.
    """
    message = Message(
        to=to,
        kind=kind,
        template=template,
        subject=subject,
        context=context or {},
        about_ref=object_ref(about) if about is not None else "",
        milestone=milestone,
        user=user,
    )
    if OutboundEmail.objects.filter(dedupe_key=message.key).exists():
        return None
    if message.user is None:
        # Callers that only know an address (a supervisor, say) still honour an account's choices.
        message.user = User.objects.filter(email__iexact=to, is_active=True).first()
    email = build_row(message, enabled=notifications.is_enabled(message.user, kind))
    return _record(email)


def build_row(message: Message, *, enabled: bool) -> OutboundEmail:
    """Render a message into an unsaved ledger row, with its unsubscribe link and headers."""
    message.resolve()
    user = message.user
    unsubscribe_url = notifications.unsubscribe_url(user, message.kind) if user is not None else ""
    ctx = {
        "site_name": "ToT Portal",
        "site_url": settings.SITE_URL,
        "recipient": user,
        "subject": message.subject,
        "unsubscribe_url": unsubscribe_url,
        **message.context,
    }
    return OutboundEmail(
        dedupe_key=message.key,
        recipient=message.to,
        user=user,
        kind=message.kind,
        object_ref=message.about_ref,
        milestone=message.milestone,
        subject=" ".join(message.subject.split())[:250],
        body_text=render_to_string(f"{message.template}.txt", ctx),
        body_html=render_to_string(f"{message.template}.html", ctx),
        headers=notifications.unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {},
        state=OutboundEmail.State.QUEUED if enabled else OutboundEmail.State.SUPPRESSED,
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
    return _record(
        OutboundEmail(
            dedupe_key=OutboundEmail.make_key(to, kind, object_ref, milestone),
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
    )


def _record(email: OutboundEmail) -> OutboundEmail | None:
    try:
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:  # recorded before, or by a concurrent caller: exactly once
        return None
    if email.state == OutboundEmail.State.QUEUED:
        transaction.on_commit(lambda: _enqueue(email.pk))
    return email


@dataclass
class BatchResult:
    queued: int = 0
    suppressed: int = 0
    already_recorded: int = 0
    would_queue: list[Message] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        self.queued += other.queued
        self.suppressed += other.suppressed
        self.already_recorded += other.already_recorded
        self.would_queue.extend(other.would_queue)


def queue_many(messages: list[Message], *, dry_run: bool = False) -> BatchResult:
    """Record a batch of messages in a fixed number of queries, then deliver after commit.

    One query finds the keys already in the ledger, one reads the recipients' choices, one
    inserts the new rows (a concurrent scan's rows are ignored, not duplicated) and one reads
    back the ids to deliver. Reminder scans call this once per batch.
    """
    result = BatchResult()
    by_key = {m.key: m for m in messages}
    if not by_key:
        return result
    existing = set(
        OutboundEmail.objects.filter(dedupe_key__in=list(by_key)).values_list("dedupe_key", flat=True)
    )
    result.already_recorded = len(existing)
    fresh = [m for key, m in by_key.items() if key not in existing]
    if dry_run or not fresh:
        result.would_queue = fresh if dry_run else []
        return result
    off = notifications.disabled_categories({m.user.pk for m in fresh if m.user is not None})
    rows = []
    for m in fresh:
        category = notifications.kind_info(m.kind).category
        enabled = m.user is None or category not in off.get(m.user.pk, ())
        rows.append(build_row(m, enabled=enabled))
    with transaction.atomic():
        OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            OutboundEmail.objects.filter(
                dedupe_key__in=[r.dedupe_key for r in rows], state=OutboundEmail.State.QUEUED, attempts=0
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: [_enqueue(pk) for pk in ids])
    result.queued = len(ids)
    result.suppressed = sum(r.state == OutboundEmail.State.SUPPRESSED for r in rows)
    return result


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
    # A queued row waits out its backoff; a row another worker claimed is free again only once
    # its lease has run out (that worker died between the claim and the mark).
    claimable = models.Q(state=OutboundEmail.State.QUEUED, next_attempt_at__lte=now) | models.Q(
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
    """Seconds until the row's next attempt is due (the Celery retry's countdown)."""
    due = OutboundEmail.objects.filter(pk=email_id).values_list("next_attempt_at", flat=True).first()
    if due is None:
        return 0
    return max(math.ceil((due - timezone.now()).total_seconds()), 0)


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


def due_for_delivery(now=None, grace_seconds: int | None = None) -> models.QuerySet[OutboundEmail]:
    """Rows whose task was lost or whose retry is due: queued and due, or sending past the lease.

    A row queued moments ago still has its own task on the way; the grace keeps the outbox flush
    from enqueuing a second task for it (harmless, since delivery claims the row, but wasteful).
    """
    now = now or timezone.now()
    grace = settings.EMAIL_FLUSH_GRACE_SECONDS if grace_seconds is None else grace_seconds
    return OutboundEmail.objects.filter(
        models.Q(state=OutboundEmail.State.QUEUED, next_attempt_at__lte=now - timedelta(seconds=grace))
        | models.Q(state=OutboundEmail.State.SENDING, claimed_until__lt=now)
    ).order_by("next_attempt_at", "pk")


def requeue(email: OutboundEmail) -> None:
    """Give a failed message another chance (the admin's resend action)."""
    OutboundEmail.objects.filter(pk=email.pk, state=OutboundEmail.State.FAILED).update(
        state=OutboundEmail.State.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(email.pk))
