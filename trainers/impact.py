"""Reach and impact: the chain the program exists for, counted in SQL.

    certified trainers -> commitments fulfilled -> turnkey trainings held
        -> distinct educators reached -> agencies reached

overall and by institute cohort, module, region, agency and quarter, with the multiplier
(educators reached per certified trainer) and the survey answers about the trainings beside them.

What each step counts:

- **certified trainers**: distinct people holding an active certification (issued by the end of
  the date range); by quarter, the people newly certified in that quarter;
- **commitments fulfilled**: active certifications whose one-year commitment a verified report
  fulfilled (``CertificationQuerySet.with_commitment``), on a day within the date range;
- **trainings held**: turnkey trainings in the held state whose first session is in the range;
- **educators reached**: distinct e-mail addresses of registrations, not cancelled, present at
  one session or more of a held training: someone at three trainings is one educator;
- **agencies reached**: the distinct agencies of those educators (an agency from the registry,
  or the name typed for another agency, compared without case);
- **survey**: the responses about those trainings and the mean of their 1-5 answers.

Who a row belongs to: a certification and its trainings belong to the certification's institute
(the cohort), the trainer's agency, and the module; a trainer is in their agency's region, a
training in the region it was held in. Each step is one part of a UNION of GROUP BY queries, one
part per dimension, so the whole dashboard is four queries however many rows there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, ExtractQuarter, ExtractYear, Lower, Trim

from portal.surveys.models import Answer, Question
from trainers.models import Certification, Registration, SessionAttendance, TurnkeyTraining

DIMENSIONS = {
    "institute": "Institute cohort",
    "module": "Module",
    "region": "Region",
    "agency": "Trainer's agency",
    "quarter": "Quarter",
}
NO_LABEL = {
    "institute": "No institute",
    "module": "No module",
    "region": "No region",
    "agency": "No agency",
    "quarter": "No date",
}


@dataclass(frozen=True)
class Filters:
    module_id: int | None = None
    institute_id: int | None = None
    region: str = ""
    agency: str = ""  # part of the trainer's agency's name
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Row:
    key: str
    label: str
    certified: int = 0
    fulfilled: int = 0
    held: int = 0
    educators: int = 0
    agencies: int = 0
    responses: int = 0
    rating_sum: int = 0
    ratings: int = 0

    @property
    def multiplier(self) -> float | None:
        """Educators reached per certified trainer."""
        return round(self.educators / self.certified, 1) if self.certified else None

    @property
    def mean_rating(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None


@dataclass
class Impact:
    total: Row
    by: dict[str, list[Row]] = field(default_factory=dict)


def quarter_label(key: str) -> str:
    """ "2026-Q1" -> "2026 Q1"."""
    return key.replace("-", " ")


def _quarter(expression) -> Concat:
    return Concat(
        Cast(ExtractYear(expression), CharField()),
        Value("-Q"),
        Cast(ExtractQuarter(expression), CharField()),
        output_field=CharField(),
    )


def _dimensions(*, institute: str, module: str, region: str, agency: str, when: str) -> dict:
    """dimension -> (key, label) expressions; ``None`` is the overall row."""
    return {
        None: (Value(""), Value("All")),
        "institute": (Cast(f"{institute}_id", CharField()), F(f"{institute}__title")),
        "module": (Cast(f"{module}_id", CharField()), F(f"{module}__title")),
        "region": (F(region), F(region)),
        "agency": (Cast(f"{agency}_id", CharField()), F(f"{agency}__name")),
        "quarter": (_quarter(when), _quarter(when)),
    }


def _union(*groups: tuple[dict, dict]) -> list[dict]:
    """One query: each part grouped by its dimension's key, its measures counted per group.

    ``groups`` are (parts, measures) pairs; every pair names the same measures, in the same
    order, so that the parts line up in one UNION ALL.
    """
    grouped = [
        queryset.order_by()
        .annotate(dimension=Value(dimension or ""), group_key=key, group_label=label)
        .values("dimension", "group_key", "group_label")
        .annotate(**measures)
        for parts, measures in groups
        for dimension, (queryset, key, label) in parts.items()
    ]
    first, *rest = grouped
    return list(first.union(*rest, all=True))


def _parts(queryset: QuerySet, dimensions: dict, only: Iterable | None = None) -> dict:
    return {
        dimension: (queryset, key, label)
        for dimension, (key, label) in dimensions.items()
        if only is None or dimension in only
    }


# --- the steps, each filtered the same way -------------------------------------------------


def _certification_parts(filters: Filters) -> list[dict]:
    active = Certification.objects.active()
    if filters.module_id:
        active = active.filter(module_id=filters.module_id)
    if filters.institute_id:
        active = active.filter(institute_id=filters.institute_id)
    if filters.region:
        active = active.filter(participant__agency__region=filters.region)
    if filters.agency:
        active = active.filter(participant__agency__name__icontains=filters.agency)
    dims = _dimensions(
        institute="institute",
        module="module",
        region="participant__agency__region",
        agency="participant__agency",
        when="issued_on",
    )
    held_by_then = active.filter(issued_on__lte=filters.date_to) if filters.date_to else active
    newly = _in_range(active, "issued_on", filters)
    certified = {
        **_parts(held_by_then, dims, only=[d for d in dims if d != "quarter"]),
        "quarter": (newly, *dims["quarter"]),
    }
    fulfilled = _in_range(active.with_commitment(), "fulfilled_date", filters).filter(
        fulfilled_date__isnull=False
    )
    fulfilled_dims = {**dims, "quarter": (_quarter("fulfilled_date"), _quarter("fulfilled_date"))}
    return _union(
        (certified, {"certified": Count("participant", distinct=True), "fulfilled": Value(0)}),
        (_parts(fulfilled, fulfilled_dims), {"certified": Value(0), "fulfilled": Count("pk")}),
    )


def _in_range(queryset: QuerySet, date_field: str, filters: Filters) -> QuerySet:
    if filters.date_from:
        queryset = queryset.filter(**{f"{date_field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{date_field}__lte": filters.date_to})
    return queryset


def _training_filter(filters: Filters, prefix: str) -> Q:
    """The filters on a held training, reached through ``prefix`` ("" for the training itself)."""
    q = Q(**{f"{prefix}status": TurnkeyTraining.Status.HELD})
    if filters.module_id:
        q &= Q(**{f"{prefix}module_id": filters.module_id})
    if filters.institute_id:
        q &= Q(**{f"{prefix}certification__institute_id": filters.institute_id})
    if filters.region:
        q &= Q(**{f"{prefix}region": filters.region})
    if filters.agency:
        q &= Q(**{f"{prefix}trainer__agency__name__icontains": filters.agency})
    if filters.date_from:
        q &= Q(**{f"{prefix}starts_at__date__gte": filters.date_from})
    if filters.date_to:
        q &= Q(**{f"{prefix}starts_at__date__lte": filters.date_to})
    return q


def _training_dimensions(prefix: str) -> dict:
    return _dimensions(
        institute=f"{prefix}certification__institute",
        module=f"{prefix}module",
        region=f"{prefix}region",
        agency=f"{prefix}trainer__agency",
        when=f"{prefix}starts_at",
    )


def reached_registrations(filters: Filters) -> QuerySet[Registration]:
    """Registrations that count as reach: not cancelled, present at a session of a held training."""
    present = SessionAttendance.objects.filter(registration=OuterRef("pk"))
    return Registration.objects.filter(_training_filter(filters, "training__"), Exists(present)).exclude(
        status=Registration.Status.CANCELLED
    )


AGENCY_REACHED = Coalesce(
    Cast("agency_id", CharField()),
    Concat(Value("other:"), Lower(Trim("other_agency")), output_field=CharField()),
)


def _training_parts(filters: Filters) -> list[dict]:
    held = TurnkeyTraining.objects.filter(_training_filter(filters, ""))
    return _union((_parts(held, _training_dimensions("")), {"held": Count("pk")}))


def _reach_parts(filters: Filters) -> list[dict]:
    measures = {"educators": Count("email", distinct=True), "agencies": Count(AGENCY_REACHED, distinct=True)}
    return _union((_parts(reached_registrations(filters), _training_dimensions("training__")), measures))


def _survey_parts(filters: Filters) -> list[dict]:
    prefix = "response__turnkey_training__"
    answers = Answer.objects.filter(
        _training_filter(filters, prefix), question__kind=Question.Kind.LIKERT, number__isnull=False
    )
    measures = {
        "responses": Count("response", distinct=True),
        "rating_sum": Sum("number"),
        "ratings": Count("pk"),
    }
    return _union((_parts(answers, _training_dimensions(prefix)), measures))


MEASURES = ("certified", "fulfilled", "held", "educators", "agencies", "responses", "rating_sum", "ratings")


def impact(filters: Filters | None = None) -> Impact:
    """The chain overall and by each dimension, in four queries."""
    filters = filters or Filters()
    rows: dict[tuple[str, str], Row] = {}
    for part in [
        *_certification_parts(filters),
        *_training_parts(filters),
        *_reach_parts(filters),
        *_survey_parts(filters),
    ]:
        dimension, key = part["dimension"], part["group_key"] or ""
        row = rows.get((dimension, key))
        if row is None:
            label = part["group_label"] or NO_LABEL.get(dimension, "")
            if dimension == "quarter" and key:
                label = quarter_label(key)
            row = rows[(dimension, key)] = Row(key=key, label=label)
        for measure in MEASURES:
            setattr(row, measure, getattr(row, measure) + (part.get(measure) or 0))
    total = rows.pop(("", ""), None) or Row(key="", label="All")
    by: dict[str, list[Row]] = {dimension: [] for dimension in DIMENSIONS}
    for (dimension, _), row in rows.items():
        by[dimension].append(row)
    for dimension, group in by.items():
        if dimension == "quarter":
            group.sort(key=lambda r: r.key)
        else:
            group.sort(key=lambda r: (-r.educators, -r.certified, r.label.lower()))
    return Impact(total=total, by=by)
