"""Who may see and do what in the trainers app. Views call these; nothing else decides access.

A trainer sees only their own reports (as filer or co-facilitator) and their own honoraria.
Two coordinator rules, each defined once elsewhere and only used here:

- about one institute's participants (certifying its roster, taking a certification from it
  back): the coordinator of THAT institute, ``institutes.permissions.is_institute_coordinator``;
- about the whole state's work (verifying facilitation reports, deciding honoraria, the
  commitments and the overview): the state office's staff, ``portal.access.is_coordinator``.

Finance pays and exports honoraria (``portal.access.is_finance``). Turnkey trainings: see the
section at the end.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from institutes.models import Institute
from institutes.permissions import is_institute_coordinator
from portal.access import is_coordinator, is_finance, sees_program_results
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

# --- certifications ----------------------------------------------------------------------


def can_certify(user, institute: Institute) -> bool:
    """The coordinator of this institute certifies those who completed it: they kept its
    attendance, assignments and practice, and the Coordinators group alone does not make
    anyone responsible for one institute's roster. A planning network certifies nobody."""
    return institute.certifies and is_institute_coordinator(user, institute)


def can_view_certificate(user, certification: Certification) -> bool:
    if not user.is_authenticated:
        return False
    if certification.participant_id == user.pk or is_coordinator(user):
        return True
    return certification.institute_id is not None and can_certify(user, certification.institute)


def can_revoke_certification(user, certification: Certification) -> bool:
    """Who may certify an institute's roster may take one of its certifications back; one that
    came from no institute is the state office's (staff coordinators)."""
    if certification.institute_id is None:
        return is_coordinator(user)
    return can_certify(user, certification.institute)


def can_renew_certification(user, certification: Certification) -> bool:
    """Who may take a certification back may also give it a new period."""
    return can_revoke_certification(user, certification)


def can_download_credentials(user, certification: Certification) -> bool:
    """The PDF and the badge go to whoever may see the certificate, while it stands."""
    return certification.is_active and can_view_certificate(user, certification)


# --- reports -----------------------------------------------------------------------------


def reports_visible_to(user: User) -> QuerySet[FacilitationReport]:
    if is_coordinator(user):
        return FacilitationReport.objects.all()
    return FacilitationReport.objects.filter(Q(trainer=user) | Q(co_facilitators=user)).distinct()


def can_view_report(user, report: FacilitationReport) -> bool:
    if not user.is_authenticated:
        return False
    return is_coordinator(user) or user.pk in report.facilitator_ids()


def can_file_report(user) -> bool:
    return user.is_authenticated and Certification.objects.active().filter(participant=user).exists()


def can_change_report(user, report: FacilitationReport) -> bool:
    return (
        user.is_authenticated
        and report.trainer_id == user.pk
        and report.status == FacilitationReport.Status.RETURNED
    )


def can_review_report(user, report: FacilitationReport | None = None) -> bool:
    """Coordinators verify or return reports, but never their own."""
    if not is_coordinator(user):
        return False
    return report is None or user.pk not in report.facilitator_ids()


def can_request_honorarium(user, report: FacilitationReport) -> bool:
    return (
        user.is_authenticated
        and report.status == FacilitationReport.Status.VERIFIED
        and user.pk in report.facilitator_ids()
    )


# --- honoraria ---------------------------------------------------------------------------


def can_manage_honoraria(user) -> bool:
    """The honoraria list: coordinators (to decide) and Finance (to pay and export)."""
    return is_coordinator(user) or is_finance(user)


def honoraria_visible_to(user: User) -> QuerySet[Honorarium]:
    if can_manage_honoraria(user):
        return Honorarium.objects.all()
    return Honorarium.objects.filter(trainer=user)


def can_view_honorarium(user, honorarium: Honorarium) -> bool:
    return user.is_authenticated and (honorarium.trainer_id == user.pk or can_manage_honoraria(user))


def can_decide_honorarium(user, honorarium: Honorarium | None = None) -> bool:
    if not is_coordinator(user):
        return False
    return honorarium is None or honorarium.trainer_id != user.pk


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
