"""Helpers for the day of a turnkey training (the trainings themselves come from
``training_factories``)."""

from trainers.models import Registration, SessionAttendance, TrainingSession


def present(session: TrainingSession, *registrations: Registration) -> None:
    """Mark registrations present at ``session`` without going through a facilitator."""
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=session, registration=r) for r in registrations
    )
