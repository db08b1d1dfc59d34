"""Factories for the trainers tests (and the institutes rows they stand on)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from institutes.models import Institute, Module
from tests.factories import UserFactory
from trainers.models import Certification, FacilitationReport, Honorarium, HonorariumRate, TrainerProfile


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        django_get_or_create = ["title"]

    title = factory.Sequence(lambda n: f"Module number {n}")


class InstituteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institute

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Training-of-Trainers Institute {n}")
    description = "Four weeks of practice and preparation."
    status = Institute.Status.COMPLETED
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=120))
    applications_close_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=90))


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    participant = factory.SubFactory(UserFactory)
    module = factory.SubFactory(ModuleFactory)
    institute = None
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilitationReport
        skip_postgeneration_save = True

    trainer = factory.SubFactory(UserFactory)
    module = factory.SubFactory(ModuleFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    hours = Decimal("3.0")
    host_kind = FacilitationReport.HostKind.OWN_AGENCY
    audience = "ESL teachers"
    participants_count = 12
    agenda = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 agenda", name="agenda.pdf"))
    sign_in_sheet = factory.LazyFunction(lambda: ContentFile(b"name\nAna\n", name="sign-in.csv"))
    reflection = "It went well."
    status = FacilitationReport.Status.SUBMITTED

    @factory.post_generation
    def co_facilitators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.co_facilitators.set(extracted)


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HonorariumRate

    module = factory.SubFactory(ModuleFactory)
    basis = HonorariumRate.Basis.PER_TRAINING
    amount = Decimal("300.00")
    effective_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))


class HonorariumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Honorarium

    report = factory.SubFactory(ReportFactory, status=FacilitationReport.Status.VERIFIED)
    trainer = factory.SelfAttribute("report.trainer")
    rate = factory.SubFactory(RateFactory, module=factory.SelfAttribute("..report.module"))
    amount = Decimal("300.00")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainerProfile

    user = factory.SubFactory(UserFactory)
    listed = True


def certified_trainer(module=None, days_ago: int = 100, **user_kwargs):
    """A user with an active certification in ``module``; returns (user, certification)."""
    certification = CertificationFactory(
        participant=UserFactory(**user_kwargs),
        module=module or ModuleFactory(),
        issued_on=timezone.localdate() - timedelta(days=days_ago),
    )
    return certification.participant, certification


def completed_institute(participants: int = 2, incomplete: int = 1, title: str | None = None):
    """A completed institute with one session and one assignment.

    ``participants`` accepted people attended, had the assignment accepted and passed practice;
    ``incomplete`` more were absent. Returns (institute, completed users, incomplete users).
    """
    from institutes.models import Application, AssignmentSubmission, Attendance, PracticeResult
    from tests.institutes.factories import ApplicationFactory, AssignmentFactory, SessionFactory

    extra = {"title": title} if title else {}
    institute = InstituteFactory(**extra)
    session = SessionFactory(institute=institute, date=timezone.localdate() - timedelta(days=20))
    assignment = AssignmentFactory(institute=institute, due_on=timezone.localdate() - timedelta(days=30))
    done, not_done = [], []
    for i in range(participants + incomplete):
        complete = i < participants
        application = ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED)
        Attendance.objects.create(
            session=session,
            application=application,
            status=Attendance.Status.PRESENT if complete else Attendance.Status.ABSENT,
        )
        AssignmentSubmission.objects.create(
            assignment=assignment,
            application=application,
            text="My two questions.",
            state=AssignmentSubmission.State.ACCEPTED,
        )
        PracticeResult.objects.create(application=application, result=PracticeResult.Result.PASSED)
        (done if complete else not_done).append(application.applicant)
    return institute, done, not_done


def coordinating(user, *modules):
    """Gives ``user`` an active coordinator role for an institute of each module: whoever
    coordinates a module's institutes reads and decides its reports and honoraria."""
    from institutes.models import InstituteCoordinator

    for module in modules:
        InstituteCoordinator.objects.create(user=user, institute=InstituteFactory(module=module))
    return user
