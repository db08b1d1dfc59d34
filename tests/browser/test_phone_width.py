"""The coordinator's and trainer's wide pages at a phone's width: no sideways scroll.

Their tables (the institutes to coordinate, the review queue, assignments, the completion roster,
honoraria, the trainer's certifications) become one card per row under 576 px, each value under
its column's name (``table-stack`` in static/css/portal.css, labelled by static/js/portal.js).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from institutes.models import Application
from tests.browser.journey import PHONE, fits_the_phone
from tests.institutes.factories import ApplicationFactory, coordinator_of
from tests.trainers.factories import HonorariumFactory, certified_trainer, completed_institute

pytestmark = pytest.mark.browser

LONG = "Effective Teaching for Adult Educators: Training of Trainers, Sacramento and Online"


def test_wide_tables_fit_a_phone(page, login_as, coordinator, finance_user, axe):
    institute, _, _ = completed_institute(participants=2, incomplete=1, title=LONG)
    coordinator_of(institute, coordinator)
    ApplicationFactory(institute=institute, status=Application.Status.SUBMITTED, position="ESL instructor")
    trainer, _ = certified_trainer(name="Tomás Reyes-Villanueva")
    HonorariumFactory(trainer=trainer, amount=Decimal("350.00"), report__module=institute.module)
    page.set_viewport_size(PHONE)

    staff_pages = {
        coordinator: [
            "/institutes/coordinate/",
            f"/institutes/{institute.slug}/review/",
            f"/institutes/{institute.slug}/assignments/",
            f"/institutes/{institute.slug}/roster/",
            "/trainers/honoraria/",
        ],
        finance_user: ["/trainers/honoraria/"],
        trainer: ["/dashboard/"],
    }
    too_wide = []
    for person, paths in staff_pages.items():
        login_as(page, person)
        for path in paths:
            page.goto(path)
            if not fits_the_phone(page):
                too_wide.append((path, page.evaluate("document.documentElement.scrollWidth")))
    assert too_wide == []
    # The cards keep each value's name: the roster's first card says what it shows.
    login_as(page, coordinator)
    page.goto(f"/institutes/{institute.slug}/roster/")
    assert page.locator("table.table-stack td[data-label='Complete']").first.is_visible()
    assert axe(page) == []
