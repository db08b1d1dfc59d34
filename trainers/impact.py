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
training in the region it was held in.

How it is counted: each step's rows are selected, filtered and joined once by the ORM (a
queryset of plain columns: the dimensions' keys and labels and what the step counts), used as a
common table expression, and grouped once per dimension by a UNION ALL of GROUP BY selects over
it; an outer GROUP BY merges the steps' groups of one dimension and key into one row, in the order
shown. The whole chain is one query, however many rows there are; PostgreSQL computes each step's
rows (the commitment's correlated subquery above all) once, not once per dimension. At state size
that is still most of a second, so pages read ``cached_impact``: the grouped rows, shared by
everyone who asks for the same filters, until a counted row is saved or deleted.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, ExtractQuarter, ExtractYear, Lower, Trim
from django.db.models.signals import post_delete, post_save

from portal.surveys.models import Answer, Question, Response
from trainers.models import (
    Certification,
    FacilitationReport,
    Mentorship,
    Registration,
    SessionAttendance,
    TurnkeyTraining,
)

# The sorts of the distinct counts (some 40,000 registrations at state size) fit in memory with
# this much; PostgreSQL's default (4 MB) writes them to disk and takes three to four times longer.
SORT_MEMORY = "64MB"

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


MEASURES = ("certified", "fulfilled", "held", "educators", "agencies", "responses", "rating_sum", "ratings")


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


# --- grouping a step's rows by every dimension, in SQL --------------------------------------


@dataclass
class Part:
    """One SELECT of the UNION: a step's rows grouped by one dimension's key (none: overall)."""

    dimension: str
    key: tuple[str, list] | None  # SQL over the step's columns, and its parameters
    label: tuple[str, list] | None
    measures: dict[str, tuple[str, list]]  # measure -> aggregate SQL and its parameters
    where: tuple[str, list] = ("", [])


def _column(name: str) -> tuple[str, list]:
    return connection.ops.quote_name(name), []


def _dimension_parts(measures: dict[str, tuple[str, list]], *, quarter: bool = True) -> list[Part]:
    """Overall, then one part per dimension, grouped by the step's ``<dimension>_key`` column."""
    parts = [Part("", None, None, measures)]
    for dimension in DIMENSIONS:
        if dimension == "quarter" and not quarter:
            continue
        label = "key" if dimension in ("region", "quarter") else "label"
        parts.append(Part(dimension, _column(f"{dimension}_key"), _column(f"{dimension}_{label}"), measures))
    return parts


def _select(step: str, part: Part) -> tuple[str, list]:
    sql, params = [f"SELECT '{part.dimension}' AS dimension"], []
    for name, expression, default in (("group_key", part.key, "''"), ("group_label", part.label, "'All'")):
        text, args = expression or (default, [])
        sql.append(f"CAST({text} AS VARCHAR(255)) AS {name}")
        params += args
    for measure in MEASURES:
        text, args = part.measures.get(measure, ("0", []))
        sql.append(f"{text} AS {measure}")
        params += args
    query = ", ".join(sql) + f" FROM {step}"
    if part.where[0]:
        query += f" WHERE {part.where[0]}"
        params += part.where[1]
    if part.key is not None:
        query += " GROUP BY 2, 3"
    return query, params


def _count(steps: dict[str, tuple[QuerySet, list[Part]]]) -> list[tuple]:
    """One query: each step's rows as a common table expression, grouped by each of its parts."""
    ctes, selects, params = [], [], []
    for step, (rows, _) in steps.items():
        sql, args = rows.query.sql_with_params()
        ctes.append(f"{step} AS ({sql})")
        params += args
    for step, (_, parts) in steps.items():
        for part in parts:
            sql, args = _select(step, part)
            selects.append(sql)
            params += args
    # The steps' groups of one dimension and key merged into one row, and put in the order shown:
    # quarters in time, the others busiest first.
    sums = ", ".join(f"CAST(SUM({measure}) AS BIGINT) AS {measure}" for measure in MEASURES)
    query = (
        "WITH " + ", ".join(ctes) + f" SELECT dimension, group_key, MAX(group_label), {sums}"
        " FROM (" + " UNION ALL ".join(selects) + ") counted"
        " GROUP BY dimension, group_key"
        f" HAVING dimension = '' OR {' + '.join(f'SUM({m})' for m in MEASURES)} > 0"
        " ORDER BY dimension, CASE WHEN dimension = 'quarter' THEN group_key END,"
        " SUM(educators) DESC, SUM(certified) DESC, LOWER(MAX(group_label)), group_key"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute(query, params)
        return cursor.fetchall()


def _in_range(column: str, filters: Filters) -> tuple[str, list]:
    """SQL: ``column`` (a date) within the date range; "" when there is none."""
    conditions, params = [], []
    if filters.date_from:
        conditions.append(f"{column} >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        conditions.append(f"{column} <= %s")
        params.append(filters.date_to)
    return " AND ".join(conditions), params


def _when(condition: tuple[str, list], then: str) -> tuple[str, list]:
    return (f"CASE WHEN {condition[0]} THEN {then} END", condition[1]) if condition[0] else (then, [])


def _dimension_columns(*, institute: str, module: str, region: str, agency: str, when: str) -> dict:
    return {
        "institute_key": Cast(f"{institute}_id", CharField()),
        "institute_label": F(f"{institute}__title"),
        "module_key": Cast(f"{module}_id", CharField()),
        "module_label": F(f"{module}__title"),
        "region_key": F(region),
        "agency_key": Cast(f"{agency}_id", CharField()),
        "agency_label": F(f"{agency}__name"),
        "quarter_key": _quarter(when),
    }


# --- the steps ---------------------------------------------------------------------------------


def _certifications(filters: Filters) -> tuple[QuerySet, list[Part]]:
    """Certified trainers and fulfilled commitments: active certifications, the date of the
    report that fulfilled each (computed once per certification)."""
    active = Certification.objects.active()
    if filters.module_id:
        active = active.filter(module_id=filters.module_id)
    if filters.institute_id:
        active = active.filter(institute_id=filters.institute_id)
    if filters.region:
        active = active.filter(participant__agency__region=filters.region)
    if filters.agency:
        active = active.filter(participant__agency__name__icontains=filters.agency)
    rows = (
        active.with_commitment()
        .order_by()
        .values(
            person=F("participant_id"),
            issued=F("issued_on"),
            fulfilled=F("fulfilled_date"),
            **_dimension_columns(
                institute="institute",
                module="module",
                region="participant__agency__region",
                agency="participant__agency",
                when="issued_on",
            ),
        )
    )
    fulfilled_in_range = _in_range("fulfilled", filters)
    fulfilled_sql = ("COUNT(fulfilled)", [])
    if fulfilled_in_range[0]:
        fulfilled_sql = (f"COUNT(CASE WHEN {fulfilled_in_range[0]} THEN 1 END)", fulfilled_in_range[1])
    held_by_then = _in_range("issued", Filters(date_to=filters.date_to))
    parts = _dimension_parts(
        {
            "certified": (f"COUNT(DISTINCT {_when(held_by_then, 'person')[0]})", held_by_then[1]),
            "fulfilled": fulfilled_sql,
        },
        quarter=False,
    )
    newly = _in_range("issued", filters)
    parts.append(
        Part(
            "quarter",
            _column("quarter_key"),
            _column("quarter_key"),
            {"certified": (f"COUNT(DISTINCT {_when(newly, 'person')[0]})", newly[1])},
        )
    )
    year, year_params = connection.ops.date_extract_sql("year", "fulfilled", ())
    quarter, quarter_params = connection.ops.date_extract_sql("quarter", "fulfilled", ())
    fulfilled_quarter = (
        f"CAST({year} AS VARCHAR(4)) || '-Q' || CAST({quarter} AS VARCHAR(1))",
        [*year_params, *quarter_params],
    )
    where = _in_range("fulfilled", filters)
    parts.append(
        Part(
            "quarter",
            fulfilled_quarter,
            fulfilled_quarter,
            {"fulfilled": ("COUNT(*)", [])},
            where=(" AND ".join(filter(None, ["fulfilled IS NOT NULL", where[0]])), where[1]),
        )
    )
    return rows, parts


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


def _training_columns(prefix: str) -> dict:
    return _dimension_columns(
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


# An educator's agency: one from the registry, or the name typed for another, without case.
AGENCY_REACHED = Coalesce(
    Cast("agency_id", CharField()),
    Concat(Value("other:"), Lower(Trim("other_agency")), output_field=CharField()),
)


def _trainings(filters: Filters) -> tuple[QuerySet, list[Part]]:
    rows = (
        TurnkeyTraining.objects.filter(_training_filter(filters, ""))
        .order_by()
        .values(training=F("pk"), **_training_columns(""))
    )
    return rows, _dimension_parts({"held": ("COUNT(*)", [])})


def _reach(filters: Filters) -> tuple[QuerySet, list[Part]]:
    rows = (
        reached_registrations(filters)
        .order_by()
        .values(educator=F("email"), agency_reached=AGENCY_REACHED, **_training_columns("training__"))
    )
    measures = {
        "educators": ("COUNT(DISTINCT educator)", []),
        "agencies": ("COUNT(DISTINCT agency_reached)", []),
    }
    return rows, _dimension_parts(measures)


def _survey(filters: Filters) -> tuple[QuerySet, list[Part]]:
    """The 1-5 answers of the survey responses about the held trainings."""
    prefix = "response__turnkey_training__"
    rows = (
        Answer.objects.filter(
            _training_filter(filters, prefix), question__kind=Question.Kind.LIKERT, number__isnull=False
        )
        .order_by()
        .values(answer_of=F("response_id"), rating=F("number"), **_training_columns(prefix))
    )
    measures = {
        "responses": ("COUNT(DISTINCT answer_of)", []),
        "rating_sum": ("SUM(rating)", []),
        "ratings": ("COUNT(*)", []),
    }
    return rows, _dimension_parts(measures)


def _counted(filters: Filters) -> list[tuple]:
    """(dimension, key, label, *MEASURES) per group, in the order shown, in one query."""
    return _count(
        {
            "certifications": _certifications(filters),
            "trainings": _trainings(filters),
            "reach": _reach(filters),
            "survey": _survey(filters),
        }
    )


def _impact_from(counted: list[tuple]) -> Impact:
    total = Row(key="", label="All")
    by: dict[str, list[Row]] = {dimension: [] for dimension in DIMENSIONS}
    for dimension, key, label, *measures in counted:
        if not dimension:
            total = Row("", "All", *measures)
            continue
        key = key or ""
        if dimension == "quarter" and key:
            label = quarter_label(key)
        by[dimension].append(Row(key, label or NO_LABEL[dimension], *measures))
    return Impact(total=total, by=by)


def impact(filters: Filters | None = None) -> Impact:
    """The chain overall and by each dimension, in one query."""
    return _impact_from(_counted(filters or Filters()))


def mentoring(filters: Filters | None = None) -> dict[str, int]:
    """Mentors (distinct trainers with a pairing, active or ended) and mentees (distinct
    participants paired), for the same module, cohort and region filters, in one query. Mentoring
    is a handful of rows a cohort: counted as asked, not cached."""
    filters = filters or Filters()
    pairs = Mentorship.objects.all()
    if filters.module_id:
        pairs = pairs.filter(offer__module_id=filters.module_id)
    if filters.institute_id:
        pairs = pairs.filter(application__institute_id=filters.institute_id)
    if filters.region:
        pairs = pairs.filter(mentor__agency__region=filters.region)
    if filters.agency:
        pairs = pairs.filter(mentor__agency__name__icontains=filters.agency)
    if filters.date_from:
        pairs = pairs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        pairs = pairs.filter(created_at__date__lte=filters.date_to)
    return pairs.aggregate(
        mentors=Count("mentor", distinct=True),
        mentees=Count("application__applicant", distinct=True),
        active=Count("pk", filter=Q(ended_at__isnull=True)),
    )


# --- kept in the cache, keyed by a version of the data it counts --------------------------------

CACHE_SECONDS = 600
VERSION_KEY = "trainers:impact:data-version"
# What the chain is counted from: saving or deleting one of these gives the figures a new version.
COUNTED = (Certification, FacilitationReport, TurnkeyTraining, Registration, SessionAttendance, Response)


def _changes_the_figures(sender, instance, created: bool) -> bool:
    """Whether saving ``instance`` can change a figure: the busiest writes (people registering,
    trainers editing a planned training) cannot, and leave the shared figures in place."""
    if sender is Registration:
        return not created  # counted only once present (SessionAttendance), or when cancelled
    if sender is TurnkeyTraining:
        return instance.status == TurnkeyTraining.Status.HELD
    if sender is FacilitationReport:
        return instance.status == FacilitationReport.Status.VERIFIED
    return True


def new_data_version(sender=None, instance=None, created: bool = False, **kwargs) -> None:
    """A fresh version, now and again once the transaction commits (a page built in between
    from the data before the commit is then never read again)."""
    if kwargs.get("signal") is post_save and not _changes_the_figures(sender, instance, created):
        return
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def watch() -> None:
    """Call from AppConfig.ready(): a save or delete of a counted row that can change a figure
    makes a new version. Bulk writes (bulk_create, update, raw SQL) send no signal: their change
    shows within CACHE_SECONDS, as do renamed institutes, modules and agencies and people
    changing agency."""
    for model in COUNTED:
        post_save.connect(new_data_version, sender=model, dispatch_uid=f"impact-{model._meta.label}-save")
        post_delete.connect(new_data_version, sender=model, dispatch_uid=f"impact-{model._meta.label}-delete")


def data_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:  # never set, or the cache was emptied
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def cached_impact(filters: Filters | None = None) -> Impact:
    """``impact(filters)``, shared by everyone who asks for the same filters until a counted row
    changes (see ``watch``), or for ``CACHE_SECONDS`` at most."""
    filters = filters or Filters()
    # Plain values, not Rows: a change of this module's code can't meet an old pickle.
    asked = hashlib.blake2b(repr((MEASURES, filters)).encode(), digest_size=12).hexdigest()
    key = f"trainers:impact:{data_version()}:{asked}"
    counted = cache.get(key)
    if counted is None:
        counted = [tuple(row) for row in _counted(filters)]
        cache.set(key, counted, CACHE_SECONDS)
    return _impact_from(counted)
