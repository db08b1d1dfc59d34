from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from institutes.models import Institute
from portal.access import coordinator_required, finance_required, login_required, public, rule_required
from portal.emails import absolute_url
from portal.fragments import CachedCountPaginator, render_items
from portal.uploads import attachment_response
from trainers import permissions, services
from trainers.forms import (
    CommitmentFilterForm,
    DirectoryFilterForm,
    ExportForm,
    HonorariaFilterForm,
    ListingForm,
    PayHonorariumForm,
    RejectHonorariumForm,
    ReportForm,
    ReturnReportForm,
    RevokeForm,
    VerifyForm,
    VerifyReportForm,
)
from trainers.models import (
    Certification,
    CommitmentState,
    FacilitationReport,
    Honorarium,
    TrainerProfile,
)

PER_PAGE = 25


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- public verification -----------------------------------------------------------------


@public
def verify(request):
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("trainers:verify-code", code=form.cleaned_data["code"])
    return render(request, "trainers/verify.html", {"form": form})


@public
def verify_code(request, code: str):
    certification = (
        Certification.objects.select_related("participant", "module").filter(code=code[:60]).first()
    )
    status = 200 if certification else 404
    return render(
        request,
        "trainers/verify_result.html",
        {"certification": certification, "code": code[:60], "form": VerifyForm()},
        status=status,
    )


# --- certificates and certification ------------------------------------------------------


@login_required
def certificate(request, pk: int):
    certification = get_object_or_404(
        Certification.objects.select_related("participant__agency", "module", "institute", "issued_by"), pk=pk
    )
    if not permissions.can_view_certificate(request.user, certification):
        raise Http404
    return render(
        request,
        "trainers/certificate.html",
        {
            "certification": certification,
            "verify_url": absolute_url(certification.get_verify_url()),
            "can_revoke": certification.is_active
            and permissions.can_revoke_certification(request.user, certification),
            "revoke_form": RevokeForm(),
        },
    )


@login_required
def revoke(request, pk: int):
    certification = get_object_or_404(Certification.objects.select_related("participant", "module"), pk=pk)
    if not permissions.can_view_certificate(request.user, certification):
        raise Http404
    if not permissions.can_revoke_certification(request.user, certification):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certification(certification, by=request.user, reason=form.cleaned_data["reason"])
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The certification of {certification.participant} is revoked.")
            return redirect(certification)
    return render(request, "trainers/revoke.html", {"certification": certification, "form": form})


def _institute_for_certifying(request, pk: int) -> Institute:
    institute = get_object_or_404(Institute.objects.select_related("module"), pk=pk)
    if not permissions.can_certify(request.user, institute):
        raise PermissionDenied
    return institute


@login_required
def certify_roster(request, pk: int):
    from institutes.services import completion_roster

    institute = _institute_for_certifying(request, pk)
    roster = completion_roster(institute)
    certified = {
        c.participant_id: c
        for c in Certification.objects.filter(institute=institute).select_related("module")
    }
    rows = [{"row": row, "certification": certified.get(row.participant.pk)} for row in roster]
    ready = sum(1 for r in rows if r["row"].complete and r["certification"] is None)
    return render(
        request, "trainers/certify_roster.html", {"institute": institute, "rows": rows, "ready": ready}
    )


@login_required
@require_POST
def certify_one(request, pk: int, user_pk: int):
    institute = _institute_for_certifying(request, pk)
    from institutes.services import completion_roster

    row = next((r for r in completion_roster(institute) if r.participant.pk == user_pk), None)
    if row is None:
        raise Http404
    try:
        certification = services.certify_participant(institute, row.participant, by=request.user)
    except services.TrainerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{row.participant} is certified in {certification.module}.")
    return redirect("trainers:certify-roster", pk=institute.pk)


@login_required
@require_POST
def certify_all(request, pk: int):
    institute = _institute_for_certifying(request, pk)
    result = services.certify_completed(institute, by=request.user)
    if result.certified:
        names = ", ".join(str(c.participant) for c in result.certified)
        messages.success(request, f"Certified {len(result.certified)}: {names}.")
    else:
        messages.info(request, "Nobody new to certify: everyone who completed is certified already.")
    if result.refused:
        names = ", ".join(str(person) for person, _ in result.refused)
        messages.warning(request, f"Not certified yet, because they have not completed: {names}.")
    return redirect("trainers:certify-roster", pk=institute.pk)


# --- commitments -------------------------------------------------------------------------


def _apply_people_filters(queryset, form, *, person: str):
    if form.is_valid():
        data = form.cleaned_data
        if data.get("region"):
            queryset = queryset.filter(**{f"{person}__agency__region": data["region"]})
        if data.get("agency", "").strip():
            queryset = queryset.filter(**{f"{person}__agency__name__icontains": data["agency"].strip()})
    return queryset


@coordinator_required
def commitments(request):
    today = timezone.localdate()
    form = CommitmentFilterForm(request.GET or None)
    queryset = (
        Certification.objects.active()
        .with_commitment(today)
        .select_related("participant__agency", "module", "institute")
        .order_by("commitment_ends_on", "participant__name")
    )
    queryset = _apply_people_filters(queryset, form, person="participant")
    if form.is_valid():
        if form.cleaned_data.get("state"):
            queryset = queryset.filter(commitment=form.cleaned_data["state"])
        if form.cleaned_data.get("module"):
            queryset = queryset.filter(module=form.cleaned_data["module"])
    page = _page(request, queryset)
    for certification in page:
        certification.state = CommitmentState(certification.commitment)
        certification.left = certification.days_left(today)
    return render(
        request,
        "trainers/commitments.html",
        {"form": form, "page": page, "query": _query_without_page(request), "today": today},
    )


# --- facilitation reports ----------------------------------------------------------------


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
    return _report_form(request, report, "Your report is sent back to the coordinators for review.")


def _report_form(request, report: FacilitationReport | None, success: str):
    """Filing a new report and correcting a returned one share the form and the service."""
    form = ReportForm(request.POST or None, request.FILES or None, instance=report, trainer=request.user)
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


@login_required
def report_detail(request, pk: int):
    report = _visible_report(request, pk)
    user = request.user
    own_honorarium = report.honoraria.filter(trainer=user).first()
    return render(
        request,
        "trainers/report_detail.html",
        {
            "report": report,
            "co_facilitators": list(report.co_facilitators.select_related("agency")),
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


@coordinator_required
def report_queue(request):
    status = request.GET.get("status", FacilitationReport.Status.SUBMITTED)
    if status not in FacilitationReport.Status.values and status != "all":
        status = FacilitationReport.Status.SUBMITTED
    queryset = FacilitationReport.objects.select_related("trainer__agency", "module", "host_agency").order_by(
        "submitted_at"
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


# --- honoraria ---------------------------------------------------------------------------


@login_required
@require_POST
def honorarium_request(request, pk: int):
    report = _visible_report(request, pk)
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


@rule_required(permissions.can_manage_honoraria, "coordinators or finance")
def honoraria(request):
    form = HonorariaFilterForm(request.GET or None)
    queryset = Honorarium.objects.select_related("trainer__agency", "report__module").order_by(
        "-requested_at"
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


def _cell(value) -> str:
    """Spreadsheet-safe text: a leading = + - @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="honoraria-{date_from}-to-{date_to}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for h in rows:
        agency = h.trainer.agency
        writer.writerow(
            [
                _cell(v)
                for v in [
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
            ]
        )
    return response


# --- directory ---------------------------------------------------------------------------


def _directory_card_inputs(profile) -> list:
    """Everything a directory card shows (trainers/_directory_card.html)."""
    user, agency = profile.user, profile.user.agency
    return [
        profile.pk,
        user.display_name,
        agency.name if agency else None,
        agency.region if agency else None,
        [c.module.title for c in user.active_certifications],
        profile.bio,
        profile.show_email,
        user.email if profile.show_email else None,
    ]


@public
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    active = Certification.objects.active()
    # EXISTS rather than a join to certifications + DISTINCT (for the page and again for the count).
    certified = active.filter(participant=OuterRef("user"))
    if form.is_valid() and form.cleaned_data.get("module"):
        certified = certified.filter(module=form.cleaned_data["module"])
    queryset = (
        TrainerProfile.objects.filter(Exists(certified), listed=True, user__is_active=True)
        .select_related("user__agency")
        .prefetch_related(
            Prefetch(
                "user__certifications",
                queryset=active.select_related("module").order_by("module__title"),
                to_attr="active_certifications",
            )
        )
        .order_by("user__name")
    )
    queryset = _apply_people_filters(queryset, form, person="user")
    # The total joins profiles, people and certifications across the state: kept for a minute.
    filters = form.cleaned_data if form.is_valid() else {}
    key = repr(sorted((name, str(getattr(value, "pk", value))) for name, value in filters.items()))
    paginator = CachedCountPaginator(queryset, PER_PAGE, key=f"trainers:directory:{key}")
    page = paginator.get_page(request.GET.get("page"))
    render_items(page, "trainers/_directory_card.html", name="profile", inputs=_directory_card_inputs)
    return render(
        request,
        "trainers/directory.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@login_required
def my_listing(request):
    profile = TrainerProfile.objects.filter(user=request.user).first() or TrainerProfile(user=request.user)
    form = ListingForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.save_listing(
            request.user,
            listed=form.cleaned_data["listed"],
            show_email=form.cleaned_data["show_email"],
            bio=form.cleaned_data["bio"],
        )
        messages.success(request, "Your directory listing is saved.")
        return redirect("trainers:my-listing")
    is_certified = Certification.objects.active().filter(participant=request.user).exists()
    return render(request, "trainers/my_listing.html", {"form": form, "is_certified": is_certified})


# --- overview ----------------------------------------------------------------------------


def _bars(counter: dict) -> list[dict]:
    biggest = max(counter.values(), default=0) or 1
    return [
        # Widths in 5% steps: CSP forbids inline styles, so each step is a class in portal.css.
        {"label": label, "value": value, "step": 5 * round(20 * value / biggest)}
        for label, value in counter.items()
    ]


@coordinator_required
def overview(request):
    today = timezone.localdate()
    commitment_rows = (
        Certification.objects.active()
        .with_commitment(today)
        .values("module__title", "participant__agency__region", "commitment")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_state: Counter = Counter()
    commitments_table: dict = defaultdict(Counter)
    for row in commitment_rows:
        state = CommitmentState(row["commitment"])
        by_state[state.label] += row["n"]
        key = (row["module__title"], row["participant__agency__region"] or "No region")
        commitments_table[key][state.value] += row["n"]
    honoraria_rows = (
        Honorarium.objects.values("report__module__title", "trainer__agency__region", "status")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    honoraria_by_state: Counter = Counter()
    amount_by_state: dict = defaultdict(lambda: Decimal("0.00"))
    honoraria_table: dict = defaultdict(lambda: {"n": 0, "total": Decimal("0.00"), "states": Counter()})
    for row in honoraria_rows:
        label = Honorarium.Status(row["status"]).label
        honoraria_by_state[label] += row["n"]
        amount_by_state[label] += row["total"] or Decimal("0")
        key = (row["report__module__title"], row["trainer__agency__region"] or "No region")
        honoraria_table[key]["n"] += row["n"]
        honoraria_table[key]["total"] += row["total"] or Decimal("0")
        honoraria_table[key]["states"][row["status"]] += row["n"]
    ordered_states = [s.label for s in CommitmentState]
    return render(
        request,
        "trainers/overview.html",
        {
            "commitment_bars": _bars({s: by_state.get(s, 0) for s in ordered_states}),
            "commitment_states": list(CommitmentState),
            "commitments_table": sorted(
                (
                    {"module": k[0], "region": k[1], "counts": [v.get(s.value, 0) for s in CommitmentState]}
                    for k, v in commitments_table.items()
                ),
                key=lambda r: (r["module"], r["region"]),
            ),
            "honoraria_bars": _bars({s.label: honoraria_by_state.get(s.label, 0) for s in Honorarium.Status}),
            "amount_by_state": [
                (s.label, amount_by_state.get(s.label, Decimal("0.00"))) for s in Honorarium.Status
            ],
            "honoraria_table": sorted(
                ({"module": k[0], "region": k[1], **v} for k, v in honoraria_table.items()),
                key=lambda r: (r["module"], r["region"]),
            ),
            "total_certified": sum(by_state.values()),
        },
    )
