"""Helpers for the survey tests: an invitation and the one-use token its e-mail carries."""

from __future__ import annotations

import re

from portal.models import OutboundEmail
from portal.surveys import services
from tests import factories

LINK = re.compile(r"/surveys/([A-Za-z0-9_\-]+)/")


def token_of(invitation) -> str:
    """The token in the invitation's e-mail (the only place the link exists)."""
    body = OutboundEmail.objects.get(
        kind=services.INVITATION_KIND, object_ref=f"surveys.invitation:{invitation.pk}"
    ).body_text
    return LINK.search(body).group(1)


def invited(
    key: str = "institute-end", subject=None, *, email: str | None = None, person=None, purpose: str = "test"
):
    """(invitation, token) for a fresh invitation to ``key`` about ``subject`` (an agency by default)."""
    subject = subject or factories.AgencyFactory()
    email = email or (
        person.email if person else f"p{OutboundEmail.objects.count()}-{subject.pk}@example.org"
    )
    invitation = services.invite(
        key, subject, email=email, name="Pat Participant", person=person, purpose=purpose
    )
    return invitation, token_of(invitation)


def answers_for(invitation, **overrides) -> dict:
    """A valid cleaned_data for the invitation's instrument: 4 on every scale, first choices, a comment."""
    data = {}
    for question in invitation.instrument.questions.all():
        kind = question.kind
        if kind == "likert":
            data[question.field_name] = 4
        elif kind == "single":
            data[question.field_name] = question.choices[0]
        elif kind == "multiple":
            data[question.field_name] = question.choices[:2]
        else:
            data[question.field_name] = f"Comment on {question.prompt}"
    data.update(overrides)
    return data
