"""The catalog: modules, institutes (one ToT offering of a module) and their sessions."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from portal.models import Agency, DatedRole, TimeStampedModel


class Module(TimeStampedModel):
    """A professional-learning module that trainers are certified to present."""

    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.title)[:200]
        super().save(*args, **kwargs)


class Audience(models.Model):
    """A catalog facet with several values per institute (seed 000: 'AUDIENCE')."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstituteQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(status=Institute.Status.DRAFT)

    def open_for_applications(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=Institute.Status.OPEN, applications_open_at__lte=now, applications_close_at__gte=now
        )

    def coordinated_by(self, user):
        if user.is_superuser:
            return self
        return self.filter(pk__in=InstituteCoordinator.objects.active().filter(user=user).values("institute"))


class Institute(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for applications"
        CLOSED = "closed", "Applications closed"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"

    class TrainingType(models.TextChoices):
        INSTITUTE = "institute", "Institutes & Clinics"
        WORKSHOP = "workshop", "Workshops"
        WEBINAR = "webinar", "Webinars"
        ONLINE_COURSE = "online_course", "Online courses"
        COP = "cop", "Communities of Practice"

    class Accreditation(models.TextChoices):
        CERTIFICATE = "certificate", "Certificate"
        CEU = "ceu", "Continuing education units"
        NONE = "none", "None"

    class Occurrence(models.TextChoices):
        SINGLE = "single", "Single session"
        MULTI = "multi", "Multi-session"

    class Duration(models.TextChoices):
        HALF_DAY = "half_day", "Half a day"
        ONE_DAY = "one_day", "One day"
        FEW_DAYS = "few_days", "2 to 5 days"
        FEW_WEEKS = "few_weeks", "1 to 4 weeks"
        LONGER = "longer", "More than 4 weeks"

    class Location(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid"

    class Facilitation(models.TextChoices):
        FACILITATED = "facilitated", "Facilitated"
        SELF_PACED = "self_paced", "Self-paced"

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="institutes")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)

    # Catalog facets (seed 000)
    training_type = models.CharField(
        max_length=20, choices=TrainingType.choices, default=TrainingType.INSTITUTE
    )
    audiences = models.ManyToManyField(Audience, blank=True, related_name="institutes")
    topic = models.CharField(max_length=100, default="Professional Development", db_index=True)
    accreditation = models.CharField(
        max_length=20, choices=Accreditation.choices, default=Accreditation.CERTIFICATE
    )
    occurrence = models.CharField(max_length=10, choices=Occurrence.choices, default=Occurrence.MULTI)
    duration = models.CharField(max_length=12, choices=Duration.choices, default=Duration.FEW_WEEKS)
    duration_note = models.CharField(max_length=100, blank=True, help_text='In words, e.g. "4 weeks".')
    location = models.CharField(max_length=12, choices=Location.choices, default=Location.HYBRID)
    venue = models.CharField(max_length=200, blank=True, help_text="Where the in-person sessions meet.")
    coaching = models.BooleanField(default=False)
    facilitation = models.CharField(
        max_length=12, choices=Facilitation.choices, default=Facilitation.FACILITATED
    )

    sponsor = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    prerequisites = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(default=24)
    applications_open_at = models.DateTimeField()
    applications_close_at = models.DateTimeField()

    # Eligibility policy
    allowed_agency_kinds = models.JSONField(
        default=list, blank=True, help_text="Agency kinds that may apply; empty means every kind."
    )
    requires_caep_funding = models.BooleanField("agency must be CAEP-funded", default=True)
    team_required = models.BooleanField("applications come as teams", default=False)
    min_team_size = models.PositiveSmallIntegerField(
        default=2, help_text="With teams: the fewest members, all from the same LEA."
    )

    objects = InstituteQuerySet.as_manager()

    class Meta:
        ordering = ["applications_close_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_at__gte=models.F("applications_open_at")),
                name="institute_window_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("institutes:institute-detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.title)[:220]
        super().save(*args, **kwargs)

    def is_accepting_applications(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.OPEN and self.applications_open_at <= now <= self.applications_close_at
        )

    @property
    def allowed_kind_labels(self) -> list[str]:
        return [Agency.Kind(k).label for k in self.allowed_agency_kinds if k in Agency.Kind.values]


class Session(models.Model):
    institute = models.ForeignKey(Institute, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    place = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institute}: {self.date:%b %-d, %Y}"


class InstituteCoordinator(DatedRole):
    """Coordinator of this institute (a per-object role row)."""

    user = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="coordinator_roles")
    institute = models.ForeignKey(Institute, on_delete=models.CASCADE, related_name="coordinator_roles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institute"], name="one_coordinator_role_per_institute")
        ]

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.institute}"
