"""Who may see and do what in the trainers app. Views call these; nothing else decides access.

A trainer sees only their own reports (as filer or co-facilitator) and their own honoraria.
Two coordinator rules, each defined once elsewhere and only used here:

- about one institute's participants (certifying its roster, taking a certification from it
  back): the coordinator of THAT institute, ``institutes.permissions.is_institute_coordinator``;
- about the whole state's work (verifying facilitation reports, deciding honoraria, the
  commitments and the overview): the state office's staff, ``portal.access.is_coordinator``.

Finance pays and exports honoraria (``portal.access.is_finance``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from institutes.models import Institute
from institutes.permissions import is_institute_coordinator
from portal.access import is_coordinator, is_finance
from portal.models import User
from trainers.models import Certification, FacilitationReport, Honorarium

# --- certifications ----------------------------------------------------------------------


def can_certify(user, institute: Institute) -> bool:
    """The coordinator of this institute certifies those who completed it: they kept its
    attendance, assignments and practice, and the Coordinators group alone does not make
    anyone responsible for one institute's roster."""
    return is_institute_coordinator(user, institute)


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
