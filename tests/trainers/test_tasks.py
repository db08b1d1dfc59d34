"""Trainers reminders: commitment windows, lapse, weekly coordinator summaries, once only."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from portal import notifications
from portal.emails import absolute_url
from portal.models import OutboundEmail
from tests.factories import coordinator
from tests.trainers.factories import CertificationFactory, HonorariumFactory, ReportFactory
from trainers import tasks
from trainers.models import Certification, FacilitationReport

LA = ZoneInfo("America/Los_Angeles")


def at_la(y, m, d, hour=7):
    return dt.datetime(y, m, d, hour, 15, tzinfo=LA)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (91, None),
        (90, "commit-90"),
        (31, "commit-90"),
        (30, "commit-30"),
        (8, "commit-30"),
        (7, "commit-7"),
        (0, "commit-7"),
        (-1, "lapsed"),
        (-14, "lapsed"),
        (-15, None),
    ],
)
def test_commitment_milestone_windows(days_left, expected):
    deadline = dt.date(2027, 3, 1)
    milestone = tasks.commitment_milestone(deadline, deadline - dt.timedelta(days=days_left))
    assert milestone == (f"{expected}:2027-03-01" if expected else None)


def _certification(deadline: dt.date, **kw) -> Certification:
    return CertificationFactory(issued_on=deadline - dt.timedelta(days=365), **kw)


@pytest.mark.django_db
def test_commitment_reminders_at_90_30_7_days_and_lapse_once_each(django_capture_on_commit_callbacks):
    certification = _certification(dt.date(2027, 3, 1))
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(0, 100)]
    with django_capture_on_commit_callbacks(execute=True):
        for day in days:
            tasks.scan_reminders(now=at_la(day.year, day.month, day.day))
    assert list(OutboundEmail.objects.order_by("pk").values_list("milestone", flat=True)) == [
        "commit-90:2027-03-01",
        "commit-30:2027-03-01",
        "commit-7:2027-03-01",
        "lapsed:2027-03-01",
    ]
    assert [m.to for m in mail.outbox] == [[certification.participant.email]] * 4
    assert mail.outbox[0].subject == f"{certification.module}: your facilitation year ends in 90 days"
    assert mail.outbox[3].subject == f"Your facilitation commitment for {certification.module} has ended"


@pytest.mark.django_db
def test_commitment_reminder_dates_follow_the_portal_time_zone_across_dst(django_capture_on_commit_callbacks):
    # DST ends on November 1, 2026; at 05:00 UTC on November 2 it is still November 1 in Los Angeles.
    _certification(dt.date(2026, 11, 8))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=dt.datetime(2026, 11, 2, 5, 0, tzinfo=dt.UTC))
    assert OutboundEmail.objects.get().milestone == "commit-7:2026-11-08"
    assert mail.outbox[0].subject.endswith("ends in 7 days")


@pytest.mark.django_db
def test_fulfilled_and_revoked_commitments_get_no_reminder(django_capture_on_commit_callbacks):
    fulfilled = _certification(dt.date(2027, 3, 1))
    ReportFactory(
        trainer=fulfilled.participant,
        module=fulfilled.module,
        starts_on=dt.date(2026, 10, 1),
        status=FacilitationReport.Status.VERIFIED,
    )
    _certification(dt.date(2027, 3, 1), status=Certification.Status.REVOKED)
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders(now=at_la(2026, 12, 1))
    assert summary["commitments"]["queued"] == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_commitment_reminders_respect_the_trainers_choice_and_link_to_it(django_capture_on_commit_callbacks):
    keen = _certification(dt.date(2027, 3, 1))
    quiet = _certification(dt.date(2027, 3, 1))
    notifications.set_preferences(quiet.participant, {"commitment_reminders": False})
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders(now=at_la(2026, 12, 1))
    assert (summary["commitments"]["queued"], summary["commitments"]["suppressed"]) == (1, 1)
    assert OutboundEmail.objects.get(user=quiet.participant).state == OutboundEmail.State.SUPPRESSED
    [sent] = mail.outbox
    assert sent.to == [keen.participant.email]
    token = notifications.unsubscribe_token(keen.participant, "commitment_reminders")
    assert sent.extra_headers["List-Unsubscribe"] == f"<{absolute_url(reverse('unsubscribe', args=[token]))}>"
    assert OutboundEmail.objects.get(user=keen.participant).state == OutboundEmail.State.SENT


@pytest.mark.django_db
def test_weekly_summaries_go_to_coordinators_once_a_week(django_capture_on_commit_callbacks):
    boss = coordinator()
    _certification(dt.date(2026, 12, 10))  # due within 30 days
    _certification(dt.date(2026, 11, 28))  # lapsed in the last week
    HonorariumFactory(amount=Decimal("300.00"))
    HonorariumFactory(amount=Decimal("150.50"))
    with django_capture_on_commit_callbacks(execute=True):
        monday = tasks.scan_reminders(now=at_la(2026, 11, 30))
        tuesday = tasks.scan_reminders(now=at_la(2026, 12, 1))
        next_monday = tasks.scan_reminders(now=at_la(2026, 12, 7))
    assert monday["coordinator_summaries"]["queued"] == 2
    assert tuesday["coordinator_summaries"]["queued"] == 0
    assert next_monday["coordinator_summaries"]["queued"] == 2
    summaries = [m for m in mail.outbox if m.to == [boss.email]]
    first_week = {m.subject: m for m in summaries[:2]}
    assert sorted(first_week) == [
        "2 honoraria waiting for approval",
        "This week: 1 facilitation commitment(s) due, 1 lapsed",
    ]
    assert "$450.50" in first_week["2 honoraria waiting for approval"].body
    assert set(OutboundEmail.objects.filter(recipient=boss.email).values_list("milestone", flat=True)) == {
        "week:2026-W49",
        "week:2026-W50",
    }


@pytest.mark.django_db
def test_no_summary_when_nothing_waits(django_capture_on_commit_callbacks):
    coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders(now=at_la(2026, 11, 30))
    assert summary["coordinator_summaries"]["batches"] == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_commitment_scan_costs_fixed_queries_per_batch(django_assert_max_num_queries):
    for n in range(12):
        _certification(dt.date(2027, 1, 1) + dt.timedelta(days=n))
    # per batch of 5: certifications, ledger keys, choices, insert (+ a read-back of ids off
    # PostgreSQL, and savepoints); the summaries: 2 aggregates and the coordinators; then one query
    # for each scan with nothing to do (trainings starting, registrants, the two training surveys).
    with django_assert_max_num_queries(3 * 7 + 3 + 4):
        summary = tasks.scan_reminders(now=at_la(2026, 12, 1), batch_size=5)
    assert (summary["commitments"]["batches"], summary["commitments"]["queued"]) == (3, 12)


def test_send_reminders_task_is_registered_under_the_beat_name():
    from django.conf import settings

    from portal.celery import app

    assert app.tasks["trainers.send_reminders"].name == "trainers.send_reminders"
    assert settings.CELERY_BEAT_SCHEDULE["trainer-reminders"]["task"] == "trainers.send_reminders"
