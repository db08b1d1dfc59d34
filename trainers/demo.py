"""The trainers' part of the demo world: rates, two certified trainers, a verified report and an
honorarium request. Every step looks up before it creates, so running it twice changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from institutes.models import Institute, Module
from portal import states
from portal.models import User
from trainers import services
from trainers.models import Certification, FacilitationReport, HonorariumRate, TrainerProfile

DEMO_MODULE = "Effective Teaching for Adult Educators"
RATE_FROM = date(2024, 7, 1)


def _module_and_institute() -> tuple[Module, Institute | None]:
    institute = Institute.objects.filter(status=Institute.Status.COMPLETED).select_related("module").first()
    if institute is not None:
        return institute.module, institute
    module = Module.objects.filter(title=DEMO_MODULE).first() or Module.objects.order_by("title").first()
    if module is None:
        module = Module.objects.create(
            title=DEMO_MODULE, summary="Research-based teaching practice for adult learners."
        )
    return module, None


def _certify(
    user: User, module: Module, institute: Institute | None, days_ago: int, by: User | None
) -> Certification:
    existing = Certification.objects.filter(participant=user, module=module).first()
    if existing:
        return existing
    certification = Certification.objects.create(
        participant=user,
        module=module,
        institute=institute,
        issued_on=timezone.localdate() - timedelta(days=days_ago),
        issued_by=by,
    )
    states.record(
        certification, action="status:active", by=by, to_status=certification.status, note="Demo data"
    )
    return certification


def seed(stdout=None) -> None:
    for module in Module.objects.all():
        HonorariumRate.objects.get_or_create(
            module=module,
            effective_from=RATE_FROM,
            defaults={"basis": HonorariumRate.Basis.PER_TRAINING, "amount": Decimal("300.00")},
        )
    module, institute = _module_and_institute()
    HonorariumRate.objects.get_or_create(
        module=module,
        effective_from=RATE_FROM,
        defaults={"basis": HonorariumRate.Basis.PER_TRAINING, "amount": Decimal("300.00")},
    )
    coordinator = User.objects.filter(email="coordinator@tot.example.org").first()
    tomas = User.objects.filter(email="trainer@egusd.net").first()
    grace = User.objects.filter(email="trainer2@lbschools.net").first()
    if tomas is None or grace is None:
        if stdout:
            stdout.write("Trainers: the demo trainers are missing; run the portal seed first.")
        return
    _certify(tomas, module, institute, days_ago=200, by=coordinator)
    _certify(grace, module, institute, days_ago=320, by=coordinator)
    for user, bio in [
        (tomas, "Teacher on special assignment; I love helping new ESL teachers plan lessons."),
        (grace, "ESL lead teacher in Long Beach, happy to facilitate in Southern California."),
    ]:
        TrainerProfile.objects.get_or_create(
            user=user, defaults={"listed": True, "show_email": True, "bio": bio}
        )

    report = FacilitationReport.objects.filter(trainer=tomas, module=module).first()
    if report is None:
        report = FacilitationReport(
            trainer=tomas,
            module=module,
            starts_on=timezone.localdate() - timedelta(days=30),
            hours=Decimal("3.0"),
            host_kind=FacilitationReport.HostKind.OWN_AGENCY,
            host_agency=tomas.agency,
            audience="ESL and ABE teachers",
            participants_count=18,
            reflection="The group work on lesson planning went well; I would leave more time for questions.",
            status=FacilitationReport.Status.VERIFIED,
            review_comment="Thank you, Tomás: a clear report.",
            reviewed_at=timezone.now(),
            reviewed_by=coordinator,
        )
        report.agenda.save(
            "agenda.txt", ContentFile(b"Agenda\n9:00 Welcome\n9:30 Lesson planning\n"), save=False
        )
        report.sign_in_sheet.save("sign-in.csv", ContentFile(b"name,agency\nAna Torres,SCUSD\n"), save=False)
        report.save()
        # Seeding a reviewed report as it stands, with the history it would have.
        states.record(report, action="status:submitted", by=tomas, to_status="submitted")
        states.record(
            report, action="status:verified", by=coordinator, from_status="submitted", to_status="verified"
        )
    services.request_honorarium(report, by=tomas)
    if stdout:
        stdout.write(f"Trainers: 2 certified in {module}, 1 verified report, 1 honorarium request.")
