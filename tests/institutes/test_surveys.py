"""The institutes' evaluations: sent the day after, to those present, once; results and quotes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from institutes import tasks
from institutes.models import Application, Attendance, Institute
from portal.models import OutboundEmail
from portal.surveys import services as surveys
from portal.surveys.models import Invitation
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
