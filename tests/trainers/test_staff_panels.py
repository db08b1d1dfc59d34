"""The dashboard tells coordinators and finance staff what waits for them."""

import pytest

from institutes.models import Application
from tests.factories import UserFactory
from tests.institutes.factories import ApplicationFactory, InstituteFactory, coordinator_of
from tests.trainers.factories import HonorariumFactory, ReportFactory
from trainers.models import Honorarium

pytestmark = pytest.mark.django_db


def test_coordinator_sees_counts_for_their_own_institutes_only(client_for, coordinator):
    mine, theirs = InstituteFactory(), InstituteFactory()
    coordinator_of(mine, coordinator)
    ApplicationFactory.create_batch(2, institute=mine, status=Application.Status.SUBMITTED)
    ApplicationFactory(institute=mine, status=Application.Status.WAITLISTED)
    ApplicationFactory.create_batch(3, institute=theirs, status=Application.Status.SUBMITTED)
    ReportFactory(module=mine.module)
    HonorariumFactory(report__module=mine.module)
    ReportFactory()  # another module's report and honorarium: not this coordinator's
    HonorariumFactory()

    page = client_for(coordinator).get("/dashboard/").content.decode()

    assert "2 applications to review" in page
    assert "1 applicant on a waitlist" in page
    assert "1 facilitation report to verify" in page
    assert "1 honorarium waiting for approval" in page
    assert "waiting for payment" not in page


def test_finance_sees_approved_honoraria_waiting_for_payment(client_for, finance_user):
    HonorariumFactory.create_batch(2, status=Honorarium.Status.APPROVED)
    HonorariumFactory(status=Honorarium.Status.PAID)

    page = client_for(finance_user).get("/dashboard/").content.decode()

    assert "2 approved honoraria waiting for payment" in page
    assert "to review" not in page


def test_participants_see_no_staff_panel(client_for):
    page = client_for(UserFactory()).get("/dashboard/").content.decode()
    assert "Waiting for you in your institutes" not in page
    assert "reports and honoraria" not in page
