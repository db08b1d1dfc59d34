"""Preferences, suppression and the signed one-click unsubscribe link."""

import pytest
from django.core import mail
from django.urls import reverse

from portal import emails, notifications
from portal.models import NotificationPreference, OutboundEmail
from tests import factories
from tests.factories import UserFactory

Category = NotificationPreference.Category


def _queue(user, kind="assignment.due_reminder", milestone="due-7:2026-12-01"):
    return emails.queue_email(
        to=user.email,
        kind=kind,
        template="emails/notice",
        subject="Your assignment is due in 7 days",
        context={"lines": ["Your assignment is due on December 1."]},
        milestone=milestone,
        user=user,
    )


def _token_path(email):
    url = email.headers["List-Unsubscribe"].strip("<>")
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.mark.django_db
def test_queue_email_records_unsubscribe_headers_and_link(django_capture_on_commit_callbacks, user):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(user)
    url = email.headers["List-Unsubscribe"].strip("<>")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert url in email.body_text
    assert url in email.body_html
    sent = mail.outbox[0]
    assert sent.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_queue_email_suppresses_a_kind_the_recipient_turned_off(django_capture_on_commit_callbacks, user):
    notifications.set_preferences(user, {Category.ASSIGNMENT_REMINDERS: False})
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(user)
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SUPPRESSED
    assert mail.outbox == []


@pytest.mark.django_db
def test_queue_email_sends_other_categories_when_one_is_off(django_capture_on_commit_callbacks, user):
    notifications.set_preferences(user, {Category.COMMUNITY_DIGEST: False})
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(user)
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_transactional_kind_cannot_be_turned_off(django_capture_on_commit_callbacks, user):
    notifications.unsubscribe(user, notifications.ALL_OPTIONAL)
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(user, kind="application.status", milestone="")
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT
    assert len(mail.outbox) == 1
    with pytest.raises(ValueError, match="cannot be turned off"):
        notifications.set_preferences(user, {Category.TRANSACTIONAL: False})


@pytest.mark.django_db
def test_unregistered_kind_counts_as_transactional(user):
    assert notifications.kind_info("something_new").transactional is True
    assert notifications.link_category("something_new") == notifications.ALL_OPTIONAL


@pytest.mark.django_db
def test_queue_email_without_user_finds_the_account_by_address(django_capture_on_commit_callbacks, user):
    notifications.set_preferences(user, {Category.COMMUNITY_REPLIES: False})
    with django_capture_on_commit_callbacks(execute=True):
        email = emails.queue_email(
            to=user.email.upper(),
            kind="community.reply",
            template="emails/notice",
            subject="A reply",
            context={"lines": ["Someone replied."]},
        )
    assert (email.user, email.state) == (user, OutboundEmail.State.SUPPRESSED)


@pytest.mark.django_db
def test_queue_email_to_an_address_without_account_has_no_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = emails.queue_email(
            to="supervisor@agency.example.org",
            kind="application.endorsement_request",
            template="emails/notice",
            subject="Please endorse",
            context={"lines": ["Please endorse."]},
        )
    assert email.headers == {}
    assert "unsubscribe" not in email.body_text
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_unsubscribe_get_shows_a_confirm_page_without_log_in(client, user):
    path = _token_path(_queue(user))
    response = client.get(path)
    assert response.status_code == 200
    assert b"Yes, stop these e-mails" in response.content
    assert notifications.preferences_for(user)[Category.ASSIGNMENT_REMINDERS] is True


@pytest.mark.django_db
def test_unsubscribe_post_turns_the_category_off_without_log_in(client, user):
    path = _token_path(_queue(user))
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    prefs = notifications.preferences_for(user)
    assert prefs[Category.ASSIGNMENT_REMINDERS] is False
    assert prefs[Category.COMMUNITY_DIGEST] is True


@pytest.mark.django_db
def test_unsubscribe_one_click_post_needs_no_csrf_token(user):
    from django.test import Client

    path = _token_path(_queue(user))
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="text/plain"
    )
    assert response.status_code == 200
    assert notifications.preferences_for(user)[Category.ASSIGNMENT_REMINDERS] is False


@pytest.mark.django_db
def test_unsubscribe_link_of_transactional_email_turns_off_all_optional(client, user):
    email = _queue(user, kind="application.status", milestone="")
    client.post(_token_path(email))
    assert set(notifications.preferences_for(user).values()) == {False}


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["other-user", "edited-category", "truncated", "garbage"])
def test_unsubscribe_link_cannot_be_forged(client, user, tamper):
    victim = UserFactory()
    token = notifications.unsubscribe_token(user, Category.ASSIGNMENT_REMINDERS)
    _payload, signature = token.rsplit(":", 1)
    forged = {
        # the victim's id with the attacker's signature
        "other-user": notifications.unsubscribe_token(victim, Category.ASSIGNMENT_REMINDERS).rsplit(":", 1)[0]
        + ":"
        + signature,
        "edited-category": notifications.unsubscribe_token(user, Category.COMMUNITY_DIGEST).rsplit(":", 1)[0]
        + ":"
        + signature,
        "truncated": token[:-3],
        "garbage": "not-a-token",
    }[tamper]
    response = client.post(reverse("unsubscribe", args=[forged]))
    assert response.status_code == 404
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribe_token_names_its_own_person_only(user):
    other = UserFactory()
    assert notifications.read_unsubscribe_token(
        notifications.unsubscribe_token(other, Category.COMMITMENT_REMINDERS)
    ) == (other, Category.COMMITMENT_REMINDERS)
    assert notifications.unsubscribe_token(
        user, Category.COMMITMENT_REMINDERS
    ) != notifications.unsubscribe_token(other, Category.COMMITMENT_REMINDERS)


@pytest.mark.django_db
def test_unsubscribe_rejects_put(client, user):
    path = _token_path(_queue(user))
    assert client.put(path).status_code == 405


@pytest.mark.django_db
def test_profile_shows_and_saves_preferences(client_for, user):
    client = client_for(user)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert b"Pre-institute assignment reminders" in page.content
    data = {"name": "Ana Flores", "position": "Teacher", "phone": "", "agency": ""}
    data |= {f"notify-{c}": "on" for c in notifications.OPTIONAL_CATEGORIES if c != Category.COMMUNITY_DIGEST}
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302
    prefs = notifications.preferences_for(user)
    assert prefs[Category.COMMUNITY_DIGEST] is False
    assert prefs[Category.ASSIGNMENT_REMINDERS] is True
    # and back on again
    data[f"notify-{Category.COMMUNITY_DIGEST}"] = "on"
    client.post(reverse("profile"), data)
    assert notifications.preferences_for(user)[Category.COMMUNITY_DIGEST] is True


@pytest.mark.django_db
def test_profile_keeps_choices_when_the_form_has_errors(client_for, user):
    data = {"name": "x" * 500, "phone": "not a phone"}
    response = client_for(user).post(reverse("profile"), data)
    assert response.status_code == 200
    assert b"Please check the form" in response.content
    assert NotificationPreference.objects.count() == 0


@pytest.mark.django_db
def test_coordinator_summaries_are_offered_to_coordinators_only(client_for, user):
    label = Category.COORDINATOR_SUMMARIES.label
    assert label not in client_for(user).get(reverse("profile")).content.decode()
    coordinator = factories.with_totp(factories.coordinator())
    assert label in client_for(coordinator).get(reverse("profile")).content.decode()
