import pytest
from django.urls import reverse

from tests.trainers.factories import HonorariumFactory, ProfileFactory, ReportFactory, certified_trainer
from trainers import services
from trainers.models import FacilitationReport, Honorarium

pytestmark = pytest.mark.django_db

MODELS = [
    "certification",
    "facilitationreport",
    "honorariumrate",
    "honorarium",
    "trainerprofile",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_change_pages_render(client_for, admin_user, model):
    trainer, certification = certified_trainer()
    ProfileFactory(user=trainer)
    honorarium = HonorariumFactory()
    services.approve_honorarium(honorarium, by=admin_user)
    client = client_for(admin_user)
    assert client.get(reverse(f"admin:trainers_{model}_changelist")).status_code == 200
    obj = {
        "certification": certification,
        "facilitationreport": honorarium.report,
        "honorariumrate": honorarium.rate,
        "honorarium": honorarium,
        "trainerprofile": trainer.trainer_profile,
    }[model]
    assert client.get(reverse(f"admin:trainers_{model}_change", args=[obj.pk])).status_code == 200


def test_admin_actions_call_the_services(client_for, admin_user):
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    honorarium = HonorariumFactory()
    client = client_for(admin_user)
    client.post(
        reverse("admin:trainers_facilitationreport_changelist"),
        {"action": "verify", "_selected_action": [report.pk]},
    )
    client.post(
        reverse("admin:trainers_honorarium_changelist"),
        {"action": "approve", "_selected_action": [honorarium.pk]},
    )
    report.refresh_from_db()
    honorarium.refresh_from_db()
    assert report.status == FacilitationReport.Status.VERIFIED
    assert honorarium.status == Honorarium.Status.APPROVED
    assert [c.to_status for c in services.history(report)] == ["verified"]


def test_my_reports_queries_do_not_grow(client_for, django_assert_max_num_queries):
    trainer, certification = certified_trainer()
    for _ in range(30):
        ReportFactory(trainer=trainer, module=certification.module, status=FacilitationReport.Status.VERIFIED)
    client = client_for(trainer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainers:my-reports"))
    assert len(response.context["page"]) == 25


def test_admin_adds_no_certification_and_points_to_the_roster(client_for, admin_user):
    client = client_for(admin_user)

    add = client.get(reverse("admin:trainers_certification_add"))
    changelist = client.get(reverse("admin:trainers_certification_changelist")).content.decode()

    assert add.status_code == 403
    assert "They are issued from an institute's attendance and completion" in changelist
    assert reverse("institutes:coordinate") in changelist


@pytest.mark.parametrize("model", ["certification", "facilitationreport", "honorarium"])
def test_admin_deletes_no_row_with_a_status(client_for, admin_user, model):
    _trainer, certification = certified_trainer()
    honorarium = HonorariumFactory()
    obj = {"certification": certification, "facilitationreport": honorarium.report, "honorarium": honorarium}[
        model
    ]
    client = client_for(admin_user)

    response = client.post(reverse(f"admin:trainers_{model}_delete", args=[obj.pk]), {"post": "yes"})
    action_form = client.get(reverse(f"admin:trainers_{model}_changelist")).context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert "delete_selected" not in actions


def test_admin_report_page_shows_its_history_read_only(client_for, admin_user):
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    services.return_report(report, by=admin_user, comment="Add the sign-in sheet")

    html = (
        client_for(admin_user)
        .get(reverse("admin:trainers_facilitationreport_change", args=[report.pk]))
        .content.decode()
    )

    assert "Waiting for review → Returned for changes" in html
    assert "Add the sign-in sheet" in html
    assert 'name="status"' not in html
