"""The hours engine's API. Apps credit attendance here; this engine knows no app.

    record(person, source, hours, on, title, kind, topic="", community_id=None) -> LearningCredit
        One credit per (person, source): a second call updates it (new hours, date, title ...),
        never adds another. Refuses a date after today (LearningError) and hours not above zero.
    withdraw(person, source) -> bool
        Removes the person's credit for the source, if any (absent after all, registration
        cancelled). Safe to call when there is none.
    sync_source(source, hours_by_person, *, on, title, kind, topic="", community_id=None)
        Makes the credits for one source exactly ``{person id: hours}``: upserts those, withdraws
        everybody else's, in three queries whatever the number of people. What attendance pages
        call after saving a session's register.
    withdraw_source(source) -> int
        Removes every credit for the source (a session deleted or moved into the future).
    transcript(person, year=None) -> Transcript
        The person's credits in a year with totals per community and per topic, in two queries.
    issue_record(person, start, end) -> HoursRecord
        A frozen record of the person's hours over a period with a new code; earlier records
        for the same period are superseded (their codes still verify and say so).
    find_record(code) -> HoursRecord | None

    register_backfill(name, fn) / backfill()
        Each app registers how to credit its existing attendance; ``manage.py
        backfill_learning_hours`` (and the demo) run them all. Safe to run again.

Apps tell the engine how to name communities (portal cannot import communities) with
``register_community_directory(fn)``, ``fn(person, ids) -> {id: CommunityInfo}``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from portal.learning.models import HoursRecord, Kind, LearningCredit
from portal.pictures import bar_step
from portal.states import DomainError

FUTURE = "Hours can't be credited before the session has taken place: {on} is still to come."
NOT_POSITIVE = "Hours must be more than zero; to take a credit away, withdraw it."


class LearningError(DomainError):
    """An hours rule said no (a date in the future, no hours); shown as it is."""


def _check(hours, on: datetime.date) -> Decimal:
    hours = Decimal(hours).quantize(Decimal("0.01"))
    if hours <= 0:
        raise LearningError(NOT_POSITIVE)
    if on > timezone.localdate():
        raise LearningError(FUTURE.format(on=on.strftime("%-d %B %Y")))
    return hours


def _source_key(source) -> tuple[ContentType, int]:
    return ContentType.objects.get_for_model(source), source.pk


def record(
    person,
    source,
    hours,
    on: datetime.date,
    title: str,
    kind: str,
    topic: str = "",
    community_id: int | None = None,
) -> LearningCredit:
    hours = _check(hours, on)
    if kind not in Kind.values:
        raise ValueError(f"Unknown kind of learning: {kind!r}")
    content_type, object_id = _source_key(source)
    credit, _ = LearningCredit.objects.update_or_create(
        person=person,
        content_type=content_type,
        object_id=object_id,
        defaults={
            "hours": hours,
            "on": on,
            "title": title[:300],
            "kind": kind,
            "topic": topic[:200],
            "community_id": community_id,
        },
    )
    return credit


def withdraw(person, source) -> bool:
    content_type, object_id = _source_key(source)
    deleted, _ = LearningCredit.objects.filter(
        person=person, content_type=content_type, object_id=object_id
    ).delete()
    return bool(deleted)


def withdraw_source(source) -> int:
    content_type, object_id = _source_key(source)
    deleted, _ = LearningCredit.objects.filter(content_type=content_type, object_id=object_id).delete()
    return deleted


@transaction.atomic
def sync_source(
    source,
    hours_by_person: Mapping[int, Decimal],
    *,
    on: datetime.date,
    title: str,
    kind: str,
    topic: str = "",
    community_id: int | None = None,
) -> None:
    """The source's credits become exactly ``hours_by_person`` (people by id)."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown kind of learning: {kind!r}")
    content_type, object_id = _source_key(source)
    wanted = {person_id: hours for person_id, hours in hours_by_person.items() if hours and hours > 0}
    checked = {person_id: _check(hours, on) for person_id, hours in wanted.items()}
    LearningCredit.objects.filter(content_type=content_type, object_id=object_id).exclude(
        person_id__in=list(checked)
    ).delete()
    if not checked:
        return
    now = timezone.now()
    LearningCredit.objects.bulk_create(
        [
            LearningCredit(
                person_id=person_id,
                content_type=content_type,
                object_id=object_id,
                hours=hours,
                on=on,
                title=title[:300],
                kind=kind,
                topic=topic[:200],
                community_id=community_id,
                created_at=now,
                updated_at=now,
            )
            for person_id, hours in checked.items()
        ],
        update_conflicts=True,
        unique_fields=["person", "content_type", "object_id"],
        update_fields=["hours", "on", "title", "kind", "topic", "community_id", "updated_at"],
    )


# --- Communities, named by the app that owns them -------------------------------------------


@dataclass(frozen=True)
class CommunityInfo:
    name: str
    url: str = ""
    expected_min: Decimal | None = None
    expected_max: Decimal | None = None

    @property
    def expected_top(self) -> Decimal | None:
        """What a progress bar fills up to: the top of the range, or the one number."""
        return self.expected_max or self.expected_min


Directory = Callable[[object, Iterable[int]], Mapping[int, CommunityInfo]]
_community_directory: list[Directory] = []


def register_community_directory(fn: Directory) -> None:
    """``fn(person, ids)`` names the communities ``ids``, and adds the person's own communities
    that expect hours (so a member with no hours yet still sees how far there is to go)."""
    if fn not in _community_directory:
        _community_directory.append(fn)


def communities(person, ids: Iterable[int]) -> dict[int, CommunityInfo]:
    ids = sorted({community_id for community_id in ids if community_id is not None})
    found: dict[int, CommunityInfo] = {}
    for fn in _community_directory:
        found.update(fn(person, ids))
    return found


# --- Backfill: each app credits what its existing attendance earned ------------------------

_backfills: dict[str, Callable[[], int]] = {}


def register_backfill(name: str, fn: Callable[[], int]) -> None:
    """``fn()`` credits everything the app's attendance earned so far, returning a count."""
    _backfills[name] = fn


def backfill() -> dict[str, int]:
    """Every registered app credits its existing attendance (idempotent: credits are upserts)."""
    return {name: fn() for name, fn in _backfills.items()}


# --- Transcript -----------------------------------------------------------------------------


@dataclass
class Total:
    key: object
    label: str
    hours: Decimal = Decimal("0")
    credits: int = 0
    info: CommunityInfo | None = None

    @property
    def expected(self) -> Decimal | None:
        return self.info.expected_top if self.info else None

    @property
    def step(self) -> int:
        """The progress bar's width towards the expected hours, in 5 % steps."""
        return bar_step(float(self.hours), float(self.expected or 0))

    @property
    def reached(self) -> bool:
        return bool(self.info and self.info.expected_min is not None and self.hours >= self.info.expected_min)

    @property
    def to_go(self) -> Decimal:
        """Hours still to go to the least expected (zero once reached)."""
        if not self.info or self.info.expected_min is None:
            return Decimal("0")
        return max(Decimal("0"), self.info.expected_min - self.hours)


@dataclass
class Transcript:
    person: object
    year: int
    years: list[int]
    credits: list[LearningCredit]
    total: Decimal = Decimal("0")
    by_community: list[Total] = field(default_factory=list)
    by_topic: list[Total] = field(default_factory=list)


def transcript(person, year: int | None = None, *, with_community_names: bool = True) -> Transcript:
    """The person's year: every credit, its total, and totals per community and topic.

    Two queries (the years, the year's credits) plus the community directory's (one). The
    person's communities that expect hours are listed even with no hours yet.
    """
    years = LearningCredit.objects.of(person).years()
    this_year = timezone.localdate().year
    if year is None:
        year = years[0] if years and this_year not in years else this_year
    credits = list(LearningCredit.objects.of(person).in_year(year).order_by("-on", "title"))
    total = sum((credit.hours for credit in credits), Decimal("0"))
    community_rows, topic_rows = _summary(person, credits)
    per_community = {row.key: row for row in community_rows}
    per_topic = {row.key: row for row in topic_rows}
    names = communities(person, per_community) if with_community_names else {}
    for community_id in names:
        per_community.setdefault(community_id, Total(community_id, ""))
    for community_id, row in per_community.items():
        row.info = names.get(community_id)
        row.label = (
            row.info.name if row.info else ("Outside a community" if community_id is None else "A community")
        )
    return Transcript(
        person=person,
        year=year,
        years=sorted(set(years) | {year}, reverse=True),
        credits=credits,
        total=total,
        by_community=sorted(per_community.values(), key=lambda row: (row.key is None, -row.hours, row.label)),
        by_topic=sorted(per_topic.values(), key=lambda row: (not row.key, -row.hours, row.label)),
    )


def year_period(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@dataclass
class YearSummary:
    year: int
    total: Decimal
    by_community: list[Total]

    @property
    def expected(self) -> list[Total]:
        """The communities that expect hours, with the person's progress towards them."""
        return [row for row in self.by_community if row.expected]


def year_summary(person, year: int | None = None) -> YearSummary:
    """The dashboard's few numbers: the year's total and progress per community (two queries)."""
    year = year or timezone.localdate().year
    rows = list(LearningCredit.objects.of(person).in_year(year).by_community())
    per_community = {
        row["community_id"]: Total(row["community_id"], "", row["hours"], row["credits"]) for row in rows
    }
    names = communities(person, per_community)
    for community_id, info in names.items():
        per_community.setdefault(community_id, Total(community_id, "")).info = info
    for row in per_community.values():
        row.label = row.info.name if row.info else ""
    return YearSummary(
        year=year,
        total=sum((row["hours"] for row in rows), Decimal("0")),
        by_community=sorted(per_community.values(), key=lambda row: (row.key is None, row.label)),
    )


# --- Records --------------------------------------------------------------------------------


def _summary(person, credits: list[LearningCredit]) -> tuple[list[Total], list[Total]]:
    per_community: dict[int | None, Total] = {}
    per_topic: dict[str, Total] = {}
    for credit in credits:
        community = per_community.setdefault(credit.community_id, Total(credit.community_id, ""))
        community.hours += credit.hours
        community.credits += 1
        topic = per_topic.setdefault(credit.topic, Total(credit.topic, credit.topic or "Other learning"))
        topic.hours += credit.hours
        topic.credits += 1
    return list(per_community.values()), list(per_topic.values())


@transaction.atomic
def issue_record(person, start: datetime.date, end: datetime.date) -> HoursRecord:
    """A new record (new code) of the person's hours from ``start`` to ``end``, both included.

    Its lines and totals are frozen as they are now. Earlier records of the same person and
    period are superseded, not deleted: a printed copy still verifies, with the totals it was
    printed with and a note that a newer one exists.
    """
    if end < start:
        raise LearningError("The period ends before it starts.")
    credits = list(LearningCredit.objects.of(person).between(start, end).order_by("on", "title", "pk"))
    per_community, per_topic = _summary(person, credits)
    names = communities(None, [row.key for row in per_community])
    for row in per_community:
        info = names.get(row.key)
        row.label = info.name if info else ("Outside a community" if row.key is None else "A community")
    record_ = HoursRecord.objects.create(
        person=person,
        period_start=start,
        period_end=end,
        person_name=person.display_name,
        total_hours=sum((credit.hours for credit in credits), Decimal("0")),
        credits=len(credits),
        lines=[
            {
                "on": credit.on.isoformat(),
                "title": credit.title,
                "kind": credit.get_kind_display(),
                "topic": credit.topic,
                "hours": str(credit.hours),
            }
            for credit in credits
        ],
        by_community=[
            {"label": row.label, "hours": str(row.hours)}
            for row in sorted(per_community, key=lambda row: (row.key is None, -row.hours, row.label))
        ],
        by_topic=[
            {"label": row.label, "hours": str(row.hours)}
            for row in sorted(per_topic, key=lambda row: (not row.key, -row.hours, row.label))
        ],
    )
    HoursRecord.objects.filter(
        person=person, period_start=start, period_end=end, superseded_by__isnull=True
    ).exclude(pk=record_.pk).update(superseded_by=record_)
    return record_


def find_record(code: str) -> HoursRecord | None:
    code = (code or "")[:40]
    if not code:
        return None
    return HoursRecord.objects.select_related("superseded_by").filter(code=code).first()
