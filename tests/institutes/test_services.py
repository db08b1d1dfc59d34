import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils import timezone

from communities.models import Community, Membership
from institutes import practice, services
from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Institute,
    TeamInvitation,
)
from portal import states
from portal.models import Agency, OutboundEmail
from tests.communities.factories import PostFactory
from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import (
    ApplicationFactory,
    AssignmentFactory,
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


def test_submit_application_moves_draft_to_submitted_with_audit_and_emails():
    application = ApplicationFactory()
    services.submit_application(application, by=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.is_eligible is True
    assert application.endorsement == Application.Endorsement.REQUESTED
    event = application.events.get(action="status:submitted")
    assert (event.from_status, event.to_status, event.actor) == ("draft", "submitted", application.applicant)
    kinds = set(OutboundEmail.objects.values_list("kind", "recipient"))
    assert kinds == {
        ("application.status", application.applicant.email),
        ("application.endorsement_request", application.supervisor_email),
    }


def test_first_submission_completes_an_empty_profile_but_never_overwrites_one():
    application = submitted(position="ESL teacher")
    applicant = application.applicant
    applicant.refresh_from_db()
    assert (applicant.agency, applicant.position) == (application.agency, "ESL teacher")

    other_agency = AgencyFactory()
    second = submitted(applicant=applicant, agency=other_agency, position="Principal")
    applicant.refresh_from_db()
    assert (applicant.agency, applicant.position) == (application.agency, "ESL teacher")
    assert second.agency == other_agency


def test_submit_application_twice_sends_nothing_twice():
    application = submitted()
    services.submit_application(application, by=application.applicant)
    assert OutboundEmail.objects.filter(kind="application.status").count() == 1
    assert application.events.filter(action="status:submitted").count() == 1


def test_submit_application_incomplete_is_refused():
    application = ApplicationFactory(commits_to_present=False, statement="")
    with pytest.raises(services.ApplicationError, match="present the module"):
        services.submit_application(application, by=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_submit_application_after_window_is_refused():
    institute = InstituteFactory(status=Institute.Status.CLOSED)
    application = ApplicationFactory(institute=institute)
    with pytest.raises(services.ApplicationError, match="closed"):
        services.submit_application(application, by=application.applicant)


def test_eligibility_reasons_name_kind_and_caep_funding():
    institute = InstituteFactory(allowed_agency_kinds=["adult_school"], requires_caep_funding=True)
    agency = AgencyFactory(kind=Agency.Kind.LIBRARY, caep_funded=False, name="Fresno County Library")
    application = ApplicationFactory(institute=institute, agency=agency)
    reasons = services.eligibility_reasons(application)
    assert reasons == [
        "This institute is open to staff of these kinds of agency: adult school. "
        "Fresno County Library is registered as: library.",
        "This institute is open to staff of CAEP-funded agencies, and Fresno County Library "
        "is not listed as CAEP-funded.",
    ]


def test_ineligible_application_is_submitted_with_its_reasons_for_the_coordinator():
    institute = InstituteFactory(requires_caep_funding=True)
    application = submitted(institute=institute, agency=AgencyFactory(caep_funded=False))
    assert application.is_eligible is False
    assert len(application.eligibility_reasons) == 1


def test_accept_application_records_and_emails():
    application = submitted()
    coordinator = coordinator_of(application.institute)
    services.accept_application(application, by=coordinator, note="Welcome!")
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    event = application.events.get(action="status:accepted")
    assert (event.actor, event.note) == (coordinator, "Welcome!")
    email = OutboundEmail.objects.get(kind="application.status", milestone="accepted")
    assert "Welcome!" in email.body_text


def test_accept_refuses_past_capacity():
    institute = InstituteFactory(capacity=1)
    first, second = submitted(institute=institute), submitted(institute=institute)
    coordinator = coordinator_of(institute)
    services.accept_application(first, by=coordinator)
    with pytest.raises(services.CapacityError, match="0 seats left"):
        services.accept_application(second, by=coordinator)
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED


def test_decline_a_draft_is_not_allowed():
    application = ApplicationFactory()
    with pytest.raises(services.ApplicationError, match="draft cannot be declined"):
        services.decline_application(application, by=UserFactory())


def test_withdraw_accepted_frees_seat_and_offers_it_to_the_first_waitlisted():
    institute = InstituteFactory(capacity=1)
    coordinator = coordinator_of(institute)
    accepted = submitted(institute=institute)
    later, first = submitted(institute=institute), submitted(institute=institute)
    services.accept_application(accepted, by=coordinator)
    services.waitlist_application(first, by=coordinator)
    services.waitlist_application(later, by=coordinator)
    services.withdraw_application(accepted, by=accepted.applicant, note="A family matter")
    assert services.seats_left(institute) == 0
    assert Application.objects.get(pk=first.pk).status == Status.OFFERED
    assert services.first_waitlisted(institute) == later
    offer = OutboundEmail.objects.get(kind="application.seat_offer")
    assert offer.recipient == first.applicant.email


def test_withdrawing_after_acceptance_leaves_the_cohort_and_keeps_the_posts():
    institute = InstituteFactory()
    coordinator = coordinator_of(institute)
    application = submitted(institute=institute)
    services.accept_application(application, by=coordinator)
    cohort = Community.objects.get(kind=Community.Kind.COHORT, institute=institute)
    post = PostFactory(thread__community=cohort, author=application.applicant, body="My lesson plan idea")

    services.withdraw_application(application, by=application.applicant)

    assert not Membership.objects.filter(community=cohort, user=application.applicant).exists()
    post.refresh_from_db()
    assert (post.author, post.body) == (application.applicant, "My lesson plan idea")


def test_bulk_decide_skips_what_capacity_refuses():
    institute = InstituteFactory(capacity=2)
    applications = [submitted(institute=institute) for _ in range(3)]
    result = services.bulk_decide(applications, decision="accept", by=coordinator_of(institute))
    assert len(result.done) == 2
    assert len(result.skipped) == 1
    assert institute.applications.accepted().count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_concurrent_accepts_never_exceed_capacity():
    institute = InstituteFactory(capacity=5)
    coordinator = coordinator_of(institute)
    applications = [submitted(institute=institute) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def decide(application):
        try:
            barrier.wait()
            services.accept_application(application, by=coordinator)
            outcomes.append("accepted")
        except services.CapacityError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Application.objects.filter(institute=institute, status=Status.ACCEPTED).count() == 5
    assert sorted(outcomes) == ["accepted"] * 5 + ["full"] * 15


def team_institute(**kwargs):
    return InstituteFactory(
        team_required=True,
        min_team_size=2,
        requires_caep_funding=False,
        allowed_agency_kinds=["county_office", "school_district", "charter_system"],
        **kwargs,
    )


def test_team_of_two_from_one_lea_submits_and_is_accepted_as_one_unit():
    institute = team_institute()
    lea = AgencyFactory(kind=Agency.Kind.SCHOOL_DISTRICT)
    lead, mate = UserFactory(email="lead@district.org"), UserFactory(email="mate@district.org")
    team = services.start_team(institute=institute, lead=lead, agency=lea)
    invitation = services.invite_to_team(team, email="Mate@District.org", by=lead)
    assert OutboundEmail.objects.get(kind="team.invitation").recipient == "mate@district.org"
    mate_app = services.accept_invitation(invitation, user=mate)
    for app in (Application.objects.get(applicant=lead), mate_app):
        Application.objects.filter(pk=app.pk).update(
            position="Coordinator",
            statement="We plan together.",
            supervisor_name="Sam",
            supervisor_email="sam@district.org",
            commits_to_attend=True,
            commits_to_present=True,
        )
    services.complete_team_part(mate_app, by=mate)
    services.submit_team(team, by=lead)
    assert set(team.applications.values_list("status", flat=True)) == {"submitted"}
    coordinator = coordinator_of(institute)
    services.accept_application(mate_app, by=coordinator)
    assert list(team.applications.values_list("status", flat=True)) == ["accepted", "accepted"]


def test_team_below_minimum_size_cannot_be_submitted():
    institute = team_institute()
    lead = UserFactory()
    team = services.start_team(institute=institute, lead=lead, agency=AgencyFactory())
    Application.objects.filter(applicant=lead).update(
        position="Director",
        statement="Yes",
        supervisor_name="S",
        supervisor_email="s@x.org",
        commits_to_attend=True,
        commits_to_present=True,
    )
    with pytest.raises(services.ApplicationError, match="needs at least 2"):
        services.submit_team(team, by=lead)
    assert Application.objects.get(applicant=lead).status == Status.DRAFT


def test_team_invitation_for_another_address_is_refused():
    institute = team_institute()
    lead = UserFactory()
    team = services.start_team(institute=institute, lead=lead, agency=AgencyFactory())
    invitation = services.invite_to_team(team, email="someone@district.org", by=lead)
    with pytest.raises(services.ApplicationError, match=r"someone@district\.org"):
        services.accept_invitation(invitation, user=UserFactory())
    invitation.refresh_from_db()
    assert invitation.state == TeamInvitation.State.PENDING


def test_team_must_come_from_an_lea():
    with pytest.raises(services.ApplicationError, match="one LEA"):
        services.start_team(
            institute=team_institute(), lead=UserFactory(), agency=AgencyFactory(kind=Agency.Kind.LIBRARY)
        )


def test_endorsement_token_round_trip_and_record():
    application = submitted()
    token = services.endorsement_token(application)
    assert services.application_for_endorsement(token) == application
    services.record_endorsement(application, endorsed=True, comment="A strong teacher.")
    application.refresh_from_db()
    assert application.endorsement == Application.Endorsement.ENDORSED
    assert application.events.filter(action="endorsement:endorsed").count() == 1
    with pytest.raises(services.ApplicationError, match="already been answered"):
        services.record_endorsement(application, endorsed=False)


def test_endorsement_token_expires_and_rejects_tampering():
    application = submitted()
    token = services.endorsement_token(application)
    with pytest.raises(signing.SignatureExpired):
        services.application_for_endorsement(token, max_age=-1)
    with pytest.raises(signing.BadSignature):
        services.application_for_endorsement(token[:-2] + "xx")


def accepted_participant(institute, **kwargs):
    application = submitted(institute=institute, **kwargs)
    services.accept_application(
        application,
        by=coordinator_of(institute)
        if not institute.coordinator_roles.exists()
        else institute.coordinator_roles.first().user,
    )
    application.refresh_from_db()
    return application


def test_assignment_submit_revise_accept():
    institute = InstituteFactory()
    application = accepted_participant(institute)
    assignment = AssignmentFactory(institute=institute)
    coordinator = institute.coordinator_roles.first().user
    submission = services.submit_assignment(
        assignment, application=application, by=application.applicant, text="Two questions"
    )
    services.review_submission(submission, by=coordinator, accept=False, comment="Add a third question.")
    submission.refresh_from_db()
    assert (submission.state, submission.revision_count) == (AssignmentSubmission.State.REVISION, 1)
    services.submit_assignment(
        assignment, application=application, by=application.applicant, text="Three questions"
    )
    services.review_submission(submission, by=coordinator, accept=True)
    submission.refresh_from_db()
    assert (submission.state, submission.text) == (AssignmentSubmission.State.ACCEPTED, "Three questions")
    assert OutboundEmail.objects.filter(kind="assignment.reviewed").count() == 2


def test_assignment_submission_by_someone_not_accepted_is_refused():
    assignment = AssignmentFactory()
    application = submitted(institute=assignment.institute)
    with pytest.raises(services.ApplicationError, match="Only accepted participants"):
        services.submit_assignment(assignment, application=application, by=application.applicant, text="x")


def test_revision_request_needs_a_comment():
    institute = InstituteFactory()
    application = accepted_participant(institute)
    assignment = AssignmentFactory(institute=institute, kind=Assignment.Kind.DONE)
    submission = services.submit_assignment(assignment, application=application, by=application.applicant)
    with pytest.raises(services.ApplicationError, match="what to revise"):
        services.review_submission(submission, by=UserFactory(), accept=False, comment="  ")


def test_completion_roster_lists_what_each_participant_lacks(django_assert_max_num_queries):
    institute = InstituteFactory()
    session = SessionFactory(
        institute=institute, title="Day one", date=timezone.localdate() - timedelta(days=1)
    )
    assignment = AssignmentFactory(institute=institute, title="Reading", kind=Assignment.Kind.DONE)
    done = accepted_participant(institute)
    lacking = accepted_participant(institute)
    coordinator = institute.coordinator_roles.first().user
    services.record_attendance(
        session,
        marks={done.pk: Attendance.Status.PRESENT, lacking.pk: Attendance.Status.PARTIAL},
        by=coordinator,
    )
    submission = services.submit_assignment(assignment, application=done, by=done.applicant)
    services.review_submission(submission, by=coordinator, accept=True)
    for application, level in ((done, 3), (lacking, 2)):
        facilitation = facilitation_for(application)
        scores = dict.fromkeys(facilitation.rubric.criteria.values_list("pk", flat=True), level)
        practice.score(facilitation, scorer=coordinator, role="coordinator", levels=scores, comments="")
    for _ in range(5):
        accepted_participant(institute)
    with django_assert_max_num_queries(5):
        roster = services.completion_roster(institute)
    by_app = {row.application.pk: row for row in roster}
    assert by_app[done.pk].complete is True
    assert by_app[done.pk].missing == []
    assert by_app[done.pk].participant == done.applicant
    day = f"{session.date:%B} {session.date.day}, {session.date.year}"
    assert by_app[lacking.pk].missing == [
        f"Only partly present at the session on {day} (Day one)",
        "Assignment not accepted yet: Reading",
        "Practice facilitation not passed yet under the rubric's rule",
    ]
    assert by_app[lacking.pk].complete is False


def test_attendance_ignores_people_who_are_not_accepted_participants():
    institute = InstituteFactory()
    session = SessionFactory(institute=institute, date=timezone.localdate() - timedelta(days=1))
    stranger = submitted()
    count = services.record_attendance(session, marks={stranger.pk: "present"}, by=UserFactory())
    assert count == 0
    assert Attendance.objects.count() == 0


def test_every_transition_is_kept_as_an_audit_row():
    institute = InstituteFactory()
    application = submitted(institute=institute)
    coordinator = coordinator_of(institute)
    services.waitlist_application(application, by=coordinator)
    services.accept_application(application, by=coordinator)
    services.withdraw_application(application, by=application.applicant)
    moves = list(
        application.events.filter(action__startswith="status:").values_list("from_status", "to_status")
    )
    assert moves == [
        ("draft", "submitted"),
        ("submitted", "waitlisted"),
        ("waitlisted", "accepted"),
        ("accepted", "withdrawn"),
    ]


def test_accepted_participant_joins_the_cohort_community():
    from communities.models import Membership

    application = submitted()
    services.accept_application(application, by=coordinator_of(application.institute))
    assert (
        Membership.objects.filter(
            user=application.applicant, community__institute=application.institute
        ).count()
        == 1
    )


def test_save_draft_refuses_a_stale_copy_of_a_submitted_application():
    application = ApplicationFactory()
    stale = Application.objects.get(pk=application.pk)
    services.submit_application(application, by=application.applicant)
    stale.statement = "Changed on a page opened before the submission."
    with pytest.raises(services.ApplicationError):
        services.save_draft(stale, by=stale.applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.statement == "I want to bring the module to our teachers."


# --- The institute's own status ------------------------------------------------------------------


def test_an_institute_goes_draft_open_closed_running_completed_with_each_move_audited():
    institute = InstituteFactory(status=Institute.Status.DRAFT)
    staff = UserFactory()

    services.open_institute(institute, by=staff)
    services.close_institute(institute, by=staff, note="Full")
    services.start_institute(institute, by=staff)
    services.complete_institute(institute, by=staff)

    institute.refresh_from_db()
    assert institute.status == Institute.Status.COMPLETED
    assert [(e.from_status, e.to_status, e.actor, e.note) for e in states.history(institute)] == [
        ("draft", "open", staff, ""),
        ("open", "closed", staff, "Full"),
        ("closed", "running", staff, ""),
        ("running", "completed", staff, ""),
    ]


def test_an_institute_move_into_its_own_state_is_quiet():
    institute = InstituteFactory(status=Institute.Status.OPEN)

    services.open_institute(institute, by=None)

    assert states.history(institute).count() == 0


def test_an_institute_move_out_of_order_is_refused_in_plain_words():
    institute = InstituteFactory(status=Institute.Status.OPEN, title="Math ToT")

    with pytest.raises(services.ApplicationError) as refused:
        services.complete_institute(institute, by=None)

    assert str(refused.value) == "Math ToT is open for applications; it can't be moved to “completed”."
    institute.refresh_from_db()
    assert institute.status == Institute.Status.OPEN


def test_a_closed_institute_can_reopen_but_a_completed_one_cannot():
    institute = InstituteFactory(status=Institute.Status.CLOSED)
    services.open_institute(institute, by=None, note="Window extended")
    assert Institute.objects.get(pk=institute.pk).status == Institute.Status.OPEN

    done = InstituteFactory(status=Institute.Status.COMPLETED)
    with pytest.raises(services.ApplicationError):
        services.open_institute(done, by=None)


def test_an_open_institute_goes_back_to_draft_only_while_nobody_has_applied():
    quiet = InstituteFactory(status=Institute.Status.OPEN)
    ApplicationFactory(institute=quiet)  # a draft is nobody having applied yet
    services.unpublish_institute(quiet, by=None)
    assert Institute.objects.get(pk=quiet.pk).status == Institute.Status.DRAFT

    busy = InstituteFactory(status=Institute.Status.OPEN, title="Busy ToT")
    submitted(institute=busy)
    with pytest.raises(services.ApplicationError) as refused:
        services.unpublish_institute(busy, by=None)
    assert str(refused.value) == (
        "People have already applied to Busy ToT, so it stays in the catalog. Close applications instead."
    )
    assert Institute.objects.get(pk=busy.pk).status == Institute.Status.OPEN


def test_attendance_waits_for_the_session_to_start():
    institute = InstituteFactory()
    participant = accepted_participant(institute)
    now = timezone.localtime()
    session = SessionFactory(institute=institute, date=now.date() + timedelta(days=1))
    with pytest.raises(services.ApplicationError, match="once the session has started"):
        services.record_attendance(session, marks={participant.pk: "present"}, by=UserFactory())
    assert Attendance.objects.count() == 0
    assert session.has_started(now + timedelta(days=1, hours=24 - now.hour))


def test_an_institute_that_requires_endorsement_accepts_only_endorsed_applications():
    institute = InstituteFactory(endorsement_required=True)
    coordinator = coordinator_of(institute)
    application = submitted(institute=institute)
    assert application.endorsement == Application.Endorsement.REQUESTED

    with pytest.raises(services.ApplicationError, match="once the supervisor has endorsed"):
        services.accept_application(application, by=coordinator)

    services.record_endorsement(application, endorsed=True, comment="E-mail of March 3", by=coordinator)
    services.accept_application(application, by=coordinator)
    application.refresh_from_db()
    assert (application.status, application.endorsement) == (
        Status.ACCEPTED,
        Application.Endorsement.ENDORSED,
    )
    recorded = [e for e in states.history(application) if e.action == "endorsement:recorded"]
    assert [(e.actor, e.note) for e in recorded] == [(coordinator, "endorsed: E-mail of March 3")]


def test_a_supervisor_link_cannot_answer_what_nobody_asked():
    application = ApplicationFactory(status=Status.SUBMITTED)  # arranged: no request was sent
    assert application.endorsement == Application.Endorsement.NOT_REQUESTED
    with pytest.raises(services.ApplicationError):
        services.record_endorsement(application, endorsed=True)


def test_accepting_an_ineligible_application_needs_a_reason_kept_in_the_trail():
    institute = InstituteFactory(requires_caep_funding=True)
    coordinator = coordinator_of(institute)
    application = submitted(institute=institute, agency=AgencyFactory(caep_funded=False))
    assert application.is_eligible is False

    with pytest.raises(services.EligibilityError, match="give your reason"):
        services.accept_application(application, by=coordinator)
    result = services.bulk_decide([application], decision="accept", by=coordinator)
    assert [a for a, _ in result.skipped] == [application]

    services.accept_application(
        application, by=coordinator, override="Funding confirmed by the consortium lead"
    )
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    (entry,) = [e for e in states.history(application) if e.action == "eligibility:overridden"]
    assert entry.actor == coordinator
    assert entry.note.startswith("Funding confirmed by the consortium lead (overrode: ")
    assert "not listed as CAEP-funded" in entry.note


def test_an_address_outside_the_agencys_domains_is_a_reason():
    agency = AgencyFactory(email_domains="scusd.edu", caep_funded=True)
    outside = ApplicationFactory(agency=agency, applicant=UserFactory(email="ana@gmail.com"))
    inside = ApplicationFactory(agency=agency, applicant=UserFactory(email="ben@SCUSD.edu"))
    assert any(
        "ana@gmail.com is not at one of" in r and "@scusd.edu" in r
        for r in services.eligibility_reasons(outside)
    )
    assert services.eligibility_reasons(inside) == []
