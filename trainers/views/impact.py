"""Reach and impact: the dashboard of coordinators and the state office, its exports, and the
public page of totals."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from portal.access import program_results_required, public
from portal.exports import csv_response, xlsx_response
from portal.surveys.services import MINIMUM_GROUP, fold
from trainers.impact import DIMENSIONS, Filters, Impact, Row, cached_impact, mentoring
from trainers.impact_forms import ImpactFilterForm
from trainers.models import Recognition

# The institute and agency tables can run to hundreds of rows: the page shows the busiest, the
# exports have them all.
TOP_ROWS = 25
FORMATS = ("csv", "xlsx")
CHAIN = "chain"
TABLES = {CHAIN: "The chain", **DIMENSIONS}

MEASURE_COLUMNS = [
    ("certified", "Certified trainers"),
    ("fulfilled", "Commitments fulfilled"),
    ("held", "Trainings held"),
    ("educators", "Educators reached"),
    ("agencies", "Agencies reached"),
    ("multiplier", "Educators per certified trainer"),
    ("responses", "Survey responses"),
    ("mean_rating", "Mean survey rating (1-5)"),
]


def _columns(dimension: str) -> list[tuple[str, str]]:
    if dimension != "quarter":
        return MEASURE_COLUMNS
    # Per quarter: the people newly certified in it, so no multiplier.
    return [
        ("certified", "Newly certified trainers") if key == "certified" else (key, label)
        for key, label in MEASURE_COLUMNS
        if key != "multiplier"
    ]


def _chain(total: Row) -> list[tuple[str, str, object]]:
    """The five steps and the multiplier: (key, label, value)."""
    return [(key, label, getattr(total, key)) for key, label in MEASURE_COLUMNS[:6]]


def _table(result: Impact, name: str) -> tuple[list[str], list[list]]:
    """A table of the dashboard as a header and rows of plain values (for both exports)."""
    if name == CHAIN:
        rows = [[label, value if value is not None else ""] for _, label, value in _chain(result.total)]
        rows += [["Survey responses", result.total.responses]]
        rows += [["Mean survey rating (1-5)", result.total.mean_rating or ""]]
        return ["Step", "Number"], rows
    columns = _columns(name)
    rows = [
        [row.label, *("" if getattr(row, key) is None else getattr(row, key) for key, _ in columns)]
        for row in result.by[name]
    ]
    return [DIMENSIONS[name], *(label for _, label in columns)], rows


def _shown_cells(row: Row, columns: list[tuple[str, str]]) -> list[str]:
    """A table row's cells as text (formatted here: a template filter per cell costs more)."""
    cells = []
    for key, _ in columns:
        value = getattr(row, key)
        cells.append(
            "\N{EN DASH}" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
        )
    return cells


def _filter_note(filters: Filters) -> str:
    """What the export covers, for its file name."""
    if filters.date_from or filters.date_to:
        return f"-{filters.date_from or 'start'}-to-{filters.date_to or timezone.localdate()}"
    return ""


def _dashboard(request, form: ImpactFilterForm, status: int = 200):
    result = cached_impact(form.filters())
    query = request.GET.urlencode()
    tables = []
    for name, title in DIMENSIONS.items():
        rows, columns = result.by[name], _columns(name)
        tables.append(
            {
                "name": name,
                "title": title,
                "columns": columns,
                "rows": [(row.label, _shown_cells(row, columns)) for row in rows[:TOP_ROWS]],
                "more": max(len(rows) - TOP_ROWS, 0),
            }
        )
    total = result.total
    return render(
        request,
        "trainers/impact/dashboard.html",
        {
            "form": form,
            "total": total,
            "chain": _chain(total),
            # Commitments are per certification: someone certified twice may fulfil two.
            "fulfilled_share": min(100, round(100 * total.fulfilled / total.certified))
            if total.certified
            else 0,
            "tables": tables,
            "mentoring": mentoring(form.filters()),
            "by": result.by,
            "query": query,
            "formats": FORMATS,
        },
        status=status,
    )


@program_results_required
def impact_dashboard(request):
    return _dashboard(request, ImpactFilterForm(request.GET or None))


@program_results_required
def impact_export(request, table: str, fmt: str):
    if table not in TABLES or fmt not in FORMATS:
        raise Http404
    form = ImpactFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _dashboard(request, form, status=400)
    filters = form.filters()
    result = cached_impact(filters)
    stamp = f"{timezone.localdate()}{_filter_note(filters)}"
    header, rows = _table(result, table)
    if fmt == "csv":
        return csv_response(f"impact-{table}-{stamp}.csv", header, rows)
    # A workbook of every table: the one asked for first.
    names = [table, *(name for name in TABLES if name != table)]
    sheets = [(TABLES[name], *_table(result, name)) for name in names]
    return xlsx_response(f"impact-{table}-{stamp}.xlsx", sheets)


# --- the public page ----------------------------------------------------------------------------

PUBLIC_RECOGNITIONS = 6


def _shown(n: int) -> int | None:
    """A count the public may see: None (shown as "fewer than 5") for 1 to 4."""
    return None if 0 < n < MINIMUM_GROUP else n


def _public_groups(rows: list[Row]) -> dict:
    """Groups by educators reached, folded as the survey results are: none under five shown."""
    by_label = {row.label: row for row in rows}
    folded = fold({row.label: range(row.educators) for row in rows})
    return {
        "rows": [
            {
                "label": group.label,
                "educators": group.n,
                "held": sum(by_label[label].held for label in group.folded_from or [group.label]),
                "folded_from": len(group.folded_from),
            }
            for group in folded.shown
        ],
        "withheld": folded.withheld,
    }


def public_figures() -> dict:
    """The public page's totals: from the shared figures, with no count under five."""
    result = cached_impact()
    total = result.total
    return {
        "certified": _shown(total.certified),
        "fulfilled": _shown(total.fulfilled),
        # Trainings and agencies are not people: only counts of people are kept from under five.
        "held": total.held,
        "educators": _shown(total.educators),
        "agencies": total.agencies,
        "multiplier": total.multiplier if total.certified >= MINIMUM_GROUP else None,
        "mean_rating": total.mean_rating if total.responses >= MINIMUM_GROUP else None,
        "responses": total.responses if total.responses >= MINIMUM_GROUP else None,
        "by_module": _public_groups(result.by["module"]),
        "by_region": _public_groups(result.by["region"]),
    }


def public_recognitions(limit: int = PUBLIC_RECOGNITIONS) -> list[dict]:
    """Published awards and stories; the trainer is named only if listed in the directory."""
    rows = Recognition.objects.filter(public=True).values(
        "kind", "title", "text", "awarded_on", "trainer__name", "trainer__trainer_profile__listed"
    )[:limit]
    kinds = dict(Recognition.Kind.choices)
    return [
        {
            "kind": kinds[row["kind"]],
            "title": row["title"],
            "text": row["text"],
            "awarded_on": row["awarded_on"],
            "trainer": (row["trainer__trainer_profile__listed"] and row["trainer__name"])
            or "A certified trainer",
        }
        for row in rows
    ]


@public
def impact_public(request):
    return render(
        request,
        "trainers/impact/public.html",
        {"figures": public_figures(), "recognitions": public_recognitions(), "minimum": MINIMUM_GROUP},
    )
