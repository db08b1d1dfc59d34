"""Planning turnkey trainings: services, pages, co-facilitators, cancellation e-mails, reminders."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, OutboundEmail
from tests.factories import AgencyFactory, UserFactory, coordinator, state_office, with_totp
from tests.trainers.factories import CertificationFactory, ModuleFactory, certified_trainer, coordinating
from tests.trainers.training_factories import (
    CoFacilitatorFactory,
    RegistrationFactory,
    SessionFactory,
    TrainingFactory,
)
from trainers import planning, tasks
from trainers.models import Certification, CoFacilitator, Registration, TurnkeyTraining
from trainers.planning import Schedule, TrainerError

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
Status = TurnkeyTraining.Status
NINE, NOON = dt.time(9), dt.time(12)


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _details(**overrides) -> dict:
    return {
        "title": "Math strategies in Fresno",
        "audience": "ESL teachers",
        "host_kind": "own_agency",
        "format": TurnkeyTraining.Format.IN_PERSON,
        "venue": "Room 4",
        "capacity": 20,
        **overrides,
    }


def _plan(certification, schedule=None, **overrides) -> TurnkeyTraining:
    return planning.plan_training(
        certification.participant,
        certification=certification,
        schedule=schedule or Schedule(_in_days(10), NINE, NOON),
        **_details(**overrides),
    )


# --- planning ---------------------------------------------------------------------------


def test_plan_training_makes_a_draft_with_sessions_agenda_and_audit():
    module = ModuleFactory(agenda_template="9:00 Welcome\n10:00 Practice")
    _, certification = certified_trainer(module)
    training = _plan(certification, Schedule(_in_days(10), NINE, NOON, "weekly", 3))
    assert training.status == Status.DRAFT
    assert training.module == module
    assert training.agenda == "9:00 Welcome\n10:00 Practice"
    sessions = list(training.sessions.all())
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [
        _in_days(10),
        _in_days(17),
        _in_days(24),
    ]
    assert training.starts_at == sessions[0].starts_at
    assert training.ends_at == sessions[-1].ends_at
    assert timezone.localtime(training.ends_at).time() == NOON
    assert AuditEntry.objects.about(training).get().to_status == Status.DRAFT


def test_plan_training_refuses_someone_elses_certification():
    trainer, _ = certified_trainer()
    _, others = certified_trainer()
    with pytest.raises(TrainerError, match="active certification"):
        planning.plan_training(
            trainer, certification=others, schedule=Schedule(_in_days(3), NINE, NOON), **_details()
        )
    assert not TurnkeyTraining.objects.exists()


def test_plan_training_refuses_a_revoked_certification():
    _, certification = certified_trainer()
    Certification.objects.filter(pk=certification.pk).update(status=Certification.Status.REVOKED)
    with pytest.raises(TrainerError):
        _plan(certification)


def test_plan_training_refuses_an_online_training_without_a_link():
    _, certification = certified_trainer()
    with pytest.raises(TrainerError, match="link"):
        _plan(certification, format=TurnkeyTraining.Format.ONLINE, venue="")


@pytest.mark.parametrize(
    ("first_day", "expected"),
    [
        (dt.date(2027, 1, 31), [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]),
        (dt.date(2027, 11, 30), [dt.date(2027, 11, 30), dt.date(2027, 12, 30), dt.date(2028, 1, 30)]),
        (dt.date(2028, 1, 29), [dt.date(2028, 1, 29), dt.date(2028, 2, 29), dt.date(2028, 3, 29)]),
    ],
)
def test_monthly_series_keeps_the_day_and_falls_on_short_months_last_day(first_day, expected):
    assert Schedule(first_day, NINE, NOON, "monthly", 3).days() == expected


def test_weekly_series_keeps_local_hours_across_daylight_saving():
    # DST ends on November 1, 2026 in Los Angeles: 9:00 stays 9:00 on the clock.
    schedule = Schedule(dt.date(2026, 10, 26), NINE, NOON, "weekly", 2)
    starts = [s.astimezone(LA) for s, _ in schedule.times()]
    assert [(s.date(), s.hour) for s in starts] == [(dt.date(2026, 10, 26), 9), (dt.date(2026, 11, 2), 9)]


def test_update_training_moves_sessions_in_place_and_keeps_dates_in_step():
    _, certification = certified_trainer()
    training = _plan(certification, Schedule(_in_days(10), NINE, NOON, "weekly", 3))
    first_session = training.sessions.first()
    planning.update_training(
        training, by=training.trainer, schedule=Schedule(_in_days(12), NINE, NOON, "weekly", 2), title="New"
    )
    training.refresh_from_db()
    assert training.title == "New"
    assert training.sessions.count() == 2
    assert training.sessions.first().pk == first_session.pk  # its check-in code stays
    assert timezone.localtime(training.starts_at).date() == _in_days(12)
    assert timezone.localtime(training.ends_at).date() == _in_days(19)
    assert AuditEntry.objects.about(training).filter(action="changed").get().details == {
        "fields": ["title", "dates"]
    }


def test_move_one_session_keeps_the_others_and_the_dates_in_step(client_for):
    training = TrainingFactory(sessions=3)
    first, second, third = training.sessions.all()
    url = reverse("trainers:training-session", args=[training.pk, third.pk])
    client = client_for(training.trainer)
    bad = client.post(url, {"day": _in_days(40).isoformat(), "starts": "14:00", "ends": "13:00"})
    assert "end after it starts" in bad.context["form"].errors["ends"][0]
    assert bad.context["form"]["day"].value() == _in_days(40).isoformat()
    client.post(url, {"day": _in_days(40).isoformat(), "starts": "13:00", "ends": "16:00"})
    training.refresh_from_db()
    third.refresh_from_db()
    assert timezone.localtime(third.starts_at).date() == _in_days(40)
    assert training.ends_at == third.ends_at
    assert training.starts_at == first.starts_at
    assert list(training.sessions.all()) == [first, second, third]
    # Saving the details alone leaves the moved session where it is.
    planning.update_training(
        training, by=training.trainer, schedule=Schedule.of(training), title="Same dates"
    )
    third.refresh_from_db()
    assert timezone.localtime(third.starts_at).date() == _in_days(40)


def test_another_trainings_session_is_not_found(client_for):
    training, other = TrainingFactory(), TrainingFactory()
    url = reverse("trainers:training-session", args=[training.pk, other.sessions.get().pk])
    assert client_for(training.trainer).get(url).status_code == 404


def test_capacity_never_below_the_registered_count():
    training = TrainingFactory(capacity=3)
    RegistrationFactory.create_batch(2, training=training)
    RegistrationFactory(training=training, status=Registration.Status.WAITLISTED)
    with pytest.raises(TrainerError, match="2 people are registered"):
        planning.update_training(training, by=training.trainer, capacity=1)
    planning.update_training(training, by=training.trainer, capacity=2)
    training.refresh_from_db()
    assert training.capacity == 2


def test_held_and_cancelled_trainings_cannot_be_changed():
    for status in (Status.HELD, Status.CANCELLED):
        training = TrainingFactory(status=status)
        with pytest.raises(TrainerError, match="can't be changed"):
            planning.update_training(training, by=training.trainer, title="Later")


# --- moves ------------------------------------------------------------------------------


def test_publish_then_cancel_moves_and_audits():
    training = TrainingFactory(status=Status.DRAFT, published_at=None)
    planning.publish_training(training, by=training.trainer)
    training.refresh_from_db()
    assert training.status == Status.PUBLISHED
    assert training.published_at is not None
    planning.cancel_training(training, by=training.trainer, reason="The room flooded.")
    training.refresh_from_db()
    assert (training.status, training.cancel_reason) == (Status.CANCELLED, "The room flooded.")
    moves = AuditEntry.objects.about(training).order_by("pk").values_list("from_status", "to_status")
    assert list(moves) == [("draft", "published"), ("published", "cancelled")]


@pytest.mark.parametrize(
    ("start", "move"),
    [
        (Status.CANCELLED, "publish"),
        (Status.HELD, "publish"),
        (Status.HELD, "cancel"),
    ],
)
def test_moves_out_of_a_final_state_are_refused(start, move):
    training = TrainingFactory(status=start)
    if move == "publish":
        with pytest.raises(TrainerError):
            planning.publish_training(training, by=training.trainer)
    else:
        with pytest.raises(TrainerError):
            planning.cancel_training(training, by=training.trainer, reason="No.")
    training.refresh_from_db()
    assert training.status == start


def test_publishing_without_a_session_is_refused():
    training = TrainingFactory(status=Status.DRAFT, sessions=0)
    with pytest.raises(TrainerError, match="date"):
        planning.publish_training(training, by=training.trainer)


def test_cancel_needs_a_reason():
    training = TrainingFactory()
    with pytest.raises(TrainerError, match="why"):
        planning.cancel_training(training, by=training.trainer, reason="  ")


def test_cancel_emails_each_registrant_and_accepted_co_facilitator_exactly_once(
    django_capture_on_commit_callbacks,
):
    training = TrainingFactory()
    registered = RegistrationFactory(training=training, name="Rosa Reyes")
    waiting = RegistrationFactory(training=training, status=Registration.Status.WAITLISTED)
    RegistrationFactory(training=training, status=Registration.Status.CANCELLED)
    accepted = CoFacilitatorFactory(training=training, status=CoFacilitator.Status.ACCEPTED)
    CoFacilitatorFactory(training=training)  # invited only: not told
    with django_capture_on_commit_callbacks(execute=True):
        planning.cancel_training(training, by=training.trainer, reason="The trainer is ill.")
        planning.cancel_training(training, by=training.trainer, reason="Again.")  # already there
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [registered.email, waiting.email, accepted.person.email]
    )
    to_rosa = next(m for m in mail.outbox if m.to == [registered.email])
    assert to_rosa.subject.startswith(f"Cancelled: {training.title}")
    assert "Dear Rosa Reyes," in to_rosa.body
    assert "The trainer is ill." in to_rosa.body
    assert OutboundEmail.objects.filter(kind=planning.CANCELLED_KIND).count() == 3


# --- checklist ---------------------------------------------------------------------------


def test_checklist_toggles_and_refuses_unknown_steps():
    training = TrainingFactory(status=Status.DRAFT)
    planning.set_checklist_item(training, "space", done=True, by=training.trainer)
    planning.set_checklist_item(training, "copies", done=True, by=training.trainer)
    planning.set_checklist_item(training, "copies", done=False, by=training.trainer)
    training.refresh_from_db()
    assert [done for *_, done in training.checklist_items()] == [True, False, False, False]
    assert planning.open_checklist_items(training)[0] == "Make copies of the handouts"
    with pytest.raises(TrainerError):
        planning.set_checklist_item(training, "cake", done=True, by=training.trainer)


# --- co-facilitators -----------------------------------------------------------------------


def test_co_facilitator_flow_invite_accept_listed(django_capture_on_commit_callbacks):
    training = TrainingFactory()
    colleague, _ = certified_trainer(training.module, name="Cleo Colleague")
    assert list(planning.co_facilitator_candidates(training, "cleo")) == [colleague]
    assert list(planning.co_facilitator_candidates(training, colleague.email.upper())) == [colleague]
    with django_capture_on_commit_callbacks(execute=True):
        invitation = planning.invite_co_facilitator(training, colleague, by=training.trainer)
    assert mail.outbox[-1].to == [colleague.email]
    assert not TurnkeyTraining.objects.facilitated_by(colleague).exists()  # not listed yet
    assert list(planning.co_facilitator_candidates(training, "cleo")) == []  # invited already
    with django_capture_on_commit_callbacks(execute=True):
        planning.answer_co_facilitation(invitation, by=colleague, accept=True)
    invitation.refresh_from_db()
    assert invitation.status == CoFacilitator.Status.ACCEPTED
    assert list(TurnkeyTraining.objects.facilitated_by(colleague)) == [training]
    assert mail.outbox[-1].to == [training.trainer.email]
    assert "accepted" in mail.outbox[-1].subject


def test_only_the_invited_person_can_answer():
    invitation = CoFacilitatorFactory()
    for someone in (invitation.training.trainer, UserFactory()):
        with pytest.raises(TrainerError, match="Only the person invited"):
            planning.answer_co_facilitation(invitation, by=someone, accept=True)
    invitation.refresh_from_db()
    assert invitation.status == CoFacilitator.Status.INVITED


def test_invite_refuses_trainers_of_another_module_the_lead_and_twice():
    training = TrainingFactory()
    other_module_trainer, _ = certified_trainer()
    with pytest.raises(TrainerError, match="not certified"):
        planning.invite_co_facilitator(training, other_module_trainer, by=training.trainer)
    with pytest.raises(TrainerError, match="lead"):
        planning.invite_co_facilitator(training, training.trainer, by=training.trainer)
    colleague, _ = certified_trainer(training.module)
    planning.invite_co_facilitator(training, colleague, by=training.trainer)
    with pytest.raises(TrainerError, match="invited already"):
        planning.invite_co_facilitator(training, colleague, by=training.trainer)
    assert list(planning.co_facilitator_candidates(training, other_module_trainer.name)) == []


# --- pages ---------------------------------------------------------------------------------


def _form_data(certification=None, **overrides) -> dict:
    data = {
        "title": "Reading circles",
        "audience": "Paraprofessionals",
        "description": "",
        "agenda": "My agenda",
        "first_day": _in_days(14).isoformat(),
        "starts": "09:00",
        "ends": "12:00",
        "repeat": "once",
        "count": "1",
        "format": "in_person",
        "host_kind": "own_agency",
        "host_agency": "",
        "region": "",
        "venue": "Library",
        "address": "5 Main St",
        "online_link": "",
        "capacity": "25",
    }
    if certification is not None:
        data["certification"] = str(certification.pk)
    data.update(overrides)
    return data


def test_plan_form_prefills_the_agenda_and_saves_a_draft(client_for):
    agency = AgencyFactory(region="Central Valley")
    module = ModuleFactory(agenda_template="The module's agenda")
    trainer, certification = certified_trainer(module, agency=agency)
    client = client_for(trainer)
    page = client.get(reverse("trainers:training-new"))
    assert "The module&#x27;s agenda" in page.content.decode()
    response = client.post(
        reverse("trainers:training-new"), _form_data(certification, repeat="monthly", count="3")
    )
    training = TurnkeyTraining.objects.get()
    assert response.status_code == 302
    assert response["Location"] == training.get_absolute_url()
    assert (training.trainer, training.host_agency, training.region) == (trainer, agency, "Central Valley")
    assert training.sessions.count() == 3
    assert training.agenda == "My agenda"


def test_plan_form_refuses_someone_elses_certification_id(client_for):
    trainer, _ = certified_trainer()
    _, others = certified_trainer()
    response = client_for(trainer).post(reverse("trainers:training-new"), _form_data(others))
    assert response.status_code == 200
    assert "certification" in response.context["form"].errors
    assert not TurnkeyTraining.objects.exists()


def test_plan_page_is_refused_without_an_active_certification(client_for):
    assert client_for(UserFactory()).get(reverse("trainers:training-new")).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends": "08:00"}, "ends", "end after it starts"),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"format": "online", "venue": ""}, "online_link", "link to the online room"),
        ({"venue": ""}, "venue", "where the training takes place"),
        ({"first_day": "2020-01-01"}, "first_day", "today or a later date"),
        ({"repeat": "weekly", "count": "1"}, "count", "at least two sessions"),
        ({"host_kind": "other_agency"}, "host_agency", "agency that hosts"),
        ({"first_day": "not a date"}, "first_day", "valid date"),
    ],
)
def test_plan_form_bad_input_is_kept_with_a_message_at_the_field(client_for, overrides, field, message):
    trainer, certification = certified_trainer()
    response = client_for(trainer).post(
        reverse("trainers:training-new"), _form_data(certification, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert 'value="Reading circles"' in response.content.decode()  # what was typed stays
    assert not TurnkeyTraining.objects.exists()


HOSTILE = '<script>alert("tot-xss")</script><img src=x onerror=alert("tot-xss")>'


@pytest.mark.parametrize(
    ("text", "saved"),
    [(HOSTILE, True), ("Zoë Ångström-Nguyễn 👩🏽‍🏫", True), ("x" * 100_000, False), ("nul\x00byte", False)],
)
def test_plan_form_survives_hostile_and_odd_text(client_for, text, saved):
    trainer, certification = certified_trainer()
    client = client_for(trainer)
    data = _form_data(certification, title=text, audience=text, agenda=text, venue=text, capacity=text)
    response = client.post(reverse("trainers:training-new"), data)
    assert response.status_code == 200  # the capacity is not a number: kept with a message
    assert "capacity" in response.context["form"].errors
    assert HOSTILE not in response.content.decode()
    response = client.post(reverse("trainers:training-new"), {**data, "capacity": "12"})
    if saved:
        assert TurnkeyTraining.objects.get().title == text
        assert HOSTILE not in client.get(response["Location"]).content.decode()
    else:
        assert response.context["form"].errors["title"]
        assert not TurnkeyTraining.objects.exists()


def test_edit_form_refuses_capacity_below_registered(client_for):
    training = TrainingFactory(capacity=5)
    RegistrationFactory.create_batch(3, training=training)
    data = _form_data(capacity="2", first_day=timezone.localtime(training.starts_at).date().isoformat())
    response = client_for(training.trainer).post(reverse("trainers:training-edit", args=[training.pk]), data)
    assert response.status_code == 200
    assert "3 people are registered" in response.context["form"].errors["capacity"][0]


def test_edit_form_changes_the_details(client_for):
    training = TrainingFactory(capacity=5, region="Gold Country")  # no agency has this region
    data = _form_data(capacity="30", title="Changed title", region="Gold Country")
    response = client_for(training.trainer).post(reverse("trainers:training-edit", args=[training.pk]), data)
    assert response.status_code == 302
    training.refresh_from_db()
    assert (training.title, training.capacity, training.region) == ("Changed title", 30, "Gold Country")
    assert timezone.localtime(training.starts_at).date() == _in_days(14)


def test_training_page_shows_checklist_progress_and_co_facilitators(client_for):
    training = TrainingFactory(checklist={"space": True})
    CoFacilitatorFactory(training=training, person=UserFactory(name="Ivy Invited"))
    page = client_for(training.trainer).get(training.get_absolute_url()).content.decode()
    assert "1 of 4 done" in page
    assert "bar-w-25" in page
    assert "Ivy Invited" in page
    assert ">Invited</span>" in page


def test_checklist_and_publish_and_cancel_through_the_pages(client_for, django_capture_on_commit_callbacks):
    training = TrainingFactory(status=Status.DRAFT)
    RegistrationFactory(training=training)
    client = client_for(training.trainer)
    client.post(reverse("trainers:training-checklist", args=[training.pk]), {"step": "agenda", "done": "on"})
    client.post(reverse("trainers:training-publish", args=[training.pk]))
    response = client.post(reverse("trainers:training-cancel", args=[training.pk]), {"reason": ""})
    assert "reason" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("trainers:training-cancel", args=[training.pk]), {"reason": "Snow day."})
    training.refresh_from_db()
    assert training.checklist == {"agenda": True}
    assert training.status == Status.CANCELLED
    assert len(mail.outbox) == 1


def test_invite_and_answer_through_the_pages(client_for, client):
    training = TrainingFactory()
    colleague, _ = certified_trainer(training.module, name="Cleo Colleague")
    stranger, _ = certified_trainer(name="Sam Stranger")  # another module
    lead = client_for(training.trainer)
    found = lead.get(training.get_absolute_url(), {"q": "Cleo"}).content.decode()
    assert "Cleo Colleague" in found
    lead.post(reverse("trainers:training-invite", args=[training.pk]), {"person": stranger.pk})
    assert not CoFacilitator.objects.exists()
    lead.post(reverse("trainers:training-invite", args=[training.pk]), {"person": colleague.pk})
    invitation = CoFacilitator.objects.get()
    url = reverse("trainers:co-facilitation", args=[invitation.pk])
    assert lead.post(url, {"answer": "accept"}).status_code == 404  # the lead can't answer for them
    client.force_login(colleague)
    assert client.get(reverse("trainers:trainings")).context["invitations"][0] == invitation
    assert client.post(url, {"answer": "accept"}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == CoFacilitator.Status.ACCEPTED


def test_dashboard_commitment_shows_the_planned_training_and_invitations(client_for):
    training = TrainingFactory(title="Planned in Fresno")
    TrainingFactory(certification=training.certification, title="Called off", status=Status.CANCELLED)
    invitation = CoFacilitatorFactory(person=training.trainer, training__title="Invited in Modesto")
    CoFacilitatorFactory(
        person=training.trainer, training__title="Answered", status=CoFacilitator.Status.DECLINED
    )
    page = client_for(training.trainer).get(reverse("dashboard")).content.decode()
    assert "Planned: <a" in page
    assert "Planned in Fresno" in page
    assert "Called off" not in page
    assert reverse("trainers:training-new") in page
    assert f'href="{invitation.training.get_absolute_url()}">Invited in Modesto' in page
    assert "Answered" not in page


def test_coordinators_commitments_show_the_planned_training(client_for, django_assert_max_num_queries):
    training = TrainingFactory()
    TrainingFactory(certification=training.certification, status=Status.CANCELLED)
    for _ in range(5):
        TrainingFactory(certification__module=training.certification.module)
    client = client_for(coordinating(with_totp(coordinator()), training.certification.module))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("trainers:commitments")).content.decode()
    assert page.count("Training planned for") == 6
    assert f'href="{training.get_absolute_url()}"' in page


def test_my_trainings_tabs_and_seats(client_for):
    trainer, certification = certified_trainer()
    planned = TrainingFactory(certification=certification, capacity=10)
    RegistrationFactory.create_batch(4, training=planned)
    TrainingFactory(certification=certification, status=Status.HELD)
    response = client_for(trainer).get(reverse("trainers:trainings"))
    assert response.context["counts"] == {"planned": 1, "held": 1, "cancelled": 0}
    assert list(response.context["page"]) == [planned]
    assert "4 of 10 seats taken" in response.content.decode()


def test_my_trainings_queries_do_not_grow_with_rows(client_for, django_assert_max_num_queries):
    trainer, certification = certified_trainer()
    for _ in range(12):
        RegistrationFactory(training=TrainingFactory(certification=certification))
    client = client_for(trainer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainers:trainings"))
    assert len(response.context["page"]) == 12


def test_all_trainings_filters_and_bounded_queries(client, django_assert_max_num_queries):
    office = with_totp(state_office())
    AgencyFactory(region="Central Valley")
    fresno = TrainingFactory(region="Central Valley", status=Status.PUBLISHED)
    for _ in range(10):
        RegistrationFactory(training=TrainingFactory(region="Capital"))
    TrainingFactory(region="Central Valley", status=Status.CANCELLED)
    client.force_login(office)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("trainers:trainings-all"), {"region": "Central Valley", "status": "published"}
        )
    assert list(response.context["page"]) == [fresno]
    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainers:trainings-all"))
    assert response.context["page"].paginator.count == 12
    day = timezone.localtime(fresno.starts_at).date()
    same_day = {
        "region": "Central Valley",
        "status": "published",
        "date_from": day.isoformat(),
        "date_to": day.isoformat(),
    }
    assert list(client.get(reverse("trainers:trainings-all"), same_day).context["page"]) == [fresno]
    next_day = {**same_day, "date_from": (day + dt.timedelta(days=1)).isoformat(), "date_to": ""}
    assert list(client.get(reverse("trainers:trainings-all"), next_day).context["page"]) == []
    bad = client.get(reverse("trainers:trainings-all"), {"date_from": "2027-02-01", "date_to": "2027-01-01"})
    assert "date_to" in bad.context["form"].errors


def test_all_trainings_refused_to_trainers(client_for):
    trainer, _ = certified_trainer()
    assert client_for(trainer).get(reverse("trainers:trainings-all")).status_code == 403


PAGE_ACCESS = {  # who: (the training's page, its edit page)
    "lead": (200, 200),
    "accepted": (200, 403),
    "invited": (200, 403),
    "declined": (200, 403),
    "coordinator": (200, 403),
    "stranger": (404, 404),
    "other_lead": (404, 404),
}


@pytest.mark.parametrize("who", list(PAGE_ACCESS))
def test_training_page_access(client_for, who):
    training = TrainingFactory()
    people = {
        "lead": training.trainer,
        "coordinator": with_totp(coordinator()),
        "stranger": UserFactory(),
        "other_lead": TrainingFactory(certification=CertificationFactory(module=training.module)).trainer,
    }
    for status in ("accepted", "invited", "declined"):
        people[status] = CoFacilitatorFactory(training=training, status=status).person
    client = client_for(people[who])
    detail = client.get(training.get_absolute_url()).status_code
    edit = client.get(reverse("trainers:training-edit", args=[training.pk])).status_code
    assert (detail, edit) == PAGE_ACCESS[who]


# --- reminders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(8, None), (7, "train-7"), (2, "train-7"), (1, "train-1"), (0, "train-1"), (-1, None)],
)
def test_training_milestone_windows(days_left, expected):
    first = dt.date(2027, 3, 10)
    milestone = tasks.training_milestone(first, first - dt.timedelta(days=days_left))
    assert milestone == (f"{expected}:2027-03-10" if expected else None)


def test_lead_trainer_reminded_7_and_1_days_before_exactly_once(django_capture_on_commit_callbacks):
    start = dt.datetime(2027, 3, 10, 9, 0, tzinfo=LA)
    training = TrainingFactory(
        sessions=1, sessions__starts_at=start, checklist={"space": True, "agenda": True}
    )
    CoFacilitatorFactory(training=training, status=CoFacilitator.Status.ACCEPTED)
    TrainingFactory(sessions=1, sessions__starts_at=start, status=Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(1, 12):
            for hour in (6, 18):  # twice a day: still once each
                tasks.scan_reminders(now=dt.datetime(2027, 3, day, hour, tzinfo=LA))
    milestones = list(
        OutboundEmail.objects.filter(kind=planning.REMINDER_KIND)
        .order_by("pk")
        .values_list("milestone", flat=True)
    )
    assert milestones == ["train-7:2027-03-10", "train-1:2027-03-10"]
    assert [m.to for m in mail.outbox] == [[training.trainer.email]] * 2
    assert mail.outbox[0].subject == f"{training.title} is in 7 days"
    assert mail.outbox[1].subject == f"{training.title} is tomorrow"
    assert "Make copies of the handouts; Get ready to take attendance" in mail.outbox[0].body


def test_a_moved_training_is_reminded_for_its_new_date(django_capture_on_commit_callbacks):
    training = TrainingFactory(sessions=1, sessions__starts_at=dt.datetime(2027, 3, 10, 9, tzinfo=LA))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=dt.datetime(2027, 3, 3, 7, tzinfo=LA))
        planning.update_training(
            training, by=training.trainer, schedule=Schedule(dt.date(2027, 3, 17), NINE, NOON)
        )
        tasks.scan_reminders(now=dt.datetime(2027, 3, 10, 7, tzinfo=LA))
    assert list(OutboundEmail.objects.order_by("pk").values_list("milestone", flat=True)) == [
        "train-7:2027-03-10",
        "train-7:2027-03-17",
    ]


def test_session_factory_builds_its_own_training():
    session = SessionFactory()
    assert session.training.sessions.get() == session


# --- admin ----------------------------------------------------------------------------------


def test_admin_shows_trainings_read_only_and_publishes_through_the_service(client_for, admin_user):
    training = TrainingFactory(status=Status.DRAFT)
    invitation = CoFacilitatorFactory(training=training)
    client = client_for(admin_user)
    assert client.get(reverse("admin:trainers_turnkeytraining_changelist")).status_code == 200
    page = client.get(reverse("admin:trainers_turnkeytraining_change", args=[training.pk])).content.decode()
    assert 'name="status"' not in page  # status changes only through the services
    assert 'name="title"' in page
    assert client.get(reverse("admin:trainers_cofacilitator_change", args=[invitation.pk])).status_code == 200
    assert client.get(reverse("admin:trainers_turnkeytraining_add")).status_code == 403
    client.post(
        reverse("admin:trainers_turnkeytraining_changelist"),
        {"action": "publish", "_selected_action": [training.pk]},
    )
    training.refresh_from_db()
    assert training.status == Status.PUBLISHED
    assert AuditEntry.objects.about(training).get().to_status == Status.PUBLISHED


def test_the_training_page_leads_to_each_step_of_the_training(client_for):
    training = TrainingFactory()
    lead = client_for(training.trainer)
    page = lead.get(reverse("trainers:training", args=[training.pk])).content.decode()
    for target in (
        training.get_public_url(),
        reverse("trainers:training-flyer", args=[training.short_code]),
        reverse("trainers:training-registrants", args=[training.pk]),
        reverse("trainers:training-roster", args=[training.pk]),
    ):
        assert f'href="{target}"' in page, target
    assert reverse("trainers:training-report", args=[training.pk]) not in page  # not held yet

    TurnkeyTraining.objects.filter(pk=training.pk).update(status=TurnkeyTraining.Status.HELD)
    held = lead.get(reverse("trainers:training", args=[training.pk])).content.decode()
    assert f'href="{reverse("trainers:training-report", args=[training.pk])}"' in held
    assert f'href="{reverse("trainers:training-results", args=[training.pk])}"' in held
    assert training.get_public_url() not in held

    viewer = client_for(with_totp(state_office()))
    read_only = viewer.get(reverse("trainers:training", args=[training.pk])).content.decode()
    assert reverse("trainers:training-report", args=[training.pk]) not in read_only
    assert reverse("trainers:training-roster", args=[training.pk]) not in read_only


def test_registrants_are_told_of_new_dates_once_with_a_new_calendar_file():
    _, certification = certified_trainer()
    training = _plan(certification, Schedule(_in_days(10), NINE, NOON, "once", 1))
    planning.publish_training(training, by=training.trainer)
    training.refresh_from_db()
    kept = RegistrationFactory(training=training, email="kept@example.org")
    RegistrationFactory(training=training, email="waiting@example.org", status=Registration.Status.WAITLISTED)
    RegistrationFactory(training=training, email="gone@example.org", status=Registration.Status.CANCELLED)

    new_dates = Schedule(_in_days(14), NINE, NOON, "once", 1)
    planning.update_training(training, by=training.trainer, schedule=new_dates)
    planning.update_training(training, by=training.trainer, schedule=new_dates, title="Renamed")  # same dates

    told = OutboundEmail.objects.filter(kind="trainers.registration_dates_changed").order_by("recipient")
    assert [e.recipient for e in told] == ["kept@example.org", "waiting@example.org"]
    with_calendar = {e.recipient: bool(e.attachments) for e in told}
    assert with_calendar == {"kept@example.org": True, "waiting@example.org": False}
    assert kept.cancel_token in told[0].body_text
