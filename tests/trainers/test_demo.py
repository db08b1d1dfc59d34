from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from communities import demo as communities_demo
from communities.models import Community
from institutes import demo as institutes_demo
from institutes.models import Application, Institute
from portal import demo as portal_demo
from portal.models import Agency, AuditEntry
from portal.surveys.models import Quote, Response
from portal.surveys.services import approved_quotes
from trainers import demo
from trainers.models import (
    Certification,
    CoFacilitator,
    FacilitationReport,
    Honorarium,
    HonorariumRate,
    Recognition,
    Registration,
    SessionAttendance,
    TrainingRequest,
    TrainingSession,
    TurnkeyTraining,
)
from trainers.views.impact import public_figures

pytestmark = pytest.mark.django_db

TOMAS, GRACE = "trainer@egusd.net", "trainer2@lbschools.net"
MODELS = (
    Certification,
    FacilitationReport,
    Honorarium,
    HonorariumRate,
    TurnkeyTraining,
    TrainingSession,
    Registration,
    SessionAttendance,
    CoFacilitator,
    Response,
    Quote,
    Recognition,
    TrainingRequest,
    AuditEntry,
)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def world(survey_instruments):
    portal_demo.seed()
    institutes_demo.seed()
    demo.seed()


def test_seed_is_idempotent_and_certifies_the_cohort(world):
    counts = _counts()
    demo.seed()
    assert _counts() == counts
    certifying = Certification.objects.filter(institute__kind=Institute.Kind.CERTIFYING)
    certified = set(certifying.values_list("participant__email", flat=True))
    assert certified == set(portal_demo.CERTIFIED_EMAILS)
    assert certifying.filter(institute__status="completed").count() == len(certified)
    # The levelled series: Level One's cohort is certified at Level One, and María applies to Level Two.
    level_one = Certification.objects.filter(module__level=1).values_list("participant__email", flat=True)
    assert sorted(level_one) == sorted(institutes_demo.LEVEL_ONE_CERTIFIED)
    maria = Application.objects.get(institute__slug="paraprofessional-ttt-level-two")
    assert (maria.applicant.email, maria.status, maria.is_eligible) == (
        "maria@twinriversusd.org",
        "submitted",
        True,
    )


def test_each_demo_trainer_has_a_training_in_every_state(world):
    for email in (TOMAS, GRACE):
        states = Counter(
            TurnkeyTraining.objects.filter(trainer__email=email, request__isnull=True).values_list(
                "status", flat=True
            )
        )
        assert states == {"held": 1, "published": 1, "draft": 1, "cancelled": 1}
    cancelled = TurnkeyTraining.objects.filter(status="cancelled")
    assert all(training.cancel_reason for training in cancelled)
    held = TurnkeyTraining.objects.get(trainer__email=TOMAS, status="held")
    assert held.sessions.count() == 3
    registrants = held.registrations.filter(walk_in=False)
    assert 12 <= registrants.count() <= 20
    assert registrants.filter(agency=None).exists()
    assert registrants.exclude(agency=None).exists()
    assert held.registrations.filter(walk_in=True).count() == 2
    present = held.registrations.filter(attendance__isnull=False).distinct().count()
    assert present > registrants.count() * 3 // 4
    full = TurnkeyTraining.objects.get(trainer__email=TOMAS, status="published")
    assert full.registered_count() == full.capacity
    assert full.registrations.filter(status="waitlisted").exists()
    assert full.co_facilitations.get().status == CoFacilitator.Status.ACCEPTED


def test_the_verified_report_fulfils_the_commitment(world):
    held = TurnkeyTraining.objects.get(trainer__email=TOMAS, status="held")
    assert held.report.status == FacilitationReport.Status.VERIFIED
    assert (
        held.report.participants_count
        == held.registrations.filter(attendance__isnull=False).distinct().count()
    )
    assert (
        Certification.objects.get(participant__email=TOMAS, module__level=None).commitment_state()
        == "fulfilled"
    )
    grace = TurnkeyTraining.objects.get(trainer__email=GRACE, status="held")
    assert grace.report.status == FacilitationReport.Status.SUBMITTED
    assert (
        Certification.objects.get(participant__email=GRACE, module__level=None).commitment_state()
        == "on_track"
    )
    assert Honorarium.objects.filter(report=held.report, status=Honorarium.Status.REQUESTED).exists()


def test_participants_answered_and_one_quote_shows_on_the_module(world):
    for email, at_least in ((TOMAS, 6), (GRACE, 6)):
        held = TurnkeyTraining.objects.get(trainer__email=email, status="held")
        assert Response.objects.about(held).count() >= at_least
        quotes = Quote.objects.about(held)
        assert sorted(quotes.values_list("state", flat=True)) == ["approved", "waiting"]
    module = TurnkeyTraining.objects.first().module
    texts = {quote.text for quote in approved_quotes("module", module)}
    assert texts & set(demo.COMMENTS)
    award = Recognition.objects.get()
    assert (award.trainer.email, award.public) == (GRACE, True)


def test_the_public_impact_page_has_totals_to_show(world):
    figures = public_figures()
    assert figures["certified"] >= 5
    assert figures["fulfilled"] >= 5
    assert figures["educators"] >= 5
    assert figures["responses"] >= 5
    assert figures["by_region"]["withheld"] == 0


def test_the_story_runs_in_order(world):
    today = timezone.localdate()
    # The certifying institute and the levelled series' Level One both completed.
    assert Institute.objects.filter(status=Institute.Status.COMPLETED).count() == 2
    for completed in Institute.objects.filter(status=Institute.Status.COMPLETED):
        last_session = completed.sessions.order_by("-date").first().date
        for certification in Certification.objects.filter(institute=completed):
            assert certification.issued_on > last_session
        for application in Application.objects.filter(institute=completed):
            assert application.decided_at.date() < completed.sessions.order_by("date").first().date
            if completed.endorsement_required:
                assert application.endorsement == Application.Endorsement.ENDORSED
    for training in TurnkeyTraining.objects.select_related("certification", "report"):
        assert training.created_at.date() >= training.certification.issued_on
        first = training.sessions.first()
        if training.status == "held":
            assert training.ends_at.date() < today
            assert training.published_at < first.starts_at
            assert training.held_at >= training.sessions.last().starts_at
            assert not training.registrations.filter(walk_in=False, created_at__gte=first.starts_at).exists()
            assert training.report.starts_on == timezone.localdate(first.starts_at)
            assert training.report.submitted_at > training.ends_at
            for response in Response.objects.about(training):
                assert response.submitted_at > training.ends_at
        else:
            assert first.starts_at.date() > today
    recent = timezone.now() - timedelta(minutes=5)
    held = TurnkeyTraining.objects.filter(status="held")
    assert not AuditEntry.objects.about(held.first()).filter(at__gte=recent).exists()


def test_regions_agree_with_the_registry(world):
    communities_demo.seed()
    registry = set(Agency.objects.values_list("region", flat=True))
    assert set(Community.objects.exclude(region="").values_list("region", flat=True)) <= registry


def test_seed_without_institutes_demo_makes_its_own_module():
    portal_demo.seed()
    demo.seed()
    demo.seed()
    count = len(portal_demo.CERTIFIED_EMAILS)
    assert Certification.objects.filter(module__title=demo.DEMO_MODULE, institute=None).count() == count
    assert HonorariumRate.objects.count() == 1


def test_tomas_mentors_ana_and_ben_and_the_story_of_their_practice_runs_in_order(world):
    from institutes.models import PracticeFacilitation, PracticeFeedback, PracticeResult, Rubric
    from trainers.models import MentoringMeeting, Mentorship

    def practice_counts():
        models = (
            Rubric,
            PracticeFacilitation,
            PracticeFeedback,
            PracticeResult,
            Mentorship,
            MentoringMeeting,
        )
        return [m.objects.count() for m in models]

    counts = practice_counts()
    institutes_demo.seed()
    demo.seed()
    assert practice_counts() == counts
    pairings = Mentorship.objects.active().select_related("mentor", "application__applicant")
    assert sorted((m.mentor.email, m.application.applicant.email) for m in pairings) == [
        (TOMAS, "ana@scusd.edu"),
        (TOMAS, "ben@scusd.edu"),
    ]
    fall = Institute.objects.get(slug=institutes_demo.NEXT_COHORT)
    results = dict(
        PracticeResult.objects.filter(application__institute=fall).values_list(
            "application__applicant__email", "result"
        )
    )
    assert results == {"ana@scusd.edu": "passed", "ben@scusd.edu": "not_yet"}
    completed = Institute.objects.get(status="completed", kind=Institute.Kind.CERTIFYING)
    assert set(
        PracticeResult.objects.filter(application__institute=completed).values_list("result", "basis")
    ) == {("passed", "rubric")}
    # In time: the rubric before the completed cohort's sessions, each score on or after its
    # facilitation, the pairing before the meetings, and nothing after today.
    today = timezone.localdate()
    rubric = Rubric.objects.get(module=completed.module)
    assert timezone.localdate(rubric.created_at) < completed.sessions.order_by("date").first().date
    for feedback in PracticeFeedback.objects.select_related("facilitation"):
        assert feedback.facilitation.given_on <= timezone.localdate(feedback.created_at) <= today
    for pairing in pairings:
        assert all(
            timezone.localdate(pairing.created_at) <= meeting.met_on <= today
            for meeting in pairing.meetings.all()
        )
    assert PracticeFeedback.objects.filter(role="mentor", scorer__email=TOMAS).count() == 2


def test_requests_are_open_and_matched_and_consistent_in_time(world):
    by_email = {r.requester.email: r for r in TrainingRequest.objects.select_related("requester", "training")}
    assert {email: r.status for email, r in by_email.items()} == {
        "ana@scusd.edu": "accepted",
        "ben@scusd.edu": "offered",
        "mfernandez@ousd.org": "flagged",
        "chloe@fresnounified.org": "new",
    }
    matched = by_email["ana@scusd.edu"]
    assert (matched.training.trainer.email, matched.training.status) == (TOMAS, "draft")
    assert matched.training.host_contact == matched.requester
    assert list(matched.offers.values_list("trainer__email", "status")) == [
        (GRACE, "declined"),
        (TOMAS, "accepted"),
    ]
    today = timezone.localdate()
    for req in by_email.values():
        history = list(AuditEntry.objects.about(req).order_by("pk").values_list("at", flat=True))
        assert history == sorted(history)
        assert req.created_at <= history[0] + timedelta(seconds=1)
        assert history[-1].date() <= today
        assert all(d >= today for d in req.preferred_days)
    assert timezone.localtime(matched.training.starts_at).date() == today + timedelta(days=24)
    waiting = by_email["ben@scusd.edu"].offers.get()
    assert (waiting.trainer.email, waiting.status) == (TOMAS, "pending")


def test_the_demo_trainers_badges_verify_with_the_quick_start_key(world):
    from trainers import credentials

    for certification in Certification.objects.filter(participant__email__in=(TOMAS, GRACE)):
        check = credentials.check_badge(credentials.badge(certification))
        assert check.standing == "active"
        assert check.certification == certification
        assert certification.valid_until == certification.issued_on.replace(
            year=certification.issued_on.year + 2
        ) - timedelta(days=1)
