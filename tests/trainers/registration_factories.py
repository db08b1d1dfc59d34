"""Factories for turnkey trainings and their registrations (the registration tests)."""

from datetime import timedelta

import factory
from django.utils import timezone

from tests.trainers.factories import CertificationFactory
from trainers.models import FacilitationReport, Registration, TrainingSession, TurnkeyTraining


def two_weeks_ahead():
    return (timezone.localtime() + timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)


class TrainingFactory(factory.django.DjangoModelFactory):
    """A published training, two weeks ahead, with one session (``sessions=3`` for a weekly series)."""

    class Meta:
        model = TurnkeyTraining
        skip_postgeneration_save = True

    certification = factory.SubFactory(CertificationFactory)
    trainer = factory.SelfAttribute("certification.participant")
    module = factory.SelfAttribute("certification.module")
    title = factory.Sequence(lambda n: f"Number sense for adult learners {n}")
    description = "Hands-on strategies for teaching fractions and number lines."
    audience = "Math and HSE teachers"
    host_kind = FacilitationReport.HostKind.OWN_AGENCY
    region = "Capital"
    venue = "Sacramento City Adult School, room 12"
    address = "5241 J Street, Sacramento"
    online_link = "https://meet.example.org/zq-room-link"
    capacity = 20
    status = TurnkeyTraining.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    starts_at = factory.LazyFunction(two_weeks_ahead)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for week in range(count):
            starts = obj.starts_at + timedelta(weeks=week)
            TrainingSession.objects.create(
                training=obj, starts_at=starts, ends_at=starts + timedelta(hours=3)
            )
        if count:
            obj.ends_at = obj.starts_at + timedelta(weeks=count - 1, hours=3)
            obj.repeat = TurnkeyTraining.Repeat.ONCE if count == 1 else TurnkeyTraining.Repeat.WEEKLY
            obj.save(update_fields=["ends_at", "repeat"])


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    training = factory.SubFactory(TrainingFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"educator{n}@school.example.org")
    other_agency = "Elk Grove Adult and Community Education"
    role = Registration.Role.TEACHER
    status = Registration.Status.REGISTERED
