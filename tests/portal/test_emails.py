import pytest
from django.core import mail

from portal import emails
from portal.models import OutboundEmail


def _queue(**kw):
    return emails.queue_raw(to="a@example.org", kind="test", subject="Hello", body_text="Hi", **kw)


@pytest.mark.django_db
def test_same_key_is_recorded_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(milestone="m1")
        second = _queue(milestone="m1")
    assert first is not None
    assert second is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == first.message_id


@pytest.mark.django_db
def test_delivering_a_sent_row_again_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    assert emails.deliver(email.pk) == emails.Outcome.SKIPPED
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failure_retries_then_ends_failed(settings, monkeypatch):
    settings.EMAIL_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailingBackend"
    email = _queue()
    assert emails.deliver(email.pk) == emails.Outcome.RETRY
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.QUEUED, 1)
    assert "refused" in email.last_error
    assert emails.deliver(email.pk) == emails.Outcome.FAILED
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.FAILED, 2)
