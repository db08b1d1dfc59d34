"""Who may see and do what in the trainers app. Views call these; nothing else decides access.

A trainer sees only their own reports (as filer or co-facilitator) and their own honoraria.

A certification, the facilitation reports under its module (with their files) and the honoraria
for them belong to the coordinators of that module's institutes: a person with an active
InstituteCoordinator role for an institute teaching the module (``coordinates_module``). They
read them, verify or return the reports, and decide the honoraria (never their own). The
Coordinators group alone opens none of them. The state office reads every one and changes none;
Finance reads every honorarium and pays the approved ones; a superuser does everything. Lists
filter by the same rule in their one query (``coordinated_modules`` as a subquery).

Certifying an institute's roster, and taking one of its certifications back, stays with the
coordinator of THAT institute (``institutes.permissions.is_institute_coordinator``). The
commitments list and the statewide overview are for the state office's staff coordinators
(``portal.access.is_coordinator``); the commitments list shows the modules they coordinate.
Turnkey trainings: see the section at the end.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from institutes.models import Institute, InstituteCoordinator
from institutes.permissions import coordinates_an_institute, is_institute_coordinator
from portal.access import is_coordinator, is_finance, is_state_office, sees_program_results
from portal.models import User
from trainers.models import (
    Certification,
    CoFacilitator,
    FacilitationReport,
    Honorarium,
    Mentorship,
    Recognition,
    RequestOffer,
    TrainingRequest,
    TurnkeyTraining,
)

# --- the module rule ------------------------------------------------------------------------


def coordinated_modules(user) -> QuerySet:
    """The ids of the modules ``user`` coordinates an institute of (a subquery for lists)."""
    return Institute.objects.filter(
        pk__in=InstituteCoordinator.objects.active().filter(user=user).values("institute")
    ).values("module")


def coordinates_module(user, module_id: int) -> bool:
    """An active coordinator role for an institute of this module (or a superuser)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return InstituteCoordinator.objects.active().filter(user=user, institute__module_id=module_id).exists()


def reads_every_trainer_record(user) -> bool:
    """The state office (read-only) and superusers see every certification, report and honorarium."""
    return user.is_authenticated and (user.is_superuser or is_state_office(user))


# --- certifications ----------------------------------------------------------------------


def can_certify(user, institute: Institute) -> bool:
    """The coordinator of this institute certifies those who completed it: they kept its
    attendance, assignments and practice, and the Coordinators group alone does not make
    anyone responsible for one institute's roster. A planning network certifies nobody."""
    return institute.certifies and is_institute_coordinator(user, institute)


def certifications_visible_to(user) -> QuerySet[Certification]:
    """Every certification for the state office and superusers; the module's for its coordinators."""
    if reads_every_trainer_record(user):
        return Certification.objects.all()
    if not user.is_authenticated:
        return Certification.objects.none()
    return Certification.objects.of_modules(coordinated_modules(user))


def can_view_certificate(user, certification: Certification) -> bool:
    if not user.is_authenticated:
        return False
    if certification.participant_id == user.pk or reads_every_trainer_record(user):
        return True
    return coordinates_module(user, certification.module_id)


def can_revoke_certification(user, certification: Certification) -> bool:
    """Who may certify an institute's roster may take one of its certifications back; one that
    came from no institute is for the coordinators of its module."""
    if certification.institute_id is None:
        return coordinates_module(user, certification.module_id)
    return can_certify(user, certification.institute)


def can_renew_certification(user, certification: Certification) -> bool:
    """Who may take a certification back may also give it a new period."""
    return can_revoke_certification(user, certification)


def can_download_credentials(user, certification: Certification) -> bool:
    """The PDF and the badge go to whoever may see the certificate, while it stands."""
    return certification.is_active and can_view_certificate(user, certification)


def can_see_commitments(user) -> bool:
    """The commitments list: staff coordinators (their modules' certifications) and the state office."""
    return is_coordinator(user) or is_state_office(user)


# --- reports -----------------------------------------------------------------------------


def reports_visible_to(user: User) -> QuerySet[FacilitationReport]:
    """The reports ``user`` may read as a reviewer (the queue): not the trainer's own list."""
    if reads_every_trainer_record(user):
        return FacilitationReport.objects.all()
    if not user.is_authenticated:
        return FacilitationReport.objects.none()
    return FacilitationReport.objects.of_modules(coordinated_modules(user))


def can_see_report_queue(user) -> bool:
    """Whoever coordinates an institute (the reports of its module), the state office (to read)."""
    return reads_every_trainer_record(user) or coordinates_an_institute(user)


def can_view_report(user, report: FacilitationReport) -> bool:
    if not user.is_authenticated:
        return False
    if user.pk in report.facilitator_ids() or reads_every_trainer_record(user):
        return True
    return coordinates_module(user, report.module_id)


def can_file_report(user) -> bool:
    return user.is_authenticated and Certification.objects.active().filter(participant=user).exists()


def can_change_report(user, report: FacilitationReport) -> bool:
    return (
        user.is_authenticated
        and report.trainer_id == user.pk
        and report.status == FacilitationReport.Status.RETURNED
    )


def can_review_report(user, report: FacilitationReport) -> bool:
    """The coordinators of the report's module verify or return it, but never their own."""
    return user.pk not in report.facilitator_ids() and coordinates_module(user, report.module_id)


def can_request_honorarium(user, report: FacilitationReport) -> bool:
    return (
        user.is_authenticated
        and report.status == FacilitationReport.Status.VERIFIED
        and user.pk in report.facilitator_ids()
    )


# --- honoraria ---------------------------------------------------------------------------


def can_manage_honoraria(user) -> bool:
    """The honoraria list: coordinators of an institute (to decide their modules'), Finance (to pay
    and export), the state office (to read)."""
    return reads_every_trainer_record(user) or is_finance(user) or coordinates_an_institute(user)


def honoraria_visible_to(user: User) -> QuerySet[Honorarium]:
    """Every honorarium for Finance, the state office and superusers; the module's for its
    coordinators; one's own for everyone else."""
    if not user.is_authenticated:
        return Honorarium.objects.none()
    if reads_every_trainer_record(user) or is_finance(user):
        return Honorarium.objects.all()
    return Honorarium.objects.filter(Q(trainer=user) | Q(report__module__in=coordinated_modules(user)))


def can_view_honorarium(user, honorarium: Honorarium) -> bool:
    if not user.is_authenticated:
        return False
    if honorarium.trainer_id == user.pk or reads_every_trainer_record(user) or is_finance(user):
        return True
    return coordinates_module(user, honorarium.report.module_id)


def can_decide_honorarium(user, honorarium: Honorarium | None = None) -> bool:
    """The coordinators of the report's module approve or decline it, never their own. Without an
    honorarium: whether ``user`` decides any (the list's column)."""
    if honorarium is None:
        return user.is_authenticated and (user.is_superuser or coordinates_an_institute(user))
    return honorarium.trainer_id != user.pk and coordinates_module(user, honorarium.report.module_id)


def can_pay_honorarium(user, honorarium: Honorarium | None = None) -> bool:
    if not is_finance(user):
        return False
    return honorarium is None or honorarium.trainer_id != user.pk


def can_export_honoraria(user) -> bool:
    return is_finance(user)


# --- turnkey trainings --------------------------------------------------------------------
# The lead trainer plans, publishes and cancels; co-facilitators who accepted run the day with
# them (roster, walk-ins, registrants). Registrants' names and e-mails are for the facilitators,
# coordinators and the state office only; the public sees a published training's page and totals.


def plannable_certifications(user) -> QuerySet[Certification]:
    """The active certifications ``user`` may plan a training under (one per module they hold)."""
    if not user.is_authenticated:
        return Certification.objects.none()
    return Certification.objects.active().filter(participant=user).select_related("module")


def facilitates(user, training: TurnkeyTraining) -> bool:
    """The lead trainer, or a co-facilitator who accepted."""
    if not user.is_authenticated:
        return False
    if training.trainer_id == user.pk:
        return True
    return training.co_facilitations.filter(person=user, status=CoFacilitator.Status.ACCEPTED).exists()


def can_plan_training(user, training: TurnkeyTraining) -> bool:
    """Editing, publishing, cancelling and inviting co-facilitators: the lead trainer only."""
    return user.is_authenticated and training.trainer_id == user.pk


def can_answer_co_facilitation(user, invitation: CoFacilitator) -> bool:
    """Only the colleague invited answers an invitation to co-facilitate."""
    return user.is_authenticated and invitation.person_id == user.pk


def can_run_training(user, training: TurnkeyTraining) -> bool:
    """Taking attendance and adding walk-ins: whoever facilitates it."""
    return facilitates(user, training)


def can_see_registrants(user, training: TurnkeyTraining) -> bool:
    return facilitates(user, training) or sees_program_results(user)


def can_view_training(user, training: TurnkeyTraining) -> bool:
    """The training's own page (not its public one): facilitators, invited co-facilitators,
    coordinators and the state office."""
    if not user.is_authenticated:
        return False
    if can_see_registrants(user, training):
        return True
    return training.co_facilitations.filter(person=user).exists()


def trainings_visible_to(user) -> QuerySet[TurnkeyTraining]:
    """Coordinators and the state office see every planned training; a trainer their own."""
    if sees_program_results(user):
        return TurnkeyTraining.objects.all()
    if not user.is_authenticated:
        return TurnkeyTraining.objects.none()
    return TurnkeyTraining.objects.facilitated_by(user)


# --- the day of a training (trainers/attendance.py) ----------------------------------------


def can_report_training(user, training: TurnkeyTraining) -> bool:
    """The facilitation report made from a held training: its lead trainer files it, once."""
    return (
        can_plan_training(user, training)
        and training.status == TurnkeyTraining.Status.HELD
        and training.report_id is None
    )


def can_see_training_results(user, training: TurnkeyTraining) -> bool:
    """What participants said: the facilitators (folded under five answers, see
    ``attendance.survey_results``), coordinators and the state office (every answer)."""
    return facilitates(user, training) or sees_program_results(user)


# --- awards and impact stories --------------------------------------------------------------
# A certified trainer records them on their own profile; a staff coordinator on anyone's. Only a
# coordinator decides which the public sees (the directory and the public impact page), and never
# for their own profile. The state office reads them all and changes none.


def can_record_recognition(user, trainer: User) -> bool:
    if is_coordinator(user):
        return True
    return user.is_authenticated and trainer.pk == user.pk and user.certifications.exists()


def can_edit_recognition(user, recognition: Recognition) -> bool:
    return user.is_authenticated and (recognition.trainer_id == user.pk or is_coordinator(user))


def can_publish_recognition(user, recognition: Recognition | None = None) -> bool:
    if not is_coordinator(user):
        return False
    return recognition is None or recognition.trainer_id != user.pk


def recognitions_visible_to(user) -> QuerySet[Recognition]:
    if sees_program_results(user):
        return Recognition.objects.all()
    if not user.is_authenticated:
        return Recognition.objects.none()
    return Recognition.objects.filter(trainer=user)


# --- mentoring ---------------------------------------------------------------------------
# A mentor sees their active mentees' progress and nothing of anyone else's; the coordinator of
# the mentee's institute pairs and sees the pairing. Institutes asks ``is_mentor_of_application``
# (registered in TrainersConfig.ready) for its practice pages.


def can_offer_to_mentor(user) -> bool:
    """Certified trainers offer to mentor (a module they hold an active certification for)."""
    return user.is_authenticated and Certification.objects.active().filter(participant=user).exists()


def is_mentor_of_application(user, application) -> bool:
    return Mentorship.objects.active().filter(mentor_id=user.pk, application_id=application.pk).exists()


def can_view_mentee(user, mentorship: Mentorship) -> bool:
    """The mentor, while the pairing is active, and the coordinator of the mentee's institute."""
    if not user.is_authenticated:
        return False
    if mentorship.mentor_id == user.pk and mentorship.is_active:
        return True
    return is_institute_coordinator(user, mentorship.application.institute)


def can_log_meeting(user, mentorship: Mentorship) -> bool:
    return user.is_authenticated and mentorship.mentor_id == user.pk and mentorship.is_active


def can_pair_mentors(user, institute: Institute) -> bool:
    """The coordinator of the institute whose participants get mentors."""
    return is_institute_coordinator(user, institute)


# --- requests from agencies (trainers/training_requests.py) ----------------------------------
# Staff of an agency (an agency on their profile) ask; they see their own requests. Staff-wide
# coordinators see every request, match and decide. A trainer sees an offer made to them, and
# only that, from the offer's page.


def can_make_request(user) -> bool:
    return user.is_authenticated and user.agency_id is not None


def can_coordinate_requests(user) -> bool:
    return is_coordinator(user)


def can_view_request(user, req: TrainingRequest) -> bool:
    if not user.is_authenticated:
        return False
    return req.requester_id == user.pk or can_coordinate_requests(user)


def can_answer_offer(user, offer: RequestOffer) -> bool:
    """The trainer the request was offered to, and nobody else."""
    return user.is_authenticated and offer.trainer_id == user.pk
