"""Practice facilitations on a rubric: scores in range, the rule deciding the result, who scores."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from institutes import practice, services
from institutes.models import Application, PracticeFeedback, PracticeResult, Rubric
from portal import states
from tests.factories import UserFactory
from tests.institutes.factories import (
    ApplicationFactory,
    InstituteFactory,
    coordinator_of,
    facilitation_for,
    rubric_for,
)

pytestmark = pytest.mark.django_db
Role = PracticeFeedback.Role


def accepted(institute, **kwargs):
    return ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED, **kwargs)


def levels(rubric: Rubric, *values: int) -> dict[int, int]:
    return dict(zip(rubric.criteria.values_list("pk", flat=True), values, strict=True))


# --- scores in range --------------------------------------------------------------------------


def test_score_out_of_range_is_refused_with_a_message():
    application = accepted(InstituteFactory())
    facilitation = facilitation_for(application)
    coordinator = coordinator_of(application.institute)
    with pytest.raises(practice.PracticeError) as refused:
        practice.score(
            facilitation,
            scorer=coordinator,
            role=Role.COORDINATOR,
            levels=levels(facilitation.rubric, 3, 5, 2),
            comments="",
        )
    assert str(refused.value) == "Score “Questions that invite talk” from 1 to 4; 5 is out of range."
    assert PracticeFeedback.objects.count() == 0
    with pytest.raises(practice.PracticeError) as zero:
        practice.score(
            facilitation,
            scorer=coordinator,
            role=Role.COORDINATOR,
            levels=levels(facilitation.rubric, 0, 3, 3),
            comments="",
        )
    assert str(zero.value) == "Score “Opening and purpose” from 1 to 4; 0 is out of range."


def test_score_missing_a_criterion_is_refused():
    application = accepted(InstituteFactory())
    facilitation = facilitation_for(application)
    first = facilitation.rubric.criteria.first()
    with pytest.raises(practice.PracticeError) as refused:
        practice.score(facilitation, scorer=UserFactory(), role=Role.PEER, levels={first.pk: 3}, comments="")
    assert str(refused.value) == "Give a score for “Questions that invite talk”."


def test_score_out_of_range_posted_shows_the_message_next_to_the_field(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    facilitation = facilitation_for(accepted(institute))
    criteria = list(facilitation.rubric.criteria.all())
    data = {f"c{c.pk}": "3" for c in criteria} | {f"c{criteria[0].pk}": "9", "comments": "Warm and clear."}
    response = client_for(coordinator).post(
        reverse("institutes:practice-detail", kwargs={"pk": facilitation.pk}), data
    )
    assert response.status_code == 200
    assert "Score “Opening and purpose” from 1 to 4; 9 is out of range." in response.content.decode()
    assert "Warm and clear." in response.content.decode()  # nothing typed is lost
    assert PracticeFeedback.objects.count() == 0


# --- the rule computes the result -------------------------------------------------------------


def test_every_criterion_rule_passes_on_the_mean_of_coordinators_and_mentors_only():
    institute = InstituteFactory()
    application = accepted(institute)
    peer = accepted(institute).applicant
    coordinator = coordinator_of(institute)
    facilitation = facilitation_for(application)
    rubric = facilitation.rubric
    # A peer's high scores decide nothing.
    practice.score(
        facilitation, scorer=peer, role=Role.PEER, levels=levels(rubric, 4, 4, 4), comments="Great!"
    )
    assert not PracticeResult.objects.filter(application=application).exists()
    # The coordinator's 2 on timing: not yet.
    practice.score(
        facilitation, scorer=coordinator, role=Role.COORDINATOR, levels=levels(rubric, 3, 4, 2), comments=""
    )
    result = PracticeResult.objects.get(application=application)
    assert result.result == PracticeResult.Result.NOT_YET
    assert result.basis == PracticeResult.Basis.RUBRIC
    # A second counted scorer's 4 on timing brings the mean to 3.0: passed.
    other = coordinator_of(institute)
    practice.score(
        facilitation, scorer=other, role=Role.COORDINATOR, levels=levels(rubric, 3, 3, 4), comments=""
    )
    result.refresh_from_db()
    assert result.result == PracticeResult.Result.PASSED
    assert result.rubric == rubric
    moves = [(e.from_status, e.to_status) for e in states.history(result)]
    assert moves == [("", "not_yet"), ("not_yet", "passed")]


def test_at_least_rule_passes_with_enough_criteria_at_the_pass_level():
    institute = InstituteFactory()
    rubric = rubric_for(institute.module, rule=Rubric.Rule.AT_LEAST, min_criteria=2)
    application = accepted(institute)
    coordinator = coordinator_of(institute)
    facilitation = facilitation_for(application, rubric=rubric)
    practice.score(
        facilitation, scorer=coordinator, role=Role.COORDINATOR, levels=levels(rubric, 3, 2, 2), comments=""
    )
    assert PracticeResult.objects.get(application=application).result == "not_yet"
    practice.score(
        facilitation, scorer=coordinator, role=Role.COORDINATOR, levels=levels(rubric, 3, 2, 4), comments=""
    )
    assert PracticeResult.objects.get(application=application).result == "passed"
    assert rubric.rule_text == (
        "Passed when coordinators' and mentors' scores average 3 or more on at least 2 criteria."
    )


def test_a_later_passing_facilitation_passes_and_the_roster_counts_it():
    institute = InstituteFactory()
    application = accepted(institute)
    coordinator = coordinator_of(institute)
    first = facilitation_for(application, topic="First try")
    practice.score(
        first, scorer=coordinator, role=Role.COORDINATOR, levels=levels(first.rubric, 1, 2, 2), comments=""
    )
    row = services.completion_roster(institute)[0]
    assert row.missing == ["Practice facilitation not passed yet under the rubric's rule"]
    second = facilitation_for(application, topic="Second try")
    practice.score(
        second, scorer=coordinator, role=Role.COORDINATOR, levels=levels(second.rubric, 3, 3, 3), comments=""
    )
    assert services.completion_roster(institute)[0].missing == []


def test_result_recorded_before_rubrics_stands_until_a_counted_score():
    institute = InstituteFactory()
    application = accepted(institute)
    PracticeResult.objects.create(
        application=application, result=PracticeResult.Result.PASSED, basis=PracticeResult.Basis.RECORDED
    )
    facilitation = facilitation_for(application)
    practice.score(
        facilitation,
        scorer=accepted(institute).applicant,
        role=Role.PEER,
        levels=levels(facilitation.rubric, 1, 1, 1),
        comments="",
    )
    assert PracticeResult.objects.get(application=application).basis == PracticeResult.Basis.RECORDED
    practice.score(
        facilitation,
        scorer=coordinator_of(institute),
        role=Role.COORDINATOR,
        levels=levels(facilitation.rubric, 4, 4, 3),
        comments="",
    )
    result = PracticeResult.objects.get(application=application)
    assert (result.result, result.basis) == ("passed", "rubric")


# --- the rubric is frozen once used ----------------------------------------------------------


def test_changing_a_scored_rubric_makes_a_new_version_and_moves_unscored_facilitations():
    institute = InstituteFactory()
    coordinator = coordinator_of(institute)
    scored = facilitation_for(accepted(institute))
    unscored = facilitation_for(accepted(institute))
    v1 = scored.rubric
    # Unused: changed in place.
    assert rubric_for(institute.module, criteria=("A", "B", "C")).pk == v1.pk
    practice.score(scored, scorer=coordinator, role=Role.COORDINATOR, levels=levels(v1, 3, 3, 3), comments="")
    assert rubric_for(institute.module, criteria=("A", "B", "C")).pk == v1.pk  # unchanged: no new version
    v2 = rubric_for(institute.module, criteria=("Opening", "Closing"))
    assert (v1.version, v2.version) == (1, 2)
    assert list(v1.criteria.values_list("title", flat=True)) == ["A", "B", "C"]
    scored.refresh_from_db()
    unscored.refresh_from_db()
    assert (scored.rubric_id, unscored.rubric_id) == (v1.pk, v2.pk)


def test_rubric_needs_a_description_for_every_level():
    module = InstituteFactory().module
    with pytest.raises(practice.PracticeError) as refused:
        practice.save_rubric(
            module,
            levels=4,
            rule="every",
            pass_level=3,
            min_criteria=None,
            criteria=[practice.CriterionData("Opening", ["one", "two"])],
            by=UserFactory(),
        )
    assert str(refused.value) == "Describe each of the 4 levels of “Opening”."


def test_rubric_page_saves_criteria_and_the_rule(client_for, coordinator):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    url = reverse("institutes:rubric", kwargs={"slug": institute.module.slug})
    data = {
        "levels": "4",
        "rule": "at_least",
        "pass_level": "3",
        "min_criteria": "1",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-title": "Opening",
        "criteria-0-level_descriptions": "Absent\nBrief\nClear\nClear and inviting",
        "criteria-1-title": "",
        "criteria-1-level_descriptions": "",
    }
    response = client_for(coordinator).post(url, data)
    assert response.status_code == 302
    rubric = Rubric.objects.get(module=institute.module)
    assert (rubric.rule, rubric.min_criteria) == ("at_least", 1)
    assert rubric.criteria.get().level_descriptions == ["Absent", "Brief", "Clear", "Clear and inviting"]


# --- who scores, who reads -----------------------------------------------------------------


def test_roles_who_score_and_nobody_scores_themselves():
    from institutes import permissions

    institute = InstituteFactory()
    application = accepted(institute)
    peer = accepted(institute).applicant
    outsider = accepted(InstituteFactory()).applicant
    coordinator = coordinator_of(institute)
    facilitation = facilitation_for(application)
    assert permissions.practice_role(coordinator, facilitation) == Role.COORDINATOR
    assert permissions.practice_role(peer, facilitation) == Role.PEER
    assert permissions.practice_role(application.applicant, facilitation) is None
    assert permissions.practice_role(outsider, facilitation) is None


def test_participant_sees_named_feedback_and_a_peer_sees_only_their_own(client_for):
    institute = InstituteFactory()
    application = accepted(institute)
    ben = accepted(institute, applicant=UserFactory(name="Ben Peer")).applicant
    cleo = accepted(institute, applicant=UserFactory(name="Cleo Peer")).applicant
    facilitation = facilitation_for(application)
    rubric = facilitation.rubric
    practice.score(
        facilitation, scorer=ben, role=Role.PEER, levels=levels(rubric, 3, 3, 3), comments="zq-ben-says"
    )
    practice.score(
        facilitation, scorer=cleo, role=Role.PEER, levels=levels(rubric, 2, 2, 2), comments="zq-cleo-says"
    )
    own = (
        client_for(application.applicant)
        .get(reverse("institutes:application-practice", kwargs={"pk": application.pk}))
        .content.decode()
    )
    assert "zq-ben-says" in own
    assert "Ben Peer" in own
    assert "zq-cleo-says" in own
    as_ben = (
        client_for(ben)
        .get(reverse("institutes:practice-detail", kwargs={"pk": facilitation.pk}))
        .content.decode()
    )
    assert "zq-ben-says" in as_ben
    assert "zq-cleo-says" not in as_ben
    assert (
        client_for(ben)
        .get(reverse("institutes:application-practice", kwargs={"pk": application.pk}))
        .status_code
        == 404
    )


def test_facilitation_needs_a_rubric_and_an_accepted_participant():
    institute = InstituteFactory()
    application = accepted(institute)
    with pytest.raises(practice.PracticeError) as no_rubric:
        practice.add_facilitation(
            application, topic="Norms", given_on=timezone.localdate(), session=None, by=application.applicant
        )
    assert "has not set a rubric" in str(no_rubric.value)
    rubric_for(institute.module)
    waiting = ApplicationFactory(institute=institute, status=Application.Status.SUBMITTED)
    with pytest.raises(practice.PracticeError):
        practice.add_facilitation(
            waiting, topic="Norms", given_on=timezone.localdate(), session=None, by=waiting.applicant
        )


def test_facilitation_in_the_future_is_refused_next_to_the_date(client_for):
    institute = InstituteFactory()
    rubric_for(institute.module)
    application = accepted(institute)
    url = reverse("institutes:application-practice", kwargs={"pk": application.pk})
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_for(application.applicant).post(
        url, {"topic": "Norms", "given_on": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert "A practice facilitation is added once it has been given, not ahead." in response.content.decode()
    assert application.practice_facilitations.count() == 0


def test_practice_page_queries_do_not_grow_with_facilitations(client_for, django_assert_max_num_queries):
    institute = InstituteFactory()
    application = accepted(institute)
    coordinator = coordinator_of(institute)
    for n in range(6):
        facilitation = facilitation_for(application, topic=f"Try {n}")
        practice.score(
            facilitation,
            scorer=coordinator,
            role=Role.COORDINATOR,
            levels=levels(facilitation.rubric, 2, 2, 2),
            comments="",
        )
    client = client_for(application.applicant)
    url = reverse("institutes:application-practice", kwargs={"pk": application.pk})
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_cohort_practice_list_queries_do_not_grow_and_it_pages(client_for, django_assert_max_num_queries):
    institute = InstituteFactory()
    participants = [accepted(institute) for _ in range(6)]
    for application in participants:
        for n in range(5):
            facilitation_for(application, topic=f"Try {n}")
    client = client_for(participants[0].applicant)
    url = reverse("institutes:institute-practice", kwargs={"slug": institute.slug})
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 30


def test_practice_page_shows_how_the_result_changed(client_for):
    institute = InstituteFactory()
    application = accepted(institute)
    coordinator = coordinator_of(institute, UserFactory(name="Cora Coordinator"))
    facilitation = facilitation_for(application)
    rubric = facilitation.rubric
    practice.score(
        facilitation, scorer=coordinator, role=Role.COORDINATOR, levels=levels(rubric, 2, 2, 2), comments=""
    )
    practice.score(
        facilitation, scorer=coordinator, role=Role.COORDINATOR, levels=levels(rubric, 3, 3, 3), comments=""
    )
    page = (
        client_for(application.applicant)
        .get(reverse("institutes:application-practice", kwargs={"pk": application.pk}))
        .content.decode()
    )
    assert ": Not yet (after Cora Coordinator's scores)</li>" in page
    assert ": Passed (after Cora Coordinator's scores)</li>" in page


def test_the_participant_hears_of_each_persons_feedback_once(mailoutbox, django_capture_on_commit_callbacks):
    institute = InstituteFactory()
    application = accepted(institute)
    coordinator = coordinator_of(institute, UserFactory(name="Cora Coordinator"))
    facilitation = facilitation_for(application, topic="Norms for the room")
    rubric = facilitation.rubric
    with django_capture_on_commit_callbacks(execute=True):
        practice.score(
            facilitation,
            scorer=coordinator,
            role=Role.COORDINATOR,
            levels=levels(rubric, 2, 2, 2),
            comments="",
        )
    with django_capture_on_commit_callbacks(execute=True):
        practice.score(
            facilitation,
            scorer=coordinator,
            role=Role.COORDINATOR,
            levels=levels(rubric, 3, 3, 3),
            comments="",
        )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([application.applicant.email], "Feedback on your practice facilitation: Norms for the room")
    ]
    assert "Cora Coordinator (coordinator) scored your practice facilitation" in mailoutbox[0].body
