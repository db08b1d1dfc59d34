"""Instruments and their questions, invitations with one-use links, responses, answers and quotes.

An instrument is versioned by its ``key``: the first answer freezes a version (its questions can
be neither edited nor deleted), and a change means a new version, copied with
``services.new_version``. Invitations and responses point at what they are about (an institute,
a session, a turnkey training) through a content type and id, so this engine knows no app.
An anonymous instrument's responses carry no person and no invitation: nothing links an answer
back to whoever gave it.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.models import TimeStampedModel
from portal.states import DomainError


class SurveyError(DomainError):
    """A survey rule said no (a frozen instrument, a used or expired link); shown as it is."""


FROZEN = "This instrument has answers, so its questions can't change. Start a new version instead."


class Instrument(TimeStampedModel):
    key = models.SlugField(
        max_length=60, help_text='What the instrument is for, the same across versions: "institute-end".'
    )
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Shown above the questions.")
    anonymous = models.BooleanField(
        default=True, help_text="Answers keep no link to the person or to their invitation."
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="New invitations use the newest published version of a key."
    )
    valid_days = models.PositiveSmallIntegerField(default=30, help_text="How long a link works once sent.")

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="one_instrument_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_frozen(self) -> bool:
        """Answered at least once: the questions stay as they were answered."""
        return self.pk is not None and self.responses.exists()

    def save(self, *args, **kwargs):
        if self.is_frozen:
            before = Instrument.objects.values("key", "version", "title", "intro", "anonymous").get(
                pk=self.pk
            )
            if any(getattr(self, name) != value for name, value in before.items()):
                raise SurveyError(FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise SurveyError(FROZEN)
        return super().delete(*args, **kwargs)


class QuestionQuerySet(models.QuerySet):
    def _refuse_frozen(self) -> None:
        if Response.objects.filter(instrument__in=self.values("instrument")).exists():
            raise SurveyError(FROZEN)

    def update(self, **kwargs):
        self._refuse_frozen()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_frozen()
        return super().delete()


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", "Agree or disagree (1 to 5)"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        TEXT = "text", "Free text"

    # The Likert scale's words, 1 to 5.
    LIKERT_LABELS = {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither agree nor disagree",
        4: "Agree",
        5: "Strongly agree",
    }

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True, help_text="For choice questions: a list of labels.")
    required = models.BooleanField(default=True)
    quotable = models.BooleanField(
        default=False, help_text="A free-text question whose answer the participant may allow to be quoted."
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["instrument", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument"], condition=Q(quotable=True), name="one_quotable_question"
            ),
            models.CheckConstraint(condition=Q(quotable=False) | Q(kind="text"), name="quotable_is_text"),
        ]

    def __str__(self) -> str:
        return self.prompt

    def save(self, *args, **kwargs):
        if self.instrument.is_frozen:
            raise SurveyError(FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.instrument.is_frozen:
            raise SurveyError(FROZEN)
        return super().delete(*args, **kwargs)

    @property
    def field_name(self) -> str:
        """The answer form's field for this question, and its key in the form's cleaned_data."""
        return f"q{self.pk}"


class Subject(models.Model):
    """What a row is about, by content type and id (an institute, a session, a training)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class SubjectQuerySet(models.QuerySet):
    def about(self, subjects: models.Model | models.QuerySet):
        """Rows about one object, or about every row of a queryset (one subquery, no list of ids)."""
        if isinstance(subjects, models.Model):
            return self.filter(
                content_type=ContentType.objects.get_for_model(subjects), object_id=subjects.pk
            )
        return self.filter(
            content_type=ContentType.objects.get_for_model(subjects.model),
            object_id__in=subjects.order_by().values("pk"),
        )


class Invitation(Subject):
    """One person asked to answer one instrument about one subject, once, for one purpose."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="invitations")
    purpose = models.CharField(
        max_length=60, help_text='Why they were asked, e.g. "institute-end"; one invitation per purpose.'
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    person = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_invitations"
    )
    links = models.JSONField(
        default=list, blank=True, help_text="[label, url] pairs shown with the survey, e.g. a plan."
    )
    # Only a hash: the link itself exists in the e-mail alone.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "content_type", "object_id", "email"], name="one_invitation_per_purpose"
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after"], condition=Q(sent_at__isnull=True), name="invitation_to_send_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.title} to {self.email}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class Response(Subject):
    """One completed questionnaire. ``person`` is set only when the instrument is not anonymous."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    person = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="response_subject_idx")]

    def __str__(self) -> str:
        return f"{self.instrument} response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["response", "question"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.number or ', '.join(self.choices) or self.text[:40]}"


class Quote(Subject):
    """A comment its author allowed to be quoted publicly, shown once a coordinator approves it."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    MOVES = {
        State.WAITING: {State.APPROVED, State.DECLINED},
        State.APPROVED: {State.DECLINED},
        State.DECLINED: {State.APPROVED},
    }

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="quote")
    text = models.TextField(max_length=4000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "content_type", "object_id"], name="quote_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
