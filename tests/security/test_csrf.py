"""CSRF on every form: each POST form the spider finds carries the token, and a POST without it fails."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.quality.spider import crawl

# The one-click unsubscribe link is exempt on purpose: RFC 8058 has mail providers POST it
# without a session or a token, and the signed link itself is the proof.
CSRF_EXEMPT_PREFIXES = ("/unsubscribe/",)


def _starts(w) -> list[str]:
    return [
        "/",
        "/dashboard/",
        "/profile/",
        w.institute.get_absolute_url(),
        reverse("institutes:apply", args=[w.other_institute.slug]),
        reverse("institutes:application-detail", args=[w.application.pk]),
        reverse("institutes:review-queue", args=[w.institute.slug]),
        reverse("institutes:assignment-detail", args=[w.assignment.pk]),
        reverse("institutes:roster", args=[w.institute.slug]),
        reverse("institutes:attendance", args=[w.session.pk]),
        w.community.get_absolute_url(),
        w.public_community.get_absolute_url(),
        w.thread.get_absolute_url(),
        reverse("communities:plan-detail", args=[w.shared_plan.pk]),
        reverse("communities:plan-detail", args=[w.plan.pk]),
        reverse("communities:moderation-queue"),
        reverse("trainers:report-detail", args=[w.trainer_report.pk]),
        reverse("trainers:report-edit", args=[w.trainer_returned_report.pk]),
        reverse("trainers:honorarium-detail", args=[w.trainer_honorarium.pk]),
        reverse("trainers:certificate", args=[w.trainer_certification.pk]),
        reverse("trainers:certify-roster", args=[w.institute.pk]),
        reverse("trainers:honoraria"),
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]


def _forms_for(world, role):
    client = Client()
    if role != "visitor":
        client.force_login(world.users[role])
    _, forms = crawl(client, _starts(world), limit=150)
    return [f for f in forms if not f.action.startswith(CSRF_EXEMPT_PREFIXES)]


def _names(form) -> set[str]:
    return {f["name"] for f in form.fields}


# How many distinct POST forms the spider must at least find, so that a broken crawl cannot pass.
AT_LEAST = {"visitor": 3, "applicant": 20, "coordinator": 40, "trainer": 15, "finance": 8, "admin": 40}


@pytest.mark.parametrize("role", list(AT_LEAST))
def test_every_post_form_carries_a_token_and_fails_without_it(world, role):
    forms = _forms_for(world, role)
    assert len(forms) >= AT_LEAST[role], "the spider found too few forms"
    missing = [f"{f.page} -> {f.action}" for f in forms if "csrfmiddlewaretoken" not in _names(f)]
    assert missing == []

    strict = Client(enforce_csrf_checks=True)
    if role != "visitor":
        strict.force_login(world.users[role])
    accepted = []
    for form in forms:
        strict.get(form.page)  # sets the CSRF cookie, as a browser would have it
        data = {
            f["name"]: f.get("value", "")
            for f in form.fields
            if f["name"] != "csrfmiddlewaretoken" and f["type"] not in ("file", "submit")
        }
        response = strict.post(form.action, data)
        if response.status_code != 403:
            accepted.append(f"{form.action}: HTTP {response.status_code}")
    assert accepted == []


def test_a_post_with_a_valid_token_from_another_origin_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["applicant"])
    client.get(reverse("profile"))
    token = client.cookies["csrftoken"].value
    data = {"csrfmiddlewaretoken": token, "name": "Evil", "position": "", "phone": ""}
    response = client.post(reverse("profile"), data, secure=True, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    response = client.post(reverse("profile"), data, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    world.users["applicant"].refresh_from_db()
    assert world.users["applicant"].name == "Ana Applicant"
    # The same post from our own page goes through: the test above refused it for its origin only.
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302
