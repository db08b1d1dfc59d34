"""Institutes journeys in Chromium: apply (draft, then submit), a team of two, coordinator decisions,
an assignment upload and attendance. The world is arranged with factories; people act in the browser.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from institutes import services
from institutes.models import Application, Assignment, AssignmentSubmission, Attendance, Institute
from portal.models import Agency
from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import (
    ApplicationFactory,
    AssignmentFactory,
    InstituteFactory,
    SessionFactory,
    coordinator_of,
)

pytestmark = pytest.mark.browser
Status = Application.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


def staff_with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def submitted(**kwargs):
    application = ApplicationFactory(**kwargs)
    services.submit_application(application, by=application.applicant)
    return application


def test_applicant_finds_institute_saves_draft_and_submits(page, login_as, shot):
    agency = AgencyFactory(name="Fresno Adult School", kind=Agency.Kind.ADULT_SCHOOL)
    InstituteFactory(title="CALPRO Training-of-Trainers Institute", location=Institute.Location.HYBRID)
    InstituteFactory(title="An online course", location=Institute.Location.ONLINE)
    applicant = UserFactory(name="Chloé Dubois", agency=agency, position="ABE teacher")
    login_as(page, applicant)

    page.goto("/institutes/")
    page.get_by_label("Location").select_option("hybrid")
    page.get_by_label("Open for applications now").check()
    page.get_by_role("button", name="Show institutes").click()
    expect(page.get_by_role("link", name="An online course")).to_have_count(0)
    shot(page, "catalog-filtered")
    page.get_by_role("link", name="CALPRO Training-of-Trainers Institute").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CALPRO Training-of-Trainers Institute")
    page.get_by_role("link", name="Apply to this institute").click()

    page.get_by_label("Why do you want to take part").fill(
        "I want to lead professional learning at my school."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved")).to_be_visible()
    assert Application.objects.get(applicant=applicant).status == Status.DRAFT
    shot(page, "draft-saved")

    # Submitting without the commitments is refused, and nothing typed is lost.
    page.get_by_label("Your supervisor's name").fill("Dana Director")
    page.get_by_label("Your supervisor's e-mail address").fill("dana@fresno.example.org")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Please confirm that you will attend every session.").first).to_be_visible()
    expect(page.get_by_label("Your supervisor's name")).to_have_value("Dana Director")
    shot(page, "submit-errors")

    page.get_by_label("I will attend every session of the institute, with no exceptions").check()
    page.get_by_label("I will present the module at least once within a year of the institute").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    shot(page, "submitted")
    assert Application.objects.get(applicant=applicant).status == Status.SUBMITTED
    assert page.js_errors == []


def test_team_of_two_from_one_lea_applies(page, login_as, shot):
    district = AgencyFactory(name="Sacramento City Unified School District", kind=Agency.Kind.SCHOOL_DISTRICT)
    institute = InstituteFactory(
        title="EL Roadmap local planning ToT",
        team_required=True,
        min_team_size=2,
        requires_caep_funding=False,
        allowed_agency_kinds=["county_office", "school_district", "charter_system"],
    )
    lead = UserFactory(name="Ben Whitaker", email="ben@scusd.example.org", agency=district)
    mate = UserFactory(name="Ana Torres", email="ana@scusd.example.org", agency=district)

    def fill_my_part(position):
        page.get_by_label("Your position or job title").fill(position)
        page.get_by_label("Why do you want to take part").fill("We will plan with our site leaders.")
        page.get_by_label("Your supervisor's name").fill("Sam Superintendent")
        page.get_by_label("Your supervisor's e-mail address").fill("sam@scusd.example.org")
        page.get_by_label("I will attend every session of the institute, with no exceptions").check()
        page.get_by_label("I will present the module at least once within a year of the institute").check()

    login_as(page, lead)
    page.goto(f"/institutes/{institute.slug}/apply/")
    page.get_by_label("Your LEA").select_option(str(district.pk))
    page.get_by_role("button", name="Start a team").click()
    page.get_by_label("Invite a colleague by e-mail").fill("ana@scusd.example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We have invited ana@scusd.example.org.")).to_be_visible()
    fill_my_part("Assistant principal")
    page.get_by_role("button", name="Submit the team's application").click()
    expect(page.get_by_text("needs at least 2 from the same LEA").first).to_be_visible()
    shot(page, "team-too-small")

    invitation = institute.teams.get().invitations.get()
    login_as(page, mate)
    page.goto(invitation.get_absolute_url())
    page.get_by_role("button", name="Accept and complete my part").click()
    fill_my_part("ESL teacher")
    page.get_by_role("button", name="Complete my part").click()
    expect(page.get_by_text("Your part is complete.")).to_be_visible()

    login_as(page, lead)
    page.goto(f"/institutes/{institute.slug}/apply/")
    page.get_by_role("button", name="Submit the team's application").click()
    expect(page.get_by_text("Your team's application is submitted.")).to_be_visible()
    shot(page, "team-submitted")
    assert sorted(Application.objects.filter(institute=institute).values_list("status", flat=True)) == [
        "submitted",
        "submitted",
    ]
    assert page.js_errors == []


def test_coordinator_accepts_waitlists_and_declines(page, login_as, shot):
    institute = InstituteFactory(title="Math Instructional Strategies ToT", capacity=1)
    coordinator = staff_with_totp(coordinator_of(institute))
    first = submitted(institute=institute, applicant=UserFactory(name="Ana Torres"))
    second = submitted(institute=institute, applicant=UserFactory(name="Ben Whitaker"))
    third = submitted(institute=institute, applicant=UserFactory(name="Chloé Dubois"))
    login_as(page, coordinator)

    page.goto("/institutes/coordinate/")
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Applications to Math Instructional Strategies ToT"
    )
    shot(page, "queue")

    page.get_by_role("link", name="Ana Torres").click()
    page.get_by_label("Accept").check()
    page.get_by_label("Note to the applicant (optional)").fill("Welcome!")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Ana Torres: Accepted.")).to_be_visible()

    page.goto(f"/institutes/{institute.slug}/review/")
    page.get_by_label("Select Ben Whitaker").check()
    page.get_by_label("Waitlist").check()
    page.get_by_role("button", name="Apply to the selected").click()
    expect(page.get_by_text("1 application decided.")).to_be_visible()

    page.get_by_label("Select Chloé Dubois").check()
    page.get_by_label("Decline").check()
    page.get_by_label("Note to the applicant (optional)").fill("Please apply next year.")
    page.get_by_role("button", name="Apply to the selected").click()
    expect(page.get_by_text("1 application decided.")).to_be_visible()
    shot(page, "decided")
    statuses = {a.pk: a.status for a in Application.objects.filter(institute=institute)}
    assert statuses == {first.pk: "accepted", second.pk: "waitlisted", third.pk: "declined"}
    assert page.js_errors == []


def test_participant_submits_an_assignment(page, login_as, shot, tmp_path):
    institute = InstituteFactory(title="CALPRO ToT")
    application = submitted(institute=institute)
    services.accept_application(application, by=coordinator_of(institute))
    assignment = AssignmentFactory(
        institute=institute, title="Upload your professional-learning calendar", kind=Assignment.Kind.FILE
    )
    pdf = tmp_path / "calendar.pdf"
    pdf.write_bytes(PDF)
    login_as(page, application.applicant)

    page.goto("/dashboard/")
    page.get_by_role("link", name="Upload your professional-learning calendar (CALPRO ToT)").click()
    page.get_by_label("Your file").set_input_files(str(pdf))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your work is submitted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your work: Submitted, waiting for review")).to_be_visible()
    shot(page, "assignment-submitted")
    submission = AssignmentSubmission.objects.get(assignment=assignment)
    assert submission.original_filename == "calendar.pdf"
    assert page.js_errors == []


def test_coordinator_takes_attendance(page, login_as, shot):
    institute = InstituteFactory(title="CALPRO ToT")
    coordinator = staff_with_totp(coordinator_of(institute))
    SessionFactory(institute=institute, title="Week 1", date=timezone.localdate() - dt.timedelta(days=1))
    ana = submitted(institute=institute, applicant=UserFactory(name="Ana Torres"))
    ben = submitted(institute=institute, applicant=UserFactory(name="Ben Whitaker"))
    for application in (ana, ben):
        services.accept_application(application, by=coordinator)
    login_as(page, coordinator)

    page.goto(f"/institutes/{institute.slug}/roster/")
    page.get_by_role("link", name="Week 1").click()
    page.get_by_role("group", name="Attendance of Ana Torres").get_by_label("Present", exact=True).check()
    page.get_by_role("group", name="Attendance of Ben Whitaker").get_by_label("Partly present").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved for 2 participants.")).to_be_visible()
    shot(page, "attendance")
    page.get_by_role("link", name="CALPRO ToT: roster").click()
    expect(page.get_by_text("Only partly present").first).to_be_visible()
    assert dict(Attendance.objects.values_list("application_id", "status")) == {
        ana.pk: "present",
        ben.pk: "partial",
    }
    assert page.js_errors == []
