"""Honoraria: requesting, deciding, paying and the Finance export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.access import finance_required, login_required, rule_required
from portal.exports import csv_response
from trainers import permissions, services
from trainers.forms import ExportForm, HonorariaFilterForm, PayHonorariumForm, RejectHonorariumForm
from trainers.models import FacilitationReport, Honorarium
from trainers.views._common import _page, _query_without_page
from trainers.views.reports import _visible_report

HONORARIUM_AFTER_VERIFICATION = (
    "You can request your honorarium once a coordinator has verified this report. "
    "We will e-mail you when they have."
)


@login_required
@require_POST
def honorarium_request(request, pk: int):
    report = _visible_report(request, pk)
    if request.user.pk in report.facilitator_ids() and report.status != FacilitationReport.Status.VERIFIED:
        messages.info(request, HONORARIUM_AFTER_VERIFICATION)
        return redirect(report)
    if not permissions.can_request_honorarium(request.user, report):
        raise PermissionDenied
    try:
        honorarium = services.request_honorarium(report, by=request.user)
    except services.TrainerError as exc:
        messages.error(request, str(exc))
        return redirect(report)
    messages.success(
        request, f"Your honorarium request for ${honorarium.amount} is sent to the coordinators."
    )
    return redirect(honorarium)


def _visible_honorarium(request, pk: int) -> Honorarium:
    honorarium = get_object_or_404(
        Honorarium.objects.select_related(
            "trainer__agency", "report__module", "report__trainer", "rate", "decided_by", "paid_by"
        ),
        pk=pk,
    )
    if not permissions.can_view_honorarium(request.user, honorarium):
        raise Http404
    return honorarium


@login_required
def my_honoraria(request):
    queryset = Honorarium.objects.filter(trainer=request.user).select_related("report__module")
    return render(request, "trainers/my_honoraria.html", {"page": _page(request, queryset)})


@login_required
def honorarium_detail(request, pk: int):
    honorarium = _visible_honorarium(request, pk)
    user = request.user
    is_requested = honorarium.status == Honorarium.Status.REQUESTED
    return render(
        request,
        "trainers/honorarium_detail.html",
        {
            "honorarium": honorarium,
            "history": services.history(honorarium),
            "can_decide": is_requested and permissions.can_decide_honorarium(user, honorarium),
            "can_pay": honorarium.status == Honorarium.Status.APPROVED
            and permissions.can_pay_honorarium(user, honorarium),
            "reject_form": RejectHonorariumForm(),
            "pay_form": PayHonorariumForm(),
        },
    )


@login_required
@require_POST
def honorarium_approve(request, pk: int):
    honorarium = _visible_honorarium(request, pk)
    if not permissions.can_decide_honorarium(request.user, honorarium):
        raise PermissionDenied
    try:
        services.approve_honorarium(honorarium, by=request.user)
    except services.TrainerError as exc:
        messages.error(request, str(exc))
        return redirect(honorarium)
    messages.success(request, f"The honorarium of ${honorarium.amount} for {honorarium.trainer} is approved.")
    return redirect("trainers:honoraria")


@login_required
def honorarium_reject(request, pk: int):
    honorarium = _visible_honorarium(request, pk)
    if not permissions.can_decide_honorarium(request.user, honorarium):
        raise PermissionDenied
    form = RejectHonorariumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_honorarium(honorarium, by=request.user, reason=form.cleaned_data["reason"])
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The honorarium request of {honorarium.trainer} is not approved.")
            return redirect("trainers:honoraria")
    return render(
        request,
        "trainers/honorarium_action.html",
        {"honorarium": honorarium, "form": form, "action": "reject"},
    )


@login_required
def honorarium_pay(request, pk: int):
    honorarium = _visible_honorarium(request, pk)
    if not permissions.can_pay_honorarium(request.user, honorarium):
        raise PermissionDenied
    form = PayHonorariumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_honorarium_paid(
                honorarium,
                by=request.user,
                reference=form.cleaned_data["reference"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The honorarium of {honorarium.trainer} is marked paid.")
            return redirect("trainers:honoraria")
    return render(
        request, "trainers/honorarium_action.html", {"honorarium": honorarium, "form": form, "action": "pay"}
    )


@rule_required(permissions.can_manage_honoraria, "coordinators of an institute, finance, the state office")
def honoraria(request):
    form = HonorariaFilterForm(request.GET or None)
    queryset = (
        permissions.honoraria_visible_to(request.user)
        .select_related("trainer__agency", "report__module")
        .order_by("-requested_at")
    )
    if form.is_valid() and form.cleaned_data.get("status"):
        queryset = queryset.filter(status=form.cleaned_data["status"])
    page = _page(request, queryset)
    today = timezone.localdate()
    export_form = ExportForm(initial={"date_from": today.replace(day=1), "date_to": today})
    return render(
        request,
        "trainers/honoraria.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "export_form": export_form,
            "can_export": permissions.can_export_honoraria(request.user),
            "can_decide": permissions.can_decide_honorarium(request.user),
            "can_pay": permissions.can_pay_honorarium(request.user),
        },
    )


CSV_HEADER = [
    "honorarium id",
    "trainer",
    "e-mail",
    "agency",
    "region",
    "module",
    "training date",
    "hours",
    "basis",
    "rate",
    "amount",
    "status",
    "approved on",
    "paid on",
    "payment reference",
]


@finance_required
def honoraria_export(request):
    form = ExportForm(request.GET or None)
    if not (request.GET and form.is_valid()):
        return render(
            request, "trainers/honoraria_export.html", {"form": form}, status=400 if request.GET else 200
        )
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    rows = (
        Honorarium.objects.filter(
            status__in=[Honorarium.Status.APPROVED, Honorarium.Status.PAID],
            decided_at__date__gte=date_from,
            decided_at__date__lte=date_to,
        )
        .select_related("trainer__agency", "report__module", "rate")
        .order_by("decided_at", "pk")
    )
    filename = f"honoraria-{date_from}-to-{date_to}.csv"
    return csv_response(filename, CSV_HEADER, (_export_row(h) for h in rows))


def _export_row(h: Honorarium) -> list:
    agency = h.trainer.agency
    return [
        h.pk,
        h.trainer.display_name,
        h.trainer.email,
        agency.name if agency else "",
        agency.region if agency else "",
        h.report.module.title,
        h.report.starts_on.isoformat(),
        h.report.hours,
        h.rate.get_basis_display(),
        h.rate.amount,
        h.amount,
        h.get_status_display(),
        timezone.localtime(h.decided_at).date().isoformat() if h.decided_at else "",
        h.paid_on.isoformat() if h.paid_on else "",
        h.payment_reference,
    ]
