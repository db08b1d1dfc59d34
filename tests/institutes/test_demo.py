import pytest
from django.utils import timezone

from institutes import demo
from institutes.models import Application, Institute, InstituteCoordinator, Module
from portal import demo as portal_demo
from portal.surveys.models import Quote, Response

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_builds_the_demo_world():
    portal_demo.seed()
    demo.seed()
    counts = (Module.objects.count(), Institute.objects.count(), Application.objects.count())
    demo.seed()
    assert (Module.objects.count(), Institute.objects.count(), Application.objects.count()) == counts
    assert Module.objects.filter(title__in=demo.MODULES).count() == 16
    calpro = Institute.objects.get(slug="calpro-tot-institute")
    assert (calpro.location, calpro.requires_caep_funding, calpro.sessions.count()) == ("hybrid", True, 4)
    el = Institute.objects.get(slug="el-roadmap-local-planning-tot")
    assert (el.team_required, el.min_team_size) == (True, 2)
    assert InstituteCoordinator.objects.filter(
        user__email="coordinator2@tot.example.org", institute=el
    ).exists()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"accepted", "submitted", "draft"} <= statuses


def test_the_completed_institute_has_evaluations_and_quotes(survey_instruments):
    portal_demo.seed()
    demo.seed()
    demo.seed()
    completed = Institute.objects.get(slug="effective-teaching-tot-2025")
    assert Response.objects.about(completed).count() == 12
    assert Response.objects.about(completed.sessions.all()).count() == 30
    assert Response.objects.filter(person__isnull=False).count() == 0
    assert sorted(Quote.objects.values_list("state", flat=True)) == ["approved", "approved", "waiting"]


def test_accepted_applicants_were_endorsed_before_acceptance():
    portal_demo.seed()
    demo.seed()
    accepted = Application.objects.filter(status=Application.Status.ACCEPTED).select_related("institute")
    assert accepted.exists()
    for application in accepted:
        if application.institute.endorsement_required:
            assert application.endorsement == Application.Endorsement.ENDORSED


def test_the_demo_has_one_pending_seat_offer_consistent_in_time():
    portal_demo.seed()
    demo.seed()
    demo.seed()
    offer = Application.objects.get(status=Application.Status.OFFERED)
    now = timezone.now()
    assert (offer.applicant.email, offer.institute.slug) == (
        "ana@scusd.edu",
        "math-instructional-strategies-online-tot",
    )
    assert offer.waitlisted_at < offer.offered_at < now < offer.offer_expires_at
    assert offer.institute.applications.holding_seats().count() == offer.institute.capacity
    withdrawn = offer.institute.applications.get(status=Application.Status.WITHDRAWN)
    assert [e.to_status for e in withdrawn.events] == ["submitted", "accepted", "withdrawn"]
    assert withdrawn.events.last().at == offer.offered_at
