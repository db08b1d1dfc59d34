"""The participant's dashboard panel: applications, what is due next, and a progress tracker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Expression, Prefetch, Q
from django.utils import timezone

from institutes.models import Application, Assignment, AssignmentSubmission, Attendance, Institute, Session

Status = Application.Status
STEPS = ["Applied", "Accepted", "Assignments done", "Attended", "Practice passed"]


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


_tracker_steps: list[TrackerStep] = []


def register_tracker_step(label: str, done: Callable[[object], Expression]) -> None:
    """Add a step to every participant's tracker (from an AppConfig.ready(); twice is once)."""
    step = TrackerStep(label, done)
    if step not in _tracker_steps:
        _tracker_steps.append(step)


def tracker_steps() -> list[TrackerStep]:
    return list(_tracker_steps)


def _step_field(index: int) -> str:
    return f"tracker_step_{index}"


def _progress(application: Application) -> list[Step]:
    accepted = application.status == Status.ACCEPTED
    assignments = application.institute.assignments.all()
    accepted_work = {
        s.assignment_id
        for s in application.submissions.all()
        if s.state == AssignmentSubmission.State.ACCEPTED
    }
    sessions = application.institute.sessions.all()
    present = {a.session_id for a in application.attendance.all() if a.status == Attendance.Status.PRESENT}
    practice = getattr(application, "practice", None)
    flags = [
        application.status != Status.DRAFT,
        accepted,
        accepted and all(a.pk in accepted_work for a in assignments),
        accepted and bool(sessions) and all(s.pk in present for s in sessions),
        accepted and practice is not None and practice.result == "passed",
    ]
    steps = [Step(label, done) for label, done in zip(STEPS, flags, strict=True)]
    steps += [Step(step.label, getattr(application, _step_field(i))) for i, step in enumerate(_tracker_steps)]
    for step in steps:
        if not step.done:
            step.current = True
            break
    return steps


def panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    applications = list(
        Application.objects.filter(applicant=user)
        .exclude(status=Status.WITHDRAWN)
        .select_related("institute", "practice")
        .annotate(**{_step_field(i): step.done(user) for i, step in enumerate(_tracker_steps)})
        .prefetch_related(
            Prefetch("institute__assignments", queryset=Assignment.objects.order_by("due_on")),
            Prefetch("institute__sessions", queryset=Session.objects.order_by("date", "starts_at")),
            # Read as sets: without order_by() their default orderings join assignments, sessions
            # and applications only to sort.
            Prefetch("submissions", queryset=AssignmentSubmission.objects.order_by()),
            Prefetch("attendance", queryset=Attendance.objects.order_by()),
        )
        .order_by("-created_at")
    )
    if not applications:
        return None
    today = timezone.localdate()
    due = []
    rows = []
    for application in applications:
        rows.append({"application": application, "steps": _progress(application)})
        if application.status != Status.ACCEPTED:
            if application.status == Status.DRAFT and application.institute.is_accepting_applications():
                due.append(
                    {
                        "label": f"Finish your application to {application.institute.title}",
                        "date": timezone.localdate(application.institute.applications_close_at),
                        "url": application.get_absolute_url(),
                    }
                )
            continue
        handed_in = {
            s.assignment_id
            for s in application.submissions.all()
            if s.state in (AssignmentSubmission.State.SUBMITTED, AssignmentSubmission.State.ACCEPTED)
        }
        for assignment in application.institute.assignments.all():
            if assignment.pk not in handed_in:
                due.append(
                    {
                        "label": f"{assignment.title} ({application.institute.title})",
                        "date": assignment.due_on,
                        "url": assignment.get_absolute_url(),
                        "overdue": assignment.due_on < today,
                    }
                )
        upcoming = [s for s in application.institute.sessions.all() if s.date >= today]
        if upcoming:
            due.append(
                {
                    "label": f"Next session of {application.institute.title}",
                    "date": upcoming[0].date,
                    "url": application.institute.get_absolute_url(),
                }
            )
    due.sort(key=lambda item: item["date"])
    return {"template": "institutes/_dashboard_panel.html", "order": 10, "rows": rows, "due": due[:6]}


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
    )
    counts["work_to_review"] = AssignmentSubmission.objects.filter(
        assignment__institute__in=institutes, state=AssignmentSubmission.State.SUBMITTED
    ).count()
    return {"template": "institutes/coordinator_panel.html", "order": 5, **counts}
