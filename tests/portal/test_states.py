"""The one state-move helper and the one audit trail (portal.states, portal.models.AuditEntry)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from institutes.models import Institute
from portal import states
from portal.models import AuditEntry
from tests.factories import UserFactory
from tests.institutes.factories import InstituteFactory

pytestmark = pytest.mark.django_db
Status = Institute.Status


class RuleSaidNo(states.DomainError):
    pass


def _move(institute, to, **kwargs):
    kwargs.setdefault("by", None)
    return states.move(institute, to, allowed=Institute.ALLOWED_MOVES, error=RuleSaidNo, **kwargs)


def test_move_saves_the_status_and_fields_and_writes_who_when_from_to_note():
    institute = InstituteFactory(status=Status.OPEN)
    person = UserFactory()

    entry = _move(institute, Status.CLOSED, by=person, note="Full", capacity=30)

    institute.refresh_from_db()
    assert (institute.status, institute.capacity) == ("closed", 30)
    assert entry == AuditEntry.objects.get()
    assert entry.content_type == ContentType.objects.get_for_model(Institute)
    assert entry.object_id == institute.pk
    assert (entry.actor, entry.action, entry.from_status, entry.to_status, entry.note) == (
        person,
        "status:closed",
        "open",
        "closed",
        "Full",
    )
    assert (entry.from_label, entry.to_label, entry.who) == (
        "Open for applications",
        "Applications closed",
        str(person),
    )


def test_move_into_the_state_the_row_is_in_is_quiet():
    institute = InstituteFactory(status=Status.CLOSED)

    assert _move(institute, Status.CLOSED, note="again") is None

    assert AuditEntry.objects.count() == 0


def test_a_move_not_in_the_table_raises_the_apps_error_and_writes_nothing():
    institute = InstituteFactory(status=Status.OPEN)

    with pytest.raises(RuleSaidNo) as refused:
        _move(institute, Status.COMPLETED)

    assert str(refused.value) == "This institute is open for applications; it can't be changed to completed."

    institute.refresh_from_db()
    assert institute.status == Status.OPEN
    assert AuditEntry.objects.count() == 0


def test_the_refusal_can_be_worded_by_the_app():
    institute = InstituteFactory(status=Status.COMPLETED)

    with pytest.raises(RuleSaidNo) as refused:
        _move(institute, Status.OPEN, refusal=lambda row, to: f"{row.title} is done; not {to}.")

    assert str(refused.value) == f"{institute.title} is done; not open."


def test_a_stale_instance_decides_from_the_stored_status_and_overwrites_nothing_else():
    institute = InstituteFactory(status=Status.OPEN, capacity=24)
    stale = Institute.objects.get(pk=institute.pk)
    _move(institute, Status.CLOSED)
    Institute.objects.filter(pk=institute.pk).update(title="Renamed meanwhile")
    stale.capacity = 99  # an edit the move was not asked to save

    entry = _move(stale, Status.RUNNING)

    stored = Institute.objects.get(pk=institute.pk)
    assert (entry.from_status, entry.to_status) == ("closed", "running")
    assert (stored.status, stored.title, stored.capacity) == ("running", "Renamed meanwhile", 24)


def test_a_stale_instance_is_refused_when_the_stored_status_does_not_allow_the_move():
    institute = InstituteFactory(status=Status.OPEN)
    stale = Institute.objects.get(pk=institute.pk)
    _move(institute, Status.CLOSED)
    _move(institute, Status.RUNNING)

    with pytest.raises(RuleSaidNo, match="running"):
        _move(stale, Status.DRAFT)  # allowed from open, which the stale copy still shows

    assert Institute.objects.get(pk=institute.pk).status == Status.RUNNING
    assert stale.status == Status.RUNNING


def test_notify_runs_only_for_a_real_move_inside_the_transaction():
    institute = InstituteFactory(status=Status.OPEN)
    heard = []

    def notify(entry):
        heard.append((entry.to_status, transaction.get_connection().in_atomic_block))

    _move(institute, Status.CLOSED, notify=notify)
    _move(institute, Status.CLOSED, notify=notify)

    assert heard == [("closed", True)]


def test_a_failure_after_the_move_rolls_back_the_status_and_the_audit_row():
    institute = InstituteFactory(status=Status.OPEN)

    def notify(entry):
        raise RuntimeError("mail server template broke")

    with pytest.raises(RuntimeError):
        _move(institute, Status.CLOSED, notify=notify)

    assert Institute.objects.get(pk=institute.pk).status == Status.OPEN
    assert AuditEntry.objects.count() == 0


def test_history_is_one_objects_entries_oldest_first_and_survives_the_object():
    first, other = InstituteFactory(status=Status.OPEN), InstituteFactory(status=Status.OPEN)
    _move(first, Status.CLOSED)
    _move(other, Status.CLOSED)
    _move(first, Status.OPEN, note="Extended")
    states.record(first, action="created", by=None, note="Seeded")

    assert [(e.action, e.note) for e in states.history(first)] == [
        ("status:closed", ""),
        ("status:open", "Extended"),
        ("created", "Seeded"),
    ]
    pk = first.pk
    first.delete()
    assert AuditEntry.objects.filter(object_id=pk, content_type__model="institute").count() == 3


def test_the_apps_errors_are_domain_errors():
    from communities.services import CommunityError
    from institutes.services import ApplicationError
    from trainers.services import TrainerError

    assert all(
        issubclass(error, states.DomainError) for error in (ApplicationError, CommunityError, TrainerError)
    )
