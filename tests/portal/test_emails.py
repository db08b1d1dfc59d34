import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
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
    django_capture_on_commit_callbacks, django_assert_max_num_queries, insert_path
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
def test_queue_many_suppresses_what_people_turned_off(django_capture_on_commit_callbacks, insert_path):
    from portal import notifications

    keen, quiet = UserFactory.create_batch(2)
    notifications.set_preferences(quiet, {"assignment_reminders": False})
    with django_capture_on_commit_callbacks(execute=True):
        result = emails.queue_many(_messages([keen, quiet]))
    assert (result.queued, result.suppressed) == (1, 1)
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert OutboundEmail.objects.get(user=quiet).state == OutboundEmail.State.SUPPRESSED


def test_enqueue_sends_a_batch_in_chunks_and_a_single_message_alone(monkeypatch):
    published = []

    class Broker:
        def signature(self, name, kwargs):
            return SimpleNamespace(delay=lambda: published.append((name, kwargs)))

    monkeypatch.setattr(emails, "current_app", Broker())
    ids = list(range(1, 2 * emails.DELIVERY_CHUNK + 2))
    emails.enqueue(ids)
    assert [name for name, _ in published] == [emails.DELIVER_BATCH_TASK] * 3
    assert [len(kwargs["email_ids"]) for _, kwargs in published] == [emails.DELIVERY_CHUNK] * 2 + [1]
    assert [pk for _, kwargs in published for pk in kwargs["email_ids"]] == ids
    published.clear()
    emails.enqueue([7])
    assert published == [(emails.DELIVER_TASK, {"email_id": 7})]


@pytest.mark.django_db
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="pattern indexes are PostgreSQL's")
def test_the_ledger_keeps_only_the_indexes_it_reads():
    # unique=True or db_index=True on a CharField adds a varchar_pattern_ops index on PostgreSQL;
    # on the ledger each was written for every row a scan records and read by nothing.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'portal_outboundemail'")
        indexes = dict(cursor.fetchall())
    assert not [name for name, definition in indexes.items() if "pattern_ops" in definition]
    assert "UNIQUE" in indexes["outbox_dedupe_key_unique"]
    assert len(indexes) == 6  # pk, key, due, recipient, kind, user


@pytest.fixture(params=["postgresql", "fallback"])
def insert_path(request, monkeypatch, settings):
    """Run a test on both ways ``insert_pending`` writes: PostgreSQL's unnest() and bulk_create."""
    if request.param == "postgresql" and not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL")
    if request.param == "fallback":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


def _pending(users, state=OutboundEmail.State.QUEUED, milestone="m"):
    return [
        emails.pending_values(m.key, m, enabled=state == OutboundEmail.State.QUEUED)
        for m in _messages(users, milestone)
    ]


@pytest.mark.django_db
def test_insert_pending_writes_the_same_rows_either_way(insert_path):
    users = UserFactory.create_batch(2)
    queued, suppressed = _pending(users[:1]), _pending(users[1:], OutboundEmail.State.SUPPRESSED)
    before = timezone.now()
    ids = emails.insert_pending(queued + suppressed)
    row = OutboundEmail.objects.get(pk__in=ids)
    assert (row.dedupe_key, row.user, row.recipient) == (queued[0]["dedupe_key"], users[0], users[0].email)
    assert (row.kind, row.object_ref, row.milestone) == (
        "assignment.due_reminder",
        f"test:{users[0].pk}",
        "m",
    )
    assert (row.subject, row.template, row.context) == ("Due soon", "emails/notice", {"lines": ["Due soon."]})
    assert (row.state, row.attempts, row.body_text, row.body_html, row.headers, row.last_error) == (
        OutboundEmail.State.QUEUED,
        0,
        "",
        "",
        {},
        "",
    )
    assert (row.claimed_until, row.sent_at) == (None, None)
    after = timezone.now()
    assert all(before <= stamp <= after for stamp in (row.created_at, row.updated_at, row.next_attempt_at))
    assert OutboundEmail.objects.get(user=users[1]).state == OutboundEmail.State.SUPPRESSED


@pytest.mark.django_db
def test_insert_pending_skips_a_key_recorded_since_the_check_and_leaves_it_alone(insert_path):
    users = UserFactory.create_batch(3)
    [taken] = emails.insert_pending(_pending(users[:1]))
    OutboundEmail.objects.filter(pk=taken).update(state=OutboundEmail.State.SENT, attempts=1)
    ids = emails.insert_pending(_pending(users))
    assert taken not in ids
    assert sorted(OutboundEmail.objects.filter(pk__in=ids).values_list("user", flat=True)) == [
        users[1].pk,
        users[2].pk,
    ]
    assert OutboundEmail.objects.count() == 3
    assert OutboundEmail.objects.get(pk=taken).state == OutboundEmail.State.SENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="concurrent inserts need PostgreSQL")
def test_two_scans_inserting_the_same_keys_at_once_record_and_queue_each_once():
    """The second insert waits on the first's uncommitted keys, then skips them: each row has one inserter."""
    users = UserFactory.create_batch(6)
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    returned: dict[str, list[int]] = {}

    def first():
        try:
            with transaction.atomic():
                returned["first"] = emails.insert_pending(_pending(users[:4]))
                first_inserted.set()
                first_may_commit.wait(timeout=10)
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(timeout=10)
            with transaction.atomic():
                returned["second"] = emails.insert_pending(_pending(users[2:]))
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the second insert is now waiting on the first's keys
    first_may_commit.set()
    for thread in threads:
        thread.join()
    assert OutboundEmail.objects.count() == 6
    assert set(returned["first"]).isdisjoint(returned["second"])
    assert sorted(returned["first"] + returned["second"]) == sorted(
        OutboundEmail.objects.values_list("pk", flat=True)
    )
    assert len(returned["second"]) == 2


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


@pytest.mark.django_db
def test_plain_text_bodies_are_not_html_escaped(django_capture_on_commit_callbacks):
    person = UserFactory(name="Siobhán O'Neil & Co <team>")
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue_email(
            to=person.email,
            kind="test",
            template="emails/notice",
            subject="A notice",
            context={"lines": ['You\'d like this: "quotes" & <angles>']},
            user=person,
        )
    text = mail.outbox[0].body
    assert "Dear Siobhán O'Neil & Co <team>," in text
    assert 'You\'d like this: "quotes" & <angles>' in text
    html = mail.outbox[0].alternatives[0][0]
    assert "O&#x27;Neil &amp; Co &lt;team&gt;" in html
