import pytest
from django.urls import reverse

from institutes import services
from institutes.models import Application
from tests.institutes.factories import ApplicationFactory, AssignmentFactory, SessionFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "module",
    "audience",
    "institute",
    "session",
    "institutecoordinator",
    "application",
    "team",
    "teaminvitation",
    "assignment",
    "assignmentsubmission",
    "attendance",
    "practiceresult",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_renders(client_for, admin_user, model):
    ApplicationFactory()
    SessionFactory()
    AssignmentFactory()
    response = client_for(admin_user).get(reverse(f"admin:institutes_{model}_changelist"), {"q": "x"})
    assert response.status_code == 200


def test_admin_accept_action_calls_the_service(client_for, admin_user):
    application = ApplicationFactory()
    services.submit_application(application, by=application.applicant)
    client_for(admin_user).post(
        reverse("admin:institutes_application_changelist"),
        {"action": "accept_selected", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.events.filter(action="status:accepted", actor=admin_user).exists()


def test_admin_application_status_is_read_only(client_for, admin_user):
    application = ApplicationFactory()
    html = (
        client_for(admin_user)
        .get(reverse("admin:institutes_application_change", args=[application.pk]))
        .content.decode()
    )
    assert 'name="status"' not in html
