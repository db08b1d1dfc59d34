"""A small world with one object of each kind and the nine roles that the security suite tries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from communities.models import (
    Community,
    ImplementationPlan,
    Invitation,
    JoinRequest,
    Membership,
    PlanDeliverable,
    PlanStep,
    Report,
    Resource,
)
from institutes.models import Application, Assignment, AssignmentSubmission, Institute, Team
from portal.learning import services as learning
from portal.surveys import services as surveys
from portal.surveys.defaults import create_defaults
from portal.surveys.models import Instrument, Question, Quote
from tests import factories
from tests.communities.factories import CommunityFactory, PostFactory, ThreadFactory, event
from tests.institutes.factories import (
    ApplicationFactory,
    AssignmentFactory,
    InstituteFactory,
    SessionFactory,
    coordinator_of,
)
from tests.surveys.factories import answers_for, invited
from tests.trainers.day_factories import present
from tests.trainers.factories import CertificationFactory, HonorariumFactory, RateFactory, ReportFactory
from tests.trainers.training_factories import CoFacilitatorFactory, RegistrationFactory, TrainingFactory
from trainers.models import FacilitationReport, Recognition, RequestOffer, TrainingRequest, TurnkeyTraining

ROLES = (
    "visitor",
    "applicant",
    "other_applicant",
    "other_coordinator",
    "coordinator",
    "trainer",
    "other_trainer",
    "finance",
    "state_office",
    "admin",
)

PDF = b"%PDF-1.4\n% a small test document\n"


def _with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


@dataclass
class World:
    users: dict = field(default_factory=dict)
    o: dict = field(default_factory=dict)  # the objects, by short name

    def __getattr__(self, name):
        try:
            return self.o[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@pytest.fixture
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world has nine people; a slow hash for each would double the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_world() -> World:
    w = World()
    agency = factories.AgencyFactory(name="Sacramento City Adult School", is_lea=True)
    u = w.users
    u["applicant"] = factories.UserFactory(email="ana@example.org", name="Ana Applicant", agency=agency)
    u["other_applicant"] = factories.UserFactory(email="ben@example.org", name="Ben Other", agency=agency)
    u["coordinator"] = _with_totp(factories.coordinator(email="cora@example.org", name="Cora Coordinator"))
    u["other_coordinator"] = _with_totp(factories.coordinator(email="carl@example.org", name="Carl Other"))
    u["trainer"] = factories.UserFactory(email="tess@example.org", name="Tess Trainer", agency=agency)
    u["other_trainer"] = factories.UserFactory(email="tom@example.org", name="Tom Other", agency=agency)
    u["finance"] = _with_totp(factories.finance(email="fay@example.org", name="Fay Finance"))
    u["state_office"] = _with_totp(factories.state_office(email="sol@example.org", name="Sol State"))
    u["admin"] = _with_totp(
        factories.UserFactory(email="root@example.org", name="Ada Admin", is_superuser=True, is_staff=True)
    )
    o = w.o

    # Institutes: one of each coordinator's, and a draft only its coordinator sees.
    o["institute"] = InstituteFactory(title="Math Strategies ToT", requires_caep_funding=False)
    o["other_institute"] = InstituteFactory(
        title="Reading ToT", requires_caep_funding=False, team_required=True, min_team_size=2
    )
    o["draft_institute"] = InstituteFactory(title="Draft ToT", status=Institute.Status.DRAFT)
    coordinator_of(o["institute"], u["coordinator"])
    coordinator_of(o["draft_institute"], u["coordinator"])
    coordinator_of(o["other_institute"], u["other_coordinator"])
    o["session"] = SessionFactory(institute=o["institute"])

    o["application"] = ApplicationFactory(
        applicant=u["applicant"], institute=o["institute"], agency=agency, status=Application.Status.ACCEPTED
    )
    o["other_application"] = ApplicationFactory(
        applicant=u["other_applicant"],
        institute=o["institute"],
        agency=agency,
        status=Application.Status.ACCEPTED,
    )
    o["waiting_application"] = ApplicationFactory(  # submitted, the supervisor not answered yet
        applicant=u["trainer"], institute=o["institute"], agency=agency, status=Application.Status.SUBMITTED
    )
    o["team"] = Team.objects.create(institute=o["other_institute"], lead=u["applicant"], agency=agency)
    o["team_invitation"] = o["team"].invitations.create(
        email=u["other_applicant"].email, token="team-invitation-token-0001", invited_by=u["applicant"]
    )
    o["assignment"] = AssignmentFactory(institute=o["institute"], kind=Assignment.Kind.FILE)
    o["submission"] = AssignmentSubmission.objects.create(
        assignment=o["assignment"],
        application=o["application"],
        file=ContentFile(PDF, name="ana.pdf"),
        original_filename="ana-lesson-plan.pdf",
    )
    o["other_submission"] = AssignmentSubmission.objects.create(
        assignment=o["assignment"],
        application=o["other_application"],
        file=ContentFile(PDF, name="ben.pdf"),
        original_filename="ben-lesson-plan.pdf",
    )

    # Trainers: each has a certification, a returned report to edit, a verified one with an honorarium.
    module = o["institute"].module
    rate = RateFactory(module=module, amount=Decimal("300.00"))
    for key in ("trainer", "other_trainer"):
        person = u[key]
        o[f"{key}_certification"] = CertificationFactory(
            participant=person,
            module=module,
            institute=o["institute"],
            issued_on=timezone.localdate() - dt.timedelta(days=100),
        )
        o[f"{key}_returned_report"] = ReportFactory(
            trainer=person, module=module, status=FacilitationReport.Status.RETURNED
        )
        o[f"{key}_report"] = ReportFactory(
            trainer=person, module=module, status=FacilitationReport.Status.VERIFIED
        )
        o[f"{key}_honorarium"] = HonorariumFactory(report=o[f"{key}_report"], trainer=person, rate=rate)
    o["trainer_recognition"] = Recognition.objects.create(
        trainer=u["trainer"], kind=Recognition.Kind.AWARD, title="Trainer of the Year"
    )

    # Communities: members-only (Ana and Tess are members), public, and an invitation-only cohort.
    o["community"] = CommunityFactory(
        title="Members Only CoP",
        visibility=Community.Visibility.MEMBERS,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    o["public_community"] = CommunityFactory(title="Open CoP")
    o["cohort"] = CommunityFactory(
        title="Cohort CoP",
        kind=Community.Kind.COHORT,
        visibility=Community.Visibility.MEMBERS,
        join_policy=Community.JoinPolicy.INVITATION,
    )
    Invitation.objects.create(community=o["cohort"], email=u["other_applicant"].email)
    Membership.objects.create(user=u["applicant"], community=o["community"], seen_orientation=True)
    o["trainer_membership"] = Membership.objects.create(
        user=u["trainer"], community=o["community"], seen_orientation=True
    )
    o["thread"] = ThreadFactory(community=o["community"], author=u["applicant"])
    o["post"] = PostFactory(thread=o["thread"], author=u["applicant"])
    o["public_thread"] = ThreadFactory(community=o["public_community"], author=u["trainer"])
    PostFactory(thread=o["public_thread"], author=u["trainer"])
    o["report"] = Report.objects.create(post=o["post"], reporter=u["trainer"], reason="Off topic")
    o["join_request"] = JoinRequest.objects.create(community=o["community"], user=u["other_applicant"])
    o["resource"] = Resource.objects.create(
        community=o["community"],
        title="Number line handout",
        file=ContentFile(PDF, name="handout.pdf"),
        filename="handout.pdf",
        added_by=u["applicant"],
    )
    o["library_resource"] = Resource.objects.create(
        title="Statewide guide", url="https://example.org/guide", added_by=u["coordinator"]
    )
    o["plan"] = ImplementationPlan.objects.create(owner=u["applicant"], title="Private plan", goals="Mine.")
    o["shared_plan"] = ImplementationPlan.objects.create(
        owner=u["applicant"], title="Shared plan", goals="For feedback.", shared_with=o["community"]
    )
    o["other_plan"] = ImplementationPlan.objects.create(
        owner=u["other_applicant"], title="Ben's plan", goals="His."
    )
    o["step"] = PlanStep.objects.create(plan=o["plan"], description="Try number lines")
    # Events: a webinar of the members-only community (Ana holds a place, with a private feed of
    # the community's calendar) and a meeting of the public one.
    o["event"] = event(o["community"], title="Members' webinar")
    o["public_event"] = event(o["public_community"], title="Open meeting", kind="meeting")
    from communities import events as community_events

    community_events.register(o["event"], u["applicant"])
    o["feed"] = community_events.regenerate_feed(u["applicant"], o["community"])

    # A planning network (Cora coordinates it): Ana's team (Ana and Tess) has a plan and a deliverable.
    o["network"] = InstituteFactory(
        title="EL Roadmap Network",
        kind=Institute.Kind.PLANNING,
        team_required=True,
        requires_caep_funding=False,
    )
    coordinator_of(o["network"], u["coordinator"])
    o["network_team"] = Team.objects.create(institute=o["network"], lead=u["applicant"], agency=agency)
    o["team_plan"] = ImplementationPlan.objects.create(
        owner=u["applicant"], title="Team plan", goals="Ours.", institute=o["network"], team=o["network_team"]
    )
    o["team_plan"].members.add(u["applicant"], u["trainer"])
    o["team_step"] = PlanStep.objects.create(plan=o["team_plan"], description="Journey map")
    o["deliverable"] = PlanDeliverable.objects.create(
        plan=o["team_plan"], title="Journey map", url="https://example.org/map", added_by=u["applicant"]
    )
    o["file_deliverable"] = PlanDeliverable.objects.create(
        plan=o["team_plan"],
        title="Crosswalk",
        file=ContentFile(PDF, name="crosswalk.pdf"),
        filename="crosswalk.pdf",
        added_by=u["trainer"],
    )

    # Turnkey trainings: Tess's and Tom's, open for registration; Tom is invited to co-facilitate Tess's.
    for key in ("trainer", "other_trainer"):
        o[f"{key}_training"] = TrainingFactory(certification=o[f"{key}_certification"])
    o["co_facilitation"] = CoFacilitatorFactory(training=o["trainer_training"], person=u["other_trainer"])
    # Registration: someone registered for Tess's training, and a draft of hers the public cannot open.
    o["registration"] = RegistrationFactory(training=o["trainer_training"], name="Rita Registrant")
    o["draft_training"] = TrainingFactory(
        certification=o["trainer_certification"], status=TurnkeyTraining.Status.DRAFT
    )
    # The day: Tess's training held yesterday (someone came; no report yet).
    yesterday = timezone.now() - dt.timedelta(days=1)
    o["held_training"] = TrainingFactory(
        certification=o["trainer_certification"],
        status=TurnkeyTraining.Status.HELD,
        held_at=yesterday,
        sessions__starts_at=yesterday,
    )
    present(o["held_training"].sessions.get(), RegistrationFactory(training=o["held_training"]))

    # Practice and mentoring: the module's rubric, Ana's practice facilitation (Ben, her peer,
    # scored it), Tess mentors Ana (Tom offers too, with nobody yet), and a meeting Tess logged.
    from institutes import practice
    from tests.institutes.factories import facilitation_for, rubric_for
    from trainers import mentoring

    o["rubric"] = rubric_for(module, by=u["coordinator"])
    o["facilitation"] = facilitation_for(o["application"])
    practice.score(
        o["facilitation"],
        scorer=u["other_applicant"],
        role="peer",
        levels=dict.fromkeys(o["rubric"].criteria.values_list("pk", flat=True), 3),
        comments="Clear opening.",
    )
    o["mentor_offer"] = mentoring.offer_to_mentor(u["trainer"], module=module, region="Capital", capacity=2)
    mentoring.offer_to_mentor(u["other_trainer"], module=module, region="", capacity=1)
    o["mentorship"] = mentoring.pair(o["mentor_offer"], o["application"], by=u["coordinator"])
    o["meeting"] = mentoring.log_meeting(
        o["mentorship"], met_on=timezone.localdate(), notes="Planned the practice session.", by=u["trainer"]
    )

    # Surveys: Ana's link to the institute's evaluation, and Ben's answered one with a quote.
    create_defaults(Instrument, Question)
    _, o["survey_token"] = invited("institute-end", o["institute"], person=u["applicant"])
    answered, token = invited("institute-end", o["institute"], person=u["other_applicant"])
    surveys.answer(token, answers_for(answered, quote_consent=True))
    o["quote"] = Quote.objects.get()

    # Turnkey trainings: Tess's and Tom's, open for registration; Tom is invited to co-facilitate Tess's.
    for key in ("trainer", "other_trainer"):
        o[f"{key}_training"] = TrainingFactory(certification=o[f"{key}_certification"])
    o["co_facilitation"] = CoFacilitatorFactory(training=o["trainer_training"], person=u["other_trainer"])
    # Registration: someone registered for Tess's training, and a draft of hers the public cannot open.
    o["registration"] = RegistrationFactory(training=o["trainer_training"], name="Rita Registrant")
    o["draft_training"] = TrainingFactory(
        certification=o["trainer_certification"], status=TurnkeyTraining.Status.DRAFT
    )
    # Requests: Ana asks for a training on Tess's module, offered to Tess; Ana offers to host a CoP.
    o["training_request"] = TrainingRequest.objects.create(
        requester=u["applicant"],
        agency=agency,
        region=agency.region,
        module=module,
        dates=[(timezone.localdate() + dt.timedelta(days=21)).isoformat()],
        starts=dt.time(9),
        ends=dt.time(12),
        place="Room 4",
        audience="ESL teachers",
        expected_size=15,
        status=TrainingRequest.Status.OFFERED,
        waiting_since=timezone.now(),
    )
    o["request_offer"] = RequestOffer.objects.create(
        request=o["training_request"], trainer=u["trainer"], offered_by=u["coordinator"]
    )
    o["host_request"] = TrainingRequest.objects.create(
        kind=TrainingRequest.Kind.HOST,
        requester=u["applicant"],
        agency=agency,
        region=agency.region,
        offer="Our library room",
        waiting_since=timezone.now(),
    )

    # Professional-learning hours: Ana and Ben each attended the institute's first day and
    # printed a record of their year.
    day = SessionFactory(institute=o["institute"], date=timezone.localdate() - dt.timedelta(days=3))
    for key in ("applicant", "other_applicant"):
        learning.record(
            u[key], day, 4, day.date, "Math Strategies ToT", "institute_session", topic=module.title
        )
    year = timezone.localdate().year
    o["hours_record"] = learning.issue_record(u["applicant"], dt.date(year, 1, 1), dt.date(year, 12, 31))
    o["other_hours_record"] = learning.issue_record(
        u["other_applicant"], dt.date(year, 1, 1), dt.date(year, 12, 31)
    )
    return w


@pytest.fixture
def world(db, uploads_in_tmp) -> World:
    return build_world()


@pytest.fixture
def clients(world) -> dict[str, Client]:
    """One logged-in client per role (the visitor's is anonymous)."""
    out = {"visitor": Client()}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(world.users[role])
        out[role] = client
    return out
