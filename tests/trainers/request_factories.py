"""Factories for agencies' requests: ``TrainingRequestFactory()`` is a new request from an
agency's staff member for a module, on one date three weeks from now, 9 to 12, in person."""

from datetime import time, timedelta

import factory
from django.utils import timezone

from tests.factories import AgencyFactory, UserFactory
from tests.trainers.factories import ModuleFactory
from trainers.models import RequestOffer, TrainingRequest


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


class TrainingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRequest

    kind = TrainingRequest.Kind.TRAINING
    agency = factory.SubFactory(AgencyFactory)
    requester = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..agency"))
    region = factory.SelfAttribute("agency.region")
    module = factory.SubFactory(ModuleFactory)
    dates = factory.LazyFunction(lambda: [in_days(21).isoformat()])
    starts = time(9)
    ends = time(12)
    place = "Room 4, Main campus"
    audience = "ESL teachers"
    expected_size = 18
    waiting_since = factory.LazyFunction(timezone.now)


class RequestOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestOffer

    request = factory.SubFactory(TrainingRequestFactory, status=TrainingRequest.Status.OFFERED)
    trainer = factory.SubFactory(UserFactory)
