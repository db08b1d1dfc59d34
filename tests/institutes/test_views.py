import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from institutes import practice, services
from institutes.models import Application, Assignment, AssignmentSubmission, Attendance, Institute
from portal.models import Agency
from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AudienceFactory,
    InstituteFactory,
    SessionFactory,
    coordinator_of,
    facilitation_for,
)

pytestmark = pytest.mark.django_db
Status = Application.Status


def submitted(**kwargs):
    application = ApplicationFactory(**kwargs)
    services.submit_application(application, by=application.applicant)
    application.refresh_from_db()
    return application


# --- Catalog ---------------------------------------------------------------------------------------


def test_catalog_lists_published_institutes_only(client):
    InstituteFactory(title="Math Instructional Strategies ToT")
    InstituteFactory(title="Secret draft", status=Institute.Status.DRAFT)
    html = client.get(reverse("institutes:catalog")).content.decode()
    assert "Math Instructional Strategies ToT" in html
    assert "Secret draft" not in html
    assert html.count("<h1") == 1


def test_catalog_filters_by_facets_and_open_for_applications(client):
    admins = AudienceFactory(name="Administrators")
    hybrid = InstituteFactory(title="Hybrid one", location=Institute.Location.HYBRID, coaching=False)
    hybrid.audiences.add(admins)
    InstituteFactory(title="Online one", location=Institute.Location.ONLINE, coaching=True)
    InstituteFactory(
        title="Closed hybrid", location=Institute.Location.HYBRID, status=Institute.Status.CLOSED
    )
    url = reverse("institutes:catalog")
    html = client.get(url, {"location": "hybrid", "open": "on"}).content.decode()
    assert "Hybrid one" in html
    assert "Online one" not in html
    assert "Closed hybrid" not in html
    html = client.get(url, {"audience": "administrators"}).content.decode()
    assert "Hybrid one" in html
    assert "Online one" not in html
    html = client.get(url, {"coaching": "yes"}).content.decode()
    assert "Online one" in html
    assert "Hybrid one" not in html


def test_catalog_card_shows_link_labels_audiences_and_seats(client):
    institute = InstituteFactory(
        title="Math Strategies",
        status=Institute.Status.OPEN,
        capacity=3,
        location=Institute.Location.HYBRID,
        applications_open_at=timezone.now() - dt.timedelta(days=1),
        applications_close_at=dt.datetime(2099, 5, 1, 12, tzinfo=dt.UTC),
    )
    institute.audiences.add(AudienceFactory(name="Teachers"), AudienceFactory(name="Administrators"))
    ApplicationFactory(institute=institute, status=Status.ACCEPTED)
    closed = InstituteFactory(title="Closed one", status=Institute.Status.CLOSED)
    html = client.get(reverse("institutes:catalog")).content.decode()
    assert f'<a href="{institute.get_absolute_url()}">Math Strategies</a>' in html
    assert f'<li class="list-inline-item">{Institute.Location.HYBRID.label}</li>' in html
    assert '<li class="list-inline-item">For: Administrators, Teachers</li>' in html
    assert "Apply by May 1, 2099. 2 seats left." in html
    assert f'<a href="{closed.get_absolute_url()}">Closed one</a>' in html
    assert f'<span class="badge text-bg-secondary">{Institute.Status.CLOSED.label}</span>' in html


def test_catalog_odd_filter_values_do_not_break(client):
    response = client.get(
        reverse("institutes:catalog"), {"location": "<script>", "page": "x", "audience": "nope"}
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_catalog_query_count_does_not_grow(client, django_assert_max_num_queries):
    audience = AudienceFactory()
    for _ in range(30):
        InstituteFactory().audiences.add(audience)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("institutes:catalog"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25


def test_institute_detail_shows_eligibility_seats_and_deadline(client):
    institute = InstituteFactory(
        capacity=10, allowed_agency_kinds=["adult_school"], requires_caep_funding=True
    )
    SessionFactory(institute=institute, date=dt.date(2027, 4, 8))
    html = client.get(institute.get_absolute_url()).content.decode()
    assert "Adult school" in html
    assert "CAEP" in html
    assert "10 of 10" in html
    assert "Thursday, April 8, 2027" in html


def test_institute_page_tells_what_the_module_is_about(client):
    institute = InstituteFactory(
        module__title="Math Instructional Strategies",
        module__summary="Number sense for adult learners.",
        module__hours=16,
    )
    html = client.get(institute.get_absolute_url()).content.decode()
    assert "16 hours of professional learning" in html
    assert "Number sense for adult learners." in html
    assert f'href="{institute.module.get_absolute_url()}"' in html


def test_draft_institute_is_404_for_visitors(client):
    institute = InstituteFactory(status=Institute.Status.DRAFT)
    assert client.get(institute.get_absolute_url()).status_code == 404


def test_ics_feed_lists_sessions(client):
    institute = InstituteFactory(title="EL Roadmap, local planning")
    SessionFactory(institute=institute, date=dt.date(2025, 4, 8), place="Sacramento")
    response = client.get(reverse("institutes:institute-ics", kwargs={"slug": institute.slug}))
    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VEVENT" in body
    assert "DTSTART:20250408T153000Z" in body
    assert "SUMMARY:EL Roadmap\\, local planning" in body
    assert "\r\n" in body


# --- Applying --------------------------------------------------------------------------------------


def application_data(agency, **overrides):
    data = {
        "agency": agency.pk,
        "position": "ESL teacher",
        "statement": "I want to share this module with my colleagues.",
        "supervisor_name": "Pat Principal",
        "supervisor_email": "pat@example.org",
        "commits_to_attend": "on",
        "commits_to_present": "on",
    }
    data.update(overrides)
    return data


def test_apply_saves_a_draft_with_missing_fields(client_for, user):
    institute = InstituteFactory()
    agency = AgencyFactory()
    client = client_for(user)
    url = reverse("institutes:apply", kwargs={"slug": institute.slug})
    response = client.post(url, {"agency": agency.pk, "position": "Teacher", "action": "save"})
    assert response.status_code == 302
    application = Application.objects.get(applicant=user)
    assert (application.status, application.position) == (Status.DRAFT, "Teacher")


def test_apply_submit_with_missing_commitment_keeps_what_was_typed(client_for, user):
    institute = InstituteFactory()
    agency = AgencyFactory()
    client = client_for(user)
    url = reverse("institutes:apply", kwargs={"slug": institute.slug})
    data = application_data(agency, statement="<script>alert(1)</script> my reasons", action="submit")
    del data["commits_to_present"]
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please confirm that you will present the module within a year." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my reasons" in html
    assert "<script>alert(1)" not in html
    assert not Application.objects.filter(applicant=user).exists()


def test_apply_submit_then_one_application_per_person(client_for, user):
    institute = InstituteFactory()
    client = client_for(user)
    url = reverse("institutes:apply", kwargs={"slug": institute.slug})
    response = client.post(url, {**application_data(AgencyFactory()), "action": "submit"})
    application = Application.objects.get(applicant=user)
    assert response["Location"] == application.get_absolute_url()
    assert application.status == Status.SUBMITTED
    response = client.get(url)
    assert response.status_code == 302
    assert Application.objects.filter(applicant=user).count() == 1


def test_apply_too_long_and_wrong_type_input_gets_messages(client_for, user):
    institute = InstituteFactory()
    client = client_for(user)
    url = reverse("institutes:apply", kwargs={"slug": institute.slug})
    response = client.post(
        url,
        {
            **application_data(AgencyFactory()),
            "agency": "not-a-number",
            "position": "x" * 500,
            "action": "save",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert "Ensure this value has at most 150 characters" in html


def test_apply_shows_eligibility_reasons_before_submission(client_for, user):
    institute = InstituteFactory(requires_caep_funding=True)
    agency = AgencyFactory(caep_funded=False, name="Not Funded Library", kind=Agency.Kind.LIBRARY)
    ApplicationFactory(applicant=user, institute=institute, agency=agency)
    html = client_for(user).get(reverse("institutes:apply", kwargs={"slug": institute.slug})).content.decode()
    assert "Not Funded Library is not listed as CAEP-funded" in html


def test_someone_elses_application_is_404(client_for, user):
    application = submitted()
    assert client_for(user).get(application.get_absolute_url()).status_code == 404
    response = client_for(user).post(
        reverse("institutes:application-withdraw", kwargs={"pk": application.pk})
    )
    assert response.status_code == 404


def test_applicant_sees_history_on_application_page(client_for):
    application = submitted()
    coordinator = coordinator_of(application.institute)
    services.waitlist_application(application, by=coordinator, note="Full for now")
    html = client_for(application.applicant).get(application.get_absolute_url()).content.decode()
    assert "Full for now" in html
    assert "Waitlisted" in html


def test_applicant_withdraws(client_for):
    application = submitted()
    client = client_for(application.applicant)
    client.post(reverse("institutes:application-withdraw", kwargs={"pk": application.pk}), {"note": "Sorry"})
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


# --- Endorsement ------------------------------------------------------------------------------------


def test_supervisor_endorses_through_signed_link_without_account(client):
    application = submitted()
    url = reverse("institutes:endorse", kwargs={"token": services.endorsement_token(application)})
    assert client.get(url).status_code == 200
    client.post(url, {"decision": "endorse", "comment": "Yes!"})
    application.refresh_from_db()
    assert application.endorsement == Application.Endorsement.ENDORSED


def test_tampered_endorsement_link_is_404(client):
    application = submitted()
    token = services.endorsement_token(application)
    url = reverse("institutes:endorse", kwargs={"token": token[:-3] + "abc"})
    assert client.get(url).status_code == 404


# --- Coordinators ------------------------------------------------------------------------------------


def test_review_queue_forbidden_to_coordinator_of_another_institute(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(InstituteFactory(), coordinator)
    assert (
        client_for(coordinator)
        .get(reverse("institutes:review-queue", kwargs={"slug": institute.slug}))
        .status_code
        == 403
    )


def test_review_queue_filters_and_query_count(client_for, coordinator, django_assert_max_num_queries):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    for _ in range(25):
        submitted(institute=institute)
    ineligible = submitted(institute=institute, agency=AgencyFactory(caep_funded=False))
    ApplicationFactory(institute=institute, status=Status.DRAFT)  # not in the queue
    client = client_for(coordinator)
    url = reverse("institutes:review-queue", kwargs={"slug": institute.slug})
    # The page's 7, and on this first request the two-factor check and its session save.
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.context["page"].paginator.count == 26
    assert response.context["page"].paginator.num_pages == 2
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 1
    response = client.get(url, {"eligible": "no"})
    assert response.context["page"].paginator.count == 1
    assert [row.pk for row in response.context["page"].object_list] == [ineligible.pk]


def test_review_queue_rows_and_seat_offer_show_names_agencies_and_reasons(client_for, coordinator):
    institute = InstituteFactory(capacity=2)
    coordinator_of(institute, coordinator)
    agency = AgencyFactory(name="Valley Adult School", region="Central Valley")
    first = ApplicationFactory(
        institute=institute,
        agency=agency,
        applicant=UserFactory(name="", email="rosa.diaz@example.org"),
        status=Status.WAITLISTED,
        waitlisted_at=timezone.now() - dt.timedelta(days=2),
    )
    ApplicationFactory(institute=institute, status=Status.WAITLISTED, waitlisted_at=timezone.now())
    ineligible = ApplicationFactory(
        institute=institute,
        status=Status.SUBMITTED,
        is_eligible=False,
        eligibility_reasons=["Not CAEP-funded."],
    )
    url = reverse("institutes:review-queue", kwargs={"slug": institute.slug})
    html = client_for(coordinator).get(url).content.decode()
    assert (
        f'First on the waitlist: <a href="{first.get_absolute_url()}" class="alert-link">rosa.diaz</a>'
        " (Valley Adult School)."
    ) in html
    assert "Offer the seat: accept rosa.diaz</button>" in html
    assert 'aria-label="Select rosa.diaz"></td>' in html
    assert 'Valley Adult School<br><span class="small text-body-secondary">Central Valley</span></td>' in html
    assert '<td>No: <span class="small">Not CAEP-funded.</span></td>' in html
    assert f'id="pick-{ineligible.pk}"' in html


def test_bulk_decisions_and_other_institutes_ids_are_refused(client_for, coordinator):
    institute = InstituteFactory(capacity=1)
    coordinator_of(institute, coordinator)
    first, second = submitted(institute=institute), submitted(institute=institute)
    foreign = submitted()
    client = client_for(coordinator)
    url = reverse("institutes:review-bulk", kwargs={"slug": institute.slug})
    client.post(url, {"applications": [foreign.pk], "decision": "accept"})
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED
    response = client.post(url, {"applications": [first.pk, second.pk], "decision": "accept"}, follow=True)
    statuses = sorted(Application.objects.filter(institute=institute).values_list("status", flat=True))
    assert statuses == ["accepted", "submitted"]
    assert "0 seats left" in response.content.decode()


def test_decide_one_application(client_for, coordinator):
    application = submitted()
    coordinator_of(application.institute, coordinator)
    client_for(coordinator).post(
        reverse("institutes:application-decide", kwargs={"pk": application.pk}),
        {"decision": "decline", "note": "Not this year"},
    )
    application.refresh_from_db()
    assert application.status == Status.DECLINED


def test_applicant_cannot_decide_own_application(client_for):
    application = submitted()
    response = client_for(application.applicant).post(
        reverse("institutes:application-decide", kwargs={"pk": application.pk}), {"decision": "accept"}
    )
    assert response.status_code == 403


def test_csv_export_defuses_formulas(client_for, coordinator):
    application = submitted(position='=HYPERLINK("x")')
    coordinator_of(application.institute, coordinator)
    response = client_for(coordinator).get(
        reverse("institutes:applications-csv", kwargs={"slug": application.institute.slug})
    )
    body = response.content.decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "'=HYPERLINK" in body
    assert application.applicant.email in body


def test_coordinate_lists_only_my_institutes(client_for, coordinator):
    mine = InstituteFactory(title="Mine")
    InstituteFactory(title="Theirs")
    coordinator_of(mine, coordinator)
    html = client_for(coordinator).get(reverse("institutes:coordinate")).content.decode()
    assert "Mine" in html
    assert "Theirs" not in html


def test_coordinate_is_forbidden_to_participants(client_for, user):
    assert client_for(user).get(reverse("institutes:coordinate")).status_code == 403


# --- Assignments, attendance, roster ----------------------------------------------------------------


def accepted(institute):
    application = submitted(institute=institute)
    services.accept_application(application, by=UserFactory(is_superuser=True))
    application.refresh_from_db()
    return application


def test_participant_uploads_a_pdf_and_coordinator_downloads_it(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    application = accepted(institute)
    assignment = AssignmentFactory(institute=institute, kind=Assignment.Kind.FILE)
    client = client_for(application.applicant)
    upload = SimpleUploadedFile("../../my plan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(assignment.get_absolute_url(), {"file": upload})
    assert response.status_code == 302
    submission = AssignmentSubmission.objects.get()
    assert "my plan" not in submission.file.name
    download = client_for(coordinator).get(
        reverse("institutes:submission-download", kwargs={"pk": submission.pk})
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="my-plan.pdf"'


def test_a_correction_before_review_says_it_replaces_the_file_and_then_does(
    client_for, django_capture_on_commit_callbacks
):
    application = accepted(InstituteFactory())
    assignment = AssignmentFactory(institute=application.institute, kind=Assignment.Kind.FILE)
    client = client_for(application.applicant)
    first = SimpleUploadedFile("first plan.pdf", b"%PDF-1.4 one", content_type="application/pdf")
    client.post(assignment.get_absolute_url(), {"file": first})
    old = AssignmentSubmission.objects.get().file
    assert old.storage.exists(old.name)
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "What you send now replaces it, and first plan.pdf with it." in page

    second = SimpleUploadedFile("second plan.pdf", b"%PDF-1.4 two", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(assignment.get_absolute_url(), {"file": second})
    assert old.storage.exists(old.name)  # kept until the new file is recorded
    for callback in callbacks:
        callback()
    assert not old.storage.exists(old.name)
    submission = AssignmentSubmission.objects.get()
    assert submission.original_filename == "second plan.pdf"
    assert submission.file.read() == b"%PDF-1.4 two"


def test_upload_with_wrong_content_is_refused(client_for):
    institute = InstituteFactory()
    application = accepted(institute)
    assignment = AssignmentFactory(institute=institute, kind=Assignment.Kind.FILE)
    upload = SimpleUploadedFile("plan.pdf", b"MZ\x00\x00binary", content_type="application/pdf")
    response = client_for(application.applicant).post(assignment.get_absolute_url(), {"file": upload})
    assert response.status_code == 200
    assert "We could not recognise this file" in response.content.decode()
    assert AssignmentSubmission.objects.count() == 0


def test_other_participant_cannot_download_a_submission(client_for):
    institute = InstituteFactory()
    owner, other = accepted(institute), accepted(institute)
    assignment = AssignmentFactory(institute=institute, kind=Assignment.Kind.FILE)
    services.submit_assignment(
        assignment,
        application=owner,
        by=owner.applicant,
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
    )
    submission = AssignmentSubmission.objects.get()
    url = reverse("institutes:submission-download", kwargs={"pk": submission.pk})
    assert client_for(other.applicant).get(url).status_code == 404


def test_assignment_not_visible_to_people_outside_the_institute(client_for, user):
    assignment = AssignmentFactory()
    assert client_for(user).get(assignment.get_absolute_url()).status_code == 404


def test_coordinator_reviews_submission_revision_needs_comment(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    application = accepted(institute)
    assignment = AssignmentFactory(institute=institute)
    submission = services.submit_assignment(
        assignment, application=application, by=application.applicant, text="Hi"
    )
    client = client_for(coordinator)
    url = reverse("institutes:submission-review", kwargs={"pk": submission.pk})
    response = client.post(url, {"decision": "revise", "comment": ""}, follow=True)
    assert "Say what to revise" in response.content.decode()
    client.post(url, {"decision": "accept"})
    submission.refresh_from_db()
    assert submission.state == AssignmentSubmission.State.ACCEPTED


def test_coordinator_takes_attendance(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    session = SessionFactory(institute=institute, date=timezone.localdate() - dt.timedelta(days=1))
    one, two = accepted(institute), accepted(institute)
    client = client_for(coordinator)
    url = reverse("institutes:attendance", kwargs={"pk": session.pk})
    client.post(url, {f"p{one.pk}": "present", f"p{two.pk}": "partial"})
    assert dict(Attendance.objects.values_list("application_id", "status")) == {
        one.pk: "present",
        two.pk: "partial",
    }
    response = client.post(url, {f"p{one.pk}": "bogus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_attendance_for_a_session_that_has_not_started_is_refused(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    session = SessionFactory(institute=institute)  # in 40 days
    one = accepted(institute)
    url = reverse("institutes:attendance", kwargs={"pk": session.pk})
    page = client_for(coordinator).get(url).content.decode()
    assert "This session has not started yet" in page
    response = client_for(coordinator).post(url, {f"p{one.pk}": "present"})
    assert response.status_code == 200
    assert "This session has not started yet" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_forbidden_to_other_coordinators(client_for, coordinator):
    session = SessionFactory()
    assert (
        client_for(coordinator).get(reverse("institutes:attendance", kwargs={"pk": session.pk})).status_code
        == 403
    )


def test_roster_shows_missing_and_the_practice_result_from_the_rubric(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    application = accepted(institute)
    client = client_for(coordinator)
    url = reverse("institutes:roster", kwargs={"slug": institute.slug})
    page = client.get(url).content.decode()
    assert "Practice facilitation not recorded yet" in page
    assert reverse("institutes:application-practice", kwargs={"pk": application.pk}) in page
    facilitation = facilitation_for(application)
    scores = dict.fromkeys(facilitation.rubric.criteria.values_list("pk", flat=True), 4)
    practice.score(facilitation, scorer=coordinator, role="coordinator", levels=scores, comments="")
    assert "Practice facilitation not" not in client.get(url).content.decode()
    # The roster no longer takes a bare passed/not yet: a POST changes nothing.
    assert client.post(url, {"application": application.pk, "result": "not_yet"}).status_code == 200
    assert application.__class__.objects.get(pk=application.pk).practice.result == "passed"


def test_dashboard_panel_shows_applications_progress_and_due(client_for, django_assert_max_num_queries):
    institute = InstituteFactory(title="CALPRO ToT")
    application = accepted(institute)
    AssignmentFactory(institute=institute, title="Read the overview")
    draft = ApplicationFactory(
        applicant=application.applicant, institute=InstituteFactory(title="Another one")
    )
    client = client_for(application.applicant)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert "CALPRO ToT" in html
    assert "Accepted" in html
    assert "Read the overview (CALPRO ToT)" in html
    assert f"Finish your application to {draft.institute.title}" in html
    assert 'Assignments done</strong> <span class="text-body-secondary">(next)' in html


def test_expired_endorsement_link_says_so(client, monkeypatch):
    application = submitted()
    token = services.endorsement_token(application)
    monkeypatch.setattr(services, "ENDORSEMENT_MAX_AGE", -1)
    response = client.get(reverse("institutes:endorse", kwargs={"token": token}))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_team_invitation_for_someone_else_shows_a_clear_message(client_for, user):
    from institutes.models import TeamInvitation

    institute = InstituteFactory(team_required=True, requires_caep_funding=False)
    lead = UserFactory()
    team = services.start_team(institute=institute, lead=lead, agency=AgencyFactory())
    invitation = services.invite_to_team(team, email="invitee@district.org", by=lead)
    client = client_for(user)
    html = client.get(invitation.get_absolute_url()).content.decode()
    assert "This invitation was sent to invitee@district.org" in html
    response = client.post(invitation.get_absolute_url(), {"action": "accept"}, follow=True)
    assert "Sign in with that address" in response.content.decode()
    assert TeamInvitation.objects.get().state == "pending"


def test_only_the_lead_can_invite(client_for, user):
    institute = InstituteFactory(team_required=True, requires_caep_funding=False)
    team = services.start_team(institute=institute, lead=UserFactory(), agency=AgencyFactory())
    response = client_for(user).post(
        reverse("institutes:team-invite", kwargs={"pk": team.pk}), {"email": "x@y.org"}
    )
    assert response.status_code == 404


def test_catalog_cards_follow_every_change_at_once(client):
    institute = InstituteFactory(title="Math ToT", capacity=2)
    institute.audiences.add(AudienceFactory(name="Teachers"))
    url = reverse("institutes:catalog")
    html = client.get(url).content.decode()
    assert "Math ToT" in html
    assert "For: Teachers" in html
    assert "2 seats left." in html
    assert client.get(url).content.decode() == html  # the cards now come from the cache

    institute.title = "Math ToT, renamed"
    institute.save()
    institute.audiences.add(AudienceFactory(name="Administrators"))
    ApplicationFactory(institute=institute, status=Status.ACCEPTED)
    html = client.get(url).content.decode()
    assert "Math ToT, renamed" in html
    assert "For: Administrators, Teachers" in html
    assert "1 seat left." in html

    # The window closes with the clock, not with a write: the page is kept until then, no longer.
    closes = timezone.now() + dt.timedelta(minutes=2)
    institute.applications_close_at = closes
    institute.save()
    assert "text-bg-success" in client.get(url).content.decode()
    with mock.patch("django.utils.timezone.now", return_value=closes + dt.timedelta(seconds=1)):
        html = client.get(url).content.decode()
    assert "text-bg-success" not in html  # closed: no longer open for applications now
    assert '<span class="badge text-bg-secondary">Open for applications</span>' in html


def test_review_queue_filters_by_agency_name_and_rows_follow_decisions(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    valley = submitted(institute=institute, agency=AgencyFactory(name="Valley Adult School"))
    submitted(institute=institute, agency=AgencyFactory(name="Coast College"))
    client = client_for(coordinator)
    url = reverse("institutes:review-queue", kwargs={"slug": institute.slug})
    response = client.get(url, {"agency": " valley "})
    assert [row.pk for row in response.context["page"].object_list] == [valley.pk]
    html = response.content.decode()
    assert '<label class="form-label" for="id_agency">Agency name</label>' in html
    assert '<label class="form-check-label" for="id_decision_1">Waitlist</label>' in html
    assert f'<a href="{valley.get_absolute_url()}">{valley.applicant.display_name}</a>' in html
    row = f"<td>{Status.SUBMITTED.label}</td>"
    assert row in html
    services.accept_application(valley, by=coordinator)
    html = client.get(url, {"agency": "valley"}).content.decode()
    assert row not in html
    assert f"<td>{Status.ACCEPTED.label}</td>" in html
    assert client.get(url, {"agency": "x" * 300, "region": "nowhere"}).status_code == 200


def test_coordinator_records_an_endorsement_that_came_by_email(client_for, coordinator):
    institute = InstituteFactory(endorsement_required=True)
    coordinator_of(institute, coordinator)
    application = ApplicationFactory(institute=institute, status=Application.Status.SUBMITTED)
    client = client_for(coordinator)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Endorsement received another way?" in page

    missing_note = client.post(
        reverse("institutes:application-endorsement", args=[application.pk]), {"endorsed": "yes"}, follow=True
    )
    assert "say how it came" in missing_note.content.decode()
    client.post(
        reverse("institutes:application-endorsement", args=[application.pk]),
        {"endorsed": "yes", "note": "Phone call with the principal"},
    )
    application.refresh_from_db()
    assert application.endorsement == Application.Endorsement.ENDORSED
    assert (
        "Endorsement received another way?" not in client.get(application.get_absolute_url()).content.decode()
    )


def test_accepting_an_ineligible_application_asks_for_the_reason(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    application = ApplicationFactory(
        institute=institute,
        status=Application.Status.SUBMITTED,
        is_eligible=False,
        eligibility_reasons=["Not CAEP-funded."],
    )
    client = client_for(coordinator)
    assert (
        "Reason for accepting as an exception" in client.get(application.get_absolute_url()).content.decode()
    )
    url = reverse("institutes:application-decide", args=[application.pk])
    refused = client.post(url, {"decision": "accept"}, follow=True)
    assert "give your reason for the exception" in refused.content.decode()
    client.post(url, {"decision": "accept", "override": "The consortium confirmed funding."})
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED


def test_catalog_lists_open_institutes_first_and_completed_ones_last(client):
    completed = InstituteFactory(title="Completed", status=Institute.Status.COMPLETED)
    running = InstituteFactory(title="Running", status=Institute.Status.RUNNING)
    open_later = InstituteFactory(title="Open, closes later")
    open_sooner = InstituteFactory(
        title="Open, closes sooner",
        applications_close_at=open_later.applications_close_at - dt.timedelta(days=5),
    )
    page = client.get(reverse("institutes:catalog")).context["page"]
    assert [card.title for card in page] == [
        open_sooner.title,
        open_later.title,
        running.title,
        completed.title,
    ]


def test_an_open_institute_card_shows_its_seats_as_a_bar(client):
    institute = InstituteFactory(capacity=10)
    for _ in range(3):
        ApplicationFactory(institute=institute, status=Status.ACCEPTED)
    html = client.get(reverse("institutes:catalog")).content.decode()
    assert 'aria-valuenow="3" aria-valuemin="0" aria-valuemax="10"' in html
    assert 'class="progress-bar bar-w-30"' in html
