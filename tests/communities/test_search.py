"""Community search: the stored vector, visibility, pages, bounded queries, any input."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from communities import search
from communities.models import Community, Post, Resource, Thread
from tests.communities.factories import (
    CommunityFactory,
    FacilitatorFactory,
    MembershipFactory,
    PostFactory,
    ResourceFactory,
    ThreadFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="the stored search vector, its trigger and ranking are PostgreSQL's"
)
SEARCH_URL = reverse("communities:search")


def _posts(results):
    return sorted(p.pk for p in results.posts)


def _closed_community_with_hits():
    """A members-only community whose thread, visible post and resource all say "fractions"."""
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    post = PostFactory(
        thread__community=community, thread__title="Fractions circle", body="Our fractions plan"
    )
    ResourceFactory(community=community, title="Fractions sheet", description="Fractions for ESL 2")
    return community, post


# --- The stored vector ----------------------------------------------------------------------


@postgres_only
def test_trigger_fills_the_vector_with_weighted_titles():
    post = PostFactory(thread__title="Persistence circle", body="Learners keep coming back.")
    resource = ResourceFactory(title="Attendance tracker", description="A spreadsheet.")

    assert (
        Thread.objects.values_list("search_vector", flat=True).get(pk=post.thread_id)
        == "'circl':2A 'persist':1A"
    )
    assert Post.objects.values_list("search_vector", flat=True).get(pk=post.pk) == (
        "'back':4B 'come':3B 'keep':2B 'learner':1B"
    )
    assert Resource.objects.values_list("search_vector", flat=True).get(pk=resource.pk) == (
        "'attend':1A 'spreadsheet':4B 'tracker':2A"
    )


@postgres_only
def test_an_edit_through_update_is_found_by_its_new_words():
    post = PostFactory(body="We tried number lines.")
    thread = post.thread
    resource = ResourceFactory(title="Activity sheet", description="Printable number lines.")
    reader = UserFactory()

    Post.objects.filter(pk=post.pk).update(body="We tried gallery walks.")
    Thread.objects.filter(pk=thread.pk).update(title="Gallery walk notes")
    Resource.objects.filter(pk=resource.pk).update(description="A gallery walk template.")

    found = search.search(reader, "gallery")
    assert [p.pk for p in found.posts] == [post.pk]
    assert [t.pk for t in found.threads] == [thread.pk]
    assert [r.pk for r in found.resources] == [resource.pk]
    assert search.search(reader, "number").total == 0


@postgres_only
def test_a_written_vector_is_put_back_to_the_rows_document():
    post = PostFactory(body="Fractions on number lines.")

    Post.objects.filter(pk=post.pk).update(search_vector=None)

    assert [p.pk for p in search.search(UserFactory(), "fractions").posts] == [post.pk]


def test_posts_load_without_their_vector():
    PostFactory()

    post = Post.objects.get()

    assert post.get_deferred_fields() == {"search_vector"}
    post.body = "Edited through save."
    post.save()  # writes the loaded fields only; the trigger refreshes the vector
    assert Post.objects.get().body == "Edited through save."


# --- Visibility -----------------------------------------------------------------------------


def test_members_only_hits_are_never_shown_to_outsiders_or_visitors(client, client_for):
    _closed_community_with_hits()

    assert search.search(UserFactory(), "fractions").total == 0
    assert search.search(AnonymousUser(), "fractions").total == 0
    for reader in (client, client_for(UserFactory())):
        page = reader.get(SEARCH_URL, {"q": "fractions"}).content.decode()
        assert "Fractions circle" not in page
        assert "Our fractions plan" not in page
        assert "Nothing found" in page


def test_members_and_facilitators_find_their_community():
    community, post = _closed_community_with_hits()
    member = MembershipFactory(community=community).user
    facilitator = FacilitatorFactory(community=community).user

    for person in (member, facilitator):
        found = search.search(person, "fractions")
        assert ([p.pk for p in found.posts], len(found.threads), len(found.resources)) == ([post.pk], 1, 1)


def test_hidden_posts_and_threads_are_shown_only_to_facilitators():
    community = CommunityFactory()
    shown = PostFactory(thread__community=community, body="fractions shown")
    hidden_post = PostFactory(thread__community=community, body="fractions hidden", hidden=True)
    hidden_thread = ThreadFactory(community=community, title="Fractions, hidden", hidden=True)
    PostFactory(thread=hidden_thread, body="fractions in a hidden thread")
    facilitator = FacilitatorFactory(community=community).user

    member_view = search.search(MembershipFactory(community=community).user, "fractions")
    facilitator_view = search.search(facilitator, "fractions")

    assert _posts(member_view) == [shown.pk]
    assert hidden_thread.pk not in [t.pk for t in member_view.threads]
    assert hidden_post.pk in _posts(facilitator_view)
    assert hidden_thread.pk in [t.pk for t in facilitator_view.threads]


# --- Pages and queries ----------------------------------------------------------------------


def _matching_posts(n, community=None):
    thread = ThreadFactory(community=community or CommunityFactory(), title="Planning")
    Post.objects.bulk_create(
        [
            Post(thread=thread, body=f"fractions idea {i}", body_html=f"<p>fractions idea {i}</p>")
            for i in range(n)
        ]
    )


def _search_queries(client, django_assert_max_num_queries, params, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(SEARCH_URL, params)
    assert response.status_code == 200
    return len(captured), response


def test_the_number_of_queries_does_not_grow_with_matches(client, django_assert_max_num_queries):
    _matching_posts(2)
    few, _ = _search_queries(client, django_assert_max_num_queries, {"q": "fractions"}, 12)
    _matching_posts(3 * search.PER_PAGE)
    many, response = _search_queries(client, django_assert_max_num_queries, {"q": "fractions"}, 12)

    assert many == few
    assert len(response.context["results"].posts) == search.PER_PAGE


def test_pages_of_one_kind_keep_the_query_and_do_not_overlap(client):
    _matching_posts(search.PER_PAGE + 5)

    first = client.get(SEARCH_URL, {"q": "fractions"})
    page_1 = client.get(SEARCH_URL, {"q": "fractions", "kind": "posts", "page": "1"})
    page_2 = client.get(SEARCH_URL, {"q": "fractions", "kind": "posts", "page": "2"})

    assert "?q=fractions&amp;kind=posts" in first.content.decode()
    section = page_2.context["results"].sections[0]
    assert (section.key, section.count, section.page.number, len(section.items)) == ("posts", 25, 2, 5)
    ids_1 = {p.pk for p in page_1.context["results"].posts}
    ids_2 = {p.pk for p in page_2.context["results"].posts}
    assert len(ids_1) == search.PER_PAGE
    assert not ids_1 & ids_2
    html = page_1.content.decode()
    assert "q=fractions&amp;kind=posts&amp;page=2" in html


@pytest.mark.parametrize("page", ["99", "0", "-3", "x", "9" * 40, ""])
def test_any_page_number_shows_a_page(client, page):
    _matching_posts(search.PER_PAGE + 5)

    response = client.get(SEARCH_URL, {"q": "fractions", "kind": "posts", "page": page})

    section = response.context["results"].sections[0]
    assert response.status_code == 200
    assert (section.page.number, len(section.items)) in [(1, search.PER_PAGE), (2, 5)]


@pytest.mark.parametrize(
    "query",
    [
        "'&|!:*()",
        "fractions & | !",
        '"unclosed quote fractions',
        "-fractions or",
        "<->:*",
        "the",
        "\\'; DROP TABLE communities_post; --",
        "fractions " * 300,
        "\ue000 fractions \ue001",
    ],
)
def test_odd_or_long_queries_never_fail(client, query):
    PostFactory(body="fractions on number lines")

    response = client.get(SEARCH_URL, {"q": query, "kind": "nonsense"})

    assert response.status_code == 200
    assert search.search(UserFactory(), query, kind="posts", page="2").query == query.strip()[:200]


def test_an_empty_query_searches_nothing(client):
    PostFactory(body="fractions")

    assert search.search(UserFactory(), "   ").sections == []
    response = client.get(SEARCH_URL, {"q": "  "})
    assert response.status_code == 200
    assert response.context["results"] is None


@postgres_only
def test_broad_queries_rank_only_the_newest_matches(monkeypatch):
    monkeypatch.setattr(search, "RANKED", 30)
    _matching_posts(45)

    found = search.search(UserFactory(), "fractions", kind="posts")

    section = found.sections[0]
    assert (section.count, section.more, section.page.paginator.num_pages) == (30, True, 2)
    newest = set(Post.objects.order_by("-pk").values_list("pk", flat=True)[:31])
    assert {p.pk for p in found.posts} <= newest


@postgres_only
def test_titles_outrank_bodies_and_headlines_mark_the_words():
    old = ResourceFactory(title="Persistence tips", description="About fractions too.")
    best = ResourceFactory(title="Fractions kit", description="Fractions, fractions everywhere.")

    found = search.search(UserFactory(), "fractions")

    assert [r.pk for r in found.resources] == [best.pk, old.pk]
    assert "<mark>fractions</mark>" in found.resources[1].highlight


@pytest.mark.skipif(settings.IS_POSTGRES, reason="the quick start's SQLite fallback")
def test_sqlite_fallback_matches_words_case_insensitively():
    post = PostFactory(body="We tried FRACTIONS on number lines.")
    resource = ResourceFactory(title="Fractions kit", description="")
    _closed_community_with_hits()

    found = search.search(UserFactory(), "fractions")

    assert [p.pk for p in found.posts] == [post.pk]
    assert [r.pk for r in found.resources] == [resource.pk]
    assert "<mark>FRACTIONS</mark>" in found.posts[0].highlight
    assert found.resources[0].highlight == "<mark>Fractions</mark> kit"
