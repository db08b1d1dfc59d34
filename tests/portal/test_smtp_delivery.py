"""Delivery over SMTP, the production path, against a real local SMTP server (aiosmtpd).

The ledger row is committed as sent immediately before the final "." of DATA; the server's
answer decides what happens after.
"""

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from portal import emails, notifications
from portal.models import OutboundEmail
from tests.factories import UserFactory
from tests.portal.smtp_server import Recorder, free_port, smtp_server


def _queue(**kw):
    defaults = {"to": "a@example.org", "kind": "test", "subject": "Hello", "body_text": "Hi"}
    return emails.queue_raw(**(defaults | kw))


@pytest.mark.django_db
def test_smtp_delivery_sends_the_message_once_under_its_ledger_message_id(settings):
    body = "Line one.\n.A line that starts with a dot\n..two dots\nLast line"
    email = _queue(body_text=body)
    with smtp_server(settings, Recorder()) as server:
        assert emails.deliver(email.pk) == emails.Outcome.SENT
        assert emails.deliver(email.pk) == emails.Outcome.SKIPPED
    [received] = server.received
    assert received["from"] == "no-reply@tot-portal.example.org"
    assert received["to"] == ["a@example.org"]
    assert received["message"]["Message-ID"] == email.message_id
    assert received["message"].get_payload(decode=True).decode().splitlines() == body.splitlines()
    assert b"\r\n" in received["data"]
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (OutboundEmail.State.SENT, 1, "")


def _state_seen_by_another_connection(message_id: bytes):
    key_prefix = message_id.decode().strip("<>").split("@")[0]
    try:
        return (
            OutboundEmail.objects.filter(dedupe_key__startswith=key_prefix)
            .values_list("state", "sent_at")
            .get()
        )
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_row_is_committed_as_sent_before_the_server_receives_the_final_dot(settings):
    seen = []

    async def read_the_ledger(envelope):
        # This runs in the server's thread, on its own database connection: it sees only
        # what the delivering worker has committed.
        [message_id] = {
            line.split(b":", 1)[1].strip()
            for line in envelope.original_content.splitlines()
            if line.startswith(b"Message-ID:")
        }
        seen.append(
            await sync_to_async(_state_seen_by_another_connection, thread_sensitive=False)(message_id)
        )

    with smtp_server(settings, Recorder(on_data=read_the_ledger)) as server:
        email = _queue()  # no transaction around it: committed, then delivered in-process at once
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT
    [(state, sent_at)] = seen
    assert state == OutboundEmail.State.SENT
    assert sent_at is not None
    assert len(server.received) == 1


@pytest.mark.django_db
def test_a_permanent_refusal_after_the_dot_marks_the_row_failed(settings):
    email = _queue()

    async def refuse(envelope):
        return "554 5.7.1 Message rejected as spam"

    with smtp_server(settings, Recorder(on_data=refuse)) as server:
        assert emails.deliver(email.pk) == emails.Outcome.FAILED
    assert server.received == []
    email.refresh_from_db()
    assert (email.state, email.sent_at) == (OutboundEmail.State.FAILED, None)
    assert email.last_error == "RejectedAfterData: 554 5.7.1 Message rejected as spam"


@pytest.mark.django_db
def test_a_temporary_refusal_after_the_dot_queues_the_row_again(settings):
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    email = _queue()
    answers = ["451 4.7.1 Greylisted, try again later"]

    async def greylist_once(envelope):
        return answers.pop() if answers else None

    with smtp_server(settings, Recorder(on_data=greylist_once)) as server:
        assert emails.deliver(email.pk) == emails.Outcome.RETRY
        email.refresh_from_db()
        assert (email.state, email.sent_at) == (OutboundEmail.State.QUEUED, None)
        assert email.last_error == "RejectedAfterData: 451 4.7.1 Greylisted, try again later"
        assert emails.deliver(email.pk) == emails.Outcome.SENT
    assert [r["message"]["Message-ID"] for r in server.received] == [email.message_id]
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboundEmail.State.SENT, 2)


@pytest.mark.django_db
def test_a_refused_recipient_leaves_the_row_unsent_for_a_retry(settings):
    email = _queue()
    with smtp_server(settings, Recorder(refuse_rcpt="550 5.1.1 No such mailbox")) as server:
        assert emails.deliver(email.pk) == emails.Outcome.RETRY
    assert server.received == []
    email.refresh_from_db()
    assert (email.state, email.sent_at) == (OutboundEmail.State.QUEUED, None)
    assert "No such mailbox" in email.last_error


@pytest.mark.django_db
def test_a_mail_server_that_is_down_leaves_the_row_queued(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    email = _queue()
    assert emails.deliver(email.pk) == emails.Outcome.RETRY
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.QUEUED
    assert email.last_error.startswith("ConnectionRefusedError")


@pytest.mark.django_db
def test_a_scan_row_is_rendered_at_delivery_with_its_unsubscribe_link(
    settings, django_capture_on_commit_callbacks
):
    user = UserFactory(name="Ada Lovelace")
    message = emails.Message(
        to=user.email,
        kind="assignment.due_reminder",
        template="emails/notice",
        subject="Due in 7 days: Reading 1",
        context={"lines": ["Reading 1 is due on Monday."], "action_url": "http://x.test/a/1"},
        about_ref="institutes.assignment:1",
        milestone="due-7:2026-12-07",
        user=user,
    )
    with smtp_server(settings, Recorder()) as server:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert emails.queue_many([message]).queued == 1
        row = OutboundEmail.objects.get()
        assert (row.template, row.body_text, row.headers) == ("emails/notice", "", {})
        for callback in callbacks:
            callback()
    [received] = server.received
    row.refresh_from_db()
    link = row.headers["List-Unsubscribe"].strip("<>")
    token = link.removeprefix("http://127.0.0.1:8000/unsubscribe/").strip("/")
    assert row.state == OutboundEmail.State.SENT
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notifications.read_unsubscribe_token(token) == (user, "assignment_reminders")
    assert row.body_text.startswith("Dear Ada Lovelace,\n\nReading 1 is due on Monday.")
    assert link in row.body_text
    assert link in row.body_html
    assert received["message"]["List-Unsubscribe"].split() == [f"<{link}>"]  # folded: a long line
    assert received["message"]["Message-ID"] == row.message_id


def test_dot_stuffing_doubles_leading_dots_and_ends_lines_with_crlf():
    assert emails.dot_stuffed(b"a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n"
    assert emails.dot_stuffed(b".\r\n") == b"..\r\n"
