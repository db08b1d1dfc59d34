import pytest

from tests import factories


@pytest.mark.django_db
def test_login_is_rate_limited_after_repeated_failures(client):
    factories.UserFactory(email="ana@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "ana@example.org", "password": "wrong-password"})
    # Even the right password is refused until the limit has passed.
    response = client.post(
        "/accounts/login/", {"login": "ana@example.org", "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_two_factor_setup_page_uses_the_site_layout(client_for):
    client = client_for(factories.coordinator())
    # Setting up a second factor asks for the password again first.
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/totp/activate/?next=/dashboard/"
    response = client.get("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    response = client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/",
        {"password": "a-long-test-password"},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#main"' in html
    assert 'name="code"' in html


@pytest.mark.django_db
def test_login_page_gives_the_same_answer_for_unknown_and_known_addresses(client):
    factories.UserFactory(email="ana@example.org")
    known = client.post("/accounts/login/", {"login": "ana@example.org", "password": "wrong-password-1"})
    unknown = client.post("/accounts/login/", {"login": "zed@example.org", "password": "wrong-password-1"})
    assert known.context["form"].errors == unknown.context["form"].errors


def test_account_emails_name_the_portal(db, client, mailoutbox, django_capture_on_commit_callbacks):
    factories.UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "ana@example.org"})
    (message,) = mailoutbox
    assert "Hello from ToT Portal!" in message.body
    assert "Thank you for using ToT Portal!" in message.body
    assert "from !" not in message.body
