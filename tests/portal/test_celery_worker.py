"""A real Celery worker on the configured broker (Redis in CI) runs a task end to end."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from portal import emails
from portal.celery import app
from portal.models import OutboundEmail

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_worker_delivers_a_queued_email_through_redis(worker):
    email = emails.queue_raw(to="a@example.org", kind="test", subject="Hello", body_text="Hi")
    assert wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).state == OutboundEmail.State.SENT)
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
