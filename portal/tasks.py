"""Thin tasks: ids in, call the e-mail path."""

from celery import shared_task
from django.utils import timezone

from portal import emails

FLUSH_LIMIT = 5000


@shared_task(name="portal.deliver_email", bind=True, max_retries=None, acks_late=True)
def deliver_email(self, *, email_id: int) -> str:
    """Send one ledger row. Safe to run twice: the row is claimed before it is sent."""
    outcome = emails.deliver(email_id)
    if outcome == emails.Outcome.RETRY and not self.request.is_eager:
        # The ledger holds the backoff (next_attempt_at); the retry fires when it is due, and
        # flush_outbox picks the row up anyway if this retry message is lost.
        raise self.retry(countdown=emails.retry_delay(email_id))
    return outcome


@shared_task(name="portal.flush_outbox")
def flush_outbox() -> int:
    """Send what was queued but never delivered (a lost task, a killed worker, a due retry)."""
    ids = list(emails.due_for_delivery(timezone.now()).values_list("pk", flat=True)[:FLUSH_LIMIT])
    for email_id in ids:
        deliver_email.delay(email_id=email_id)
    return len(ids)


@shared_task(name="portal.ping")
def ping(*, value: str) -> str:
    """A no-op round trip, used to check that a worker is listening."""
    return f"pong:{value}"
