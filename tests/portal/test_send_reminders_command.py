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


@pytest.mark.django_db
def test_send_reminders_sweeps_the_outbox_of_rows_past_the_grace_and_claims_past_their_lease(settings):
    from portal import emails

    now = timezone.now()
    lost = emails.queue_raw(to="lost@example.org", kind="test", subject="Lost", body_text="Hi")
    fresh = emails.queue_raw(to="fresh@example.org", kind="test", subject="Fresh", body_text="Hi")
    stale_claim = emails.queue_raw(to="dead@example.org", kind="test", subject="Dead", body_text="Hi")
    live_claim = emails.queue_raw(to="busy@example.org", kind="test", subject="Busy", body_text="Hi")
    past_grace = now - dt.timedelta(seconds=settings.EMAIL_FLUSH_GRACE_SECONDS + 1)
    OutboundEmail.objects.filter(pk=lost.pk).update(next_attempt_at=past_grace)
    OutboundEmail.objects.filter(pk=stale_claim.pk).update(
        state=OutboundEmail.State.SENDING, attempts=1, claimed_until=now - dt.timedelta(seconds=1)
    )
    OutboundEmail.objects.filter(pk=live_claim.pk).update(
        state=OutboundEmail.State.SENDING, attempts=1, claimed_until=now + dt.timedelta(seconds=60)
    )

    assert "Outbox: would send again 2 waiting e-mail(s)" in _run("--dry-run")
    assert mail.outbox == []
    assert "Outbox: queued again 2 waiting e-mail(s)" in _run()

    assert sorted(m.to[0] for m in mail.outbox) == ["dead@example.org", "lost@example.org"]
    states = dict(OutboundEmail.objects.values_list("recipient", "state"))
    assert states == {
        "lost@example.org": OutboundEmail.State.SENT,
        "fresh@example.org": OutboundEmail.State.QUEUED,
        "dead@example.org": OutboundEmail.State.SENT,
        "busy@example.org": OutboundEmail.State.SENDING,
    }
    assert fresh.state == OutboundEmail.State.QUEUED  # still inside its grace: its own task may come
    assert "Outbox: queued again 0 waiting e-mail(s)" in _run()
