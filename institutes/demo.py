"""The institutes' part of the demo world: CALPRO's modules, audiences, a few institutes (the
seed-000 CALPRO ToT, the seed-001 EL Roadmap team ToT, a completed one), sessions, coordinators
and applications in several states. Every step looks up before it creates: running it twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from communities import services as communities
from communities.models import TOPICS, ImplementationPlan, PlanStep, PlanTemplate, PlanTemplateStep
from communities.protocols import ensure_el_roadmap
from communities.services import join_cohort
from institutes import practice, services
from institutes.learning import credit_session
from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Audience,
    Institute,
    InstituteCoordinator,
    Module,
    ModuleFamily,
    PracticeFacilitation,
    PracticeFeedback,
    PracticeResult,
    Rubric,
    Session,
    Team,
)
from institutes.surveys import END_SURVEY, SESSION_SURVEY
from portal import states
from portal.demo import CERTIFIED_EMAILS
from portal.models import Agency, AuditEntry, User
from portal.surveys.demo import past_responses
from portal.surveys.models import Quote, Response, SurveyError
from portal.surveys.services import latest_instrument, review_quote

# Seed 002: CALPRO's regional CoP topics are also the modules trainers are certified in.
MODULES = TOPICS
EL_ROADMAP_MODULE = "Empowering Local Implementation of the English Learner Roadmap"

AUDIENCES = [
    "Administrators",
    "All teacher types",
    "Support Staff",
    "Paraprofessionals",
    "County Office Teams",
    "District Office Teams",
    "Charter System Teams",
]

CALPRO_DESCRIPTION = (
    "CALPRO's Training-of-Trainers Institute develops a group of certified trainers to facilitate "
    "presentations of CALPRO professional learning modules, and builds professional development "
    "capacity and leadership in California adult education.\n\n"
    "Participants meet each other and begin learning together online, continue in face-to-face "
    "sessions at the CALPRO office in Sacramento, and can go on supporting each other's efforts to "
    "apply the learning after the sessions end. Trainers receive an honorarium for training conducted."
)
EL_DESCRIPTION = (
    "This session equips county office and district staff with the tools to engage site leaders "
    "across their districts in local planning to implement the English Learner Roadmap: building "
    "shared meaning of the four Principles, assessing current practices through their lens, and "
    "setting local priorities.\n\n"
    "It is not a presentation to replicate. It is a guided sharing of planning steps, protocols and "
    "supports that each county and district can use in its own way with local LEA teams."
)


def _module(title: str) -> Module:
    return Module.objects.filter(title=title).first() or Module.objects.create(title=title, hours=16)


def _audience(name: str) -> Audience:
    return Audience.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]


# The way an institute's status goes, one service per step (Institute.ALLOWED_MOVES).
STATUS_PATH = [
    Institute.Status.OPEN,
    Institute.Status.CLOSED,
    Institute.Status.RUNNING,
    Institute.Status.COMPLETED,
]


def _institute(slug: str, *, status: str = Institute.Status.DRAFT, **fields) -> Institute:
    """A demo institute, created as a draft and walked to ``status`` through the services."""
    institute = Institute.objects.filter(slug=slug).first()
    if institute is None:
        audiences = fields.pop("audiences", [])
        sessions = fields.pop("sessions", [])
        institute = Institute.objects.create(slug=slug, **fields)
        institute.audiences.set([_audience(a) for a in audiences])
        for title, day, start, end, place, *follow_up in sessions:
            Session.objects.create(
                institute=institute,
                title=title,
                date=day,
                starts_at=start,
                ends_at=end,
                place=place,
                follow_up=bool(follow_up and follow_up[0]),
            )
        steps = STATUS_PATH[: STATUS_PATH.index(status) + 1] if status in STATUS_PATH else []
        for step in steps:
            services.INSTITUTE_MOVES[step](institute, by=None, note="Demo data")
    return institute


def _coordinate(email: str, institute: Institute) -> None:
    user = User.objects.filter(email=email).first()
    if user:
        InstituteCoordinator.objects.get_or_create(user=user, institute=institute)


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _draft(user: User, institute: Institute, **fields) -> tuple[Application, bool]:
    existing = Application.objects.filter(applicant=user, institute=institute).first()
    if existing:
        return existing, False
    defaults = {
        "agency": user.agency,
        "position": user.position,
        "statement": "I want to bring this module to the teachers at my agency and support them as they use it.",
        "supervisor_name": "Dana Director",
        "supervisor_email": f"director@{user.email.split('@')[1]}",
        "commits_to_attend": True,
        "commits_to_present": True,
    }
    defaults.update(fields)
    return Application.objects.create(applicant=user, institute=institute, **defaults), True


def seed(stdout=None) -> None:
    for title in MODULES:
        _module(title)
    for name in AUDIENCES:
        _audience(name)
    now = timezone.now()
    today = timezone.localdate()
    coordinator = _user("coordinator@tot.example.org")

    start = today + dt.timedelta(days=45)
    calpro = _institute(
        "calpro-tot-institute",
        module=_module("Motivation and Persistence for Adult Learners"),
        title="CALPRO Training-of-Trainers Institute: Motivation and Persistence",
        description=CALPRO_DESCRIPTION,
        status=Institute.Status.OPEN,
        training_type=Institute.TrainingType.INSTITUTE,
        topic="Professional Development",
        accreditation=Institute.Accreditation.CERTIFICATE,
        occurrence=Institute.Occurrence.MULTI,
        duration=Institute.Duration.FEW_WEEKS,
        duration_note="4 weeks",
        location=Institute.Location.HYBRID,
        venue="CALPRO office, Sacramento",
        coaching=False,
        facilitation=Institute.Facilitation.FACILITATED,
        sponsor="CALPRO, for the California Department of Education",
        contact_name="Marcela Movit",
        contact_email="coordinator@tot.example.org",
        prerequisites="Experience teaching or supporting adult learners. Participants complete pre-institute "
        "assignments online before the first session.",
        capacity=24,
        applications_open_at=now - dt.timedelta(days=14),
        applications_close_at=now + dt.timedelta(days=21),
        allowed_agency_kinds=[],
        requires_caep_funding=True,
        audiences=["Administrators", "All teacher types", "Support Staff"],
        sessions=[
            (
                f"Week {n + 1}",
                start + dt.timedelta(days=7 * n),
                dt.time(9),
                dt.time(15, 30),
                "CALPRO office, Sacramento",
            )
            for n in range(4)
        ],
    )
    _coordinate("coordinator@tot.example.org", calpro)

    protocol = ensure_el_roadmap(PlanTemplate, PlanTemplateStep)
    april = dt.date(today.year + (1 if today >= dt.date(today.year, 2, 1) else 0), 4, 8)
    el_roadmap = _institute(
        "el-roadmap-local-planning-tot",
        kind=Institute.Kind.PLANNING,
        plan_template=protocol,
        module=_module(EL_ROADMAP_MODULE),
        title="Empowering Local Implementation: Training of Trainers for the English Learner Roadmap",
        description=EL_DESCRIPTION,
        status=Institute.Status.OPEN,
        training_type=Institute.TrainingType.WORKSHOP,
        topic="English Learners",
        accreditation=Institute.Accreditation.NONE,
        occurrence=Institute.Occurrence.SINGLE,
        duration=Institute.Duration.HALF_DAY,
        duration_note="One morning",
        location=Institute.Location.IN_PERSON,
        venue="Sacramento County Office of Education",
        facilitation=Institute.Facilitation.FACILITATED,
        sponsor="Educator Workforce Investment Grant, California Department of Education and the California "
        "Collaborative for Excellence in Education",
        prerequisites="Ideally, participants already know the EL Roadmap Principles and the resources in the "
        "Administrator Toolkits.",
        capacity=30,
        applications_open_at=now - dt.timedelta(days=7),
        applications_close_at=now + dt.timedelta(days=30),
        allowed_agency_kinds=[
            Agency.Kind.COUNTY_OFFICE,
            Agency.Kind.SCHOOL_DISTRICT,
            Agency.Kind.CHARTER_SYSTEM,
        ],
        requires_caep_funding=False,
        team_required=True,
        min_team_size=2,
        audiences=["County Office Teams", "District Office Teams", "Charter System Teams"],
        sessions=[
            (
                "Local planning",
                april,
                dt.time(8, 30),
                dt.time(12, 30),
                "Sacramento County Office of Education",
            )
        ],
    )
    # A demo database from before program kinds: the EL Roadmap session is a planning network.
    Institute.objects.filter(pk=el_roadmap.pk, kind=Institute.Kind.CERTIFYING).update(
        kind=Institute.Kind.PLANNING, plan_template=protocol
    )
    _coordinate("coordinator2@tot.example.org", el_roadmap)
    network = _planning_network(protocol, now, today)
    _coordinate("coordinator2@tot.example.org", network)
    _team_plan_story(network, now)
    _levelled_series(now, today, coordinator)

    past = today - dt.timedelta(days=240)
    completed = _institute(
        "effective-teaching-tot-2025",
        module=_module("Effective Teaching for Adult Educators"),
        title="Effective Teaching for Adult Educators: Training of Trainers",
        description="A completed institute: its participants are now certified trainers.",
        status=Institute.Status.COMPLETED,
        location=Institute.Location.IN_PERSON,
        duration=Institute.Duration.FEW_DAYS,
        duration_note="3 days",
        capacity=20,
        applications_open_at=now - dt.timedelta(days=330),
        applications_close_at=now - dt.timedelta(days=280),
        audiences=["All teacher types"],
        sessions=[
            (
                f"Day {n + 1}",
                past + dt.timedelta(days=n),
                dt.time(9),
                dt.time(16),
                "CALPRO office, Sacramento",
            )
            for n in range(3)
        ],
    )
    _coordinate("coordinator@tot.example.org", completed)
    if not completed.assignments.exists():
        Assignment.objects.create(
            institute=completed,
            title="Read the module overview",
            instructions="Read the overview and mark this done.",
            due_on=past - dt.timedelta(days=7),
            kind=Assignment.Kind.DONE,
            created_by=coordinator,
        )
    _institute(
        "math-instructional-strategies-online-tot",
        module=_module("Math Instructional Strategies"),
        title="Math Instructional Strategies: Online Training of Trainers",
        description="Six online sessions for teachers who want to lead math professional learning in their region.",
        status=Institute.Status.OPEN,
        topic="Mathematics",
        location=Institute.Location.ONLINE,
        duration=Institute.Duration.LONGER,
        duration_note="6 weeks",
        coaching=True,
        capacity=2,
        applications_open_at=now - dt.timedelta(days=14),
        applications_close_at=now + dt.timedelta(days=40),
        audiences=["All teacher types"],
        sessions=[
            (f"Session {n + 1}", start + dt.timedelta(days=7 * n), dt.time(15, 30), dt.time(17), "")
            for n in range(6)
        ],
    )
    math = Institute.objects.get(slug="math-instructional-strategies-online-tot")
    _coordinate("coordinator@tot.example.org", math)
    if coordinator:
        _seat_offer(math, coordinator, now)

    # Certified trainers of the completed institute (the trainers app certifies them).
    for email in CERTIFIED_EMAILS:
        user = _user(email)
        if user is None:
            continue
        application, created = _draft(user, completed)
        if created:
            # Seeding a past decision, with its date: written directly, and said so in the history.
            Application.objects.filter(pk=application.pk).update(
                status=Application.Status.ACCEPTED,
                submitted_at=now - dt.timedelta(days=300),
                decided_at=now - dt.timedelta(days=270),
                is_eligible=True,
                endorsement=Application.Endorsement.ENDORSED,
            )
            states.record(
                application,
                action="status:accepted",
                by=coordinator,
                from_status="submitted",
                to_status="accepted",
                note="Demo history",
                at=now - dt.timedelta(days=270),
            )
            for session in completed.sessions.all():
                Attendance.objects.get_or_create(
                    session=session, application=application, defaults={"status": Attendance.Status.PRESENT}
                )
            for assignment in completed.assignments.all():
                AssignmentSubmission.objects.get_or_create(
                    assignment=assignment,
                    application=application,
                    defaults={"state": AssignmentSubmission.State.ACCEPTED, "reviewed_by": coordinator},
                )

    # The cohort's attended sessions credit their professional-learning hours (idempotent).
    for session in completed.sessions.all():
        credit_session(session)

    # Applications in several states for the CALPRO institute.
    chloe, ana, ben = _user("chloe@fresnounified.org"), _user("ana@scusd.edu"), _user("ben@scusd.edu")
    if chloe and coordinator:
        application, created = _draft(chloe, calpro)
        if created:
            services.submit_application(application, by=chloe)
            application.refresh_from_db()
            if application.endorsement == Application.Endorsement.REQUESTED:
                services.record_endorsement(application, endorsed=True, comment="Glad to support Chloé.")
            services.accept_application(application, by=coordinator, note="Welcome to the institute!")
    if ana:
        application, created = _draft(ana, calpro)
        if created:
            services.submit_application(application, by=ana)
    if calpro.assignments.count() == 0:
        Assignment.objects.create(
            institute=calpro,
            title="Introduce yourself online",
            instructions="Write a short introduction: your agency, your learners, and what you hope to practise.",
            due_on=start - dt.timedelta(days=14),
            kind=Assignment.Kind.TEXT,
            created_by=coordinator,
        )
        Assignment.objects.create(
            institute=calpro,
            title="Upload your agency's professional-learning calendar",
            instructions="A PDF or Word file is fine.",
            due_on=start - dt.timedelta(days=7),
            kind=Assignment.Kind.FILE,
            created_by=coordinator,
        )

    # A team from one LEA starting on the EL Roadmap ToT: Ben leads and has invited Ana.
    if ben and ben.agency and ben.agency.is_lea and not el_roadmap.teams.exists():
        team = services.start_team(institute=el_roadmap, lead=ben, agency=ben.agency)
        services.invite_to_team(team, email="ana@scusd.edu", by=ben)
    if coordinator:
        _evaluations(completed, coordinator, now)
        _practice(completed, coordinator, today)
    if stdout:
        stdout.write(f"Institutes: {Institute.objects.count()}, applications: {Application.objects.count()}")


# --- A planning network under way (seeds 001, 004) ---------------------------------------------

NETWORK_TEAM = ["priya@egusd.net", "trainer@egusd.net"]  # the lead first; both from Elk Grove USD


def _planning_network(protocol, now: dt.datetime, today: dt.date) -> Institute:
    """Last spring's EL Roadmap local planning network: teams met ~200 days ago, came back for a
    follow-up three weeks ago, and meet again in the spring."""
    first = today - dt.timedelta(days=200)
    place = "Sacramento County Office of Education"
    return _institute(
        "el-roadmap-local-planning-network-2026",
        kind=Institute.Kind.PLANNING,
        plan_template=protocol,
        module=_module(EL_ROADMAP_MODULE),
        title="EL Roadmap Local Planning Network",
        description="District and county leadership teams plan, step by step, how to implement the English "
        "Learner Roadmap in their LEA, and meet again with the network to review their plans.\n\n"
        "Capacity building, not a presentation to replicate: each team leaves with its own local plan.",
        status=Institute.Status.RUNNING,
        training_type=Institute.TrainingType.WORKSHOP,
        topic="English Learners",
        accreditation=Institute.Accreditation.NONE,
        occurrence=Institute.Occurrence.MULTI,
        duration=Institute.Duration.LONGER,
        duration_note="A year, with follow-ups",
        location=Institute.Location.IN_PERSON,
        venue=place,
        capacity=30,
        applications_open_at=now - dt.timedelta(days=260),
        applications_close_at=now - dt.timedelta(days=215),
        allowed_agency_kinds=[
            Agency.Kind.COUNTY_OFFICE,
            Agency.Kind.SCHOOL_DISTRICT,
            Agency.Kind.CHARTER_SYSTEM,
        ],
        requires_caep_funding=False,
        endorsement_required=False,
        team_required=True,
        min_team_size=2,
        audiences=["County Office Teams", "District Office Teams", "Charter System Teams"],
        sessions=[
            ("Local planning", first, dt.time(8, 30), dt.time(12, 30), place),
            (
                "Follow-up: where each team stands",
                today - dt.timedelta(days=21),
                dt.time(9),
                dt.time(12),
                place,
                True,
            ),
            (
                "Follow-up: spring review",
                today + dt.timedelta(days=150),
                dt.time(9),
                dt.time(12),
                place,
                True,
            ),
        ],
    )


STEP_WORK = [
    # (status, notes, who edits, days ago)
    (
        PlanStep.Status.DONE,
        "2012: first EL master plan. 2017: the Roadmap adopted by the board. 2020: newcomer centers at two "
        "high schools. 2023: designated ELD time in every elementary schedule.",
        "priya@egusd.net",
        196,
    ),
    (
        PlanStep.Status.DONE,
        "Long-term ELs in grades 6-8 (ELPAC level 3 for three years or more); reclassification stalls in "
        "middle school; newcomer attendance dips in spring.",
        "trainer@egusd.net",
        150,
    ),
    (
        PlanStep.Status.IN_PROGRESS,
        "Principle 2 (intellectual quality) and Principle 3 (system conditions) carry most of our issues. "
        "Still to map: the family engagement work under Principle 1.",
        "priya@egusd.net",
        25,
    ),
]


def _when(plan: ImplementationPlan, days_ago: int, now: dt.datetime) -> None:
    """The plan's latest history line gets the story's day (services stamp the present)."""
    entry = AuditEntry.objects.about(plan).order_by("-pk").first()
    if entry is not None:
        AuditEntry.objects.filter(pk=entry.pk).update(at=now - dt.timedelta(days=days_ago))


def _team_plan_story(network: Institute, now: dt.datetime) -> None:
    """An Elk Grove team, accepted last spring: two steps done, the third under way, the journey map
    shared with the network, and the coordinator's note from the follow-up."""
    people = [_user(email) for email in NETWORK_TEAM]
    coordinator2 = _user("coordinator2@tot.example.org")
    if None in people or not people[0].agency or network.teams.exists():
        return
    lead, mate = people
    team = services.start_team(institute=network, lead=lead, agency=lead.agency)
    statements = {
        lead: "Our district leadership team wants a plan every site can own.",
        mate: "I support the ELD teachers at four middle schools.",
    }
    for person in people:
        application, _ = _draft(
            person,
            network,
            team=team,
            statement=statements[person],
            commits_to_present=False,
            local_data="ELPAC results by site, reclassification rates by grade, LTEL counts, attendance.",
        )
        # Seeding a past decision, with its date: written directly, and said so in the history.
        Application.objects.filter(pk=application.pk).update(
            status=Application.Status.ACCEPTED,
            part_completed_at=now - dt.timedelta(days=240),
            submitted_at=now - dt.timedelta(days=240),
            decided_at=now - dt.timedelta(days=220),
            is_eligible=True,
        )
        states.record(
            application,
            action="status:accepted",
            by=coordinator2,
            from_status="submitted",
            to_status="accepted",
            note="Demo history",
            at=now - dt.timedelta(days=220),
        )
        communities.join_cohort(institute=network, user=person)
    Team.objects.filter(pk=team.pk).update(submitted_at=now - dt.timedelta(days=240))
    services.give_team_its_plan(network, team)
    plan = ImplementationPlan.objects.get(team=team)
    _when(plan, 220, now)
    by_email = {p.email: p for p in people}
    steps = list(plan.steps.order_by("pk"))
    for step, (status, notes, email, days_ago) in zip(steps, STEP_WORK, strict=False):
        communities.save_plan_step(
            plan=plan,
            step=step,
            description=step.description,
            status=status,
            notes=notes,
            by=by_email[email],
        )
        _when(plan, days_ago, now)
    deliverable = communities.add_deliverable(
        plan=plan,
        by=lead,
        title="Our journey map: EL education in Elk Grove, 2012-2026",
        file=ContentFile(
            f"Journey map: EL education in Elk Grove\n\n{STEP_WORK[0][1]}\n".encode(), name="journey-map.txt"
        ),
    )
    _when(plan, 190, now)
    communities.share_deliverable(deliverable=deliverable, by=mate)
    _when(plan, 185, now)
    if coordinator2:
        review = communities.review_plan(
            plan=plan,
            by=coordinator2,
            note="A clear journey map and a sharp look at your data. Before the spring review: finish the "
            "crosswalk and draft two inquiries for the middle schools.",
        )
        review.__class__.objects.filter(pk=review.pk).update(created_at=now - dt.timedelta(days=21))
        _when(plan, 21, now)
    ImplementationPlan.objects.filter(pk=plan.pk).update(updated_at=now - dt.timedelta(days=21))


# --- A levelled series (seed 003: "Level Two") ----------------------------------------------------

PARA_FAMILY = "Paraprofessional Train the Trainer"
LEVEL_ONE_CERTIFIED = ["maria@twinriversusd.org", "kthao@twinriversusd.org"]


def _level_module(level: int) -> Module:
    family, _ = ModuleFamily.objects.get_or_create(name=PARA_FAMILY)
    title = f"{PARA_FAMILY}: Level {'One' if level == 1 else 'Two'}"
    module = Module.objects.filter(title=title).first()
    if module is None:
        module = Module.objects.create(
            title=title,
            hours=12,
            family=family,
            level=level,
            summary="Classroom team building, communication and facilitation techniques for "
            "paraprofessionals who turn-key the content at their school.",
        )
    return module


def _levelled_series(now: dt.datetime, today: dt.date, coordinator: User | None) -> None:
    """Level One ran last spring (its cohort was certified a week after); Level Two opens now."""
    level_one, level_two = _level_module(1), _level_module(2)
    place = "Twin Rivers Adult School"
    common = {
        "kind": Institute.Kind.SERIES,
        "training_type": Institute.TrainingType.INSTITUTE,
        "topic": "Paraprofessionals",
        "location": Institute.Location.IN_PERSON,
        "venue": place,
        "requires_caep_funding": False,
        "endorsement_required": False,
        "capacity": 16,
        "audiences": ["Paraprofessionals", "Support Staff"],
        "duration": Institute.Duration.LONGER,
        "duration_note": "Three monthly sessions",
    }
    first = _institute(
        "paraprofessional-ttt-level-one",
        module=level_one,
        title="Paraprofessional Train the Trainer: Level One",
        description="Paraprofessionals learn to turn-key strategies for inclusive classrooms at their school.",
        status=Institute.Status.COMPLETED,
        applications_open_at=now - dt.timedelta(days=300),
        applications_close_at=now - dt.timedelta(days=240),
        sessions=[
            (f"Session {n + 1}", today - dt.timedelta(days=210 - 30 * n), dt.time(9), dt.time(15), place)
            for n in range(3)
        ],
        **common,
    )
    _coordinate("coordinator@tot.example.org", first)
    second = _institute(
        "paraprofessional-ttt-level-two",
        module=level_two,
        title="Paraprofessional Train the Trainer: Level Two",
        description="Level Two builds on Level One: behaviour support, students' independence, vocational "
        "assessments, and facilitation techniques to turn-key them in your school community.",
        status=Institute.Status.OPEN,
        applications_open_at=now - dt.timedelta(days=10),
        applications_close_at=now + dt.timedelta(days=30),
        prerequisites="An active Level One certification.",
        sessions=[
            (f"Session {n + 1}", today + dt.timedelta(days=45 + 30 * n), dt.time(9), dt.time(15), place)
            for n in range(3)
        ],
        **common,
    )
    _coordinate("coordinator@tot.example.org", second)
    # Level One's participants completed it; the trainers app certifies them (trainers/demo.py).
    for email in LEVEL_ONE_CERTIFIED:
        user = _user(email)
        if user is None:
            continue
        application, created = _draft(
            user, first, statement="I lead the paraprofessionals' PLC at my school."
        )
        if not created:
            continue
        Application.objects.filter(pk=application.pk).update(
            status=Application.Status.ACCEPTED,
            submitted_at=now - dt.timedelta(days=250),
            decided_at=now - dt.timedelta(days=235),
            is_eligible=True,
        )
        states.record(
            application,
            action="status:accepted",
            by=coordinator,
            from_status="submitted",
            to_status="accepted",
            note="Demo history",
            at=now - dt.timedelta(days=235),
        )
        for session in first.sessions.all():
            Attendance.objects.get_or_create(
                session=session, application=application, defaults={"status": Attendance.Status.PRESENT}
            )
        PracticeResult.objects.get_or_create(
            application=application,
            defaults={"result": PracticeResult.Result.PASSED, "recorded_by": coordinator},
        )


def _seat_offer(institute: Institute, coordinator: User, now: dt.datetime) -> None:
    """The math ToT's two seats: David and Adaeze were accepted and Ana waitlisted; Adaeze withdrew
    two days ago, and her seat was offered to Ana, who has until the offer's last day to answer.
    Past moves are written directly, with their dates, and said so in the history."""
    people = [_user(email) for email in ("dchen@fresnounified.org", "aokoye@sdccd.edu", "ana@scusd.edu")]
    if None in people or institute.applications.filter(applicant__in=people).exists():
        return
    david, adaeze, ana = people
    Status = Application.Status
    applied, decided, withdrew = (
        now - dt.timedelta(days=12),
        now - dt.timedelta(days=9),
        now - dt.timedelta(days=2),
    )

    def seeded(user, status, moves, **fields):
        application, _ = _draft(user, institute)
        reasons = services.eligibility_reasons(application)
        Application.objects.filter(pk=application.pk).update(
            status=status,
            submitted_at=applied,
            part_completed_at=applied,
            is_eligible=not reasons,
            eligibility_reasons=reasons,
            endorsement=Application.Endorsement.ENDORSED,
            endorsement_requested_at=applied,
            endorsement_answered_at=applied + dt.timedelta(days=1),
            decided_at=decided,
            **fields,
        )
        for at, by, label, from_status, to_status in [(applied, user, "", "draft", "submitted"), *moves]:
            states.record(
                application,
                action=f"status:{to_status}",
                by=by,
                actor_label=label,
                from_status=from_status,
                to_status=to_status,
                note="Demo history",
                at=at,
            )
        return application

    seeded(david, Status.ACCEPTED, [(decided, coordinator, "", "submitted", "accepted")])
    join_cohort(institute=institute, user=david)
    seeded(
        adaeze,
        Status.WITHDRAWN,
        [
            (decided, coordinator, "", "submitted", "accepted"),
            (withdrew, adaeze, "", "accepted", "withdrawn"),
        ],
    )
    seeded(
        ana,
        Status.OFFERED,
        [
            (decided, coordinator, "", "submitted", "waitlisted"),
            (withdrew, None, "the waitlist (a seat freed up)", "waitlisted", "offered"),
        ],
        waitlisted_at=decided,
        offered_at=withdrew,
        offer_expires_at=services.offer_deadline(institute, withdrew),
    )


DEMO_COMMENTS = [
    "The think-aloud demonstration. I will open my next staff meeting with it.",
    "Practising the opening activity in small groups made me confident I can lead it myself.",
    "Pairing the handouts with the slides, so new teachers can follow along.",
    "Hearing how other agencies schedule their trainings gave me ideas for ours.",
    "",
    "The reflection protocol at the end of each day.",
]
DEMO_CHANGES = ["More time to practise facilitating.", "", "A shorter first morning.", ""]


def _evaluations(institute: Institute, coordinator: User, now: dt.datetime) -> None:
    """Twelve end-of-institute evaluations and ten per session, two quotes approved and one waiting.

    Past answers are written directly (as the demo writes past decisions): the invitations that
    led to them were never part of this demo.
    """
    if Response.objects.about(institute).exists():
        return
    try:
        end, session_instrument = latest_instrument(END_SURVEY), latest_instrument(SESSION_SURVEY)
    except SurveyError:  # the surveys' part of the demo was not seeded
        return
    subjects = [(institute, end, 12)] + [(s, session_instrument, 10) for s in institute.sessions.all()]
    for subject, instrument, count in subjects:
        day = timezone.make_aware(dt.datetime.combine(_subject_day(subject), dt.time()))
        responses = past_responses(
            instrument,
            subject,
            count=count,
            submitted_at=day + dt.timedelta(days=1),
            comments=DEMO_COMMENTS,
            changes=DEMO_CHANGES,
        )
        if subject is not institute:
            continue
        for n, (response, text) in enumerate(responses[:3]):
            if text:
                quote = Quote.objects.create(response=response, text=text, subject=subject)
                if n < 2:
                    review_quote(quote, approve=True, by=coordinator)


def _subject_day(subject) -> dt.date:
    return subject.date if isinstance(subject, Session) else subject.sessions.order_by("-date")[0].date


# --- Practice facilitations on the module's rubric, and the next cohort ----------------------------
# The completed cohort gave their practice facilitations on its second day and the coordinator
# scored them on the module's rubric (so their practice results follow its rule). The module's next
# cohort is under way: Ana and Ben are three weeks in; Ana's first facilitation was not yet there on
# timing, Ben's is waiting for his second try. Their mentor's part is in trainers/demo.py.

NEXT_COHORT = "effective-teaching-tot-fall-2026"
RUBRIC = [
    (
        "Opening and purpose",
        [
            "Starts without saying what the session is for.",
            "Names the purpose of the session.",
            "Connects the purpose to the participants' own learners.",
            "Invites the group to shape the purpose and checks it is shared.",
        ],
    ),
    (
        "Questions that invite talk",
        [
            "Asks questions with one right answer, or none.",
            "Asks open questions, answered mostly by one or two people.",
            "Asks open questions and waits; most people take part.",
            "Builds on answers so that participants talk with each other, not only with the facilitator.",
        ],
    ),
    (
        "Timing and pace",
        [
            "Runs well over, or rushes the activities.",
            "Keeps to time by cutting the practice short.",
            "Keeps to time with room for practice.",
            "Adjusts the pace to the group and still keeps to time.",
        ],
    ),
]


def _moment(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def score_on(
    facilitation: PracticeFacilitation, day: dt.date, *, scorer: User, role: str, levels, comments: str
):
    """Score through the service (the result follows the rule), then give the story's past day to
    the rows and history it wrote. The trainers' demo scores as the mentor with it."""
    if facilitation.feedback.filter(scorer=scorer).exists():
        return
    started = timezone.now()
    criteria = list(facilitation.rubric.criteria.values_list("pk", flat=True))
    practice.score(
        facilitation,
        scorer=scorer,
        role=role,
        levels=dict(zip(criteria, levels, strict=True)),
        comments=comments,
    )
    at = _moment(day)
    PracticeFeedback.objects.filter(facilitation=facilitation, scorer=scorer).update(
        created_at=at, updated_at=at
    )
    AuditEntry.objects.filter(at__gte=started).update(at=at)
    PracticeResult.objects.filter(application=facilitation.application, recorded_at__gte=started).update(
        recorded_at=at
    )


def _facilitation(application: Application, session: Session, topic: str) -> PracticeFacilitation:
    existing = application.practice_facilitations.filter(topic=topic).first()
    if existing:
        return existing
    facilitation = practice.add_facilitation(
        application, topic=topic, given_on=session.date, session=session, by=application.applicant
    )
    at = _moment(session.date, 12)
    PracticeFacilitation.objects.filter(pk=facilitation.pk).update(created_at=at, updated_at=at)
    return facilitation


def _accept_in_past(application: Application, coordinator: User, decided: dt.datetime) -> None:
    if application.status == Application.Status.ACCEPTED:
        return
    # Seeding a past decision, with its date: written directly, and said so in the history.
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.ACCEPTED,
        submitted_at=decided - dt.timedelta(days=10),
        decided_at=decided,
        is_eligible=True,
        endorsement=Application.Endorsement.ENDORSED,
    )
    states.record(
        application,
        action="status:accepted",
        by=coordinator,
        from_status="submitted",
        to_status="accepted",
        note="Demo history",
        at=decided,
    )
    application.status = Application.Status.ACCEPTED


def _practice(completed: Institute, coordinator: User, today: dt.date) -> None:
    module = completed.module
    first_day = completed.sessions.order_by("date").first()
    rubric = Rubric.objects.current_for(module)
    if rubric is None:
        rubric = practice.save_rubric(
            module,
            levels=4,
            rule=Rubric.Rule.EVERY_CRITERION,
            pass_level=3,
            min_criteria=None,
            criteria=[practice.CriterionData(title, levels) for title, levels in RUBRIC],
            by=coordinator,
        )
        made = _moment(first_day.date - dt.timedelta(days=21), 10) if first_day else timezone.now()
        Rubric.objects.filter(pk=rubric.pk).update(created_at=made, updated_at=made)
        AuditEntry.objects.about(rubric).update(at=made)

    # The completed cohort: one facilitation each on day two, scored by the coordinator.
    day_two = completed.sessions.order_by("date")[1:2].first()
    if day_two is not None:
        topics = [
            "Opening a session on lesson planning",
            "A think-aloud on reading strategies",
            "Norms for the room",
        ]
        for n, application in enumerate(completed.applications.accepted().order_by("applicant__email")):
            facilitation = _facilitation(application, day_two, topics[n % len(topics)])
            score_on(
                facilitation,
                day_two.date,
                scorer=coordinator,
                role=PracticeFeedback.Role.COORDINATOR,
                levels=[3 + (n % 2), 3, 3 + ((n + 1) % 2)],
                comments="Clear and warm; the group was talking with each other within minutes.",
            )

    # The module's next cohort, three weeks in.
    start = today - dt.timedelta(days=21)
    fall = _institute(
        NEXT_COHORT,
        module=module,
        title="Effective Teaching for Adult Educators: Training of Trainers, fall 2026",
        description="The module's next cohort: four weekly sessions, with a mentor from the trainers "
        "certified last spring.",
        status=Institute.Status.RUNNING,
        location=Institute.Location.HYBRID,
        duration=Institute.Duration.FEW_WEEKS,
        duration_note="4 weeks",
        capacity=20,
        applications_open_at=timezone.now() - dt.timedelta(days=90),
        applications_close_at=timezone.now() - dt.timedelta(days=40),
        audiences=["All teacher types"],
        sessions=[
            (
                f"Week {n + 1}",
                start + dt.timedelta(days=7 * n),
                dt.time(9),
                dt.time(15),
                "CALPRO office, Sacramento",
            )
            for n in range(4)
        ],
    )
    _coordinate("coordinator@tot.example.org", fall)
    sessions = list(fall.sessions.order_by("date"))
    ana, ben = _user("ana@scusd.edu"), _user("ben@scusd.edu")
    if ana is None or ben is None:
        return
    decided = _moment(today - dt.timedelta(days=35), 11)
    mentees = {}
    for person in (ana, ben):
        application, _ = _draft(person, fall)
        _accept_in_past(application, coordinator, decided)
        mentees[person.email] = application
    ana_first = _facilitation(mentees[ana.email], sessions[1], "Opening: why adults come back to learning")
    score_on(
        ana_first,
        sessions[1].date,
        scorer=coordinator,
        role=PracticeFeedback.Role.COORDINATOR,
        levels=[3, 3, 2],
        comments="A strong, personal opening. The pair work ran long: plan the timing of each part and "
        "tell the group.",
    )
    _facilitation(mentees[ana.email], sessions[2], "Questions that get the room talking")
    ben_first = _facilitation(mentees[ben.email], sessions[2], "Planning a lesson backwards from the goal")
    score_on(
        ben_first,
        sessions[2].date,
        scorer=coordinator,
        role=PracticeFeedback.Role.COORDINATOR,
        levels=[2, 3, 2],
        comments="Good questions. Say what the session is for at the start, and leave time for practice.",
    )
    score_on(
        ben_first,
        sessions[2].date,
        scorer=ana,
        role=PracticeFeedback.Role.PEER,
        levels=[3, 3, 3],
        comments="I will borrow your lesson-plan template. The example from your school made it real.",
    )
