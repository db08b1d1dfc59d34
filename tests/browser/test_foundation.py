import pytest

from tests import factories


def test_home_page_reads_well_and_passes_axe(page, shot, axe):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Grow the trainers who grow adult education"
    shot(page, "home")
    assert axe(page) == []
    assert page.js_errors == []


def test_skip_link_is_first_on_keyboard(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def test_sign_in_form_with_wrong_password_keeps_the_email(page, shot, axe):
    factories.UserFactory(email="ana@example.org")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_label("Email").input_value() == "ana@example.org"
    assert page.get_by_role("alert").first.is_visible()
    shot(page, "login-error")
    assert axe(page) == []


def test_login_as_gives_a_signed_in_session(page, login_as):
    user = factories.UserFactory(name="Ana Torres")
    login_as(page, user)
    page.goto("/dashboard/")
    assert page.locator("h1").inner_text() == "Welcome, Ana Torres"


@pytest.mark.parametrize("width", [390])
def test_navigation_collapses_on_a_phone(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    toggler = page.get_by_role("button", name="Show or hide the menu")
    assert toggler.is_visible()
    toggler.click()
    assert page.get_by_role("link", name="Sign in").is_visible()
