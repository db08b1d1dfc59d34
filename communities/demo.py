"""The communities part of the demo world: a regional CoP per seed-002 topic, the statewide e-CoP,
facilitators, and a few threads, posts and resources. Looks up before it creates: safe to rerun."""

from decimal import Decimal

from communities import services
from communities.models import TOPICS, Community, CommunityFacilitator, Resource, Thread
from portal.models import User

REGIONS = [
    "Capital",
    "Bay Area",
    "Central Valley",
    "Los Angeles",
    "San Diego",
    "Inland Empire",
    "North",
]
FACILITATORS = ["trainer@egusd.net", "coordinator@tot.example.org"]
ECOP_TITLE = "California Adult Education e-CoP"


def _community(title: str, **fields) -> Community:
    community = Community.objects.filter(title=title).first()
    return community or Community.objects.create(title=title, **fields)


def _facilitate(community: Community, users) -> None:
    for user in users:
        CommunityFacilitator.objects.get_or_create(user=user, community=community)
        services.add_member(community=community, user=user, action="joined as facilitator")


def seed(stdout=None) -> None:
    facilitators = list(User.objects.filter(email__in=FACILITATORS))
    ecop = _community(
        ECOP_TITLE,
        kind=Community.Kind.STATEWIDE,
        description=(
            "Educators from across California meet here any time to discuss teaching, share resources "
            "and support each other's professional development. Companion to CALPRO's Virtual Workrooms "
            "for Adult Educators."
        ),
        visibility=Community.Visibility.PUBLIC,
        join_policy=Community.JoinPolicy.OPEN,
    )
    _facilitate(ecop, facilitators)
    regional_cops = []
    for i, topic in enumerate(TOPICS):
        region = REGIONS[i % len(REGIONS)]
        community = _community(
            f"{topic}: {region} CoP",
            kind=Community.Kind.REGIONAL,
            topic=topic,
            region=region,
            description=(
                f"A regional Community of Practice on **{topic}** for adult educators in the {region} region. "
                "Members meet face-to-face and online to put new practices to work with their learners."
            ),
            visibility=Community.Visibility.PUBLIC if i % 3 else Community.Visibility.MEMBERS,
            join_policy=Community.JoinPolicy.OPEN if i % 2 == 0 else Community.JoinPolicy.REQUEST,
        )
        _facilitate(community, facilitators)
        regional_cops.append(community)
        # Seed 002: each regional CoP asks "an average total of 16-20 hours of professional learning".
        if community.expected_hours_min is None and facilitators:
            services.set_expected_hours(
                community=community, low=Decimal(16), high=Decimal(20), actor=facilitators[0]
            )

    ana = User.objects.filter(email="ana@scusd.edu").first()
    chloe = User.objects.filter(email="chloe@fresnounified.org").first()
    if ana and chloe:
        for person in (ana, chloe):
            services.add_member(community=ecop, user=person)
        # Each belongs to a regional CoP too: "My learning" shows their way to its 16-20 hours.
        for person, region in ((ana, "Capital"), (chloe, "Central Valley")):
            regional = (
                Community.objects.filter(kind=Community.Kind.REGIONAL, region=region).order_by("pk").first()
            )
            if regional is not None:
                services.add_member(community=regional, user=person)
        if not Thread.objects.filter(community=ecop, title="Keeping evening learners coming back").exists():
            thread = services.start_thread(
                community=ecop,
                author=ana,
                title="Keeping evening learners coming back",
                body="Attendance in my evening ESL class drops after week three. What has worked for you?",
            )
            services.reply(
                thread=thread,
                author=chloe,
                body="We call absent learners on the second day and celebrate *attendance streaks*. It helps!",
            )
    if facilitators and not Resource.objects.filter(title="CALPRO professional learning catalog").exists():
        services.add_resource(
            community=None,
            added_by=facilitators[0],
            title="CALPRO professional learning catalog",
            description="Workshops, institutes and online courses for California adult educators.",
            topic="Effective Teaching for Adult Educators",
            url="https://www.calpro-online.org",
        )
    if (
        facilitators
        and not Resource.objects.filter(title="Attendance streak tracker", community=ecop).exists()
    ):
        services.add_resource(
            community=ecop,
            added_by=facilitators[0],
            title="Attendance streak tracker",
            description="A simple sheet to celebrate learners' attendance week by week.",
            topic="Motivation and Persistence for Adult Learners",
            url="https://example.org/attendance-streaks",
        )
    made = _seed_events(ecop, regional_cops, facilitators)
    if stdout:
        stdout.write(f"Communities: {Community.objects.count()} in the demo world ({made} new events)")


# --- Events: consistent in time around today (the demo's frame: 2026-11-30) -------------------------

DEMO_EVENTS = [
    # (community key, title, kind, days from today for each date, start hour, hours, capacity, held)
    ("ecop", "e-CoP Webinar: Keeping evening learners coming back", "webinar", [-21], 15, 1.5, 100, True),
    ("ecop", "e-CoP Webinar: Digital literacy in the ESL classroom", "webinar", [9], 15, 1.5, 100, False),
    ("ecop", "e-CoP Webinar series: Writing across the levels", "webinar", [16, 44, 72], 16, 1, 80, False),
    ("region0", "Before the institute: meet your regional CoP", "meeting", [-35], 10, 2, 25, True),
    ("region0", "Between and after the sessions", "hybrid", [-7, 12, 40], 15, 2, 25, False),
    ("region1", "Regional CoP meeting: classroom routines", "hybrid", [5, 33], 9, 2, 2, False),
]
DEMO_PLACE = "Sacramento County Office of Education, 10474 Mather Blvd, Mather, CA"
DEMO_LINK = "https://meet.example.org/demo-cop"


def _demo_people():
    from portal.demo import DEMO_COHORT

    emails = ["ana@scusd.edu", "chloe@fresnounified.org", *(row[0] for row in DEMO_COHORT)]
    return list(User.objects.filter(email__in=emails).order_by("email"))


def _seed_events(ecop: Community, regional: list[Community], facilitators) -> int:
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from communities import events as event_services
    from communities.models import Event, EventAttendance, EventDate, EventRegistration
    from portal import states

    people = _demo_people()
    if not people or not facilitators or len(regional) < 3:
        return 0
    lead = facilitators[0]
    # The Capital CoP (Ana's) and the Central Valley one (Chloé's).
    communities = {"ecop": ecop, "region0": regional[0], "region1": regional[2]}
    today = timezone.localdate()
    made = 0
    for key, title, kind, offsets, hour, hours, capacity, held in DEMO_EVENTS:
        community = communities[key]
        if Event.objects.filter(community=community, title=title).exists():
            continue
        # Ana teaches in Sacramento (the Capital CoP), Chloé in Fresno (the Central Valley one).
        away = {"region0": "chloe@fresnounified.org", "region1": "ana@scusd.edu"}.get(key)
        attendees = [person for person in people if person.email != away]
        for person in attendees:
            services.add_member(community=community, user=person)
        moments = []
        for offset in offsets:
            starts = timezone.make_aware(datetime.combine(today + timedelta(days=offset), time(hour)))
            moments.append((starts, starts + timedelta(hours=hours)))
        event = Event.objects.create(
            community=community,
            title=title,
            kind=kind,
            description=f"Part of {community.title}'s programme. Bring a question from your classroom.",
            place=DEMO_PLACE if kind != "webinar" else "",
            online_link=DEMO_LINK if kind != "meeting" else "",
            capacity=capacity,
            created_by=lead,
            starts_at=moments[0][0],
            ends_at=moments[-1][1],
        )
        made += 1
        scheduled_at = moments[0][0] - timedelta(days=30)
        states.record(event, action="status:scheduled", by=lead, to_status="scheduled", at=scheduled_at)
        dates = [EventDate.objects.create(event=event, starts_at=s, ends_at=e) for s, e in moments]
        for n, person in enumerate(people):
            status = (
                EventRegistration.Status.REGISTERED if n < capacity else EventRegistration.Status.WAITLISTED
            )
            registration = EventRegistration.objects.create(
                event=event,
                person=person,
                status=status,
                created_at=scheduled_at + timedelta(days=1, hours=n),
            )
            states.record(
                registration,
                action=f"status:{status}",
                by=person,
                to_status=status,
                at=registration.created_at,
            )
            if status != EventRegistration.Status.REGISTERED:
                continue
            for number, d in enumerate(dates):
                # Most came; every fourth person missed a date. Only dates already begun count.
                if d.starts_at <= timezone.now() and (n + number + 1) % 4:
                    EventAttendance.objects.create(
                        registration=registration, date=d, marked_by=lead, marked_at=d.starts_at
                    )
        if held:
            states.move(event, Event.Status.HELD, by=lead, allowed=Event.MOVES, note="Demo: held as planned.")
            event_services.share_materials(
                event,
                by=lead,
                recording_url=f"https://video.example.org/demo-event-{event.pk}",
                slides_url=f"https://example.org/demo-event-{event.pk}-slides.pdf",
            )
    # Those who came earn the dates' hours on "My learning" (the same path as the roster's taps).
    from communities.learning import credit_all

    credit_all()
    return made
