"""A hand-built world for the reach and impact tests, and its helpers: held trainings on given
days, educators present at them, answers to the post-training survey."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from portal.surveys.defaults import create_defaults
from portal.surveys.models import Answer, Instrument, Question, Response
from tests.factories import AgencyFactory, UserFactory
from tests.trainers.factories import CertificationFactory, InstituteFactory, ModuleFactory, ReportFactory
from tests.trainers.training_factories import RegistrationFactory, TrainingFactory
from trainers.models import (
    Certification,
    FacilitationReport,
    Registration,
    SessionAttendance,
    TurnkeyTraining,
)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.get_current_timezone())


def held_training(
    certification, day: date, region: str, status=TurnkeyTraining.Status.HELD, sessions: int = 1
):
    return TrainingFactory(
        certification=certification,
        region=region,
        status=status,
        sessions=sessions,
        sessions__starts_at=at(day),
    )


def present(training, **kwargs) -> Registration:
    registration = RegistrationFactory(training=training, **kwargs)
    SessionAttendance.objects.create(session=training.sessions.first(), registration=registration)
    return registration


def survey(training, *numbers: int) -> None:
    if not Instrument.objects.filter(key="turnkey-post").exists():  # flushed by a transactional test
        create_defaults(Instrument, Question)
    instrument = Instrument.objects.get(key="turnkey-post", version=1)
    response = Response.objects.create(
        instrument=instrument,
        content_type=ContentType.objects.get_for_model(TurnkeyTraining),
        object_id=training.pk,
    )
    # The numbers answer the instrument's Likert questions in turn.
    for number, question in zip(
        numbers, instrument.questions.filter(kind=Question.Kind.LIKERT), strict=False
    ):
        Answer.objects.create(response=response, question=question, number=number)


def impact_world() -> dict:
    """Three certified trainers at two agencies, three held trainings, five educators reached.

    T1 and T2 (agency Alder, Capital) hold the M1 institute's certification, T3 (agency Birch,
    Sierra) the M2 one's; T1 and T3 fulfilled their commitment; T4's certification was revoked.
    Trainings: TR1 (T1, Q1 2026, Capital), TR2 (T1, Q2 2026, Capital), TR3 (T3, Q2 2026, North
    Coast), all held; TR4 cancelled, TR5 published (not held). Educators present at a held
    training: e1 (at TR1 and TR2), e2, e5 (both of "Riverside Adult School"), e6, e7.
    """
    alder = AgencyFactory(name="Alder Adult School", region="Capital")
    birch = AgencyFactory(name="Birch College", region="Sierra")
    m1, m2 = ModuleFactory(title="Math Strategies"), ModuleFactory(title="Reading Routines")
    i1 = InstituteFactory(module=m1, title="Math Strategies ToT 2025")
    i2 = InstituteFactory(module=m2, title="Reading Routines ToT 2026")

    def certify(name, agency, institute, issued_on, **kwargs):
        return CertificationFactory(
            participant=UserFactory(name=name, agency=agency),
            module=institute.module,
            institute=institute,
            issued_on=issued_on,
            **kwargs,
        )

    c1 = certify("Tina One", alder, i1, date(2025, 12, 1))
    c2 = certify("Toby Two", alder, i1, date(2026, 2, 1))
    c3 = certify("Tara Three", birch, i2, date(2026, 3, 1))
    certify("Theo Revoked", birch, i2, date(2026, 3, 1), status=Certification.Status.REVOKED)
    ReportFactory(
        trainer=c1.participant,
        module=m1,
        starts_on=date(2026, 1, 15),
        status=FacilitationReport.Status.VERIFIED,
    )
    ReportFactory(
        trainer=c3.participant,
        module=m2,
        starts_on=date(2026, 4, 20),
        status=FacilitationReport.Status.VERIFIED,
    )

    tr1 = held_training(c1, date(2026, 1, 15), "Capital", sessions=2)
    tr2 = held_training(c1, date(2026, 4, 10), "Capital")
    tr3 = held_training(c3, date(2026, 4, 20), "North Coast")
    tr4 = held_training(c2, date(2026, 5, 5), "Capital", status=TurnkeyTraining.Status.CANCELLED)
    tr5 = held_training(c2, date(2026, 6, 5), "Capital", status=TurnkeyTraining.Status.PUBLISHED)

    present(tr1, name="Eve One", email="e1@example.org", agency=alder, other_agency="")
    present(tr1, name="Eli Two", email="e2@example.org", other_agency="Riverside Adult School")
    RegistrationFactory(training=tr1, name="Absent Abe", email="e3@example.org")  # never present
    present(
        tr1,
        name="Cancelled Cal",
        email="e4@example.org",
        status=Registration.Status.CANCELLED,
        cancelled_at=timezone.now(),
    )
    present(tr2, name="Eve One", email="E1@example.org", agency=alder, other_agency="")
    present(tr2, name="Emma Five", email="e5@example.org", other_agency=" riverside adult SCHOOL ")
    present(tr3, name="Ed Six", email="e6@example.org", agency=birch, other_agency="")
    present(tr3, name="Eda Seven", email="e7@example.org", agency=alder, other_agency="")
    present(tr4, name="Not Held Nora", email="e8@example.org")
    present(tr5, name="Not Yet Ned", email="e9@example.org")

    survey(tr1, 4, 5)
    survey(tr1, 3)
    survey(tr3, 2)
    survey(tr4, 1, 1)  # about a cancelled training: not counted
    return {"m1": m1, "m2": m2, "i1": i1, "i2": i2, "alder": alder, "birch": birch, "tr1": tr1, "c1": c1}
