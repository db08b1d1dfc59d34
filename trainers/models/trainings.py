"""Turnkey trainings: the sessions a certified trainer plans and runs to turn the module key.

A trainer plans a training for a module they hold an active certification for, as one date or a
series of sessions; educators register without an account (a waitlist takes the rest once it is
full); attendance is taken per session, on the roster or with a check-in code shown in the room;
once held, the facilitation report is prefilled from it. Awards and impact stories recognise a
trainer's work on their profile.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.models import TimeStampedModel
from trainers.models.certification import FacilitationReport

# A check-in code works from a little before a session starts to a little after it ends.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
CHECK_IN_CLOSES_AFTER = timedelta(minutes=30)

# The preparation checklist of seed 003: what the trainer does before the day.
CHECKLIST = (
    ("space", "Find and book a space (or set up the online room)"),
    ("copies", "Make copies of the handouts"),
    ("agenda", "Prepare the agenda"),
    ("attendance", "Get ready to take attendance"),
)


def new_short_code() -> str:
    """The training's short link: easy to type from a flyer, about 48 bits."""
    return secrets.token_urlsafe(6)


def new_check_in_code() -> str:
    """Six digits to write on the board: guessable only within a session's short window."""
    return f"{secrets.randbelow(1_000_000):06d}"


class TrainingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=TurnkeyTraining.Status.PUBLISHED)

    def held(self):
        return self.filter(status=TurnkeyTraining.Status.HELD)

    def facilitated_by(self, user):
        """Trainings ``user`` leads or co-facilitates (having accepted)."""
        return self.filter(
            Q(trainer=user)
            | Q(co_facilitations__person=user, co_facilitations__status=CoFacilitator.Status.ACCEPTED)
        ).distinct()


class TurnkeyTraining(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Open for registration"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    MOVES = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.HELD, Status.CANCELLED},
        Status.HELD: set(),
        Status.CANCELLED: set(),
    }

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    class Repeat(models.TextChoices):
        ONCE = "once", "One date"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        DATES = "dates", "Chosen dates"  # an agency's requested dates (trainers.training_requests)

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="turnkey_trainings"
    )
    certification = models.ForeignKey(
        "trainers.Certification",
        on_delete=models.PROTECT,
        related_name="turnkey_trainings",
        help_text="The certification that lets the trainer present this module.",
    )
    module = models.ForeignKey(
        "institutes.Module", on_delete=models.PROTECT, related_name="turnkey_trainings"
    )
    title = models.CharField(
        max_length=200, help_text="Shown on the public page, for example the module's name and your town."
    )
    description = models.TextField(
        max_length=4000, blank=True, help_text="What participants will learn and who it is for."
    )
    audience = models.CharField(max_length=200, help_text="For example: ESL teachers, support staff.")
    host_kind = models.CharField("who hosts it", max_length=20, choices=FacilitationReport.HostKind.choices)
    host_agency = models.ForeignKey(
        "portal.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="turnkey_trainings"
    )
    host_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_trainings",
        help_text="The person at the host agency who asked for the training.",
    )
    region = models.CharField(max_length=100, blank=True, db_index=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    venue = models.CharField("school or site", max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(
        "link to the online room",
        max_length=500,
        blank=True,
        help_text="Shown to registered participants only.",
    )
    repeat = models.CharField("dates", max_length=10, choices=Repeat.choices, default=Repeat.ONCE)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1000)])
    agenda = models.TextField(
        max_length=10000, blank=True, help_text="Started from the module's agenda; adapt it freely."
    )
    checklist = models.JSONField(default=dict, blank=True, help_text="Which preparation steps are done.")
    short_code = models.CharField(max_length=16, unique=True, default=new_short_code, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    report = models.OneToOneField(
        FacilitationReport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training",
        help_text="The facilitation report prefilled from this training.",
    )
    # The first and last session, kept by the services so lists sort and filter without a join.
    starts_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # Survey responses about this training (no column: the survey engine points here by content
    # type and id); lets the impact dashboard join answers to trainings in SQL.
    survey_responses = GenericRelation("surveys.Response", related_query_name="turnkey_training")

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"], name="training_status_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trainers:training", kwargs={"pk": self.pk})

    def get_public_url(self) -> str:
        return reverse("trainers:training-public", kwargs={"code": self.short_code})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def registered_count(self) -> int:
        """Places taken (registered, not waitlisted or cancelled)."""
        return self.registrations.filter(status=Registration.Status.REGISTERED).count()

    def checklist_items(self) -> list[tuple[str, str, bool]]:
        """The preparation checklist as (key, label, done)."""
        return [(key, label, bool(self.checklist.get(key))) for key, label in CHECKLIST]


def trainings_of_module(module) -> models.QuerySet[TurnkeyTraining]:
    """The subjects of a module's participant quotes that come from turnkey trainings."""
    return TurnkeyTraining.objects.filter(module=module)


class TrainingSession(models.Model):
    """One date of a training; a training has one, or several for a weekly or monthly series."""

    training = models.ForeignKey(TurnkeyTraining, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    check_in_code = models.CharField(max_length=6, default=new_check_in_code)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.training} on {timezone.localtime(self.starts_at):%b %-d, %Y}"

    @property
    def hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))

    def check_in_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at - CHECK_IN_OPENS_BEFORE <= now <= self.ends_at + CHECK_IN_CLOSES_AFTER


class CoFacilitator(TimeStampedModel):
    """A certified colleague invited to co-facilitate; listed only once they accept."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    MOVES = {
        Status.INVITED: {Status.ACCEPTED, Status.DECLINED},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
    }

    training = models.ForeignKey(TurnkeyTraining, on_delete=models.CASCADE, related_name="co_facilitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="co_facilitations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="one_invitation_per_co_facilitator")
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.training} ({self.get_status_display()})"


class Registration(TimeStampedModel):
    """An educator's place (or place in line) at a training; no account needed."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    MOVES = {
        Status.REGISTERED: {Status.CANCELLED},
        Status.WAITLISTED: {Status.REGISTERED, Status.CANCELLED},
        Status.CANCELLED: set(),
    }

    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher or instructor"
        ADMINISTRATOR = "administrator", "Administrator"
        SUPPORT = "support", "Counselor or support staff"
        PARAPROFESSIONAL = "paraprofessional", "Paraprofessional"
        OTHER = "other", "Other"

    training = models.ForeignKey(TurnkeyTraining, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254, help_text="Kept lower-case, so one address registers once.")
    agency = models.ForeignKey(
        "portal.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_registrations",
    )
    other_agency = models.CharField("agency (if not in the list)", max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_registrations",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    walk_in = models.BooleanField(default=False, help_text="Added on the day by the trainer.")
    cancel_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "email"],
                condition=~Q(status="cancelled"),
                name="one_live_registration_per_email",
            ),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | ~Q(other_agency=""), name="registration_names_an_agency"
            ),
        ]
        indexes = [models.Index(fields=["training", "status"], name="registration_training_status")]

    def __str__(self) -> str:
        return f"{self.name} at {self.training}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def agency_name(self) -> str:
        return self.agency.name if self.agency_id else self.other_agency


class SessionAttendance(models.Model):
    """A registrant present at one session, marked on the roster or checked in with the room's code."""

    class Method(models.TextChoices):
        ROSTER = "roster", "Marked by the trainer"
        CODE = "code", "Checked in with the code"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendance")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.ROSTER)
    marked_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "registration"], name="present_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.registration.name} at {self.session}"


class Recognition(TimeStampedModel):
    """An award or a short impact story on a trainer's profile (seed 003: "Paraprofessional of the Year")."""

    class Kind(models.TextChoices):
        AWARD = "award", "Award"
        STORY = "story", "Impact story"

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recognitions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=4000, blank=True)
    awarded_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(
        "shown publicly",
        default=False,
        help_text="Coordinators choose which awards and stories the public sees.",
    )

    class Meta:
        ordering = ["-awarded_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.trainer})"
