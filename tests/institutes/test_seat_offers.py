"""Seat offers from the waitlist: a freed seat goes to the next in line, who accepts or declines it
within the institute's days; a daily scan reminds once and expires what was left unanswered."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from institutes import services, tasks
from institutes.models import Application, Institute
from portal.models import OutboundEmail
from tests.factories import UserFactory, with_totp
from tests.institutes.factories import ApplicationFactory, InstituteFactory, coordinator_of

pytestmark = pytest.mark.django_db
Status = Application.Status


def submitted(institute, **kwargs):
    application = ApplicationFactory(institute=institute, **kwargs)
    services.submit_application(application, by=application.applicant)
    application.refresh_from_db()
    return application


def full_institute(capacity=1, waitlisted=2, **kwargs):
    """An institute whose seats are all accepted, and people waiting in line (first first)."""
    institute = InstituteFactory(capacity=capacity, **kwargs)
    coordinator = coordinator_of(institute)
    accepted = [submitted(institute) for _ in range(capacity)]
    for application in accepted:
        services.accept_application(application, by=coordinator)
    line = []
    for _ in range(waitlisted):
        application = submitted(institute)
        services.waitlist_application(application, by=coordinator)
        line.append(application)
    return institute, coordinator, accepted, line


def fresh(application):
    return Application.objects.get(pk=application.pk)


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


# --- Offers ---------------------------------------------------------------------------------------


def test_withdrawing_an_accepted_seat_offers_it_to_the_first_in_line(
    django_capture_on_commit_callbacks, mailoutbox
):
    institute, _, (accepted,), (first, second) = full_institute(offer_days=5)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_application(accepted, by=accepted.applicant)

    first, second = fresh(first), fresh(second)
    assert (first.status, second.status) == (Status.OFFERED, Status.WAITLISTED)
    assert first.offer_expires_at == end_of(timezone.localdate() + dt.timedelta(days=5))
    event = first.events.get(to_status=Status.OFFERED)
    assert (event.actor, event.who) == (None, "the waitlist (a seat freed up)")
    assert services.seats_left(institute) == 0  # the offer holds the seat
    offers = [
        m for m in mailoutbox if m.to == [first.applicant.email] and "A seat is free for you" in m.subject
    ]
    assert len(offers) == 1
    assert f"/institutes/applications/{first.pk}/#seat-offer" in offers[0].body
    assert not OutboundEmail.objects.filter(kind="institute.seat_free").exists()


def test_a_pending_offer_holds_its_seat_against_a_coordinators_acceptance():
    institute, coordinator, (accepted,), (first,) = full_institute(waitlisted=1)
    newcomer = submitted(institute)
    services.withdraw_application(accepted, by=accepted.applicant)

    with pytest.raises(services.CapacityError, match="0 seats left"):
        services.accept_application(newcomer, by=coordinator)
    assert fresh(first).status == Status.OFFERED


def test_accepting_the_offer_accepts_enrols_in_the_cohort_and_says_so_once(
    django_capture_on_commit_callbacks,
):
    institute, _, (accepted,), (first,) = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_seat_offer(first, by=first.applicant)
        services.accept_seat_offer(first, by=first.applicant)  # a second click changes nothing

    first = fresh(first)
    assert first.status == Status.ACCEPTED
    event = first.events.get(to_status=Status.ACCEPTED)
    assert (event.from_status, event.actor, event.note) == (
        "offered",
        first.applicant,
        "Accepted the seat offer",
    )
    cohort = Community.objects.get(kind=Community.Kind.COHORT, institute=institute)
    assert Membership.objects.filter(community=cohort, user=first.applicant).exists()
    assert (
        OutboundEmail.objects.filter(
            recipient=first.applicant.email, kind="application.status", milestone="accepted"
        ).count()
        == 1
    )


def test_declining_the_offer_withdraws_and_offers_the_seat_to_the_next():
    _, _, (accepted,), (first, second) = full_institute()
    services.withdraw_application(accepted, by=accepted.applicant)

    services.decline_seat_offer(first, by=first.applicant)

    assert (fresh(first).status, fresh(second).status) == (Status.WITHDRAWN, Status.OFFERED)
    assert fresh(first).events.get(to_status=Status.WITHDRAWN).action == "offer:declined"


def test_withdrawing_while_offered_frees_the_seat_for_the_next():
    _, _, (accepted,), (first, second) = full_institute()
    services.withdraw_application(accepted, by=accepted.applicant)
    services.withdraw_application(first, by=first.applicant)
    assert fresh(second).status == Status.OFFERED


def test_a_coordinator_declining_an_offered_application_offers_the_seat_to_the_next():
    _, coordinator, (accepted,), (first, second) = full_institute()
    services.withdraw_application(accepted, by=accepted.applicant)
    services.decline_application(first, by=coordinator)
    assert (fresh(first).status, fresh(second).status) == (Status.DECLINED, Status.OFFERED)


def test_only_an_open_offer_can_be_answered():
    _institute, _, _, (first,) = full_institute(waitlisted=1)
    with pytest.raises(services.ApplicationError, match="no seat offer waiting"):
        services.accept_seat_offer(first, by=first.applicant)
    with pytest.raises(services.ApplicationError, match="no seat offer waiting"):
        services.decline_seat_offer(first, by=first.applicant)
    assert fresh(first).status == Status.WAITLISTED


def test_an_offer_past_its_date_cannot_be_accepted():
    _, _, (accepted,), (first,) = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)
    Application.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(services.ApplicationError, match="This seat offer expired on"):
        services.accept_seat_offer(first, by=first.applicant)
    assert fresh(first).status == Status.OFFERED


def test_the_first_in_line_needing_a_decision_is_passed_over_and_the_coordinator_told():
    institute, coordinator, (accepted,), _ = full_institute(waitlisted=0)
    ineligible = submitted(institute, agency__caep_funded=False)
    services.waitlist_application(ineligible, by=coordinator)
    assert ineligible.is_eligible is False

    services.withdraw_application(accepted, by=accepted.applicant)

    assert fresh(ineligible).status == Status.WAITLISTED
    email = OutboundEmail.objects.get(kind="institute.seat_free")
    assert email.recipient == coordinator.email
    assert ineligible.applicant.display_name in email.body_text


def test_without_the_required_endorsement_nobody_is_offered_a_seat():
    institute, coordinator, (accepted,), _ = full_institute(waitlisted=0)
    waiting = submitted(institute)
    services.record_endorsement(waiting, endorsed=True, by=coordinator)
    services.waitlist_application(waiting, by=coordinator)
    unendorsed = submitted(institute)
    services.waitlist_application(unendorsed, by=coordinator)
    Institute.objects.filter(pk=institute.pk).update(endorsement_required=True)

    services.withdraw_application(accepted, by=accepted.applicant)

    assert (fresh(waiting).status, fresh(unendorsed).status) == (Status.OFFERED, Status.WAITLISTED)


def test_raising_the_capacity_offers_the_new_seats_in_order():
    institute, _, _, (first, second) = full_institute()
    Institute.objects.filter(pk=institute.pk).update(capacity=2)
    institute.refresh_from_db()

    offered = services.capacity_changed(institute, previous=1)

    assert offered == [first]
    assert (fresh(first).status, fresh(second).status) == (Status.OFFERED, Status.WAITLISTED)


def test_raising_the_capacity_in_the_admin_offers_the_seat(admin_client):
    institute, _, _, (first, _second) = full_institute()
    url = reverse("admin:institutes_institute_change", args=[institute.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in {"audiences", "status"} and value is not None
    }
    data.update(
        {
            "module": institute.module_id,
            "capacity": 2,
            "allowed_agency_kinds": "[]",
            "applications_open_at_0": timezone.localtime(institute.applications_open_at).date().isoformat(),
            "applications_open_at_1": "09:00",
            "applications_close_at_0": timezone.localtime(institute.applications_close_at).date().isoformat(),
            "applications_close_at_1": "09:00",
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
            "coordinator_roles-TOTAL_FORMS": 0,
            "coordinator_roles-INITIAL_FORMS": 0,
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert fresh(first).status == Status.OFFERED


def test_no_automatic_offer_once_the_institute_is_running():
    institute, _, (accepted,), (first,) = full_institute(waitlisted=1)
    Institute.objects.filter(pk=institute.pk).update(status=Institute.Status.RUNNING)
    services.withdraw_application(accepted, by=accepted.applicant)
    assert fresh(first).status == Status.WAITLISTED


# --- The daily scan: one reminder, then expiry ------------------------------------------------------


def _offered(offer_days=5):
    institute, _coordinator, (accepted,), (first, second) = full_institute(offer_days=offer_days)
    services.withdraw_application(accepted, by=accepted.applicant)
    return institute, fresh(first), second


def test_an_offer_is_reminded_once_on_its_last_day_but_one():
    _, first, _ = _offered()
    last_day = timezone.localdate(first.offer_expires_at)

    def reminders_on(day):
        tasks.scan_reminders(now=local_noon(day))
        return OutboundEmail.objects.filter(kind="application.seat_offer_reminder").count()

    assert reminders_on(last_day - dt.timedelta(days=2)) == 0
    assert reminders_on(last_day - dt.timedelta(days=1)) == 1
    assert reminders_on(last_day - dt.timedelta(days=1)) == 1  # a second run sends nothing more
    assert reminders_on(last_day) == 1  # one reminder, not one a day
    email = OutboundEmail.objects.get(kind="application.seat_offer_reminder")
    assert (email.recipient, email.milestone) == (
        first.applicant.email,
        f"offer-reminder:{last_day.isoformat()}",
    )
    assert "tomorrow" in email.subject


def test_an_offer_made_yesterday_with_one_day_to_answer_is_reminded_on_its_last_day():
    _, first, _ = _offered(offer_days=1)
    tasks.scan_reminders(now=local_noon(timezone.localdate()))
    assert not OutboundEmail.objects.filter(kind="application.seat_offer_reminder").exists()
    tasks.scan_reminders(now=local_noon(timezone.localdate(first.offer_expires_at)))
    assert OutboundEmail.objects.get(kind="application.seat_offer_reminder").subject.endswith("until today")


def test_the_scan_expires_an_unanswered_offer_and_offers_the_seat_to_the_next(
    django_capture_on_commit_callbacks,
):
    _, first, second = _offered()
    day_after = timezone.localdate(first.offer_expires_at) + dt.timedelta(days=1)

    tasks.scan_reminders(now=local_noon(timezone.localdate(first.offer_expires_at)))
    assert fresh(first).status == Status.OFFERED  # still its last day
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_seat_offers(now=local_noon(day_after)) == 1
        assert tasks.expire_seat_offers(now=local_noon(day_after)) == 0  # safe to run twice

    first, second = fresh(first), fresh(second)
    assert (first.status, second.status) == (Status.DECLINED, Status.OFFERED)
    event = first.events.get(to_status=Status.DECLINED)
    assert (event.action, event.who) == ("offer:expired", "the waitlist (the offer expired)")
    expired = OutboundEmail.objects.get(kind="application.seat_offer_expired")
    assert expired.recipient == first.applicant.email
    assert not OutboundEmail.objects.filter(recipient=first.applicant.email, milestone="declined").exists()
    assert (
        OutboundEmail.objects.filter(kind="application.seat_offer", recipient=second.applicant.email).count()
        == 1
    )


def test_the_cron_scan_expires_offers_too():
    _, first, second = _offered()
    day_after = timezone.localdate(first.offer_expires_at) + dt.timedelta(days=1)
    tasks.scan_reminders(now=local_noon(day_after))
    assert (fresh(first).status, fresh(second).status) == (Status.DECLINED, Status.OFFERED)


def test_the_expiry_task_is_in_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "institutes.expire_seat_offers" in tasks_scheduled
    assert tasks.expire_seat_offers_task.name == "institutes.expire_seat_offers"


# --- Where people see it ---------------------------------------------------------------------------


def test_waitlist_positions_follow_the_line():
    institute, _coordinator, _, line = full_institute(waitlisted=3)
    positions = dict(
        Application.objects.filter(institute=institute)
        .with_waitlist_position()
        .values_list("pk", "waitlist_position")
    )
    assert [positions[a.pk] for a in line] == [1, 2, 3]
    services.withdraw_application(line[0], by=line[0].applicant)
    positions = dict(
        Application.objects.filter(institute=institute)
        .with_waitlist_position()
        .values_list("pk", "waitlist_position")
    )
    assert [positions[a.pk] for a in line[1:]] == [1, 2]


def test_a_waitlisted_applicant_sees_their_position(client_for):
    _, _, _, line = full_institute(waitlisted=3)
    third = line[2]
    client = client_for(third.applicant)
    page = client.get(third.get_absolute_url()).content.decode()
    assert "You are number 3 on the waitlist." in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "You are number 3 on the waitlist." in dashboard


def test_the_offered_applicant_answers_on_their_application(client_for):
    institute, _, (accepted,), (first,) = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)
    client = client_for(first.applicant)
    page = client.get(first.get_absolute_url()).content.decode()
    assert "A seat is free for you" in page
    assert 'value="accept"' in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f"Accept or decline the seat offered to you in {institute.title}" in dashboard
    assert f'href="{first.get_absolute_url()}#seat-offer">Accept or decline the seat</a>' in (
        client.get(institute.get_absolute_url()).content.decode()
    )

    response = client.post(reverse("institutes:application-offer", args=[first.pk]), {"answer": "accept"})

    assert response.status_code == 302
    assert fresh(first).status == Status.ACCEPTED


def test_only_the_applicant_may_answer_their_offer(client_for):
    _institute, coordinator, (accepted,), (first,) = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)
    url = reverse("institutes:application-offer", args=[first.pk])
    with_totp(coordinator)  # a coordinator signs in with a second factor
    assert client_for(UserFactory()).post(url, {"answer": "accept"}).status_code == 404
    assert client_for(coordinator).post(url, {"answer": "accept"}).status_code == 403
    assert fresh(first).status == Status.OFFERED


def test_a_bad_answer_keeps_the_offer_with_a_message(client_for):
    _, _, (accepted,), (first,) = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)
    response = client_for(first.applicant).post(
        reverse("institutes:application-offer", args=[first.pk]), {"answer": "maybe"}, follow=True
    )
    assert "Choose whether to accept or decline the seat." in response.content.decode()
    assert fresh(first).status == Status.OFFERED


def test_the_queue_shows_pending_offers_and_their_date(client_for):
    institute, coordinator, (accepted,), (first,) = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)
    with_totp(coordinator)
    page = (
        client_for(coordinator)
        .get(reverse("institutes:review-queue", args=[institute.slug]))
        .content.decode()
    )
    due = timezone.localtime(fresh(first).offer_expires_at)
    assert "Seat offers waiting for an answer" in page
    assert f"answer due by {due:%B} {due.day}, {due.year}" in page
    assert "0 of 1 seats left" in page


# --- Capacity under concurrency --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="Row locks need PostgreSQL")
def test_twenty_accepts_offer_accepts_and_withdrawals_at_once_never_exceed_capacity():
    # Six seats: four accepted, two offered; four more in line; sixteen new applications.
    institute, coordinator, accepted, line = full_institute(capacity=6, waitlisted=6)
    for application in accepted[:2]:
        services.withdraw_application(application, by=application.applicant)
    offered, waiting = [fresh(a) for a in line[:2]], line[2:]
    assert [a.status for a in offered] == [Status.OFFERED] * 2
    staying, leaving = accepted[2:4], accepted[4:]
    newcomers = [submitted(institute) for _ in range(16)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def act(kind, application):
        try:
            barrier.wait()
            if kind == "offer":
                services.accept_seat_offer(application, by=application.applicant)
            elif kind == "withdraw":
                services.withdraw_application(application, by=application.applicant)
            else:
                services.accept_application(application, by=coordinator)
            outcomes.append(kind)
        except services.CapacityError:
            outcomes.append("full")
        finally:
            connection.close()

    work = [("offer", a) for a in offered] + [("withdraw", a) for a in leaving]
    work += [("accept", a) for a in newcomers]
    threads = [threading.Thread(target=act, args=item) for item in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # A withdrawal's seat goes, in the same transaction, to the next in line: never to a newcomer.
    assert sorted(outcomes) == sorted(["offer"] * 2 + ["withdraw"] * 2 + ["full"] * 16)
    statuses = dict(institute.applications.values_list("pk", "status"))
    assert [statuses[a.pk] for a in staying + offered] == [Status.ACCEPTED] * 4
    assert [statuses[a.pk] for a in waiting] == [Status.OFFERED] * 2 + [Status.WAITLISTED] * 2
    assert institute.applications.holding_seats().count() == 6


def test_the_coordinators_dashboard_counts_the_offers_waiting(client_for):
    _, coordinator, (accepted,), _ = full_institute(waitlisted=1)
    services.withdraw_application(accepted, by=accepted.applicant)
    with_totp(coordinator)
    page = client_for(coordinator).get(reverse("dashboard")).content.decode()
    assert "1 seat offer from the waitlist waiting for an answer" in page
