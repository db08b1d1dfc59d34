"""Credit professional-learning hours for attendance recorded before the hours engine existed."""

from django.core.management.base import BaseCommand

from portal.learning import services


class Command(BaseCommand):
    help = "Credit hours for every attended session already on record (safe to run again)."

    def handle(self, *args, **options):
        for name, count in services.backfill().items():
            self.stdout.write(f"{name}: {count} credited")
