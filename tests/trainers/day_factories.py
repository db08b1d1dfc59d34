"""Factories for the day of a turnkey training.

The same names and defaults as the planning helper's ``training_factories`` (a published
training led by a certified trainer, one two-hour session a week from now unless told otherwise),
so the two modules fold into one when the branches meet.
"""

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from tests.factories import UserFactory
from tests.trainers.factories import CertificationFactory
from trainers.models import CoFacilitator, Registration, SessionAttendance, TrainingSession, TurnkeyTraining


def _next_week_at_nine() -> datetime:
    return (timezone.localtime() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TurnkeyTraining
        skip_postgeneration_save = True

    certification = factory.SubFactory(CertificationFactory)
    trainer = factory.SelfAttribute("certification.participant")
    module = factory.SelfAttribute("certification.module")
    title = factory.Sequence(lambda n: f"Turnkey training {n}")
    audience = "ESL teachers"
    host_kind = "own_agency"
    region = "Capital"
    venue = "Room 12, Main campus"
    capacity = 20
    status = TurnkeyTraining.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):
        """One session unless told otherwise (``sessions=3``: three weekly ones, from ``sessions__starts_at``)."""
        if not create:
            return
        count = 1 if extracted is None else extracted
        first = kwargs.pop("starts_at", None) or _next_week_at_nine()
        hours = kwargs.pop("hours", 2)
        for i in range(count):
            SessionFactory(
                training=obj,
                starts_at=first + timedelta(weeks=i),
                ends_at=first + timedelta(weeks=i, hours=hours),
            )
        if count:
            obj.starts_at = first
            obj.ends_at = first + timedelta(weeks=count - 1, hours=hours)
            obj.save(update_fields=["starts_at", "ends_at"])


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    training = factory.SubFactory(TrainingFactory, sessions=0)
    starts_at = factory.LazyFunction(_next_week_at_nine)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    training = factory.SubFactory(TrainingFactory)
    name = factory.Sequence(lambda n: f"Educator {n}")
    email = factory.Sequence(lambda n: f"educator{n}@example.org")
    other_agency = "Riverside Adult School"
    role = Registration.Role.TEACHER
    status = Registration.Status.REGISTERED


class CoFacilitatorFactory(factory.django.DjangoModelFactory):
    """An invited co-facilitator who holds a certification for the training's module."""

    class Meta:
        model = CoFacilitator

    training = factory.SubFactory(TrainingFactory)
    person = factory.LazyAttribute(
        lambda o: CertificationFactory(participant=UserFactory(), module=o.training.module).participant
    )
    status = CoFacilitator.Status.INVITED


def present(session: TrainingSession, *registrations: Registration) -> None:
    """Mark registrations present at ``session`` without going through a facilitator."""
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=session, registration=r) for r in registrations
    )
