"""Factories for the institutes app."""

import datetime as dt

import factory
from django.utils import timezone

from institutes.models import (
    Application,
    Assignment,
    Audience,
    Institute,
    InstituteCoordinator,
    Module,
    Session,
)
from tests.factories import AgencyFactory, UserFactory


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    title = factory.Sequence(lambda n: f"Module number {n}")


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ("name",)

    name = "Administrators"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class InstituteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institute

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Training of Trainers {n}")
    description = "Four weeks of practice in facilitating the module."
    status = Institute.Status.OPEN
    capacity = 24
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    applications_close_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    requires_caep_funding = True
    endorsement_required = False  # the tests that need it ask for it


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    institute = factory.SubFactory(InstituteFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=40))
    starts_at = dt.time(8, 30)
    ends_at = dt.time(12, 30)
    place = "CALPRO office, Sacramento"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application; pass status= to place it in a state directly (for arranging tests)."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    institute = factory.SubFactory(InstituteFactory)
    agency = factory.SubFactory(AgencyFactory)
    position = "ESL teacher"
    statement = "I want to bring the module to our teachers."
    supervisor_name = "Pat Principal"
    supervisor_email = factory.Sequence(lambda n: f"supervisor{n}@example.org")
    commits_to_attend = True
    commits_to_present = True


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    institute = factory.SubFactory(InstituteFactory)
    title = factory.Sequence(lambda n: f"Pre-institute reading {n}")
    instructions = "Read the module overview and write down two questions."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    kind = Assignment.Kind.TEXT


def coordinator_of(institute, user=None):
    from tests.factories import coordinator

    user = user or coordinator()
    InstituteCoordinator.objects.create(user=user, institute=institute)
    return user


CRITERIA = ("Opening and purpose", "Questions that invite talk", "Timing and pace")


def rubric_for(
    module, *, by=None, criteria=CRITERIA, levels=4, rule="every", pass_level=3, min_criteria=None
):
    """The module's rubric through the service (a level description per level of each criterion)."""
    from institutes import practice

    by = by or UserFactory()
    return practice.save_rubric(
        module,
        levels=levels,
        rule=rule,
        pass_level=pass_level,
        min_criteria=min_criteria,
        criteria=[
            practice.CriterionData(
                title=title, level_descriptions=[f"{title}: level {n}" for n in range(1, levels + 1)]
            )
            for title in criteria
        ],
        by=by,
    )


def facilitation_for(application, *, topic="Warm-up and norms", rubric=None, by=None):
    from institutes import practice

    if rubric is None and not application.institute.module.rubrics.exists():
        rubric_for(application.institute.module)
    return practice.add_facilitation(
        application,
        topic=topic,
        given_on=timezone.localdate(),
        session=None,
        by=by or application.applicant,
    )
