"""The e-mail ledger in the admin (filters, the resend action) and people's e-mail choices."""

import pytest
from django.core import mail
from django.urls import reverse

from portal import emails, notifications
from portal.models import NotificationPreference, OutboundEmail
from tests.factories import UserFactory


def _row(kind, state, milestone=""):
    email = emails.queue_raw(to="b@example.org", kind=kind, subject=kind, body_text="Hi", milestone=milestone)
    OutboundEmail.objects.filter(pk=email.pk).update(state=state, attempts=5, last_error="refused")
    return email


@pytest.mark.django_db
def test_ledger_filters_by_kind_state_and_date(client_for, admin_user):
    failed = _row("trainers.commitment_reminder", OutboundEmail.State.FAILED)
    _row("assignment.due_reminder", OutboundEmail.State.SENT)
    client = client_for(admin_user)
    url = reverse("admin:portal_outboundemail_changelist")
    by_state = client.get(url, {"state__exact": "failed"})
    assert by_state.status_code == 200
    assert list(by_state.context["cl"].result_list) == [failed]
    by_kind = client.get(url, {"kind": "trainers.commitment_reminder"})
    assert list(by_kind.context["cl"].result_list) == [failed]
    day = failed.created_at
    by_date = client.get(url, {"created_at__year": day.year, "created_at__month": day.month})
    assert by_date.status_code == 200
    assert by_date.context["cl"].result_count == 2


@pytest.mark.django_db
def test_resend_action_sends_failed_rows_once_and_skips_others(
    client_for, admin_user, django_capture_on_commit_callbacks
):
    failed = _row("trainers.commitment_reminder", OutboundEmail.State.FAILED, milestone="a")
    sent = _row("trainers.commitment_reminder", OutboundEmail.State.SENT, milestone="b")
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:portal_outboundemail_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 e-mail(s) queued again." in [str(m) for m in response.context["messages"]]
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (OutboundEmail.State.SENT, 1, "")
    assert sent.state == OutboundEmail.State.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [failed.message_id]


@pytest.mark.django_db
def test_ledger_admin_is_read_only(client_for, admin_user):
    email = _row("trainers.commitment_reminder", OutboundEmail.State.FAILED)
    client = client_for(admin_user)
    assert client.get(reverse("admin:portal_outboundemail_add")).status_code == 403
    page = client.get(reverse("admin:portal_outboundemail_change", args=[email.pk]))
    assert page.status_code == 200
    assert b'name="state"' not in page.content


@pytest.mark.django_db
def test_notification_preferences_are_in_the_admin(client_for, admin_user):
    person = UserFactory(email="ana@example.org")
    notifications.unsubscribe(person, NotificationPreference.Category.COMMUNITY_DIGEST)
    client = client_for(admin_user)
    listing = client.get(reverse("admin:portal_notificationpreference_changelist"), {"q": "ana@"})
    assert listing.status_code == 200
    assert [(p.user, p.category, p.enabled) for p in listing.context["cl"].result_list] == [
        (person, "community_digest", False)
    ]
    refused = client.post(
        reverse("admin:portal_notificationpreference_add"),
        {"user": person.pk, "category": "transactional", "enabled": ""},
    )
    assert refused.status_code == 200  # transactional e-mails cannot be turned off
    assert not NotificationPreference.objects.filter(category="transactional").exists()
