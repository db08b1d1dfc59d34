from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.agencies import import_agencies


class Command(BaseCommand):
    help = "Import or update agencies from a CSV file. Safe to run again with the same file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        report = import_agencies(text)
        for line, reason in report.errors:
            self.stderr.write(f"line {line}: {reason}")
        self.stdout.write(report.summary())
