"""Attendance and the completion roster (practice facilitations: views/practice.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from institutes import learning, permissions, services
from institutes.forms import AttendanceForm
from institutes.models import Attendance, Session
from institutes.views._common import _reviewable_institute
from portal.access import login_required
from portal.pictures import bar_step


@login_required
def attendance(request, pk):
    session = get_object_or_404(Session.objects.select_related("institute"), pk=pk)
    if not permissions.can_view_institute(request.user, session.institute):
        raise Http404
    if not permissions.can_review_institute(request.user, session.institute):
        raise PermissionDenied
    participants = (
        session.institute.applications.accepted()
        .select_related("applicant", "agency")
        .order_by("applicant__name")
    )
    current = dict(Attendance.objects.filter(session=session).values_list("application_id", "status"))
    form = AttendanceForm(request.POST or None, applications=participants, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.record_attendance(session, marks=form.marks(), by=request.user)
        except services.ApplicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Attendance saved for {count} participant{'s' if count != 1 else ''}.")
            return redirect("institutes:attendance", pk=session.pk)
    return render(
        request,
        "institutes/attendance.html",
        {
            "session": session,
            "institute": session.institute,
            "form": form,
            "started": session.has_started(),
            "hours": learning.session_hours(session),
            "partial": learning.partial_hours(learning.session_hours(session)),
            "marked": (marked := form.marked()),
            "marked_step": bar_step(marked, len(form.applications)),
        },
    )


@login_required
def roster(request, slug):
    institute = _reviewable_institute(request, slug)
    rows = services.completion_roster(institute)
    return render(
        request,
        "institutes/roster.html",
        {
            "institute": institute,
            "rows": rows,
            "complete_count": sum(row.complete for row in rows),
            "sessions": institute.sessions.all(),
        },
    )
