"""The participant tracker takes the steps that apps above institutes register."""

import pytest
from django.db.models import BooleanField, Exists, OuterRef, Value
from django.urls import reverse

from institutes import dashboard
from institutes.models import Application, Team
from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import ApplicationFactory, InstituteFactory
from trainers.dashboard import certified_in_institute

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """The registry as the apps left it, restored after the test."""
    monkeypatch.setattr(dashboard, "_tracker_steps", dashboard.tracker_steps())
    return dashboard


def test_trainers_registers_the_certified_step_with_its_own_queryset():
    assert [(step.label, step.done) for step in dashboard.tracker_steps()] == [
        ("Certified", certified_in_institute)
    ]


def test_a_registered_step_ends_the_tracker_once(registry, client_for):
    def shared(user):
        return Exists(Application.objects.filter(pk=OuterRef("pk"), applicant=user))

    registry.register_tracker_step("Shared with the community", shared)
    registry.register_tracker_step("Shared with the community", shared)
    application = ApplicationFactory(institute=InstituteFactory(title="CALPRO ToT"))
    html = client_for(application.applicant).get(reverse("dashboard")).content.decode()
    done = (
        '<span class="stepper-mark" aria-hidden="true">✓</span> '
        '<span class="stepper-label">Shared with the community<span class="visually-hidden"> (done)'
    )
    assert html.count("Shared with the community") == 1
    assert done in html
    assert html.index("Practice passed") < html.index("Certified") < html.index("Shared with the community")


def test_a_step_not_done_shows_as_not_yet(registry, client_for):
    registry.register_tracker_step("Never", lambda user: Value(False, output_field=BooleanField()))
    application = ApplicationFactory()
    html = client_for(application.applicant).get(reverse("dashboard")).content.decode()
    assert '<span class="text-body-secondary">Never</span><span class="visually-hidden"> (not yet)' in html


@pytest.mark.django_db
def test_a_pending_team_invitation_waits_on_the_invitees_dashboard(client_for):
    lead = UserFactory(name="Lena Lead")
    invitee = UserFactory(email="Ivy@school.example.org")
    institute = InstituteFactory(title="Reading ToT", team_required=True)
    team = Team.objects.create(institute=institute, lead=lead, agency=AgencyFactory(is_lea=True))
    invitation = team.invitations.create(email="ivy@school.example.org", token="tok-1", invited_by=lead)

    html = client_for(invitee).get(reverse("dashboard")).content.decode()
    assert "A colleague invites you to apply as a team" in html
    assert f'href="{invitation.get_absolute_url()}">Reading ToT</a>, from Lena Lead' in html

    team.invitations.filter(pk=invitation.pk).update(state="declined")
    assert (
        "invites you to apply as a team" not in client_for(invitee).get(reverse("dashboard")).content.decode()
    )
