"""The participant's dashboard panel: applications, what is due next, and a progress tracker."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, Expression, ExpressionWrapper, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone

from communities.models import ImplementationPlan, PlanStep
from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Institute,
    Session,
    TeamInvitation,
)
from portal.fragments import render_items, url_for_pk

Status = Application.Status
STEPS = ["Applied", "Accepted", "Assignments done", "Attended", "Practice passed"]
# A planning network certifies nobody and practises no facilitation: its teams leave with a plan.
PLANNING_STEPS = ["Applied", "Accepted", "Assignments done", "Attended", "Team plan done"]


@dataclass
class Step:
    label: str
    done: bool
    current: bool = False


@dataclass(frozen=True)
class TrackerStep:
    """A step that an app above institutes adds to the end of the tracker.

    ``done(user)`` returns a boolean expression on the person's applications query, usually an
    ``Exists(...)`` with ``OuterRef("institute")``, so each step costs no query of its own.
    """

    label: str
    done: Callable[[object], Expression]
    kinds: frozenset[str] | None = None  # the program kinds whose tracker shows it (None: every kind)


_tracker_steps: list[TrackerStep] = []


def register_tracker_step(
    label: str, done: Callable[[object], Expression], kinds: frozenset[str] | None = None
) -> None:
    """Add a step to every participant's tracker (from an AppConfig.ready(); twice is once);
    ``kinds``: only for institutes of these program kinds."""
    step = TrackerStep(label, done, frozenset(kinds) if kinds is not None else None)
    if step not in _tracker_steps:
        _tracker_steps.append(step)


def tracker_steps() -> list[TrackerStep]:
    return list(_tracker_steps)


def _step_field(index: int) -> str:
    return f"tracker_step_{index}"


# What the tracker and the due list show of each application, read as plain values: not the
# application, its institute (some thirty columns) and its practice result as model instances.
TRACKED_VALUES = (
    *("pk", "status", "institute_id", "practice__result", "offer_expires_at", "waitlist_position"),
    *(
        "team_plan_done",
        "attended_all",
        "institute__title",
        "institute__slug",
        "institute__status",
        "institute__kind",
    ),
    *("institute__applications_open_at", "institute__applications_close_at"),
)


class _TrackedInstitute:
    Status = Institute.Status  # for Institute.is_accepting_applications, the one rule

    def __init__(self, row: dict):
        self.pk, self.title, self.slug = row["institute_id"], row["institute__title"], row["institute__slug"]
        self.status, self.kind = row["institute__status"], row["institute__kind"]
        self.applications_open_at = row["institute__applications_open_at"]
        self.applications_close_at = row["institute__applications_close_at"]

    def is_accepting_applications(self) -> bool:
        return Institute.is_accepting_applications(self)

    def get_absolute_url(self) -> str:
        return reverse("institutes:institute-detail", kwargs={"slug": self.slug})


class _TrackedApplication:
    """One of the person's applications, with its institute, as the panel shows them."""

    def __init__(self, row: dict, url: str):
        self.pk, self.status, self.url = row["pk"], row["status"], url
        self.status_label = Status(self.status).label
        self.institute_id, self.institute = row["institute_id"], _TrackedInstitute(row)
        self.practice_result = row["practice__result"]
        self.team_plan_done = row["team_plan_done"]
        self.attended_all = row["attended_all"]
        self.waitlist_position = row["waitlist_position"]
        self.offer_expires_at = row["offer_expires_at"] if self.status == Status.OFFERED else None
        self.steps_done = [row[_step_field(i)] for i in range(len(_tracker_steps))]
        self.steps: list[Step] = []  # the tracker, once the panel has read the work
        self.card = ""  # the tracker rendered (portal.fragments)


@dataclass
class _Work:
    """What the tracker and the due list need of the person's institutes, read as plain values
    (two light queries, no model instances): each institute's assignments and session dates, and
    each accepted application's handed-in work."""

    assignments: dict = field(default_factory=lambda: defaultdict(list))  # institute -> [(pk, title, due)]
    session_dates: dict = field(default_factory=lambda: defaultdict(list))  # institute -> [date, ...]
    submissions: dict = field(default_factory=lambda: defaultdict(dict))  # application -> {assignment: state}

    @classmethod
    def read(cls, applications: list[_TrackedApplication]) -> _Work:
        work = cls()
        institutes = {a.institute_id for a in applications}
        accepted = [a.pk for a in applications if a.status == Status.ACCEPTED]
        # The institutes' assignments and sessions in one query: a row per dated thing, marked
        # as one or the other, put in date order here (a handful of rows).
        assignments = Assignment.objects.filter(institute__in=institutes).values_list(
            "institute", "due_on", "pk", "title", Value(0)
        )
        sessions = Session.objects.filter(institute__in=institutes).values_list(
            "institute", "date", "pk", Value(""), Value(1)
        )
        rows = sorted(assignments.union(sessions, all=True), key=lambda row: (row[1], row[2]))
        for institute, day, pk, title, is_session in rows:
            if is_session:
                work.session_dates[institute].append((day, pk))
            else:
                work.assignments[institute].append((pk, title, day))
        if accepted:
            for application, assignment, state in (
                AssignmentSubmission.objects.filter(application__in=accepted)
                .order_by()
                .values_list("application", "assignment", "state")
            ):
                work.submissions[application][assignment] = state
        return work


def _progress(application: _TrackedApplication, work: _Work) -> list[Step]:
    accepted = application.status == Status.ACCEPTED
    submitted = work.submissions[application.pk]
    flags = [
        application.status != Status.DRAFT,
        accepted,
        accepted
        and all(
            submitted.get(pk) == AssignmentSubmission.State.ACCEPTED
            for pk, _t, _d in work.assignments[application.institute_id]
        ),
        accepted and application.attended_all,
    ]
    kind = application.institute.kind
    if kind == Institute.Kind.PLANNING:
        flags.append(accepted and application.team_plan_done)
        labels = PLANNING_STEPS
    else:
        flags.append(accepted and application.practice_result == "passed")
        labels = STEPS
    steps = [Step(label, done) for label, done in zip(labels, flags, strict=True)]
    steps += [
        Step(step.label, done)
        for step, done in zip(_tracker_steps, application.steps_done, strict=True)
        if step.kinds is None or kind in step.kinds
    ]
    for step in steps:
        if not step.done:
            step.current = True
            break
    return steps


def _tracker_inputs(application: _TrackedApplication) -> list:
    """Everything an application's tracker shows (institutes/_tracker.html)."""
    steps = [(step.label, step.done, step.current) for step in application.steps]
    return [
        *(application.url, application.institute.title, application.status_label, steps),
        *(application.waitlist_position, application.offer_expires_at),
    ]


def _attended_every_session() -> Expression:
    """The institute has sessions, and the application was present at every one of them."""
    sessions = Session.objects.filter(institute=OuterRef("institute"))
    present = Attendance.objects.filter(
        session=OuterRef("pk"), application=OuterRef(OuterRef("pk")), status=Attendance.Status.PRESENT
    )
    return ExpressionWrapper(
        Exists(sessions) & ~Exists(sessions.exclude(Exists(present))), output_field=BooleanField()
    )


def _team_plan_done() -> Expression:
    """The application's team has a plan, and every step of it is done."""
    open_steps = PlanStep.objects.filter(plan=OuterRef("pk")).exclude(status=PlanStep.Status.DONE)
    return Exists(
        ImplementationPlan.objects.filter(team=OuterRef("team"), steps__isnull=False)
        .exclude(Exists(open_steps))
        .values("pk")
    )


def panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    steps_done = {_step_field(i): step.done(user) for i, step in enumerate(_tracker_steps)}
    tracked = (
        Application.objects.filter(applicant=user)
        .exclude(status=Status.WITHDRAWN)
        .with_waitlist_position()
        .annotate(**steps_done, team_plan_done=_team_plan_done(), attended_all=_attended_every_session())
        .order_by("-created_at")
        .values(*TRACKED_VALUES, *steps_done)
    )
    application_url = url_for_pk("institutes:application-detail")
    applications = [_TrackedApplication(row, application_url(row["pk"])) for row in tracked]
    # Colleagues' invitations to join their team, waiting for this person's answer.
    invitations = [
        {"url": reverse("institutes:team-invitation", kwargs={"token": token}), "institute": title, "by": by}
        for token, title, by in TeamInvitation.objects.filter(
            email__iexact=user.email, state=TeamInvitation.State.PENDING
        )
        .order_by("created_at")
        .values_list("token", "team__institute__title", "invited_by__name")
    ]
    if not applications and not invitations:
        return None
    work = _Work.read(applications)
    assignment_url = url_for_pk("institutes:assignment-detail")
    today = timezone.localdate()
    handed_in = (AssignmentSubmission.State.SUBMITTED, AssignmentSubmission.State.ACCEPTED)
    due = []
    for application in applications:
        institute = application.institute
        application.steps = _progress(application, work)
        if application.offer_expires_at:
            due.append(
                {
                    "label": f"Accept or decline the seat offered to you in {institute.title}",
                    "date": timezone.localdate(application.offer_expires_at),
                    "url": f"{application.url}#seat-offer",
                }
            )
        if application.status != Status.ACCEPTED:
            if application.status == Status.DRAFT and institute.is_accepting_applications():
                due.append(
                    {
                        "label": f"Finish your application to {institute.title}",
                        "date": timezone.localdate(institute.applications_close_at),
                        "url": application.url,
                    }
                )
            continue
        submitted = work.submissions[application.pk]
        for pk, title, due_on in work.assignments[institute.pk]:
            if submitted.get(pk) not in handed_in:
                due.append(
                    {
                        "label": f"{title} ({institute.title})",
                        "date": due_on,
                        "url": assignment_url(pk),
                        "overdue": due_on < today,
                    }
                )
        upcoming = [day for day, _pk in work.session_dates[institute.pk] if day >= today]
        if upcoming:
            due.append(
                {
                    "label": f"Next session of {institute.title}",
                    "date": upcoming[0],
                    "url": institute.get_absolute_url(),
                }
            )
    due.sort(key=lambda item: item["date"])
    render_items(applications, "institutes/_tracker.html", name="application", inputs=_tracker_inputs)
    return {
        "template": "institutes/_dashboard_panel.html",
        "order": 10,
        "applications": applications,
        "invitations": invitations,
        "due": due[:6],
    }


def coordinator_panel(request) -> dict | None:
    """For coordinators: what waits for them in the institutes they coordinate."""
    user = request.user
    if not (user.is_authenticated and user.is_coordinator):
        return None
    institutes = Institute.objects.coordinated_by(user)
    Status = Application.Status
    counts = Application.objects.filter(institute__in=institutes).aggregate(
        to_review=Count("pk", filter=Q(status=Status.SUBMITTED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
        offered=Count("pk", filter=Q(status=Status.OFFERED)),
    )
    counts["work_to_review"] = AssignmentSubmission.objects.filter(
        assignment__institute__in=institutes, state=AssignmentSubmission.State.SUBMITTED
    ).count()
    return {"template": "institutes/coordinator_panel.html", "order": 5, **counts}
