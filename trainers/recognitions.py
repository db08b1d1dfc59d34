"""Awards and impact stories on a trainer's profile: recorded, changed and published.

Publishing is a coordinator's choice and leaves a line in the audit trail; a trainer who changes
a published story takes it off the public pages until a coordinator publishes it again, so the
public never sees words no coordinator chose to show.
"""

from __future__ import annotations

from django.db import transaction

from portal import states
from portal.models import User
from trainers.models import Recognition

FIELDS = ("kind", "title", "text", "awarded_on")


def record_recognition(trainer: User, *, by: User, **fields) -> Recognition:
    with transaction.atomic():
        recognition = Recognition.objects.create(trainer=trainer, recorded_by=by, **fields)
        states.record(recognition, action="recognition:recorded", by=by, note=recognition.title)
    return recognition


def change_recognition(recognition: Recognition, *, by: User, publisher: bool, **fields) -> Recognition:
    """Save the changed words; a change by someone who may not publish unpublishes it."""
    with transaction.atomic():
        locked = states.lock(recognition)
        for name, value in fields.items():
            setattr(locked, name, value)
        unpublished = locked.public and not publisher
        if unpublished:
            locked.public = False
        locked.save(update_fields=[*fields, "public", "updated_at"])
        note = "changed; taken off the public pages until published again" if unpublished else "changed"
        states.record(locked, action="recognition:changed", by=by, note=note)
    return locked


def set_recognition_public(recognition: Recognition, public: bool, *, by: User) -> bool:
    """Show or hide it publicly; False if it already was so."""
    with transaction.atomic():
        locked = states.lock(recognition)
        if locked.public == public:
            return False
        locked.public = public
        locked.save(update_fields=["public", "updated_at"])
        states.record(locked, action="recognition:published" if public else "recognition:unpublished", by=by)
    recognition.public = public
    return True
