import pytest
from django.core.management import call_command

from portal.models import Agency, User


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_render_in_the_site_layout(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#main"' in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_security_headers_present(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_logout_needs_post(client_for, user):
    client = client_for(user)
    client.get("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_profile_saves_and_keeps_input_on_error(client_for, user):
    agency = Agency.objects.create(name="Fresno Adult School", kind=Agency.Kind.ADULT_SCHOOL)
    client = client_for(user)
    response = client.post(
        "/profile/",
        {"name": "Ana Torres", "agency": agency.pk, "position": "Teacher", "phone": "not a phone <b>"},
    )
    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    assert 'value="Ana Torres"' in response.content.decode()
    response = client.post(
        "/profile/",
        {"name": "Ana Torres", "agency": agency.pk, "position": "Teacher", "phone": "(916) 555-0142"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.agency, user.phone) == ("Ana Torres", agency, "(916) 555-0142")


@pytest.mark.django_db
def test_signup_requires_email_verification_and_sends_through_the_ledger(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    from portal.models import OutboundEmail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "name": "New Person",
                "email": "new@example.org",
                "password1": "a-very-long-pass-42",
                "password2": "a-very-long-pass-42",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert OutboundEmail.objects.get(recipient="new@example.org").state == OutboundEmail.State.SENT
    assert len(mailoutbox) == 1
    assert client.get("/dashboard/").status_code == 302
    assert User.objects.get(email="new@example.org").name == "New Person"


@pytest.mark.django_db
def test_password_reset_does_not_reveal_unknown_addresses(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    counts = (User.objects.count(), Agency.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Agency.objects.count()) == counts
    assert User.objects.filter(groups__name="Coordinators").exists()


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached_but_public_ones_may_be(client, user):
    assert not client.get("/").has_header("Cache-Control")
    client.force_login(user)
    assert client.get("/dashboard/")["Cache-Control"] == "private, no-store"
