"""Agencies' requests: asking, suggested trainers, offers and answers, host offers, the flag scan."""

import datetime as dt
import re
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from portal.models import AuditEntry, OutboundEmail
from tests.factories import AgencyFactory, UserFactory, coordinator, with_totp
from tests.trainers.factories import ModuleFactory, ReportFactory, certified_trainer
from tests.trainers.request_factories import TrainingRequestFactory, in_days
from tests.trainers.training_factories import CoFacilitatorFactory, TrainingFactory
from trainers import tasks
from trainers import training_requests as services
from trainers.models import (
    Certification,
    CoFacilitator,
    FacilitationReport,
    RequestOffer,
    TrainingRequest,
    TurnkeyTraining,
)
from trainers.training_requests import Dates, TrainerError

pytestmark = pytest.mark.django_db
Status = TrainingRequest.Status
NINE, NOON = dt.time(9), dt.time(12)


def _kinds(to: str) -> list[str]:
    return list(OutboundEmail.objects.filter(recipient=to).order_by("pk").values_list("kind", flat=True))


def _trainer(module, region="Capital", days_ago=100, **kwargs):
    trainer, _ = certified_trainer(module, days_ago=days_ago, agency=AgencyFactory(region=region), **kwargs)
    return trainer


def _request_form(**overrides) -> dict:
    return {
        "module": "",
        "audience": "ESL teachers of the evening program",
        "expected_size": "15",
        "date_1": in_days(20).isoformat(),
        "starts": "09:00",
        "ends": "12:00",
        "format": "in_person",
        "place": "Room 4, 9 Alder Street",
        "notes": "Parking behind the gym.",
        **overrides,
    }


# --- asking ---------------------------------------------------------------------------------


def test_request_training_saves_a_new_request_audits_and_tells_requester_and_coordinators(
    django_capture_on_commit_callbacks,
):
    agency = AgencyFactory(name="Alder Adult School", region="Capital")
    requester = UserFactory(agency=agency, email="rae@alder.org")
    cora = coordinator(email="cora@example.org")
    module = ModuleFactory(title="Math Strategies")
    with django_capture_on_commit_callbacks(execute=True):
        req = services.request_training(
            requester,
            module=module,
            when=Dates(days=(in_days(30), in_days(23)), starts=NINE, ends=NOON),
            format="in_person",
            place="Room 4",
            audience="ESL teachers",
            expected_size=12,
        )
    assert (req.status, req.region, req.agency, req.dates) == (
        Status.NEW,
        "Capital",
        agency,
        [in_days(23).isoformat(), in_days(30).isoformat()],
    )
    assert list(AuditEntry.objects.about(req).values_list("to_status", "actor")) == [("new", requester.pk)]
    assert _kinds("rae@alder.org") == [services.RECEIVED_KIND]
    assert _kinds(cora.email) == [services.NEW_KIND]


def test_request_service_refuses_past_dates_and_people_without_an_agency():
    module = ModuleFactory()
    requester = UserFactory(agency=AgencyFactory())
    past = Dates(days=(in_days(-1),), starts=NINE, ends=NOON)
    with pytest.raises(TrainerError, match="today or later"):
        services.request_training(
            requester, module=module, when=past, format="online", audience="x", expected_size=5
        )
    with pytest.raises(TrainerError, match="Add your agency"):
        services.request_training(
            UserFactory(agency=None),
            module=module,
            when=Dates(days=(in_days(3),), starts=NINE, ends=NOON),
            format="online",
            audience="x",
            expected_size=5,
        )
    assert TrainingRequest.objects.count() == 0


def test_request_form_refuses_a_past_date_next_to_the_field_and_keeps_what_was_typed(client):
    requester = UserFactory(agency=AgencyFactory())
    module = ModuleFactory()
    client.force_login(requester)
    response = client.post(
        reverse("trainers:request-new"),
        _request_form(module=module.pk, date_1=in_days(-3).isoformat(), date_2=in_days(-1).isoformat()),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["date_1"] == ["Choose today or a later date."]
    assert form.errors["date_2"] == ["Choose today or a later date."]
    assert "ESL teachers of the evening program" in response.content.decode()
    assert "Parking behind the gym." in response.content.decode()
    assert TrainingRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_1": ""}, "date_1", "Give at least one date, or a window below."),
        (
            {"window_start": in_days(5).isoformat(), "window_end": in_days(9).isoformat()},
            "window_start",
            "Give either dates or a window, not both.",
        ),
        (
            {"date_1": "", "window_start": in_days(9).isoformat(), "window_end": in_days(5).isoformat()},
            "window_end",
            "The window has to end after it starts.",
        ),
        ({"ends": "08:00"}, "ends", "The training has to end after it starts."),
        ({"place": ""}, "place", "Say where the training would take place."),
        ({"expected_size": "0"}, "expected_size", "Ensure this value is greater than or equal to 1."),
        ({"date_1": "next tuesday"}, "date_1", "Enter a valid date."),
    ],
)
def test_request_form_bad_input_is_explained_next_to_its_field(client, overrides, field, message):
    client.force_login(UserFactory(agency=AgencyFactory()))
    module = ModuleFactory()
    response = client.post(reverse("trainers:request-new"), _request_form(module=module.pk, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert TrainingRequest.objects.count() == 0


def test_request_form_with_a_window_saves_it(client):
    client.force_login(UserFactory(agency=AgencyFactory()))
    module = ModuleFactory()
    response = client.post(
        reverse("trainers:request-new"),
        _request_form(
            module=module.pk,
            date_1="",
            window_start=in_days(10).isoformat(),
            window_end=in_days(40).isoformat(),
        ),
    )
    req = TrainingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == req.get_absolute_url()
    assert (req.dates, req.window_start, req.window_end) == ([], in_days(10), in_days(40))


def test_someone_without_an_agency_cannot_open_the_request_form(client):
    client.force_login(UserFactory(agency=None))
    assert client.get(reverse("trainers:request-new")).status_code == 403
    assert client.get(reverse("trainers:request-host")).status_code == 403


# --- suggestions ----------------------------------------------------------------------------


def test_suggestions_same_region_first_then_commitment_ending_soonest_and_free_on_the_dates():
    module = ModuleFactory()
    req = TrainingRequestFactory(module=module, region="Capital", agency=AgencyFactory(region="Capital"))
    day = req.preferred_days[0]
    near_late = _trainer(module, "Capital", days_ago=10, name="Near Late")  # year ends in 355 days
    near_soon = _trainer(module, "Capital", days_ago=300, name="Near Soon")  # ends in 65 days
    far_soon = _trainer(module, "Bay Area", days_ago=350, name="Far Soon")
    fulfilled = _trainer(module, "Capital", days_ago=340, name="Near Fulfilled")
    ReportFactory(
        trainer=fulfilled,
        module=module,
        status=FacilitationReport.Status.VERIFIED,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    lapsed = _trainer(module, "Capital", days_ago=400, name="Near Lapsed")
    # Not suggested: booked that day (leading, or co-facilitating having accepted), not certified
    # in the module, certification revoked, already offered.
    booked = _trainer(module, "Capital", name="Booked Lead")
    at_nine = timezone.make_aware(dt.datetime.combine(day, NINE))
    TrainingFactory(certification=booked.certifications.get(), sessions__starts_at=at_nine)
    co = _trainer(module, "Capital", name="Booked Co")
    CoFacilitatorFactory(
        training=TrainingFactory(sessions__starts_at=at_nine), person=co, status=CoFacilitator.Status.ACCEPTED
    )
    _trainer(ModuleFactory(), "Capital", name="Other Module")
    revoked = _trainer(module, "Capital", name="Revoked")
    Certification.objects.filter(participant=revoked).update(status=Certification.Status.REVOKED)
    asked = _trainer(module, "Capital", name="Asked Before")
    RequestOffer.objects.create(request=req, trainer=asked, status=RequestOffer.Status.DECLINED)
    # A training on another day, or a cancelled one that day, does not book anyone.
    free = _trainer(module, "Bay Area", days_ago=5, name="Far Free")
    TrainingFactory(
        certification=free.certifications.get(), sessions__starts_at=at_nine + dt.timedelta(days=1)
    )
    TrainingFactory(
        certification=free.certifications.get(),
        sessions__starts_at=at_nine,
        status=TurnkeyTraining.Status.CANCELLED,
    )

    names = [c.participant.name for c in services.suggested_trainers(req)]

    assert names == [
        near_soon.name,
        near_late.name,
        lapsed.name,
        fulfilled.name,
        far_soon.name,
        free.name,
    ]


def test_suggestions_are_one_query(django_assert_num_queries):
    module = ModuleFactory()
    req = TrainingRequestFactory(module=module, dates=[in_days(21).isoformat(), in_days(28).isoformat()])
    for i in range(8):
        _trainer(module, "Capital" if i % 2 else "Bay Area")
    with django_assert_num_queries(1):
        suggestions = services.suggested_trainers(req)
        assert [c.participant.agency.region for c in suggestions].count("Capital") == 4


def test_a_window_excludes_nobody_for_being_busy_one_day():
    module = ModuleFactory()
    req = TrainingRequestFactory(module=module, dates=[], window_start=in_days(7), window_end=in_days(14))
    busy = _trainer(module)
    TrainingFactory(certification=busy.certifications.get())  # next week
    assert [c.participant for c in services.suggested_trainers(req)] == [busy]


# --- offering and answering -----------------------------------------------------------------


def test_offer_refused_for_a_trainer_not_certified_in_the_module():
    req = TrainingRequestFactory()
    outsider = _trainer(ModuleFactory())
    with pytest.raises(
        TrainerError, match=re.escape(f"{outsider.display_name} is not certified in {req.module.title}.")
    ):
        services.offer_request(req, outsider, by=coordinator())
    req.refresh_from_db()
    assert (req.status, req.offers.count()) == (Status.NEW, 0)


def test_offer_page_refuses_an_uncertified_trainer_with_a_message(client):
    cora = with_totp(coordinator())
    req = TrainingRequestFactory()
    outsider = UserFactory()
    client.force_login(cora)
    response = client.post(
        reverse("trainers:request-offer-new", args=[req.pk]), {"trainer": outsider.pk}, follow=True
    )
    assert f"{outsider.display_name} is not certified in {req.module.title}." in response.content.decode()
    assert req.offers.count() == 0


def test_offer_moves_the_request_audits_and_emails_the_trainer_a_link(django_capture_on_commit_callbacks):
    req = TrainingRequestFactory()
    trainer = _trainer(req.module, email="tess@example.org")
    cora = coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        offer = services.offer_request(req, trainer, by=cora, message="The agency asked for you by name.")
    req.refresh_from_db()
    assert (req.status, offer.status, offer.offered_by) == (Status.OFFERED, "pending", cora)
    email = OutboundEmail.objects.get(recipient="tess@example.org")
    assert email.kind == services.OFFERED_KIND
    assert offer.get_absolute_url() in email.body_text
    assert "The agency asked for you by name." in email.body_text
    assert list(AuditEntry.objects.about(req).values_list("from_status", "to_status")) == [("new", "offered")]


def test_offer_while_an_answer_is_awaited_is_refused_until_taken_back():
    req = TrainingRequestFactory()
    first, second = _trainer(req.module, name="First One"), _trainer(req.module)
    cora = coordinator()
    services.offer_request(req, first, by=cora)
    with pytest.raises(TrainerError, match="waiting for First One's answer"):
        services.offer_request(req, second, by=cora)
    services.withdraw_offer(req, by=cora)
    assert req.offers.get(trainer=first).status == RequestOffer.Status.WITHDRAWN
    services.offer_request(req, second, by=cora)
    req.refresh_from_db()
    assert (req.status, req.offers.get(trainer=second).status) == (Status.OFFERED, "pending")
    services.withdraw_offer(req, by=cora)
    with pytest.raises(TrainerError, match="offered to First One already"):
        services.offer_request(req, first, by=cora)


def test_accepting_makes_a_draft_training_on_the_requested_dates_with_the_requester_as_host_contact(
    django_capture_on_commit_callbacks,
):
    agency = AgencyFactory(name="Alder Adult School", region="Capital")
    requester = UserFactory(agency=agency, email="rae@alder.org")
    req = TrainingRequestFactory(
        agency=agency,
        requester=requester,
        dates=[in_days(21).isoformat(), in_days(25).isoformat()],
        audience="Evening ESL teachers",
        expected_size=14,
    )
    trainer = _trainer(req.module, "Bay Area", email="tess@example.org")
    cora = coordinator(email="cora@example.org")
    offer = services.offer_request(req, trainer, by=cora)
    with django_capture_on_commit_callbacks(execute=True):
        training = services.accept_offer(offer, by=trainer)
    req.refresh_from_db()
    offer.refresh_from_db()
    assert (req.status, req.training, offer.status) == (Status.ACCEPTED, training, "accepted")
    assert (training.status, training.trainer, training.host_contact, training.host_agency) == (
        TurnkeyTraining.Status.DRAFT,
        trainer,
        requester,
        agency,
    )
    assert (training.host_kind, training.audience, training.capacity, training.venue, training.region) == (
        FacilitationReport.HostKind.OTHER_AGENCY,
        "Evening ESL teachers",
        14,
        "Room 4, Main campus",
        "Capital",
    )
    assert training.repeat == TurnkeyTraining.Repeat.DATES
    assert [
        (
            timezone.localtime(s.starts_at).date(),
            timezone.localtime(s.starts_at).time(),
            timezone.localtime(s.ends_at).time(),
        )
        for s in training.sessions.all()
    ] == [(in_days(21), NINE, NOON), (in_days(25), NINE, NOON)]
    assert _kinds("rae@alder.org") == [services.STATUS_KIND]
    assert services.ANSWERED_KIND in _kinds("cora@example.org")


def test_a_training_from_requested_dates_is_edited_without_its_series_fields(client):
    req = TrainingRequestFactory(dates=[in_days(21).isoformat(), in_days(25).isoformat()])
    trainer = _trainer(req.module)
    training = services.accept_offer(services.offer_request(req, trainer, by=coordinator()), by=trainer)
    client.force_login(trainer)
    page = client.get(reverse("trainers:training-edit", args=[training.pk]))
    assert "first_day" not in page.context["form"].fields
    response = client.post(
        reverse("trainers:training-edit", args=[training.pk]),
        {
            "title": "Math at Alder",
            "audience": "ESL",
            "host_kind": "own_agency",
            "format": "in_person",
            "venue": "Room 9",
            "capacity": "14",
        },
    )
    assert response.status_code == 302
    assert training.sessions.count() == 2


def test_accepting_a_window_needs_a_day_inside_it():
    req = TrainingRequestFactory(dates=[], window_start=in_days(10), window_end=in_days(20))
    trainer = _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    with pytest.raises(TrainerError, match="Choose a day from"):
        services.accept_offer(offer, by=trainer, day=in_days(30))
    training = services.accept_offer(offer, by=trainer, day=in_days(12))
    assert [timezone.localtime(s.starts_at).date() for s in training.sessions.all()] == [in_days(12)]
    assert training.repeat == TurnkeyTraining.Repeat.ONCE


def test_an_online_request_needs_the_room_link_on_accepting(client):
    req = TrainingRequestFactory(format="online", place="")
    trainer = _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    client.force_login(trainer)
    response = client.post(offer.get_absolute_url(), {"answer": "accept"})
    assert response.status_code == 200
    assert response.context["accept_form"].errors["online_link"] == ["This field is required."]
    response = client.post(
        offer.get_absolute_url(), {"answer": "accept", "online_link": "https://zoom.example/j/1"}
    )
    assert response.status_code == 302
    assert TurnkeyTraining.objects.get().online_link == "https://zoom.example/j/1"


def test_someone_else_cannot_accept_the_offer(client):
    req = TrainingRequestFactory()
    trainer, colleague = _trainer(req.module), _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    with pytest.raises(TrainerError, match=re.escape("This offer was made to someone else.")):
        services.accept_offer(offer, by=colleague)
    client.force_login(colleague)
    assert client.post(offer.get_absolute_url(), {"answer": "accept"}).status_code == 404
    offer.refresh_from_db()
    assert (offer.status, TurnkeyTraining.objects.count()) == ("pending", 0)


def test_a_second_answer_is_refused_with_a_message(client):
    req = TrainingRequestFactory()
    trainer = _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    services.accept_offer(offer, by=trainer)
    with pytest.raises(TrainerError, match=re.escape("You answered this offer already: you accepted it.")):
        services.accept_offer(offer, by=trainer)
    with pytest.raises(TrainerError, match="You answered this offer already"):
        services.decline_offer(offer, by=trainer, reason="Changed my mind")
    client.force_login(trainer)
    response = client.post(offer.get_absolute_url(), {"answer": "decline", "reason": "Too late"})
    assert response.status_code == 200
    assert "You answered this offer already" in response.content.decode()
    assert TurnkeyTraining.objects.count() == 1


def test_declining_needs_a_reason_and_gives_the_request_back_to_the_coordinators(
    client, django_capture_on_commit_callbacks
):
    req = TrainingRequestFactory()
    trainer = _trainer(req.module, name="Tess Trainer")
    cora = coordinator(email="cora@example.org")
    offer = services.offer_request(req, trainer, by=cora)
    client.force_login(trainer)
    response = client.post(offer.get_absolute_url(), {"answer": "decline", "reason": "  "})
    assert response.context["decline_form"].errors["reason"] == ["This field is required."]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            offer.get_absolute_url(), {"answer": "decline", "reason": "I am away that week."}
        )
    assert response.status_code == 302
    req.refresh_from_db()
    offer.refresh_from_db()
    assert (req.status, offer.status, offer.reason) == (Status.NEW, "declined", "I am away that week.")
    email = OutboundEmail.objects.get(recipient="cora@example.org", kind=services.ANSWERED_KIND)
    assert "I am away that week." in email.body_text
    assert [c.participant for c in services.suggested_trainers(req)] == []  # Tess isn't suggested again


def test_a_withdrawn_offer_cannot_be_accepted():
    req = TrainingRequestFactory()
    trainer = _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    services.withdraw_offer(req, by=coordinator())
    with pytest.raises(TrainerError, match="took this offer back"):
        services.accept_offer(offer, by=trainer)


def test_closing_withdraws_the_waiting_offer_and_tells_both(django_capture_on_commit_callbacks):
    req = TrainingRequestFactory(requester=UserFactory(email="rae@alder.org"))
    trainer = _trainer(req.module, email="tess@example.org")
    cora = coordinator()
    offer = services.offer_request(req, trainer, by=cora)
    with pytest.raises(TrainerError, match="Say in a sentence why"):
        services.close_request(req, by=cora, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.close_request(req, by=cora, reason="The agency found a trainer itself.")
    offer.refresh_from_db()
    req.refresh_from_db()
    assert (req.status, offer.status) == (Status.CLOSED, "withdrawn")
    assert services.WITHDRAWN_KIND in _kinds("tess@example.org")
    assert services.STATUS_KIND in _kinds("rae@alder.org")
    with pytest.raises(TrainerError, match="closed already"):
        services.close_request(req, by=cora, reason="Again")


# --- host offers ------------------------------------------------------------------------------


def test_host_offer_accepted_opens_the_community_with_the_requester_as_member(
    client, django_capture_on_commit_callbacks
):
    requester = UserFactory(agency=AgencyFactory(region="Inland Empire"), email="rae@alder.org")
    client.force_login(requester)
    response = client.post(
        reverse("trainers:request-host"),
        {"region": "Inland Empire", "offer": "Our library meeting room, Thursdays.", "notes": ""},
    )
    req = TrainingRequest.objects.get()
    assert response.status_code == 302
    assert (req.kind, req.region, req.module) == (TrainingRequest.Kind.HOST, "Inland Empire", None)
    cora = with_totp(coordinator())
    client.force_login(cora)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trainers:request-decide", args=[req.pk]),
            {
                "decision": "accept",
                "community_title": "Inland Empire Regional CoP",
                "note": "Call in January.",
            },
        )
    assert response.status_code == 302
    req.refresh_from_db()
    community = Community.objects.get(title="Inland Empire Regional CoP")
    assert (req.status, req.community, req.follow_up) == (Status.ACCEPTED, community, "Call in January.")
    assert (community.kind, community.region) == (Community.Kind.REGIONAL, "Inland Empire")
    assert Membership.objects.filter(community=community, user=requester).exists()
    assert services.STATUS_KIND in _kinds("rae@alder.org")


def test_declining_a_host_offer_needs_a_note_and_a_host_offer_is_never_offered_to_a_trainer(client):
    req = TrainingRequestFactory(kind=TrainingRequest.Kind.HOST, module=None, dates=[], offer="A room")
    client.force_login(with_totp(coordinator()))
    response = client.post(
        reverse("trainers:request-decide", args=[req.pk]), {"decision": "decline", "note": ""}
    )
    assert response.context["form"].errors["note"] == ["Say in a sentence why: the agency will read it."]
    with pytest.raises(TrainerError, match="decided by a coordinator"):
        services.offer_request(req, UserFactory(), by=coordinator())
    services.decide_host_offer(req, by=coordinator(), accept=False, note="No budget this year.")
    req.refresh_from_db()
    assert req.status == Status.DECLINED


def test_follow_up_note_is_kept_and_audited():
    req = TrainingRequestFactory()
    cora = coordinator()
    services.note_follow_up(req, by=cora, note="Phone Rae on Monday")
    req.refresh_from_db()
    assert req.follow_up == "Phone Rae on Monday"
    assert list(AuditEntry.objects.about(req).values_list("action", "note")) == [
        ("follow-up", "Phone Rae on Monday")
    ]


# --- the flag scan ----------------------------------------------------------------------------


def test_requests_nobody_answered_in_14_days_are_flagged_once(django_capture_on_commit_callbacks):
    cora = coordinator(email="cora@example.org")
    now = timezone.now()
    old = now - dt.timedelta(days=15)
    never_offered = TrainingRequestFactory(waiting_since=old)
    unanswered = TrainingRequestFactory(waiting_since=old - dt.timedelta(days=1))
    services.offer_request(unanswered, _trainer(unanswered.module, name="Slow Sam"), by=cora)
    TrainingRequest.objects.filter(pk=unanswered.pk).update(waiting_since=old)
    recent = TrainingRequestFactory(waiting_since=now - dt.timedelta(days=13))
    answered = TrainingRequestFactory(waiting_since=old, status=Status.ACCEPTED)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_waiting_requests(now=now) == 2
    for req in (never_offered, unanswered, recent, answered):
        req.refresh_from_db()
    assert [r.status for r in (never_offered, unanswered, recent, answered)] == [
        Status.FLAGGED,
        Status.FLAGGED,
        Status.NEW,
        Status.ACCEPTED,
    ]
    flags = OutboundEmail.objects.filter(recipient="cora@example.org", kind=services.FLAGGED_KIND)
    assert flags.count() == 2
    assert (
        "Slow Sam has not answered the offer"
        in flags.get(object_ref=f"trainers.trainingrequest:{unanswered.pk}").body_text
    )
    # A second run, and a flagged request offered again and left waiting: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_waiting_requests(now=now) == 0
    services.offer_request(never_offered, _trainer(never_offered.module), by=cora)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_waiting_requests(now=now + dt.timedelta(days=30)) == 1  # only "recent", now old
    assert OutboundEmail.objects.filter(kind=services.FLAGGED_KIND).count() == 3


def test_a_flagged_request_is_offered_to_someone_else_and_the_unanswered_offer_is_withdrawn():
    req = TrainingRequestFactory()
    cora = coordinator()
    slow, quick = _trainer(req.module), _trainer(req.module)
    first = services.offer_request(req, slow, by=cora)
    assert services.flag(req, now=timezone.now() + dt.timedelta(days=15)) is True
    services.offer_request(req, quick, by=cora)
    first.refresh_from_db()
    req.refresh_from_db()
    assert (first.status, req.status) == ("withdrawn", Status.OFFERED)
    with pytest.raises(TrainerError, match="took this offer back"):
        services.accept_offer(first, by=slow)


def test_the_cron_path_flags_waiting_requests_too(django_capture_on_commit_callbacks):
    coordinator(email="cora@example.org")
    now = timezone.now()
    waiting = TrainingRequestFactory(waiting_since=now - dt.timedelta(days=15))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=now, dry_run=True)
        waiting.refresh_from_db()
        assert waiting.status == Status.NEW
        tasks.scan_reminders(now=now)
    waiting.refresh_from_db()
    assert waiting.status == Status.FLAGGED


def test_the_flag_scan_is_in_the_beat_schedule():
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "trainers.flag_waiting_requests"
    ]
    assert len(entries) == 1
    assert tasks.flag_waiting_requests_task.name == "trainers.flag_waiting_requests"


def test_moves_outside_the_table_are_refused():
    req = TrainingRequestFactory(status=Status.ACCEPTED)
    with pytest.raises(TrainerError, match="accepted"):
        services.offer_request(req, _trainer(req.module), by=coordinator())
    with pytest.raises(TrainerError, match="accepted already"):
        services.close_request(req, by=coordinator(), reason="Done")


# --- pages -------------------------------------------------------------------------------------


def test_requester_sees_their_requests_and_where_each_stands(client):
    req = TrainingRequestFactory(status=Status.OFFERED)
    other = TrainingRequestFactory()
    client.force_login(req.requester)
    page = client.get(reverse("trainers:requests")).content.decode()
    assert req.module.title in page
    assert "Offered to a trainer" in page
    assert other.module.title not in page


def test_queue_filters_by_state_and_its_queries_do_not_grow(client, django_assert_max_num_queries):
    client.force_login(with_totp(coordinator()))
    module = ModuleFactory()
    TrainingRequestFactory.create_batch(6, module=module)
    TrainingRequestFactory(status=Status.FLAGGED, module=module)
    TrainingRequestFactory(status=Status.CLOSED, module=module)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainers:request-queue"))
    assert response.context["page"].paginator.count == 7  # open ones
    response = client.get(reverse("trainers:request-queue"), {"status": "flagged"})
    assert response.context["page"].paginator.count == 1
    response = client.get(reverse("trainers:request-queue"), {"status": "closed", "module": module.pk})
    assert response.context["page"].paginator.count == 1


def test_request_page_for_a_coordinator_lists_suggestions_in_bounded_queries(
    client, django_assert_max_num_queries
):
    client.force_login(with_totp(coordinator()))
    req = TrainingRequestFactory()
    for _ in range(6):
        _trainer(req.module)
    with django_assert_max_num_queries(16):
        response = client.get(req.get_absolute_url())
    assert len(response.context["suggestions"]) == 6


def test_directory_points_to_request_a_training(client):
    page = client.get(reverse("trainers:directory")).content.decode()
    assert reverse("trainers:request-new") in page


def test_a_trainer_sees_a_waiting_offer_on_their_dashboard(client):
    req = TrainingRequestFactory()
    trainer = _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    client.force_login(trainer)
    page = client.get(reverse("dashboard")).content.decode()
    assert offer.get_absolute_url() in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_an_offer_answered_twice_at_once_makes_one_training_and_one_answer():
    req = TrainingRequestFactory()
    trainer = _trainer(req.module)
    offer = services.offer_request(req, trainer, by=coordinator())
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def answer(i):
        try:
            barrier.wait()
            if i % 2:
                services.decline_offer(RequestOffer.objects.get(pk=offer.pk), by=trainer, reason="Busy")
            else:
                services.accept_offer(RequestOffer.objects.get(pk=offer.pk), by=trainer)
            outcomes.append("answered")
        except TrainerError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered"] + ["refused"] * 5
    offer.refresh_from_db()
    req.refresh_from_db()
    expected = (Status.ACCEPTED, 1) if offer.status == "accepted" else (Status.NEW, 0)
    assert (req.status, TurnkeyTraining.objects.count()) == expected
    assert AuditEntry.objects.about(offer).exclude(to_status="pending").count() == 1


def test_the_requester_dashboard_lists_each_request_once_with_its_state(client):
    req = TrainingRequestFactory()
    cora = coordinator()
    first = _trainer(req.module)
    services.decline_offer(services.offer_request(req, first, by=cora), by=first, reason="Away")
    services.offer_request(req, _trainer(req.module), by=cora)
    client.force_login(req.requester)
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count(req.get_absolute_url()) == 1
    assert "Offered to a trainer" in page
    assert reverse("trainers:request-new") in page
