"""My learning (the transcript by year), printable hours records, and the coordinators' export."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.access import login_required, rule_required
from portal.emails import absolute_url
from portal.exports import csv_response, xlsx_response
from portal.learning import permissions, services
from portal.learning.forms import ExportForm, IssueRecordForm
from portal.learning.models import HoursRecord, LearningCredit

PAGE_SIZE = 50


def _year(request) -> int | None:
    raw = request.GET.get("year", "")
    if raw.isdigit() and len(raw) == 4:
        return int(raw)
    return None


@login_required
def transcript(request):
    person = request.user
    if not permissions.can_view_transcript(request.user, person):
        raise PermissionDenied
    sheet = services.transcript(person, _year(request))
    page = Paginator(sheet.credits, PAGE_SIZE).get_page(request.GET.get("page"))
    records = HoursRecord.objects.filter(person=person, period_start__year=sheet.year).current()[:1]
    return render(
        request,
        "learning/transcript.html",
        {
            "sheet": sheet,
            "page": page,
            "record": records[0] if records else None,
            "issue_form": IssueRecordForm(initial={"year": sheet.year}),
            "can_issue": sheet.year <= timezone.localdate().year,
        },
    )


@login_required
@require_POST
def issue_record(request):
    person = request.user
    if not permissions.can_issue_record(request.user, person):
        raise PermissionDenied
    form = IssueRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("year", ["Choose a year to print."])))
        return redirect("learning:transcript")
    year = form.cleaned_data["year"]
    start, end = services.year_period(year)
    record_ = services.issue_record(person, start, end)
    messages.success(
        request, f"Your record of {year} is ready: {record_.total_hours} hours. Print it or save it as a PDF."
    )
    return redirect("learning:record", pk=record_.pk)


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


@login_required
def record(request, pk: int):
    record_ = get_object_or_404(HoursRecord.objects.select_related("person", "superseded_by"), pk=pk)
    if not permissions.can_view_record(request.user, record_):
        raise Http404
    verify_url = absolute_url(record_.get_verify_url())
    return render(
        request,
        "learning/record.html",
        {"record": record_, "verify_url": verify_url, "qr": _qr_data_uri(verify_url)},
    )


# --- coordinators' export --------------------------------------------------------------------

HEADER = ["Agency", "Person", "E-mail", "Date", "Learning", "Kind", "Topic", "Hours"]
TOTALS_HEADER = ["Agency", "Person", "E-mail", "Sessions and events", "Hours"]


def _credits(form: ExportForm):
    credits = LearningCredit.objects.between(form.cleaned_data["start"], form.cleaned_data["end"])
    agency = form.cleaned_data["agency"]
    if agency is not None:
        credits = credits.filter(person__agency=agency)
    return credits


def _rows(credits):
    rows = credits.select_related("person__agency").order_by(
        "person__agency__name", "person__name", "person_id", "on"
    )
    for credit in rows.iterator(chunk_size=2000):
        person = credit.person
        yield [
            person.agency.name if person.agency_id else "",
            person.display_name,
            person.email,
            credit.on.isoformat(),
            credit.title,
            credit.get_kind_display(),
            credit.topic,
            credit.hours,
        ]


def _per_person(credits):
    """One row per person: their agency, name, e-mail, credits and hours (one grouped query)."""
    return (
        credits.order_by()
        .values("person_id", "person__agency__name", "person__name", "person__email")
        .annotate(hours=Sum("hours"), credit_count=Count("id"))
        .order_by("person__agency__name", "person__name", "person_id")
    )


def _total_rows(people):
    for row in people.iterator(chunk_size=2000):
        name = row["person__name"] or row["person__email"].split("@")[0]
        yield [
            row["person__agency__name"] or "",
            name,
            row["person__email"],
            row["credit_count"],
            row["hours"],
        ]


@rule_required(permissions.can_export_hours, "coordinators and the state office")
def export(request):
    form = ExportForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(request, "learning/export.html", {"form": form}, status=400 if form.is_bound else 200)
    credits = _credits(form)
    agency = form.cleaned_data["agency"]
    stamp = f"{form.cleaned_data['start']}-to-{form.cleaned_data['end']}"
    name = f"learning-hours-{agency.pk if agency else 'all'}-{stamp}"
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        return csv_response(f"{name}.csv", HEADER, _rows(credits))
    if fmt == "xlsx":
        return xlsx_response(
            f"{name}.xlsx",
            [
                ("Hours by person", TOTALS_HEADER, _total_rows(_per_person(credits))),
                ("Every credit", HEADER, _rows(credits)),
            ],
        )
    summary = credits.order_by().aggregate(hours=Sum("hours"), people=Count("person", distinct=True))
    page = Paginator(_per_person(credits), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "learning/export.html",
        {
            "form": form,
            "summary": summary,
            "page": page,
            "query": query.urlencode(),
            "export_url": reverse("learning:export"),
        },
    )
