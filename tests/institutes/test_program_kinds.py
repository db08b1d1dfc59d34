"""Program kinds: a certifying ToT, a planning network and a levelled series, and what follows them
(catalog, application, commitments, certification, tracker, reminders, the Level 2 rule)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import ImplementationPlan, PlanTemplate, PlanTemplateStep
from communities.protocols import EL_ROADMAP_STEPS, ensure_el_roadmap
from institutes import services
from institutes.forms import ApplicationForm
from institutes.models import Application, Institute, Module, ModuleFamily
from portal.models import Agency, OutboundEmail
from tests.factories import AgencyFactory, UserFactory, with_totp
from tests.institutes.factories import ApplicationFactory, InstituteFactory, coordinator_of
from tests.trainers.factories import CertificationFactory
from trainers import services as trainers
from trainers import tasks
from trainers.models import Certification

pytestmark = pytest.mark.django_db
Status = Application.Status


def network(**kwargs) -> Institute:
    return InstituteFactory(
        title=kwargs.pop("title", "EL Roadmap Network"),
        kind=Institute.Kind.PLANNING,
        plan_template=ensure_el_roadmap(PlanTemplate, PlanTemplateStep),
        team_required=True,
        min_team_size=2,
        requires_caep_funding=False,
        **kwargs,
    )


def planning_team(institute, names=("Lena Lead", "Max Mate"), present=False):
    """Two leaders from one LEA, their team submitted; returns (team, [lead's, mate's application])."""
    lea = AgencyFactory(kind=Agency.Kind.SCHOOL_DISTRICT)
    lead = UserFactory(email="lead@district.org", name=names[0])
    mate = UserFactory(email="mate@district.org", name=names[1])
    team = services.start_team(institute=institute, lead=lead, agency=lea)
    mate_app = services.accept_invitation(services.invite_to_team(team, email=mate.email, by=lead), user=mate)
    applications = [Application.objects.get(applicant=lead), mate_app]
    for app in applications:
        Application.objects.filter(pk=app.pk).update(
            position="Director of EL programs",
            statement="We plan together.",
            supervisor_name="Sam",
            supervisor_email="sam@district.org",
            commits_to_attend=True,
            commits_to_present=present,
            local_data="ELPAC results by site.",
        )
    services.complete_team_part(mate_app, by=mate)
    services.submit_team(team, by=lead)
    return team, applications


# --- the planning network ---------------------------------------------------------------------


def test_a_planning_network_takes_teams_and_certifies_nobody():
    institute = InstituteFactory(kind=Institute.Kind.PLANNING, team_required=False)
    with pytest.raises(ValidationError) as error:
        institute.clean()
    assert error.value.message_dict == {
        "team_required": ["A planning network takes teams from one LEA: tick this box."]
    }
    assert (institute.certifies, institute.has_commitment) == (False, False)
    certifying = InstituteFactory()
    assert (certifying.kind, certifying.certifies, certifying.has_commitment) == ("certifying", True, True)


def test_the_planning_application_asks_for_local_data_and_no_commitment_to_present():
    application = Application(institute=network(), applicant=UserFactory())
    form = ApplicationForm(
        {"position": "", "statement": "", "commits_to_attend": ""}, instance=application, submitting=True
    )
    assert "commits_to_present" not in form.fields
    assert not form.is_valid()
    assert form.errors["local_data"] == ["Tell us what local data your team can bring."]
    assert form.errors["position"] == ["Tell us your leadership role in your LEA."]
    assert form.fields["position"].label == "Your leadership role in your LEA"
    certifying = ApplicationForm(instance=Application(institute=InstituteFactory(), applicant=UserFactory()))
    assert "commits_to_present" in certifying.fields
    assert "local_data" not in certifying.fields


def test_a_submitted_planning_application_needs_no_commitment_to_present():
    institute = network()
    team, applications = planning_team(institute)
    assert [a.status for a in Application.objects.filter(team=team).order_by("pk")] == ["submitted"] * 2
    assert Application.objects.filter(team=team, commits_to_present=True).count() == 0
    applications[0].refresh_from_db()
    assert services.completeness_problems(applications[0]) == []
    Application.objects.filter(pk=applications[0].pk).update(local_data="")
    applications[0].refresh_from_db()
    assert services.completeness_problems(applications[0]) == ["Tell us what local data your team can bring."]


def test_acceptance_gives_the_team_its_plan_from_the_protocol():
    institute = network()
    team, applications = planning_team(institute)
    services.accept_application(applications[1], by=coordinator_of(institute))
    plan = ImplementationPlan.objects.get(team=team)
    assert (plan.institute, plan.owner, plan.title) == (
        institute,
        team.lead,
        f"{team.agency.name}: EL Roadmap Network",
    )
    assert list(plan.steps.order_by("pk").values_list("description", "guidance", "status")) == [
        (title, guidance, "not_started") for title, guidance in EL_ROADMAP_STEPS
    ]
    assert set(plan.members.values_list("email", flat=True)) == {"lead@district.org", "mate@district.org"}
    # Accepting again (a late member, a second click) gives no second plan.
    services.give_team_its_plan(institute, team)
    assert ImplementationPlan.objects.filter(team=team).count() == 1
    assert plan.steps.count() == 6


def test_withdrawing_from_the_team_leaves_the_plan():
    institute = network()
    team, applications = planning_team(institute)
    services.accept_application(applications[0], by=coordinator_of(institute))
    services.withdraw_application(applications[1], by=applications[1].applicant, note="moved on")
    plan = ImplementationPlan.objects.get(team=team)
    assert list(plan.members.values_list("email", flat=True)) == ["lead@district.org"]


def test_a_certifying_institute_gives_nobody_a_team_plan():
    institute = InstituteFactory(team_required=True, requires_caep_funding=False)
    _team, applications = planning_team(institute, present=True)
    services.accept_application(applications[0], by=coordinator_of(institute))
    assert not ImplementationPlan.objects.exists()


def test_certifying_a_planning_network_participant_is_refused():
    institute = network(status=Institute.Status.COMPLETED)
    application = ApplicationFactory(institute=institute, status=Status.ACCEPTED)
    coordinator = coordinator_of(institute)
    message = (
        "EL Roadmap Network is a planning network: its participants are not certified and take on no "
        "facilitation commitment."
    )
    with pytest.raises(trainers.TrainerError, match=message):
        trainers.certify_participant(institute, application.applicant, by=coordinator)
    with pytest.raises(trainers.TrainerError, match=message):
        trainers.certify_completed(institute, by=coordinator)
    assert not Certification.objects.exists()


def test_a_planning_networks_roster_asks_for_no_practice_facilitation():
    institute = network()
    _team, applications = planning_team(institute)
    for application in applications:
        Application.objects.filter(pk=application.pk).update(status=Status.ACCEPTED)
    certifying = InstituteFactory()
    ApplicationFactory(institute=certifying, status=Status.ACCEPTED)

    assert [row.missing for row in services.completion_roster(institute)] == [[], []]
    assert services.completion_roster(certifying)[0].missing == ["Practice facilitation not recorded yet"]


def test_the_certify_roster_is_not_there_for_a_planning_network(client_for):
    institute = network(status=Institute.Status.COMPLETED)
    coordinator = with_totp(coordinator_of(institute))
    response = client_for(coordinator).get(reverse("trainers:certify-roster", args=[institute.pk]))
    assert response.status_code == 403
    roster = client_for(coordinator).get(reverse("institutes:roster", args=[institute.slug])).content.decode()
    assert "Certify trainers" not in roster


@pytest.mark.parametrize("kind", ["planning", "certifying"])
def test_no_page_mentions_a_commitment_the_kind_does_not_have(client_for, kind):
    institute = network() if kind == "planning" else InstituteFactory(team_required=True)
    application = ApplicationFactory(institute=institute, status=Status.SUBMITTED)
    draft = ApplicationFactory(institute=institute, status=Status.DRAFT)
    coordinator = with_totp(coordinator_of(institute))
    detail = reverse("institutes:application-detail", args=[application.pk])
    endorse = reverse("institutes:endorse", args=[services.endorsement_token(application)])
    pages = [
        client_for(application.applicant).get(reverse("institutes:institute-detail", args=[institute.slug])),
        client_for(application.applicant).get(detail),
        client_for(draft.applicant).get(reverse("institutes:apply", args=[institute.slug])),
        client_for(draft.applicant).get(endorse),
        client_for(coordinator).get(detail),
    ]
    for response in pages:
        html = response.content.decode().lower()
        assert response.status_code == 200
        assert ("within a year" in html) is (kind == "certifying"), response.request["PATH_INFO"]
        if kind == "planning":
            assert "present the module" not in html


def test_the_supervisors_email_follows_the_kind(django_capture_on_commit_callbacks):
    institute = network(endorsement_required=True)
    application = ApplicationFactory(institute=institute, supervisor_email="sam@district.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_endorsement(application)
    body = OutboundEmail.objects.get(kind="application.endorsement_request").body_text
    assert "within a year" not in body
    assert "build their local plan" in body


# --- the catalog ---------------------------------------------------------------------------------


def test_the_catalog_shows_each_kind_and_filters_by_it(client):
    network(title="EL Roadmap Network")
    InstituteFactory(title="CALPRO ToT")
    html = client.get(reverse("institutes:catalog")).content.decode()
    assert '<span class="badge kind-badge kind-planning">Planning network</span>' in html
    assert '<span class="badge kind-badge kind-certifying">Certifying ToT</span>' in html
    filtered = client.get(reverse("institutes:catalog"), {"kind": "planning"}).content.decode()
    assert "EL Roadmap Network" in filtered
    assert "CALPRO ToT" not in filtered


# --- the levelled series ---------------------------------------------------------------------------


@pytest.fixture
def series():
    family = ModuleFamily.objects.create(name="Paraprofessional Train the Trainer")
    one = Module.objects.create(title="Paraprofessional ToT: Level One", family=family, level=1)
    two = Module.objects.create(title="Paraprofessional ToT: Level Two", family=family, level=2)
    level_two = InstituteFactory(
        title="Level Two", module=two, kind=Institute.Kind.SERIES, requires_caep_funding=False
    )
    return one, two, level_two


LEVEL_REASON = (
    "Level Two is Level 2 of Paraprofessional Train the Trainer: it requires an active Level 1 "
    "certification in Paraprofessional ToT: Level One, and Pat Para does not hold one. Complete "
    "Paraprofessional ToT: Level One first (or ask us if your certification was revoked)."
)


def test_a_module_level_needs_its_family():
    with pytest.raises(Exception, match="module_family_has_level"):
        Module.objects.create(title="Orphan level", level=2)


def test_level_two_without_level_one_is_refused_with_the_reason(series):
    _one, _two, level_two = series
    application = ApplicationFactory(institute=level_two, applicant=UserFactory(name="Pat Para"))
    assert services.eligibility_reasons(application) == [LEVEL_REASON]
    with pytest.raises(services.ApplicationError) as error:
        services.submit_application(application, by=application.applicant)
    assert str(error.value) == LEVEL_REASON
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_level_two_with_an_active_level_one_is_eligible(series):
    one, _two, level_two = series
    person = UserFactory(name="Pat Para")
    CertificationFactory(participant=person, module=one)
    application = ApplicationFactory(institute=level_two, applicant=person, agency__caep_funded=False)
    assert services.level_reasons(person, level_two) == []
    services.submit_application(application, by=person)
    application.refresh_from_db()
    assert (application.status, application.is_eligible) == (Status.SUBMITTED, True)


def test_a_revoked_level_one_does_not_count_and_no_override_accepts_past_it(series):
    one, _two, level_two = series
    person = UserFactory(name="Pat Para")
    certification = CertificationFactory(participant=person, module=one)
    application = ApplicationFactory(institute=level_two, applicant=person)
    services.submit_application(application, by=person)
    trainers.revoke_certification(certification, by=None, reason="Issued in error")
    assert services.level_reasons(person, level_two) == [LEVEL_REASON]
    with pytest.raises(services.EligibilityError, match="requires an active Level 1 certification"):
        services.accept_application(
            application, by=coordinator_of(level_two), override="I know her work well."
        )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_level_one_and_other_kinds_need_nothing_below(series):
    one, two, _level_two = series
    person = UserFactory()
    level_one = InstituteFactory(module=one, kind=Institute.Kind.SERIES)
    assert services.level_reasons(person, level_one) == []
    assert services.level_reasons(person, InstituteFactory(module=two)) == []  # a certifying ToT


def test_the_apply_page_says_what_level_two_requires_before_anything_is_filled_in(series, client_for):
    _one, _two, level_two = series
    person = UserFactory(name="Pat Para", agency=None)
    html = client_for(person).get(reverse("institutes:apply", args=[level_two.slug])).content.decode()
    assert "Eligibility: please read" in html
    assert "requires an active Level 1 certification in Paraprofessional ToT: Level One" in html
    detail = (
        client_for(person).get(reverse("institutes:institute-detail", args=[level_two.slug])).content.decode()
    )
    assert (
        "This is Level 2 of Paraprofessional Train the Trainer: you need an active Level 1 certification"
        in detail
    )


# --- the tracker and the reminders --------------------------------------------------------------


def test_the_tracker_follows_the_kind(client_for):
    person = UserFactory()
    ApplicationFactory(applicant=person, institute=network(title="Network"), status=Status.ACCEPTED)
    ApplicationFactory(applicant=person, institute=InstituteFactory(title="CALPRO"), status=Status.ACCEPTED)
    html = client_for(person).get(reverse("dashboard")).content.decode()
    network_tracker = html[html.index('aria-label="Progress for Network"') :]
    network_tracker = network_tracker[: network_tracker.index("</ol>")]
    calpro_tracker = html[html.index('aria-label="Progress for CALPRO"') :]
    calpro_tracker = calpro_tracker[: calpro_tracker.index("</ol>")]
    assert "Team plan done" in network_tracker
    assert "Practice passed" not in network_tracker
    assert "Certified" not in network_tracker
    assert "Practice passed" in calpro_tracker
    assert "Certified" in calpro_tracker
    assert "Team plan done" not in calpro_tracker


def test_the_tracker_ticks_the_team_plan_when_every_step_is_done(client_for):
    institute = network(title="Network")
    team, applications = planning_team(institute)
    services.accept_application(applications[0], by=coordinator_of(institute))
    plan = ImplementationPlan.objects.get(team=team)
    lead = team.lead
    done = 'Team plan done<span class="visually-hidden"> (done)</span>'
    html = client_for(lead).get(reverse("dashboard")).content.decode()
    assert done not in html
    assert f'href="{plan.get_absolute_url()}">{plan.title}</a>' in html
    plan.steps.update(status="done")
    assert done in client_for(lead).get(reverse("dashboard")).content.decode()


def test_a_planning_network_reminds_nobody_of_a_commitment(django_capture_on_commit_callbacks):
    deadline = dt.date(2027, 3, 1)
    issued = deadline - dt.timedelta(days=365)
    kept = CertificationFactory(issued_on=issued, institute=InstituteFactory())
    CertificationFactory(issued_on=issued, institute=network())  # certified before its kind was set
    when = dt.datetime(2026, 12, 1, 7, 15, tzinfo=timezone.get_current_timezone())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_reminders(now=when)
    assert list(
        OutboundEmail.objects.filter(kind="trainers.commitment_reminder").values_list("recipient", flat=True)
    ) == [kept.participant.email]
