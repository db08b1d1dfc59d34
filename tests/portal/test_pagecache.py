"""Whole-page caching (portal/pagecache.py): served again only while nothing it shows has changed."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import services as community_services
from communities.models import Membership, Post
from portal import pagecache
from tests.communities.factories import CommunityFactory, MembershipFactory, PostFactory, ThreadFactory
from tests.factories import UserFactory
from tests.institutes.factories import InstituteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_url():
    return reverse("institutes:catalog")


def test_a_page_is_built_once_then_served_until_its_app_changes(
    client, catalog_url, django_assert_num_queries
):
    institute = InstituteFactory(title="Numeracy for Adult Learners")
    assert "Numeracy for Adult Learners" in client.get(catalog_url).content.decode()
    with django_assert_num_queries(0):
        again = client.get(catalog_url)
    assert "Numeracy for Adult Learners" in again.content.decode()

    institute.title = "Numeracy with Adult Learners"
    institute.save()
    fresh = client.get(catalog_url).content.decode()
    assert "Numeracy with Adult Learners" in fresh
    assert "Numeracy for Adult Learners" not in fresh


def test_a_write_in_an_app_the_page_does_not_show_leaves_it_cached(
    client, catalog_url, django_assert_num_queries
):
    InstituteFactory()
    thread, author = ThreadFactory(), UserFactory()
    client.get(catalog_url)
    PostFactory(thread=thread, author=author)  # communities: not on the catalog
    with django_assert_num_queries(0):
        assert client.get(catalog_url).status_code == 200


def test_each_person_has_their_own_copy(client):
    community = CommunityFactory()
    thread = ThreadFactory(community=community)
    ana = MembershipFactory(community=community, user=UserFactory(name="Ana Alvarez")).user
    bo = MembershipFactory(community=community, user=UserFactory(name="Bo Brown")).user
    for person, other in ((ana, "Bo Brown"), (bo, "Ana Alvarez"), (ana, "Bo Brown")):
        client.force_login(person)
        client.get(thread.get_absolute_url())  # the first visit sets the CSRF cookie: not kept
        html = client.get(thread.get_absolute_url()).content.decode()
        assert person.name in html
        assert other not in html


def test_a_page_with_a_message_is_neither_cached_nor_served_from_the_cache(client, catalog_url):
    InstituteFactory()
    client.get(catalog_url)  # cached
    # A message waiting for the next page, as a redirect after a form leaves it.
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode(
        [Message(constants.SUCCESS, "Your application is withdrawn.")]
    )
    assert "Your application is withdrawn." in client.get(catalog_url).content.decode()
    assert "Your application is withdrawn." not in client.get(catalog_url).content.decode()


def test_a_cached_page_carries_a_csrf_token_that_still_works(django_assert_max_num_queries):
    member = UserFactory()
    thread = ThreadFactory()
    MembershipFactory(community=thread.community, user=member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(thread.get_absolute_url())  # sets the CSRF cookie: this page is not kept
    client.get(thread.get_absolute_url())  # kept
    with django_assert_max_num_queries(2):  # the session and the person, nothing of the thread
        page = client.get(thread.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("communities:post-create", kwargs={"pk": thread.pk}),
        {"body": "Number lines worked in my Tuesday class.", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Post.objects.filter(thread=thread, author=member).exists()
    # The reply is on the thread page at once: the post's save retired the cached page.
    assert (
        "Number lines worked in my Tuesday class." in client.get(thread.get_absolute_url()).content.decode()
    )


def test_a_many_to_many_change_retires_pages(client):
    """Joining the Coordinators group changes what the navigation offers on every page."""
    person = UserFactory()
    client.force_login(person)
    dashboard = reverse("dashboard")
    client.get(dashboard)
    assert reverse("institutes:coordinate") not in client.get(dashboard).content.decode()
    person.groups.add(Group.objects.get(name="Coordinators"))
    TOTP.activate(person, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # coordinators must have it
    assert reverse("institutes:coordinate") in client.get(dashboard).content.decode()


def test_a_queryset_update_in_a_service_retires_pages_too(client):
    membership = MembershipFactory(seen_orientation=False)
    before = pagecache.versions(["communities"])
    community_services.mark_orientation_seen(membership=Membership.objects.get(pk=membership.pk))
    assert pagecache.versions(["communities"]) != before


def test_a_lost_counter_never_brings_an_old_page_back(client, catalog_url):
    institute = InstituteFactory(title="Reading Apprenticeship")
    client.get(catalog_url)
    key = pagecache.VERSION_KEY.format("institutes")
    first = cache.get(key)
    institute.title = "Reading Apprenticeship, Cohort 2"
    institute.save()
    cache.delete(key)  # evicted, or Redis restarted without the counters
    assert cache.get(key) is None
    assert "Cohort 2" in client.get(catalog_url).content.decode()
    assert cache.get(key) != first


def test_page_cache_seconds_zero_turns_it_off(client, catalog_url, settings):
    settings.PAGE_CACHE_SECONDS = 0
    InstituteFactory()
    client.get(catalog_url)
    with CaptureQueriesContext(connection) as again:
        client.get(catalog_url)
    assert len(again) > 0


def test_only_successful_pages_are_kept(client):
    missing = reverse("communities:thread-detail", kwargs={"pk": 987654})
    assert client.get(missing).status_code == 404
    thread = ThreadFactory(pk=987654)
    assert client.get(missing).status_code == 200
    assert thread.title in client.get(missing).content.decode()


def test_a_write_rebuilds_only_the_dashboard_panels_that_show_its_app(client, monkeypatch):
    from functools import wraps

    from portal import dashboard
    from tests.institutes.factories import ApplicationFactory

    built = []

    def spy(registered):
        @wraps(registered.panel)
        def panel(request):
            built.append(registered.panel.__module__)
            return registered.panel(request)

        return dashboard.Registered(panel, registered.scopes)

    monkeypatch.setattr(dashboard, "_panels", [spy(r) for r in dashboard._panels])
    membership = MembershipFactory(community=CommunityFactory(title="Valley ESL CoP"))
    ApplicationFactory(applicant=membership.user)
    client.force_login(membership.user)
    url = reverse("dashboard")
    client.get(url)
    assert "Valley ESL CoP" in client.get(url).content.decode()
    built.clear()

    membership.community.title = "Valley ESL and Civics CoP"
    membership.community.save()
    assert "Valley ESL and Civics CoP" in client.get(url).content.decode()
    assert built == ["communities.dashboard"]
