"""Thin Celery tasks for communities: fetch, call a service."""

from celery import shared_task

from communities import services


@shared_task(name="communities.send_daily_digests")
def send_daily_digests() -> int:
    """Beat runs it once a day; the ledger key (recipient, digest, date) makes a second run send nothing."""
    return services.send_daily_digests()
