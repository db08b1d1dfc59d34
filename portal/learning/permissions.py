"""Who may see and export professional-learning hours.

A transcript and its printable records are the person's own: nobody else opens them, staff
included (a printed record's code is what a person shows an employer, and its public verify
page shows the name, period and total alone). Coordinators and the state office export hours
per agency and period.
"""

from __future__ import annotations

from portal.access import is_coordinator, is_state_office


def can_view_transcript(user, person) -> bool:
    return bool(user and user.is_authenticated and person is not None and user.pk == person.pk)


def can_view_record(user, record) -> bool:
    return bool(user and user.is_authenticated and record.person_id == user.pk)


def can_issue_record(user, person) -> bool:
    return can_view_transcript(user, person)


def can_export_hours(user) -> bool:
    return bool(user and user.is_authenticated and (is_coordinator(user) or is_state_office(user)))
