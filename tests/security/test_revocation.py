"""A right taken away counts on the very next request, however it was written.

Nothing between two requests may keep a page readable for someone who lost the right to read
it: not a cached page, not a cached role. Each revocation is also written with a queryset
``update()`` or ``delete()`` (no model signal), as a data fix or an SQL console would write it.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from institutes.models import InstituteCoordinator
from portal.models import User
from tests.communities.factories import CommunityFactory, MembershipFactory, PostFactory, ThreadFactory
from tests.institutes.factories import InstituteFactory, coordinator_of

yesterday = lambda: timezone.localdate() - dt.timedelta(days=1)  # noqa: E731


@pytest.fixture
def members_only_thread(db):
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    thread = ThreadFactory(community=community)
    PostFactory(thread=thread, body="Our private planning notes")
    return thread


@pytest.mark.parametrize("how", ["delete()", "update() to another community"])
def test_a_removed_member_cannot_read_the_thread_on_the_next_request(client_for, members_only_thread, how):
    member = MembershipFactory(community=members_only_thread.community).user
    client = client_for(member)
    url = reverse("communities:thread-detail", kwargs={"pk": members_only_thread.pk})
    first = client.get(url)
    assert first.status_code == 200
    assert "Our private planning notes" in first.content.decode()

    memberships = Membership.objects.filter(user=member, community=members_only_thread.community)
    if how == "delete()":
        memberships.delete()
    else:
        memberships.update(community=CommunityFactory())

    again = client.get(url)
    assert again.status_code in (403, 404)  # the members-only page (how to join), or nothing
    assert "Our private planning notes" not in again.content.decode()


def test_a_community_made_members_only_by_update_is_closed_to_visitors_on_the_next_request(client, db):
    thread = ThreadFactory(community=CommunityFactory(visibility=Community.Visibility.PUBLIC))
    url = reverse("communities:thread-detail", kwargs={"pk": thread.pk})
    assert client.get(url).status_code == 200
    Community.objects.filter(pk=thread.community_id).update(visibility=Community.Visibility.MEMBERS)
    again = client.get(url)
    assert again.status_code == 403  # the members-only page says how to join
    assert thread.title not in again.content.decode()


def test_an_ended_institute_coordinator_role_closes_the_review_queue_on_the_next_request(
    client_for, coordinator
):
    institute = InstituteFactory()
    coordinator_of(institute, coordinator)
    client = client_for(coordinator)
    url = reverse("institutes:review-queue", kwargs={"slug": institute.slug})
    assert client.get(url).status_code == 200

    InstituteCoordinator.objects.filter(user=coordinator, institute=institute).update(ends_on=yesterday())

    assert client.get(url).status_code == 403


def test_a_coordinator_taken_out_of_the_group_by_sql_loses_coordinator_pages_on_the_next_request(
    client_for, coordinator
):
    client = client_for(coordinator)
    url = reverse("trainers:commitments")
    assert client.get(url).status_code == 200

    User.groups.through.objects.filter(
        user=coordinator, group=Group.objects.get(name="Coordinators")
    ).delete()

    assert client.get(url).status_code == 403


def test_a_dashboard_stops_showing_a_community_after_the_membership_is_deleted(client_for, db):
    community = CommunityFactory(title="Numeracy circle of the north")
    member = MembershipFactory(community=community).user
    client = client_for(member)
    assert "Numeracy circle of the north" in client.get(reverse("dashboard")).content.decode()

    Membership.objects.filter(user=member).delete()

    assert "Numeracy circle of the north" not in client.get(reverse("dashboard")).content.decode()


def test_a_coordinator_whose_role_ends_by_sql_loses_the_modules_reports_on_the_next_request(client_for, db):
    from tests.factories import with_totp
    from tests.trainers.factories import ReportFactory

    institute = InstituteFactory()
    runner = coordinator_of(institute, with_totp(User.objects.create_user("runner@example.org")))
    report = ReportFactory(module=institute.module)
    client = client_for(runner)
    url = reverse("trainers:report-detail", args=[report.pk])
    assert client.get(url).status_code == 200

    InstituteCoordinator.objects.filter(user=runner).update(ends_on=yesterday())

    assert client.get(url).status_code == 404
