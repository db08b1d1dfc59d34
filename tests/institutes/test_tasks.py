"""Institutes reminders: windows, recipients, once only, and dates in the portal's time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from institutes import tasks
from institutes.models import Application, AssignmentSubmission, Institute
from portal import notifications
from portal.models import OutboundEmail
from tests.institutes.factories import ApplicationFactory, AssignmentFactory, InstituteFactory, SessionFactory

LA = ZoneInfo("America/Los_Angeles")
UTC = dt.UTC


def at_la(y, m, d, hour=7):
    return dt.datetime(y, m, d, hour, 0, tzinfo=LA)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (8, None),
        (7, "due-7:2026-12-01"),
        (2, "due-7:2026-12-01"),
        (1, "due-1:2026-12-01"),
        (0, "due-1:2026-12-01"),
        (-1, "overdue:2026-12-01"),
        (-14, "overdue:2026-12-01"),
        (-15, None),
    ],
)
def test_assignment_milestone_windows(days_left, expected):
    due = dt.date(2026, 12, 1)
    assert tasks.assignment_milestone(due, due - dt.timedelta(days=days_left)) == expected


@pytest.mark.parametrize(
    ("days_left", "expected"), [(8, None), (7, "starts-7:2026-12-01"), (1, "starts-7:2026-12-01"), (0, None)]
)
def test_starting_milestone_windows(days_left, expected):
    start = dt.date(2026, 12, 1)
    assert tasks.starting_milestone(start, start - dt.timedelta(days=days_left)) == expected


def _accepted(institute, **kw):
    return ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED, **kw)


def _submit(assignment, application, state):
    return AssignmentSubmission.objects.create(
        assignment=assignment, application=application, text="My answer", state=state
    )


@pytest.mark.django_db
def test_assignment_reminder_goes_to_accepted_participants_not_done(django_capture_on_commit_callbacks):
    institute = InstituteFactory()
    assignment = AssignmentFactory(institute=institute, due_on=dt.date(2026, 12, 1))
    waiting = _accepted(institute)
    nothing_yet = _accepted(institute)
    revising = _accepted(institute)
    accepted = _accepted(institute)
    ApplicationFactory(institute=institute, status=Application.Status.SUBMITTED)  # not accepted
    _submit(assignment, waiting, AssignmentSubmission.State.SUBMITTED)
    _submit(assignment, revising, AssignmentSubmission.State.REVISION)
    _submit(assignment, accepted, AssignmentSubmission.State.ACCEPTED)

    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders(now=at_la(2026, 11, 24))

    assert summary["assignments"]["queued"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [nothing_yet.applicant.email, revising.applicant.email]
    )
    message = mail.outbox[0]
    assert message.subject == f"Due in 7 days: {assignment.title}"
    assert "Tuesday, December 1, 2026" in message.body
    assert f"/institutes/assignments/{assignment.pk}/" in message.body
    assert set(OutboundEmail.objects.values_list("milestone", flat=True)) == {"due-7:2026-12-01"}


@pytest.mark.django_db
def test_assignment_scan_twice_sends_once_then_the_next_milestone(django_capture_on_commit_callbacks):
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=dt.date(2026, 12, 1))
    _accepted(institute)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.scan_reminders(now=at_la(2026, 11, 24))
        second = tasks.scan_reminders(now=at_la(2026, 11, 25))
    assert (first["assignments"]["queued"], second["assignments"]["queued"]) == (1, 0)
    assert second["assignments"]["already_recorded"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=at_la(2026, 11, 30))  # due-1
        tasks.scan_reminders(now=at_la(2026, 12, 1))  # due today: still due-1, already sent
        tasks.scan_reminders(now=at_la(2026, 12, 2))  # overdue
        tasks.scan_reminders(now=at_la(2026, 12, 3))
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Due in 7 days", "Due tomorrow", "Overdue"]


@pytest.mark.django_db
def test_assignment_reminders_skip_draft_and_completed_institutes(django_capture_on_commit_callbacks):
    for status in (Institute.Status.DRAFT, Institute.Status.COMPLETED):
        institute = InstituteFactory(status=status)
        AssignmentFactory(institute=institute, due_on=dt.date(2026, 12, 1))
        _accepted(institute)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=at_la(2026, 11, 24))
    assert mail.outbox == []


@pytest.mark.django_db
def test_assignment_dates_follow_the_portal_time_zone_across_dst(django_capture_on_commit_callbacks):
    # Daylight saving time ends in Los Angeles at 2 a.m. on Sunday, November 1, 2026.
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=dt.date(2026, 11, 8))
    _accepted(institute)
    late_saturday = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # Oct 31, 23:30 PDT: 8 days left
    assert late_saturday.astimezone(LA).date() == dt.date(2026, 10, 31)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=late_saturday)
    assert mail.outbox == []  # in UTC it is already November 1, 7 days before: a UTC scan would send
    sunday_evening = dt.datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # Nov 1, 21:00 PST (UTC-8 now)
    assert sunday_evening.astimezone(LA).utcoffset() == dt.timedelta(hours=-8)
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders(now=sunday_evening)
    assert summary["assignments"]["queued"] == 1
    assert OutboundEmail.objects.get().milestone == "due-7:2026-11-08"
    assert mail.outbox[0].subject.startswith("Due in 7 days")


@pytest.mark.django_db
def test_institute_starting_reminder_once_to_accepted_participants(django_capture_on_commit_callbacks):
    institute = InstituteFactory(status=Institute.Status.CLOSED)
    SessionFactory(institute=institute, date=dt.date(2026, 11, 8))
    SessionFactory(institute=institute, date=dt.date(2026, 11, 15))
    participant = _accepted(institute)
    ApplicationFactory(institute=institute, status=Application.Status.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        early = tasks.scan_reminders(now=at_la(2026, 10, 31))  # 8 days before
        first = tasks.scan_reminders(now=at_la(2026, 11, 1))  # 7 days before, the day DST ends
        again = tasks.scan_reminders(now=at_la(2026, 11, 2))
    assert (early["institute_starting"]["queued"], first["institute_starting"]["queued"]) == (0, 1)
    assert again["institute_starting"] == {
        "batches": 1,
        "queued": 0,
        "suppressed": 0,
        "already_recorded": 1,
        "would_queue": 0,
    }
    assert [m.to for m in mail.outbox] == [[participant.applicant.email]]
    assert mail.outbox[0].subject == f"{institute} begins in 7 days"
    assert "Sunday, November 8, 2026" in mail.outbox[0].body


@pytest.mark.django_db
def test_reminders_respect_the_participants_choice(django_capture_on_commit_callbacks):
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=dt.date(2026, 12, 1))
    quiet = _accepted(institute)
    notifications.set_preferences(quiet.applicant, {"assignment_reminders": False})
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders(now=at_la(2026, 11, 24))
    assert (summary["assignments"]["queued"], summary["assignments"]["suppressed"]) == (0, 1)
    assert mail.outbox == []


@pytest.mark.django_db
def test_assignment_scan_costs_fixed_queries_per_batch(django_assert_max_num_queries):
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=dt.date(2026, 12, 1))
    AssignmentFactory(institute=institute, due_on=dt.date(2026, 11, 30))
    for _ in range(12):
        _accepted(institute)
    # 2 set-up queries, then per batch of 5: participants, submissions, ledger keys, choices,
    # insert (+ a read-back of ids off PostgreSQL, and savepoints); 3 batches; then one query for each
    # scan with nothing to do.
    with django_assert_max_num_queries(2 + 3 * 8 + 3):
        summary = tasks.scan_reminders(now=at_la(2026, 11, 24), batch_size=5)
    assert summary["assignments"]["batches"] == 3
    assert summary["assignments"]["queued"] == 24


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    institute = InstituteFactory()
    AssignmentFactory(institute=institute, due_on=dt.date(2026, 12, 1))
    _accepted(institute)
    summary = tasks.scan_reminders(now=at_la(2026, 11, 24), dry_run=True)
    assert summary["assignments"]["would_queue"] == 1
    assert OutboundEmail.objects.count() == 0


def test_send_reminders_task_is_registered_under_the_beat_name():
    from django.conf import settings

    from portal.celery import app

    assert app.tasks["institutes.send_reminders"].name == "institutes.send_reminders"
    assert settings.CELERY_BEAT_SCHEDULE["institute-reminders"]["task"] == "institutes.send_reminders"
    assert timezone.get_current_timezone_name() == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("waited", "expected"),
    [
        (2, None),
        (3, "endorsement-reminder-3"),
        (6, "endorsement-reminder-3"),
        (7, "endorsement-reminder-7"),
        (20, "endorsement-reminder-7"),
    ],
)
def test_endorsement_milestones(waited, expected):
    asked = dt.date(2026, 12, 1)
    assert tasks.endorsement_milestone(asked, asked + dt.timedelta(days=waited)) == expected


@pytest.mark.django_db
def test_supervisors_are_reminded_after_3_and_7_days_once_each(django_capture_on_commit_callbacks):
    asked = at_la(2026, 12, 1, hour=9)
    waiting = ApplicationFactory(
        status=Application.Status.SUBMITTED,
        supervisor_email="boss@example.org",
        endorsement=Application.Endorsement.REQUESTED,
        endorsement_requested_at=asked,
    )
    ApplicationFactory(  # answered already: no reminder
        status=Application.Status.SUBMITTED,
        supervisor_email="done@example.org",
        endorsement=Application.Endorsement.ENDORSED,
        endorsement_requested_at=asked,
    )

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.scan_reminders(now=at_la(2026, 12, day))

    for day in (2, 3):
        run(day)
    assert mail.outbox == []
    for day in (4, 4, 5, 8, 8, 9):
        run(day)
    reminders = OutboundEmail.objects.filter(kind="application.endorsement_reminder").order_by("pk")
    assert [(r.recipient, r.milestone) for r in reminders] == [
        ("boss@example.org", "endorsement-reminder-3"),
        ("boss@example.org", "endorsement-reminder-7"),
    ]
    assert "We have not had your answer yet" in mail.outbox[0].body
    assert waiting.applicant.display_name in mail.outbox[0].subject
