from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.trainers.factories import (
    CertificationFactory,
    ModuleFactory,
    RateFactory,
    ReportFactory,
    certified_trainer,
)
from trainers.models import (
    Certification,
    CommitmentState,
    FacilitationReport,
    HonorariumRate,
    commitment_state,
    rate_in_force,
    state_on,
)

ISSUED = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (0, CommitmentState.ON_TRACK),
        (304, CommitmentState.ON_TRACK),
        (305, CommitmentState.DUE_SOON),
        (365, CommitmentState.DUE_SOON),
        (366, CommitmentState.LAPSED),
    ],
)
def test_state_on_boundary_days(day, expected):
    assert state_on(ISSUED, None, ISSUED + timedelta(days=day)) == expected


@pytest.mark.parametrize("day", [0, 305, 365, 366])
def test_state_on_is_fulfilled_once_a_training_counted(day):
    assert (
        state_on(ISSUED, ISSUED + timedelta(days=3), ISSUED + timedelta(days=day))
        == CommitmentState.FULFILLED
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected"),
    [(0, "on_track"), (305, "due_soon"), (365, "due_soon"), (366, "lapsed")],
)
def test_commitment_state_and_annotation_agree_on_boundary_days(day, expected):
    certification = CertificationFactory(issued_on=ISSUED)
    today = ISSUED + timedelta(days=day)
    annotated = Certification.objects.with_commitment(today).get(pk=certification.pk)
    assert commitment_state(certification, today) == expected
    assert annotated.commitment == expected
    assert commitment_state(annotated, today) == expected


@pytest.mark.django_db
def test_commitment_deadline_is_365_days_after_issue():
    certification = CertificationFactory(issued_on=ISSUED)
    assert certification.commitment_ends_on == date(2027, 1, 15)
    assert certification.days_left(ISSUED + timedelta(days=305)) == 60
    assert certification.days_left(ISSUED + timedelta(days=366)) == -1


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "fulfils"), [(0, True), (365, True), (366, False), (-1, False)])
def test_verified_report_fulfils_only_inside_the_window(day, fulfils):
    trainer, certification = certified_trainer()
    certification.issued_on = ISSUED
    certification.save()
    ReportFactory(
        trainer=trainer,
        module=certification.module,
        starts_on=ISSUED + timedelta(days=day),
        status=FacilitationReport.Status.VERIFIED,
    )
    today = ISSUED + timedelta(days=400)
    expected = CommitmentState.FULFILLED if fulfils else CommitmentState.LAPSED
    assert commitment_state(certification, today) == expected
    assert Certification.objects.with_commitment(today).get(pk=certification.pk).commitment == expected


@pytest.mark.django_db
def test_submitted_or_returned_report_does_not_fulfil():
    trainer, certification = certified_trainer(days_ago=10)
    ReportFactory(trainer=trainer, module=certification.module, starts_on=certification.issued_on)
    ReportFactory(
        trainer=trainer,
        module=certification.module,
        starts_on=certification.issued_on,
        status=FacilitationReport.Status.RETURNED,
    )
    assert commitment_state(certification) == CommitmentState.ON_TRACK


@pytest.mark.django_db
def test_verified_report_fulfils_co_facilitator_certified_in_that_module_only():
    module = ModuleFactory()
    trainer, _ = certified_trainer(module, days_ago=50)
    colleague, colleague_cert = certified_trainer(module, days_ago=50)
    other, other_cert = certified_trainer(ModuleFactory(), days_ago=50)
    ReportFactory(
        trainer=trainer,
        module=module,
        status=FacilitationReport.Status.VERIFIED,
        co_facilitators=[colleague, other],
    )
    states = dict(Certification.objects.with_commitment().values_list("pk", "commitment"))
    assert states[colleague_cert.pk] == "fulfilled"
    assert states[other_cert.pk] == "on_track"
    assert commitment_state(colleague_cert) == CommitmentState.FULFILLED


@pytest.mark.django_db
def test_rate_in_force_on_a_date():
    module = ModuleFactory()
    old = RateFactory(module=module, effective_from=date(2025, 7, 1), amount=Decimal("250.00"))
    new = RateFactory(module=module, effective_from=date(2026, 7, 1), amount=Decimal("300.00"))
    RateFactory(effective_from=date(2026, 1, 1))  # another module's rate never applies
    assert rate_in_force(module, date(2025, 6, 30)) is None
    assert rate_in_force(module, date(2025, 7, 1)) == old
    assert rate_in_force(module, date(2026, 6, 30)) == old
    assert rate_in_force(module, date(2026, 7, 1)) == new
    assert rate_in_force(module.pk, date(2030, 1, 1)) == new


@pytest.mark.django_db
def test_rate_amount_per_hour_is_decimal_to_the_cent():
    rate = RateFactory(basis=HonorariumRate.Basis.PER_HOUR, amount=Decimal("62.50"))
    report = ReportFactory(module=rate.module, hours=Decimal("3.5"))
    amount = rate.amount_for(report)
    assert amount == Decimal("218.75")
    assert isinstance(amount, Decimal)


@pytest.mark.django_db
def test_certification_codes_are_unique_and_long():
    codes = {CertificationFactory().code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) >= 20 for code in codes)
