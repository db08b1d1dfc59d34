"""Who may see and do what in the trainers app. Views call these; nothing else decides access.

A trainer sees only their own reports (as filer or co-facilitator) and their own honoraria;
coordinators review reports and decide honoraria; Finance pays and exports.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.models import User
from trainers.models import Certification, FacilitationReport, Honorarium


def _coordinator(user) -> bool:
    return user.is_authenticated and user.is_coordinator


def _finance(user) -> bool:
    return user.is_authenticated and user.is_finance


# --- certifications ----------------------------------------------------------------------


def can_certify(user, institute) -> bool:
    """Coordinators of this institute (or superusers) certify its participants."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from institutes.models import InstituteCoordinator

    return (
        user.is_coordinator
        and InstituteCoordinator.objects.active().filter(user=user, institute=institute).exists()
    )


def can_view_certificate(user, certification: Certification) -> bool:
    return user.is_authenticated and (certification.participant_id == user.pk or _coordinator(user))


def can_revoke_certification(user, certification: Certification) -> bool:
    if not _coordinator(user):
        return False
    if certification.institute_id is None:
        return user.is_superuser or user.is_coordinator
    return can_certify(user, certification.institute)


# --- reports -----------------------------------------------------------------------------


def reports_visible_to(user: User) -> QuerySet[FacilitationReport]:
    if _coordinator(user):
        return FacilitationReport.objects.all()
    return FacilitationReport.objects.filter(Q(trainer=user) | Q(co_facilitators=user)).distinct()


def can_view_report(user, report: FacilitationReport) -> bool:
    if not user.is_authenticated:
        return False
    return _coordinator(user) or user.pk in report.facilitator_ids()


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
    if not _coordinator(user):
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
    return _coordinator(user) or _finance(user)


def honoraria_visible_to(user: User) -> QuerySet[Honorarium]:
    if can_manage_honoraria(user):
        return Honorarium.objects.all()
    return Honorarium.objects.filter(trainer=user)


def can_view_honorarium(user, honorarium: Honorarium) -> bool:
    return user.is_authenticated and (honorarium.trainer_id == user.pk or can_manage_honoraria(user))


def can_decide_honorarium(user, honorarium: Honorarium | None = None) -> bool:
    if not _coordinator(user):
        return False
    return honorarium is None or honorarium.trainer_id != user.pk


def can_pay_honorarium(user, honorarium: Honorarium | None = None) -> bool:
    if not _finance(user):
        return False
    return honorarium is None or honorarium.trainer_id != user.pk


def can_export_honoraria(user) -> bool:
    return _finance(user)
