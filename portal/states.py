"""The one way a row changes state, and the one audit trail every app writes.

An app keeps, beside each status, a table of allowed moves (``{from: {to, ...}}``) and writes one
service function per move on top of ``move``:

    with transaction.atomic():
        entry = states.move(report, Status.VERIFIED, by=user, allowed=MOVES, error=TrainerError,
                            note=comment, reviewed_by=user)
        if entry is not None:
            queue the e-mail (portal.emails records it in this transaction, delivers on commit)

``move`` re-reads the row's status under ``select_for_update()``, so two people clicking at once
are served one after the other and a stale instance never decides from an old status; it returns
None, changing nothing, when the row is already where it was asked to go. Only the status and the
named fields are saved (``update_fields``), so stale values elsewhere on the instance are never
written back. ``record`` writes an audit entry for an action that is not a move.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from portal.models import AuditEntry, User


class DomainError(Exception):
    """A rule said no. The message is shown, as it is, to the person who tried."""


class MoveNotAllowed(DomainError):
    """The table of allowed moves has no arrow from the row's state to the one asked for."""


def record(
    obj: models.Model,
    *,
    action: str,
    by: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    actor_label: str = "",
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write one row of the audit trail about ``obj`` (``at``: now, unless seeding a past)."""
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        actor=by,
        actor_label=actor_label,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        details=dict(details or {}),
    )


def history(obj: models.Model):
    """The audit trail of ``obj``, oldest first, with the actors loaded."""
    return AuditEntry.objects.about(obj).select_related("actor")


def lock(obj: models.Model, *related: str):
    """The row re-read under ``select_for_update()`` (call inside ``transaction.atomic()``)."""
    queryset = type(obj)._default_manager.select_for_update(of=("self",) if related else ())
    return queryset.select_related(*related).get(pk=obj.pk)


def _refusal(obj: models.Model, to: str, status_field: str) -> str:
    def label(value: str) -> str:
        choices = dict(obj._meta.get_field(status_field).flatchoices)
        return str(choices.get(value, value)).lower()

    return (
        f"This {obj._meta.verbose_name} is {label(getattr(obj, status_field))}; "
        f"it can't be changed to {label(to)}."
    )


def move(
    obj: models.Model,
    to: str,
    *,
    by: User | None,
    allowed: Mapping[str, Collection[str]],
    note: str = "",
    error: type[DomainError] = MoveNotAllowed,
    refusal: Callable[[models.Model, str], str] | None = None,
    action: str | None = None,
    actor_label: str = "",
    status_field: str = "status",
    notify: Callable[[AuditEntry], Any] | None = None,
    **fields: Any,
) -> AuditEntry | None:
    """Move ``obj`` to the state ``to``, set ``fields``, save, and audit the move.

    Returns the audit entry, or None when the row was already in ``to`` (nothing is written).
    Raises ``error`` (the app's subclass of DomainError) when ``allowed`` has no such move; the
    message is ``refusal(row, to)``, or a plain default.
    ``notify(entry)`` runs after a real move, in the same transaction: the e-mail it queues through
    ``portal.emails`` is recorded with the move and delivered once the transaction commits.
    """
    with transaction.atomic():
        current = (
            type(obj)._default_manager.select_for_update().values_list(status_field, flat=True).get(pk=obj.pk)
        )
        setattr(obj, status_field, current)
        if current == to:
            return None
        if to not in allowed.get(current, ()):
            raise error(refusal(obj, to) if refusal else _refusal(obj, to, status_field))
        setattr(obj, status_field, to)
        for name, value in fields.items():
            setattr(obj, name, value)
        update_fields = [status_field, *fields]
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)
        entry = record(
            obj,
            action=action or f"status:{to}",
            by=by,
            from_status=current,
            to_status=to,
            note=note,
            actor_label=actor_label,
        )
        if notify is not None:
            notify(entry)
        return entry
