"""The survey engine's services: invitations once, answers once, frozen instruments, results."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.models import OutboundEmail
from portal.surveys import services
from portal.surveys.defaults import create_defaults
from portal.surveys.models import Answer, Instrument, Invitation, Question, Quote, Response, SurveyError
from tests import factories
from tests.surveys.factories import answers_for, invited

pytestmark = pytest.mark.django_db


def test_the_default_instruments_are_published():
    keys = set(Instrument.objects.filter(published_at__isnull=False).values_list("key", flat=True))
    assert keys == {"institute-end", "institute-session", "turnkey-post", "follow-up-90", "community-event"}
    assert services.latest_instrument("follow-up-90").anonymous is False
    assert Question.objects.filter(quotable=True).count() == 5  # one comment question per instrument


def test_invite_records_one_invitation_and_one_email_when_called_twice(
    django_capture_on_commit_callbacks, mailoutbox
):
    agency = factories.AgencyFactory(name="Elk Grove Adult School")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invite("institute-end", agency, email="Ana@Example.org", name="Ana", purpose="end")
        second = services.invite("institute-end", agency, email="ana@example.org", name="Ana", purpose="end")
    assert first.pk == second.pk
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ana@example.org"]
    assert "A few questions about Elk Grove Adult School" in mailoutbox[0].subject
    assert "/surveys/" in mailoutbox[0].body


def test_the_token_is_stored_hashed_only():
    invitation, token = invited()
    invitation.refresh_from_db()
    assert token not in invitation.token_hash
    assert services.invitation_for(token).pk == invitation.pk


def test_an_invitation_to_send_later_waits_for_the_daily_scan():
    agency = factories.AgencyFactory()
    later = timezone.now() + timedelta(days=90)
    invitation = services.invite(
        "follow-up-90", agency, email="ana@example.org", name="Ana", purpose="follow-up", send_after=later
    )
    assert invitation.sent_at is None
    assert services.send_due_invitations() == 0
    assert services.send_due_invitations(now=later + timedelta(hours=1)) == 1
    assert services.send_due_invitations(now=later + timedelta(days=1)) == 0
    assert OutboundEmail.objects.filter(kind=services.INVITATION_KIND).count() == 1


def test_answer_stores_one_response_and_refuses_a_second():
    invitation, token = invited()
    response = services.answer(token, answers_for(invitation))
    assert response.answers.count() == invitation.instrument.questions.count()
    with pytest.raises(services.AlreadyAnswered):
        services.answer(token, answers_for(invitation))
    assert Response.objects.count() == 1


def test_an_expired_or_unknown_link_is_refused():
    invitation, token = invited()
    with pytest.raises(services.LinkExpired):
        services.answer(token, answers_for(invitation), now=invitation.expires_at + timedelta(seconds=1))
    with pytest.raises(services.LinkNotValid):
        services.answer("not-a-token", {})
    assert Response.objects.count() == 0


def test_anonymous_responses_carry_no_person_and_no_time_of_day():
    person = factories.UserFactory()
    invitation, token = invited("institute-end", person=person)
    response = services.answer(token, answers_for(invitation))
    assert response.person is None
    assert not [f.name for f in Response._meta.get_fields() if f.name == "invitation"]
    local = timezone.localtime(response.submitted_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)


def test_a_named_instrument_keeps_the_person():
    person = factories.UserFactory()
    invitation, token = invited("follow-up-90", person=person)
    assert services.answer(token, answers_for(invitation)).person == person


def test_an_answered_instrument_is_frozen():
    invitation, token = invited()
    question = invitation.instrument.questions.first()
    question.prompt = "Changed before any answer"
    question.save()
    services.answer(token, answers_for(invitation))
    question.prompt = "Changed after an answer"
    with pytest.raises(SurveyError):
        question.save()
    with pytest.raises(SurveyError):
        question.delete()
    with pytest.raises(SurveyError):
        Question.objects.filter(pk=question.pk).update(prompt="Sneaky")
    with pytest.raises(SurveyError):
        Question.objects.filter(pk=question.pk).delete()
    with pytest.raises(SurveyError):
        Question.objects.create(instrument=invitation.instrument, kind="text", prompt="New")
    instrument = invitation.instrument
    instrument.anonymous = False
    with pytest.raises(SurveyError):
        instrument.save()
    assert Question.objects.get(pk=question.pk).prompt == "Changed before any answer"


def test_a_new_version_copies_the_questions_and_is_used_once_published():
    old = services.latest_instrument("institute-end")
    copy = services.new_version(old)
    assert copy.version == old.version + 1
    assert list(copy.questions.values_list("prompt", flat=True)) == list(
        old.questions.values_list("prompt", flat=True)
    )
    assert services.latest_instrument("institute-end") == old
    services.publish(copy)
    assert services.latest_instrument("institute-end") == copy


def test_a_quote_needs_consent_and_shows_once_approved():
    coordinator = factories.coordinator()
    agency = factories.AgencyFactory()
    quotable = services.latest_instrument("institute-end").questions.get(quotable=True)
    for consent in (True, False):
        invitation, token = invited(subject=agency)
        services.answer(token, answers_for(invitation, quote_consent=consent))
    quote = Quote.objects.get()
    assert quote.text == f"Comment on {quotable.prompt}"
    assert quote.subject == agency
    services.register_quote_subjects("test-region", lambda region: type(agency).objects.filter(region=region))
    assert services.approved_quotes("test-region", agency.region) == []
    services.review_quote(quote, approve=True, by=coordinator)
    assert [q.text for q in services.approved_quotes("test-region", agency.region)] == [quote.text]
    assert services.approved_quotes("test-region", "Nowhere") == []


# --- Results --------------------------------------------------------------------------------


def _groups(*sizes):
    return {f"group {i}": list(range(size)) for i, size in enumerate(sizes)}


def test_fold_three_and_four_make_seven_shown_together():
    folded = services.fold(_groups(3, 4))
    assert [(g.label, g.n, g.folded_from) for g in folded.shown] == [
        (services.FOLDED_LABEL, 7, ["group 0", "group 1"])
    ]
    assert folded.withheld == 0


def test_fold_two_and_two_are_withheld():
    folded = services.fold(_groups(2, 2))
    assert folded.shown == []
    assert folded.withheld == 4


def test_fold_five_is_shown_alone_and_a_lone_small_group_withheld():
    folded = services.fold(_groups(5, 3))
    assert [(g.label, g.n) for g in folded.shown] == [("group 0", 5)]
    assert folded.withheld == 3


def _answer_many(count: int, subject) -> None:
    for i in range(count):
        invitation, token = invited("institute-session", subject, email=f"n{i}@example.org")
        data = answers_for(invitation)
        scale = invitation.instrument.questions.filter(kind="likert").first()
        data[scale.field_name] = 1 + i % 5
        services.answer(token, data)


def test_summarize_gives_means_distributions_and_comments():
    agency = factories.AgencyFactory()
    _answer_many(5, agency)
    summaries = services.summarize(Response.objects.about(agency))
    first = summaries[0]
    assert (first.kind, first.n, first.mean) == ("likert", 5, 3.0)
    assert [count for _, count in first.distribution] == [1, 1, 1, 1, 1]
    pace = next(s for s in summaries if s.kind == "single")
    assert pace.distribution == [("Too slow", 5), ("About right", 0), ("Too fast", 0)]
    comments = next(s for s in summaries if s.is_text)
    assert comments.n == 5


def test_summarize_costs_the_same_queries_for_few_and_many_answers(django_assert_num_queries):
    few, many = factories.AgencyFactory(), factories.AgencyFactory()
    _answer_many(2, few)
    _answer_many(12, many)
    with django_assert_num_queries(4):
        services.summarize(Response.objects.about(few))
    with django_assert_num_queries(4):
        services.summarize(Response.objects.about(many))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_store_one_response():
    invitation, token = invited()
    data = answers_for(invitation)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.answer(token, data)
            outcomes.append("stored")
        except services.AlreadyAnswered:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "stored"]
    assert Response.objects.count() == 1
    assert Answer.objects.count() == invitation.instrument.questions.count()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_invitations_record_one_and_send_one_email():
    create_defaults(Instrument, Question)  # a transactional test starts from an empty database
    agency = factories.AgencyFactory()
    barrier = threading.Barrier(2)
    invited_ids = []

    def call():
        try:
            barrier.wait()
            invitation = services.invite(
                "institute-end", agency, email="ana@example.org", name="Ana", purpose="end"
            )
            invited_ids.append(invitation.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(invited_ids) == 2
    assert len(set(invited_ids)) == 1
    assert OutboundEmail.objects.filter(kind=services.INVITATION_KIND).count() == 1


def test_a_trainers_groups_are_folded_then_summarized(django_assert_num_queries):
    small, smaller, large = (factories.AgencyFactory() for _ in range(3))
    _answer_many(3, small)
    _answer_many(2, smaller)
    _answer_many(5, large)
    subjects = type(small).objects.filter(pk__in=[small.pk, smaller.pk, large.pk])
    with django_assert_num_queries(1):
        groups = services.group_by_subject(Response.objects.about(subjects))
    folded = services.fold({str(pk): items for pk, items in groups.items()})
    assert [(g.label, g.n) for g in folded.shown] == [(str(large.pk), 5), (services.FOLDED_LABEL, 5)]
    summary = services.summarize(folded.shown[1].items)[0]
    assert (summary.n, summary.kind) == (5, "likert")
