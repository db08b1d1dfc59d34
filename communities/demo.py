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
    if stdout:
        stdout.write(f"Communities: {Community.objects.count()} in the demo world")
