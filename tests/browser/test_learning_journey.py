"""An educator's hours: attendance credits them, "My learning" shows them with the bar towards
the community's expected hours, the printed record's code verifies on the public page, and a
coordinator downloads the agency's hours. Every page fits a phone and is axe-core clean."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from communities.models import Community, Membership
from institutes import services as institute_services
from institutes.models import Application
from tests.browser.journey import PHONE, fits_the_phone
from tests.communities.factories import CommunityFactory
from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import ApplicationFactory, InstituteFactory, SessionFactory, coordinator_of

pytestmark = pytest.mark.browser


def test_attendance_to_a_verified_record(page, login_as, coordinator, axe, shot):
    school = AgencyFactory(name="Hill Adult School")
    ana = UserFactory(name="Ana Ortega", agency=school)
    institute = InstituteFactory(title="Math Strategies ToT", module__title="Math Instructional Strategies")
    cohort = CommunityFactory(
        title="Math Strategies cohort",
        kind=Community.Kind.COHORT,
        institute=institute,
        expected_hours_min=16,
        expected_hours_max=20,
    )
    Membership.objects.create(user=ana, community=cohort)
    session = SessionFactory(
        institute=institute, title="Day one", date=timezone.localdate() - dt.timedelta(days=1)
    )
    application = ApplicationFactory(applicant=ana, institute=institute, status=Application.Status.ACCEPTED)
    institute_services.record_attendance(
        session, marks={application.pk: "present"}, by=coordinator_of(institute, coordinator)
    )

    login_as(page, ana)
    page.set_viewport_size(PHONE)
    page.goto("/learning/")
    assert page.locator("[data-field='total']").inner_text() == "4"
    assert page.get_by_text("Math Strategies cohort").is_visible()
    assert page.get_by_text("12 hours to go.").is_visible()
    assert fits_the_phone(page)
    assert axe(page) == []
    shot(page, "my-learning")

    page.get_by_role("button", name="Make a record to print").click()
    assert page.get_by_text("Your record of").is_visible()
    code = page.locator("[data-field='code']").inner_text()
    assert fits_the_phone(page)
    assert axe(page) == []
    shot(page, "record")

    page.context.clear_cookies()
    page.goto("/verify/")
    page.get_by_label("Certificate code or hours record code").fill(code)
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_text("Genuine record of professional learning").is_visible()
    assert page.locator("[data-field='name']").inner_text() == "Ana Ortega"
    assert page.locator("[data-field='hours']").inner_text() == "4"
    assert axe(page) == []
    shot(page, "verified")

    login_as(page, coordinator)
    page.goto("/learning/export/")
    page.get_by_label("Agency").select_option(value=str(school.pk))
    page.get_by_role("button", name="Show", exact=True).click()
    assert page.locator("[data-field='people']").inner_text() == "1"
    assert fits_the_phone(page)
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV (every session)").click()
    assert download.value.suggested_filename.endswith(".csv")
    shot(page, "export")
