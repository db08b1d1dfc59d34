import pytest

from portal.surveys import demo, services
from portal.surveys.models import Instrument

pytestmark = pytest.mark.django_db


def test_the_demo_brings_back_the_default_instruments_once():
    Instrument.objects.all().delete()  # as a transactional test's flush leaves the database
    demo.seed()
    demo.seed()
    assert Instrument.objects.count() == 5
    assert services.latest_instrument("turnkey-post").questions.filter(quotable=True).count() == 1
