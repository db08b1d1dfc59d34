"""Shared models: people, the agency registry, per-object role rows and the e-mail ledger."""

import hashlib
import re

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in by e-mail. The profile fields live here to keep pages to one join."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField("full name", max_length=150, blank=True)
    agency = models.ForeignKey(
        "portal.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    position = models.CharField(max_length=150, blank=True)
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9+().\- x]{7,30}$", "Enter a phone number, such as (916) 555-0142.")
        ],
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        ordering = ["name", "email"]
        # Lists of people sorted by name read the first page from this index instead of sorting
        # everyone (the trainer directory, bench: 10 ms -> 0.3 ms of SQL at 10,000 people).
        indexes = [models.Index(fields=["name", "email"], name="user_name_email_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def in_group(self, name: str) -> bool:
        if not hasattr(self, "_group_names"):
            # portal.backends loads them with the person on each request; elsewhere, one query.
            self._group_names = frozenset(self.groups.values_list("name", flat=True))
        return name in self._group_names

    @property
    def is_coordinator(self) -> bool:
        return self.is_superuser or self.in_group("Coordinators")

    @property
    def is_finance(self) -> bool:
        return self.is_superuser or self.in_group("Finance")

    @property
    def is_state_office(self) -> bool:
        return self.is_superuser or self.in_group("State office")


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


class Agency(TimeStampedModel):
    class Kind(models.TextChoices):
        ADULT_SCHOOL = "adult_school", "Adult school"
        COMMUNITY_COLLEGE = "community_college", "Community college"
        COUNTY_OFFICE = "county_office", "County office of education"
        SCHOOL_DISTRICT = "school_district", "School district"
        CHARTER_SYSTEM = "charter_system", "Charter system"
        LIBRARY = "library", "Library"
        CBO = "cbo", "Community-based organisation"
        CORRECTIONAL = "correctional", "Correctional facility"
        OTHER = "other", "Other"

    LEA_KINDS = frozenset({Kind.COUNTY_OFFICE, Kind.SCHOOL_DISTRICT, Kind.CHARTER_SYSTEM})

    name = models.CharField(max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    region = models.CharField(max_length=100, blank=True, db_index=True)
    consortium = models.CharField("CAEP consortium", max_length=200, blank=True)
    caep_funded = models.BooleanField("CAEP-funded", default=False)
    is_lea = models.BooleanField("LEA", default=False, editable=False)
    cds_code = models.CharField(
        "CDS code",
        max_length=14,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(r"^\d{14}$", "A CDS code has exactly 14 digits.")],
    )
    email_domains = models.CharField(
        max_length=300, blank=True, help_text="Separate several domains with spaces or commas."
    )
    is_active = models.BooleanField("active", default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["normalised_name", "kind"],
                condition=Q(cds_code__isnull=True),
                name="agency_unique_name_kind_without_cds",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        self.is_lea = self.kind in self.LEA_KINDS
        if self.cds_code == "":
            self.cds_code = None
        super().save(*args, **kwargs)

    @property
    def domains(self) -> list[str]:
        return [d for d in re.split(r"[\s,;]+", self.email_domains.lower()) if d]


class DatedRoleQuerySet(models.QuerySet):
    def active(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class DatedRole(models.Model):
    """A per-object role (coordinator of this institute, facilitator of this community)."""

    user = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    objects = DatedRoleQuerySet.as_manager()

    class Meta:
        abstract = True


class OutboundEmail(TimeStampedModel):
    """The ledger: one row per message, written before the mail server sees it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Not sent (turned off by the recipient)"

    # Unique and indexed through Meta, not unique=True and db_index=True: on PostgreSQL those add a
    # second, varchar_pattern_ops index per column for LIKE 'prefix%', which nothing here asks,
    # and the three of them cost a third of a reminder scan's insert.
    dedupe_key = models.CharField(max_length=64, editable=False)
    recipient = models.EmailField()
    user = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    kind = models.CharField(max_length=60)
    object_ref = models.CharField(max_length=100, blank=True)
    milestone = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=250)
    # Rows a reminder scan records carry a template and a JSON context and are rendered at
    # delivery; the text that went out is stored here when the row is marked sent.
    template = models.CharField(max_length=100, blank=True)
    context = models.JSONField(default=dict, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Small text files sent with the message ([{filename, content, mimetype}]), as built when it
    # was recorded: every attempt sends the same ones.
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key_unique")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["recipient"], name="outbox_recipient_idx"),
            models.Index(fields=["kind"], name="outbox_kind_idx"),
        ]
        verbose_name = "e-mail"
        verbose_name_plural = "e-mail ledger"

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("admin:portal_outboundemail_change", args=[self.pk])

    @staticmethod
    def make_key(recipient: str, kind: str, object_ref: str, milestone: str) -> str:
        raw = "|".join([recipient.lower(), kind, object_ref, milestone])
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def message_id(self) -> str:
        # Derived from the key, so that a resend after a crash is recognisably the same message.
        return f"<{self.dedupe_key[:40]}@tot-portal>"


class NotificationPreference(models.Model):
    """A person's choice for one optional category of e-mail; no row means the category is on."""

    class Category(models.TextChoices):
        TRANSACTIONAL = "transactional", "Decisions about your own applications, reports and payments"
        ASSIGNMENT_REMINDERS = "assignment_reminders", "Pre-institute assignment reminders"
        INSTITUTE_REMINDERS = "institute_reminders", "Institute starting soon"
        COMMITMENT_REMINDERS = "commitment_reminders", "Facilitation commitment reminders"
        COORDINATOR_SUMMARIES = "coordinator_summaries", "Coordinator summaries"
        COMMUNITY_DIGEST = "community_digest", "Community digest"
        COMMUNITY_REPLIES = "community_replies", "Replies to threads you follow"

    user = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="notification_preferences")
    category = models.CharField(max_length=40, choices=Category.choices)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notification_pref_unique"),
            models.CheckConstraint(
                condition=~Q(category="transactional"), name="notification_pref_not_transactional"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.category} {'on' if self.enabled else 'off'}"


class AuditEntryQuerySet(models.QuerySet):
    def about(self, obj: models.Model):
        """The history of one object, oldest first (served by audit_object_history_idx)."""
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class AuditEntry(models.Model):
    """The one audit trail of the portal: who did what to which object, when, from which state to which.

    Written by ``portal.states`` for every state move and every rule-bearing action the apps audit
    (an endorsement, a team joined, a post hidden). The object is a plain content type and id,
    with no cascade: an entry outlives the row it describes, so history never vanishes with it.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="Who acted, when not a user.")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=60)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="Other rows the action touched, by id (a thread, a post, a member).",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_history_idx"),
            models.Index(fields=["-at"], name="audit_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.app_labeled_name} {self.object_id}: {self.action}"

    @property
    def who(self) -> str:
        return str(self.actor) if self.actor else (self.actor_label or "The portal")

    @property
    def subject_model(self):
        """The model the entry is about, from the content types' cache (no query per row)."""
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_id(self.content_type_id).model_class()

    def _status_label(self, value: str) -> str:
        status = getattr(self.subject_model, "Status", None)
        if not value or status is None or value not in status.values:
            return value
        return status(value).label

    @property
    def from_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_label(self.to_status)

    @property
    def action_label(self) -> str:
        """The action in words; a model names its own in ``AUDIT_ACTION_LABELS``."""
        labels = getattr(self.subject_model, "AUDIT_ACTION_LABELS", {})
        return labels.get(self.action, self.action)


class SigningKey(models.Model):
    """A public key the portal has signed credentials with (see ``portal.credentials.keys``).

    A row is written the first time a key signs, and kept: after the key in the environment is
    rotated, badges signed with an earlier key still verify against its row here. Withdrawing a
    key (only if its private half leaked) makes every badge it signed stop verifying.
    """

    kid = models.CharField("key id", max_length=64, unique=True, editable=False)
    algorithm = models.CharField(max_length=10, editable=False)
    public_jwk = models.JSONField("public key (JWK)", editable=False)
    first_used_at = models.DateTimeField(default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set only if the private key leaked: every badge signed with it stops verifying.",
    )

    class Meta:
        ordering = ["-first_used_at"]

    def __str__(self) -> str:
        return f"{self.algorithm} key {self.kid[:12]}…"
