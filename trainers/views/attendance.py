"""The day of a turnkey training: the roster on a phone, walk-ins, the room's check-in code,
participants' self check-in, marking the training held and the report made from it."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.access import login_required, public, sees_program_results
from portal.emails import absolute_url
from portal.ratelimit import Limit, allow, client_ip, too_many
from trainers import attendance, permissions
from trainers.day_forms import CheckInForm, MarkForm, WalkInForm
from trainers.forms import ReportForm
from trainers.models import Registration, SessionAttendance, TrainingSession, TurnkeyTraining
from trainers.services import TrainerError

# A whole room may share one address (a school's network): generous for people, and still
# thousands of tries short of guessing a six-digit code inside a session's window.
CHECK_IN_LIMIT = Limit(attempts=60, seconds=600)


def _training(request, pk: int, rule) -> TurnkeyTraining:
    """The training if ``rule`` lets the user in; 403 for someone who may see it, else 404."""
    training = get_object_or_404(TurnkeyTraining.objects.select_related("module"), pk=pk)
    if not rule(request.user, training):
        if permissions.can_view_training(request.user, training):
            raise PermissionDenied
        raise Http404
    return training


def _session(sessions: list[TrainingSession], session_pk: int | None) -> TrainingSession:
    """The session asked for, or the one the day is about, of a training's ``sessions``."""
    if session_pk is None:
        session = attendance.current_session(sessions)
    else:
        session = next((s for s in sessions if s.pk == session_pk), None)
    if session is None:
        raise Http404("This training has no such session.")
    return session


def _roster_url(session: TrainingSession) -> str:
    return reverse("trainers:training-roster", kwargs={"pk": session.training_id, "session_pk": session.pk})


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def roster(request, pk: int, session_pk: int | None = None):
    """One row per registrant; a tap marks them present (or takes the mark back)."""
    training = _training(request, pk, permissions.can_run_training)
    sessions = list(training.sessions.all())
    session = _session(sessions, session_pk)
    if request.method == "POST":
        return _mark(request, training, session)
    query = request.GET.get("q", "").strip()[:100]
    registrations = (
        training.registrations.filter(
            status__in=(Registration.Status.REGISTERED, Registration.Status.WAITLISTED)
        )
        .select_related("agency")
        .order_by("-status", "name", "pk")  # "registered" before "waitlisted"
    )
    if query:
        registrations = registrations.filter(name__icontains=query)
    present = set(SessionAttendance.objects.filter(session=session).values_list("registration_id", flat=True))
    hours = attendance.hours_by_registration(training) if len(sessions) > 1 else {}
    rows = [(r, r.pk in present, hours.get(r.pk)) for r in registrations]
    counts = attendance.attendance_counts(training)
    return render(
        request,
        "trainers/day/roster.html",
        {
            "training": training,
            "session": session,
            "sessions": [(s, counts.get(s.pk, 0)) for s in sessions],
            "rows": rows,
            "query": query,
            "present_count": counts.get(session.pk, 0),
            "registered_count": training.registrations.filter(status=Registration.Status.REGISTERED).count(),
            "roster_url": _roster_url(session),
            "can_mark_held": training.status == TurnkeyTraining.Status.PUBLISHED
            and permissions.can_plan_training(request.user, training),
            "can_report": permissions.can_report_training(request.user, training),
        },
    )


def _mark(request, training: TurnkeyTraining, session: TrainingSession):
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tap a name on the roster to mark that person present.")
        return redirect(_roster_url(session))
    registration = get_object_or_404(
        training.registrations.select_related("agency"), pk=form.cleaned_data["registration"]
    )
    error = ""
    try:
        if form.cleaned_data["present"]:
            attendance.mark_present(session, registration, by=request.user)
        else:
            attendance.unmark_present(session, registration, by=request.user)
    except TrainerError as exc:
        error = str(exc)
    if _is_htmx(request):
        registration.refresh_from_db(fields=["status"])
        present = session.attendance.filter(registration=registration).exists()
        counts = {
            "present": session.attendance.count(),
            "registered": training.registrations.filter(status=Registration.Status.REGISTERED).count(),
        }
        return render(
            request,
            "trainers/day/_roster_row.html",
            {
                "registration": registration,
                "present": present,
                "counts": counts,
                "roster_url": _roster_url(session),
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect(f"{_roster_url(session)}#registration-{registration.pk}")


@login_required
def walk_in(request, pk: int):
    """Add someone who came without registering, marked present at the roster's session."""
    training = _training(request, pk, permissions.can_run_training)
    session_pk = request.GET.get("session", "")
    session = _session(list(training.sessions.all()), int(session_pk) if session_pk.isdigit() else None)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = attendance.add_walk_in(training, form.newcomer(), by=request.user, session=session)
        except TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{registration.name} is on the roster and marked present.")
            return redirect(f"{_roster_url(session)}#registration-{registration.pk}")
    return render(
        request,
        "trainers/day/walk_in.html",
        {"training": training, "session": session, "form": form, "roster_url": _roster_url(session)},
    )


@login_required
def room(request, pk: int, session_pk: int):
    """The check-in code, large, for the projector in the room."""
    training = _training(request, pk, permissions.can_run_training)
    session = _session(list(training.sessions.all()), session_pk)
    check_in_url = absolute_url(reverse("trainers:check-in", kwargs={"code": training.short_code}))
    qr = segno.make(f"{check_in_url}?code={session.check_in_code}", error="m")
    return render(
        request,
        "trainers/day/room.html",
        {
            "training": training,
            "session": session,
            "check_in_url": check_in_url,
            "qr": qr.svg_data_uri(scale=6, border=2),
            "is_open": session.check_in_open(),
            "window": attendance.check_in_window(),
            "roster_url": _roster_url(session),
        },
    )


@public
def check_in(request, code: str):
    """Participants check themselves in with the code shown in the room."""
    training = get_object_or_404(
        TurnkeyTraining.objects.select_related("module"),
        short_code=code,
        status__in=attendance.TAKES_ATTENDANCE,
    )
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")[:6]})
    if request.method == "POST":
        if not allow("check-in", client_ip(request), CHECK_IN_LIMIT):
            return too_many(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = attendance.check_in(training, data["code"], form.newcomer())
            except attendance.CodeRefused as exc:
                form.add_error("code", str(exc))
            except attendance.NeedsDetails as exc:
                form.add_error("email", str(exc))
            except TrainerError as exc:
                form.add_error(None, str(exc))
            else:
                return render(
                    request,
                    "trainers/day/check_in_done.html",
                    {"training": training, "session": done.session},
                )
    return render(request, "trainers/day/check_in.html", {"training": training, "form": form})


@login_required
@require_POST
def mark_held(request, pk: int):
    training = _training(request, pk, permissions.can_plan_training)
    try:
        attendance.mark_held(training, by=request.user)
    except TrainerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "The training is marked held. Thank you! Now write its facilitation report."
        )
    return redirect("trainers:training-roster", pk=training.pk)


@login_required
def training_report(request, pk: int):
    """The facilitation report, prefilled from the held training and its attendance."""
    training = _training(request, pk, permissions.can_plan_training)
    if training.report_id is not None:
        return redirect(training.report)
    if not permissions.can_report_training(request.user, training):
        messages.error(request, "Mark the training held first; then its report is prefilled for you.")
        return redirect("trainers:training-roster", pk=training.pk)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        trainer=request.user,
        from_training=True,
        initial=attendance.report_initial(training),
    )
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        try:
            attendance.submit_training_report(
                training, report, by=request.user, co_facilitators=form.cleaned_data["co_facilitators"]
            )
        except TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Thank you: your report is filed. A coordinator will review it soon.")
            return redirect(report)
    return render(
        request,
        "trainers/report_form.html",
        {"form": form, "training": training, "agencies": attendance.agencies_reached(training)},
    )


@login_required
def training_results(request, pk: int):
    """What participants said in the post-training survey."""
    training = _training(request, pk, permissions.can_see_training_results)
    held = training.status == TurnkeyTraining.Status.HELD
    unfolded = sees_program_results(request.user)
    results = attendance.survey_results(training, request.user, unfolded=unfolded) if held else None
    return render(
        request,
        "trainers/day/results.html",
        {"training": training, "held": held, "results": results, "unfolded": unfolded},
    )
