from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.models import AuditEntry, OutboundEmail
from tests.factories import coordinator, finance
from tests.trainers.factories import (
    HonorariumFactory,
    ModuleFactory,
    RateFactory,
    ReportFactory,
    certified_trainer,
)
from trainers import services
from trainers.models import Certification, FacilitationReport, Honorarium, HonorariumRate

pytestmark = pytest.mark.django_db


def _kinds() -> list[str]:
    return list(OutboundEmail.objects.order_by("pk").values_list("kind", flat=True))


def test_revoke_certification_records_reason_and_emails():
    _trainer, certification = certified_trainer()
    staff = coordinator()
    services.revoke_certification(certification, by=staff, reason="Did not attend every session.")
    certification.refresh_from_db()
    assert certification.status == Certification.Status.REVOKED
    assert certification.revoked_reason == "Did not attend every session."
    assert _kinds() == ["trainers.certification_revoked"]
    change = services.history(certification).get()
    assert (change.from_status, change.to_status, change.actor) == ("active", "revoked", staff)


def test_revoke_certification_twice_is_quiet():
    _, certification = certified_trainer()
    services.revoke_certification(certification, by=None, reason="Reason")
    services.revoke_certification(certification, by=None, reason="Another reason")
    certification.refresh_from_db()
    assert certification.revoked_reason == "Reason"
    assert AuditEntry.objects.filter(to_status="revoked").count() == 1


def test_revoke_certification_needs_a_reason():
    _, certification = certified_trainer()
    with pytest.raises(services.TrainerError):
        services.revoke_certification(certification, by=None, reason="  ")


def _new_report(trainer, module, **kwargs) -> FacilitationReport:
    report = ReportFactory.build(trainer=trainer, module=module, **kwargs)
    return report


def test_submit_report_by_certified_trainer():
    trainer, certification = certified_trainer()
    colleague, _ = certified_trainer(certification.module)
    report = services.submit_report(
        _new_report(trainer, certification.module), by=trainer, co_facilitators=[colleague]
    )
    assert report.status == FacilitationReport.Status.SUBMITTED
    assert list(report.co_facilitators.all()) == [colleague]


def test_submit_report_refused_without_certification_in_module():
    trainer, _ = certified_trainer()
    with pytest.raises(services.TrainerError, match="once you are certified"):
        services.submit_report(_new_report(trainer, ModuleFactory()), by=trainer)


def test_submit_report_refused_for_someone_else():
    trainer, certification = certified_trainer()
    other, _ = certified_trainer(certification.module)
    with pytest.raises(services.TrainerError):
        services.submit_report(_new_report(trainer, certification.module), by=other)


def test_submit_report_refuses_uncertified_co_facilitator():
    trainer, certification = certified_trainer()
    stranger, revoked = certified_trainer(certification.module)
    services.revoke_certification(revoked, by=None, reason="x")
    with pytest.raises(services.TrainerError, match="certified trainers"):
        services.submit_report(
            _new_report(trainer, certification.module), by=trainer, co_facilitators=[stranger]
        )


def test_submit_report_refuses_future_training():
    trainer, certification = certified_trainer()
    report = _new_report(trainer, certification.module, starts_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(services.TrainerError, match="future"):
        services.submit_report(report, by=trainer)


def test_verify_report_emails_every_facilitator_and_fulfils():
    trainer, certification = certified_trainer()
    colleague, colleague_cert = certified_trainer(certification.module)
    report = ReportFactory(trainer=trainer, module=certification.module, co_facilitators=[colleague])
    services.verify_report(report, by=coordinator(), comment="Thank you")
    report.refresh_from_db()
    assert report.status == FacilitationReport.Status.VERIFIED
    assert _kinds() == ["trainers.report_verified", "trainers.report_verified"]
    assert certification.commitment_state() == "fulfilled"
    assert colleague_cert.commitment_state() == "fulfilled"


def test_return_then_resubmit_then_verify():
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    staff = coordinator()
    services.return_report(report, by=staff, comment="Please attach the sign-in sheet.")
    report.refresh_from_db()
    assert report.status == FacilitationReport.Status.RETURNED
    services.submit_report(report, by=trainer)
    services.return_report(report, by=staff, comment="Still missing.")
    services.submit_report(report, by=trainer)
    services.verify_report(report, by=staff)
    assert [c.to_status for c in services.history(report)] == [
        "returned",
        "submitted",
        "returned",
        "submitted",
        "verified",
    ]
    assert _kinds().count("trainers.report_returned") == 2


def test_verified_report_cannot_be_returned():
    trainer, certification = certified_trainer()
    report = ReportFactory(
        trainer=trainer, module=certification.module, status=FacilitationReport.Status.VERIFIED
    )
    with pytest.raises(services.TrainerError):
        services.return_report(report, by=coordinator(), comment="Too late")


def test_request_honorarium_amount_from_rate_in_force_on_training_date():
    trainer, certification = certified_trainer()
    day = timezone.localdate() - timedelta(days=20)
    RateFactory(
        module=certification.module, effective_from=day - timedelta(days=100), amount=Decimal("250.00")
    )
    RateFactory(
        module=certification.module,
        effective_from=day - timedelta(days=1),
        basis=HonorariumRate.Basis.PER_HOUR,
        amount=Decimal("75.25"),
    )
    RateFactory(module=certification.module, effective_from=day + timedelta(days=1), amount=Decimal("999.00"))
    report = ReportFactory(
        trainer=trainer,
        module=certification.module,
        starts_on=day,
        hours=Decimal("2.5"),
        status=FacilitationReport.Status.VERIFIED,
    )
    honorarium = services.request_honorarium(report, by=trainer)
    honorarium.refresh_from_db()
    assert honorarium.amount == Decimal("188.13")
    assert honorarium.status == Honorarium.Status.REQUESTED


def test_request_honorarium_once_per_trainer_and_report():
    trainer, certification = certified_trainer()
    colleague, _ = certified_trainer(certification.module)
    RateFactory(module=certification.module)
    report = ReportFactory(
        trainer=trainer,
        module=certification.module,
        status=FacilitationReport.Status.VERIFIED,
        co_facilitators=[colleague],
    )
    first = services.request_honorarium(report, by=trainer)
    again = services.request_honorarium(report, by=trainer)
    theirs = services.request_honorarium(report, by=colleague)
    assert first.pk == again.pk
    assert theirs.pk != first.pk
    assert Honorarium.objects.count() == 2


def test_request_honorarium_refused_before_verification_or_without_rate():
    trainer, certification = certified_trainer()
    report = ReportFactory(trainer=trainer, module=certification.module)
    with pytest.raises(services.TrainerError, match="verified"):
        services.request_honorarium(report, by=trainer)
    report.status = FacilitationReport.Status.VERIFIED
    report.save()
    with pytest.raises(services.TrainerError, match="no honorarium rate"):
        services.request_honorarium(report, by=trainer)


def test_request_honorarium_refused_for_someone_not_on_the_report():
    trainer, certification = certified_trainer()
    stranger, _ = certified_trainer(certification.module)
    RateFactory(module=certification.module)
    report = ReportFactory(
        trainer=trainer, module=certification.module, status=FacilitationReport.Status.VERIFIED
    )
    with pytest.raises(services.TrainerError):
        services.request_honorarium(report, by=stranger)


def test_honorarium_approve_then_pay():
    honorarium = HonorariumFactory()
    services.approve_honorarium(honorarium, by=coordinator())
    services.mark_honorarium_paid(
        honorarium, by=finance(), reference="CHK-1042", paid_on=timezone.localdate()
    )
    honorarium.refresh_from_db()
    assert honorarium.status == Honorarium.Status.PAID
    assert honorarium.payment_reference == "CHK-1042"
    assert _kinds() == ["trainers.honorarium_approved", "trainers.honorarium_paid"]


def test_paying_a_paid_honorarium_again_says_so_and_keeps_the_first_record():
    honorarium = HonorariumFactory()
    services.approve_honorarium(honorarium, by=coordinator())
    services.mark_honorarium_paid(
        honorarium, by=finance(), reference="CHK-1042", paid_on=timezone.localdate()
    )
    with pytest.raises(services.TrainerError, match=r"already marked paid .* CHK-1042"):
        services.mark_honorarium_paid(honorarium, by=finance(), reference="CHK-2000")
    honorarium.refresh_from_db()
    assert honorarium.payment_reference == "CHK-1042"
    assert _kinds() == ["trainers.honorarium_approved", "trainers.honorarium_paid"]  # paid once


def test_honorarium_cannot_be_paid_before_approval():
    honorarium = HonorariumFactory()
    with pytest.raises(services.TrainerError):
        services.mark_honorarium_paid(honorarium, by=finance(), reference="X")


def test_honorarium_reject_needs_reason_and_is_final():
    honorarium = HonorariumFactory()
    with pytest.raises(services.TrainerError):
        services.reject_honorarium(honorarium, by=coordinator(), reason="")
    services.reject_honorarium(honorarium, by=coordinator(), reason="Training was outside the program.")
    honorarium.refresh_from_db()
    assert honorarium.status == Honorarium.Status.REJECTED
    with pytest.raises(services.TrainerError):
        services.approve_honorarium(honorarium, by=coordinator())
