"""Mentoring: who may offer, pairing by region and load within capacity, what a mentor sees."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from institutes import practice
from institutes.models import Application, Institute, PracticeResult
from tests.factories import AgencyFactory, UserFactory
from tests.institutes.factories import ApplicationFactory, InstituteFactory, coordinator_of, facilitation_for
from tests.trainers.factories import ModuleFactory, ProfileFactory, certified_trainer
from trainers import mentoring
from trainers.impact import Filters
from trainers.impact import mentoring as mentoring_counts
from trainers.models import Mentorship

pytestmark = pytest.mark.django_db


def accepted(institute, **kwargs):
    return ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED, **kwargs)


def mentor_of(module, *, region="", capacity=2, **user_kwargs):
    trainer, _ = certified_trainer(module, **user_kwargs)
    return mentoring.offer_to_mentor(trainer, module=module, region=region, capacity=capacity)


def test_offer_needs_an_active_certification_of_the_module():
    institute = InstituteFactory()
    trainer, _ = certified_trainer(ModuleFactory(title="Reading Apprenticeship"))  # another module
    with pytest.raises(mentoring.MentoringError) as refused:
        mentoring.offer_to_mentor(trainer, module=institute.module, region="", capacity=2)
    assert str(refused.value) == (
        f"Mentoring is offered for a module you hold an active certification for; {institute.module} is not one."
    )


def test_suggestions_put_the_participants_region_first_then_the_lightest_load(django_assert_max_num_queries):
    institute = InstituteFactory()
    module = institute.module
    capital = AgencyFactory(region="Capital")
    busy_local = mentor_of(module, region="Capital", capacity=3, name="Busy Local")
    free_far = mentor_of(module, region="Coast", name="Free Far")
    light_local = mentor_of(module, region="Capital", name="Light Local")
    full = mentor_of(module, region="Capital", capacity=1, name="Full Mentor")
    mentoring.pair(busy_local, accepted(institute), by=None)
    mentoring.pair(full, accepted(institute), by=None)
    newcomer = accepted(institute, agency=capital)
    with django_assert_max_num_queries(3):
        rows = mentoring.suggestions(institute)
    row = next(r for r in rows if r.application.pk == newcomer.pk)
    assert [o.pk for o in row.offers] == [light_local.pk, busy_local.pk, free_far.pk]
    assert [o.load for o in row.offers] == [0, 1, 0]


def test_pairing_refuses_beyond_capacity_and_a_second_mentor():
    institute = InstituteFactory()
    offer = mentor_of(institute.module, capacity=1, name="Mia Mentor")
    first, second = accepted(institute), accepted(institute)
    mentoring.pair(offer, first, by=None)
    with pytest.raises(mentoring.MentoringError) as full:
        mentoring.pair(offer, second, by=None)
    assert str(full.value) == "Mia Mentor already mentors 1 of the 1 people they offered to."
    other = mentor_of(institute.module)
    with pytest.raises(mentoring.MentoringError) as taken:
        mentoring.pair(other, first, by=None)
    assert str(taken.value) == f"{first.applicant.display_name} already has a mentor: end that pairing first."


def test_pairing_needs_the_same_module_and_a_cohort_not_completed():
    institute = InstituteFactory()
    elsewhere = mentor_of(InstituteFactory().module)
    with pytest.raises(mentoring.MentoringError):
        mentoring.pair(elsewhere, accepted(institute), by=None)
    done = InstituteFactory(status=Institute.Status.COMPLETED)
    with pytest.raises(mentoring.MentoringError) as completed:
        mentoring.pair(mentor_of(done.module), accepted(done), by=None)
    assert "completed" in str(completed.value)


def test_coordinator_pairs_from_the_page_and_ends_the_pairing(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    offer = mentor_of(institute.module, name="Mia Mentor")
    application = accepted(institute)
    client = client_for(coordinator)
    url = reverse("trainers:mentor-pairs", kwargs={"slug": institute.slug})
    assert "Mia Mentor" in client.get(url).content.decode()
    client.post(url, {"application": application.pk, "offer": offer.pk})
    mentorship = Mentorship.objects.active().get(application=application)
    assert mentorship.mentor == offer.trainer
    client.post(url, {"end": "1", "mentorship": mentorship.pk})
    assert not Mentorship.objects.active().exists()


def test_pairing_page_queries_do_not_grow_with_participants(
    client_for, coordinator, django_assert_max_num_queries
):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    for _ in range(4):
        mentor_of(institute.module)
    for _ in range(12):
        accepted(institute)
    client = client_for(coordinator)
    url = reverse("trainers:mentor-pairs", kwargs={"slug": institute.slug})
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["rows"]) == 12


def test_mentor_sees_only_their_mentees(client_for):
    institute = InstituteFactory()
    offer = mentor_of(institute.module)
    mentor = offer.trainer
    mentee, stranger = accepted(institute), accepted(institute)
    mine = mentoring.pair(offer, mentee, by=None)
    theirs = mentoring.pair(mentor_of(institute.module), stranger, by=None)
    stranger_facilitation = facilitation_for(stranger)
    client = client_for(mentor)
    assert client.get(reverse("trainers:mentee", kwargs={"pk": mine.pk})).status_code == 200
    assert client.get(reverse("trainers:mentee", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("institutes:application-practice", kwargs={"pk": mentee.pk})).status_code == 200
    assert (
        client.get(reverse("institutes:application-practice", kwargs={"pk": stranger.pk})).status_code == 404
    )
    practice_url = reverse("institutes:practice-detail", kwargs={"pk": stranger_facilitation.pk})
    assert client.get(practice_url).status_code == 404
    # Once the pairing ends, the mentee's pages close too.
    mentoring.end_pairing(mine, by=None)
    assert client.get(reverse("trainers:mentee", kwargs={"pk": mine.pk})).status_code == 404
    assert client.get(reverse("institutes:application-practice", kwargs={"pk": mentee.pk})).status_code == 404


def test_mentors_scores_count_towards_the_result(client_for):
    institute = InstituteFactory()
    offer = mentor_of(institute.module)
    mentee = accepted(institute)
    mentoring.pair(offer, mentee, by=None)
    facilitation = facilitation_for(mentee)
    criteria = list(facilitation.rubric.criteria.all())
    response = client_for(offer.trainer).post(
        reverse("institutes:practice-detail", kwargs={"pk": facilitation.pk}),
        {**{f"c{c.pk}": "3" for c in criteria}, "comments": "Your questions opened the room."},
    )
    assert response.status_code == 302
    feedback = facilitation.feedback.get()
    assert (feedback.scorer, feedback.role) == (offer.trainer, "mentor")
    assert PracticeResult.objects.get(application=mentee).result == "passed"


def test_meetings_are_logged_once_held():
    institute = InstituteFactory()
    offer = mentor_of(institute.module)
    pairing = mentoring.pair(offer, accepted(institute), by=None)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(mentoring.MentoringError) as refused:
        mentoring.log_meeting(pairing, met_on=tomorrow, notes="Plan", by=offer.trainer)
    assert str(refused.value) == "Log a meeting once it has taken place."
    meeting = mentoring.log_meeting(
        pairing, met_on=timezone.localdate(), notes="Planned the practice.", by=offer.trainer
    )
    assert list(pairing.meetings.all()) == [meeting]


def test_mentee_page_shows_progress_and_logs_a_meeting(client_for):
    institute = InstituteFactory()
    offer = mentor_of(institute.module)
    mentee = accepted(institute)
    pairing = mentoring.pair(offer, mentee, by=None)
    facilitation = facilitation_for(mentee, topic="Norms for the room")
    scores = dict.fromkeys(facilitation.rubric.criteria.values_list("pk", flat=True), 2)
    practice.score(facilitation, scorer=UserFactory(), role="coordinator", levels=scores, comments="")
    client = client_for(offer.trainer)
    url = reverse("trainers:mentee", kwargs={"pk": pairing.pk})
    page = client.get(url).content.decode()
    assert "Norms for the room" in page
    assert "Not yet" in page
    client.post(url, {"met_on": timezone.localdate().isoformat(), "notes": "We rehearsed the opening."})
    assert pairing.meetings.get().notes == "We rehearsed the opening."


def test_reach_counts_mentors_and_mentees_and_the_directory_shows_mentoring(client):
    institute = InstituteFactory()
    offer = mentor_of(institute.module, name="Mia Mentor")
    ProfileFactory(user=offer.trainer)
    for _ in range(2):
        mentoring.pair(offer, accepted(institute), by=None)
    mentoring.pair(mentor_of(institute.module), accepted(institute), by=None)
    assert mentoring_counts(Filters()) == {"mentors": 2, "mentees": 3, "active": 3}
    assert mentoring_counts(Filters(institute_id=InstituteFactory().pk)) == {
        "mentors": 0,
        "mentees": 0,
        "active": 0,
    }
    page = client.get(reverse("trainers:directory")).content.decode()
    assert f"Mentors new trainers in:</span> {institute.module.title} (2 mentees now)" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_twenty_pairings_at_once_never_exceed_the_offers_capacity():
    institute = InstituteFactory()
    offer = mentor_of(institute.module, capacity=3)
    participants = [accepted(institute) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def pair(application):
        try:
            barrier.wait()
            mentoring.pair(offer, application, by=None)
            outcomes.append("paired")
        except mentoring.MentoringError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=pair, args=(a,)) for a in participants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full"] * 17 + ["paired"] * 3
    assert Mentorship.objects.active().filter(offer=offer).count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_twenty_mentors_pairing_one_participant_at_once_make_one_pairing():
    institute = InstituteFactory()
    application = accepted(institute)
    offers = [mentor_of(institute.module) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def pair(offer):
        try:
            barrier.wait()
            mentoring.pair(offer, application, by=None)
            outcomes.append("paired")
        except mentoring.MentoringError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pair, args=(o,)) for o in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paired"] + ["refused"] * 19
    assert Mentorship.objects.active().filter(application=application).count() == 1


def test_pairing_tells_the_mentor_and_the_mentee_once(mailoutbox, django_capture_on_commit_callbacks):
    institute = InstituteFactory()
    offer = mentor_of(institute.module, name="Mia Mentor")
    application = accepted(institute, applicant=UserFactory(name="Nora Newcomer"))
    with django_capture_on_commit_callbacks(execute=True):
        mentorship = mentoring.pair(offer, application, by=None)
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (offer.trainer.email, "You now mentor Nora Newcomer"),
            (application.applicant.email, "Mia Mentor is your mentor"),
        ]
    )
    to_mentor = next(m for m in mailoutbox if m.to == [offer.trainer.email])
    assert reverse("trainers:mentee", kwargs={"pk": mentorship.pk}) in to_mentor.body
