"""The demo world's hours come from its attendance, through the same services."""

from decimal import Decimal

import pytest

from communities import demo as communities_demo
from communities.models import Community
from institutes import demo as institutes_demo
from portal import demo as portal_demo
from portal.learning import services
from portal.learning.models import Kind, LearningCredit
from portal.models import User
from trainers import demo as trainers_demo

pytestmark = pytest.mark.django_db


def test_demo_educators_and_trainers_have_hours_and_reseeding_counts_nothing_twice(survey_instruments):
    for seed in (portal_demo.seed, institutes_demo.seed, communities_demo.seed, trainers_demo.seed):
        seed()
    credits = list(LearningCredit.objects.order_by("pk").values_list("person_id", "object_id", "hours"))
    for seed in (portal_demo.seed, institutes_demo.seed, communities_demo.seed, trainers_demo.seed):
        seed()
    assert (
        list(LearningCredit.objects.order_by("pk").values_list("person_id", "object_id", "hours")) == credits
    )

    ana = User.objects.get(email="ana@scusd.edu")
    mine = LearningCredit.objects.of(ana)
    assert mine.count() == 3
    assert set(mine.values_list("kind", flat=True)) == {Kind.TURNKEY_TRAINING}
    summary = services.year_summary(ana, mine.first().on.year)
    assert summary.total == mine.total() > 0
    capital = Community.objects.get(kind=Community.Kind.REGIONAL, region="Capital", memberships__user=ana)
    assert [(row.label, row.info.expected_min, row.info.expected_max) for row in summary.expected] == [
        (capital.title, Decimal("16.0"), Decimal("20.0"))
    ]
    tomas = User.objects.get(email="trainer@egusd.net")
    assert LearningCredit.objects.of(tomas).filter(kind=Kind.INSTITUTE_SESSION).total() == Decimal("21.00")
