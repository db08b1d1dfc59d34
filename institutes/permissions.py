"""Who may see and do what in the institutes app: the only place these rules live."""

from __future__ import annotations

from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Institute,
    InstituteCoordinator,
    Team,
)
from portal.access import is_coordinator, sees_program_results


def is_institute_coordinator(user, institute: Institute) -> bool:
    """The coordinator of THIS institute: an active InstituteCoordinator row (or a superuser).

    The one rule for every decision about one institute and its participants: reviewing and
    deciding applications, assignments, attendance, practice, the roster, and certifying the
    people who completed it (trainers asks this rule too). Membership of the Coordinators group
    is neither needed nor enough: the group is the state office's staff-wide role
    (portal.access.is_coordinator), and a row names the person who runs this institute.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return InstituteCoordinator.objects.active().filter(user=user, institute=institute).exists()


def coordinates_an_institute(user) -> bool:
    """Holds an active coordinator role for any institute (registered with portal.access as a
    staff role: such a person signs in with a second factor)."""
    return user.is_authenticated and InstituteCoordinator.objects.active().filter(user=user).exists()


def can_view_institute(user, institute: Institute) -> bool:
    return institute.status != Institute.Status.DRAFT or is_institute_coordinator(user, institute)


def can_review_institute(user, institute: Institute) -> bool:
    """Coordinator of THIS institute (an active role row), or a superuser."""
    return is_institute_coordinator(user, institute)


def can_review_team_plans(user, institute: Institute) -> bool:
    """A planning network's coordinator follows each team's plan and writes a note at follow-ups."""
    return institute.is_planning_network and is_institute_coordinator(user, institute)


def can_coordinate(user) -> bool:
    """The "Coordinate" page: staff coordinators, and anyone who coordinates an institute."""
    return is_coordinator(user) or (user.is_authenticated and Institute.objects.coordinated_by(user).exists())


def can_apply(user, institute: Institute) -> bool:
    return user.is_authenticated and institute.is_accepting_applications()


def can_start_team(user, institute: Institute) -> bool:
    return can_apply(user, institute) and institute.team_required


def can_invite_to_team(user, team: Team) -> bool:
    """Only the lead invites; the views answer anyone else as if the team did not exist."""
    return user.is_authenticated and team.lead_id == user.pk


def can_view_application(user, application: Application) -> bool:
    if not user.is_authenticated:
        return False
    if application.applicant_id == user.pk:
        return True
    if application.status == Application.Status.DRAFT:
        return user.is_superuser
    return can_review_institute(user, application.institute)


def can_edit_application(user, application: Application) -> bool:
    return application.applicant_id == user.pk and application.status == Application.Status.DRAFT


def can_withdraw_application(user, application: Application) -> bool:
    return application.applicant_id == user.pk and application.can_move_to(Application.Status.WITHDRAWN)


def can_answer_seat_offer(user, application: Application) -> bool:
    """Only the applicant answers a seat offered to them (a coordinator decides on the queue)."""
    return (
        user.is_authenticated
        and application.applicant_id == user.pk
        and application.status == Application.Status.OFFERED
    )


def can_decide_application(user, application: Application) -> bool:
    return application.status != Application.Status.DRAFT and can_review_institute(
        user, application.institute
    )


def can_record_endorsement(user, application: Application) -> bool:
    """A coordinator records a supervisor's answer that came another way, while it is still awaited."""
    return (
        application.status in (Application.Status.SUBMITTED, Application.Status.WAITLISTED)
        and application.endorsement
        in (Application.Endorsement.NOT_REQUESTED, Application.Endorsement.REQUESTED)
        and can_review_institute(user, application.institute)
    )


def can_view_assignment(user, assignment: Assignment) -> bool:
    if can_review_institute(user, assignment.institute):
        return True
    return Application.objects.filter(
        applicant_id=user.pk, institute_id=assignment.institute_id, status=Application.Status.ACCEPTED
    ).exists()


def can_submit_assignment(user, assignment: Assignment) -> bool:
    return (
        user.is_authenticated
        and Application.objects.filter(
            applicant_id=user.pk, institute_id=assignment.institute_id, status=Application.Status.ACCEPTED
        ).exists()
    )


def can_review_submission(user, submission: AssignmentSubmission) -> bool:
    return can_review_institute(user, submission.assignment.institute)


def can_download_submission(user, submission: AssignmentSubmission) -> bool:
    if not user.is_authenticated:
        return False
    return submission.application.applicant_id == user.pk or can_review_submission(user, submission)


def can_view_survey_results(user, institute: Institute) -> bool:
    """An institute's evaluation results, unfolded and with every comment: its own coordinator,
    the staff coordinators and the state office (portal.surveys.services: who sees what)."""
    return is_institute_coordinator(user, institute) or sees_program_results(user)
