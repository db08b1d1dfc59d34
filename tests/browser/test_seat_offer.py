"""A seat offered from the waitlist, answered on a phone: the link in the e-mail opens the offer,
which fits 390 px with no serious accessibility finding, and accepting it makes the person a
participant. The next in line sees their place on their dashboard."""

from __future__ import annotations

import pytest

from institutes import services
from institutes.models import Application
from tests.browser.journey import PHONE, fits_the_phone, link_in_email, relative
from tests.factories import with_totp
from tests.institutes.factories import ApplicationFactory, InstituteFactory, coordinator_of

pytestmark = pytest.mark.browser

LONG = "Math Instructional Strategies: Online Training of Trainers for Regional Leads"


def _submitted(institute, name):
    application = ApplicationFactory(institute=institute, applicant__name=name)
    services.submit_application(application, by=application.applicant)
    return application


def test_a_seat_offer_is_answered_on_a_phone(page, login_as, shot, axe):
    institute = InstituteFactory(title=LONG, capacity=1, offer_days=5)
    coordinator = coordinator_of(institute)
    accepted = _submitted(institute, "Adaeze Okoye")
    services.accept_application(accepted, by=coordinator)
    first, second = _submitted(institute, "Ana Torres"), _submitted(institute, "Kou Thao")
    for application in (first, second):
        services.waitlist_application(application, by=coordinator)
    services.withdraw_application(accepted, by=accepted.applicant)
    page.set_viewport_size(PHONE)

    # The coordinator sees the offer waiting, and its date, in the queue.
    login_as(page, with_totp(coordinator))
    page.goto(f"/institutes/{institute.slug}/review/")
    assert page.get_by_role("heading", name="Seat offers waiting for an answer").is_visible()
    shot(page, "queue-with-offer-phone")
    assert fits_the_phone(page)
    assert axe(page) == []

    login_as(page, first.applicant)
    page.goto(relative(link_in_email(first.applicant.email, "application.seat_offer", "#seat-offer")))
    offer = page.locator("#seat-offer")
    assert offer.get_by_role("heading", name="A seat is free for you").is_visible()
    shot(page, "seat-offer-phone")
    assert fits_the_phone(page)
    assert axe(page) == []
    accept = offer.get_by_role("button", name="Accept the seat")
    box = accept.bounding_box()
    assert box["height"] >= 44  # a comfortable tap target

    accept.click()
    assert page.get_by_text("your seat in").is_visible()
    assert Application.objects.get(pk=first.pk).status == Application.Status.ACCEPTED

    login_as(page, second.applicant)
    page.goto("/dashboard/")
    assert page.get_by_text("You are number 1 on the waitlist.").first.is_visible()
    assert fits_the_phone(page)
    assert page.js_errors == []
