"""The two coordinator rules as trainers uses them.

Certifying a roster, or taking one of its certifications back, is for the coordinator of THAT
institute (an active InstituteCoordinator row); the Coordinators group is neither needed nor
enough. Verifying reports and deciding honoraria is for the state office's staff coordinators
(the group), whatever institutes they run.
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


def test_certification_from_no_institute_is_revoked_by_staff_coordinators_only():
    certification = CertificationFactory(institute=None)
    runner = coordinator_of(completed_institute()[0], with_totp(UserFactory()))
    assert permissions.can_revoke_certification(factories.coordinator(), certification) is True
    assert permissions.can_revoke_certification(runner, certification) is False


def test_institute_coordinator_outside_the_group_neither_verifies_reports_nor_decides_honoraria(client_for):
    runner = coordinator_of(completed_institute()[0], with_totp(UserFactory()))
    report = ReportFactory()
    honorarium = HonorariumFactory()
    assert permissions.can_review_report(runner, report) is False
    assert permissions.can_decide_honorarium(runner, honorarium) is False
    assert permissions.can_manage_honoraria(runner) is False
    client = client_for(runner)
    assert client.get(reverse("trainers:report-queue")).status_code == 403
    assert client.post(reverse("trainers:honorarium-approve", args=[honorarium.pk])).status_code == 404


def test_staff_coordinator_verifies_reports_and_decides_honoraria_without_coordinating_an_institute():
    staff = factories.coordinator()
    assert permissions.can_review_report(staff, ReportFactory()) is True
    assert permissions.can_decide_honorarium(staff, HonorariumFactory()) is True
