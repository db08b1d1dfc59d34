"""The portal's part of the demo world: agencies, the staff groups' people and applicants.

Every step looks up before it creates, so running the seed twice changes nothing.
"""

from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from portal.agencies import import_agencies
from portal.models import Agency, User

DEMO_PASSWORD = "learn-together-2026"
# A published demo secret: add it to an authenticator app to sign in as a staff member.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AGENCIES_CSV = Path(__file__).parent / "demo_data" / "agencies.csv"

DEMO_USERS = [
    # email, name, groups, superuser, agency, position
    ("admin@tot.example.org", "Avery Admin", [], True, None, "Portal administrator"),
    ("coordinator@tot.example.org", "Marcela Movit", ["Coordinators"], False, None, "ToT coordinator"),
    ("coordinator2@tot.example.org", "Devin Okafor", ["Coordinators"], False, None, "ToT coordinator"),
    ("finance@tot.example.org", "Farah Nguyen", ["Finance"], False, None, "Program accountant"),
    ("state@tot.example.org", "Rosa Delgado", ["State office"], False, None, "State adult education office"),
    ("ana@scusd.edu", "Ana Torres", [], False, "Sacramento City Unified School District", "ESL teacher"),
    (
        "ben@scusd.edu",
        "Ben Whitaker",
        [],
        False,
        "Sacramento City Unified School District",
        "Assistant principal",
    ),
    ("chloe@fresnounified.org", "Chloé Dubois", [], False, "Fresno Unified School District", "ABE teacher"),
    (
        "trainer@egusd.net",
        "Tomás Reyes",
        [],
        False,
        "Elk Grove Unified School District",
        "Teacher on special assignment",
    ),
    (
        "trainer2@lbschools.net",
        "Grace Kim",
        [],
        False,
        "Long Beach Unified School District",
        "ESL lead teacher",
    ),
    # A planning network's team lead (with Tomás, from the same LEA) and a paraprofessional in the
    # levelled series (Level 1 certified, applying to Level 2).
    (
        "priya@egusd.net",
        "Priya Natarajan",
        [],
        False,
        "Elk Grove Unified School District",
        "Director of English learner programs",
    ),
    (
        "maria@twinriversusd.org",
        "María López",
        [],
        False,
        "Twin Rivers Unified School District",
        "Paraprofessional",
    ),
]

# The rest of the completed institute's cohort: certified trainers across the regions, so the
# impact pages have more than a handful of people to count. Not demo logins.
DEMO_COHORT = [
    ("mfernandez@ousd.org", "Marisol Fernández", "Oakland Unified School District", "Adult ESL teacher"),
    ("dchen@fresnounified.org", "David Chen", "Fresno Adult School", "ABE teacher"),
    ("aokoye@sdccd.edu", "Adaeze Okoye", "San Diego Continuing Education", "ESL instructor"),
    ("rmiller@butte.edu", "Ruth Miller", "Butte College", "Adult basic education coordinator"),
    ("kthao@twinriversusd.org", "Kou Thao", "Twin Rivers Unified School District", "Instructional aide lead"),
]
# Everyone certified by the completed demo institute: the two demo trainers and the cohort.
CERTIFIED_EMAILS = ["trainer@egusd.net", "trainer2@lbschools.net", *(row[0] for row in DEMO_COHORT)]


def seed(stdout=None) -> None:
    report = import_agencies(AGENCIES_CSV.read_text(encoding="utf-8"))
    if stdout:
        stdout.write(f"Agencies: {report.summary()}")
    cohort = [(email, name, [], False, agency, position) for email, name, agency, position in DEMO_COHORT]
    for email, name, groups, superuser, agency_name, position in DEMO_USERS + cohort:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                name=name,
                position=position,
                is_superuser=superuser,
                is_staff=superuser,
                agency=Agency.objects.filter(name=agency_name).first() if agency_name else None,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for group in groups:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        if (superuser or groups) and not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
