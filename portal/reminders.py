"""Shared pieces of the daily reminder scans that each app keeps in its own tasks.py.

A scan walks its rows in keyset batches (by primary key, so a batch costs the same on the
first page and the last) and hands each batch to ``emails.queue_many``, which checks the
ledger for the whole batch in one query. A second run, a retried task or a second worker
therefore records nothing new, and a run that dies half-way leaves the rest to the next one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, time_format

from portal.emails import BatchResult


def portal_today(now: datetime | None = None) -> date:
    """Today's date in the portal's time zone (America/Los_Angeles by default), not UTC's."""
    return timezone.localdate(now or timezone.now())


def batch_size(value: int | None = None) -> int:
    return value or settings.REMINDER_BATCH_SIZE


def keyset_batches(queryset: models.QuerySet, size: int) -> Iterator[list]:
    """The queryset's rows in pk order, ``size`` at a time: one query per batch."""
    last_pk = None
    while True:
        page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        rows = list(page.order_by("pk")[:size])
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last_pk = rows[-1].pk


def run_scans(scans: dict[str, Callable[[], Iterator[BatchResult]]]) -> dict[str, dict[str, int]]:
    """Drain each scan's batches and sum them up, for a task's return value or a command's output."""
    summary = {}
    for name, scan in scans.items():
        total = BatchResult()
        batches = 0
        for result in scan():
            total.add(result)
            batches += 1
        summary[name] = {
            "batches": batches,
            "queued": total.queued,
            "suppressed": total.suppressed,
            "already_recorded": total.already_recorded,
            "would_queue": len(total.would_queue),
        }
    return summary


@functools.lru_cache(maxsize=2048)
def long_date(day: date) -> str:
    # A scan words thousands of messages around a few hundred dates; Django's date_format
    # looks the format up on every call.
    return date_format(day, "l, F j, Y")


def clock(moment: datetime | time) -> str:
    """A time of day as the whole site writes it: Django's en-us TIME_FORMAT ("P": "1:20 p.m.",
    "9 a.m.", "noon"), in the portal's time zone. Templates use ``|time`` for the same."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return time_format(moment, settings.TIME_FORMAT)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
