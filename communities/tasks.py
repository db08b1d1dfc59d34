"""Thin Celery tasks for communities: fetch, call a service."""

from celery import shared_task

from communities import events, services


@shared_task(name="communities.send_daily_digests")
def send_daily_digests() -> int:
    """Beat runs it once a day; the ledger key (recipient, digest, date) makes a second run send nothing."""
    return services.send_daily_digests()


@shared_task(name="communities.send_event_reminders")
def send_event_reminders() -> int:
    """Beat runs it every ten minutes: the notes a day and an hour before each event date (the
    ledger's key per registration, date and milestone makes each go once)."""
    return events.send_reminders()
