"""The reach and impact pages on a phone: charts drawn from their tables, no sideways scroll,
no serious or critical axe-core violation."""

import pytest

from tests import factories
from tests.browser.journey import PHONE, fits_the_phone
from tests.trainers.impact_factories import impact_world
from trainers.models import Recognition


@pytest.mark.parametrize(
    ("path", "charts"),
    [
        ("/trainers/impact/", True),
        ("/impact/", True),
        ("/trainers/recognition/", False),
        ("/trainers/recognition/new/", False),
    ],
)
def test_impact_pages_on_a_phone(page, login_as, axe, shot, path, charts):
    world = impact_world()
    Recognition.objects.create(
        trainer=world["c1"].participant, kind=Recognition.Kind.AWARD, title="Trainer of the Year", public=True
    )
    login_as(page, factories.with_totp(factories.coordinator(name="Cora Coordinator")))
    page.set_viewport_size(PHONE)
    page.goto(path)
    if charts:
        page.wait_for_selector("figure[data-chart] canvas", state="attached")
    shot(page, "phone")
    assert fits_the_phone(page)
    assert axe(page) == []
    assert page.js_errors == []
