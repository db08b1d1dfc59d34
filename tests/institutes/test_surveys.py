"""The institutes' evaluations: sent the day after, to those present, once; results and quotes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from institutes import tasks
from institutes.models import Application, Attendance, Institute
from institutes.surveys import END_SURVEY, SESSION_SURVEY
from portal.models import OutboundEmail
from portal.surveys import services as surveys
from portal.surveys.models import Invitation, Quote
from tests import factories
from tests.institutes.factories import ApplicationFactory, InstituteFactory, SessionFactory

pytestmark = pytest.mark.usefixtures("survey_instruments")


def _institute_with_two_sessions(today):
    institute = InstituteFactory(status=Institute.Status.RUNNING)
    first = SessionFactory(institute=institute, date=today - dt.timedelta(days=8))
    last = SessionFactory(institute=institute, date=today - dt.timedelta(days=1))
    present, partly, absent = (
        ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED) for _ in range(3)
    )
    for application, status in ((present, "present"), (partly, "partial"), (absent, "absent")):
        Attendance.objects.create(session=last, application=application, status=status)
    Attendance.objects.create(session=first, application=absent, status="present")
    return institute, first, last, present, partly, absent


@pytest.mark.django_db
def test_evaluations_go_the_day_after_to_those_present_and_only_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    institute, first, last, present, partly, _absent = _institute_with_two_sessions(today)

    dry = tasks.scan_reminders(dry_run=True)
    assert dry["session_evaluations"]["would_queue"] == 2
    assert Invitation.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders()
    assert summary["session_evaluations"]["queued"] == 2
    # Everyone present at any session gets the end-of-institute evaluation (the absent one was at the first).
    assert summary["institute_evaluations"]["queued"] == 3
    session_invited = set(Invitation.objects.about(last).values_list("email", flat=True))
    assert session_invited == {present.applicant.email, partly.applicant.email}
    assert Invitation.objects.about(first).count() == 0  # more than a week ago: not caught up
    assert Invitation.objects.about(institute).filter(purpose="institute-end").count() == 3
    assert len(mailoutbox) == 5

    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.scan_reminders()
    assert again["session_evaluations"] == {
        **again["session_evaluations"],
        "queued": 0,
        "already_recorded": 2,
    }
    assert again["institute_evaluations"]["already_recorded"] == 3
    assert OutboundEmail.objects.filter(kind=surveys.INVITATION_KIND).count() == 5
    assert len(mailoutbox) == 5


@pytest.mark.django_db
def test_no_evaluation_before_the_session_is_over():
    today = timezone.localdate()
    institute = InstituteFactory(status=Institute.Status.RUNNING)
    session = SessionFactory(institute=institute, date=today)
    application = ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED)
    Attendance.objects.create(session=session, application=application, status="present")
    summary = tasks.scan_reminders()
    assert summary["session_evaluations"]["queued"] == 0
    assert summary["institute_evaluations"]["queued"] == 0


def _answered_evaluations(institute, session, count, start=0):
    from tests.surveys.factories import answers_for, invited

    for i in range(start, start + count):
        invitation, token = invited(END_SURVEY, institute, email=f"end{i}@example.org", purpose=END_SURVEY)
        comment = invitation.instrument.questions.get(quotable=True)
        surveys.answer(
            token,
            answers_for(invitation, **{comment.field_name: f"Comment number {i}"}, quote_consent=True),
        )
        invitation, token = invited(
            SESSION_SURVEY, session, email=f"s{i}@example.org", purpose=SESSION_SURVEY
        )
        surveys.answer(token, answers_for(invitation))


@pytest.mark.django_db
def test_results_show_charts_tables_and_comments_in_fixed_queries(client, django_assert_max_num_queries):
    coordinator = factories.with_totp(factories.coordinator())
    institute = InstituteFactory(status=Institute.Status.COMPLETED)
    session = SessionFactory(institute=institute, date=timezone.localdate() - dt.timedelta(days=3))
    SessionFactory(institute=institute, date=timezone.localdate() - dt.timedelta(days=2))
    _answered_evaluations(institute, session, 3)
    client.force_login(coordinator)
    url = reverse("institutes:institute-results", kwargs={"slug": institute.slug})
    with django_assert_max_num_queries(20) as few:
        html = client.get(url).content.decode()
    assert html.count('<figure data-chart="hbar">') == 5  # four scales and "Which parts"
    assert '<figure data-chart="bar">' in html
    assert "Comment number 2" in html
    assert "3 of 3 invited participants answered." in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    _answered_evaluations(institute, session, 6, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    session_html = client.get(
        reverse("institutes:session-results", kwargs={"pk": session.pk})
    ).content.decode()
    assert "Mean <strong>4.0</strong> of 5, from 9 answers" in session_html


@pytest.mark.django_db
def test_results_are_closed_to_participants(client):
    institute = InstituteFactory(status=Institute.Status.COMPLETED)
    participant = ApplicationFactory(institute=institute, status=Application.Status.ACCEPTED).applicant
    client.force_login(participant)
    response = client.get(reverse("institutes:institute-results", kwargs={"slug": institute.slug}))
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_module_page_shows_approved_quotes_only(client):
    coordinator = factories.coordinator()
    institute = InstituteFactory(status=Institute.Status.COMPLETED)
    session = SessionFactory(institute=institute)
    _answered_evaluations(institute, session, 2)
    first, second = Quote.objects.order_by("pk")
    surveys.review_quote(first, approve=True, by=coordinator)
    surveys.review_quote(second, approve=False, by=coordinator)
    html = client.get(institute.module.get_absolute_url()).content.decode()
    assert "What participants say" in html
    assert first.text in html
    assert second.text not in html
    assert institute.title in html
