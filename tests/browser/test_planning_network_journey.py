"""A planning network in Chromium (seeds 001, 004): a team of leaders from one LEA applies, works
through the EL Roadmap's six planning steps together (two members edit, each change kept with who
made it), shares a deliverable with the network's community, and the coordinator reviews the
team's progress at the follow-up. axe-core on every page; the plan and the review fit a phone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from communities.models import ImplementationPlan, PlanTemplate, PlanTemplateStep, Resource
from communities.protocols import EL_ROADMAP_STEPS, ensure_el_roadmap
from institutes import services
from institutes.models import Application, Institute
from portal.models import Agency
from tests.browser.journey import PHONE, fits_the_phone
from tests.factories import AgencyFactory, UserFactory, with_totp
from tests.institutes.factories import InstituteFactory, coordinator_of

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


def test_a_planning_network_team_applies_plans_together_and_shares_a_deliverable(page, journey, login_as):
    step = journey.step
    district = AgencyFactory(name="Elk Grove Unified School District", kind=Agency.Kind.SCHOOL_DISTRICT)
    network = InstituteFactory(
        title="EL Roadmap Local Planning Network",
        kind=Institute.Kind.PLANNING,
        plan_template=ensure_el_roadmap(PlanTemplate, PlanTemplateStep),
        team_required=True,
        min_team_size=2,
        requires_caep_funding=False,
        allowed_agency_kinds=["county_office", "school_district", "charter_system"],
    )
    InstituteFactory(title="CALPRO Training-of-Trainers Institute")
    coordinator = with_totp(
        coordinator_of(network, UserFactory(name="Devin Okafor", groups=["Coordinators"]))
    )
    priya = UserFactory(name="Priya Natarajan", email="priya@egusd.example.org", agency=district)
    tomas = UserFactory(name="Tomás Reyes", email="tomas@egusd.example.org", agency=district)

    def fill_my_part(role, data):
        page.get_by_label("Your leadership role in your LEA").fill(role)
        page.get_by_label("Why do you want to take part").fill("Our sites need a plan they own.")
        page.get_by_label("What local data can your team bring?").fill(data)
        page.get_by_label("Your supervisor's name").fill("Sam Superintendent")
        page.get_by_label("Your supervisor's e-mail address").fill("sam@egusd.example.org")
        page.get_by_label("I will attend every session with my team, and the follow-up sessions").check()
        # A planning network asks for no promise to present the module.
        expect(page.get_by_text("present the module")).to_have_count(0)

    # --- Priya finds the network in the catalog, starts a team and invites Tomás.
    login_as(page, priya)
    page.goto("/institutes/")
    page.get_by_label("Program kind").select_option("planning")
    page.get_by_role("button", name="Show institutes").click()
    expect(page.get_by_role("link", name="CALPRO Training-of-Trainers Institute")).to_have_count(0)
    expect(page.locator(".kind-badge", has_text="Planning network")).to_have_count(1)
    step(page, "catalog-planning-networks")
    page.get_by_role("link", name="EL Roadmap Local Planning Network").click()
    expect(page.get_by_text("nobody is certified")).to_be_visible()
    step(page, "network-page")
    page.goto(f"/institutes/{network.slug}/apply/")
    page.locator("form[action$='/team/'] select[name=agency]").select_option(str(district.pk))
    page.get_by_role("button", name="Start a team").click()
    page.get_by_label("Invite a colleague by e-mail").fill("tomas@egusd.example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We have invited tomas@egusd.example.org.")).to_be_visible()
    fill_my_part("Director of English learner programs", "ELPAC results by site; reclassification rates.")
    step(page, "lead-application")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved")).to_be_visible()

    # --- Tomás accepts the invitation and completes his part.
    mate = journey.new_page()
    login_as(mate, tomas)
    invitation = network.teams.get().invitations.get()
    mate.goto(invitation.get_absolute_url())
    mate.get_by_role("button", name="Accept and complete my part").click()
    mate.get_by_label("Your leadership role in your LEA").fill("Teacher on special assignment, ELD")
    mate.get_by_label("Why do you want to take part").fill("I support ELD teachers at four middle schools.")
    mate.get_by_label("What local data can your team bring?").fill("LTEL counts by middle school.")
    mate.get_by_label("Your supervisor's name").fill("Sam Superintendent")
    mate.get_by_label("Your supervisor's e-mail address").fill("sam@egusd.example.org")
    mate.get_by_label("I will attend every session with my team, and the follow-up sessions").check()
    mate.get_by_role("button", name="Complete my part").click()
    expect(mate.get_by_text("Your part is complete.")).to_be_visible()
    step(mate, "mate-part-complete")

    page.goto(f"/institutes/{network.slug}/apply/")
    page.get_by_role("button", name="Submit the team's application").click()
    expect(page.get_by_text("Your team's application is submitted.")).to_be_visible()
    step(page, "team-submitted")
    assert sorted(Application.objects.filter(institute=network).values_list("status", flat=True)) == [
        "submitted",
        "submitted",
    ]

    # The coordinator accepts the team (the review queue has its own journeys): the team gets its plan.
    services.accept_application(Application.objects.get(applicant=priya), by=coordinator)
    plan = ImplementationPlan.objects.get(team__institute=network)

    # --- The plan is on each member's dashboard; they take the six steps in turn.
    page.goto("/dashboard/")
    expect(page.get_by_text("Team plan done")).to_be_visible()
    page.get_by_role("link", name=plan.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_text("0 of 6 steps done")).to_be_visible()
    step(page, "plan-from-the-protocol")
    steps = list(plan.steps.order_by("pk"))
    assert [s.description for s in steps] == [title for title, _guidance in EL_ROADMAP_STEPS]
    for n, plan_step in enumerate(steps):
        title = plan_step.description
        who, name = (page, "Priya Natarajan") if n % 2 == 0 else (mate, "Tomás Reyes")
        who.goto(plan.get_absolute_url())
        who.locator(f"#step-{plan_step.pk}").get_by_role("link", name="Work on this step").click()
        who.get_by_label("The team's work").fill(f"{name.split()[0]}'s notes on {title.lower()}.")
        who.get_by_label("Status").select_option("done")
        if n == 0:
            step(who, "step-form")
        who.get_by_role("button", name="Save the step").click()
        expect(who.get_by_text("The step is saved.")).to_be_visible()
        expect(who.get_by_text(f"{n + 1} of 6 steps done")).to_be_visible()
    step(mate, "six-steps-done")
    history = mate.locator("section[aria-labelledby='history-title'] ul")
    expect(history.get_by_text("Priya Natarajan")).to_have_count(3)
    expect(history.get_by_text("Tomás Reyes")).to_have_count(3)
    expect(history).to_contain_text("“Journey map”: not started → done")
    expect(history).to_contain_text("“Action planning”: not started → done")

    # --- Priya adds the journey map; Tomás shares it with the network's community.
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Add a deliverable").click()
    page.get_by_label("What it is").fill("Our journey map, 2012-2026")
    page.get_by_label("Link").fill("https://example.org/egusd-journey-map")
    step(page, "deliverable-form")
    page.get_by_role("button", name="Add the deliverable").click()
    expect(page.get_by_text("The deliverable is added to the plan.")).to_be_visible()
    assert not Resource.objects.exists()
    mate.goto(plan.get_absolute_url())
    mate.get_by_role("button", name="Share as a community resource").click()
    expect(mate.get_by_text("is now a resource of EL Roadmap Local Planning Network")).to_be_visible()
    expect(mate.get_by_text("Shared in EL Roadmap Local Planning Network")).to_be_visible()
    step(mate, "deliverable-shared")
    resource = Resource.objects.get()
    assert (resource.title, resource.url, resource.added_by) == (
        "Our journey map, 2012-2026",
        "https://example.org/egusd-journey-map",
        tomas,
    )
    mate.goto(f"/communities/c/{resource.community.slug}/resources/")
    expect(mate.get_by_role("link", name="Our journey map, 2012-2026")).to_be_visible()
    step(mate, "community-resources")

    # --- At the follow-up, the coordinator reviews each team's progress and leaves a note.
    coord = journey.new_page()
    login_as(coord, coordinator)
    coord.goto("/institutes/coordinate/")
    coord.get_by_role("link", name="Teams' plans (follow-up review)").click()
    expect(coord.get_by_text("6 of 6 steps done")).to_be_visible()
    coord.get_by_label("Your note for Elk Grove Unified School District").fill(
        "A complete plan: bring the crosswalk to the spring follow-up."
    )
    coord.get_by_role("button", name="Save the note").click()
    expect(coord.locator(".alert-success")).to_contain_text("is saved; the team sees it on its plan")
    step(coord, "follow-up-review")

    # --- On a phone: the plan and the review fit, with no sideways scroll.
    for who, path, name in (
        (page, plan.get_absolute_url(), "phone-plan"),
        (coord, f"/institutes/{network.slug}/plans/", "phone-review"),
    ):
        who.set_viewport_size(PHONE)
        who.goto(path)
        assert fits_the_phone(who), name
        step(who, name)
    expect(page.get_by_text("A complete plan: bring the crosswalk to the spring follow-up.")).to_be_visible()

    assert journey.violations == []
    assert journey.js_errors == []
    assert page.js_errors == []
