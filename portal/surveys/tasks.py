"""The surveys' daily scan: invitations recorded to be sent later (a 90-day follow-up) go out."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from portal.surveys import services
from portal.surveys.models import Invitation


def scan_reminders(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int | None = None
) -> dict[str, dict[str, int]]:
    """Send every invitation whose time has come; safe to run again (each is sent once)."""
    now = now or timezone.now()
    if dry_run:
        due = Invitation.objects.filter(sent_at__isnull=True, send_after__lte=now).count()
        counts = {"queued": 0, "would_queue": due}
    else:
        counts = {"queued": services.send_due_invitations(now=now, size=batch_size), "would_queue": 0}
    return {"invitations": {"batches": 1, "suppressed": 0, "already_recorded": 0, **counts}}


@shared_task(name="surveys.send_invitations")
def send_invitations() -> dict[str, dict[str, int]]:
    return scan_reminders()
