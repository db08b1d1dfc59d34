"""The trainers' part of the demo world: rates, the certified cohort of the completed institute,
and the turnkey trainings they planned, held and cancelled, with registrants, attendance, survey
answers, reports, an honorarium request and a public award.

The story runs in time from "today": the institute's last session, the certifications a week
later, trainings held some weeks ago (registrations before their sessions, attendance on the day,
the report and the survey answers after), trainings open for registration in the coming weeks.
Steps the services take are taken through them; steps they refuse in the past (registering for a
training that has begun, answering a survey without its e-mailed link) are written directly with
their date, and said so in the history. Every part looks up before it creates, so running it
twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from institutes import services as institute_services
from institutes.models import Institute, Module
from portal import states
from portal.credentials import keys
from portal.demo import CERTIFIED_EMAILS
from portal.models import Agency, AuditEntry, User
from portal.surveys.demo import past_responses
from portal.surveys.models import Quote, SurveyError
from portal.surveys.services import latest_instrument, review_quote
from trainers import attendance, mentoring, planning, recognitions, registration, services, training_requests
from trainers.models import (
    CHECKLIST,
    Certification,
    FacilitationReport,
    HonorariumRate,
    MentorOffer,
    Mentorship,
    Registration,
    RequestOffer,
    TrainerProfile,
    TrainingRequest,
    TurnkeyTraining,
)
from trainers.models.certification import add_months
from trainers.planning import Schedule

DEMO_MODULE = "Effective Teaching for Adult Educators"
RATE_FROM = date(2024, 7, 1)
# Days from the institute's last session to the certificates (the coordinator's review).
CERTIFIED_AFTER = 7
DEMO_VALID_MONTHS = 24

FIRST_NAMES = [
    "Maria", "James", "Linh", "Roberto", "Aisha", "Kevin", "Sofia", "Daniel", "Mei", "Carlos",
    "Fatima", "Tyler", "Guadalupe", "Nathan", "Priya", "Oscar", "Hannah", "Jorge", "Yesenia", "Samuel",
    "Leticia", "Brian", "Nadia", "Hector",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Nguyen", "Johnson", "Hernandez", "Patel", "Lee", "Martinez", "Brown", "Lopez", "Vang",
    "Wilson", "Ramirez", "Khan", "Flores", "Davis", "Tran", "Morales", "Singh", "Castillo", "Young",
    "Ortiz",
]  # fmt: skip
OTHER_AGENCIES = [
    "Elk Grove Literacy Council",
    "St. Anne's Parish ESL Program",
    "Valley Family Learning Center",
    "Harbor Workforce Partners",
    "Casa de la Comunidad",
]
COMMENTS = [
    "The lesson-planning template: I will use it with my evening ESL class next week.",
    "Modelling the think-aloud for the whole group. I finally see how to do it with beginners.",
    "The exit tickets. Quick, and my learners will like them.",
    "",
    "Planning in pairs with a teacher from another agency gave me new ideas.",
    "The checklist for giving clear instructions.",
    "",
    "How to group learners with different levels in one room.",
]
AGENDA = """4:00 Welcome, and what brought you here
4:15 Planning a lesson backwards from what learners will do
5:15 Break
5:30 Try it: plan tomorrow's lesson in pairs
6:30 Share, questions, and your next step
"""
CHANGES = ["More time to practise with the materials.", "", "A longer break in the afternoon.", ""]


@dataclass(frozen=True)
class Plan:
    """A demo training, as its trainer planned it; ``first`` is in days from today."""

    title: str
    first: int
    sessions: int = 1
    capacity: int = 20
    registrants: int = 0
    walk_ins: int = 0
    online: bool = False
    description: str = ""
    audience: str = "ESL and ABE teachers"
    # Once held: whether a coordinator verified the report, and how many answered the survey.
    verified: bool = False
    answers: int = 0
    # Demo educators with accounts who registered too (signed in, so their hours are credited).
    educators: tuple[str, ...] = ()


# --- certifications ------------------------------------------------------------------------


def _module_and_institute() -> tuple[Module, Institute | None]:
    institute = (
        Institute.objects.filter(status=Institute.Status.COMPLETED, kind=Institute.Kind.CERTIFYING)
        .select_related("module")
        .first()
    )
    if institute is not None:
        return institute.module, institute
    module = Module.objects.filter(title=DEMO_MODULE).first() or Module.objects.order_by("title").first()
    if module is None:
        module = Module.objects.create(
            title=DEMO_MODULE, summary="Research-based teaching practice for adult learners."
        )
    return module, None


def _certification_day(institute: Institute | None) -> date:
    """A week after the institute's last session (200 days ago without an institute)."""
    last = institute and institute.sessions.order_by("-date").values_list("date", flat=True).first()
    if last:
        return last + timedelta(days=CERTIFIED_AFTER)
    return timezone.localdate() - timedelta(days=200)


def _certify(user: User, module: Module, institute: Institute | None, issued_on: date, by: User | None):
    existing = Certification.objects.filter(participant=user, module=module).first()
    if existing:
        if existing.issued_on < issued_on:  # a demo database from before the story kept its dates
            existing.issued_on = issued_on
            existing.save(update_fields=["issued_on"])
        return existing
    certification = Certification.objects.create(
        participant=user, module=module, institute=institute, issued_on=issued_on, issued_by=by
    )
    # Seeding a past certificate: written with its date, and said so in the history.
    states.record(
        certification,
        action="status:active",
        by=by,
        to_status=certification.status,
        note="Demo history",
        at=_moment(issued_on, time(10)),
    )
    return certification


def _levelled_series(coordinator: User | None) -> None:
    """Level One's cohort is certified a week after its last session; María, certified, applies to
    Level Two (the series' rule lets her: Level Two requires an active Level One)."""
    level_one = (
        Institute.objects.filter(slug="paraprofessional-ttt-level-one").select_related("module").first()
    )
    level_two = Institute.objects.filter(slug="paraprofessional-ttt-level-two").first()
    if level_one is None or level_two is None:
        return
    issued_on = _certification_day(level_one)
    for application in level_one.applications.accepted().select_related("applicant"):
        _certify(application.applicant, level_one.module, level_one, issued_on, coordinator)
    maria = User.objects.filter(email="maria@twinriversusd.org").first()
    if maria and not level_two.applications.filter(applicant=maria).exists():
        application = institute_services.start_application(institute=level_two, applicant=maria)
        application.statement = (
            "Level One changed how our classroom team works; I want to bring Level Two to my school."
        )
        application.supervisor_name = "Dana Director"
        application.supervisor_email = "director@twinriversusd.org"
        application.commits_to_attend = application.commits_to_present = True
        institute_services.save_draft(application, by=maria)
        institute_services.submit_application(application, by=maria)


def _credentials(module: Module) -> None:
    """The demo module's certification lasts two years, so certificates show their end and a
    coordinator can see renewal; the quick start's key (derived from SECRET_KEY) is on record,
    so the demo trainers' downloaded badges verify and the key document lists it."""
    if module.certification_valid_months is None:
        module.certification_valid_months = DEMO_VALID_MONTHS
        module.save(update_fields=["certification_valid_months"])
    for certification in Certification.objects.filter(module=module, valid_until__isnull=True):
        # Seeding the past: the end the certification got when it was issued.
        certification.valid_until = add_months(
            certification.issued_on, module.certification_valid_months
        ) - timedelta(days=1)
        certification.save(update_fields=["valid_until"])
    keys.remember(keys.current())


# --- dates ---------------------------------------------------------------------------------


def _moment(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _backdate(obj, action: str, at: datetime) -> None:
    """A service stamps its history with the present; the story's past step gets its own day."""
    AuditEntry.objects.about(obj).filter(action=action).update(at=at)


# --- trainings -----------------------------------------------------------------------------


def _plan(trainer: User, certification: Certification, plan: Plan) -> TurnkeyTraining:
    agency = trainer.agency
    day = timezone.localdate() + timedelta(days=plan.first)
    training = planning.plan_training(
        trainer,
        certification=certification,
        schedule=Schedule(
            day,
            time(16),
            time(19),
            TurnkeyTraining.Repeat.WEEKLY if plan.sessions > 1 else TurnkeyTraining.Repeat.ONCE,
            plan.sessions,
        ),
        title=plan.title,
        description=plan.description
        or f"{certification.module}: practical strategies to try with your learners the next day.",
        audience=plan.audience,
        host_kind=FacilitationReport.HostKind.OWN_AGENCY,
        host_agency=agency,
        region=agency.region if agency else "",
        format=TurnkeyTraining.Format.ONLINE if plan.online else TurnkeyTraining.Format.IN_PERSON,
        venue="" if plan.online or not agency else agency.name,
        address="" if plan.online else "Room 12",
        online_link="https://meet.example.org/effective-teaching" if plan.online else "",
        capacity=plan.capacity,
        agenda=AGENDA,
    )
    planned = min(training.starts_at - timedelta(days=40), timezone.now())
    TurnkeyTraining.objects.filter(pk=training.pk).update(created_at=planned)
    _backdate(training, "status:draft", planned)
    return training


def _publish(training: TurnkeyTraining, trainer: User) -> None:
    planning.publish_training(training, by=trainer)
    published = min(training.starts_at - timedelta(days=35), timezone.now())
    TurnkeyTraining.objects.filter(pk=training.pk).update(published_at=published)
    _backdate(training, "status:published", published)


def _people(offset: int, count: int) -> list[tuple[str, str, Agency | None, str]]:
    """``count`` registrants: (name, e-mail, agency from the registry or None, other agency)."""
    agencies = list(Agency.objects.exclude(email_domains="").order_by("name"))
    people, emails = [], set()
    for i in range(count):
        n = offset + i
        first, last = FIRST_NAMES[(n * 7) % len(FIRST_NAMES)], LAST_NAMES[(n * 5 + n // 21) % len(LAST_NAMES)]
        if i % 4 == 3 or not agencies:
            agency, other, domain = None, OTHER_AGENCIES[n % len(OTHER_AGENCIES)], "example.org"
        else:
            agency, other = agencies[(n * 3) % len(agencies)], ""
            domain = agency.domains[0]
        email = f"{first}.{last}@{domain}".lower()
        while email in emails:
            email = email.replace("@", "1@")
        emails.add(email)
        people.append((f"{first} {last}", email, agency, other))
    return people


ROLES = [Registration.Role.TEACHER] * 3 + [Registration.Role.SUPPORT, Registration.Role.PARAPROFESSIONAL]


def _register_past(training: TurnkeyTraining, offset: int, count: int) -> list[Registration]:
    """Registrations made before the training began: written with their dates (the service
    takes none once the first session has started)."""
    made = []
    for i, (name, email, agency, other) in enumerate(_people(offset, count)):
        at = training.starts_at - timedelta(days=30 - i, hours=i)
        row = Registration.objects.create(
            training=training,
            name=name,
            email=email,
            agency=agency,
            other_agency=other,
            role=ROLES[i % len(ROLES)],
            created_at=at,
        )
        states.record(
            row,
            action="status:registered",
            by=None,
            actor_label=f"{name} (registration form)",
            to_status=row.status,
            note="Demo history",
            at=at,
        )
        made.append(row)
    return made


def _register_educators(training: TurnkeyTraining, emails: tuple[str, ...], start: int) -> list[Registration]:
    """Demo educators who registered while signed in: their attendance credits their hours."""
    made = []
    for i, user in enumerate(
        User.objects.filter(email__in=emails).select_related("agency").order_by("email")
    ):
        at = training.starts_at - timedelta(days=20 - i)
        row = Registration.objects.create(
            training=training,
            name=user.display_name,
            email=user.email,
            agency=user.agency,
            other_agency="" if user.agency else "Demo adult school",
            role=ROLES[(start + i) % len(ROLES)],
            person=user,
            created_at=at,
        )
        states.record(
            row, action="status:registered", by=user, to_status=row.status, note="Demo history", at=at
        )
        made.append(row)
    return made


def _register(training: TurnkeyTraining, offset: int, count: int) -> None:
    for i, (name, email, agency, other) in enumerate(_people(offset, count)):
        registration.register(
            training, name=name, email=email, role=ROLES[i % len(ROLES)], agency=agency, other_agency=other
        )


def _hold(training: TurnkeyTraining, trainer: User, plan: Plan, offset: int) -> None:
    """Registrants, attendance on the day (most came; a few missed a session), walk-ins, held."""
    for key, _ in CHECKLIST:
        planning.set_checklist_item(training, key, done=True, by=trainer)
        _backdate(training, f"checklist:{key}", training.starts_at - timedelta(days=2))
    registrants = _register_past(training, offset, plan.registrants)
    registrants += _register_educators(training, plan.educators, start=len(registrants))
    sessions = list(training.sessions.all())
    for j, session in enumerate(sessions):
        for i, row in enumerate(registrants):
            if i % 8 != 7 and (i + j) % 6 != 5:
                attendance.mark_present(session, row, by=trainer)
    for k, (name, email, agency, other) in enumerate(_people(offset + plan.registrants, plan.walk_ins)):
        newcomer = attendance.Newcomer(name, email, Registration.Role.TEACHER, agency, other)
        walk_in = attendance.add_walk_in(training, newcomer, by=trainer, session=sessions[0])
        Registration.objects.filter(pk=walk_in.pk).update(
            created_at=sessions[0].starts_at + timedelta(minutes=k)
        )
        _backdate(walk_in, "status:registered", sessions[0].starts_at)
    for session in sessions:
        session.attendance.update(marked_at=session.starts_at + timedelta(minutes=20))
    attendance.mark_held(training, by=trainer, now=sessions[-1].ends_at)
    _backdate(training, "status:held", sessions[-1].ends_at)


def _report(training: TurnkeyTraining, trainer: User, coordinator: User | None, verify: bool) -> None:
    """The report prefilled from the training, filed three days after; verified three days later."""
    initial = attendance.report_initial(training)
    co_facilitators = list(User.objects.filter(pk__in=initial.pop("co_facilitators")))
    report = FacilitationReport(
        trainer=trainer,
        module_id=initial.pop("module"),
        host_agency_id=initial.pop("host_agency"),
        reflection="Teachers were keen to try the strategies; next time I will leave more time for practice.",
        **initial,
    )
    attendance.submit_training_report(training, report, by=trainer, co_facilitators=co_facilitators)
    submitted = training.ends_at + timedelta(days=3)
    FacilitationReport.objects.filter(pk=report.pk).update(submitted_at=submitted)
    _backdate(report, "status:submitted", submitted)
    if verify and coordinator:
        services.verify_report(
            report, by=coordinator, comment=f"Thank you, {trainer.name.split()[0]}: a clear report."
        )
        reviewed = submitted + timedelta(days=3)
        FacilitationReport.objects.filter(pk=report.pk).update(reviewed_at=reviewed)
        _backdate(report, "status:verified", reviewed)
        report.refresh_from_db()
        services.request_honorarium(report, by=trainer)


def _answers(training: TurnkeyTraining, count: int, coordinator: User | None) -> None:
    """Post-training survey answers the day after; two participants let us quote them, and a
    coordinator approved the first for the module's page."""
    try:
        instrument = latest_instrument(attendance.POST_SURVEY)
    except SurveyError:  # the surveys' part of the demo was not seeded
        return
    day = timezone.localtime(training.ends_at).date() + timedelta(days=1)
    responses = past_responses(
        instrument,
        training,
        count=count,
        submitted_at=_moment(day, time()),
        comments=COMMENTS,
        changes=CHANGES,
    )
    quoted = [(response, text) for response, text in responses if text][:2]
    for n, (response, text) in enumerate(quoted):
        quote = Quote.objects.create(response=response, text=text, subject=training)
        if n == 0 and coordinator:
            review_quote(quote, approve=True, by=coordinator)


def _trainings(trainer: User, certification: Certification, plans: dict, offset: int) -> dict:
    """The trainer's trainings by state, planned unless the trainer has some already."""
    if TurnkeyTraining.objects.filter(trainer=trainer).exists():
        return {}
    made = {}
    for state, plan in plans.items():
        training = _plan(trainer, certification, plan)
        made[state] = training
        if state == TurnkeyTraining.Status.DRAFT:
            continue
        _publish(training, trainer)
        if state == TurnkeyTraining.Status.HELD:
            _hold(training, trainer, plan, offset)
        elif plan.registrants:
            _register(training, offset + 40, plan.registrants)
        if state == TurnkeyTraining.Status.CANCELLED:
            planning.cancel_training(
                training,
                by=trainer,
                reason="The site is closed for repairs that week; I will plan a new date in the spring.",
            )
    return made


def _story(trainer: User, certification: Certification, coordinator, *, offset: int, **plans) -> dict:
    """The trainer's trainings by state; once held, its report and what participants said."""
    made = _trainings(trainer, certification, plans, offset)
    held = made.get(TurnkeyTraining.Status.HELD)
    if held is not None:
        plan = plans[TurnkeyTraining.Status.HELD]
        _report(held, trainer, coordinator, plan.verified)
        if plan.answers:
            _answers(held, plan.answers, coordinator)
    return made


# --- requests from agencies ----------------------------------------------------------------


def _stamp(obj, since: datetime, at: datetime) -> None:
    """Give the audit entries a service just wrote about ``obj`` the story's day."""
    AuditEntry.objects.about(obj).filter(at__gte=since).update(at=at)


def _ago(days: int, hour: int = 10) -> datetime:
    return _moment(timezone.localdate() - timedelta(days=days), time(hour))


def _asked(req: TrainingRequest, since: datetime, days_ago: int) -> TrainingRequest:
    at = _ago(days_ago)
    TrainingRequest.objects.filter(pk=req.pk).update(created_at=at, waiting_since=at)
    _stamp(req, since, at)
    req.refresh_from_db()
    return req


def _requests(module: Module, coordinator: User | None, people: dict[str, User]) -> None:
    """Open and matched requests, in time: Ana's matched (Grace declined, Tomás accepted), Ben's
    offered to Tomás and waiting for his answer, Marisol's flagged by the scan after two weeks
    unanswered, Chloé's offer to host a CoP with a coordinator's follow-up note."""
    ana, ben, chloe = (
        User.objects.filter(email=e).first()
        for e in ("ana@scusd.edu", "ben@scusd.edu", "chloe@fresnounified.org")
    )
    tomas, grace = people.get("trainer@egusd.net"), people.get("trainer2@lbschools.net")
    marisol = people.get("mfernandez@ousd.org")
    if (
        None in (coordinator, ana, ben, chloe, tomas, grace)
        or TrainingRequest.objects.filter(requester=ana).exists()
    ):
        return
    today = timezone.localdate()
    at_nine, at_noon, at_four, at_seven = time(9), time(12), time(16), time(19)

    # Ana (Sacramento) asks 25 days ago; Grace (Long Beach) declines, Tomás (Elk Grove) accepts.
    since = timezone.now()
    req = training_requests.request_training(
        ana,
        module=module,
        when=training_requests.Dates(days=(today + timedelta(days=24),), starts=at_four, ends=at_seven),
        format=TrainingRequest.Format.IN_PERSON,
        place="Charles A. Jones Career and Education Center, room 114",
        audience="Evening ESL teachers",
        expected_size=16,
        notes="Most of our teachers come straight from a day job: an evening works best.",
    )
    req = _asked(req, since, 25)
    since = timezone.now()
    offer = training_requests.offer_request(req, grace, by=coordinator)
    _stamp(req, since, _ago(23))
    _stamp(offer, since, _ago(23))
    RequestOffer.objects.filter(pk=offer.pk).update(created_at=_ago(23))
    since = timezone.now()
    training_requests.decline_offer(
        offer,
        by=grace,
        reason="Sacramento is a long way from Long Beach on a weeknight; someone nearer would be better.",
    )
    _stamp(req, since, _ago(22))
    _stamp(offer, since, _ago(22))
    RequestOffer.objects.filter(pk=offer.pk).update(answered_at=_ago(22))
    since = timezone.now()
    offer = training_requests.offer_request(
        req, tomas, by=coordinator, message="Elk Grove is next door to Ana's school."
    )
    _stamp(req, since, _ago(21))
    _stamp(offer, since, _ago(21))
    since = timezone.now()
    training = training_requests.accept_offer(offer, by=tomas)
    _stamp(req, since, _ago(19))
    _stamp(offer, since, _ago(19))
    _stamp(training, since, _ago(19))
    RequestOffer.objects.filter(pk=offer.pk).update(created_at=_ago(21), answered_at=_ago(19))
    TurnkeyTraining.objects.filter(pk=training.pk).update(created_at=_ago(19))

    # Ben (Sacramento) asks 4 days ago, online, with a window in which the trainer picks the day.
    since = timezone.now()
    req = training_requests.request_training(
        ben,
        module=module,
        when=training_requests.Dates(
            window_start=today + timedelta(days=45),
            window_end=today + timedelta(days=75),
            starts=at_nine,
            ends=at_noon,
        ),
        format=TrainingRequest.Format.ONLINE,
        audience="New instructional aides",
        expected_size=10,
    )
    req = _asked(req, since, 4)
    # A coordinator offered it to Tomás yesterday: waiting for his answer.
    since = timezone.now()
    offer = training_requests.offer_request(req, tomas, by=coordinator)
    TrainingRequest.objects.filter(pk=req.pk).update(waiting_since=_ago(1))
    RequestOffer.objects.filter(pk=offer.pk).update(created_at=_ago(1))
    _stamp(req, since, _ago(1))
    _stamp(offer, since, _ago(1))

    # Marisol (Oakland) asked 20 days ago; nobody offered it, and the daily scan flagged it 6 days ago.
    if marisol is not None and marisol.agency_id:
        since = timezone.now()
        req = training_requests.request_training(
            marisol,
            module=module,
            when=training_requests.Dates(
                days=(today + timedelta(days=33), today + timedelta(days=40)), starts=at_nine, ends=at_noon
            ),
            format=TrainingRequest.Format.IN_PERSON,
            place="Oakland Adult and Career Education, Room 3",
            audience="ESL teachers new to the program",
            expected_size=20,
        )
        req = _asked(req, since, 20)
        since = timezone.now()
        training_requests.flag(req, now=_ago(6, hour=7))
        _stamp(req, since, _ago(6, hour=7))

    # Chloé (Fresno) offers to host a regional CoP, 9 days ago: a coordinator noted a follow-up.
    since = timezone.now()
    req = training_requests.offer_to_host(
        chloe,
        region=chloe.agency.region if chloe.agency else "",
        offer="Our adult school library on Thursday afternoons, and I would gladly be the contact person.",
    )
    req = _asked(req, since, 9)
    since = timezone.now()
    training_requests.note_follow_up(
        req, by=coordinator, note="Call Chloé after the winter break about dates."
    )
    _stamp(req, since, _ago(8))


# --- the demo world ------------------------------------------------------------------------


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
    people = {user.email: user for user in User.objects.filter(email__in=CERTIFIED_EMAILS)}
    tomas, grace = people.get("trainer@egusd.net"), people.get("trainer2@lbschools.net")
    if tomas is None or grace is None:
        if stdout:
            stdout.write("Trainers: the demo trainers are missing; run the portal seed first.")
        return
    issued_on = _certification_day(institute)
    certifications = {
        email: _certify(user, module, institute, issued_on, coordinator) for email, user in people.items()
    }
    bios = {
        tomas.email: "Teacher on special assignment; I love helping new ESL teachers plan lessons.",
        grace.email: "ESL lead teacher in Long Beach, happy to facilitate in Southern California.",
    }
    for email, user in people.items():
        # The demo trainers show their address; the cohort is listed with a short line only.
        bio = bios.get(email) or f"{user.position}, glad to bring the module to agencies near me."
        TrainerProfile.objects.get_or_create(
            user=user, defaults={"listed": True, "show_email": email in bios, "bio": bio}
        )

    Status = TurnkeyTraining.Status
    made = _story(
        tomas,
        certifications[tomas.email],
        coordinator,
        offset=0,
        **{
            Status.HELD: Plan(
                "Effective Teaching in Elk Grove",
                first=-70,
                sessions=3,
                capacity=24,
                registrants=18,
                walk_ins=2,
                verified=True,
                answers=8,
                educators=("ana@scusd.edu", "chloe@fresnounified.org"),
            ),
            Status.PUBLISHED: Plan(
                "Effective Teaching online: planning lessons that stick",
                first=18,
                capacity=12,
                registrants=14,
                online=True,
            ),
            Status.DRAFT: Plan("Effective Teaching for support staff", first=60, audience="Support staff"),
            Status.CANCELLED: Plan("Effective Teaching at Laguna Creek", first=10, registrants=4),
        },
    )
    if Status.PUBLISHED in made:
        invitation = planning.invite_co_facilitator(made[Status.PUBLISHED], grace, by=tomas)
        planning.answer_co_facilitation(invitation, by=grace, accept=True)
    _story(
        grace,
        certifications[grace.email],
        coordinator,
        offset=60,
        **{
            Status.HELD: Plan(
                "Effective Teaching in Long Beach",
                first=-40,
                sessions=2,
                registrants=14,
                walk_ins=1,
                answers=6,
            ),
            Status.PUBLISHED: Plan(
                "Effective Teaching for new ESL teachers", first=30, capacity=30, registrants=6
            ),
            Status.DRAFT: Plan("Effective Teaching: a summer refresher", first=120),
            Status.CANCELLED: Plan("Effective Teaching at Harbor Center", first=7, registrants=3),
        },
    )
    for n, email in enumerate(CERTIFIED_EMAILS[2:-1]):  # the cohort; the last has not trained yet
        user = people.get(email)
        if user is not None:
            town = user.agency.name if user.agency else "my agency"
            _story(
                user,
                certifications[email],
                coordinator,
                offset=100 + 12 * n,
                **{
                    Status.HELD: Plan(
                        f"Effective Teaching at {town}", first=-90 + 12 * n, registrants=7 + n, verified=True
                    )
                },
            )
    if coordinator and not grace.recognitions.exists():
        award = recognitions.record_recognition(
            grace,
            by=coordinator,
            kind="award",
            title="Long Beach Adult Educator of the Year",
            text="For bringing Effective Teaching to every ESL teacher at her school.",
            awarded_on=timezone.localdate() - timedelta(days=14),
        )
        recognitions.set_recognition_public(award, True, by=coordinator)
    if coordinator:
        _mentoring(tomas, module, coordinator)
    _requests(module, coordinator, people)
    _credentials(module)
    _levelled_series(coordinator)
    if stdout:
        stdout.write(
            f"Trainers: {len(people)} certified in {module}, "
            f"{TurnkeyTraining.objects.count()} turnkey trainings, "
            f"{Registration.objects.count()} registrations, "
            f"{TrainingRequest.objects.count()} requests from agencies."
        )


# --- mentoring -------------------------------------------------------------------------------
# Tomás offered to mentor the module's next cohort when it was announced; the coordinator paired
# him with Ana and Ben from Sacramento a month ago. He met each of them, and scored Ana's practice
# facilitations: on her second one the coordinators' and mentors' means reach 3 everywhere, so she
# has passed; Ben has not yet.


def _mentoring(tomas: User, module: Module, coordinator: User) -> None:
    from institutes.demo import NEXT_COHORT, score_on
    from institutes.models import PracticeFeedback

    fall = Institute.objects.filter(slug=NEXT_COHORT).first()
    if fall is None:
        return
    today = timezone.localdate()
    region = tomas.agency.region if tomas.agency else ""
    offer = MentorOffer.objects.filter(trainer=tomas, module=module).first() or mentoring.offer_to_mentor(
        tomas,
        module=module,
        region=region,
        capacity=3,
        note="Weekday afternoons; happy to meet online or in Sacramento.",
    )
    paired_on = _moment(today - timedelta(days=30), time(10))
    MentorOffer.objects.filter(pk=offer.pk).update(created_at=paired_on - timedelta(days=10))
    applications = {
        a.applicant.email: a
        for a in fall.applications.accepted()
        .select_related("applicant")
        .filter(applicant__email__in=["ana@scusd.edu", "ben@scusd.edu"])
    }
    notes = {
        "ana@scusd.edu": [
            (
                28,
                "Met over coffee in Sacramento: what Ana wants to practise (timing) and when she presents next.",
            ),
            (
                12,
                "Went through the coordinator's feedback on timing; Ana will time each part of her next try.",
            ),
        ],
        "ben@scusd.edu": [(27, "Online: Ben's plan for the lesson-planning session, and how to open it.")],
    }
    for email, application in applications.items():
        pairing = Mentorship.objects.active().filter(application=application).first()
        if pairing is None:
            pairing = mentoring.pair(offer, application, by=coordinator)
            Mentorship.objects.filter(pk=pairing.pk).update(created_at=paired_on, updated_at=paired_on)
            _backdate(application, "mentor:paired", paired_on)
        for days_ago, text in notes[email]:
            if not pairing.meetings.filter(notes=text).exists():
                mentoring.log_meeting(pairing, met_on=today - timedelta(days=days_ago), notes=text, by=tomas)
    ana = applications.get("ana@scusd.edu")
    if ana is None:
        return
    first, second = list(ana.practice_facilitations.order_by("given_on"))[:2]
    score_on(
        first,
        first.given_on + timedelta(days=1),
        scorer=tomas,
        role=PracticeFeedback.Role.MENTOR,
        levels=[3, 4, 3],
        comments="Your questions had everyone talking. Timing is the one thing to work on: we will plan it together.",
    )
    score_on(
        second,
        second.given_on,
        scorer=tomas,
        role=PracticeFeedback.Role.MENTOR,
        levels=[3, 4, 3],
        comments="You timed every part and still let the talk run where it mattered. Ready to turn the key.",
    )
    ben = applications.get("ben@scusd.edu")
    if ben is not None:
        score_on(
            second,
            second.given_on,
            scorer=ben.applicant,
            role=PracticeFeedback.Role.PEER,
            levels=[4, 3, 3],
            comments="The think-pair-share worked: I will try it with my staff.",
        )
