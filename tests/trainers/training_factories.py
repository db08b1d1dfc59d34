"""Factories for turnkey trainings: a training led by a certified trainer, its sessions,
registrations and co-facilitators.

``TrainingFactory()`` builds a published, in-person training a week from now with one two-hour
session, led by a trainer with an active certification for its module; pass ``sessions=0`` for
none or ``sessions=3`` for three weekly ones.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories import UserFactory
from tests.trainers.factories import CertificationFactory
from trainers.models import CoFacilitator, FacilitationReport, Registration, TrainingSession, TurnkeyTraining


def _next_week_at_nine():
    return (timezone.localtime() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TurnkeyTraining
        skip_postgeneration_save = True

    certification = factory.SubFactory(CertificationFactory)
    trainer = factory.SelfAttribute("certification.participant")
    module = factory.SelfAttribute("certification.module")
    title = factory.Sequence(lambda n: f"Turnkey training {n}")
    description = "A morning of practice with the module's strategies."
    audience = "ESL teachers"
    host_kind = FacilitationReport.HostKind.OWN_AGENCY
    region = "Capital"
    format = TurnkeyTraining.Format.IN_PERSON
    venue = "Room 12, Main campus"
    address = "1 School Street, Sacramento"
    capacity = 20
    agenda = "9:00 Welcome\n9:15 Strategies\n11:00 Close"
    status = TurnkeyTraining.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):
        """One session unless told otherwise; starts_at/ends_at follow the sessions."""
        if not create:
            return
        count = 1 if extracted is None else extracted
        first = kwargs.pop("starts_at", None) or _next_week_at_nine()
        for i in range(count):
            SessionFactory(training=obj, starts_at=first + timedelta(weeks=i))
        if count:
            first_last = obj.sessions.order_by("starts_at")
            obj.starts_at = first_last.first().starts_at
            obj.ends_at = first_last.last().ends_at
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
