"""The two coordinator rules as trainers uses them.

Certifying a roster, or taking one of its certifications back, is for the coordinator of THAT
institute (an active InstituteCoordinator row); the Coordinators group is neither needed nor
enough. Reading, verifying and deciding a module's reports and honoraria is for the coordinators of that
module's institutes (a role row); the group alone opens none; the state office reads them all.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from institutes.models import InstituteCoordinator
from tests import factories
from tests.factories import UserFactory, with_totp
from tests.institutes.factories import coordinator_of
from tests.trainers.factories import (
    CertificationFactory,
    HonorariumFactory,
    ReportFactory,
    completed_institute,
)
from trainers import permissions
from trainers.models import Certification

pytestmark = pytest.mark.django_db


def test_coordinators_group_member_who_does_not_coordinate_the_institute_cannot_certify_it(
    client_for, coordinator
):
    institute, (ana, _), _ = completed_institute()
    other = completed_institute(title="Another institute")[0]
    staff = coordinator_of(other, coordinator)  # in the group, and coordinates another institute
    assert staff.is_coordinator is True
    assert permissions.can_certify(staff, institute) is False
    client = client_for(staff)
    assert client.get(reverse("trainers:certify-roster", args=[institute.pk])).status_code == 403
    assert client.post(reverse("trainers:certify-one", args=[institute.pk, ana.pk])).status_code == 403
    assert Certification.objects.count() == 0


def test_institute_coordinator_outside_the_group_certifies_its_roster(client_for):
    institute, (ana, _), _ = completed_institute()
    runner = coordinator_of(institute, with_totp(UserFactory()))
    assert runner.is_coordinator is False
    assert permissions.can_certify(runner, institute) is True
    client = client_for(runner)
    assert client.get(reverse("trainers:certify-roster", args=[institute.pk])).status_code == 200
    assert client.post(reverse("trainers:certify-one", args=[institute.pk, ana.pk])).status_code == 302
    certification = Certification.objects.get(participant=ana)
    assert certification.institute == institute
    assert permissions.can_view_certificate(runner, certification) is True
    assert permissions.can_revoke_certification(runner, certification) is True


def test_ended_institute_coordinator_role_no_longer_certifies():
    institute = completed_institute()[0]
    runner = coordinator_of(institute)
    InstituteCoordinator.objects.filter(user=runner).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert permissions.can_certify(runner, institute) is False


def test_coordinator_of_another_institute_neither_sees_nor_revokes_its_certifications(client_for):
    institute, (ana, _), _ = completed_institute()
    certification = CertificationFactory(participant=ana, institute=institute, module=institute.module)
    outsider = coordinator_of(completed_institute(title="Another institute")[0], with_totp(UserFactory()))
    assert permissions.can_view_certificate(outsider, certification) is False
    assert permissions.can_revoke_certification(outsider, certification) is False
    url = reverse("trainers:certificate-revoke", args=[certification.pk])
    assert client_for(outsider).get(url).status_code == 404


def test_certification_from_no_institute_is_revoked_by_the_coordinators_of_its_module():
    institute = completed_institute()[0]
    certification = CertificationFactory(institute=None, module=institute.module)
    runner = coordinator_of(institute, with_totp(UserFactory()))
    outsider = coordinator_of(completed_institute(title="Another institute")[0], with_totp(UserFactory()))
    assert permissions.can_revoke_certification(runner, certification) is True
    assert permissions.can_revoke_certification(outsider, certification) is False
    assert permissions.can_revoke_certification(factories.coordinator(), certification) is False


def _module_world():
    """Two institutes of two modules, each with its coordinator (the other's in the Coordinators
    group as well, which changes nothing); a report and an honorarium on
    the first module."""
    institute = completed_institute()[0]
    other = completed_institute(title="Another institute")[0]
    runner = coordinator_of(institute, with_totp(UserFactory()))
    outsider = coordinator_of(other, with_totp(factories.coordinator()))  # in the group too
    report = ReportFactory(module=institute.module)
    honorarium = HonorariumFactory(report=report, trainer=report.trainer)
    certification = CertificationFactory(module=institute.module, institute=institute)
    return runner, outsider, report, honorarium, certification


def test_coordinator_of_the_modules_institute_reads_and_decides_its_reports_and_honoraria(client_for):
    runner, _, report, honorarium, certification = _module_world()
    assert runner.is_coordinator is False  # the role row alone, no group
    assert permissions.can_view_report(runner, report) is True
    assert permissions.can_review_report(runner, report) is True
    assert permissions.can_view_honorarium(runner, honorarium) is True
    assert permissions.can_decide_honorarium(runner, honorarium) is True
    assert permissions.can_view_certificate(runner, certification) is True
    client = client_for(runner)
    assert client.get(reverse("trainers:report-queue")).context["page"].object_list == [report]
    assert list(client.get(reverse("trainers:honoraria")).context["page"].object_list) == [honorarium]
    assert client.get(reverse("trainers:report-file", args=[report.pk, "agenda"])).status_code == 200


def test_coordinator_of_another_modules_institute_sees_none_of_them(client_for):
    _, outsider, report, honorarium, certification = _module_world()
    assert permissions.can_view_report(outsider, report) is False
    assert permissions.can_review_report(outsider, report) is False
    assert permissions.can_view_honorarium(outsider, honorarium) is False
    assert permissions.can_decide_honorarium(outsider, honorarium) is False
    assert permissions.can_view_certificate(outsider, certification) is False
    client = client_for(outsider)
    assert list(client.get(reverse("trainers:report-queue") + "?status=all").context["page"]) == []
    assert list(client.get(reverse("trainers:honoraria")).context["page"]) == []
    assert client.get(reverse("trainers:report-detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("trainers:report-file", args=[report.pk, "agenda"])).status_code == 404
    assert client.get(reverse("trainers:honorarium-detail", args=[honorarium.pk])).status_code == 404
    assert client.get(reverse("trainers:certificate", args=[certification.pk])).status_code == 404
    assert list(client.get(reverse("trainers:commitments")).context["page"]) == []
    assert client.post(reverse("trainers:honorarium-approve", args=[honorarium.pk])).status_code == 404


def test_the_coordinators_group_alone_opens_no_report_or_honorarium(client_for):
    _, _, report, honorarium, certification = _module_world()
    staff = with_totp(factories.coordinator())
    assert permissions.can_view_report(staff, report) is False
    assert permissions.can_decide_honorarium(staff, honorarium) is False
    assert permissions.can_view_certificate(staff, certification) is False
    assert client_for(staff).get(reverse("trainers:report-queue")).status_code == 403


def test_state_office_reads_every_report_honorarium_and_certification_and_decides_none(client_for):
    _, _, report, honorarium, certification = _module_world()
    office = with_totp(factories.state_office())
    assert permissions.can_view_report(office, report) is True
    assert permissions.can_view_honorarium(office, honorarium) is True
    assert permissions.can_view_certificate(office, certification) is True
    assert permissions.can_review_report(office, report) is False
    assert permissions.can_decide_honorarium(office, honorarium) is False
    assert permissions.can_revoke_certification(office, certification) is False
    client = client_for(office)
    assert client.get(reverse("trainers:report-queue")).context["page"].object_list == [report]
    assert [c.pk for c in client.get(reverse("trainers:commitments")).context["page"]] == [certification.pk]
    assert client.post(reverse("trainers:report-verify", args=[report.pk])).status_code == 403
    assert client.post(reverse("trainers:honorarium-approve", args=[honorarium.pk])).status_code == 403
