"""Certifications, the one-year facilitation commitment, reports, honoraria and directory listings."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone

from portal.models import TimeStampedModel

COMMITMENT_DAYS = 365
DUE_SOON_DAYS = 60


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_code() -> str:
    """An unguessable certificate code, short enough to type: about 120 bits."""
    return secrets.token_urlsafe(15)


class CommitmentState(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    DUE_SOON = "due_soon", "Due soon"
    FULFILLED = "fulfilled", "Fulfilled"
    LAPSED = "lapsed", "Lapsed"


def state_on(issued_on: date, fulfilled_on: date | None, today: date) -> CommitmentState:
    """The commitment's state from its dates alone (day 0 is the issue date, day 365 the last)."""
    if fulfilled_on is not None:
        return CommitmentState.FULFILLED
    deadline = issued_on + timedelta(days=COMMITMENT_DAYS)
    if today > deadline:
        return CommitmentState.LAPSED
    if (deadline - today).days <= DUE_SOON_DAYS:
        return CommitmentState.DUE_SOON
    return CommitmentState.ON_TRACK


def commitment_state(certification: Certification, today: date | None = None) -> CommitmentState:
    """The state of a certification's facilitation commitment on ``today``.

    Uses ``fulfilled_on`` when the queryset annotated it (``with_commitment``), so that lists
    don't query per row; otherwise it looks the first fulfilling report up.
    """
    today = today or timezone.localdate()
    return state_on(certification.issued_on, certification.fulfilled_on, today)


class CertificationQuerySet(models.QuerySet):
    def of_modules(self, modules):
        """Those of ``modules`` (module ids, or a subquery of them: trainers.permissions says whose)."""
        return self.filter(module__in=modules)

    def active(self):
        return self.filter(status=Certification.Status.ACTIVE)

    def with_a_commitment(self):
        """Certifications whose institute's kind carries the one-year commitment (a planning
        network's has none; one certified there before its kind was set reminds nobody)."""
        from institutes.models import Institute

        return self.exclude(institute__kind=Institute.Kind.PLANNING)

    def with_fulfilled_date(self):
        """Annotate ``fulfilled_date``: the first verified training in the commitment's window.

        For lists that only show the state (``commitment_state`` reads it): a third of the
        cost of ``with_commitment``, whose ``Case`` is for filtering and ordering by state.
        """
        fulfilling = (
            FacilitationReport.objects.filter(
                status=FacilitationReport.Status.VERIFIED,
                module=OuterRef("module"),
                starts_on__gte=OuterRef("issued_on"),
                starts_on__lte=OuterRef("commitment_ends_on"),
            )
            .filter(Q(trainer=OuterRef("participant")) | Q(co_facilitators=OuterRef("participant")))
            .order_by("starts_on")
            .values("starts_on")[:1]
        )
        return self.annotate(fulfilled_date=Subquery(fulfilling))

    def with_commitment(self, today: date | None = None):
        """Annotate ``fulfilled_date`` (first fulfilling training) and ``commitment`` (the state).

        The state's boundaries are computed here in Python as dates, so the SQL is the same on
        PostgreSQL and SQLite and matches ``state_on`` exactly.
        """
        today = today or timezone.localdate()
        lapsed_before = today - timedelta(days=COMMITMENT_DAYS)  # deadline < today
        due_from = today - timedelta(days=COMMITMENT_DAYS - DUE_SOON_DAYS)  # deadline - today <= 60
        return self.with_fulfilled_date().annotate(
            commitment=Case(
                When(fulfilled_date__isnull=False, then=Value(CommitmentState.FULFILLED.value)),
                When(issued_on__lt=lapsed_before, then=Value(CommitmentState.LAPSED.value)),
                When(issued_on__lte=due_from, then=Value(CommitmentState.DUE_SOON.value)),
                default=Value(CommitmentState.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )


class Certification(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    MOVES = {Status.ACTIVE: {Status.REVOKED}, Status.REVOKED: set()}

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certifications"
    )
    module = models.ForeignKey("institutes.Module", on_delete=models.PROTECT, related_name="certifications")
    institute = models.ForeignKey(
        "institutes.Institute",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certifications",
    )
    issued_on = models.DateField(default=timezone.localdate)
    commitment_ends_on = models.DateField(
        editable=False, help_text="The last day of the one-year facilitation commitment."
    )
    code = models.CharField(max_length=40, unique=True, default=new_code, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Only in a module whose certification expires (Module.certification_valid_months): the
    # last day it is valid, moved on by each renewal (services.renew_certification).
    valid_until = models.DateField(null=True, blank=True, editable=False)
    renewed_on = models.DateField(null=True, blank=True, editable=False)
    revoked_reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "participant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "institute"], name="one_certification_per_institute"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.module} ({self.issued_on:%b %-d, %Y})"

    def save(self, *args, **kwargs):
        self.commitment_ends_on = self.issued_on + timedelta(days=COMMITMENT_DAYS)
        if kwargs.get("update_fields") is not None and "issued_on" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "commitment_ends_on"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("trainers:certificate", kwargs={"pk": self.pk})

    def get_verify_url(self) -> str:
        return reverse("trainers:verify-code", kwargs={"code": self.code})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def valid_from(self) -> date:
        """The first day of the current period: the issue date, or the latest renewal."""
        return self.renewed_on or self.issued_on

    def is_expired(self, today: date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or timezone.localdate())

    def standing(self, today: date | None = None) -> str:
        """What the verify page says: active, expired or revoked."""
        if not self.is_active:
            return "revoked"
        return "expired" if self.is_expired(today) else "active"

    @property
    def fulfilled_on(self) -> date | None:
        """The first verified training in the window, from the annotation when there is one."""
        if "fulfilled_date" in self.__dict__:
            return self.__dict__["fulfilled_date"]
        return (
            FacilitationReport.objects.filter(
                status=FacilitationReport.Status.VERIFIED,
                module_id=self.module_id,
                starts_on__gte=self.issued_on,
                starts_on__lte=self.commitment_ends_on,
            )
            .filter(Q(trainer_id=self.participant_id) | Q(co_facilitators=self.participant_id))
            .order_by("starts_on")
            .values_list("starts_on", flat=True)
            .first()
        )

    def commitment_state(self, today: date | None = None) -> CommitmentState:
        return commitment_state(self, today)

    def days_left(self, today: date | None = None) -> int:
        """Days until the commitment's last day (0 on the last day, negative once it has passed)."""
        today = today or timezone.localdate()
        return (self.commitment_ends_on - today).days


class FacilitationReportQuerySet(models.QuerySet):
    def of_modules(self, modules):
        """Reports on ``modules`` (module ids, or a subquery of them: trainers.permissions says whose)."""
        return self.filter(module__in=modules)


class FacilitationReport(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        VERIFIED = "verified", "Verified"
        RETURNED = "returned", "Returned for changes"

    MOVES = {
        Status.SUBMITTED: {Status.VERIFIED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.VERIFIED: set(),
    }

    class HostKind(models.TextChoices):
        OWN_AGENCY = "own_agency", "My own agency"
        OTHER_AGENCY = "other_agency", "Another agency"
        REGION = "region", "A regional training"
        PROGRAM_EVENT = "program_event", "A program-organised event (CDE or CALPRO)"

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitation_reports"
    )
    module = models.ForeignKey(
        "institutes.Module", on_delete=models.PROTECT, related_name="facilitation_reports"
    )
    starts_on = models.DateField("first day of the training")
    ends_on = models.DateField("last day of the training", null=True, blank=True)
    hours = models.DecimalField(
        "hours of training you facilitated",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    host_kind = models.CharField("who hosted it", max_length=20, choices=HostKind.choices)
    host_agency = models.ForeignKey(
        "portal.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_trainings"
    )
    audience = models.CharField(max_length=200, help_text="For example: ESL teachers, support staff.")
    participants_count = models.PositiveIntegerField(
        "number of participants", validators=[MinValueValidator(1)]
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_facilitated_reports"
    )
    # Paper evidence: required for a training held outside the portal (ReportForm and the service
    # insist); a report made from a turnkey training has its attendance as the evidence instead.
    agenda = models.FileField(upload_to="trainers/agendas/%Y/%m/", max_length=200, blank=True)
    sign_in_sheet = models.FileField(upload_to="trainers/sign-in/%Y/%m/", max_length=200, blank=True)
    reflection = models.TextField(
        max_length=4000, help_text="A few sentences: what went well, what you'd change."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FacilitationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="report_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.module} on {self.starts_on:%b %-d, %Y} by {self.trainer}"

    def get_absolute_url(self) -> str:
        return reverse("trainers:report-detail", kwargs={"pk": self.pk})

    def facilitator_ids(self) -> set[int]:
        return {self.trainer_id, *(u.pk for u in self.co_facilitators.all())}


class HonorariumRateQuerySet(models.QuerySet):
    def in_force(self, module, on_date: date) -> HonorariumRate | None:
        module_id = getattr(module, "pk", module)
        return (
            self.filter(module_id=module_id, effective_from__lte=on_date).order_by("-effective_from").first()
        )


class HonorariumRate(TimeStampedModel):
    """The admin-kept rate table: a new row takes effect on its date; old rows stay for history."""

    class Basis(models.TextChoices):
        PER_HOUR = "per_hour", "Per hour"
        PER_TRAINING = "per_training", "Per training"

    module = models.ForeignKey("institutes.Module", on_delete=models.PROTECT, related_name="honorarium_rates")
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.PER_TRAINING)
    amount = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    effective_from = models.DateField()

    objects = HonorariumRateQuerySet.as_manager()

    class Meta:
        ordering = ["module__title", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["module", "effective_from"], name="one_rate_per_module_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.module}: ${self.amount} {self.get_basis_display().lower()} from {self.effective_from}"

    def amount_for(self, report: FacilitationReport) -> Decimal:
        if self.basis == self.Basis.PER_HOUR:
            return (self.amount * report.hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return self.amount


def rate_in_force(module, on_date: date) -> HonorariumRate | None:
    """The rate for ``module`` that took effect most recently on or before ``on_date``."""
    return HonorariumRate.objects.in_force(module, on_date)


class HonorariumQuerySet(models.QuerySet):
    def of_modules(self, modules):
        """Honoraria for reports on ``modules`` (module ids, or a subquery of them)."""
        return self.filter(report__module__in=modules)


class Honorarium(TimeStampedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"
        PAID = "paid", "Paid"

    MOVES = {
        Status.REQUESTED: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: {Status.PAID, Status.REJECTED},
        Status.REJECTED: set(),
        Status.PAID: set(),
    }

    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="honoraria")
    report = models.ForeignKey(FacilitationReport, on_delete=models.PROTECT, related_name="honoraria")
    rate = models.ForeignKey(HonorariumRate, on_delete=models.PROTECT, related_name="honoraria")
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    rejected_reason = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment_reference = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HonorariumQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name_plural = "honoraria"
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "report"], name="one_honorarium_per_trainer_and_report"
            )
        ]

    def __str__(self) -> str:
        return f"${self.amount} for {self.trainer} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("trainers:honorarium-detail", kwargs={"pk": self.pk})


class TrainerProfile(TimeStampedModel):
    """What a trainer agrees to publish in the directory. Nothing shows without the opt-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profile"
    )
    listed = models.BooleanField(
        "list me in the trainer directory",
        default=False,
        help_text="Shows your name, agency, region and certified modules to anyone looking for a trainer.",
    )
    show_email = models.BooleanField("show my e-mail address in the directory", default=False)
    bio = models.TextField(
        "a short introduction", max_length=1000, blank=True, help_text="Shown only when you are listed."
    )

    def __str__(self) -> str:
        return f"Directory listing of {self.user}"
