"""Requests from agencies: a training on a module, or an offer to host a regional CoP.

A member of an agency's staff asks; coordinators match a training request to a certified trainer
and offer it; the trainer accepts (the request becomes a draft turnkey training with the requester
as host contact) or declines (the request goes back to the coordinators). A host offer is decided
by a coordinator. A request waiting 14 days for anyone's answer is flagged to coordinators once.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal.models import TimeStampedModel


class TrainingRequest(TimeStampedModel):
    class Kind(models.TextChoices):
        TRAINING = "training", "A training"
        HOST = "host", "Hosting a regional CoP"

    class Status(models.TextChoices):
        NEW = "new", "New"
        OFFERED = "offered", "Offered to a trainer"
        FLAGGED = "flagged", "Flagged: waiting too long"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CLOSED = "closed", "Closed"

    # A training request is offered, answered, or flagged; a declined offer brings it back to
    # "new" for the coordinators; a host offer is accepted or declined by a coordinator.
    MOVES = {
        Status.NEW: {Status.OFFERED, Status.FLAGGED, Status.ACCEPTED, Status.DECLINED, Status.CLOSED},
        Status.OFFERED: {Status.NEW, Status.FLAGGED, Status.ACCEPTED, Status.CLOSED},
        Status.FLAGGED: {Status.NEW, Status.OFFERED, Status.ACCEPTED, Status.DECLINED, Status.CLOSED},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.CLOSED: set(),
    }
    OPEN = frozenset({Status.NEW, Status.OFFERED, Status.FLAGGED})

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person, at a place we name"
        ONLINE = "online", "Online"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TRAINING)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_requests"
    )
    agency = models.ForeignKey("portal.Agency", on_delete=models.PROTECT, related_name="training_requests")
    region = models.CharField(max_length=100, blank=True, db_index=True)
    module = models.ForeignKey(
        "institutes.Module", null=True, blank=True, on_delete=models.PROTECT, related_name="training_requests"
    )
    # When: one or more dates (the sessions), or a window in which the trainer picks the day.
    dates = models.JSONField("preferred dates", default=list, blank=True, help_text="ISO dates, in order.")
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    place = models.CharField(max_length=300, blank=True)
    audience = models.CharField(max_length=200, blank=True)
    expected_size = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    offer = models.TextField("what the agency can offer", max_length=4000, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    # When the request started waiting for the answer it waits for now (its submission, the latest
    # offer, or a trainer's decline); the daily scan flags it 14 days later, once (flagged_at).
    waiting_since = models.DateTimeField()
    flagged_at = models.DateTimeField(null=True, blank=True)
    training = models.OneToOneField(
        "trainers.TurnkeyTraining",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
        help_text="The draft training an accepted request became.",
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The regional CoP created from an accepted host offer.",
    )
    follow_up = models.TextField("follow-up note", max_length=4000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "waiting_since"], name="request_status_waiting")]

    def __str__(self) -> str:
        if self.kind == self.Kind.HOST:
            return f"Hosting a regional CoP: {self.agency}"
        return f"{self.module} for {self.agency}"

    def get_absolute_url(self) -> str:
        return reverse("trainers:request", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def preferred_days(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.dates]

    def when_text(self) -> str:
        """The dates in words, for pages and e-mails."""
        if self.dates:
            return "; ".join(f"{d:%A, %B %-d, %Y}" for d in self.preferred_days)
        if self.window_start and self.window_end:
            return f"any day from {self.window_start:%B %-d} to {self.window_end:%B %-d, %Y}"
        return "to be agreed"

    def hours_text(self) -> str:
        if self.starts and self.ends:
            return f"{self.starts:%-I:%M %p} to {self.ends:%-I:%M %p}"
        return ""


class RequestOffer(TimeStampedModel):
    """A coordinator's offer of a training request to one certified trainer."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = {
        Status.PENDING: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
    }

    request = models.ForeignKey(TrainingRequest, on_delete=models.CASCADE, related_name="offers")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="request_offers"
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField("a word to the trainer", max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField("why not", max_length=2000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "offer"
        constraints = [
            models.UniqueConstraint(fields=["request", "trainer"], name="one_offer_per_trainer_and_request"),
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="pending"), name="one_pending_offer_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} offered to {self.trainer} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("trainers:request-offer", kwargs={"pk": self.pk})
