"""Thin tasks: ids in, call the e-mail path."""

from celery import shared_task

from portal import emails


@shared_task(name=emails.DELIVER_TASK, bind=True, max_retries=None, acks_late=True)
def deliver_email(self, *, email_id: int) -> str:
    """Send one ledger row. Safe to run twice: the row is claimed before it is sent."""
    outcome = emails.deliver(email_id)
    if outcome == emails.Outcome.RETRY and not self.request.is_eager:
        # The ledger holds the backoff (next_attempt_at); the retry fires when it is due, and
        # flush_outbox picks the row up anyway if this retry message is lost.
        raise self.retry(countdown=emails.retry_delay(email_id))
    return outcome


@shared_task(name=emails.DELIVER_BATCH_TASK, bind=True, acks_late=True)
def deliver_emails(self, *, email_ids: list[int]) -> dict[str, int]:
    """Send a chunk of ledger rows one by one; a row already sent or held elsewhere is skipped."""
    outcomes: dict[str, int] = {}
    for email_id in email_ids:
        outcome = emails.deliver(email_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == emails.Outcome.RETRY and not self.request.is_eager:
            deliver_email.apply_async(kwargs={"email_id": email_id}, countdown=emails.retry_delay(email_id))
    return outcomes


@shared_task(name="portal.flush_outbox")
def flush_outbox() -> int:
    """Send what was queued but never delivered (a lost task, a killed worker, a due retry)."""
    return emails.sweep_outbox()


@shared_task(name="portal.ping")
def ping(*, value: str) -> str:
    """A no-op round trip, used to check that a worker is listening."""
    return f"pong:{value}"
