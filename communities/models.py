"""Communities of Practice: spaces, membership, threads and posts, resources, implementation plans."""

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Exists, ForeignKey, Lookup, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from communities.markdown import render_markdown
from portal.access import is_coordinator
from portal.models import AuditEntry, DatedRole, TimeStampedModel
from portal.reminders import clock

# The regional CoP topics of seed 002 (CALPRO's priority topics).
TOPICS = [
    "Accelerated Learning to Facilitate Career Pathways",
    "College and Career Readiness Standards (CCRS)",
    "CCRS 2: ELA Implementation and Application",
    "Effective Teaching for Adult Educators",
    "Evidence-Based Writing Instruction for ABE/ASE",
    "Evidence-Based Writing Instruction for ESL",
    "Evidence-Based Reading Instruction (EBRI) Institute",
    "Integrated and Contextualized Workforce Skills in the ABE/ASE Classroom",
    "Integrated and Contextualized Workforce Skills in the ESL Classroom",
    "Integrated Education and Training",
    "Mastering the English Language Proficiency Standards",
    "Math Instructional Strategies",
    "Motivation and Persistence for Adult Learners",
    "Optimizing ESL Instructional Planning: Management, Monitoring, and Reflection",
    "Postsecondary Transitions",
    "Success for All Learners through Equity",
]
TOPIC_CHOICES = [(t, t) for t in TOPICS]


def _is_moderator_everywhere(user) -> bool:
    return is_coordinator(user)


def search_vector_field():
    """The stored full-text document of a row, for communities/search.py.

    Written only by PostgreSQL triggers (migration 0003: titles weigh 'A', bodies and
    descriptions 'B'), so ``.update()``, data migrations and raw SQL keep it right too; GIN
    indexed there. On SQLite the column stays empty and search falls back to ``icontains``.
    """
    return SearchVectorField(null=True, editable=False, serialize=False)


class LeavesSearchVectorInDatabase(models.Manager):
    """Never loads ``search_vector`` into Python: only search reads it, inside SQL. A row saved
    after loading through this manager writes only its loaded fields, and the trigger refreshes
    the vector from them."""

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")


class RendersMarkdown:
    """Keeps each ``<field>_html`` the sanitised rendering of its Markdown ``<field>``.

    A model lists its Markdown fields in ``markdown_fields``; a save that names update_fields
    renders only the fields it writes, so hiding a post does not render it again.
    """

    markdown_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        for field in self.markdown_fields:
            if update_fields is None or field in update_fields:
                setattr(self, f"{field}_html", render_markdown(getattr(self, field)))
                if update_fields is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], f"{field}_html"}
        super().save(*args, **kwargs)


@ForeignKey.register_lookup
class AmongIds(Lookup):
    """``community__among=[ids]``: one array parameter on PostgreSQL (``= ANY(%s)``) instead of
    an ``IN`` of one parameter per id, which Django prepares, checks and compiles one by one
    (a search's three kinds spent about 8,000 Python calls on a hundred community ids)."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if not ids:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*params, *ids]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, [int(pk) for pk in self.rhs]]


def _among(field: str, communities) -> Q:
    """``field`` is one of ``communities``: a list of ids (a resolved ReadScope) or a subquery."""
    lookup = "among" if isinstance(communities, list) else "in"
    return Q(**{f"{field}__{lookup}": communities})


def _shown_or_moderated(scope: "ReadScope", community_field: str) -> Q:
    """Not hidden, or hidden where ``scope`` moderates. A resolved scope that moderates nowhere
    (most members) needs no second look at the community: no join, no empty-array test."""
    if scope.moderated == []:
        return Q(hidden=False)
    return Q(hidden=False) | _among(community_field, scope.moderated)


@dataclass(frozen=True)
class ReadScope:
    """Where one person may read: the communities whose content they see, and those they
    moderate (where hidden threads and posts stay visible to them).

    ``ReadScope.of(user)`` leaves both as subqueries of the query that uses them; a page that
    asks several such questions (search: threads, posts and resources) reads them once as ids
    with ``ReadScope.resolved_for(user)``, so each query is a plain id list for the database to
    plan and for Django to build. Either way the rules below are the only ones.
    """

    everywhere: bool
    signed_in: bool
    communities: Any = ()
    moderated: Any = ()

    @classmethod
    def of(cls, user) -> "ReadScope":
        if _is_moderator_everywhere(user):
            return cls(everywhere=True, signed_in=True)
        if not user.is_authenticated:
            return cls(
                everywhere=False, signed_in=False, communities=Community.objects.visible_to(user).values("pk")
            )
        return cls(
            everywhere=False,
            signed_in=True,
            communities=Community.objects.visible_to(user).values("pk"),
            moderated=CommunityFacilitator.objects.active().filter(user=user).values("community"),
        )

    @classmethod
    def resolved_for(cls, user) -> "ReadScope":
        """``ReadScope.of(user)`` read as ids in one query: the rule of ``visible_to`` (public,
        a member, a facilitator now) as a union of three plain id lists, each id marked when it
        comes from a facilitation (those are the communities one moderates). Building it costs
        half the Python of the EXISTS form."""
        if _is_moderator_everywhere(user) or not user.is_authenticated:
            return cls.of(user)
        no, yes = Value(False, output_field=BooleanField()), Value(True, output_field=BooleanField())
        public = Community.objects.filter(visibility=Community.Visibility.PUBLIC).order_by()
        member = Membership.objects.filter(user=user).order_by()
        facilitator = CommunityFacilitator.objects.active().filter(user=user).order_by()
        rows = list(
            public.values_list("pk", no).union(
                member.values_list("community_id", no), facilitator.values_list("community_id", yes), all=True
            )
        )
        return cls(
            everywhere=False,
            signed_in=True,
            communities=sorted({pk for pk, _ in rows}),  # a community is in one to three parts
            moderated=sorted({pk for pk, moderates in rows if moderates}),
        )


class CommunityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Communities whose content (threads, posts, resources) this person may read."""
        if _is_moderator_everywhere(user):
            return self
        public = Q(visibility=Community.Visibility.PUBLIC)
        if not user.is_authenticated:
            return self.filter(public)
        member = Exists(Membership.objects.filter(community=OuterRef("pk"), user=user))
        facilitator = Exists(
            CommunityFacilitator.objects.active().filter(community=OuterRef("pk"), user=user)
        )
        return self.filter(public | member | facilitator)

    def listed_for(self, user):
        """Communities this person may find in the directory: the visible ones, plus members-only
        spaces that anyone may join or ask to join (their content stays closed)."""
        if _is_moderator_everywhere(user):
            return self
        discoverable = self.exclude(join_policy=Community.JoinPolicy.INVITATION).filter(
            kind__in=[Community.Kind.REGIONAL, Community.Kind.STATEWIDE]
        )
        return self.filter(Q(pk__in=self.visible_to(user).values("pk")) | Q(pk__in=discoverable.values("pk")))


class Community(RendersMarkdown, TimeStampedModel):
    markdown_fields = ("description",)

    class Kind(models.TextChoices):
        COHORT = "cohort", "Institute cohort"
        REGIONAL = "regional", "Regional CoP"
        STATEWIDE = "statewide", "Statewide e-CoP"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone can read"
        MEMBERS = "members", "Members only"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone signed in can join"
        REQUEST = "request", "On request: facilitators approve"
        INVITATION = "invitation", "By invitation"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REGIONAL, db_index=True)
    topic = models.CharField(max_length=120, blank=True, db_index=True)
    region = models.CharField(max_length=100, blank=True, db_index=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    join_policy = models.CharField(max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    institute = models.ForeignKey(
        "institutes.Institute", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Seed 002: each CoP asks "an average total of 16-20 hours of professional learning" a year.
    expected_hours_min = models.DecimalField(
        "expected hours a year, at least",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )
    expected_hours_max = models.DecimalField(
        "expected hours a year, at most",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name_plural = "communities"
        constraints = [
            models.UniqueConstraint(
                fields=["institute"],
                condition=Q(kind="cohort", institute__isnull=False),
                name="one_cohort_community_per_institute",
            ),
            models.CheckConstraint(
                condition=Q(expected_hours_max__isnull=True)
                | Q(expected_hours_min__isnull=False, expected_hours_max__gte=models.F("expected_hours_min")),
                name="community_expected_hours_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communities:community-detail", kwargs={"slug": self.slug})

    @property
    def moderation_log(self):
        """Facilitators' and members' rule-bearing actions here, newest first (the portal's audit trail).

        Each entry is about the community; ``details`` names the thread, post or member it touched.
        """
        return AuditEntry.objects.about(self).select_related("actor").order_by("-at", "-pk")

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.title)[:200] or "community"
            slug, n = base, 2
            while Community.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)

    @property
    def is_members_only(self) -> bool:
        return self.visibility == self.Visibility.MEMBERS

    @property
    def expected_hours(self) -> str:
        """In words: "16-20", "16" or ""."""
        low, high = self.expected_hours_min, self.expected_hours_max
        if low is None:
            return ""
        low_text = f"{low.normalize():f}"
        if high is None or high == low:
            return low_text
        return f"{low_text}-{high.normalize():f}"


class CommunityFacilitator(DatedRole):
    """Facilitator of this community: pins, locks, hides, approves join requests."""

    user = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="facilitator_roles")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="facilitator_roles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="one_facilitator_role_per_community")
        ]

    def __str__(self) -> str:
        return f"{self.user} facilitates {self.community}"


class Membership(models.Model):
    class Notify(models.TextChoices):
        IMMEDIATE = "immediate", "At once, one e-mail per reply"
        DIGEST = "digest", "Once a day, in a digest"
        OFF = "off", "No e-mail"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    seen_orientation = models.BooleanField(default=False)
    notify = models.CharField(
        "e-mail about replies", max_length=10, choices=Notify.choices, default=Notify.IMMEDIATE
    )

    class Meta:
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["user", "community"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.community}"


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a facilitator"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    ALLOWED_MOVES = {
        Status.PENDING: {Status.APPROVED, Status.DECLINED, Status.WITHDRAWN},
    }

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(status="pending"), name="one_pending_join_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.community}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.community}"


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user, scope: ReadScope | None = None):
        scope = scope or ReadScope.of(user)
        if scope.everywhere:
            return self
        qs = self.filter(_among("community", scope.communities))
        if not scope.signed_in:
            return qs.filter(hidden=False)
        return qs.filter(_shown_or_moderated(scope, "community"))


class Thread(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="community_threads"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    search_vector = search_vector_field()

    objects = LeavesSearchVectorInDatabase.from_queryset(ThreadQuerySet)()

    class Meta:
        ordering = ["-pinned", "-last_activity_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communities:thread-detail", kwargs={"pk": self.pk})


class PostQuerySet(models.QuerySet):
    def visible_to(self, user, scope: ReadScope | None = None):
        scope = scope or ReadScope.of(user)
        if scope.everywhere:
            return self
        qs = self.filter(thread__in=Thread.objects.visible_to(user, scope))
        if not scope.signed_in:
            return qs.filter(hidden=False)
        return qs.filter(_shown_or_moderated(scope, "thread__community"))


class Post(RendersMarkdown, models.Model):
    markdown_fields = ("body",)

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="community_posts"
    )
    body = models.TextField(max_length=20_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    quote = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    search_vector = search_vector_field()

    objects = LeavesSearchVectorInDatabase.from_queryset(PostQuerySet)()

    class Meta:
        ordering = ["created_at", "pk"]
        # A thread's page reads its posts in this order; without the index PostgreSQL walks the
        # created_at index over every thread's posts (bench: 215 ms -> <1 ms at 200,000 posts).
        indexes = [models.Index(fields=["thread", "created_at", "id"], name="post_thread_order_idx")]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread}"

    def get_absolute_url(self) -> str:
        return reverse("communities:post-detail", kwargs={"pk": self.pk})


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(resolved=False), name="one_open_report_per_reporter"
            )
        ]

    def __str__(self) -> str:
        return f"Report on post {self.post_id}"


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_follows"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=True, community__isnull=False)
                | Q(thread__isnull=False, community__isnull=True),
                name="follow_thread_or_community",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"], condition=Q(thread__isnull=False), name="one_follow_per_thread"
            ),
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(community__isnull=False),
                name="one_follow_per_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.thread or self.community}"


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user, scope: ReadScope | None = None):
        scope = scope or ReadScope.of(user)
        if scope.everywhere:
            return self
        return self.filter(Q(community__isnull=True) | _among("community", scope.communities))


def resource_upload_to(instance, filename: str) -> str:
    return f"communities/resources/{timezone.now():%Y/%m}/{secrets.token_hex(8)}"


class Resource(RendersMarkdown, TimeStampedModel):
    markdown_fields = ("description",)

    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
        help_text="Empty: the statewide library.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    topic = models.CharField(max_length=120, blank=True, db_index=True)
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to=resource_upload_to, blank=True, max_length=200)
    filename = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_vector = search_vector_field()

    objects = LeavesSearchVectorInDatabase.from_queryset(ResourceQuerySet)()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="resource_has_link_or_file")
        ]

    def __str__(self) -> str:
        return self.title


class PlanTemplate(TimeStampedModel):
    """A planning protocol: the steps a team's plan starts with (seed 001's EL Roadmap (a)-(f))."""

    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PlanTemplateStep(models.Model):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    guidance = models.TextField(blank=True, max_length=2000, help_text="What the team does in this step.")

    class Meta:
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        own = Q(owner=user) | Q(members=user)
        if _is_moderator_everywhere(user):
            return self.filter(own | Q(shared_with__isnull=False)).distinct()
        shared = Q(shared_with__in=Community.objects.filter(memberships__user=user)) | Q(
            shared_with__in=CommunityFacilitator.objects.active().filter(user=user).values("community")
        )
        return self.filter(own | shared).distinct()


class ImplementationPlan(RendersMarkdown, TimeStampedModel):
    markdown_fields = ("goals",)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="implementation_plans"
    )
    title = models.CharField(max_length=200)
    goals = models.TextField(max_length=10_000, help_text="Markdown.")
    goals_html = models.TextField(editable=False, blank=True)
    shared_with = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shared_plans",
        help_text="Empty: only you can see this plan.",
    )
    # A team plan (planning networks): started from a protocol when the team is accepted, edited
    # by every member of the team, and reviewed by the institute's coordinator at follow-ups.
    template = models.ForeignKey(
        PlanTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="team_plans",
        help_text="The team: each member edits the plan as the owner does.",
    )
    institute = models.ForeignKey(
        "institutes.Institute", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.OneToOneField(
        "institutes.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communities:plan-detail", kwargs={"pk": self.pk})


class PlanStep(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        ON_HOLD = "on_hold", "On hold"

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(max_length=300)
    guidance = models.TextField(blank=True, max_length=2000, editable=False)
    notes = models.TextField(
        "the team's work", blank=True, max_length=10_000, help_text="What the team found, decided or drafted."
    )
    owner_name = models.CharField("who", max_length=150, blank=True)
    due_on = models.DateField("due date", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return self.description


class PlanReflection(RendersMarkdown, models.Model):
    markdown_fields = ("body",)

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="reflections")
    body = models.TextField(max_length=10_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Reflection on {self.plan}"


class PlanComment(RendersMarkdown, models.Model):
    markdown_fields = ("body",)

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment on {self.plan}"


def deliverable_upload_to(instance, filename: str) -> str:
    return f"communities/deliverables/{timezone.now():%Y/%m}/{secrets.token_hex(8)}"


class PlanDeliverable(TimeStampedModel):
    """A document or link the team made; shared as a community resource when the team chooses."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200)
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to=deliverable_upload_to, blank=True, max_length=200)
    filename = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resource = models.OneToOneField(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="deliverable_has_link_or_file")
        ]

    def __str__(self) -> str:
        return self.title


class PlanReview(models.Model):
    """A coordinator's note on a team's progress at a follow-up session."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(max_length=5000)
    steps_done = models.PositiveSmallIntegerField(default=0, editable=False)
    steps_total = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.plan}"


# --- Events -------------------------------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def visible_to(self, user, scope: ReadScope | None = None):
        """Events of the communities whose content this person may read."""
        scope = scope or ReadScope.of(user)
        if scope.everywhere:
            return self
        return self.filter(_among("community", scope.communities))

    def upcoming(self, now=None):
        """Scheduled events whose last date has not ended yet."""
        return self.filter(status=Event.Status.SCHEDULED, ends_at__gt=now or timezone.now())


class Event(RendersMarkdown, TimeStampedModel):
    """A community's webinar or meeting: one date or a series (``EventDate``), with registration.

    ``starts_at`` and ``ends_at`` are the first date's start and the last date's end, kept by
    ``communities.events`` whenever the dates change, so lists sort and filter on an index.
    """

    markdown_fields = ("description",)

    class Kind(models.TextChoices):
        WEBINAR = "webinar", "Online webinar"
        MEETING = "meeting", "Face-to-face meeting"
        HYBRID = "hybrid", "Hybrid: in person and online"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    MOVES = {Status.SCHEDULED: {Status.HELD, Status.CANCELLED}}

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10_000, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBINAR, db_index=True)
    place = models.CharField("where", max_length=300, blank=True)
    online_link = models.URLField("online meeting link", max_length=500, blank=True)
    capacity = models.PositiveIntegerField(default=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recording_url = models.URLField("recording link", max_length=500, blank=True)
    slides_url = models.URLField("slides link", max_length=500, blank=True)
    materials_shared_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at", "id"], name="event_status_start_idx"),
            models.Index(fields=["community", "starts_at"], name="event_community_start_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def is_online(self) -> bool:
        return self.kind in (self.Kind.WEBINAR, self.Kind.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.kind in (self.Kind.MEETING, self.Kind.HYBRID)


class EventDate(models.Model):
    """One meeting of an event (a series has several)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="dates")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_date_ends_after_start"
            ),
            models.UniqueConstraint(fields=["event", "starts_at"], name="one_event_date_per_start"),
        ]

    def __str__(self) -> str:
        starts = timezone.localtime(self.starts_at)
        return f"{self.event}: {starts:%b %-d, %Y}, {clock(starts)}"

    @property
    def hours(self):
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(
            Decimal("0.01")
        )


class EventRegistration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    MOVES = {
        Status.REGISTERED: {Status.CANCELLED},
        Status.WAITLISTED: {Status.REGISTERED, Status.CANCELLED},
    }

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=~Q(status="cancelled"),
                name="one_live_event_registration",
            )
        ]
        indexes = [models.Index(fields=["person", "status"], name="event_reg_person_status_idx")]

    def __str__(self) -> str:
        return f"{self.person} at {self.event}"


class EventAttendance(models.Model):
    """A registrant was there on one date of the event (marked by a facilitator)."""

    registration = models.ForeignKey(EventRegistration, on_delete=models.CASCADE, related_name="attendance")
    date = models.ForeignKey(EventDate, on_delete=models.CASCADE, related_name="attendance")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "date"], name="one_attendance_per_event_date")
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} at {self.date}"


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private calendar-feed address: their own events (``community`` empty) or one
    community's. The token is random (256 bits) and per person; regenerating replaces it and
    revoking deletes the row, so an old address answers 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="one_feed_per_community"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(community__isnull=True), name="one_personal_feed"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
