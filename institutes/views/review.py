"""Coordinators: their institutes, the review queue, bulk decisions and the CSV export."""

from __future__ import annotations

import functools
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from institutes import permissions, services
from institutes.forms import BulkDecisionForm, QueueFilterForm
from institutes.models import Application, Institute
from institutes.views._common import PAGE_SIZE, Status, _page, _reviewable_institute
from portal.access import login_required
from portal.exports import csv_response
from portal.fragments import KnownCountPaginator, render_form, render_items, url_for_pk


@login_required
def coordinate(request):
    if not permissions.can_coordinate(request.user):
        raise PermissionDenied
    institutes = (
        Institute.objects.coordinated_by(request.user)
        .select_related("module")
        .annotate(
            submitted_count=Count("applications", filter=Q(applications__status=Status.SUBMITTED)),
            accepted_count=Count("applications", filter=Q(applications__status=Status.ACCEPTED)),
            offered_count=Count("applications", filter=Q(applications__status=Status.OFFERED)),
            waitlisted_count=Count("applications", filter=Q(applications__status=Status.WAITLISTED)),
        )
        .order_by("-applications_close_at")
    )
    return render(request, "institutes/coordinate.html", {"page": _page(request, institutes)})


def _queue(institute: Institute, form: QueueFilterForm):
    applications = (
        institute.applications.exclude(status=Status.DRAFT)
        .select_related("applicant", "agency", "team__agency")
        .order_by("status", "submitted_at", "pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["agency"].strip():
            applications = applications.filter(agency__name__icontains=data["agency"].strip())
        if data["region"]:
            applications = applications.filter(agency__region=data["region"])
        if data["eligible"]:
            applications = applications.filter(is_eligible=data["eligible"] == "yes")
    return applications


def _tally(institute: Institute) -> tuple[dict, list[str]]:
    """The number of applications in each status, and the regions of the applicants' agencies
    (the queue filter's choices), from one query grouped by both."""
    counts, regions = defaultdict(int), set()
    for status, region, n in (
        institute.applications.order_by().values_list("status", "agency__region").annotate(n=Count("pk"))
    ):
        counts[status] += n
        if region:
            regions.add(region)
    return dict(counts), sorted(regions)


def _queue_filter_form(request, regions: list[str]) -> QueueFilterForm:
    return QueueFilterForm(request.GET or None, regions=regions)


# What a queue row shows (institutes/_queue_row.html), read as plain values: not the statements,
# supervisors and people's whole accounts that the CSV export reads, nor three model instances a row.
QUEUE_ROW_VALUES = [
    *("pk", "status", "submitted_at", "is_eligible", "eligibility_reasons", "endorsement"),
    "offer_expires_at",
    *(
        "applicant__name",
        "applicant__email",
        "agency__name",
        "agency__region",
        "team_id",
        "team__agency__name",
    ),
]


@functools.cache
def _labels(field_name: str) -> dict:
    return {value: str(label) for value, label in Application._meta.get_field(field_name).flatchoices}


class QueueRow:
    """One application as its queue row shows it (the labels as get_FOO_display() gives them)."""

    __slots__ = (
        *("pk", "url", "applicant_name", "team_agency_name", "agency_name", "agency_region"),
        *("status_label", "is_eligible", "eligibility_reasons", "endorsement_label", "submitted_at"),
        *("offer_expires_at", "card"),
    )

    def __init__(self, row: dict, url: str):
        self.pk, self.url = row["pk"], url
        # User.display_name, from the two columns it reads.
        self.applicant_name = row["applicant__name"] or row["applicant__email"].split("@")[0]
        self.team_agency_name = row["team__agency__name"] if row["team_id"] else None
        self.agency_name, self.agency_region = row["agency__name"], row["agency__region"]
        self.status_label = _labels("status").get(row["status"], str(row["status"]))
        self.is_eligible, self.eligibility_reasons = row["is_eligible"], row["eligibility_reasons"]
        self.endorsement_label = _labels("endorsement").get(row["endorsement"], str(row["endorsement"]))
        self.submitted_at = row["submitted_at"]
        # Shown only while the offer waits for an answer.
        self.offer_expires_at = row["offer_expires_at"] if row["status"] == Status.OFFERED else None


def _queue_row_inputs(row: QueueRow) -> list:
    """Everything a review-queue row shows (institutes/_queue_row.html)."""
    return [
        *(row.pk, row.url, row.applicant_name, row.team_agency_name, row.agency_name, row.agency_region),
        *(
            row.status_label,
            row.is_eligible,
            row.eligibility_reasons,
            row.endorsement_label,
            row.submitted_at,
            row.offer_expires_at,
        ),
    ]


FILTER_TEMPLATES = ("portal/_filter_fields.html", "portal/_field.html")
BULK_TEMPLATES = ("institutes/_bulk_decision_fields.html", "portal/_field.html")


def _offer(institute: Institute, application_url) -> dict | None:
    """The first waitlisted application, as the seat offer shows it (plain values)."""
    row = (
        services.waitlist(institute)
        .values("pk", "applicant__name", "applicant__email", "agency__name")
        .first()
    )
    if row is None:
        return None
    return {
        "pk": row["pk"],
        "url": application_url(row["pk"]),
        # User.display_name, from the two columns it reads.
        "applicant_name": row["applicant__name"] or row["applicant__email"].split("@")[0],
        "agency_name": row["agency__name"],
    }


def _pending_offers(institute: Institute, application_url) -> list[dict]:
    """Seats offered from the waitlist and waiting for an answer, the soonest to expire first."""
    return [
        {
            "url": application_url(row["pk"]),
            # User.display_name, from the two columns it reads.
            "applicant_name": row["applicant__name"] or row["applicant__email"].split("@")[0],
            "offered_at": row["offered_at"],
            "expires_at": row["offer_expires_at"],
        }
        for row in institute.applications.filter(status=Status.OFFERED)
        .order_by("offer_expires_at", "pk")
        .values("pk", "applicant__name", "applicant__email", "offered_at", "offer_expires_at")
    ]


@login_required
def review_queue(request, slug):
    # The queue shows the institute's title and seats; status is for the access check.
    institute = _reviewable_institute(request, slug, fields=("title", "slug", "status", "capacity"))
    counts, regions = _tally(institute)
    form = _queue_filter_form(request, regions)
    rows = _queue(institute, form).values(*QUEUE_ROW_VALUES)
    if not (form.is_valid() and any(form.cleaned_data.values())):
        # Unfiltered, the queue is every application but the drafts: the counts above hold its length.
        total = sum(n for status, n in counts.items() if status != Status.DRAFT)
        page = KnownCountPaginator(rows, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    else:
        page = _page(request, rows)
    application_url = url_for_pk("institutes:application-detail")
    page.object_list = [QueueRow(row, application_url(row["pk"])) for row in page]
    render_items(page, "institutes/_queue_row.html", name="application", inputs=_queue_row_inputs)
    held = sum(counts.get(status, 0) for status in Application.SEAT_HOLDING)
    seats = max(institute.capacity - held, 0)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutes/review_queue.html",
        {
            "institute": institute,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [(s, counts.get(s.value, 0)) for s in Status if s != Status.DRAFT],
            "seats_left": seats,
            "offer": _offer(institute, application_url) if seats and counts.get(Status.WAITLISTED) else None,
            "pending_offers": _pending_offers(institute, application_url)
            if counts.get(Status.OFFERED)
            else [],
            "filter_fields": render_form(form, FILTER_TEMPLATES, {"col": "col-md-3"}),
            "bulk_fields": render_form(
                BulkDecisionForm(institute=institute), BULK_TEMPLATES, fields=("decision", "note")
            ),
        },
    )


@login_required
@require_POST
def review_bulk(request, slug):
    institute = _reviewable_institute(request, slug)
    form = BulkDecisionForm(request.POST, institute=institute)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("institutes:review-queue", slug=slug)
    result = services.bulk_decide(
        list(form.cleaned_data["applications"].select_related("applicant")),
        decision=form.cleaned_data["decision"],
        by=request.user,
        note=form.cleaned_data["note"],
    )
    if result.done:
        messages.success(
            request, f"{len(result.done)} application{'s' if len(result.done) != 1 else ''} decided."
        )
    for application, reason in result.skipped:
        messages.error(request, f"{application.applicant.display_name}: {reason}")
    return redirect("institutes:review-queue", slug=slug)


APPLICATIONS_CSV_HEADER = [
    "Application",
    "Name",
    "E-mail",
    "Agency",
    "Region",
    "Position",
    "Status",
    "Submitted",
    "Eligible",
    "Eligibility notes",
    "Team",
    "Supervisor",
    "Supervisor e-mail",
    "Endorsement",
    "Attend every session",
    "Present within a year",
    "Statement",
]


def _csv_row(a: Application) -> list:
    return [
        a.pk,
        a.applicant.display_name,
        a.applicant.email,
        a.agency.name if a.agency else "",
        a.agency.region if a.agency else "",
        a.position,
        a.get_status_display(),
        timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
        {True: "yes", False: "no", None: ""}[a.is_eligible],
        " ".join(a.eligibility_reasons),
        a.team.agency.name if a.team else "",
        a.supervisor_name,
        a.supervisor_email,
        a.get_endorsement_display(),
        "yes" if a.commits_to_attend else "no",
        "yes" if a.commits_to_present else "no",
        a.statement,
    ]


@login_required
def applications_csv(request, slug):
    institute = _reviewable_institute(request, slug)
    form = _queue_filter_form(request, _tally(institute)[1])
    return csv_response(
        f"{institute.slug[:60]}-applications.csv",
        APPLICATIONS_CSV_HEADER,
        (_csv_row(a) for a in _queue(institute, form).iterator(chunk_size=500)),
    )
