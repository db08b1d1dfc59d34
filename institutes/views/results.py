"""The evaluations' results (per institute, per session) and a module's public page with its quotes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from institutes import permissions
from institutes.models import Module, Session
from institutes.surveys import END_SURVEY, SESSION_SURVEY
from institutes.views._common import _visible_institute
from portal.access import login_required, public
from portal.surveys import services as surveys
from portal.surveys.models import Invitation, Response


def _reach(invitations) -> dict:
    return invitations.aggregate(
        invited=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )


@login_required
def institute_results(request, slug):
    institute = _visible_institute(request, slug)
    if not permissions.can_view_survey_results(request.user, institute):
        raise PermissionDenied
    table = surveys.means_by_subject(
        Response.objects.about(institute.sessions.all()).filter(instrument__key=SESSION_SURVEY)
    )
    session_rows = []
    for session in institute.sessions.all():
        row = table.rows.get(session.pk)
        means = [row.means.get(prompt) if row else None for prompt in table.prompts]
        session_rows.append({"session": session, "n": row.n if row else 0, "means": means})
    return render(
        request,
        "institutes/results.html",
        {
            "institute": institute,
            "reach": _reach(Invitation.objects.about(institute).filter(purpose=END_SURVEY)),
            "summaries": surveys.summarize(
                Response.objects.about(institute).filter(instrument__key=END_SURVEY)
            ),
            "prompts": table.prompts,
            "session_rows": session_rows,
        },
    )


@login_required
def session_results(request, pk):
    session = get_object_or_404(Session.objects.select_related("institute"), pk=pk)
    institute = session.institute
    if not permissions.can_view_institute(request.user, institute):
        raise Http404
    if not permissions.can_view_survey_results(request.user, institute):
        raise PermissionDenied
    return render(
        request,
        "institutes/session_results.html",
        {
            "institute": institute,
            "session": session,
            "reach": _reach(Invitation.objects.about(session).filter(purpose=SESSION_SURVEY)),
            "summaries": surveys.summarize(
                Response.objects.about(session).filter(instrument__key=SESSION_SURVEY)
            ),
        },
    )


@public
def module_detail(request, slug):
    module = get_object_or_404(Module, slug=slug, is_active=True)
    return render(
        request,
        "institutes/module_detail.html",
        {
            "module": module,
            "institutes": module.institutes.published().order_by("-applications_close_at")[:12],
            "quotes": surveys.approved_quotes("module", module),
        },
    )
