import pytest

from institutes import demo as institutes_demo
from portal import demo as portal_demo
from trainers import demo
from trainers.models import Certification, FacilitationReport, Honorarium, HonorariumRate

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(m.objects.count() for m in (Certification, FacilitationReport, Honorarium, HonorariumRate))


def test_seed_is_idempotent_and_certifies_the_demo_trainers():
    portal_demo.seed()
    institutes_demo.seed()
    demo.seed()
    counts = _counts()
    demo.seed()
    assert _counts() == counts
    certified = set(Certification.objects.values_list("participant__email", flat=True))
    assert certified == {"trainer@egusd.net", "trainer2@lbschools.net"}
    assert Certification.objects.filter(institute__status="completed").count() == 2
    report = FacilitationReport.objects.get()
    assert report.status == FacilitationReport.Status.VERIFIED
    assert Honorarium.objects.get().status == Honorarium.Status.REQUESTED
    tomas = Certification.objects.get(participant__email="trainer@egusd.net")
    assert tomas.commitment_state() == "fulfilled"


def test_seed_without_institutes_demo_makes_its_own_module():
    portal_demo.seed()
    demo.seed()
    demo.seed()
    assert Certification.objects.filter(module__title=demo.DEMO_MODULE, institute=None).count() == 2
    assert HonorariumRate.objects.count() == 1
