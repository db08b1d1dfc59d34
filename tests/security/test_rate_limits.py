"""Rate limits on the account endpoints (ASVS 2.2.1): log-in failures, password resets, sign-ups."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def _reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def test_password_reset_is_limited_per_address(client, mailoutbox, django_capture_on_commit_callbacks):
    factories.UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_reset(client, "ana@example.org").status_code for _ in range(5)]
    assert answers == [302] * 5
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = _reset(client, "ANA@example.org")
    assert response.status_code == 429
    assert len(mailoutbox) == sent
    html = response.content.decode()
    assert "Please wait a little before you try again" in html
    assert 'href="#main"' in html  # the site layout, not a bare error page


def test_password_reset_is_limited_per_ip_across_addresses(client):
    answers = [_reset(client, f"nobody{i}@example.org").status_code for i in range(11)]
    assert answers == [302] * 10 + [429]


def test_failed_logins_are_limited_per_ip_across_accounts(client):
    for i in range(5):
        factories.UserFactory(email=f"person-{i}@example.org")
        client.post("/accounts/login/", {"login": f"person-{i}@example.org", "password": "wrong-password"})
    factories.UserFactory(email="fresh@example.org")
    # A fresh account from the same address, with the right password, must wait too.
    response = client.post(
        "/accounts/login/", {"login": "fresh@example.org", "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_signups_are_limited_per_ip(client):
    answers = []
    for i in range(21):
        response = client.post(
            "/accounts/signup/",
            {
                "name": f"Person {i}",
                "email": f"new{i}@example.org",
                "password1": "a-very-long-pass-42",
                "password2": "a-very-long-pass-42",
            },
        )
        answers.append(response.status_code)
        client.logout()
    assert answers[:20] == [302] * 20
    assert answers[20] == 429


def test_behind_a_proxy_one_persons_failures_do_not_lock_out_another(client, settings):
    """With the proxy counted (TRUSTED_PROXY_COUNT), each client's own address is limited."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    factories.UserFactory(email="mallory@example.org")
    for _ in range(6):
        client.post(
            "/accounts/login/",
            {"login": "mallory@example.org", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            **proxy,
        )
    factories.UserFactory(email="fresh@example.org")
    response = client.post(
        "/accounts/login/",
        {"login": "fresh@example.org", "password": "a-long-test-password"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **proxy,
    )
    assert response.status_code == 302  # signed in: another address, not limited
    client.logout()
    again = client.post(
        "/accounts/login/",
        {"login": "fresh@example.org", "password": "a-long-test-password"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert "Too many failed login attempts" in again.content.decode()  # the failing address waits
