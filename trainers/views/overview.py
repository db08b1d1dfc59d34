"""Coordinators: the commitments list and the statewide overview."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.shortcuts import render
from django.utils import timezone

from portal.access import coordinator_required, rule_required
from portal.pictures import bar_step
from trainers import permissions
from trainers.forms import CommitmentFilterForm
from trainers.models import COMMITMENT_DAYS, Certification, CommitmentState, Honorarium, TurnkeyTraining
from trainers.views._common import _apply_people_filters, _page, _query_without_page


@rule_required(permissions.can_see_commitments, "coordinators and the state office")
def commitments(request):
    today = timezone.localdate()
    form = CommitmentFilterForm(request.GET or None)
    # The next training planned under each certification (draft or open), in the same query.
    planned = TurnkeyTraining.objects.filter(
        certification=OuterRef("pk"),
        status__in=(TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.PUBLISHED),
    ).order_by("starts_at", "pk")
    queryset = (
        permissions.certifications_visible_to(request.user)
        .active()
        .with_commitment(today)
        .annotate(
            planned_pk=Subquery(planned.values("pk")[:1]),
            planned_starts=Subquery(planned.values("starts_at")[:1]),
        )
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
        certification.left_step = bar_step(certification.left, COMMITMENT_DAYS)
    return render(
        request,
        "trainers/commitments.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "today": today,
            "year_days": COMMITMENT_DAYS,
        },
    )


# The bars' scale starts at this many, so that a count of one does not fill the width.
BAR_SCALE_FLOOR = 10


def _bars(counter: dict) -> list[dict]:
    scale = max(*counter.values(), BAR_SCALE_FLOOR) if counter else BAR_SCALE_FLOOR
    return [
        {"label": label, "value": value, "step": bar_step(value, scale)} for label, value in counter.items()
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
