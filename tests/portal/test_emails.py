from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import emails, tasks
from portal.models import OutboundEmail
from tests.factories import UserFactory
from tests.portal.failing_backend import FailOnceBackend


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
def test_delivering_a_missing_row_is_skipped():
    assert emails.deliver(987654) == emails.Outcome.SKIPPED
    assert emails.retry_delay(987654) == 0


@pytest.mark.django_db
def test_failure_retries_with_backoff_then_ends_failed(settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 60
    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailingBackend"
    email = _queue()
    assert emails.deliver(email.pk) == emails.Outcome.RETRY
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.QUEUED, 1)
    assert "refused" in email.last_error
    assert 58 <= emails.retry_delay(email.pk) <= 60
    # not due yet: a second task (a duplicate, or the outbox flush) must wait out the backoff
    assert emails.deliver(email.pk) == emails.Outcome.SKIPPED
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert emails.deliver(email.pk) == emails.Outcome.RETRY
    email.refresh_from_db()
    assert email.attempts == 2
    assert 118 <= emails.retry_delay(email.pk) <= 120  # doubled
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert emails.deliver(email.pk) == emails.Outcome.FAILED
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.FAILED, 3)
    assert emails.deliver(email.pk) == emails.Outcome.SKIPPED


@pytest.mark.django_db
def test_message_id_is_the_same_on_every_attempt(settings):
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailOnceBackend"
    FailOnceBackend.seen.clear()
    email = _queue(milestone="same-id")
    assert emails.deliver(email.pk) == emails.Outcome.RETRY
    assert emails.deliver(email.pk) == emails.Outcome.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [email.message_id]


@pytest.mark.django_db
def test_a_row_claimed_by_a_dead_worker_is_sent_after_its_lease(settings):
    email = _queue()
    # a worker claimed the row and died before sending
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.SENDING, attempts=1, claimed_until=timezone.now() + timedelta(seconds=60)
    )
    assert emails.deliver(email.pk) == emails.Outcome.SKIPPED
    assert list(emails.due_for_delivery()) == []
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert list(emails.due_for_delivery()) == [email]
    assert emails.deliver(email.pk) == emails.Outcome.SENT
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.SENT, 2)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_flush_outbox_sends_a_queued_row_whose_task_was_lost(settings):
    email = _queue()  # outside the on-commit capture: its task never ran
    assert mail.outbox == []
    assert tasks.flush_outbox() == 0  # still inside the grace: its own task may be on the way
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.EMAIL_FLUSH_GRACE_SECONDS + 1)
    )
    assert tasks.flush_outbox() == 1
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT
    assert len(mail.outbox) == 1
    assert tasks.flush_outbox() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_requeue_gives_a_failed_row_another_chance(django_capture_on_commit_callbacks):
    email = _queue()
    OutboundEmail.objects.filter(pk=email.pk).update(state=OutboundEmail.State.FAILED, attempts=5)
    with django_capture_on_commit_callbacks(execute=True):
        emails.requeue(email)
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.SENT, 1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_requeue_leaves_a_sent_row_alone(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
        emails.requeue(email)
    assert len(mail.outbox) == 1


CALENDAR = emails.Attachment("training.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")


@pytest.mark.django_db
def test_an_attachment_is_kept_in_the_ledger_and_sent_the_same_on_every_attempt(settings):
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailOnceBackend"
    FailOnceBackend.seen.clear()
    email = emails.queue_email(
        to="a@example.org",
        kind="test",
        template="emails/notice",
        subject="Your calendar",
        context={"lines": ["See the file."]},
        milestone="with-file",
        attachments=[CALENDAR],
    )
    assert email.attachments == [CALENDAR.as_json()]
    assert emails.deliver(email.pk) == emails.Outcome.RETRY
    assert emails.deliver(email.pk) == emails.Outcome.SENT
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == email.message_id
    assert sent.attachments == [("training.ics", CALENDAR.content, "text/calendar")]
    email.refresh_from_db()
    assert email.attachments == [CALENDAR.as_json()]


@pytest.mark.django_db
def test_a_batch_message_rendered_at_delivery_keeps_its_attachment(django_capture_on_commit_callbacks):
    user = UserFactory()
    message = emails.Message(
        to=user.email,
        kind="assignment.due_reminder",
        template="emails/notice",
        subject="Due soon",
        context={"lines": ["Due soon."]},
        milestone="m",
        user=user,
        attachments=[CALENDAR],
    )
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue_many([message])
    [sent] = mail.outbox
    assert "Due soon." in sent.body
    assert sent.attachments == [("training.ics", CALENDAR.content, "text/calendar")]
    raw = sent.message().as_string()
    assert 'Content-Disposition: attachment; filename="training.ics"' in raw


@pytest.mark.django_db
def test_an_attachment_goes_over_smtp_the_same_on_a_retry(settings):
    from tests.portal.smtp_server import Recorder, smtp_server

    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    email = emails.queue_email(
        to="a@example.org",
        kind="test",
        template="emails/notice",
        subject="Your calendar",
        context={"lines": ["See the file."]},
        attachments=[CALENDAR],
    )
    answers = ["451 4.7.1 Greylisted, try again later"]
    copies = []

    async def greylist_once(envelope):
        copies.append(envelope.original_content)
        return answers.pop() if answers else None

    with smtp_server(settings, Recorder(on_data=greylist_once)) as server:
        assert emails.deliver(email.pk) == emails.Outcome.RETRY
        assert emails.deliver(email.pk) == emails.Outcome.SENT
    [received] = server.received
    assert received["message"]["Message-ID"] == email.message_id
    [part] = [p for p in received["message"].walk() if p.get_filename() == "training.ics"]
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True).decode() == CALENDAR.content
    # Both attempts carried the attachment, under the same Message-ID.
    assert len(copies) == 2
    assert all(email.message_id.encode() in c and b"BEGIN:VCALENDAR" in c for c in copies)
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.SENT, 2)


def _messages(users, milestone="m"):
    return [
        emails.Message(
            to=u.email,
            kind="assignment.due_reminder",
            template="emails/notice",
            subject="Due soon",
            context={"lines": ["Due soon."]},
            about_ref=f"test:{u.pk}",
            milestone=milestone,
            user=u,
        )
        for u in users
    ]


@pytest.mark.django_db
def test_queue_many_records_a_batch_in_fixed_queries(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    users = UserFactory.create_batch(20)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, django_assert_max_num_queries(6):
        result = emails.queue_many(_messages(users))
    assert (result.queued, result.already_recorded) == (20, 0)
    assert len(callbacks) == 1
    again = emails.queue_many(_messages(users))
    assert (again.queued, again.already_recorded) == (0, 20)
    assert OutboundEmail.objects.count() == 20


@pytest.mark.django_db
def test_queue_many_dry_run_writes_nothing():
    users = UserFactory.create_batch(3)
    result = emails.queue_many(_messages(users), dry_run=True)
    assert (result.queued, len(result.would_queue)) == (0, 3)
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_queue_many_suppresses_what_people_turned_off(django_capture_on_commit_callbacks):
    from portal import notifications

    keen, quiet = UserFactory.create_batch(2)
    notifications.set_preferences(quiet, {"assignment_reminders": False})
    with django_capture_on_commit_callbacks(execute=True):
        result = emails.queue_many(_messages([keen, quiet]))
    assert (result.queued, result.suppressed) == (1, 1)
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert OutboundEmail.objects.get(user=quiet).state == OutboundEmail.State.SUPPRESSED


def test_the_email_modules_import_each_other_in_one_direction_only():
    # Function-level imports count too: a cycle dodged inside a function is still a cycle.
    import ast
    from pathlib import Path

    from django.conf import settings

    modules = ("emails", "notifications", "tasks", "reminders")
    imports = {}
    for name in modules:
        tree = ast.parse(Path(settings.BASE_DIR, "portal", f"{name}.py").read_text())
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "portal":
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal."):
                found.add(node.module.split(".")[1])
        imports[name] = found & set(modules)
    assert imports == {
        "emails": {"notifications"},
        "notifications": set(),
        "tasks": {"emails"},
        "reminders": {"emails"},
    }
