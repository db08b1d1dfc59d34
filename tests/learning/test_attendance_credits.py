"""Attendance credits hours: institute sessions and turnkey training sessions, moved by every
change of attendance, never counted twice, never for a session still to come."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from institutes import services as institute_services
from institutes.learning import partial_hours
from institutes.models import Application, Attendance
from portal.learning.models import Kind, LearningCredit
from tests.factories import UserFactory
from tests.institutes.factories import ApplicationFactory, InstituteFactory, SessionFactory, coordinator_of
from tests.trainers.day_factories import present
from tests.trainers.training_factories import RegistrationFactory, TrainingFactory
from tests.trainers.training_factories import SessionFactory as TrainingSessionFactory
from trainers import attendance
from trainers.services import TrainerError

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _institute_day(**kwargs):
    institute = InstituteFactory(module__title="Teaching reading")
    session = SessionFactory(
        institute=institute, date=TODAY - timedelta(days=2), starts_at=time(9), ends_at=time(12, 30), **kwargs
    )
    people = [ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED) for _ in range(3)]
    return institute, session, people, coordinator_of(institute)


def _hours():
    return dict(LearningCredit.objects.values_list("person_id", "hours"))


def test_present_earns_the_session_partly_present_half_and_absent_nothing():
    institute, session, (ana, ben, cy), by = _institute_day(title="Day one")
    cohort = Community.objects.create(title="Cohort", kind=Community.Kind.COHORT, institute=institute)
    institute_services.record_attendance(
        session,
        marks={
            ana.pk: Attendance.Status.PRESENT,
            ben.pk: Attendance.Status.PARTIAL,
            cy.pk: Attendance.Status.ABSENT,
        },
        by=by,
    )
    assert _hours() == {ana.applicant_id: Decimal("3.50"), ben.applicant_id: Decimal("1.75")}
    credit = LearningCredit.objects.get(person=ana.applicant)
    assert (credit.kind, credit.on, credit.topic, credit.community_id, credit.source) == (
        Kind.INSTITUTE_SESSION,
        session.date,
        "Teaching reading",
        cohort.pk,
        session,
    )
    assert credit.title == f"{institute.title}: Day one"


def test_changing_a_mark_moves_the_hours_and_never_counts_twice():
    _, session, (ana, ben, _), by = _institute_day()
    institute_services.record_attendance(session, marks={ana.pk: "present", ben.pk: "present"}, by=by)
    institute_services.record_attendance(session, marks={ana.pk: "present", ben.pk: "present"}, by=by)
    assert LearningCredit.objects.count() == 2
    institute_services.record_attendance(session, marks={ana.pk: "partial", ben.pk: "absent"}, by=by)
    assert _hours() == {ana.applicant_id: Decimal("1.75")}
    institute_services.record_attendance(session, marks={ben.pk: "present"}, by=by)
    assert _hours() == {ana.applicant_id: Decimal("1.75"), ben.applicant_id: Decimal("3.50")}


@pytest.mark.parametrize(
    ("full", "half"),
    [("3.50", "1.75"), ("3.00", "1.50"), ("0.25", "0.25"), ("1.00", "0.50"), ("2.20", "1.00")],
)
def test_partly_present_is_half_to_the_quarter_hour(full, half):
    assert partial_hours(Decimal(full)) == Decimal(half)


def test_a_future_institute_session_is_refused_and_credits_nothing():
    institute, _, (ana, *_), by = _institute_day()
    later = SessionFactory(institute=institute, date=TODAY + timedelta(days=1))
    with pytest.raises(institute_services.ApplicationError, match="once the session has started"):
        institute_services.record_attendance(later, marks={ana.pk: "present"}, by=by)
    assert LearningCredit.objects.count() == 0


def test_a_session_moved_into_the_future_or_deleted_loses_its_credits():
    _, session, (ana, ben, _), by = _institute_day()
    institute_services.record_attendance(session, marks={ana.pk: "present", ben.pk: "present"}, by=by)
    from institutes.learning import credit_session

    session.date = TODAY + timedelta(days=5)
    session.save()
    credit_session(session)
    assert LearningCredit.objects.count() == 0
    session.date = TODAY
    session.save()
    credit_session(session)
    assert LearningCredit.objects.count() == 2
    session.delete()
    assert LearningCredit.objects.count() == 0


def test_crediting_a_session_takes_the_same_queries_for_3_or_13_people(django_assert_num_queries):
    from institutes.learning import credit_session

    institute, session, people, _ = _institute_day()
    Attendance.objects.bulk_create(
        Attendance(session=session, application=a, status="present") for a in people
    )
    # the session, its register, the cohort community, then sync: savepoint, delete, upsert, release
    with django_assert_num_queries(7):
        credit_session(session)
    more = [ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED) for _ in range(10)]
    Attendance.objects.bulk_create(Attendance(session=session, application=a, status="present") for a in more)
    with django_assert_num_queries(7):
        credit_session(session)
    assert LearningCredit.objects.count() == 13


# --- turnkey trainings ---------------------------------------------------------------------


def _started_training(**kwargs):
    training = TrainingFactory(sessions=0, certification__module__title="Numeracy", **kwargs)
    start = timezone.now() - timedelta(minutes=30)
    session = TrainingSessionFactory(training=training, starts_at=start, ends_at=start + timedelta(hours=3))
    return training, session


def test_a_registrant_with_an_account_is_credited_and_unmarking_takes_it_back():
    training, session = _started_training()
    person = UserFactory()
    linked = RegistrationFactory(training=training, person=person)
    attendance.mark_present(session, linked, by=training.trainer)
    credit = LearningCredit.objects.get()
    assert (credit.person, credit.hours, credit.kind, credit.topic, credit.title) == (
        person,
        Decimal("3.00"),
        Kind.TURNKEY_TRAINING,
        "Numeracy",
        training.title,
    )
    attendance.mark_present(session, linked, by=training.trainer)
    assert LearningCredit.objects.count() == 1
    attendance.unmark_present(session, linked, by=training.trainer)
    assert LearningCredit.objects.count() == 0


def test_a_registrant_is_matched_by_a_verified_address_only():
    training, session = _started_training()
    verified, unverified = UserFactory(email="vera@example.org"), UserFactory(email="una@example.org")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    for email in ["Vera@Example.org", "una@example.org"]:
        attendance.mark_present(
            session, RegistrationFactory(training=training, email=email), by=training.trainer
        )
    assert _hours() == {verified.pk: Decimal("3.00")}


def test_a_registrant_without_an_account_is_credited_once_they_confirm_that_address():
    training, session = _started_training()
    registration = RegistrationFactory(training=training, email="newcomer@example.org")
    attendance.mark_present(session, registration, by=training.trainer)
    assert LearningCredit.objects.count() == 0
    newcomer = UserFactory(email="newcomer@example.org")
    address = EmailAddress.objects.get(user=newcomer)  # the factory's, verified
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert _hours() == {newcomer.pk: Decimal("3.00")}


def test_a_training_session_on_a_day_still_to_come_is_refused():
    training = TrainingFactory()
    session = training.sessions.get()
    registration = RegistrationFactory(training=training, person=UserFactory())
    with pytest.raises(TrainerError, match="still to come"):
        attendance.mark_present(session, registration, by=training.trainer)
    assert LearningCredit.objects.count() == 0


def test_backfill_credits_existing_attendance_once():
    _, session, (ana, ben, _), _ = _institute_day()
    Attendance.objects.create(session=session, application=ana, status="present")
    Attendance.objects.create(session=session, application=ben, status="partial")
    training, training_session = _started_training()
    person = UserFactory()
    present(training_session, RegistrationFactory(training=training, person=person))
    call_command("backfill_learning_hours", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("backfill_learning_hours", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _hours() == {
        ana.applicant_id: Decimal("3.50"),
        ben.applicant_id: Decimal("1.75"),
        person.pk: Decimal("3.00"),
    }


# --- the admin --------------------------------------------------------------------------------


def test_attendance_corrected_or_deleted_in_the_admin_moves_the_hours(client_for, admin_user):
    _, session, (ana, *_), _ = _institute_day()
    mark = Attendance.objects.create(session=session, application=ana, status="absent")
    client = client_for(admin_user)
    url = reverse("admin:institutes_attendance_change", args=[mark.pk])
    response = client.post(
        url,
        {
            "session": session.pk,
            "application": ana.pk,
            "status": "present",
            "note": "",
            "recorded_at_0": TODAY.isoformat(),
            "recorded_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _hours() == {ana.applicant_id: Decimal("3.50")}
    client.post(reverse("admin:institutes_attendance_delete", args=[mark.pk]), {"post": "yes"})
    assert _hours() == {}


def test_a_tap_on_next_weeks_roster_says_when_attendance_opens(client_for):
    training = TrainingFactory()  # one session, next week
    session = training.sessions.get()
    registration = RegistrationFactory(training=training, person=UserFactory())
    url = reverse("trainers:training-roster", args=[training.pk, session.pk])
    response = client_for(training.trainer).post(
        url, {"registration": registration.pk, "present": "true"}, follow=True
    )
    assert response.status_code == 200
    assert "Attendance is taken on the day of the session" in response.content.decode()
    assert not session.attendance.exists()
    assert LearningCredit.objects.count() == 0


def test_the_attendance_page_says_what_each_mark_earns(client_for, coordinator):
    institute, session, _, _ = _institute_day()
    coordinator_of(institute, coordinator)
    html = client_for(coordinator).get(reverse("institutes:attendance", args=[session.pk])).content.decode()
    assert "present earns the session\u2019s 3.50 hours, partly present 1.75, absent none" in html
