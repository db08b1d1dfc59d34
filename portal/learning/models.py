"""Professional-learning hours: one credit per person and thing attended, and issued records.

A credit points at what was attended (an institute session, a community event, a turnkey
training ...) through a content type and id, so this engine knows no app. One credit per
(person, source): recording the same attendance twice updates the one row, never adds a second.
``community_id`` is a plain integer, not a foreign key, because portal cannot point up at
communities; ``topic`` is the module or subject, as a name.

An hours record is a frozen, printable summary of a person's credits over a period, with an
unguessable code the public verify page accepts. Issuing a new record for the same person and
period supersedes the older ones: their codes still verify, show the totals they were issued
with, and say a newer record replaced them.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse

from portal.models import TimeStampedModel


class Kind(models.TextChoices):
    INSTITUTE_SESSION = "institute_session", "Institute session"
    COMMUNITY_EVENT = "community_event", "Community event"
    WEBINAR = "webinar", "Webinar"
    TURNKEY_TRAINING = "turnkey_training", "Turnkey training"


class LearningCreditQuerySet(models.QuerySet):
    def of(self, person) -> LearningCreditQuerySet:
        return self.filter(person=person)

    def in_year(self, year: int) -> LearningCreditQuerySet:
        return self.filter(on__year=year)

    def between(self, start, end) -> LearningCreditQuerySet:
        """Credits dated from ``start`` to ``end``, both days included."""
        return self.filter(on__gte=start, on__lte=end)

    def about(self, source) -> LearningCreditQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(source), object_id=source.pk)

    def years(self) -> list[int]:
        """The years with credits, newest first (one query)."""
        return list(
            self.order_by()
            .annotate(year=ExtractYear("on"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )

    def total(self) -> Decimal:
        return self.order_by().aggregate(total=Sum("hours"))["total"] or Decimal("0")

    def by_community(self):
        """Rows of {community_id, hours, credits}; community_id None for hours outside a community."""
        return (
            self.order_by()
            .values("community_id")
            .annotate(hours=Sum("hours"), credits=Count("id"))
            .order_by("community_id")
        )

    def by_topic(self):
        return (
            self.order_by()
            .values("topic")
            .annotate(hours=Sum("hours"), credits=Count("id"))
            .order_by("topic")
        )

    def by_person(self):
        """Rows of {person_id, hours, credits}: the export's per-person totals in one query."""
        return self.order_by().values("person_id").annotate(hours=Sum("hours"), credits=Count("id"))


class LearningCredit(TimeStampedModel):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_credits"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=300)
    on = models.DateField("date")
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    topic = models.CharField(max_length=200, blank=True, help_text="The module or subject.")
    community_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)

    objects = LearningCreditQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "content_type", "object_id"], name="one_credit_per_source"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="credit_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["person", "on"], name="credit_person_on_idx"),
            models.Index(fields=["content_type", "object_id"], name="credit_source_idx"),
            models.Index(fields=["on"], name="credit_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours} h)"


def new_record_code() -> str:
    """About 128 random bits, in the same letters as certificate codes."""
    return secrets.token_urlsafe(16)


class HoursRecordQuerySet(models.QuerySet):
    def current(self) -> HoursRecordQuerySet:
        return self.filter(superseded_by__isnull=True)


class HoursRecord(TimeStampedModel):
    """A printed summary of a person's hours over a period, frozen when issued."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hours_records"
    )
    code = models.CharField(max_length=40, unique=True, default=new_record_code, editable=False)
    period_start = models.DateField()
    period_end = models.DateField()
    person_name = models.CharField(max_length=150, help_text="The name as printed when issued.")
    total_hours = models.DecimalField(max_digits=8, decimal_places=2)
    credits = models.PositiveIntegerField(default=0)
    # Frozen when issued, so a printed copy shows what it showed then: [{on, title, kind, topic,
    # hours}], and [{label, hours}] per community and per topic.
    lines = models.JSONField(default=list, editable=False)
    by_community = models.JSONField(default=list, editable=False)
    by_topic = models.JSONField(default=list, editable=False)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes", editable=False
    )

    objects = HoursRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["person", "period_start", "period_end"], name="record_person_period_idx")
        ]

    def __str__(self) -> str:
        return f"Hours record {self.period_start} to {self.period_end} for {self.person_name}"

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def get_verify_url(self) -> str:
        return reverse("trainers:verify-code", kwargs={"code": self.code})
