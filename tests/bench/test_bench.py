"""The benchmark's seeders and ceilings still fit the apps' models and URLs (make bench itself is a script)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from bench import reminders
from bench.seed import Scale, seed
from communities.models import Post, Thread
from institutes.models import Application, Institute
from portal.learning.models import LearningCredit
from portal.models import OutboundEmail, User
from portal.reminders import portal_today
from portal.surveys.models import Answer
from trainers.models import Certification, SessionAttendance, TurnkeyTraining


@pytest.mark.django_db
def test_seed_builds_the_smallest_data_set_and_names_the_benched_objects():
    scale = Scale.of(0.001)

    seeded = seed(scale, log=lambda *args: None)

    assert Application.objects.count() == scale.applications + 4
    assert Post.objects.count() == scale.posts
    assert Post.objects.filter(thread_id=seeded.thread_pk).count() == scale.big_thread_posts
    assert Institute.objects.get(slug=seeded.institute_slug).status == Institute.Status.OPEN
    assert Certification.objects.filter(participant_id=seeded.participant_pk).count() == 1
    assert TurnkeyTraining.objects.held().count() == scale.held_trainings
    assert SessionAttendance.objects.exists()
    assert Answer.objects.count() == scale.survey_answers
    assert LearningCredit.objects.count() == scale.learning_credits
    assert (
        LearningCredit.objects.of(User.objects.get(pk=seeded.participant_pk))
        .in_year(timezone.localdate().year)
        .count()
        == scale.transcript_credits
    )
    assert (
        Thread.objects.get(pk=seeded.thread_pk)
        .community.memberships.filter(user_id=seeded.member_pk)
        .exists()
    )


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_ceilings_answer_with_no_query_and_one_query(django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        text = client.get(reverse("bench-text"))
    with django_assert_num_queries(1):
        page = client.get(reverse("bench-one-query"))

    assert (text.status_code, text.content) == (200, b"ok")
    assert page.status_code == 200
    assert b"<h1>Agencies</h1>" in page.content


@pytest.mark.django_db
def test_reminder_bench_records_each_reminder_once_and_nothing_on_its_second_run():
    reminders.seed(0.01, portal_today())

    first = reminders.run_scans(batch_size=100)
    second = reminders.run_scans(batch_size=100)

    assert first["new_ledger_rows"] == first["queued"] == OutboundEmail.objects.count() > 0
    assert (second["new_ledger_rows"], second["queued"]) == (0, 0)
    assert second["already_recorded"] == first["queued"]
