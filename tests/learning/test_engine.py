"""The hours engine: one credit per person and source, refused for the future, totals in few queries."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from portal.learning import services
from portal.learning.models import HoursRecord, Kind, LearningCredit
from portal.learning.services import CommunityInfo, LearningError
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_record_twice_keeps_one_credit_with_the_latest_hours():
    person, source = UserFactory(), AgencyFactory()
    services.record(person, source, 3, TODAY, "Session one", Kind.INSTITUTE_SESSION, topic="Math")
    credit = services.record(person, source, Decimal("2.5"), TODAY, "Session one", Kind.INSTITUTE_SESSION)
    assert LearningCredit.objects.count() == 1
    assert credit.hours == Decimal("2.50")
    assert credit.topic == ""


def test_the_same_source_credits_two_people_once_each():
    first, second, source = UserFactory(), UserFactory(), AgencyFactory()
    services.record(first, source, 3, TODAY, "Session", Kind.WEBINAR)
    services.record(second, source, 3, TODAY, "Session", Kind.WEBINAR)
    services.record(first, source, 3, TODAY, "Session", Kind.WEBINAR)
    assert LearningCredit.objects.order_by().values_list("person_id", flat=True).count() == 2


def test_withdraw_is_idempotent():
    person, source = UserFactory(), AgencyFactory()
    services.record(person, source, 3, TODAY, "Session", Kind.WEBINAR)
    assert services.withdraw(person, source) is True
    assert services.withdraw(person, source) is False
    assert LearningCredit.objects.count() == 0


def test_a_future_date_is_refused_with_a_message():
    person, source = UserFactory(), AgencyFactory()
    with pytest.raises(LearningError, match="before the session has taken place"):
        services.record(person, source, 3, TODAY + datetime.timedelta(days=1), "Later", Kind.WEBINAR)
    assert LearningCredit.objects.count() == 0


@pytest.mark.parametrize("hours", [0, -1, "0.001"])
def test_no_hours_is_refused(hours):
    with pytest.raises(LearningError, match="more than zero"):
        services.record(UserFactory(), AgencyFactory(), hours, TODAY, "Nothing", Kind.WEBINAR)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown kind"):
        services.record(UserFactory(), AgencyFactory(), 1, TODAY, "Nothing", "party")


def test_sync_source_sets_exactly_the_given_people(django_assert_max_num_queries):
    people = UserFactory.create_batch(5)
    source = AgencyFactory()
    services.sync_source(
        source, {p.pk: Decimal(3) for p in people[:4]}, on=TODAY, title="Day", kind=Kind.TURNKEY_TRAINING
    )
    with django_assert_max_num_queries(6):
        services.sync_source(
            source,
            {people[0].pk: Decimal("1.5"), people[4].pk: Decimal(3), people[1].pk: Decimal(0)},
            on=TODAY,
            title="Day",
            kind=Kind.TURNKEY_TRAINING,
        )
    assert dict(LearningCredit.objects.values_list("person_id", "hours")) == {
        people[0].pk: Decimal("1.50"),
        people[4].pk: Decimal("3.00"),
    }
    assert services.withdraw_source(source) == 2


def test_sync_source_refuses_the_future_and_changes_nothing():
    person, source = UserFactory(), AgencyFactory()
    services.record(person, source, 2, TODAY, "Day", Kind.WEBINAR)
    with pytest.raises(LearningError):
        services.sync_source(
            source, {person.pk: 3}, on=TODAY + datetime.timedelta(days=3), title="Day", kind="webinar"
        )
    assert LearningCredit.objects.get().hours == Decimal("2.00")


def test_transcript_totals_per_community_and_topic(django_assert_num_queries, monkeypatch):
    person = UserFactory()
    year = TODAY.year
    monkeypatch.setattr(services, "_community_directory", [])
    services.register_community_directory(
        lambda person, ids: {
            i: CommunityInfo(f"Community {i}", expected_min=Decimal(16)) for i in ids if i == 7
        }
    )
    services.record(
        person, AgencyFactory(), 3, datetime.date(year, 1, 10), "A", Kind.INSTITUTE_SESSION, "Math", 7
    )
    services.record(
        person, AgencyFactory(), 2, datetime.date(year, 1, 11), "B", Kind.COMMUNITY_EVENT, "Math", 7
    )
    services.record(person, AgencyFactory(), 1, datetime.date(year, 1, 12), "C", Kind.WEBINAR, "ESL")
    services.record(person, AgencyFactory(), 4, datetime.date(year - 1, 5, 1), "Old", Kind.WEBINAR, "ESL")
    services.record(UserFactory(), AgencyFactory(), 9, datetime.date(year, 1, 12), "Not mine", Kind.WEBINAR)
    with django_assert_num_queries(2):
        sheet = services.transcript(person, year)
    assert sheet.total == Decimal("6.00")
    assert [c.title for c in sheet.credits] == ["C", "B", "A"]
    assert [(row.label, row.hours) for row in sheet.by_community] == [
        ("Community 7", Decimal("5.00")),
        ("Outside a community", Decimal("1.00")),
    ]
    assert sheet.by_community[0].info.expected_min == Decimal(16)
    assert [(row.label, row.hours, row.credits) for row in sheet.by_topic] == [
        ("Math", Decimal("5.00"), 2),
        ("ESL", Decimal("1.00"), 1),
    ]
    assert sheet.years == [year, year - 1]
    assert services.transcript(person, year - 1).total == Decimal("4.00")


def test_issuing_again_supersedes_the_older_record_which_keeps_its_totals():
    person = UserFactory(name="Rosa Diaz")
    start, end = datetime.date(TODAY.year, 1, 1), datetime.date(TODAY.year, 12, 31)
    services.record(person, AgencyFactory(), 3, TODAY, "A", Kind.WEBINAR)
    first = services.issue_record(person, start, end)
    services.record(person, AgencyFactory(), 2, TODAY, "B", Kind.WEBINAR)
    second = services.issue_record(person, start, end)
    first.refresh_from_db()
    assert first.code != second.code
    assert (first.total_hours, first.credits, first.superseded_by) == (Decimal("3.00"), 1, second)
    assert (second.total_hours, second.credits, second.is_current) == (Decimal("5.00"), 2, True)
    assert services.find_record(first.code) == first
    assert services.find_record("nope") is None
    assert services.find_record("") is None
    assert HoursRecord.objects.current().get() == second
    assert len(second.code) >= 20


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(LearningError):
        services.issue_record(UserFactory(), TODAY, TODAY - datetime.timedelta(days=1))


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_records_of_the_same_attendance_leave_one_credit():
    if connection.vendor != "postgresql":
        pytest.skip("Row locking is tested on PostgreSQL.")
    person, source = UserFactory(), AgencyFactory()
    errors = []

    def go():
        try:
            services.record(person, source, 3, TODAY, "Session", Kind.WEBINAR)
        except Exception as error:  # pragma: no cover - the assertion shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LearningCredit.objects.filter(person=person).count() == 1
