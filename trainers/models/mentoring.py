"""Mentoring (seed 003's next step: "to be a mentor to the next group of trainees").

A certified trainer offers to mentor participants of a module's next cohort (region, how many);
the institute's coordinator pairs them; the mentor follows the mentee's progress, scores their
practice facilitations (institutes' rubric) and logs their meetings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from portal.models import TimeStampedModel


class MentorOfferQuerySet(models.QuerySet):
    def with_load(self):
        """Annotate ``load``: how many mentees each offer carries now."""
        return self.annotate(load=Count("mentorships", filter=Q(mentorships__ended_at__isnull=True)))


class MentorOffer(TimeStampedModel):
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_offers"
    )
    module = models.ForeignKey("institutes.Module", on_delete=models.PROTECT, related_name="mentor_offers")
    region = models.CharField(
        max_length=100, blank=True, help_text="Where you can meet mentees; empty means anywhere (online)."
    )
    capacity = models.PositiveSmallIntegerField(
        "how many mentees at a time", default=2, help_text="From 1 to 6."
    )
    note = models.CharField(
        "a note for the coordinator",
        max_length=500,
        blank=True,
        help_text="When you are free, how you like to meet.",
    )
    is_open = models.BooleanField("taking new mentees", default=True)

    objects = MentorOfferQuerySet.as_manager()

    class Meta:
        ordering = ["module", "trainer__name"]
        constraints = [
            models.UniqueConstraint(fields=["trainer", "module"], name="one_mentor_offer_per_module"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=6), name="mentor_capacity_1_to_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainer} mentors {self.module}"


class MentorshipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Mentorship(TimeStampedModel):
    """A mentor paired with one participant's application (one active pairing per application)."""

    offer = models.ForeignKey(MentorOffer, on_delete=models.PROTECT, related_name="mentorships")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships")
    application = models.ForeignKey(
        "institutes.Application", on_delete=models.CASCADE, related_name="mentorships"
    )
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(ended_at__isnull=True),
                name="one_active_mentor_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.application.applicant}"

    def get_absolute_url(self) -> str:
        return reverse("trainers:mentee", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class MentoringMeeting(TimeStampedModel):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField("date")
    notes = models.TextField(max_length=4000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-met_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.mentorship}: {self.met_on:%b %-d, %Y}"
