"""The catalog, applications, teams, assignments, attendance, practice facilitations on a rubric and
the practice result."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from portal.models import Agency, AuditEntry, DatedRole, TimeStampedModel


class ModuleFamily(models.Model):
    """Modules taken in levels, each building on the one below (seed 003: "Level Two")."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "module families"

    def __str__(self) -> str:
        return self.name


class Module(TimeStampedModel):
    """A professional-learning module that trainers are certified to present."""

    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    agenda_template = models.TextField(
        max_length=10000,
        blank=True,
        help_text="The module's usual agenda: trainers start their turnkey training's agenda from it and adapt it.",
    )
    is_active = models.BooleanField(default=True)
    family = models.ForeignKey(
        ModuleFamily,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="modules",
        help_text="For a levelled series: the family this module is one level of.",
    )
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its level in the family: 1, 2, … (Level 2 requires Level 1)."
    )
    certification_valid_months = models.PositiveSmallIntegerField(
        "certification lasts (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Leave empty when certification in this module does not expire; otherwise a coordinator renews it.",
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["family", "level"], name="one_module_per_family_level"),
            models.CheckConstraint(
                condition=Q(family__isnull=True, level__isnull=True) | Q(family__isnull=False, level__gte=1),
                name="module_family_has_level",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("institutes:module-detail", kwargs={"slug": self.slug})

    @property
    def level_label(self) -> str:
        return f"{self.family}: Level {self.level}" if self.family_id else ""

    def level_below(self) -> Module | None:
        """The module one level below in the same family (None at Level 1 or outside a family)."""
        if not self.family_id or not self.level or self.level < 2:
            return None
        return Module.objects.filter(family_id=self.family_id, level=self.level - 1).first()

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

    # from -> the states it may move to; each move is a service in services.py. An open institute
    # goes back to draft only while nobody has applied (services.py checks), and a closed one
    # may reopen, for instance to extend its window.
    ALLOWED_MOVES = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.CLOSED, Status.DRAFT},
        Status.CLOSED: {Status.OPEN, Status.RUNNING},
        Status.RUNNING: {Status.COMPLETED},
        Status.COMPLETED: set(),
    }

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

    class Kind(models.TextChoices):
        """What the institute is for (DESIGN.md "Program kinds"); everything downstream follows it."""

        CERTIFYING = "certifying", "Certifying ToT"
        PLANNING = "planning", "Planning network"
        SERIES = "series", "Levelled series"

    KIND_SUMMARIES = {
        Kind.CERTIFYING: "Participants are certified to present the module and commit to present it "
        "at least once within a year.",
        Kind.PLANNING: "Teams of leaders from one LEA build a local plan together from a protocol and "
        "meet again once or twice a year. There is no certification and nothing to replicate.",
        Kind.SERIES: "One level of a series: participants are certified at this level, and each level "
        "builds on an active certification of the level below.",
    }

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="institutes")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    kind = models.CharField(
        "program kind", max_length=12, choices=Kind.choices, default=Kind.CERTIFYING, db_index=True
    )
    plan_template = models.ForeignKey(
        "communities.PlanTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a planning network: the protocol each accepted team's plan starts from.",
    )

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
    endorsement_required = models.BooleanField(
        "supervisor's endorsement required before acceptance",
        default=True,
        help_text="Applications are accepted only once the supervisor has endorsed them (through their "
        "e-mail link, or recorded by a coordinator when it came another way).",
    )
    min_team_size = models.PositiveSmallIntegerField(
        default=2, help_text="With teams: the fewest members, all from the same LEA."
    )
    offer_days = models.PositiveSmallIntegerField(
        "days to answer a seat offer",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="When a seat frees up, the first person on the waitlist is offered it and has this many "
        "days to accept or decline; an offer left unanswered expires and goes to the next person.",
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

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind == self.Kind.PLANNING and not self.team_required:
            errors["team_required"] = "A planning network takes teams from one LEA: tick this box."
        if self.kind == self.Kind.SERIES and self.module_id and not self.module.level:
            errors["module"] = "A levelled series needs a module with a family and a level."
        if errors:
            raise ValidationError(errors)

    @property
    def certifies(self) -> bool:
        """Participants who complete are certified (and so take on the one-year commitment)."""
        return self.kind != self.Kind.PLANNING

    @property
    def has_commitment(self) -> bool:
        """Participants commit to present the module within a year of a certification."""
        return self.certifies

    @property
    def is_planning_network(self) -> bool:
        return self.kind == self.Kind.PLANNING

    @property
    def kind_summary(self) -> str:
        return self.KIND_SUMMARIES[self.Kind(self.kind)]

    @property
    def commitments_sentence(self) -> str:
        """What participants commit to, for the application, the supervisor and the endorsement."""
        if self.has_commitment:
            return (
                "Participants commit to attend every session of the institute, with no exceptions, "
                "and to present the module at least once within a year."
            )
        return (
            "Teams commit to attend every session together and to build their local plan; they meet "
            "again at the follow-up sessions once or twice a year. Nothing is to be replicated."
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
    follow_up = models.BooleanField(
        "follow-up session",
        default=False,
        help_text="A planning network's teams meet again (once or twice a year) to review their plans.",
    )

    class Meta:
        ordering = ["date", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institute}: {self.date:%b %-d, %Y}"

    def has_started(self, now=None) -> bool:
        """Whether the session's start time (in the portal's time zone) has come."""
        now = timezone.localtime(now)
        return (self.date, self.starts_at) <= (now.date(), now.time())


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


# --- Applications and teams -------------------------------------------------


class Team(TimeStampedModel):
    """Colleagues from one LEA who apply together and are decided as one unit (seed 001)."""

    institute = models.ForeignKey(Institute, on_delete=models.CASCADE, related_name="teams")
    lead = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="led_teams")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["institute", "created_at"]
        constraints = [models.UniqueConstraint(fields=["institute", "lead"], name="one_team_per_lead")]

    def __str__(self) -> str:
        return f"{self.agency} team for {self.institute} (lead: {self.lead})"


class TeamInvitation(TimeStampedModel):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    invited_by = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="+")
    accepted_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["team", "email"], name="one_invitation_per_email")]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.team}"

    def get_absolute_url(self) -> str:
        return reverse("institutes:team-invitation", kwargs={"token": self.token})


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        coordinated = InstituteCoordinator.objects.active().filter(user=user).values("institute")
        return self.filter(Q(applicant=user) | (Q(institute__in=coordinated) & ~Q(status="draft")))

    def accepted(self):
        return self.filter(status=Application.Status.ACCEPTED)

    def holding_seats(self):
        """Accepted applications and seat offers waiting for an answer: each holds a seat."""
        return self.filter(status__in=Application.SEAT_HOLDING)

    def waitlist_order(self):
        """First in line first: the order seats are offered in, and the positions people see."""
        return self.order_by("waitlisted_at", "pk")

    def with_waitlist_position(self):
        """Each waitlisted application's place in its institute's line (1 is next), as
        ``waitlist_position``; None for the others. One subquery, however many rows."""
        ahead = (
            Application.objects.filter(institute=OuterRef("institute"), status=Application.Status.WAITLISTED)
            .filter(
                Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
                | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lte=OuterRef("pk"))
            )
            .order_by()
            .values("institute")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(
            waitlist_position=Case(
                When(status=Application.Status.WAITLISTED, then=Subquery(ahead)),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class Application(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "Waitlisted"
        OFFERED = "offered", "Seat offered"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # from -> the states it may move to; every move goes through a service in services.py
    ALLOWED_MOVES = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.ACCEPTED, Status.WAITLISTED, Status.DECLINED, Status.WITHDRAWN},
        Status.WAITLISTED: {Status.ACCEPTED, Status.OFFERED, Status.DECLINED, Status.WITHDRAWN},
        # A seat offered from the waitlist: the applicant accepts it, or declines it (withdrawn);
        # an offer left unanswered past its date is declined by the daily scan.
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.WITHDRAWN},
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
    }

    # The statuses that hold one of the institute's seats: capacity counts both.
    SEAT_HOLDING = (Status.ACCEPTED, Status.OFFERED)

    # How the audit trail (portal.AuditEntry) words the actions that are not status moves.
    AUDIT_ACTION_LABELS = {
        "endorsement:requested": "asked the supervisor for an endorsement",
        "eligibility:overridden": "accepted the application as an exception to the eligibility policy",
        "endorsement:recorded": "recorded the supervisor's answer, received another way",
        "endorsement:endorsed": "endorsed the application",
        "endorsement:declined": "did not endorse the application",
        "team:started": "started a team",
        "team:joined": "joined the team",
        "team:part-completed": "completed their part of the team application",
        "practice:passed": "recorded the practice facilitation: passed",
        "practice:not_yet": "recorded the practice facilitation: not yet",
        "practice:scored": "scored a practice facilitation",
        "mentor:paired": "paired a mentor with the participant",
        "mentor:ended": "ended the mentoring pairing",
        "offer:declined": "declined the seat offer",
        "offer:expired": "the seat offer expired unanswered",
    }

    class Endorsement(models.TextChoices):
        NOT_REQUESTED = "not_requested", "Not requested yet"
        REQUESTED = "requested", "Waiting for the supervisor"
        ENDORSED = "endorsed", "Endorsed by the supervisor"
        DECLINED = "declined", "Not endorsed by the supervisor"

    applicant = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="applications")
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="applications")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    position = models.CharField(max_length=150, blank=True)
    statement = models.TextField("why you want to take part", max_length=4000, blank=True)
    supervisor_name = models.CharField(max_length=150, blank=True)
    supervisor_email = models.EmailField(blank=True)
    commits_to_attend = models.BooleanField(
        "I will attend every session of the institute, with no exceptions", default=False
    )
    commits_to_present = models.BooleanField(
        "I will present the module at least once within a year of the institute", default=False
    )
    local_data = models.TextField(
        "local data your team can bring",
        max_length=4000,
        blank=True,
        help_text="For a planning network: the local data your LEA has at hand.",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    part_completed_at = models.DateTimeField(
        null=True, blank=True, help_text="A team member has completed their part of the team application."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A seat offer not accepted by then goes to the next person."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    is_eligible = models.BooleanField(null=True, blank=True)
    eligibility_reasons = models.JSONField(default=list, blank=True)
    endorsement = models.CharField(
        max_length=16, choices=Endorsement.choices, default=Endorsement.NOT_REQUESTED
    )
    endorsement_comment = models.TextField(blank=True)
    endorsement_requested_at = models.DateTimeField(null=True, blank=True)
    endorsement_answered_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "institute"], name="one_application_per_institute")
        ]
        indexes = [models.Index(fields=["institute", "status"], name="application_queue_idx")]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.institute}"

    def get_absolute_url(self) -> str:
        return reverse("institutes:application-detail", kwargs={"pk": self.pk})

    def can_move_to(self, status: str) -> bool:
        return status in self.ALLOWED_MOVES[self.Status(self.status)]

    @property
    def events(self):
        """This application's history in the portal's audit trail, oldest first."""
        return AuditEntry.objects.about(self)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


# --- Pre-institute assignments ---------------------------------------------------------------


class Assignment(TimeStampedModel):
    class Kind(models.TextChoices):
        TEXT = "text", "Write a response"
        FILE = "file", "Upload a file"
        DONE = "done", "Mark as done"

    institute = models.ForeignKey(Institute, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    instructions = models.TextField(max_length=5000)
    due_on = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    created_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("institutes:assignment-detail", kwargs={"pk": self.pk})


def submission_upload_to(instance, filename: str) -> str:
    # A random name: the stored path never carries what the uploader typed.
    return f"institutes/submissions/{instance.assignment.institute_id}/{secrets.token_hex(16)}"


class AssignmentSubmission(TimeStampedModel):
    class State(models.TextChoices):
        SUBMITTED = "submitted", "Submitted, waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REVISION = "revision", "Revision requested"

    ALLOWED_MOVES = {
        State.SUBMITTED: {State.ACCEPTED, State.REVISION},
        State.REVISION: {State.SUBMITTED},
        State.ACCEPTED: set(),
    }

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submissions")
    text = models.TextField(blank=True, max_length=20000)
    file = models.FileField(upload_to=submission_upload_to, blank=True, max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    revision_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assignment", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "application"], name="one_submission_per_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.applicant} — {self.assignment}"


# --- Attendance, practice facilitation ------------------------------------------------------


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        PARTIAL = "partial", "Partly present"
        ABSENT = "absent", "Absent"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=8, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "application"]
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="one_attendance_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.application.applicant} at {self.session}: {self.get_status_display()}"


class PracticeResult(models.Model):
    """The practice-facilitation result (seed 000: "demonstrate facilitation skills").

    Derived: ``institutes.practice.refresh_result`` writes it from the rubric scores under the
    rubric's rule; nothing else changes ``result``. Results a coordinator recorded by hand before
    rubrics existed are kept, marked as such (``basis``), until a scored facilitation decides anew.
    """

    class Result(models.TextChoices):
        PASSED = "passed", "Passed"
        NOT_YET = "not_yet", "Not yet"

    class Basis(models.TextChoices):
        RUBRIC = "rubric", "Follows the rubric's rule"
        RECORDED = "recorded", "Recorded by a coordinator before rubrics"

    ALLOWED_MOVES = {Result.NOT_YET: {Result.PASSED}, Result.PASSED: {Result.NOT_YET}}

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="practice")
    result = models.CharField(max_length=8, choices=Result.choices)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.RUBRIC)
    rubric = models.ForeignKey(
        "institutes.Rubric", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.application.applicant}: {self.get_result_display()}"


# --- Practice facilitations scored on a rubric (seed 000; DESIGN "Practice and mentoring") -----------


class RubricQuerySet(models.QuerySet):
    def current_for(self, module: Module) -> Rubric | None:
        """The module's rubric in force: its latest version."""
        return self.filter(module=module).order_by("-version").first()


class Rubric(TimeStampedModel):
    """A module's rubric, kept by its coordinators: criteria, each with a description per level, and
    the rule that turns coordinators' and mentors' scores into the practice result.

    Frozen once a score is given on it: changing it then makes the next version, and the scores
    already given stay with the version they were given on.
    """

    class Rule(models.TextChoices):
        EVERY_CRITERION = (
            "every",
            "The mean of coordinators' and mentors' scores reaches the pass level on every criterion",
        )
        AT_LEAST = (
            "at_least",
            "The mean of coordinators' and mentors' scores reaches the pass level on at least a number of criteria",
        )

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="rubrics")
    version = models.PositiveSmallIntegerField(default=1)
    levels = models.PositiveSmallIntegerField(
        "number of levels", default=4, help_text="Each criterion is scored from 1 to this number."
    )
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.EVERY_CRITERION)
    pass_level = models.PositiveSmallIntegerField(default=3)
    min_criteria = models.PositiveSmallIntegerField(
        "criteria that must reach it", null=True, blank=True, help_text="With the second rule only."
    )
    created_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["module", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["module", "version"], name="one_rubric_version_per_module"),
            models.CheckConstraint(condition=Q(levels__gte=2, levels__lte=6), name="rubric_levels_2_to_6"),
            models.CheckConstraint(
                condition=Q(pass_level__gte=1, pass_level__lte=models.F("levels")),
                name="rubric_pass_level_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} rubric, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("institutes:rubric", kwargs={"slug": self.module.slug})

    @property
    def rule_text(self) -> str:
        if self.rule == self.Rule.AT_LEAST:
            return (
                f"Passed when coordinators' and mentors' scores average {self.pass_level} or more on at least "
                f"{self.min_criteria} criteri{'on' if self.min_criteria == 1 else 'a'}."
            )
        return f"Passed when coordinators' and mentors' scores average {self.pass_level} or more on every criterion."


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=150)
    level_descriptions = models.JSONField(
        default=list, help_text="What each level looks like, from level 1 up (one text per level)."
    )

    class Meta:
        ordering = ["rubric", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def levels(self) -> list[tuple[int, str]]:
        return list(enumerate(self.level_descriptions, start=1))


class PracticeFacilitation(TimeStampedModel):
    """One practice facilitation a participant gives during the institute (seed 000)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="practice_facilitations"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="facilitations")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="practice_facilitations"
    )
    given_on = models.DateField("date")
    topic = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.application.applicant}: {self.topic} ({self.given_on:%b %-d, %Y})"

    def get_absolute_url(self) -> str:
        return reverse("institutes:practice-detail", kwargs={"pk": self.pk})


class PracticeFeedback(TimeStampedModel):
    """One person's scores and written feedback on a practice facilitation."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        MENTOR = "mentor", "Mentor"
        PEER = "peer", "Peer"

    # The rule counts these; peers' scores are shown to the participant but do not decide.
    COUNTED = (Role.COORDINATOR, Role.MENTOR)

    facilitation = models.ForeignKey(PracticeFacilitation, on_delete=models.CASCADE, related_name="feedback")
    scorer = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="practice_feedback")
    role = models.CharField(max_length=12, choices=Role.choices)
    comments = models.TextField("feedback", max_length=4000, blank=True)

    class Meta:
        ordering = ["facilitation", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["facilitation", "scorer"], name="one_feedback_per_scorer")
        ]

    def __str__(self) -> str:
        return f"{self.scorer} on {self.facilitation}"


class PracticeScore(models.Model):
    feedback = models.ForeignKey(PracticeFeedback, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="scores")
    level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["feedback", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=6), name="practice_score_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"
