"""Factories for the communities tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from communities.models import (
    Community,
    CommunityFacilitator,
    ImplementationPlan,
    Membership,
    Post,
    Resource,
    Thread,
)
from tests.factories import UserFactory


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    title = factory.Sequence(lambda n: f"Math Instructional Strategies CoP {n}")
    kind = Community.Kind.REGIONAL
    topic = "Math Instructional Strategies"
    region = "Capital"
    description = "Teachers sharing **math** strategies."
    visibility = Community.Visibility.PUBLIC
    join_policy = Community.JoinPolicy.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    seen_orientation = True


class FacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityFacilitator

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Fractions with adult learners, part {n}")
    author = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "I use *number lines* with my evening class."


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Number line activity {n}")
    description = "A printable activity."
    url = "https://example.org/number-lines"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementationPlan

    owner = factory.SubFactory(UserFactory)
    title = "Bring number lines to my ESL class"
    goals = "Every learner can place fractions on a number line."


def institute(**kwargs):
    """An institute for cohort tests (built through the institutes models, never imported by app code)."""
    from institutes.models import Institute, Module

    module, _ = Module.objects.get_or_create(
        slug="math-strategies", defaults={"title": "Math Instructional Strategies"}
    )
    now = timezone.now()
    defaults = {
        "module": module,
        "title": "Math Strategies ToT, Spring",
        "description": "A ToT institute.",
        "applications_open_at": now - timedelta(days=10),
        "applications_close_at": now + timedelta(days=10),
    }
    defaults.update(kwargs)
    return Institute.objects.create(**defaults)


def event(
    community=None, *, starts=None, hours=2, dates=1, every_days=7, capacity=30, kind="webinar", **fields
):
    """An event with ``dates`` dates ``every_days`` apart, the first at ``starts`` (default: in a week)."""
    from communities.models import Event, EventDate

    community = community or CommunityFactory()
    starts = starts or (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    moments = [
        (starts + timedelta(days=every_days * n), starts + timedelta(days=every_days * n, hours=hours))
        for n in range(dates)
    ]
    defaults = {
        "title": "Fractions in the ESL classroom",
        "online_link": "https://meet.example.org/zq-room-link" if kind != "meeting" else "",
        "place": "Sacramento COE, Room 4" if kind != "webinar" else "",
    }
    made = Event.objects.create(
        community=community,
        kind=kind,
        capacity=capacity,
        starts_at=moments[0][0],
        ends_at=moments[-1][1],
        **{**defaults, **fields},
    )
    for s, e in moments:
        EventDate.objects.create(event=made, starts_at=s, ends_at=e)
    return made
