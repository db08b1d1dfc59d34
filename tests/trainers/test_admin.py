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
