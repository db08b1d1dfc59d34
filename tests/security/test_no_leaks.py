"""No page leaks what its reader may not see: dashboards, lists, search, feeds and detail pages.

Private text is planted in the world's objects as unique words; the spider then reads every page
each role can reach (plus the objects' own addresses and a search for each word) and the words
must appear for exactly the roles the table names.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.learning.models import LearningCredit
from tests.quality.spider import crawl
from tests.security.conftest import ROLES
from tests.security.test_csrf import _starts

COORDS = {"coordinator", "other_coordinator", "admin"}
SECRETS = {
    # word: (who may read it, where it is planted)
    "zqmemberspost": {"applicant", "trainer", *COORDS},
    "zqprivateplan": {"applicant"},
    "zqsharedplan": {"applicant", "trainer", *COORDS},
    "zqbenplan": {"other_applicant"},
    "zqanastatement": {"applicant", "coordinator", "admin"},
    # A report: its facilitator, the coordinator of its module's institute, the state office.
    "zqtessreflection": {"trainer", "coordinator", "admin", "state_office"},
    "zqmembersresource": {"applicant", "trainer", *COORDS},
    "zqreportreason": {*COORDS},
    "zqregistrant": {"trainer", "state_office", *COORDS},
    # A team plan's work: the team (Ana, Tess) and the network's coordinator (Cora) at the follow-up.
    "zqteamwork": {"applicant", "trainer", "coordinator", "admin"},
    # Ben's feedback on Ana's practice: Ana, Ben, her mentor Tess, the institute's coordinator.
    "zqpeerfeedback": {"applicant", "other_applicant", "trainer", "coordinator", "admin"},
    # Tess's notes of a meeting with her mentee Ana: Tess and the institute's coordinator.
    "zqmeetingnote": {"trainer", "coordinator", "admin"},
    # An agency's request: the requester, the trainer it is offered to, coordinators.
    "zqrequestnote": {"applicant", "trainer", *COORDS},
    # A members-only community's webinar: its title for the members, its link only for Ana, who
    # holds a place (Tess is a member without one), and for those who run it.
    "zqmembersevent": {"applicant", "trainer", *COORDS},
    "zqwebinarlink": {"applicant", *COORDS},
    # What Ana attended is hers (her transcript and record) and the program's: the coordinators'
    # and state office's export lists every session; the public verify page shows totals only.
    "zqanalearning": {"applicant", "state_office", *COORDS},
}


def _plant(w):
    w.post.body = "Our zqmemberspost idea"
    w.post.save()
    w.plan.goals = "zqprivateplan"
    w.plan.save()
    w.shared_plan.goals = "zqsharedplan"
    w.shared_plan.save()
    w.other_plan.goals = "zqbenplan"
    w.other_plan.save()
    w.application.statement = "zqanastatement"
    w.application.save()
    w.trainer_report.reflection = "zqtessreflection"
    w.trainer_report.save()
    w.resource.description = "zqmembersresource"
    w.resource.save()
    w.report.reason = "zqreportreason"
    w.report.save()
    w.registration.name = "Rita zqregistrant"
    w.registration.email = "zqregistrant@example.org"
    w.registration.save()
    w.team_step.notes = "zqteamwork"
    w.team_step.save()
    w.facilitation.feedback.filter(scorer=w.users["other_applicant"]).update(comments="zqpeerfeedback")
    w.meeting.notes = "zqmeetingnote"
    w.meeting.save()
    w.training_request.notes = "zqrequestnote"
    w.training_request.save()
    w.event.title = "Members' zqmembersevent webinar"
    w.event.online_link = "https://meet.example.org/zqwebinarlink"
    w.event.save()
    LearningCredit.objects.filter(person=w.users["applicant"]).update(title="zqanalearning")
    w.hours_record.lines = [{**line, "title": "zqanalearning"} for line in w.hours_record.lines]
    w.hours_record.save()


def _pages(w) -> list[str]:
    return [
        *_starts(w),
        *(f"{reverse('communities:search')}?q={word}" for word in SECRETS),
        reverse("communities:plan-detail", args=[w.other_plan.pk]),
        reverse("communities:plan-detail", args=[w.team_plan.pk]),
        reverse("institutes:team-plans", args=[w.network.slug]),
        reverse("communities:resources", args=[w.community.slug]),
        reverse("communities:community-feed", args=[w.community.slug]),
        reverse("communities:community-feed", args=[w.public_community.slug]),
        reverse("communities:community-plans", args=[w.community.slug]),
        reverse("institutes:applications-csv", args=[w.institute.slug]),
        reverse("trainers:directory"),
        reverse("trainers:find-trainings"),
        reverse("trainers:training-public", args=[w.trainer_training.short_code]),
        reverse("trainers:training-flyer", args=[w.trainer_training.short_code]),
        reverse("trainers:training-registrants", args=[w.trainer_training.pk]),
        reverse("trainers:training-registrants", args=[w.other_trainer_training.pk]),
        reverse("trainers:training-roster", args=[w.trainer_training.pk]),
        reverse("trainers:training-report", args=[w.held_training.pk]),
        reverse("trainers:check-in", args=[w.trainer_training.short_code]),
        reverse("institutes:institute-practice", args=[w.institute.slug]),
        reverse("institutes:application-practice", args=[w.application.pk]),
        reverse("institutes:practice-detail", args=[w.facilitation.pk]),
        reverse("trainers:my-mentoring"),
        reverse("trainers:mentee", args=[w.mentorship.pk]),
        reverse("trainers:mentor-pairs", args=[w.institute.slug]),
        reverse("trainers:request", args=[w.training_request.pk]),
        reverse("trainers:request-offer", args=[w.request_offer.pk]),
        reverse("events:list"),
        reverse("events:detail", args=[w.event.pk]),
        reverse("events:ics", args=[w.event.pk]),
        reverse("events:attendance", args=[w.event.pk]),
        reverse("learning:transcript"),
        reverse("learning:record", args=[w.hours_record.pk]),
        reverse("learning:record", args=[w.other_hours_record.pk]),
        reverse("trainers:verify-code", args=[w.hours_record.code]),
        f"{reverse('learning:export')}?start={timezone.localdate().year}-01-01&end={timezone.localdate().year}-12-31",
    ]


def _text(client, path) -> str:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode(errors="replace")


@pytest.mark.parametrize("role", ROLES)
def test_private_words_reach_exactly_their_readers(world, role):
    _plant(world)
    client = Client()
    if role != "visitor":
        client.force_login(world.users[role])
    pages, _ = crawl(client, _pages(world), limit=200)
    # A search page repeats its own query (in the box, in the heading): that is not a leak.
    echoes = _text(client, f"{reverse('communities:search')}?q=zqnothing").count("zqnothing")
    seen = set()
    for path, status in pages.items():
        if status != 200:
            continue
        text = _text(client, path)
        seen |= {word for word in SECRETS if text.count(word) > (echoes if word in path else 0)}
    expected = {word for word, readers in SECRETS.items() if role in readers}
    assert sorted(seen - expected) == [], "leaked"
    assert sorted(expected - seen) == [], "the crawl did not reach a page it should have"
