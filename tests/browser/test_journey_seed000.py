"""Seed 000 end to end, through the real UI in Chromium.

An applicant signs up and applies with a colleague from the same LEA as a team; the supervisor
endorses from the e-mail; a coordinator accepts; the participants hand in the pre-institute
assignment; attendance and the practice facilitation are recorded; the coordinator certifies from
the roster; a visitor verifies the certificate; the new trainer reports a training, which the
coordinator verifies (the commitment is then fulfilled); the honorarium is requested, approved and
paid; and the cohort talks in its community.

The world (agencies, the institute and its sessions and assignment, the coordinator role, the
honorarium rate) is arranged with models and factories; everything a person does goes through the
browser. Every page visited is screenshotted and checked with axe-core; the serious and critical
violations are collected and asserted at the end, so that one run lists them all.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from institutes.models import Application, Audience, Institute, InstituteCoordinator, Module
from portal.models import Agency, OutboundEmail
from tests import factories
from tests.browser.journey import link_in_email, relative
from tests.institutes.factories import (
    CRITERIA,
    AssignmentFactory,
    InstituteFactory,
    SessionFactory,
    rubric_for,
)
from trainers.models import Certification, FacilitationReport, Honorarium, HonorariumRate

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


def test_seed_000_from_sign_up_to_community(page, journey, login_as, coordinator, finance_user, tmp_path):
    step = journey.step
    today = timezone.localdate()

    # --- Arrange: the world the people act in ---------------------------------------------------
    district = factories.AgencyFactory(
        name="Sacramento City Unified School District",
        kind=Agency.Kind.SCHOOL_DISTRICT,
        region="Capital",
    )
    factories.AgencyFactory(name="Elk Grove Adult and Community Education", kind=Agency.Kind.ADULT_SCHOOL)
    module = Module.objects.create(title="Facilitating Communities of Practice", hours=Decimal("24"))
    institute = InstituteFactory(
        module=module,
        title="CALPRO Training-of-Trainers Institute",
        description=(
            "CALPRO annually conducts the Training-of-Trainers (ToT) Institute for the new community "
            "of practice, to develop certified trainers and build professional development capacity."
        ),
        duration_note="4 weeks",
        location=Institute.Location.HYBRID,
        venue="CALPRO office, Sacramento",
        contact_name="Marcela Movit",
        team_required=True,
        min_team_size=2,
        capacity=24,
    )
    for name in ("Administrators", "All teacher types", "Support Staff"):
        institute.audiences.add(
            Audience.objects.get_or_create(name=name, slug=name.lower().replace(" ", "-"))[0]
        )
    sessions = [
        SessionFactory(institute=institute, date=today + dt.timedelta(days=7 * week), title=f"Week {week}")
        for week in (1, 2, 3, 4)
    ]
    assignment = AssignmentFactory(
        institute=institute,
        title="Introduce your practice",
        instructions="Write a paragraph about the adult learners you serve and one question for the cohort.",
        due_on=today + dt.timedelta(days=5),
    )
    InstituteCoordinator.objects.create(user=coordinator, institute=institute)
    rubric_for(module, by=coordinator)
    HonorariumRate.objects.create(
        module=module, amount=Decimal("350.00"), effective_from=today - dt.timedelta(days=30)
    )
    colleague = factories.UserFactory(email="luis.ortega@scusd.example.org", name="Luis Ortega")

    applicant_email = "maria.lopez@scusd.example.org"
    supervisor_email = "principal.chen@scusd.example.org"

    # --- 1. A visitor signs up and verifies the e-mail ------------------------------------------
    page.goto("/")
    step(page, "home")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Full name").fill("María López")
    page.get_by_label("Email").fill(applicant_email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    step(page, "applicant-signup")
    page.get_by_role("button", name="Sign up").click()
    step(page, "applicant-verify-sent")
    page.goto(relative(link_in_email(applicant_email, "account:", "/accounts/confirm-email/")))
    step(page, "applicant-confirm-email")
    page.get_by_role("button", name="Confirm").click()
    page.goto("/dashboard/")
    assert page.locator("h1").inner_text() == "Welcome, María López"
    step(page, "applicant-dashboard")

    # --- 2. She applies as a team with a colleague from the same LEA ----------------------------
    page.get_by_role("link", name="Institutes").first.click()
    step(page, "catalog")
    page.get_by_role("link", name="CALPRO Training-of-Trainers Institute").first.click()
    step(page, "institute-page")
    page.get_by_role("link", name="Apply to this institute").click()
    step(page, "apply-start-team")
    page.get_by_label("Your LEA").select_option(label="Sacramento City Unified School District (Capital)")
    page.get_by_role("button", name="Start a team").click()
    page.get_by_label("Invite a colleague by e-mail").fill(colleague.email)
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_label("Your position or job title").fill("ESL instructor")
    page.get_by_label("Why do you want to take part").fill(
        "I coordinate our ESL teachers and want to facilitate the module for our agency and region."
    )
    page.get_by_label("Your supervisor's name").fill("Grace Chen")
    page.get_by_label("Your supervisor's e-mail address").fill(supervisor_email)
    page.get_by_label("I will attend every session").check()
    page.get_by_label("I will present the module").check()
    page.get_by_role("button", name="Save draft").click()
    step(page, "apply-team-lead-draft")

    # The colleague opens the invitation, signs in and completes their part.
    mate = journey.new_page()
    mate.goto(relative(link_in_email(colleague.email, "team.invitation", "/institutes/teams/invitations/")))
    step(mate, "colleague-sign-in")
    mate.get_by_label("Email").fill(colleague.email)
    mate.get_by_label("Password").fill(PASSWORD)
    mate.get_by_role("button", name="Sign in").click()
    step(mate, "colleague-invitation")
    mate.get_by_role("button", name="Accept and complete my part").click()
    mate.get_by_label("Your position or job title").fill("Adult basic education teacher")
    mate.get_by_label("Why do you want to take part").fill(
        "Our school needs an in-house facilitator for adult basic education teachers."
    )
    mate.get_by_label("Your supervisor's name").fill("Grace Chen")
    mate.get_by_label("Your supervisor's e-mail address").fill(supervisor_email)
    mate.get_by_label("I will attend every session").check()
    mate.get_by_label("I will present the module").check()
    step(mate, "colleague-part")
    mate.get_by_role("button", name="Complete my part").click()
    step(mate, "colleague-part-complete")

    # The lead submits the team.
    page.goto(institute.get_absolute_url())
    page.get_by_role("link", name="Continue your application").click()
    page.get_by_role("button", name="Submit the team's application").click()
    assert "Submitted" in page.locator("main").inner_text()
    step(page, "applicant-submitted")
    lead_app = Application.objects.get(applicant__email=applicant_email)
    mate_app = Application.objects.get(applicant=colleague)
    assert (lead_app.status, mate_app.status) == ("submitted", "submitted")
    assert lead_app.team_id == mate_app.team_id
    assert (lead_app.agency, mate_app.agency) == (district, district)

    # --- 3. The supervisor endorses both through the signed links (no account) ------------------
    supervisor = journey.new_page()
    links = [
        relative(u)
        for body in OutboundEmail.objects.filter(
            recipient=supervisor_email, kind="application.endorsement_request"
        ).values_list("body_text", flat=True)
        for u in re.findall(r"https?://[^\s\"'<>]+", body)
        if "/institutes/endorse/" in u
    ]
    assert len(links) == 2
    for n, link in enumerate(links, start=1):
        supervisor.goto(link)
        step(supervisor, f"supervisor-endorse-{n}")
        supervisor.get_by_label("I endorse this application").check()
        supervisor.get_by_label("Comment (optional)").fill(
            "A strong teacher leader; we will support the work."
        )
        supervisor.get_by_role("button", name="Send my answer").click()
        assert "Thank you" in supervisor.locator("main").inner_text()
    step(supervisor, "supervisor-endorsed")
    lead_app.refresh_from_db()
    mate_app.refresh_from_db()
    assert (lead_app.endorsement, mate_app.endorsement) == ("endorsed", "endorsed")

    # --- 4. A coordinator accepts the team ------------------------------------------------------
    coord = journey.new_page()
    login_as(coord, coordinator)
    coord.goto("/dashboard/")
    step(coord, "coordinator-dashboard")
    coord.get_by_role("button", name="Coordinate").click()
    coord.get_by_role("link", name="My institutes and applications").click()
    step(coord, "coordinator-institutes")
    coord.get_by_role("link", name="Review queue").click()
    step(coord, "coordinator-review-queue")
    coord.get_by_role("link", name="María López").first.click()
    step(coord, "coordinator-application")
    coord.get_by_label("Accept").check()
    coord.get_by_role("button", name="Save decision").click()
    step(coord, "coordinator-accepted")
    lead_app.refresh_from_db()
    mate_app.refresh_from_db()
    assert (lead_app.status, mate_app.status) == ("accepted", "accepted")

    # --- 5. The participants hand in the pre-institute assignment; the coordinator accepts it ---
    for who, p, address, text in (
        (
            "applicant",
            page,
            applicant_email,
            "I teach evening ESL to 40 adults. How do we keep online members engaged?",
        ),
        (
            "colleague",
            mate,
            colleague.email,
            "My ABE learners are mostly working parents. How long is a good session?",
        ),
    ):
        p.goto(relative(link_in_email(address, "application.status", "/institutes/applications/")))
        step(p, f"{who}-accepted")
        p.get_by_role("link", name="Introduce your practice").click()
        p.get_by_label("Your response").fill(text)
        step(p, f"{who}-assignment")
        p.get_by_role("button", name="Submit").click()
        step(p, f"{who}-assignment-submitted")

    coord.get_by_role("button", name="Coordinate").click()
    coord.get_by_role("link", name="My institutes and applications").click()
    coord.get_by_role("link", name="Assignments").click()
    step(coord, "coordinator-assignments")
    coord.get_by_role("link", name="Introduce your practice").click()
    step(coord, "coordinator-assignment-review")
    for _ in range(2):
        form = coord.locator("form").filter(has=coord.get_by_role("button", name="Save review")).first
        form.get_by_label("Accept").check()
        form.get_by_role("button", name="Save review").click()
    step(coord, "coordinator-assignment-accepted")
    assert sorted(assignment.submissions.values_list("state", flat=True)) == ["accepted", "accepted"]

    # --- 6. Attendance for every session, and the practice facilitation -------------------------
    # The institute's four weeks have passed (attendance is taken once a session has started).
    for week, session in enumerate(sessions):
        session.date = today - dt.timedelta(days=7 * (len(sessions) - week))
        session.save(update_fields=["date"])
    coord.get_by_role("button", name="Coordinate").click()
    coord.get_by_role("link", name="My institutes and applications").click()
    coord.get_by_role("link", name="Attendance and completion roster").click()
    step(coord, "coordinator-roster")
    for session in sessions:
        coord.get_by_role("link", name=re.compile(re.escape(session.date.strftime("%b %-d, %Y")))).click()
        for fieldset in coord.locator("fieldset").all():
            fieldset.get_by_label("Present", exact=True).check()
        if session is sessions[0]:
            step(coord, "coordinator-attendance")
        coord.get_by_role("button", name="Save attendance").click()
        coord.get_by_role("link", name=re.compile("roster")).first.click()
    # Each gave a practice facilitation in week 2; the coordinator scores it on the module's rubric
    # (seed 000: "demonstrate facilitation skills in practice sessions") and the result follows.
    week_two = sessions[1]
    for name in ("María López", "Luis Ortega"):
        coord.get_by_role("link", name=f"Practice and feedback of {name}").click()
        coord.get_by_label("Topic").fill("Opening a session on persistence")
        coord.get_by_label("Session").select_option(
            label=f"{week_two.date:%B} {week_two.date.day}, {week_two.date.year}: Week 2"
        )
        coord.get_by_role("button", name="Add the facilitation").click()
        coord.get_by_role("link", name="Opening a session on persistence").click()
        for criterion in CRITERIA:
            group = coord.get_by_role("group", name=re.compile(f"^{criterion}"))
            group.get_by_role("radio", name=re.compile(r"^3: ")).check()
        if name == "María López":
            step(coord, "coordinator-scores-practice")
        coord.get_by_role("button", name="Save scores and feedback").click()
        coord.get_by_text(f"Your scores and feedback for {name} are saved.").wait_for()
        coord.goto(f"/institutes/{institute.slug}/roster/")
    step(coord, "coordinator-roster-complete")
    assert "2 of 2 participants complete" in coord.locator("main").inner_text()

    # --- 7. The coordinator certifies from the roster -------------------------------------------
    coord.get_by_role("link", name=re.compile("Certify")).first.click()
    step(coord, "coordinator-certify")
    coord.get_by_role("button", name=re.compile("Certify all")).click()
    step(coord, "coordinator-certified")
    certification = Certification.objects.get(participant__email=applicant_email)
    assert Certification.objects.filter(institute=institute).count() == 2

    # --- 8. A visitor verifies the certificate --------------------------------------------------
    visitor = journey.new_page()
    verify_link = link_in_email(applicant_email, "trainers.certified", "/verify/")
    assert relative(verify_link) == f"/verify/{certification.code}/"
    visitor.goto(relative(verify_link))
    assert "Active certificate" in visitor.locator("main").inner_text()
    assert "María López" in visitor.locator("main").inner_text()
    step(visitor, "visitor-verifies")

    # --- 9. The trainer reports a training; the coordinator verifies it -------------------------
    agenda = tmp_path / "agenda.pdf"
    agenda.write_bytes(PDF)
    sign_in = tmp_path / "sign-in-sheet.pdf"
    sign_in.write_bytes(PDF)
    page.goto("/dashboard/")
    step(page, "trainer-dashboard")
    page.get_by_role("link", name="Report a training").click()
    page.get_by_label("Module").select_option(label=module.title)
    page.get_by_label("First day of the training").fill(today.isoformat())
    page.get_by_label("Hours of training").fill("3")
    page.get_by_label("Own agency").check()
    page.get_by_label("Audience").fill("ESL teachers of the evening program")
    page.get_by_label("Number of participants").fill("14")
    page.get_by_label("Agenda").set_input_files(str(agenda))
    page.get_by_label("Sign-in sheet").set_input_files(str(sign_in))
    page.get_by_label("Reflection").fill("The teachers practised the protocol with their own lesson plans.")
    step(page, "trainer-report-form")
    page.get_by_role("button", name="File the report").click()
    step(page, "trainer-report-filed")
    report = FacilitationReport.objects.get(trainer__email=applicant_email)

    coord.goto("/dashboard/")
    coord.get_by_role("button", name="Coordinate").click()
    coord.get_by_role("link", name="Facilitation reports").click()
    step(coord, "coordinator-report-queue")
    coord.get_by_role("link", name="María López").click()
    step(coord, "coordinator-report")
    coord.get_by_role("button", name="Verify the report").click()
    step(coord, "coordinator-report-verified")
    report.refresh_from_db()
    assert report.status == FacilitationReport.Status.VERIFIED

    # --- 10. The commitment is fulfilled; the trainer requests the honorarium -------------------
    page.goto("/dashboard/")
    assert "Fulfilled" in page.get_by_role("region", name="My trainer certifications").inner_text()
    step(page, "trainer-commitment-fulfilled")
    page.get_by_role("link", name="My reports").click()
    step(page, "trainer-my-reports")
    page.get_by_role("link", name=re.compile(module.title)).first.click()
    page.get_by_role("button", name="Request my honorarium").click()
    step(page, "trainer-honorarium-requested")
    honorarium = Honorarium.objects.get(report=report)
    assert honorarium.amount == Decimal("350.00")

    # --- 11. The coordinator approves; Finance pays and exports ---------------------------------
    coord.get_by_role("button", name="Coordinate").click()
    coord.get_by_role("link", name="Honoraria").click()
    step(coord, "coordinator-honoraria")
    coord.get_by_role("link", name="Review for María López").click()
    step(coord, "coordinator-honorarium")
    coord.get_by_role("button", name="Approve $350.00").click()
    step(coord, "coordinator-honorarium-approved")

    finance = journey.new_page()
    login_as(finance, finance_user)
    finance.goto("/dashboard/")
    finance.get_by_role("link", name="Honoraria").first.click()
    step(finance, "finance-honoraria")
    finance.get_by_role("link", name="Record payment for María López").click()
    finance.get_by_label("Payment reference").fill("CHK-20417")
    step(finance, "finance-pay")
    finance.get_by_role("button", name="Mark paid").click()
    step(finance, "finance-paid")
    honorarium.refresh_from_db()
    assert (honorarium.status, honorarium.payment_reference) == ("paid", "CHK-20417")
    finance.goto("/trainers/honoraria/")
    finance.get_by_label("Approved from").fill((today - dt.timedelta(days=30)).isoformat())
    finance.get_by_label("Approved until").fill(today.isoformat())
    with finance.expect_download() as download_info:
        finance.get_by_role("button", name="Download CSV").click()
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "María López" in csv_text
    assert "CHK-20417" in csv_text
    assert "350.00" in csv_text

    # --- 12. The cohort talks in its community --------------------------------------------------
    page.goto("/dashboard/")
    communities = page.get_by_role("region", name="My communities and plans")
    communities.get_by_role("link", name="CALPRO Training-of-Trainers Institute").click()
    step(page, "community")
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Our first facilitation: what worked")
    page.get_by_label("Your message").fill(
        "I used the **warm-up protocol** with 14 teachers. What did you try?"
    )
    step(page, "community-new-thread")
    page.get_by_role("button", name="Post the thread").click()
    step(page, "community-thread")
    thread_url = page.url

    mate.goto(thread_url)
    mate.get_by_label("Your reply").fill("I tried the gallery walk; the teachers loved it.")
    mate.get_by_role("button", name="Post my reply").click()
    mate.evaluate("window.scrollTo(0, 0)")
    step(mate, "community-reply")
    assert "gallery walk" in mate.locator("main").inner_text()
    reply_mail = OutboundEmail.objects.filter(recipient=applicant_email, kind="community.reply").first()
    assert reply_mail is not None
    assert "gallery walk" in reply_mail.body_text

    # --- The whole journey: no serious or critical accessibility violation, no script error ----
    assert journey.violations == [], "\n".join(journey.violations)
    js_errors = journey.js_errors + page.js_errors
    assert js_errors == [], "\n".join(js_errors)
