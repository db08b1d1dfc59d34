"""Every write in the trainers app that carries a rule: certify, report, review, pay.

Each state move re-reads its row under ``select_for_update``, returns quietly when the row is
already where it was asked to go, refuses a move the table does not allow, records who did it
in the portal's audit trail (``portal.states``) and queues the e-mail through the portal's one
e-mail path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from portal import states
from portal.emails import absolute_url, queue_email
from portal.models import AuditEntry, User
from portal.states import DomainError
from trainers.models import (
    Certification,
    FacilitationReport,
    Honorarium,
    TrainerProfile,
    TurnkeyTraining,
    rate_in_force,
)
from trainers.models.certification import add_months


class TrainerError(DomainError):
    """A rule said no; the message is written for the person who tried."""


# --- shared steps ------------------------------------------------------------------------


def _record(
    obj: models.Model, *, from_status: str, to_status: str, by: User | None, note: str = ""
) -> AuditEntry:
    """A new row's first state, in the portal's audit trail."""
    return states.record(
        obj, action=f"status:{to_status}", by=by, from_status=from_status, to_status=to_status, note=note
    )


def _locked(obj):
    return states.lock(obj)


def _move(obj, to: str, *, by: User | None, note: str = "", **fields) -> AuditEntry | None:
    """One allowed state move, through the portal's one helper (None: already there)."""
    return states.move(obj, to, by=by, note=note, allowed=obj.MOVES, error=TrainerError, **fields)


def _mail(
    user: User, *, kind: str, template: str, subject: str, about, milestone: str = "", **context
) -> None:
    queue_email(
        to=user.email,
        kind=kind,
        template=f"trainers/emails/{template}",
        subject=subject,
        context={"person": user, **context},
        about=about,
        milestone=milestone,
        user=user,
    )


def history(obj: models.Model):
    return states.history(obj)


# --- certification -----------------------------------------------------------------------


@dataclass
class CertifyResult:
    certified: list[Certification] = field(default_factory=list)
    already: list[Certification] = field(default_factory=list)
    refused: list[tuple[User, list[str]]] = field(default_factory=list)


def _roster_row(institute, participant: User):
    from institutes.services import completion_roster

    return next((row for row in completion_roster(institute) if row.participant.pk == participant.pk), None)


def _issue(
    institute, participant: User, *, by: User | None, issued_on: date | None = None
) -> tuple[Certification, bool]:
    """Create the certification (or return the existing one). True when it is new."""
    existing = Certification.objects.filter(participant=participant, institute=institute).first()
    if existing is not None:
        return existing, False
    issued_on = issued_on or timezone.localdate()
    months = institute.module.certification_valid_months
    try:
        with transaction.atomic():
            certification = Certification.objects.create(
                participant=participant,
                module=institute.module,
                institute=institute,
                issued_on=issued_on,
                valid_until=add_months(issued_on, months) - timedelta(days=1) if months else None,
                issued_by=by,
            )
    except IntegrityError:  # a second coordinator certified the same person a moment ago
        return Certification.objects.get(participant=participant, institute=institute), False
    _record(
        certification, from_status="", to_status=certification.status, by=by, note=f"Completed {institute}"
    )
    _mail(
        participant,
        kind="trainers.certified",
        template="certified",
        subject=f"You are a certified trainer for {certification.module}",
        about=certification,
        certification=certification,
        certificate_url=absolute_url(certification.get_absolute_url()),
        verify_url=absolute_url(certification.get_verify_url()),
    )
    return certification, True


def holds_active_certification(user: User, module) -> bool:
    return Certification.objects.filter(
        participant=user, module=module, status=Certification.Status.ACTIVE
    ).exists()


def _refuse_uncertifying(institute) -> None:
    if not institute.certifies:
        raise TrainerError(
            f"{institute.title} is a {institute.get_kind_display().lower()}: its participants are not "
            "certified and take on no facilitation commitment."
        )


def certify_participant(institute, participant: User, *, by: User | None) -> Certification:
    """Certify one participant who completed ``institute``; refuse with the reasons otherwise."""
    _refuse_uncertifying(institute)
    row = _roster_row(institute, participant)
    if row is None:
        raise TrainerError(f"{participant} is not an accepted participant of {institute}.")
    if not row.complete:
        raise TrainerError(
            f"{participant} has not completed the institute yet: " + "; ".join(row.missing) + "."
        )
    with transaction.atomic():
        certification, _ = _issue(institute, participant, by=by)
    return certification


def certify_completed(institute, by: User | None) -> CertifyResult:
    """Certify everyone on the roster who completed; list the others with what they lack."""
    from institutes.services import completion_roster

    _refuse_uncertifying(institute)
    result = CertifyResult()
    with transaction.atomic():
        for row in completion_roster(institute):
            if not row.complete:
                result.refused.append((row.participant, row.missing))
                continue
            certification, new = _issue(institute, row.participant, by=by)
            (result.certified if new else result.already).append(certification)
    return result


def revoke_certification(certification: Certification, *, by: User | None, reason: str) -> Certification:
    reason = reason.strip()
    if not reason:
        raise TrainerError("Please give the reason for revoking this certification.")
    with transaction.atomic():
        certification = _locked(certification)
        if certification.status == Certification.Status.REVOKED:
            return certification
        _move(
            certification,
            Certification.Status.REVOKED,
            by=by,
            note=reason,
            revoked_reason=reason,
            revoked_at=timezone.now(),
        )
        _mail(
            certification.participant,
            kind="trainers.certification_revoked",
            template="certification_revoked",
            subject=f"Your certification for {certification.module} has been revoked",
            about=certification,
            certification=certification,
            reason=reason,
        )
    return certification


RENEWAL_WINDOW_DAYS = 90


def renewal_opens_on(certification: Certification) -> date | None:
    """The first day a coordinator may renew (None: it does not expire)."""
    if certification.valid_until is None:
        return None
    return certification.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def renew_certification(certification: Certification, *, by: User | None, note: str = "") -> Certification:
    """A new period for a certification that expires: from today, keeping any days still left.

    Open from 90 days before the last valid day, and any time after it has passed; a revoked
    certification is not renewed. The badge the trainer downloads next carries the new period.
    """
    with transaction.atomic():
        certification = states.lock(certification, "module", "participant")
        months = certification.module.certification_valid_months
        if certification.status != Certification.Status.ACTIVE:
            raise TrainerError("This certification is revoked, so it can't be renewed.")
        if certification.valid_until is None or not months:
            raise TrainerError(
                f"Certification in {certification.module} does not expire, so there is nothing to renew."
            )
        today = timezone.localdate()
        opens_on = renewal_opens_on(certification)
        if today < opens_on:
            raise TrainerError(
                f"This certification is valid until {certification.valid_until:%B %-d, %Y}; "
                f"it can be renewed from {opens_on:%B %-d, %Y}."
            )
        before = certification.valid_until
        start = max(today, before + timedelta(days=1))
        certification.valid_until = add_months(start, months) - timedelta(days=1)
        certification.renewed_on = today
        certification.save(update_fields=["valid_until", "renewed_on", "updated_at"])
        states.record(
            certification,
            action="renewed",
            by=by,
            note=note.strip(),
            details={
                "valid_until_before": before.isoformat(),
                "valid_until": certification.valid_until.isoformat(),
            },
        )
        _mail(
            certification.participant,
            kind="trainers.certification_renewed",
            template="certification_renewed",
            subject=f"Your certification for {certification.module} is renewed",
            about=certification,
            milestone=certification.valid_until.isoformat(),
            certification=certification,
            certificate_url=absolute_url(certification.get_absolute_url()),
        )
    return certification


# --- facilitation reports ----------------------------------------------------------------


def _check_report(report: FacilitationReport, co_facilitators, *, from_training: bool) -> None:
    if not (report.agenda and report.sign_in_sheet) and not from_training:
        raise TrainerError(
            "Attach the agenda and the sign-in sheet: they are the evidence of a training held outside the portal."
        )
    if report.starts_on > timezone.localdate():
        raise TrainerError("Report a training once it has taken place: the first day is in the future.")
    if (
        not Certification.objects.active()
        .filter(participant_id=report.trainer_id, module_id=report.module_id)
        .exists()
    ):
        raise TrainerError(f"You can report trainings of {report.module} once you are certified in it.")
    if any(u.pk == report.trainer_id for u in co_facilitators):
        raise TrainerError("List the other facilitators only; you are already on the report.")
    others = {u.pk for u in co_facilitators}
    certified = set(
        Certification.objects.active()
        .filter(participant_id__in=others)
        .values_list("participant_id", flat=True)
    )
    if others - certified:
        raise TrainerError("Co-facilitators must be certified trainers.")


def submit_report(
    report: FacilitationReport, *, by: User, co_facilitators=(), from_training: bool = False
) -> FacilitationReport:
    """File a new report, or resubmit a returned one after changes.

    A report made from a turnkey training (``from_training``, or linked to one already) has the
    training's attendance as its evidence; any other needs the agenda and the sign-in sheet.
    """
    co_facilitators = list(co_facilitators)
    if report.trainer_id != by.pk:
        raise TrainerError("You can file reports only for trainings you facilitated.")
    from_training = from_training or (
        report.pk is not None and TurnkeyTraining.objects.filter(report_id=report.pk).exists()
    )
    _check_report(report, co_facilitators, from_training=from_training)
    with transaction.atomic():
        if report.pk is None:
            report.status = FacilitationReport.Status.SUBMITTED
            report.submitted_at = timezone.now()
            report.save()
            report.co_facilitators.set(co_facilitators)
            _record(report, from_status="", to_status=report.status, by=by)
            return report
        current = _locked(report)
        if current.status == FacilitationReport.Status.VERIFIED:
            raise TrainerError("This report is verified already and can no longer be changed.")
        # The trainer's edits are saved as they are; the status moves only through the helper.
        report.status = current.status
        report.submitted_at = timezone.now()
        report.save()
        report.co_facilitators.set(co_facilitators)
        if current.status == FacilitationReport.Status.RETURNED:
            _move(report, FacilitationReport.Status.SUBMITTED, by=by)
        else:  # a correction before review: no move, but the history says it happened
            _record(report, from_status=current.status, to_status=current.status, by=by)
    return report


def verify_report(report: FacilitationReport, *, by: User, comment: str = "") -> FacilitationReport:
    with transaction.atomic():
        report = _locked(report)
        if report.status == FacilitationReport.Status.VERIFIED:
            return report
        change = _move(
            report,
            FacilitationReport.Status.VERIFIED,
            by=by,
            note=comment,
            review_comment=comment.strip(),
            reviewed_at=timezone.now(),
            reviewed_by=by,
        )
        for person in [report.trainer, *report.co_facilitators.all()]:
            _mail(
                person,
                kind="trainers.report_verified",
                template="report_verified",
                subject=f"Your {report.module} training on {report.starts_on:%B %-d} is verified",
                about=report,
                milestone=f"audit-{change.pk}",
                report=report,
                report_url=absolute_url(report.get_absolute_url()),
            )
    return report


def return_report(report: FacilitationReport, *, by: User, comment: str) -> FacilitationReport:
    comment = comment.strip()
    if not comment:
        raise TrainerError("Please tell the trainer what to change before returning the report.")
    with transaction.atomic():
        report = _locked(report)
        if report.status == FacilitationReport.Status.RETURNED:
            return report
        change = _move(
            report,
            FacilitationReport.Status.RETURNED,
            by=by,
            note=comment,
            review_comment=comment,
            reviewed_at=timezone.now(),
            reviewed_by=by,
        )
        _mail(
            report.trainer,
            kind="trainers.report_returned",
            template="report_returned",
            subject=f"Your {report.module} report needs a change",
            about=report,
            milestone=f"audit-{change.pk}",
            report=report,
            comment=comment,
            report_url=absolute_url(report.get_absolute_url()),
        )
    return report


# --- honoraria ---------------------------------------------------------------------------


def request_honorarium(report: FacilitationReport, *, by: User) -> Honorarium:
    """A facilitator of a verified report asks for the honorarium at the rate in force that day."""
    if report.status != FacilitationReport.Status.VERIFIED:
        raise TrainerError("An honorarium can be requested once the report is verified.")
    if by.pk not in report.facilitator_ids():
        raise TrainerError("Only the facilitators listed on a report can request its honorarium.")
    existing = Honorarium.objects.filter(trainer=by, report=report).first()
    if existing is not None:
        return existing
    rate = rate_in_force(report.module_id, report.starts_on)
    if rate is None:
        raise TrainerError(
            f"There is no honorarium rate for {report.module} on {report.starts_on:%B %-d, %Y} yet. "
            "Please ask the program office."
        )
    try:
        with transaction.atomic():
            honorarium = Honorarium.objects.create(
                trainer=by, report=report, rate=rate, amount=rate.amount_for(report)
            )
            _record(honorarium, from_status="", to_status=honorarium.status, by=by)
    except IntegrityError:  # a double click: the first request stands
        return Honorarium.objects.get(trainer=by, report=report)
    return honorarium


def approve_honorarium(honorarium: Honorarium, *, by: User, note: str = "") -> Honorarium:
    with transaction.atomic():
        honorarium = _locked(honorarium)
        if honorarium.status == Honorarium.Status.APPROVED:
            return honorarium
        _move(
            honorarium, Honorarium.Status.APPROVED, by=by, note=note, decided_at=timezone.now(), decided_by=by
        )
        _mail(
            honorarium.trainer,
            kind="trainers.honorarium_approved",
            template="honorarium_approved",
            subject=f"Your honorarium of ${honorarium.amount} is approved",
            about=honorarium,
            honorarium=honorarium,
            honorarium_url=absolute_url(honorarium.get_absolute_url()),
        )
    return honorarium


def reject_honorarium(honorarium: Honorarium, *, by: User, reason: str) -> Honorarium:
    reason = reason.strip()
    if not reason:
        raise TrainerError("Please give the reason, so the trainer knows what happened.")
    with transaction.atomic():
        honorarium = _locked(honorarium)
        if honorarium.status == Honorarium.Status.REJECTED:
            return honorarium
        _move(
            honorarium,
            Honorarium.Status.REJECTED,
            by=by,
            note=reason,
            rejected_reason=reason,
            decided_at=timezone.now(),
            decided_by=by,
        )
        _mail(
            honorarium.trainer,
            kind="trainers.honorarium_rejected",
            template="honorarium_rejected",
            subject="Your honorarium request was not approved",
            about=honorarium,
            honorarium=honorarium,
            reason=reason,
            honorarium_url=absolute_url(honorarium.get_absolute_url()),
        )
    return honorarium


def mark_honorarium_paid(
    honorarium: Honorarium, *, by: User, reference: str, paid_on: date | None = None
) -> Honorarium:
    reference = reference.strip()
    if not reference:
        raise TrainerError("Please enter the payment reference (for example the check or transfer number).")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise TrainerError("The payment date can't be in the future.")
    with transaction.atomic():
        honorarium = _locked(honorarium)
        if honorarium.status == Honorarium.Status.PAID:
            # Paying twice is never silent: the first record stands, and the person is told it.
            raise TrainerError(
                f"This honorarium was already marked paid on {honorarium.paid_on:%B %-d, %Y} with the reference "
                f"{honorarium.payment_reference}. Nothing was changed; if that record is wrong, "
                "ask an administrator to correct it."
            )
        _move(
            honorarium,
            Honorarium.Status.PAID,
            by=by,
            note=reference,
            payment_reference=reference,
            paid_on=paid_on,
            paid_by=by,
        )
        _mail(
            honorarium.trainer,
            kind="trainers.honorarium_paid",
            template="honorarium_paid",
            subject=f"Your honorarium of ${honorarium.amount} has been paid",
            about=honorarium,
            honorarium=honorarium,
            honorarium_url=absolute_url(honorarium.get_absolute_url()),
        )
    return honorarium


# --- directory ---------------------------------------------------------------------------


def save_listing(user: User, *, listed: bool, show_email: bool, bio: str) -> TrainerProfile:
    profile, _ = TrainerProfile.objects.get_or_create(user=user)
    profile.listed = listed
    profile.show_email = show_email
    profile.bio = bio.strip()
    profile.save(update_fields=["listed", "show_email", "bio", "updated_at"])
    return profile
