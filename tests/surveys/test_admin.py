"""The instruments' admin: editable until answered, frozen after; new versions and publishing by action."""

import json

import pytest
from django.urls import reverse

from portal.surveys import services
from portal.surveys.models import Instrument, Question
from tests.surveys.factories import answers_for, invited

pytestmark = pytest.mark.django_db


def _change_url(instrument):
    return reverse("admin:surveys_instrument_change", args=[instrument.pk])


def _form_data(instrument, prompt):
    questions = list(instrument.questions.all())
    data = {
        "title": instrument.title,
        "intro": instrument.intro,
        "anonymous": "on" if instrument.anonymous else "",
        "valid_days": instrument.valid_days,
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": len(questions),
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
    }
    for i, q in enumerate(questions):
        data.update(
            {
                f"questions-{i}-id": q.pk,
                f"questions-{i}-instrument": instrument.pk,
                f"questions-{i}-position": q.position,
                f"questions-{i}-kind": q.kind,
                f"questions-{i}-prompt": prompt if i == 0 else q.prompt,
                f"questions-{i}-help_text": q.help_text,
                f"questions-{i}-choices": json.dumps(q.choices),
                f"questions-{i}-required": "on" if q.required else "",
                f"questions-{i}-quotable": "on" if q.quotable else "",
            }
        )
    return data


def test_an_unanswered_version_is_edited_in_the_admin(client_for, admin_user):
    draft = services.new_version(services.latest_instrument("institute-end"))
    client = client_for(admin_user)
    response = client.post(_change_url(draft), _form_data(draft, "A clearer first question"))
    assert response.status_code == 302
    assert draft.questions.first().prompt == "A clearer first question"


def test_an_answered_instrument_is_read_only_in_the_admin(client_for, admin_user):
    invitation, token = invited("institute-end")
    services.answer(token, answers_for(invitation))
    instrument = invitation.instrument
    first = instrument.questions.first()
    client = client_for(admin_user)
    page = client.get(_change_url(instrument)).content.decode()
    assert 'name="questions-0-prompt"' not in page
    assert 'name="title"' not in page
    client.post(_change_url(instrument), _form_data(instrument, "Changed after the answers"))
    assert Question.objects.get(pk=first.pk).prompt == first.prompt
    delete = client.post(reverse("admin:surveys_instrument_delete", args=[instrument.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Instrument.objects.filter(pk=instrument.pk).exists()


def test_new_version_and_publish_actions(client_for, admin_user):
    old = services.latest_instrument("institute-session")
    client = client_for(admin_user)
    changelist = reverse("admin:surveys_instrument_changelist")
    client.post(changelist, {"action": "start_new_version", "_selected_action": [old.pk]})
    copy = Instrument.objects.get(key=old.key, version=old.version + 1)
    assert copy.published_at is None
    assert copy.questions.count() == old.questions.count()
    client.post(changelist, {"action": "publish", "_selected_action": [copy.pk]})
    assert services.latest_instrument("institute-session") == copy
