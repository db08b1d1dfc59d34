"""Team plans from a protocol: steps from the template, shared editing with its history, deliverables
that become community resources, and the coordinator's follow-up review."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities import permissions, services
from communities.models import (
    Community,
    ImplementationPlan,
    Membership,
    PlanDeliverable,
    PlanReview,
    PlanTemplate,
    PlanTemplateStep,
    Resource,
)
from communities.protocols import EL_ROADMAP_STEPS, ensure_el_roadmap
from tests.factories import AgencyFactory, UserFactory, with_totp
from tests.institutes.factories import InstituteFactory, coordinator_of

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% a small test document\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


@pytest.fixture
def team_plan():
    """An EL Roadmap network's team (Lena leads, Max is a member) and its plan; Olga is in the
    cohort community but not on the team."""
    from institutes.models import Institute, Team

    institute = InstituteFactory(
        title="EL Roadmap Network",
        kind=Institute.Kind.PLANNING,
        team_required=True,
        requires_caep_funding=False,
    )
    lena, max_, olga = (
        UserFactory(name="Lena Lead"),
        UserFactory(name="Max Mate"),
        UserFactory(name="Olga Other"),
    )
    team = Team.objects.create(institute=institute, lead=lena, agency=AgencyFactory(is_lea=True))
    for person in (lena, max_, olga):
        services.join_cohort(institute=institute, user=person)
    plan = services.start_team_plan(
        team=team,
        institute=institute,
        lead=lena,
        members=[lena, max_],
        title="Elk Grove: EL Roadmap",
        template=ensure_el_roadmap(PlanTemplate, PlanTemplateStep),
    )
    return plan, lena, max_, olga


def test_a_plan_from_the_protocol_gets_its_six_steps_in_order(team_plan):
    plan, lena, max_, _olga = team_plan
    assert list(plan.steps.values_list("description", "guidance")) == EL_ROADMAP_STEPS
    assert plan.steps.first().description == "Journey map"
    assert "Journey Map looking back on your district's history" in plan.steps.first().guidance
    assert set(plan.members.all()) == {lena, max_}


def test_two_members_edit_and_the_history_keeps_who_and_when(team_plan, client_for):
    plan, lena, max_, _olga = team_plan
    journey, issues = plan.steps.all()[:2]
    response = client_for(lena).post(
        reverse("communities:plan-step-edit", args=[plan.pk, journey.pk]),
        {
            "step-description": journey.description,
            "step-status": "done",
            "step-notes": "2012: the master plan.",
        },
    )
    assert response.status_code == 302
    client_for(max_).post(
        reverse("communities:plan-step-edit", args=[plan.pk, issues.pk]),
        {
            "step-description": issues.description,
            "step-status": "in_progress",
            "step-notes": "LTELs in grade 7.",
        },
    )
    journey.refresh_from_db()
    assert (journey.status, journey.notes) == ("done", "2012: the master plan.")
    history = list(services.plan_history(plan))
    assert [(entry.actor, entry.note) for entry in history[:2]] == [
        (max_, "“Current issues, with local data”: not started → in progress"),
        (lena, "“Journey map”: not started → done"),
    ]
    assert history[0].at >= history[1].at
    page = client_for(max_).get(plan.get_absolute_url()).content.decode()
    assert "<strong>Lena Lead</strong>: “Journey map”: not started → done" in page
    assert "<strong>Max Mate</strong>: “Current issues, with local data”: not started → in progress" in page
    assert "1 of 6 steps done" in page
    assert 'class="progress-bar bg-success bar-w-15"' in page


def test_only_the_team_edits_its_plan(team_plan, client_for):
    plan, _lena, max_, olga = team_plan
    step = plan.steps.first()
    assert permissions.can_edit_plan(max_, plan)
    assert not permissions.can_edit_plan(olga, plan)
    edit = reverse("communities:plan-step-edit", args=[plan.pk, step.pk])
    response = client_for(olga).post(edit, {"step-description": "Hijacked", "step-status": "done"})
    assert response.status_code == 404  # not on the team, and the plan is not shared with her
    step.refresh_from_db()
    assert (step.description, step.status) == ("Journey map", "not_started")
    with pytest.raises(
        services.CommunityError, match=re.escape("Only the plan's owner and its team can change it.")
    ):
        services.save_plan(plan=plan, owner=olga, title="Mine now", goals="")
    # The team's plans list shows it to each member.
    html = client_for(max_).get(reverse("communities:plans")).content.decode()
    assert f'href="{plan.get_absolute_url()}">Elk Grove: EL Roadmap</a>' in html


def test_a_member_edits_the_plan_without_taking_it_over(team_plan):
    plan, lena, max_, _olga = team_plan
    services.save_plan(plan=plan, owner=max_, title="Elk Grove: our EL plan", goals="Every site owns it.")
    plan.refresh_from_db()
    assert (plan.owner, plan.title) == (lena, "Elk Grove: our EL plan")
    assert services.plan_history(plan).first().actor == max_


def test_a_deliverable_becomes_a_resource_of_the_cohort_when_the_team_chooses(team_plan, client_for):
    plan, lena, max_, olga = team_plan
    response = client_for(lena).post(
        reverse("communities:plan-deliverable", args=[plan.pk]),
        {
            "deliverable-title": "Our journey map",
            "deliverable-file": SimpleUploadedFile("journey.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    deliverable = PlanDeliverable.objects.get()
    assert (deliverable.added_by, deliverable.filename, deliverable.resource) == (lena, "journey.pdf", None)
    download = reverse("communities:deliverable-download", args=[deliverable.pk])
    assert b"".join(client_for(max_).get(download).streaming_content) == PDF
    assert client_for(olga).get(download).status_code == 404
    assert not Resource.objects.exists()  # not shared until the team chooses
    share = reverse("communities:deliverable-share", args=[deliverable.pk])
    client_for(max_).post(share)
    resource = Resource.objects.get()
    cohort = Community.objects.get(kind=Community.Kind.COHORT, institute=plan.institute)
    assert (resource.community, resource.title, resource.added_by, resource.filename) == (
        cohort,
        "Our journey map",
        max_,
        "journey.pdf",
    )
    assert resource.file.read() == PDF
    assert resource.file.name != deliverable.file.name  # a copy: the team keeps its own
    deliverable.refresh_from_db()
    assert deliverable.resource == resource
    # Once only: a second click says so and makes nothing new.
    assert client_for(max_).post(share).status_code == 403
    with pytest.raises(services.CommunityError, match="already shared"):
        services.share_deliverable(deliverable=deliverable, by=lena)
    assert Resource.objects.count() == 1
    page = client_for(lena).get(plan.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-success">Shared in EL Roadmap Network' in page


def test_someone_off_the_team_cannot_share_or_add_a_deliverable(team_plan, client_for):
    plan, lena, _max, olga = team_plan
    deliverable = services.add_deliverable(plan=plan, by=lena, title="Crosswalk", url="https://example.org/x")
    assert (
        client_for(olga).post(reverse("communities:deliverable-share", args=[deliverable.pk])).status_code
        == 404
    )
    add = reverse("communities:plan-deliverable", args=[plan.pk])
    assert (
        client_for(olga)
        .post(add, {"deliverable-title": "Spam", "deliverable-url": "https://x.org"})
        .status_code
        == 404
    )
    assert not Resource.objects.exists()
    assert PlanDeliverable.objects.count() == 1


def test_a_deliverable_needs_a_link_or_a_file_and_keeps_what_was_typed(team_plan, client_for):
    plan, lena, _max, _olga = team_plan
    response = client_for(lena).post(
        reverse("communities:plan-deliverable", args=[plan.pk]), {"deliverable-title": "Our crosswalk"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give either a link or a file (one of the two)." in html
    assert 'value="Our crosswalk"' in html


def test_sharing_needs_membership_of_the_cohort(team_plan):
    plan, lena, _max, _olga = team_plan
    deliverable = services.add_deliverable(plan=plan, by=lena, title="Crosswalk", url="https://example.org/x")
    Membership.objects.filter(user=lena).delete()
    with pytest.raises(
        services.CommunityError, match=re.escape("Join EL Roadmap Network to share a deliverable there.")
    ):
        services.share_deliverable(deliverable=deliverable, by=lena)


# --- the coordinator's follow-up review ------------------------------------------------------------


def test_the_coordinator_reviews_each_teams_progress(team_plan, client_for):
    plan, lena, _max, _olga = team_plan
    plan.steps.filter(description__in=["Journey map", "Current issues, with local data"]).update(
        status="done"
    )
    coordinator = with_totp(coordinator_of(plan.institute))
    url = reverse("institutes:team-plans", args=[plan.institute.slug])
    html = client_for(coordinator).get(url).content.decode()
    assert "2 of 6 steps done" in html
    assert 'class="progress-bar bg-success bar-w-35"' in html
    response = client_for(coordinator).post(
        reverse("institutes:team-plan-review", args=[plan.institute.slug, plan.pk]),
        {f"plan-{plan.pk}-note": "Finish the crosswalk before spring."},
    )
    assert response.status_code == 302
    review = PlanReview.objects.get()
    assert (review.author, review.note, review.steps_done, review.steps_total) == (
        coordinator,
        "Finish the crosswalk before spring.",
        2,
        6,
    )
    team_page = client_for(lena).get(plan.get_absolute_url()).content.decode()
    assert "Finish the crosswalk before spring." in team_page
    assert "2 of 6 steps done then" in team_page


def test_an_empty_review_note_is_refused(team_plan, client_for):
    plan, *_ = team_plan
    coordinator = with_totp(coordinator_of(plan.institute))
    response = client_for(coordinator).post(
        reverse("institutes:team-plan-review", args=[plan.institute.slug, plan.pk]),
        {f"plan-{plan.pk}-note": "   "},
        follow=True,
    )
    assert "Write a note for the team (up to 5,000 characters)." in response.content.decode()
    assert not PlanReview.objects.exists()


def test_another_institutes_coordinator_cannot_review(team_plan, client_for):
    plan, *_ = team_plan
    other = with_totp(coordinator_of(InstituteFactory()))
    url = reverse("institutes:team-plans", args=[plan.institute.slug])
    assert client_for(other).get(url).status_code == 403


def test_pages_cost_the_same_queries_however_many_steps_and_teams(
    team_plan, client_for, django_assert_max_num_queries
):
    from institutes.models import Team

    plan, lena, max_, _olga = team_plan
    coordinator = with_totp(coordinator_of(plan.institute))
    for n in range(6):
        services.add_deliverable(plan=plan, by=max_, title=f"Deliverable {n}", url="https://example.org/d")
        services.save_plan_step(plan=plan, step=None, description=f"Extra step {n}", by=lena)
    for n in range(5):
        team = Team.objects.create(
            institute=plan.institute, lead=UserFactory(), agency=AgencyFactory(is_lea=True)
        )
        services.start_team_plan(
            team=team,
            institute=plan.institute,
            lead=team.lead,
            members=[team.lead],
            title=f"Team {n}",
            template=plan.template,
        )
    client = client_for(lena)
    client.get(plan.get_absolute_url())
    with django_assert_max_num_queries(20):
        assert client.get(plan.get_absolute_url()).status_code == 200
    client = client_for(coordinator)
    url = reverse("institutes:team-plans", args=[plan.institute.slug])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    assert ImplementationPlan.objects.filter(institute=plan.institute).count() == 6
