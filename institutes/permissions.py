"""Who may see and do what in the institutes app: the only place these rules live."""

from __future__ import annotations

from collections.abc import Callable

from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Institute,
    InstituteCoordinator,
    Module,
    PracticeFacilitation,
    PracticeFeedback,
    Team,
)
from portal.access import is_coordinator, sees_program_results

# Mentoring lives a floor up (trainers): it tells this app who mentors an application through
# ``register_mentor_check`` in its AppConfig.ready(), so that institutes imports nothing above it.
_mentor_checks: list[Callable] = []


def register_mentor_check(check: Callable) -> Callable:
    """``check(user, application) -> bool``: the user is the application's active mentor."""
    if check not in _mentor_checks:
        _mentor_checks.append(check)
    return check


def is_mentor_of(user, application: Application) -> bool:
    return user.is_authenticated and any(check(user, application) for check in _mentor_checks)


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


# --- Practice facilitations and rubrics ------------------------------------------------------


def can_keep_rubric(user, module: Module) -> bool:
    """A module's rubric: the staff coordinators, and whoever coordinates one of its institutes."""
    if not user.is_authenticated:
        return False
    return (
        is_coordinator(user)
        or InstituteCoordinator.objects.active().filter(user=user, institute__module=module).exists()
    )


def _is_participant(user, institute_id: int) -> bool:
    return Application.objects.filter(
        applicant_id=user.pk, institute_id=institute_id, status=Application.Status.ACCEPTED
    ).exists()


def can_view_institute_practice(user, institute: Institute) -> bool:
    """The institute's practice facilitations: its coordinator, and its accepted participants (the
    peers who score one another)."""
    if not user.is_authenticated:
        return False
    return is_institute_coordinator(user, institute) or _is_participant(user, institute.pk)


def can_view_practice(user, application: Application) -> bool:
    """A participant's practice page, every score and comment on it: the participant, the
    institute's coordinator, and the participant's mentor; nobody else."""
    if not user.is_authenticated or application.status != Application.Status.ACCEPTED:
        return False
    return (
        application.applicant_id == user.pk
        or is_institute_coordinator(user, application.institute)
        or is_mentor_of(user, application)
    )


def can_add_practice_facilitation(user, application: Application) -> bool:
    return application.status == Application.Status.ACCEPTED and (
        application.applicant_id == user.pk or is_institute_coordinator(user, application.institute)
    )


def practice_role(user, facilitation: PracticeFacilitation) -> str | None:
    """In which role ``user`` scores this facilitation, or None when they may not (nobody scores
    their own). The coordinator's role wins over the mentor's, the mentor's over a peer's."""
    application = facilitation.application
    if not user.is_authenticated or application.applicant_id == user.pk:
        return None
    if application.status != Application.Status.ACCEPTED:
        return None
    if is_institute_coordinator(user, application.institute):
        return PracticeFeedback.Role.COORDINATOR
    if is_mentor_of(user, application):
        return PracticeFeedback.Role.MENTOR
    if _is_participant(user, application.institute_id):
        return PracticeFeedback.Role.PEER
    return None


def can_score_practice(user, facilitation: PracticeFacilitation) -> bool:
    return practice_role(user, facilitation) is not None


def can_view_practice_facilitation(user, facilitation: PracticeFacilitation) -> bool:
    return can_view_practice(user, facilitation.application) or can_score_practice(user, facilitation)


def can_read_all_feedback(user, facilitation: PracticeFacilitation) -> bool:
    """Peers see the facilitation and their own feedback; the rest is for the participant, the
    coordinator and the mentor."""
    return can_view_practice(user, facilitation.application)
