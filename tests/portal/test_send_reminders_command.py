import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from institutes.models import Application
from portal.models import OutboundEmail
from tests.institutes.factories import ApplicationFactory, AssignmentFactory, InstituteFactory


def _run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_send_reminders_dry_run_then_real_run_then_nothing_more(django_capture_on_commit_callbacks):
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=timezone.localdate() + dt.timedelta(days=7))
    ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED)

    dry = _run("--dry-run")
    assert "institutes.tasks.scan_reminders assignments: would send 1, already sent 0" in dry
    assert OutboundEmail.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        real = _run()
    assert (
        "institutes.tasks.scan_reminders assignments: queued 1, turned off by recipient 0, already sent 0"
        in real
    )
    assert "trainers.tasks.scan_reminders commitments: queued 0" in real
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = _run("--batch-size", "10")
    assert "assignments: queued 0, turned off by recipient 0, already sent 1" in again
    assert len(mail.outbox) == 1


def test_portal_command_does_not_import_the_apps():
    import ast
    from pathlib import Path

    from django.conf import settings

    source = Path(settings.BASE_DIR, "portal/management/commands/send_reminders.py").read_text()
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m for m in imported if m and m.split(".")[0] in {"institutes", "trainers", "communities"}}
