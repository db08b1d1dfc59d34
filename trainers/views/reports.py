"""Facilitation reports: filing, correcting, reading, verifying and returning."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.access import login_required, rule_required
from portal.uploads import attachment_response
from trainers import attendance, permissions, services
from trainers.forms import ReportForm, ReturnReportForm, VerifyReportForm
from trainers.models import FacilitationReport, Honorarium, TurnkeyTraining
from trainers.views._common import _page, _query_without_page


def _visible_report(request, pk: int) -> FacilitationReport:
    report = get_object_or_404(
        FacilitationReport.objects.select_related("trainer__agency", "module", "host_agency", "reviewed_by"),
        pk=pk,
    )
    if not permissions.can_view_report(request.user, report):
        raise Http404
    return report


@login_required
def my_reports(request):
    queryset = FacilitationReport.objects.filter(
        pk__in=FacilitationReport.objects.filter(
            Q(trainer=request.user) | Q(co_facilitators=request.user)
        ).values("pk")
    )
    queryset = queryset.select_related("trainer", "module", "host_agency").prefetch_related(
        Prefetch("honoraria", queryset=Honorarium.objects.filter(trainer=request.user))
    )
    page = _page(request, queryset)
    return render(
        request,
        "trainers/my_reports.html",
        {"page": page, "can_file": permissions.can_file_report(request.user)},
    )


@login_required
def report_new(request):
    if not permissions.can_file_report(request.user):
        raise PermissionDenied
    return _report_form(request, None, "Thank you: your report is filed. A coordinator will review it soon.")


@login_required
def report_edit(request, pk: int):
    report = _visible_report(request, pk)
    if not permissions.can_change_report(request.user, report):
        raise PermissionDenied
    training = TurnkeyTraining.objects.filter(report=report).first()
    return _report_form(request, report, "Your report is sent back to the coordinators for review.", training)


def _report_form(
    request, report: FacilitationReport | None, success: str, training: TurnkeyTraining | None = None
):
    """Filing a new report and correcting a returned one share the form and the service. A report
    made from a training takes its dates, hours and participants from it again: attendance
    corrected on the roster shows in the report sent back."""
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        instance=report,
        trainer=request.user,
        from_training=training is not None,
        initial=_from_training(training) if training else None,
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            services.submit_report(
                saved, by=request.user, co_facilitators=form.cleaned_data["co_facilitators"]
            )
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success)
            return redirect(saved)
    return render(request, "trainers/report_form.html", {"form": form, "report": report})


def _from_training(training: TurnkeyTraining) -> dict:
    """The fields a report made from a training keeps in step with it (the rest are the trainer's)."""
    values = attendance.report_initial(training)
    return {name: values[name] for name in ReportForm.FROM_TRAINING}


@login_required
def report_detail(request, pk: int):
    report = _visible_report(request, pk)
    user = request.user
    own_honorarium = report.honoraria.filter(trainer=user).first()
    co_facilitators = list(report.co_facilitators.select_related("agency"))
    training = TurnkeyTraining.objects.filter(report=report).only("pk", "title").first()
    return render(
        request,
        "trainers/report_detail.html",
        {
            "report": report,
            "co_facilitators": co_facilitators,
            "is_facilitator": user.pk == report.trainer_id or any(p.pk == user.pk for p in co_facilitators),
            "training": training,
            "agencies": attendance.agencies_reached(training) if training else [],
            "history": services.history(report),
            "can_review": report.status == FacilitationReport.Status.SUBMITTED
            and permissions.can_review_report(user, report),
            "can_change": permissions.can_change_report(user, report),
            "can_request": own_honorarium is None and permissions.can_request_honorarium(user, report),
            "own_honorarium": own_honorarium,
            "verify_form": VerifyReportForm(),
            "return_form": ReturnReportForm(),
        },
    )


@login_required
def report_file(request, pk: int, which: str):
    report = _visible_report(request, pk)
    field = {"agenda": report.agenda, "sign-in-sheet": report.sign_in_sheet}.get(which)
    if not field:
        raise Http404
    try:
        return attachment_response(field, f"{which}-{report.pk}{_ext(field.name)}")
    except FileNotFoundError as exc:
        raise Http404 from exc


def _ext(name: str) -> str:
    return os.path.splitext(name)[1].lower()[:6]


@login_required
@require_POST
def report_verify(request, pk: int):
    report = _visible_report(request, pk)
    if not permissions.can_review_report(request.user, report):
        raise PermissionDenied
    form = VerifyReportForm(request.POST)
    if form.is_valid():
        try:
            services.verify_report(report, by=request.user, comment=form.cleaned_data["comment"])
        except services.TrainerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"The report of {report.trainer} is verified.")
            return redirect("trainers:report-queue")
    return redirect(report)


@login_required
def report_return(request, pk: int):
    report = _visible_report(request, pk)
    if not permissions.can_review_report(request.user, report):
        raise PermissionDenied
    form = ReturnReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_report(report, by=request.user, comment=form.cleaned_data["comment"])
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The report is returned to {report.trainer} with your comment.")
            return redirect("trainers:report-queue")
    return render(request, "trainers/report_return.html", {"report": report, "form": form})


@rule_required(permissions.can_see_report_queue, "coordinators of an institute and the state office")
def report_queue(request):
    status = request.GET.get("status", FacilitationReport.Status.SUBMITTED)
    if status not in FacilitationReport.Status.values and status != "all":
        status = FacilitationReport.Status.SUBMITTED
    queryset = (
        permissions.reports_visible_to(request.user)
        .select_related("trainer__agency", "module", "host_agency")
        .order_by("submitted_at")
    )
    if status != "all":
        queryset = queryset.filter(status=status)
    page = _page(request, queryset)
    return render(
        request,
        "trainers/report_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": FacilitationReport.Status.choices,
            "query": _query_without_page(request),
        },
    )
