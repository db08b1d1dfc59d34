"""Run the daily reminder scans once, for sites that use cron instead of Celery beat."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from portal import emails


class Command(BaseCommand):
    help = (
        "Queue today's reminders (assignments, institutes starting, commitments, coordinator summaries)"
        " and send again what the outbox still holds (lost tasks, killed workers, due retries)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be sent; record nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=None, help="Rows per batch (REMINDER_BATCH_SIZE)."
        )

    def handle(self, *args, dry_run=False, batch_size=None, **options):
        # The outbox first: a site without beat has no other sweep for a delivery task lost
        # between the broker and a worker.
        if dry_run:
            waiting = emails.due_for_delivery().count()
            self.stdout.write(f"Outbox: would send again {waiting} waiting e-mail(s)")
        else:
            self.stdout.write(f"Outbox: queued again {emails.sweep_outbox()} waiting e-mail(s)")
        # The scans are named by dotted string in settings: portal imports no app.
        for dotted in settings.REMINDER_SCANS:
            summary = import_string(dotted)(dry_run=dry_run, batch_size=batch_size)
            for name, counts in summary.items():
                if dry_run:
                    line = f"{dotted} {name}: would send {counts['would_queue']}, already sent {counts['already_recorded']}"
                else:
                    line = (
                        f"{dotted} {name}: queued {counts['queued']}, turned off by recipient"
                        f" {counts['suppressed']}, already sent {counts['already_recorded']}"
                    )
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS("Dry run: nothing was recorded." if dry_run else "Reminders queued.")
        )
