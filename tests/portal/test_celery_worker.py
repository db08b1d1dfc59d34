"""A real Celery worker on the configured broker (Redis in CI) runs the e-mail path end to end.

Exactly once, as the issue puts it: a reminder is sent once; the same scan run twice (or by two
workers at once) sends nothing more; a delivery that fails once is retried and sent once; a scan
interrupted midway, whose queued tasks were lost, is re-run and sends every remaining message once.
"""

import contextlib
import datetime as dt
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from institutes import tasks as institute_tasks
from institutes.models import Application
from portal import emails
from portal.celery import app
from portal.models import OutboundEmail
from tests.institutes.factories import ApplicationFactory, AssignmentFactory, InstituteFactory
from tests.portal.failing_backend import FailOnceBackend

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


@contextlib.contextmanager
def running_worker():
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def broker():
    """Tasks go to Redis (not run in-process), and the queue starts empty."""
    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture
def worker(broker):
    with running_worker():
        yield


@pytest.fixture
def finished():
    """Names of tasks the worker finished, in order (the worker runs in this process)."""
    names = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_postrun.connect(record, weak=False)
    yield names
    task_postrun.disconnect(record)


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def all_sent(expected: int) -> bool:
    return OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).count() == expected


def participants_with_assignment_due_in_7_days(count: int) -> list[Application]:
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=timezone.localdate() + dt.timedelta(days=7))
    return [ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED) for _ in range(count)]


def test_worker_delivers_a_queued_email_through_redis(worker):
    email = emails.queue_raw(to="a@example.org", kind="test", subject="Hello", body_text="Hi")
    assert wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).state == OutboundEmail.State.SENT)
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_beat_task_sends_a_reminder_once_and_a_second_run_sends_nothing(worker, finished):
    [participant] = participants_with_assignment_due_in_7_days(1)
    app.send_task("institutes.send_reminders")
    assert wait_for(lambda: all_sent(1))
    app.send_task("institutes.send_reminders")
    assert wait_for(lambda: finished.count("institutes.send_reminders") == 2)
    app.send_task("portal.flush_outbox")
    assert wait_for(lambda: "portal.flush_outbox" in finished)
    assert [m.to for m in mail.outbox] == [[participant.applicant.email]]
    assert OutboundEmail.objects.get().milestone.startswith("due-7:")


def test_two_scans_racing_send_each_reminder_once(worker):
    participants = participants_with_assignment_due_in_7_days(20)
    start = threading.Barrier(2)

    def scan():
        try:
            start.wait()
            institute_tasks.scan_reminders(batch_size=3)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wait_for(lambda: all_sent(20))
    time.sleep(1)  # any duplicate delivery task would have run by now
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.applicant.email for p in participants)


def test_delivery_that_fails_once_is_retried_and_sent_once(worker, settings):
    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailOnceBackend"
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 1
    FailOnceBackend.seen.clear()
    email = emails.queue_raw(to="retry@example.org", kind="test", subject="Hello", body_text="Hi")
    assert wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).state == OutboundEmail.State.SENT)
    email.refresh_from_db()
    assert (email.attempts, email.last_error) == (2, "")
    assert FailOnceBackend.seen == {email.message_id}
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [email.message_id]


def test_scan_interrupted_midway_then_rerun_sends_every_remaining_message_once(broker, settings, finished):
    settings.EMAIL_FLUSH_GRACE_SECONDS = 0
    participants = participants_with_assignment_due_in_7_days(10)
    today = timezone.localdate()
    # The scan dies after two batches of three; the delivery tasks it had queued are lost too
    # (a broker restart, or a worker killed before it acknowledged them).
    batches = institute_tasks.assignment_reminder_batches(today, size=3)
    assert [next(batches).queued, next(batches).queued] == [3, 3]
    batches.close()
    app.control.purge()
    assert OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED).count() == 6

    with running_worker():
        app.send_task("institutes.send_reminders")  # the next beat run: records the other four
        app.send_task("portal.flush_outbox")  # and the outbox flush finds the six left queued
        assert wait_for(lambda: all_sent(10))
        app.send_task("institutes.send_reminders")
        app.send_task("portal.flush_outbox")
        assert wait_for(lambda: finished.count("portal.flush_outbox") == 2)

    assert OutboundEmail.objects.count() == 10
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.applicant.email for p in participants)
