"""The application form works with the keyboard alone: Tab to move, typing, Space, Enter."""

import pytest

from institutes.models import Application
from portal.models import Agency
from tests import factories
from tests.institutes.factories import InstituteFactory

pytestmark = pytest.mark.browser

MAX_TABS = 80


def tab_to(page, name: str) -> None:
    """Press Tab until the field (or button) called ``name`` has the focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached the field {name!r}")


def test_application_form_can_be_filled_and_submitted_with_the_keyboard_only(page, login_as, shot, axe):
    agency = factories.AgencyFactory(name="Zephyr Valley Adult School", kind=Agency.Kind.ADULT_SCHOOL)
    factories.AgencyFactory(name="Arroyo Unified School District", kind=Agency.Kind.SCHOOL_DISTRICT)
    institute = InstituteFactory(title="Keyboard Institute", team_required=False)
    applicant = factories.UserFactory(name="Kim Nguyen")
    login_as(page, applicant)

    page.goto(f"/institutes/{institute.slug}/apply/")
    assert axe(page) == []

    tab_to(page, "agency")
    page.keyboard.type("Zephyr")  # a focused select picks the option that starts with what is typed
    assert page.evaluate("document.activeElement.value") == str(agency.pk)
    tab_to(page, "position")
    page.keyboard.type("ESL teacher")
    tab_to(page, "statement")
    page.keyboard.type("I want to bring the module to the teachers of our evening program.")
    tab_to(page, "supervisor_name")
    page.keyboard.type("Pat Rivera")
    tab_to(page, "supervisor_email")
    page.keyboard.type("pat.rivera@example.org")
    tab_to(page, "commits_to_attend")
    page.keyboard.press("Space")
    tab_to(page, "commits_to_present")
    page.keyboard.press("Space")
    shot(page, "keyboard-filled")
    tab_to(page, "action")  # Save draft
    assert page.evaluate("document.activeElement.value") == "save"
    page.keyboard.press("Tab")  # Submit application
    assert page.evaluate("document.activeElement.value") == "submit"
    page.keyboard.press("Enter")

    page.wait_for_url("**/institutes/applications/*/")
    assert "Your application is submitted" in page.get_by_role("status").first.inner_text()
    assert "Status: Submitted" in page.locator("main").inner_text()
    shot(page, "keyboard-submitted")
    assert axe(page) == []
    application = Application.objects.get(applicant=applicant, institute=institute)
    assert application.status == Application.Status.SUBMITTED
    assert application.agency == agency
    assert (application.position, application.supervisor_name) == ("ESL teacher", "Pat Rivera")
    assert application.supervisor_email == "pat.rivera@example.org"
    assert application.commits_to_attend is True
    assert application.commits_to_present is True
    assert page.js_errors == []
