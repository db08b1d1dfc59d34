import pytest
from django.urls import reverse

from institutes import services
from institutes.models import Application, Institute
from portal import states
from tests.institutes.factories import ApplicationFactory, AssignmentFactory, InstituteFactory, SessionFactory

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
    "rubric",
    "practicefacilitation",
    "practicefeedback",
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


def test_admin_institute_status_is_read_only_and_moves_through_the_actions(client_for, admin_user):
    institute = InstituteFactory(status=Institute.Status.DRAFT)
    client = client_for(admin_user)
    change_url = reverse("admin:institutes_institute_change", args=[institute.pk])
    assert 'name="status"' not in client.get(change_url).content.decode()

    changelist = reverse("admin:institutes_institute_changelist")
    client.post(changelist, {"action": "open_selected", "_selected_action": [institute.pk]})
    response = client.post(
        changelist, {"action": "complete_selected", "_selected_action": [institute.pk]}, follow=True
    )

    institute.refresh_from_db()
    assert institute.status == Institute.Status.OPEN
    assert [(e.to_status, e.actor) for e in states.history(institute)] == [("open", admin_user)]
    assert f"{institute.title} is open for applications; it can&#x27;t be moved to “completed”." in (
        response.content.decode()
    )


def test_admin_deletes_an_institute_only_while_it_is_a_draft(client_for, admin_user):
    draft = InstituteFactory(status=Institute.Status.DRAFT)
    published = InstituteFactory(status=Institute.Status.OPEN)
    client = client_for(admin_user)

    refused = client.post(reverse("admin:institutes_institute_delete", args=[published.pk]), {"post": "yes"})
    client.post(reverse("admin:institutes_institute_delete", args=[draft.pk]), {"post": "yes"})

    assert refused.status_code == 403
    assert list(Institute.objects.values_list("pk", flat=True)) == [published.pk]
    actions = client.get(reverse("admin:institutes_institute_changelist")).context["action_form"]
    assert "delete_selected" not in dict(actions.fields["action"].choices)


def test_admin_neither_adds_nor_deletes_applications(client_for, admin_user):
    application = ApplicationFactory()
    services.submit_application(application, by=application.applicant)
    client = client_for(admin_user)

    changelist = client.get(reverse("admin:institutes_application_changelist"))
    add = client.get(reverse("admin:institutes_application_add"))
    delete = client.post(
        reverse("admin:institutes_application_delete", args=[application.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:institutes_application_changelist"),
        {"action": "delete_selected", "_selected_action": [application.pk], "post": "yes"},
    )

    assert "delete_selected" not in dict(changelist.context["action_form"].fields["action"].choices)
    assert (add.status_code, delete.status_code) == (403, 403)
    assert bulk.status_code == 302  # "no action selected": the unknown action does nothing
    assert Application.objects.filter(pk=application.pk).exists()
    assert application.events.count() == 2  # the submission and the endorsement request


def test_admin_application_page_shows_its_history(client_for, admin_user):
    application = ApplicationFactory()
    services.submit_application(application, by=application.applicant)

    html = (
        client_for(admin_user)
        .get(reverse("admin:institutes_application_change", args=[application.pk]))
        .content.decode()
    )

    assert "Draft → Submitted" in html
    assert "asked the supervisor for an endorsement" in html


def test_admin_added_institute_starts_as_a_draft_in_the_trail(client_for, admin_user):
    module = InstituteFactory().module
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:institutes_institute_add"),
        {
            "module": module.pk,
            "title": "New ToT",
            "slug": "new-tot",
            "description": "A new one.",
            "status": "completed",  # not a field of the form: ignored
            "kind": "certifying",
            "training_type": "institute",
            "topic": "Math",
            "accreditation": "certificate",
            "occurrence": "multi",
            "duration": "few_weeks",
            "location": "hybrid",
            "facilitation": "facilitated",
            "capacity": 24,
            "applications_open_at_0": "2030-01-01",
            "applications_open_at_1": "09:00",
            "applications_close_at_0": "2030-02-01",
            "applications_close_at_1": "09:00",
            "allowed_agency_kinds": "[]",
            "min_team_size": 2,
            "offer_days": 5,
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
            "coordinator_roles-TOTAL_FORMS": 0,
            "coordinator_roles-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    institute = Institute.objects.get(slug="new-tot")
    assert institute.status == Institute.Status.DRAFT
    assert [(e.action, e.to_status, e.actor) for e in states.history(institute)] == [
        ("created", "draft", admin_user)
    ]
