"""A state-sized data set for the benchmark, written with bulk_create in a few seconds.

portal must not import the apps at module level (imports go only down), so every app model is
imported inside the functions below: this module runs only inside the bench, after django.setup().
"""

import random
import time
from dataclasses import dataclass, field
from datetime import time as dtime
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

BATCH = 5000

REGIONS = [
    "Capital",
    "Central Valley",
    "Inland Empire",
    "Los Angeles",
    "North Coast",
    "Orange County",
    "San Diego",
    "San Francisco Bay Area",
    "Sierra",
]
MODULE_TITLES = [
    "Accelerated Learning to Facilitate Career Pathways",
    "College and Career Readiness Standards",
    "CCRS 2: ELA Implementation and Application",
    "Effective Teaching for Adult Educators",
    "Evidence-Based Writing Instruction for ABE/ASE",
    "Evidence-Based Writing Instruction for ESL",
    "Evidence-Based Reading Instruction",
    "Integrated and Contextualized Workforce Skills in the ABE/ASE Classroom",
    "Integrated and Contextualized Workforce Skills in the ESL Classroom",
    "Integrated Education and Training",
    "Mastering the English Language Proficiency Standards",
    "Math Instructional Strategies",
    "Motivation and Persistence for Adult Learners",
    "Optimizing ESL Instructional Planning",
    "Postsecondary Transitions",
    "Success for All Learners through Equity",
]
AUDIENCES = ["Teachers", "Administrators", "Support staff", "Paraprofessionals", "Counselors"]
FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "Jorge",
    "Kim",
    "Luis",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tuan",
]
LAST = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Flores",
    "Garcia",
    "Huang",
    "Ito",
    "Johnson",
    "Khan",
    "Lopez",
    "Nguyen",
    "Ortiz",
    "Patel",
    "Reyes",
    "Singh",
    "Tran",
]
POST_BODIES = [
    "Thanks for sharing this. We tried the **gallery walk** in our ESL 3 class and it worked well.",
    "Here is the agenda we used:\n\n1. Warm-up (10 min)\n2. Model the strategy\n3. Pair practice\n\n"
    "See [the CALPRO page](https://www.calpro-online.org/) for the handouts.",
    "> What did you do about learners who arrive late?\n\nWe post the first task on the board so "
    "anyone arriving can start at once.",
    "I would love to hear how others handle the *pre-institute assignment* with part-time staff.",
    "Our team met on Tuesday. Three of us will present the module to our consortium in March.",
    "A short reflection: the practice session made me rethink how I give feedback. "
    "I now ask learners to explain the step back to me before moving on.",
]


@dataclass
class Scale:
    agencies: int = 2000
    institutes: int = 100
    applications: int = 20000
    trainers: int = 5000
    communities: int = 200
    posts: int = 200_000
    big_thread_posts: int = 5000
    # Turnkey trainings (issue 14's state size): held ones, their registrations, survey answers.
    held_trainings: int = 2000
    registrations: int = 40_000
    survey_answers: int = 30_000
    # Professional-learning hours (issue 16): credits statewide, and the benched person's year.
    learning_credits: int = 200_000
    transcript_credits: int = 500

    @classmethod
    def of(cls, factor: float) -> "Scale":
        base = cls()
        return cls(
            **{
                name: max(int(getattr(base, name) * factor), minimum)
                for name, minimum in [
                    ("agencies", 20),
                    ("institutes", 10),
                    ("applications", 200),
                    ("trainers", 50),
                    ("communities", 20),
                    ("posts", 2000),
                    ("big_thread_posts", 500),
                    ("held_trainings", 40),
                    ("registrations", 800),
                    ("survey_answers", 600),
                    ("learning_credits", 2000),
                    ("transcript_credits", 500),
                ]
            }
        )


PASSWORD = "bench-password-not-for-use"


@dataclass
class Seeded:
    """What the bench needs to find its pages and sign its people in."""

    institute_slug: str = ""
    thread_pk: int = 0
    coordinator_pk: int = 0
    participant_pk: int = 0
    member_pk: int = 0
    # The mixed run: someone who signs in again and again, and a member who replies in a thread
    # other than the one benched (all with the password below).
    signer_email: str = ""
    writer_email: str = ""
    writer_thread_pk: int = 0
    counts: dict = field(default_factory=dict)


def _bulk(model, objs, **kwargs):
    return model.objects.bulk_create(objs, batch_size=BATCH, **kwargs)


def _name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"


def seed(scale: Scale, log=print) -> Seeded:
    # Lazy imports: portal imports no app at module level (see the module docstring).
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from communities.markdown import render_markdown
    from communities.models import Community, CommunityFacilitator, Membership, Post, Thread
    from institutes.models import (
        Application,
        Audience,
        Institute,
        InstituteCoordinator,
        Module,
        Session,
    )
    from portal.models import Agency, AuditEntry, User
    from trainers.models import COMMITMENT_DAYS, Certification, FacilitationReport, TrainerProfile

    rng = random.Random(2024)
    now = timezone.now()
    today = timezone.localdate()
    out = Seeded()
    started = time.monotonic()

    def step(label, n):
        out.counts[label] = n
        log(f"  {label:<26} {n:>8,}  ({time.monotonic() - started:5.1f} s)")

    with transaction.atomic():
        # --- agencies --------------------------------------------------------------------
        kinds = list(Agency.Kind)
        agencies = []
        for i in range(scale.agencies):
            kind = kinds[i % len(kinds)]
            name = f"{REGIONS[i % len(REGIONS)]} {kind.label} {i:04d}"
            agencies.append(
                Agency(
                    name=name,
                    normalised_name=name.lower(),
                    kind=kind,
                    region=REGIONS[i % len(REGIONS)],
                    consortium=f"{REGIONS[i % len(REGIONS)]} Adult Education Consortium",
                    caep_funded=i % 5 != 0,
                    is_lea=kind in Agency.LEA_KINDS,
                    cds_code=f"{i:014d}" if kind in Agency.LEA_KINDS else None,
                    email_domains=f"agency{i}.example.org",
                )
            )
        agencies = _bulk(Agency, agencies)
        step("agencies", len(agencies))

        # --- people ----------------------------------------------------------------------
        # Applicants apply to two institutes each; the first ones become the trainers.
        password = make_password(PASSWORD)
        n_people = max(scale.applications // 2, scale.trainers)
        users = [
            User(
                email=f"person{i}@agency{i % scale.agencies}.example.org",
                name=_name(i),
                agency=agencies[i % scale.agencies],
                position="Teacher" if i % 3 else "Program coordinator",
                password=password,
            )
            for i in range(n_people)
        ]
        staff = [
            User(
                email=f"coordinator{i}@tot-portal.example.org",
                name=f"Coordinator {_name(i)}",
                password=password,
            )
            for i in range(30)
        ]
        extra = [
            User(email="participant@bench.example.org", name="Bench Participant", password=password),
            User(email="member@bench.example.org", name="Bench Member", password=password),
        ]
        users = _bulk(User, users)
        staff = _bulk(User, staff)
        participant, member = _bulk(User, extra)
        participant.agency = member.agency = agencies[0]
        User.objects.filter(pk__in=[participant.pk, member.pk]).update(agency=agencies[0])
        everyone = [*users, *staff, participant, member]
        _bulk(
            EmailAddress, [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in everyone]
        )
        coordinators_group = Group.objects.get(name="Coordinators")
        coordinators_group.user_set.add(*staff)
        for person in staff[:1]:
            TOTP.activate(person, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        step("people", len(everyone))

        # --- modules, audiences, institutes, sessions, coordinators ---------------------
        modules = _bulk(
            Module,
            [Module(title=t, slug=slugify(t), summary=f"The {t} module.", hours=12) for t in MODULE_TITLES],
        )
        audiences = _bulk(Audience, [Audience(name=a, slug=slugify(a)) for a in AUDIENCES])
        n_inst = scale.institutes
        n_completed = int(n_inst * 0.6)
        # Seeding at state size: statuses are written as data, not walked through the services.
        statuses = {}  # institute index -> status
        institutes = []
        for i in range(n_inst):
            if i < n_completed:
                status, opens = Institute.Status.COMPLETED, now - timedelta(days=400 - i * 4)
            elif i < n_inst * 0.7:
                status, opens = Institute.Status.RUNNING, now - timedelta(days=60)
            elif i < n_inst * 0.8:
                status, opens = Institute.Status.CLOSED, now - timedelta(days=40)
            else:
                status, opens = Institute.Status.OPEN, now - timedelta(days=10)
            statuses[i] = status
            module = modules[i % len(modules)]
            title = f"{module.title} Institute, {REGIONS[i % len(REGIONS)]} cohort {i // len(modules) + 1}"
            institutes.append(
                Institute(
                    module=module,
                    title=title,
                    slug=f"{slugify(title)[:200]}-{i}",
                    description=f"A Training-of-Trainers institute for {module.title}. " * 4,
                    status=status,
                    training_type=list(Institute.TrainingType)[i % 5],
                    topic=module.title[:100],
                    location=list(Institute.Location)[i % 3],
                    venue=f"{REGIONS[i % len(REGIONS)]} County Office of Education",
                    coaching=i % 2 == 0,
                    sponsor="CALPRO",
                    contact_name="Institute team",
                    contact_email="institutes@tot-portal.example.org",
                    prerequisites="Current employment at a CAEP-funded agency.",
                    capacity=30,
                    applications_open_at=opens,
                    applications_close_at=opens + timedelta(days=40),
                    allowed_agency_kinds=[],
                    requires_caep_funding=i % 4 != 0,
                    team_required=i % 10 == 0,
                )
            )
        institutes = _bulk(Institute, institutes)
        through = Institute.audiences.through
        _bulk(
            through,
            [
                through(institute_id=inst.pk, audience_id=aud.pk)
                for i, inst in enumerate(institutes)
                for aud in audiences[: 1 + i % len(audiences)]
            ],
        )
        sessions = []
        for inst in institutes:
            first_day = inst.applications_close_at.date() + timedelta(days=14)
            for s in range(5):
                sessions.append(
                    Session(
                        institute=inst,
                        title=f"Session {s + 1}",
                        date=first_day + timedelta(days=7 * s),
                        starts_at=dtime(9, 0),
                        ends_at=dtime(15, 30),
                        place=inst.venue if inst.location != "online" else "",
                        online_link="https://meet.example.org/tot" if inst.location != "in_person" else "",
                    )
                )
        _bulk(Session, sessions)
        _bulk(
            InstituteCoordinator,
            [
                InstituteCoordinator(
                    user=staff[(i + k) % len(staff)], institute=inst, starts_on=today - timedelta(days=500)
                )
                for i, inst in enumerate(institutes)
                for k in range(2)
            ],
        )
        step("institutes", len(institutes))
        step("sessions", len(sessions))

        # The benched institute: an open one, coordinated by staff[0].
        benched = next(inst for i, inst in reversed(list(enumerate(institutes))) if statuses[i] == "open")
        if not InstituteCoordinator.objects.filter(user=staff[0], institute=benched).exists():
            InstituteCoordinator.objects.create(
                user=staff[0], institute=benched, starts_on=today - timedelta(days=500)
            )
        out.institute_slug = benched.slug
        out.coordinator_pk = staff[0].pk

        # --- applications ----------------------------------------------------------------
        completed = [inst for i, inst in enumerate(institutes) if statuses[i] == "completed"]
        position = {inst.pk: i for i, inst in enumerate(institutes)}
        applications = []
        accepted_at = {}  # user index -> the completed institute they were accepted to
        for u in range(scale.applications):
            person_i = u % n_people
            second = u >= n_people
            if person_i < scale.trainers and not second:
                inst = completed[person_i % len(completed)]
                status = Application.Status.ACCEPTED
                accepted_at[person_i] = inst
            else:
                inst_i = (person_i * 7 + (13 if second else 0) + (1 if second else 0)) % n_inst
                inst = institutes[inst_i]
                if second and inst.pk == applications[person_i].institute_id:
                    inst = institutes[(inst_i + 1) % n_inst]
                st = statuses[position[inst.pk]]
                roll = rng.random()
                if st == "open":
                    status = (
                        Application.Status.SUBMITTED
                        if roll < 0.7
                        else Application.Status.DRAFT
                        if roll < 0.85
                        else Application.Status.WAITLISTED
                    )
                elif st == "completed":
                    status = Application.Status.ACCEPTED if roll < 0.6 else Application.Status.DECLINED
                else:
                    status = (
                        Application.Status.ACCEPTED
                        if roll < 0.5
                        else Application.Status.WAITLISTED
                        if roll < 0.7
                        else Application.Status.DECLINED
                    )
            submitted = inst.applications_open_at + timedelta(hours=1 + (u % 500))
            applications.append(
                Application(
                    applicant=users[person_i],
                    institute=inst,
                    agency=users[person_i].agency,
                    position=users[person_i].position,
                    statement="I teach ESL 2 and 3 in the evenings and want to lead this work at my agency. "
                    * 3,
                    supervisor_name="Dana Supervisor",
                    supervisor_email=f"supervisor{person_i % scale.agencies}@example.org",
                    commits_to_attend=True,
                    commits_to_present=True,
                    status=status,
                    submitted_at=None if status == "draft" else submitted,
                    decided_at=submitted + timedelta(days=20) if status in ("accepted", "declined") else None,
                    waitlisted_at=submitted + timedelta(days=20) if status == "waitlisted" else None,
                    is_eligible=True,
                    endorsement=Application.Endorsement.ENDORSED
                    if status != "draft"
                    else Application.Endorsement.NOT_REQUESTED,
                    created_at=submitted - timedelta(hours=1),
                )
            )
        # The bench people: the participant applied to the benched institute and was accepted to a
        # running one; the member was accepted to the cohort whose thread is benched.
        running = [inst for i, inst in enumerate(institutes) if statuses[i] == "running"]
        cohort_institute = running[0]
        for person, inst, status in [
            (participant, benched, Application.Status.SUBMITTED),
            (participant, running[-1], Application.Status.ACCEPTED),
            (participant, completed[0], Application.Status.ACCEPTED),
            (member, cohort_institute, Application.Status.ACCEPTED),
        ]:
            applications.append(
                Application(
                    applicant=person,
                    institute=inst,
                    agency=person.agency,
                    position="Teacher",
                    statement="Bench application.",
                    supervisor_name="Dana Supervisor",
                    supervisor_email="supervisor@example.org",
                    commits_to_attend=True,
                    commits_to_present=True,
                    status=status,
                    submitted_at=now - timedelta(days=5),
                    decided_at=now - timedelta(days=2) if status == "accepted" else None,
                    is_eligible=True,
                    endorsement=Application.Endorsement.ENDORSED,
                )
            )
        applications = _bulk(Application, applications)
        application_type = ContentType.objects.get_for_model(Application)
        _bulk(
            AuditEntry,
            [
                AuditEntry(
                    content_type=application_type,
                    object_id=a.pk,
                    actor=a.applicant,
                    at=a.submitted_at,
                    action="status:submitted",
                    from_status="draft",
                    to_status="submitted",
                )
                for a in applications
                if a.submitted_at
            ],
        )
        step("applications", len(applications))
        out.participant_pk = participant.pk
        out.member_pk = member.pk

        # --- trainers: certifications, listings, reports --------------------------------
        certifications = []
        for person_i, inst in accepted_at.items():
            issued = today - timedelta(days=(person_i * 37) % 700)
            certifications.append(
                Certification(
                    participant=users[person_i],
                    module_id=inst.module_id,
                    institute=inst,
                    issued_on=issued,
                    commitment_ends_on=issued + timedelta(days=COMMITMENT_DAYS),
                    status=Certification.Status.REVOKED
                    if person_i % 50 == 0
                    else Certification.Status.ACTIVE,
                    issued_by=staff[0],
                )
            )
        issued = today - timedelta(days=100)
        certifications.append(
            Certification(
                participant=participant,
                module_id=completed[0].module_id,
                institute=completed[0],
                issued_on=issued,
                commitment_ends_on=issued + timedelta(days=COMMITMENT_DAYS),
                issued_by=staff[0],
            )
        )
        certifications = _bulk(Certification, certifications)
        _bulk(
            TrainerProfile,
            [
                TrainerProfile(user=users[i], listed=i % 10 < 7, show_email=i % 3 == 0, bio="Happy to help.")
                for i in accepted_at
            ]
            + [TrainerProfile(user=participant, listed=True, bio="Bench trainer.")],
        )
        reports = []
        for c in certifications[::3]:
            reports.append(
                FacilitationReport(
                    trainer_id=c.participant_id,
                    module_id=c.module_id,
                    starts_on=c.issued_on + timedelta(days=60),
                    hours=6,
                    host_kind=FacilitationReport.HostKind.OWN_AGENCY,
                    host_agency_id=None,
                    audience="ESL teachers",
                    participants_count=18,
                    agenda="trainers/agendas/bench/agenda.pdf",
                    sign_in_sheet="trainers/sign-in/bench/sign-in.pdf",
                    reflection="It went well; next time I would leave more time for practice.",
                    status=FacilitationReport.Status.VERIFIED,
                    reviewed_at=now,
                    reviewed_by=staff[0],
                )
            )
        _bulk(FacilitationReport, reports)
        step("trainers (certified)", len(accepted_at))
        step("facilitation reports", len(reports))
        _seed_trainings(scale, rng, now, [c for c in certifications if c.status == "active"], agencies, step)

        # --- communities, members, threads, posts ---------------------------------------
        n_cohorts = min(n_inst, scale.communities // 2)
        communities = []
        desc = "Welcome! Introduce yourself and share what you are trying **this term**."
        desc_html = render_markdown(desc)
        for i in range(scale.communities):
            if i < n_cohorts:
                inst = institutes[i]
                communities.append(
                    Community(
                        title=f"{inst.title} cohort",
                        slug=f"cohort-{i}",
                        kind=Community.Kind.COHORT,
                        topic=inst.topic[:120],
                        region=REGIONS[i % len(REGIONS)],
                        description=desc,
                        description_html=desc_html,
                        visibility=Community.Visibility.MEMBERS,
                        join_policy=Community.JoinPolicy.INVITATION,
                        institute=inst,
                    )
                )
            else:
                statewide = i % 10 == 0
                topic = MODULE_TITLES[i % len(MODULE_TITLES)]
                communities.append(
                    Community(
                        title=f"{'Statewide' if statewide else REGIONS[i % len(REGIONS)]} CoP: {topic} {i}",
                        slug=f"cop-{i}",
                        kind=Community.Kind.STATEWIDE if statewide else Community.Kind.REGIONAL,
                        topic=topic[:120],
                        region="" if statewide else REGIONS[i % len(REGIONS)],
                        description=desc,
                        description_html=desc_html,
                        visibility=Community.Visibility.PUBLIC if i % 3 else Community.Visibility.MEMBERS,
                        join_policy=Community.JoinPolicy.OPEN if i % 2 else Community.JoinPolicy.REQUEST,
                    )
                )
        communities = _bulk(Community, communities)
        by_institute = {c.institute_id: c for c in communities if c.institute_id}
        members = set()
        for a in applications:
            if a.status == "accepted" and a.institute_id in by_institute:
                members.add((a.applicant_id, by_institute[a.institute_id].pk))
        for c in communities[n_cohorts:]:
            for u in rng.sample(range(n_people), min(60, n_people)):
                members.add((users[u].pk, c.pk))
        for c in communities[n_cohorts : n_cohorts + 5]:
            members.add((participant.pk, c.pk))
        _bulk(Membership, [Membership(user_id=u, community_id=c) for u, c in sorted(members)])
        _bulk(
            CommunityFacilitator,
            [
                CommunityFacilitator(
                    user=staff[i % len(staff)], community=c, starts_on=today - timedelta(days=500)
                )
                for i, c in enumerate(communities)
            ],
        )
        step("communities", len(communities))
        step("memberships", len(members))

        member_ids = {}
        for u, c in members:
            member_ids.setdefault(c, []).append(u)
        threads_per_community = 10
        threads = []
        for c in communities:
            for t in range(threads_per_community):
                threads.append(
                    Thread(
                        community=c,
                        title=f"{['Introductions', 'Lesson ideas', 'Questions', 'Resources', 'Planning'][t % 5]} #{t + 1}",
                        author_id=rng.choice(member_ids.get(c.pk) or [staff[0].pk]),
                        created_at=now - timedelta(days=300),
                        last_activity_at=now - timedelta(hours=t),
                        pinned=t == 0,
                    )
                )
        threads = _bulk(Thread, threads)
        cohort_community = by_institute[cohort_institute.pk]
        big_thread = next(t for t in threads if t.community_id == cohort_community.pk)
        out.thread_pk = big_thread.pk
        writer_thread = next(
            t for t in threads if t.community_id != cohort_community.pk and member_ids.get(t.community_id)
        )
        out.writer_thread_pk = writer_thread.pk
        out.writer_email = User.objects.get(pk=member_ids[writer_thread.community_id][0]).email
        out.signer_email = users[-1].email
        bodies = [(b, render_markdown(b)) for b in POST_BODIES]
        rest = scale.posts - scale.big_thread_posts
        others = [t for t in threads if t.pk != big_thread.pk]
        plan = [(big_thread, scale.big_thread_posts)] + [
            (t, rest // len(others) + (1 if k < rest % len(others) else 0)) for k, t in enumerate(others)
        ]
        start = now - timedelta(days=300)
        n_posts = 0
        pending = []
        for thread, count in plan:
            authors = member_ids.get(thread.community_id) or [staff[0].pk]
            for p in range(count):
                body, html = bodies[(thread.pk + p) % len(bodies)]
                pending.append(
                    Post(
                        thread_id=thread.pk,
                        author_id=authors[(p * 7) % len(authors)],
                        body=body,
                        body_html=html,
                        created_at=start + timedelta(minutes=p * 30),
                        hidden=p % 97 == 96,
                    )
                )
                if len(pending) >= BATCH * 4:
                    n_posts += len(_bulk(Post, pending))
                    pending = []
        n_posts += len(_bulk(Post, pending))
        step("threads", len(threads))
        step("posts", n_posts)

        # --- professional-learning hours ------------------------------------------------------
        regional = communities[n_cohorts:]
        Community.objects.filter(pk__in=[c.pk for c in regional]).update(
            expected_hours_min=16, expected_hours_max=20
        )
        step("learning credits", _seed_learning(scale, rng, today, users, participant, regional))

    # As autovacuum would have by now: planner statistics and the visibility map (index-only scans).
    # (Not inside a test's transaction, where VACUUM cannot run, nor on SQLite.)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    log(f"  seeded in {time.monotonic() - started:.1f} s")
    return out


def _seed_learning(scale: Scale, rng, today, users, participant, communities) -> int:
    """Credits over the last three years; the participant's ``transcript_credits`` this year, in
    the five communities they belong to. Sources are institute sessions by id (one per credit)."""
    from django.contrib.contenttypes.models import ContentType

    from communities.models import TOPICS
    from institutes.models import Session
    from portal.learning.models import Kind, LearningCredit

    session_type = ContentType.objects.get_for_model(Session)
    kinds = list(Kind)
    mine = communities[:5]
    credits = [
        LearningCredit(
            person=participant,
            content_type=session_type,
            object_id=i + 1,
            kind=kinds[i % len(kinds)],
            title=f"Bench session {i + 1}",
            on=today - timedelta(days=i % max(1, today.timetuple().tm_yday - 1)),
            hours=Decimal(1 + i % 4),
            topic=TOPICS[i % len(TOPICS)][:200],
            community_id=mine[i % len(mine)].pk if mine and i % 3 else None,
        )
        for i in range(scale.transcript_credits)
    ]
    n = len(_bulk(LearningCredit, credits))
    pending = []
    for i in range(scale.learning_credits - scale.transcript_credits):
        pending.append(
            LearningCredit(
                person_id=users[i % len(users)].pk,
                content_type=session_type,
                object_id=1_000_000 + i,
                kind=kinds[i % len(kinds)],
                title=f"Bench session {i}",
                on=today - timedelta(days=rng.randrange(3 * 365)),
                hours=Decimal(1 + i % 6),
                topic=TOPICS[i % len(TOPICS)][:200],
                community_id=communities[i % len(communities)].pk if communities and i % 2 else None,
            )
        )
        if len(pending) >= BATCH * 4:
            n += len(_bulk(LearningCredit, pending))
            pending = []
    return n + len(_bulk(LearningCredit, pending))


def _seed_trainings(scale: Scale, rng, now, certifications, agencies, step) -> None:
    """Held turnkey trainings over the last two years, their registrations (some educators at
    several trainings, a few cancelled, most present) and answers to the post-training survey."""
    from django.contrib.contenttypes.models import ContentType

    from portal.surveys.models import Answer, Instrument, Question, Response
    from trainers.models import (
        FacilitationReport,
        Registration,
        SessionAttendance,
        TrainingSession,
        TurnkeyTraining,
    )

    trainings = []
    for i in range(scale.held_trainings):
        c = certifications[(i * 7) % len(certifications)]
        starts = (now - timedelta(days=5 + (i * 11) % 720)).replace(hour=9, minute=0, second=0, microsecond=0)
        trainings.append(
            TurnkeyTraining(
                trainer_id=c.participant_id,
                certification=c,
                module_id=c.module_id,
                title=f"{MODULE_TITLES[i % len(MODULE_TITLES)]} in {REGIONS[i % len(REGIONS)]}",
                audience=AUDIENCES[i % len(AUDIENCES)],
                host_kind=FacilitationReport.HostKind.OWN_AGENCY,
                region=REGIONS[(i * 5) % len(REGIONS)],
                capacity=30,
                status=TurnkeyTraining.Status.HELD,
                published_at=starts - timedelta(days=30),
                held_at=starts + timedelta(hours=3),
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
            )
        )
    trainings = _bulk(TurnkeyTraining, trainings)
    sessions = _bulk(
        TrainingSession,
        [TrainingSession(training=t, starts_at=t.starts_at, ends_at=t.ends_at) for t in trainings],
    )
    educators = max(scale.registrations * 5 // 8, 1)  # so that many educators come more than once
    registrations = []
    for r in range(scale.registrations):
        k = rng.randrange(educators)
        in_registry = k % 4 != 0
        registrations.append(
            Registration(
                training=trainings[r % len(trainings)],
                name=_name(k),
                email=f"educator{k}@learners{k % 500}.example.org",
                agency=agencies[k % len(agencies)] if in_registry else None,
                other_agency="" if in_registry else f"Community Learning Center {k % 300}",
                role=list(Registration.Role)[k % len(Registration.Role)],
                status=Registration.Status.CANCELLED if r % 20 == 0 else Registration.Status.REGISTERED,
            )
        )
    # One live registration per e-mail and training: a repeat within a training is dropped.
    seen, unique = set(), []
    for registration in registrations:
        key = (registration.training.pk, registration.email)
        if registration.status == "cancelled" or key not in seen:
            seen.add(key)
            unique.append(registration)
    registrations = _bulk(Registration, unique)
    session_of = {s.training_id: s for s in sessions}
    attendance = [
        SessionAttendance(
            session=session_of[reg.training.pk], registration=reg, marked_at=reg.training.starts_at
        )
        for n, reg in enumerate(registrations)
        if reg.status == "registered" and n % 7 != 0
    ]
    _bulk(SessionAttendance, attendance)
    step("trainings held", len(trainings))
    step("registrations", len(registrations))
    step("attendance", len(attendance))

    instrument = Instrument.objects.get(key="turnkey-post", version=1)
    likert = list(instrument.questions.filter(kind=Question.Kind.LIKERT))
    training_type = ContentType.objects.get_for_model(TurnkeyTraining)
    responses = _bulk(
        Response,
        [
            Response(
                instrument=instrument,
                content_type=training_type,
                object_id=trainings[n % len(trainings)].pk,
                submitted_at=trainings[n % len(trainings)].starts_at + timedelta(days=1),
            )
            for n in range(scale.survey_answers // len(likert))
        ],
    )
    answers = _bulk(
        Answer,
        [
            Answer(response=response, question=question, number=rng.choice((3, 4, 4, 5, 5)))
            for response in responses
            for question in likert
        ],
    )
    step("survey answers", len(answers))
