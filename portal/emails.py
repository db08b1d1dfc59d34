"""The one way the portal sends e-mail.

Callers describe a message (who, what kind, about which object, at which milestone); this
module records it in the ledger under a unique key and queues delivery once the surrounding
transaction commits. A second call with the same key changes nothing, which is what makes
retries and repeated reminder scans safe.

Two ways in. ``queue_email`` renders one message at once (its context may hold model
instances). ``queue_many``, the reminder scans' path, records a batch with its template name
and a small JSON context and leaves the rendering to ``deliver``: a scan of 30,000 reminders
then costs its queries and inserts, not 60,000 template renders.

Delivery names its task by string (``DELIVER_TASK``), like the beat schedule does: this module
sits below ``portal.tasks``, which imports it, and never imports it back.

Over SMTP the ledger row is committed as sent immediately before the final "." of DATA is
written (see ``_send_over_smtp``): a worker killed before that point leaves a claim whose
message the server never completed, safe to send again after the lease under the same
Message-ID; killed after it, the row already says sent.
"""

from __future__ import annotations

import json
import logging
import math
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, connection, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal import notifications
from portal.models import OutboundEmail, User

log = logging.getLogger(__name__)

DELIVER_TASK = "portal.deliver_email"
DELIVER_BATCH_TASK = "portal.deliver_emails"
# Ids per delivery task from a batch: publishing a task costs a quarter to half a millisecond
# (Celery's message building, and a round trip to Redis), against a few milliseconds to send
# each message, so a task per 100 keeps publishing out of a scan's time while a scan's 1,000-row
# batch still spreads over ten tasks. A killed worker's chunk comes back whole (or its rows are
# found by the outbox sweep), and the rows it had already sent are skipped by their claim.
DELIVERY_CHUNK = 100
SWEEP_LIMIT = 5000
SITE_NAME = "ToT Portal"


def object_ref(obj: models.Model) -> str:
    return model_ref(type(obj), obj.pk)


def model_ref(model: type[models.Model], pk: int) -> str:
    """The ledger's name for an object a scan knows by its id alone."""
    return f"{model._meta.label_lower}:{pk}"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(user: User, kind: str) -> str:
    """The signed one-click link at the foot of a message of this kind."""
    token = notifications.unsubscribe_token(user, notifications.link_category(kind))
    return absolute_url(reverse("unsubscribe", args=[token]))


@dataclass(frozen=True)
class Attachment:
    """A small text file sent with a message (a calendar, say), kept in the ledger as it was built.

    It is stored with the row rather than rebuilt at delivery, so every attempt sends the same
    bytes under the same Message-ID, and the admin shows what went out.
    """

    filename: str
    content: str
    mimetype: str = "text/plain"

    def as_json(self) -> dict[str, str]:
        return {"filename": self.filename, "content": self.content, "mimetype": self.mimetype}


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
    # The scans read plain rows, not model instances: they name the account by its id alone.
    user_id: int | None = None
    # Scans pass the wording as a callable: it runs only for messages not yet in the ledger,
    # so a second run costs the key check and nothing more.
    wording: Callable[[], tuple[str, dict]] | None = None
    attachments: list[Attachment] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.user is not None:
            self.user_id = self.user.pk

    def resolve(self) -> None:
        if self.wording is not None:
            self.subject, self.context = self.wording()
            self.wording = None

    @property
    def key(self) -> str:
        return OutboundEmail.make_key(self.to, self.kind, self.about_ref, self.milestone)


def _template_context(user: User | None, subject: str, link: str, context: dict) -> dict:
    return {
        "site_name": SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": user,
        "subject": subject,
        "unsubscribe_url": link,
        **context,
    }


def _one_line(subject: str) -> str:
    return " ".join(subject.split())[:250]


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
    attachments: list[Attachment] | None = None,
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
        attachments=list(attachments or []),
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
    link = unsubscribe_url(user, message.kind) if user is not None else ""
    ctx = _template_context(user, message.subject, link, message.context)
    return OutboundEmail(
        dedupe_key=message.key,
        recipient=message.to,
        user=user,
        kind=message.kind,
        object_ref=message.about_ref,
        milestone=message.milestone,
        subject=_one_line(message.subject),
        body_text=render_to_string(f"{message.template}.txt", ctx),
        body_html=render_to_string(f"{message.template}.html", ctx),
        headers=notifications.unsubscribe_headers(link) if link else {},
        attachments=[a.as_json() for a in message.attachments],
        state=OutboundEmail.State.QUEUED if enabled else OutboundEmail.State.SUPPRESSED,
    )


def pending_values(key: str, message: Message, *, enabled: bool) -> dict:
    """A scan's ledger row as field values, to be rendered at delivery: template name and JSON context."""
    message.resolve()
    return {
        "dedupe_key": key,
        "recipient": message.to,
        "user_id": message.user_id,
        "kind": message.kind,
        "object_ref": message.about_ref,
        "milestone": message.milestone,
        "subject": _one_line(message.subject),
        "template": message.template,
        "context": message.context,
        "attachments": [a.as_json() for a in message.attachments],
        "state": OutboundEmail.State.QUEUED if enabled else OutboundEmail.State.SUPPRESSED,
    }


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
            subject=_one_line(subject),
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
        transaction.on_commit(lambda: enqueue([email.pk]))
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

    One query finds the keys already in the ledger, one reads the recipients' choices and one
    inserts the new rows and returns the ids to deliver (``insert_pending``: a concurrent scan's
    rows are skipped, not duplicated). The rows keep their template and context; ``deliver``
    renders them. Every message's context must therefore be JSON (strings, numbers, lists, dicts).
    """
    result = BatchResult()
    by_key = {m.key: m for m in messages}
    if not by_key:
        return result
    existing = set(
        OutboundEmail.objects.filter(dedupe_key__in=list(by_key)).values_list("dedupe_key", flat=True)
    )
    result.already_recorded = len(existing)
    fresh = {key: m for key, m in by_key.items() if key not in existing}
    if dry_run or not fresh:
        result.would_queue = list(fresh.values()) if dry_run else []
        return result
    off = notifications.disabled_categories({m.user_id for m in fresh.values() if m.user_id is not None})
    rows = []
    for key, m in fresh.items():
        category = notifications.kind_info(m.kind).category
        enabled = m.user_id is None or category not in off.get(m.user_id, ())
        rows.append(pending_values(key, m, enabled=enabled))
    with transaction.atomic():
        ids = insert_pending(rows)
        transaction.on_commit(lambda: enqueue(ids))
    result.queued = len(ids)
    result.suppressed = sum(row["state"] == OutboundEmail.State.SUPPRESSED for row in rows)
    return result


# One statement for a whole batch: the rows travel as one array per column, and a key already
# in the ledger (a concurrent scan's row) is skipped by the unique index, not duplicated.
# RETURNING names exactly the rows this statement inserted, so each is queued by its inserter.
_INSERT_PENDING_SQL = """
INSERT INTO portal_outboundemail (
    dedupe_key, recipient, user_id, kind, object_ref, milestone, subject, template, context,
    attachments, state, created_at, updated_at, next_attempt_at, attempts, body_text, body_html,
    headers, last_error
)
SELECT dedupe_key, recipient, user_id, kind, object_ref, milestone, subject, template, context::jsonb,
       attachments::jsonb, state, %(now)s, %(now)s, %(now)s, 0, '', '', '{}', ''
FROM unnest(
    %(dedupe_key)s::varchar[], %(recipient)s::varchar[], %(user_id)s::bigint[], %(kind)s::varchar[],
    %(object_ref)s::varchar[], %(milestone)s::varchar[], %(subject)s::varchar[],
    %(template)s::varchar[], %(context)s::text[], %(attachments)s::text[], %(state)s::varchar[]
) AS pending(
    dedupe_key, recipient, user_id, kind, object_ref, milestone, subject, template, context, attachments, state
)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, state
"""


def insert_pending(rows: list[dict]) -> list[int]:
    """Insert a scan's rows, skipping keys already in the ledger; the ids of the queued rows it inserted.

    On PostgreSQL, one INSERT ... SELECT FROM unnest(): Django's bulk_create spent more time
    preparing 20 values a row than PostgreSQL spent storing them. Elsewhere (the SQLite quick
    start), bulk_create and a read-back by key.
    """
    if connection.vendor == "postgresql":
        params = {column: [row[column] for row in rows] for column in rows[0]}
        params["context"] = [json.dumps(context) for context in params["context"]]
        params["attachments"] = [json.dumps(attachments) for attachments in params["attachments"]]
        params["now"] = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_PENDING_SQL, params)
            return [pk for pk, state in cursor.fetchall() if state == OutboundEmail.State.QUEUED]
    OutboundEmail.objects.bulk_create([OutboundEmail(**row) for row in rows], ignore_conflicts=True)
    # By key alone, so that the unique index is read: with the state in the WHERE clause too the
    # database may walk every queued row of the outbox instead, once per batch.
    return [
        pk
        for pk, state, attempts in OutboundEmail.objects.filter(
            dedupe_key__in=[row["dedupe_key"] for row in rows]
        ).values_list("pk", "state", "attempts")
        if state == OutboundEmail.State.QUEUED and attempts == 0
    ]


def enqueue(email_ids: list[int]) -> None:
    """Queue delivery tasks: one for a single message, one per DELIVERY_CHUNK for a batch."""
    if len(email_ids) == 1:
        current_app.signature(DELIVER_TASK, kwargs={"email_id": email_ids[0]}).delay()
        return
    for start in range(0, len(email_ids), DELIVERY_CHUNK):
        chunk = email_ids[start : start + DELIVERY_CHUNK]
        current_app.signature(DELIVER_BATCH_TASK, kwargs={"email_ids": chunk}).delay()


def sweep_outbox(limit: int = SWEEP_LIMIT) -> int:
    """Queue delivery again for rows whose task was lost, whose claim ran out or whose retry is due.

    Beat runs it every few minutes (``portal.flush_outbox``) and ``manage.py send_reminders``
    runs it on every cron call, so a task lost between the broker and a worker is found either way.
    """
    ids = list(due_for_delivery(timezone.now()).values_list("pk", flat=True)[:limit])
    if ids:
        enqueue(ids)
    return len(ids)


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, or another worker holds it
    RETRY = "retry"
    FAILED = "failed"


@dataclass
class Rendered:
    body_text: str
    body_html: str
    headers: dict


def render(email: OutboundEmail) -> Rendered:
    """The message's bodies and headers: stored ones, or rendered now from its template."""
    if not email.template:
        return Rendered(email.body_text, email.body_html, email.headers)
    user = email.user
    link = unsubscribe_url(user, email.kind) if user is not None else ""
    ctx = _template_context(user, email.subject, link, email.context)
    return Rendered(
        body_text=render_to_string(f"{email.template}.txt", ctx),
        body_html=render_to_string(f"{email.template}.html", ctx),
        headers={**email.headers, **(notifications.unsubscribe_headers(link) if link else {})},
    )


def build_message(email: OutboundEmail, rendered: Rendered | None = None) -> EmailMultiAlternatives:
    rendered = rendered or render(email)
    headers = {"Message-ID": email.message_id, **rendered.headers}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=rendered.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers=headers,
    )
    if rendered.body_html:
        message.attach_alternative(rendered.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


class RejectedAfterData(smtplib.SMTPResponseException):
    """The server answered the final "." with an error: it did not take the message."""


def deliver(email_id: int) -> str:
    """Claim one ledger row, send it and mark it; safe to call twice or from two workers.

    Runs outside any transaction (a Celery task), so each update below commits on its own.
    Over SMTP the row is marked sent just before the final "."; with any other backend
    (locmem in tests, console in development) the message is handed to the backend first and
    the row marked after, so a crash in between can only send it twice under the same
    Message-ID, never lose it.
    """
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
    email = OutboundEmail.objects.select_related("user").get(pk=email_id)
    try:
        rendered = render(email)
        message = build_message(email, rendered)
        backend = get_connection()
        if isinstance(backend, SMTPBackend):
            return _send_over_smtp(backend, email, message, rendered)
        backend.send_messages([message])
    except Exception as exc:  # any transport error: SMTP, DNS, refused connection
        return _record_failure(email, exc)
    _mark_sent(email, rendered)
    return Outcome.SENT


def _mine(email: OutboundEmail, state: str) -> models.QuerySet[OutboundEmail]:
    # The attempt number is the claim's token: a worker whose lease ran out, and whose row
    # another worker claimed since, changes nothing.
    return OutboundEmail.objects.filter(pk=email.pk, state=state, attempts=email.attempts)


def _mark_sent(email: OutboundEmail, rendered: Rendered) -> bool:
    # The rendered text is kept, so the admin shows what went out.
    return bool(
        _mine(email, OutboundEmail.State.SENDING).update(
            state=OutboundEmail.State.SENT,
            sent_at=timezone.now(),
            claimed_until=None,
            last_error="",
            body_text=rendered.body_text,
            body_html=rendered.body_html,
            headers=rendered.headers,
        )
    )


def _record_failure(email: OutboundEmail, exc: Exception, *, state: str = OutboundEmail.State.SENDING) -> str:
    """Back to the queue with a doubled backoff, or failed for good.

    A 5xx answer to the final "." is final at once: the server refused this very message and
    would refuse it again (RFC 5321's permanent reply), so the row is marked failed for a person
    to look at and resend from the admin. Any other error is retried until EMAIL_MAX_ATTEMPTS.
    """
    log.warning("E-mail %s failed on attempt %s: %s", email.pk, email.attempts, exc)
    permanent = isinstance(exc, RejectedAfterData) and 500 <= exc.smtp_code < 600
    final = permanent or email.attempts >= settings.EMAIL_MAX_ATTEMPTS
    delay = settings.EMAIL_RETRY_BACKOFF_SECONDS * 2 ** (email.attempts - 1)
    error = exc.smtp_error if isinstance(exc, smtplib.SMTPResponseException) else exc
    if isinstance(error, bytes):
        error = error.decode(errors="replace")
    code = f"{exc.smtp_code} " if isinstance(exc, smtplib.SMTPResponseException) else ""
    _mine(email, state).update(
        state=OutboundEmail.State.FAILED if final else OutboundEmail.State.QUEUED,
        last_error=f"{type(exc).__name__}: {code}{error}"[:2000],
        claimed_until=None,
        sent_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return Outcome.FAILED if final else Outcome.RETRY


_LINE_END = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def dot_stuffed(data: bytes) -> bytes:
    """The DATA payload without its terminating ".": CRLF line ends, a leading "." doubled."""
    data = _LEADING_DOT.sub(b"..", _LINE_END.sub(b"\r\n", data))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _send_over_smtp(backend: SMTPBackend, email: OutboundEmail, message, rendered: Rendered) -> str:
    """One SMTP conversation, step by step, with the ledger committed before the final ".".

    Django's backend opens the connection as the EMAIL_* settings say (SSL, STARTTLS, login);
    the rest is smtplib's commands one at a time, because ``sendmail`` writes the body and
    its "." in one call and leaves no moment to commit in between.
    """
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(addr, encoding) for addr in message.recipients()]
    payload = dot_stuffed(message.message().as_bytes(linesep="\r\n"))
    backend.open()
    smtp = backend.connection
    try:
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(payload)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = smtp.mail(sender, options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        smtp.send(payload)
        if not _mark_sent(email, rendered):
            # Our lease ran out and another worker holds the row: leave without the ".", and
            # the server drops this unfinished copy.
            smtp.close()
            return Outcome.SKIPPED
        # From here the ledger says sent. All that is left on our side is one write.
        try:
            smtp.send(b".\r\n")
        except smtplib.SMTPServerDisconnected as exc:
            # The "." never left: the server has no complete message, so it is not sent.
            return _record_failure(email, exc, state=OutboundEmail.State.SENT)
        try:
            code, reply = smtp.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            # The "." went out but no answer came back. Like a crash at this point, the row stays
            # sent (a resend could deliver it twice); the note says what happened.
            log.warning("E-mail %s: no answer after the final dot: %s", email.pk, exc)
            OutboundEmail.objects.filter(pk=email.pk).update(
                last_error=f"No answer after the final dot: {exc}"
            )
            return Outcome.SENT
        if code != 250:
            return _record_failure(email, RejectedAfterData(code, reply), state=OutboundEmail.State.SENT)
        return Outcome.SENT
    finally:
        try:
            backend.close()  # QUIT
        except (smtplib.SMTPException, OSError) as exc:
            log.info("E-mail %s: QUIT failed: %s", email.pk, exc)


def retry_delay(email_id: int) -> int:
    """Seconds until the row's next attempt is due (the Celery retry's countdown)."""
    due = OutboundEmail.objects.filter(pk=email_id).values_list("next_attempt_at", flat=True).first()
    if due is None:
        return 0
    return max(math.ceil((due - timezone.now()).total_seconds()), 0)


def due_for_delivery(now=None, grace_seconds: int | None = None) -> models.QuerySet[OutboundEmail]:
    """Rows whose task was lost or whose retry is due: queued and due, or sending past the lease.

    A row queued moments ago still has its own task on the way; the grace keeps the outbox sweep
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
    transaction.on_commit(lambda: enqueue([email.pk]))
