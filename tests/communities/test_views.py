import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Community, Membership, Post, Report, Resource, Thread
from portal.models import OutboundEmail
from tests import factories
from tests.communities.factories import (
    CommunityFactory,
    FacilitatorFactory,
    MembershipFactory,
    PlanFactory,
    PostFactory,
    ResourceFactory,
    ThreadFactory,
)
from tests.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db


def url(name, *args, **kwargs):
    return reverse(f"communities:{name}", args=args, kwargs=kwargs)


# --- Directory and community pages --------------------------------------------------------------


def test_directory_filters_by_topic_region_and_kind(client):
    CommunityFactory(title="Math in the Capital", topic="Math Instructional Strategies", region="Capital")
    CommunityFactory(title="Math by the Bay", topic="Math Instructional Strategies", region="Bay Area")
    CommunityFactory(
        title="Equity in the Capital", topic="Success for All Learners through Equity", region="Capital"
    )

    response = client.get(
        url("directory"), {"topic": "Math Instructional Strategies", "region": "Capital", "kind": "regional"}
    )

    assert response.status_code == 200
    assert [c.title for c in response.context["page"]] == ["Math in the Capital"]


def test_directory_hides_cohorts_from_outsiders(client_for):
    cohort = CommunityFactory(
        title="Secret cohort",
        kind=Community.Kind.COHORT,
        visibility=Community.Visibility.MEMBERS,
        join_policy=Community.JoinPolicy.INVITATION,
    )
    outsider = UserFactory()

    response = client_for(outsider).get(url("directory"))

    assert cohort.title not in response.content.decode()


def test_directory_query_count_does_not_grow(client, django_assert_max_num_queries):
    for _ in range(30):
        MembershipFactory()
    with django_assert_max_num_queries(6):
        client.get(url("directory"))


def test_members_only_community_is_404_for_outsider_by_every_url(client_for):
    community = CommunityFactory(
        visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.INVITATION
    )
    post = PostFactory(thread__community=community)
    resource = ResourceFactory(community=community, url="", file=SimpleUploadedFile("a.txt", b"hello"))
    client = client_for(UserFactory())

    for path in [
        url("community-detail", slug=community.slug),
        url("thread-detail", pk=post.thread.pk),
        url("post-detail", pk=post.pk),
        url("resources", slug=community.slug),
        url("resource-download", pk=resource.pk),
        url("community-feed", slug=community.slug),
        url("members", slug=community.slug),
    ]:
        assert client.get(path).status_code == 404, path


def test_a_link_into_a_members_only_community_says_how_to_join(client, client_for):
    community = CommunityFactory(
        title="Rural ESL Circle",
        visibility=Community.Visibility.MEMBERS,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    post = PostFactory(thread__community=community, thread__title="Private conversation")
    resource = ResourceFactory(community=community, url="", file=SimpleUploadedFile("a.txt", b"hello"))
    outsider = client_for(UserFactory())

    for path in [
        url("thread-detail", pk=post.thread.pk),
        url("post-detail", pk=post.pk),
        url("resources", slug=community.slug),
        url("resource-download", pk=resource.pk),
    ]:
        for who in (outsider, client):
            response = who.get(path)
            html = response.content.decode()
            assert response.status_code == 403, path
            assert "This is for members of Rural ESL Circle" in html
            assert "ask to join" in html
            assert community.get_absolute_url() in html
            assert "Private conversation" not in html
            assert "hello" not in html


def test_members_only_listed_community_shows_description_but_no_threads(client_for):
    community = CommunityFactory(
        visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.REQUEST
    )
    ThreadFactory(community=community, title="Private conversation")

    response = client_for(UserFactory()).get(url("community-detail", slug=community.slug))

    assert response.status_code == 200
    assert "Private conversation" not in response.content.decode()
    assert "Ask to join" in response.content.decode()


def test_first_visit_shows_orientation_once(client_for):
    membership = MembershipFactory(seen_orientation=False)
    client = client_for(membership.user)

    first = client.get(url("community-detail", slug=membership.community.slug))
    second = client.get(url("community-detail", slug=membership.community.slug))

    assert "data-orientation" in first.content.decode()
    assert "data-orientation" not in second.content.decode()
    membership.refresh_from_db()
    assert membership.seen_orientation is True


def test_join_open_community_by_post(client_for):
    community = CommunityFactory()
    person = UserFactory()

    response = client_for(person).post(url("join", slug=community.slug))

    assert response.status_code == 302
    assert Membership.objects.filter(user=person, community=community).exists()


def test_join_on_request_community_is_403(client_for):
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)
    assert client_for(UserFactory()).post(url("join", slug=community.slug)).status_code == 403


def test_facilitator_removes_member(client_for):
    role = FacilitatorFactory()
    membership = MembershipFactory(community=role.community)

    response = client_for(role.user).post(url("member-remove", slug=role.community.slug, pk=membership.pk))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_member_cannot_remove_member(client_for):
    membership = MembershipFactory()
    other = MembershipFactory(community=membership.community)

    response = client_for(membership.user).post(
        url("member-remove", slug=membership.community.slug, pk=other.pk)
    )

    assert response.status_code == 403


# --- Threads and posts --------------------------------------------------------------------------


def test_member_starts_thread_and_follower_gets_email(
    client_for, django_capture_on_commit_callbacks, mailoutbox
):
    community = CommunityFactory()
    author = MembershipFactory(community=community).user
    follower = MembershipFactory(community=community).user
    services.follow_community(user=follower, community=community)
    services.follow_community(user=author, community=community)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(author).post(
            url("thread-create", slug=community.slug), {"title": "Number lines", "body": "Who uses **them**?"}
        )

    thread = Thread.objects.get(title="Number lines")
    assert response.status_code == 302
    assert thread.posts.get().body_html == "<p>Who uses <strong>them</strong>?</p>\n"
    assert [m.to for m in mailoutbox] == [[follower.email]]


def test_reply_emails_followers_but_not_the_author(
    client_for, django_capture_on_commit_callbacks, mailoutbox
):
    thread = ThreadFactory()
    first = MembershipFactory(community=thread.community).user
    replier = MembershipFactory(community=thread.community).user
    services.follow_thread(user=first, thread=thread)
    services.follow_thread(user=replier, thread=thread)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(replier).post(url("post-create", pk=thread.pk), {"body": "I do, every week."})

    assert [m.to for m in mailoutbox] == [[first.email]]
    assert OutboundEmail.objects.get().kind == "community.reply"


def test_digest_reader_gets_no_immediate_email(client_for, django_capture_on_commit_callbacks, mailoutbox):
    thread = ThreadFactory()
    reader = MembershipFactory(community=thread.community, notify=Membership.Notify.DIGEST).user
    replier = MembershipFactory(community=thread.community).user
    services.follow_thread(user=reader, thread=thread)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(replier).post(url("post-create", pk=thread.pk), {"body": "Reply"})

    assert mailoutbox == []


def test_non_member_cannot_reply_to_public_thread(client_for):
    thread = ThreadFactory()
    response = client_for(UserFactory()).post(url("post-create", pk=thread.pk), {"body": "Hi"})
    assert response.status_code == 403


def test_locked_thread_refuses_member_reply(client_for):
    thread = ThreadFactory(locked=True)
    member = MembershipFactory(community=thread.community).user
    response = client_for(member).post(url("post-create", pk=thread.pk), {"body": "Hi"})
    assert response.status_code == 403


def test_preview_button_renders_without_saving(client_for):
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user

    response = client_for(member).post(url("post-create", pk=thread.pk), {"body": "*soft*", "preview": "1"})

    assert response.status_code == 200
    assert "<em>soft</em>" in response.content.decode()
    assert thread.posts.count() == 0


def test_preview_endpoint_returns_sanitised_html(client_for):
    response = client_for(UserFactory()).post(url("preview"), {"body": "[x](javascript:alert(1)) **ok**"})
    assert response.content.decode() == "<p>[x](javascript:alert(1)) <strong>ok</strong></p>\n"


def test_author_edits_post_and_it_shows_edited(client_for):
    post = PostFactory()
    MembershipFactory(community=post.thread.community, user=post.author)
    client = client_for(post.author)

    client.post(url("post-edit", pk=post.pk), {"body": "Changed"})
    page = client.get(url("thread-detail", pk=post.thread.pk))

    post.refresh_from_db()
    assert post.body == "Changed"
    assert post.edited_at is not None
    assert "edited" in page.content.decode()


def test_other_member_cannot_edit_post(client_for):
    post = PostFactory()
    other = MembershipFactory(community=post.thread.community).user
    assert client_for(other).post(url("post-edit", pk=post.pk), {"body": "Mine now"}).status_code == 403


def test_quote_is_kept_on_reply(client_for):
    post = PostFactory()
    member = MembershipFactory(community=post.thread.community).user

    client_for(member).post(url("post-create", pk=post.thread.pk), {"body": "Agreed", "quote": post.pk})

    assert Post.objects.get(body="Agreed").quote == post


def test_quote_from_another_thread_is_dropped(client_for):
    post = PostFactory()
    elsewhere = PostFactory()
    member = MembershipFactory(community=post.thread.community).user

    client_for(member).post(url("post-create", pk=post.thread.pk), {"body": "Agreed", "quote": elsewhere.pk})

    assert Post.objects.get(body="Agreed").quote is None


@pytest.mark.parametrize("action", ["pin", "lock", "hide"])
def test_facilitator_moderates_thread(client_for, action):
    role = FacilitatorFactory()
    thread = ThreadFactory(community=role.community)

    client_for(role.user).post(url("thread-moderate", pk=thread.pk), {"action": action})

    thread.refresh_from_db()
    assert getattr(thread, {"pin": "pinned", "lock": "locked", "hide": "hidden"}[action]) is True


def test_member_cannot_moderate_thread(client_for):
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    assert client_for(member).post(url("thread-moderate", pk=thread.pk), {"action": "pin"}).status_code == 403


def test_coordinator_moderates_any_community(client_for, coordinator):
    thread = ThreadFactory()
    client_for(coordinator).post(url("thread-moderate", pk=thread.pk), {"action": "lock"})
    thread.refresh_from_db()
    assert thread.locked is True


def _conversation(community, title, *bodies):
    thread = ThreadFactory(community=community, title=title)
    start = timezone.now() - dt.timedelta(days=10)
    return thread, [
        PostFactory(thread=thread, body=body, created_at=start + dt.timedelta(days=i))
        for i, body in enumerate(bodies)
    ]


def test_facilitator_moves_a_reply_to_the_thread_where_it_belongs(client_for):
    role = FacilitatorFactory()
    source, (_, stray) = _conversation(
        role.community, "Fractions", "How do you teach fractions?", "Who has a bus pass?"
    )
    target, _ = _conversation(role.community, "Getting to the institute", "Travel to Sacramento")
    elsewhere, _ = _conversation(CommunityFactory(), "Elsewhere", "Not here")
    client = client_for(role.user)
    client.get(url("thread-detail", pk=source.pk))  # the page is cached before the move

    form = client.get(url("post-move", pk=stray.pk)).content.decode()
    assert "Getting to the institute" in form
    assert "Elsewhere" not in form  # only threads of the post's own community

    response = client.post(url("post-move", pk=stray.pk), {"thread": target.pk, "note": "Off topic here"})
    assert response.status_code == 302
    stray.refresh_from_db()
    assert stray.thread == target
    assert "Who has a bus pass?" in client.get(url("thread-detail", pk=target.pk)).content.decode()
    assert "Who has a bus pass?" not in client.get(url("thread-detail", pk=source.pk)).content.decode()
    source.refresh_from_db()
    target.refresh_from_db()
    assert target.last_activity_at == stray.created_at
    assert source.last_activity_at < stray.created_at
    event = role.community.moderation_log.get(action="moved a post")
    assert event.note == "From “Fractions”. Off topic here"
    assert elsewhere.posts.count() == 1


def test_the_opening_post_stays_and_the_form_says_why(client_for):
    role = FacilitatorFactory()
    source, (opening, _) = _conversation(
        role.community, "Fractions", "How do you teach fractions?", "Number lines"
    )
    target, _ = _conversation(role.community, "Travel", "Bus")
    response = client_for(role.user).post(url("post-move", pk=opening.pk), {"thread": target.pk, "note": "x"})
    assert response.status_code == 200
    assert "This post opens its thread, so it cannot be moved." in response.content.decode()
    assert 'value="x"' in response.content.decode()  # what was typed is kept
    opening.refresh_from_db()
    assert opening.thread == source


def test_with_no_other_thread_the_move_page_says_what_to_do(client_for):
    role = FacilitatorFactory()
    _, (_, reply) = _conversation(role.community, "Fractions", "How?", "Number lines")
    page = client_for(role.user).get(url("post-move", pk=reply.pk)).content.decode()
    assert "This community has no other thread yet." in page
    assert "Move the post" not in page


def test_members_cannot_move_posts(client_for):
    post = PostFactory()
    target = ThreadFactory(community=post.thread.community)
    member = MembershipFactory(community=post.thread.community).user
    client = client_for(member)
    assert client.get(url("post-move", pk=post.pk)).status_code == 403
    assert client.post(url("post-move", pk=post.pk), {"thread": target.pk}).status_code == 403
    post.refresh_from_db()
    assert post.thread != target


def test_hidden_thread_is_404_for_members(client_for):
    thread = ThreadFactory(hidden=True)
    member = MembershipFactory(community=thread.community).user
    assert client_for(member).get(url("thread-detail", pk=thread.pk)).status_code == 404


def test_hidden_post_shows_placeholder_to_members(client_for):
    post = PostFactory(body="Something rude", hidden=True)
    member = MembershipFactory(community=post.thread.community).user

    page = client_for(member).get(url("thread-detail", pk=post.thread.pk)).content.decode()

    assert "Something rude" not in page
    assert "A facilitator hid this post." in page


def test_report_reaches_facilitator_queue_and_resolving_hides(client_for):
    role = FacilitatorFactory()
    post = PostFactory(thread__community=role.community)
    reporter = MembershipFactory(community=role.community).user

    client_for(reporter).post(url("post-report", pk=post.pk), {"reason": "Personal attack"})
    queue = client_for(role.user).get(url("moderation-queue"))
    report = Report.objects.get()
    client_for(role.user).post(url("report-resolve", pk=report.pk), {"hide_post": "on"})

    assert "Personal attack" in queue.content.decode()
    post.refresh_from_db()
    report.refresh_from_db()
    assert (post.hidden, report.resolved) == (True, True)


def test_reporting_a_post_twice_says_it_was_already_reported(
    client_for, mailoutbox, django_capture_on_commit_callbacks
):
    role = FacilitatorFactory()
    post = PostFactory(thread__community=role.community)
    reporter = MembershipFactory(community=role.community).user
    client = client_for(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("post-report", pk=post.pk), {"reason": "Personal attack"})
    told = len(mailoutbox)

    form_page = client.get(url("post-report", pk=post.pk))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("post-report", pk=post.pk), {"reason": "Still there"}, follow=True)

    assert "no need to report it again" in form_page.content.decode()
    assert "You have already reported this post" in again.content.decode()
    assert "Thank you. The facilitators" not in again.content.decode()
    assert Report.objects.count() == 1
    assert len(mailoutbox) == told  # the facilitators are not told twice


def test_facilitator_queue_excludes_other_communities(client_for):
    role = FacilitatorFactory()
    services.report_post(post=PostFactory(), reporter=UserFactory(), reason="Elsewhere")

    response = client_for(role.user).get(url("moderation-queue"))

    assert list(response.context["page"]) == []


def test_plain_member_has_no_moderation_queue(client_for):
    assert client_for(UserFactory()).get(url("moderation-queue")).status_code == 403


def _render_thread_queries(client, thread):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("thread-detail", pk=thread.pk))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_thread_page_query_count_does_not_grow_with_posts(client_for):
    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    small, big = ThreadFactory(community=community), ThreadFactory(community=community)
    authors = UserFactory.create_batch(5)
    for i in range(3):
        PostFactory(thread=small, author=authors[i % 5])
    first = PostFactory(thread=big, author=authors[0])
    Post.objects.bulk_create(
        [
            Post(
                thread=big, author=authors[i % 5], body=f"Post {i}", body_html=f"<p>Post {i}</p>", quote=first
            )
            for i in range(999)
        ]
    )
    client = client_for(member)
    _render_thread_queries(client, small)  # warm up the session and caches

    assert big.posts.count() == 1000
    assert _render_thread_queries(client, big) <= _render_thread_queries(client, small)


# --- Stored XSS ---------------------------------------------------------------------------------


def test_hostile_payloads_never_reach_a_page_as_live_markup(client_for):
    from tests.communities.test_markdown import HOSTILE_PAYLOADS
    from tests.communities.xss import live_markup

    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    client = client_for(member)
    thread_url = None
    for payload in HOSTILE_PAYLOADS:
        client.post(url("thread-create", slug=community.slug), {"title": payload[:200], "body": payload})
        thread = Thread.objects.latest("pk")
        thread_url = url("thread-detail", pk=thread.pk)
        client.post(url("post-create", pk=thread.pk), {"body": payload})
        client.post(
            url("resource-create", slug=community.slug),
            {"title": payload[:200], "description": payload, "url": "https://example.org/r"},
        )
    assert Thread.objects.count() == len(HOSTILE_PAYLOADS)
    assert Resource.objects.count() == len(HOSTILE_PAYLOADS)

    pages = [
        url("community-detail", slug=community.slug),
        thread_url,
        url("resources", slug=community.slug),
        url("search") + "?q=alert",
        url("community-feed", slug=community.slug),
    ] + [url("thread-detail", pk=t.pk) for t in Thread.objects.all()]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert live_markup(response.content.decode(), page=True) == [], path


# --- Resources ----------------------------------------------------------------------------------


def test_member_uploads_pdf_and_only_allowed_people_download(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory(
        visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.REQUEST
    )
    member = MembershipFactory(community=community).user
    upload = SimpleUploadedFile("lesson plan.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    response = client_for(member).post(
        url("resource-create", slug=community.slug),
        {"title": "Lesson plan", "description": "", "file": upload},
    )
    resource = Resource.objects.get()
    download = client_for(member).get(url("resource-download", pk=resource.pk))

    assert response.status_code == 302
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="lesson-plan.pdf"'
    refused = client_for(UserFactory()).get(url("resource-download", pk=resource.pk))
    assert refused.status_code == 403  # the members-only page, not the file
    assert "Content-Disposition" not in refused


def test_upload_of_disguised_executable_is_refused(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    upload = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")

    response = client_for(member).post(
        url("resource-create", slug=community.slug), {"title": "Notes", "file": upload}
    )

    assert response.status_code == 200
    assert Resource.objects.count() == 0


def test_only_coordinators_add_to_statewide_library(client_for, coordinator):
    assert client_for(UserFactory()).get(url("library-add")).status_code == 403
    response = client_for(coordinator).post(
        url("library-add"), {"title": "CALPRO", "url": "https://www.calpro-online.org"}
    )
    assert response.status_code == 302
    assert Resource.objects.get().community is None


# --- Search -------------------------------------------------------------------------------------


def test_search_finds_visible_post_with_highlight(client_for):
    post = PostFactory(body="We tried fractions on number lines with great success.")
    member = MembershipFactory(community=post.thread.community).user

    response = client_for(member).get(url("search"), {"q": "fractions"})

    assert [p.pk for p in response.context["results"].posts] == [post.pk]
    assert "<mark>fractions</mark>" in response.content.decode()


def test_search_never_shows_members_only_hits_to_outsiders(client_for):
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    PostFactory(thread__community=community, thread__title="Secret fractions", body="secret fractions plan")
    ResourceFactory(community=community, title="Secret fractions sheet", description="fractions")

    response = client_for(UserFactory()).get(url("search"), {"q": "fractions"})

    assert response.context["results"].total == 0


def test_search_escapes_hostile_text_in_headline(client_for):
    PostFactory(body="<script>alert(1)</script> fractions")
    response = client_for(UserFactory()).get(url("search"), {"q": "fractions"})
    assert "<script>alert(1)</script>" not in response.content.decode()


# --- Plans --------------------------------------------------------------------------------------


def test_plan_is_private_by_default(client_for):
    plan = PlanFactory()
    assert client_for(UserFactory()).get(url("plan-detail", pk=plan.pk)).status_code == 404
    assert client_for(plan.owner).get(url("plan-detail", pk=plan.pk)).status_code == 200


def test_shared_plan_is_read_and_commented_by_members(
    client_for, django_capture_on_commit_callbacks, mailoutbox
):
    membership = MembershipFactory()
    plan = PlanFactory(owner=membership.user, shared_with=membership.community)
    colleague = MembershipFactory(community=membership.community).user

    with django_capture_on_commit_callbacks(execute=True):
        client_for(colleague).post(url("plan-comment", pk=plan.pk), {"comment-body": "Great idea!"})

    assert plan.comments.get().body == "Great idea!"
    assert [m.to for m in mailoutbox] == [[plan.owner.email]]


def test_owner_creates_plan_with_step_and_shares_it(client_for):
    membership = MembershipFactory()
    client = client_for(membership.user)

    client.post(url("plan-create"), {"title": "Number lines", "goals": "Learners place fractions."})
    plan = membership.user.implementation_plans.get()
    client.post(
        url("plan-step-create", pk=plan.pk),
        {
            "step-description": "Try it in class",
            "step-owner_name": "Me",
            "step-due_on": "2026-12-01",
            "step-status": "in_progress",
        },
    )
    client.post(
        url("plan-edit", pk=plan.pk),
        {
            "title": "Number lines",
            "goals": "Learners place fractions.",
            "shared_with": membership.community.pk,
        },
    )

    plan.refresh_from_db()
    assert plan.steps.get().description == "Try it in class"
    assert plan.shared_with == membership.community


def test_plan_cannot_be_shared_with_a_community_one_is_not_in(client_for):
    person = UserFactory()
    elsewhere = CommunityFactory()

    response = client_for(person).post(
        url("plan-create"), {"title": "Plan", "goals": "Goals", "shared_with": elsewhere.pk}
    )

    assert response.status_code == 200
    assert person.implementation_plans.count() == 0


def test_dashboard_shows_communities_and_next_steps(client_for):
    membership = MembershipFactory()
    plan = PlanFactory(owner=membership.user)
    services.save_plan_step(plan=plan, step=None, description="Call the ESL lead")

    page = client_for(membership.user).get("/dashboard/").content.decode()

    assert membership.community.title in page
    assert "Call the ESL lead" in page


def test_the_program_staff_get_no_invitation_to_join_or_plan(client_for):
    finance = with_totp(factories.finance())
    assert "My communities and plans" not in client_for(finance).get("/dashboard/").content.decode()
    educator = UserFactory()
    assert "My communities and plans" in client_for(educator).get("/dashboard/").content.decode()


def test_search_does_not_return_unrelated_threads(client_for):
    member = MembershipFactory().user
    ThreadFactory(community=Membership.objects.get(user=member).community, title="Persistence")

    response = client_for(member).get(url("search"), {"q": "attendance streaks"})

    assert response.context["results"].total == 0


def test_invited_person_reaches_a_cohort_page_and_accepts(client):
    cohort = CommunityFactory(
        kind=Community.Kind.COHORT,
        visibility=Community.Visibility.MEMBERS,
        join_policy=Community.JoinPolicy.INVITATION,
    )
    invitee, stranger = UserFactory(), UserFactory()
    services.invite(community=cohort, email=invitee.email, actor=UserFactory())

    client.force_login(stranger)
    assert client.get(cohort.get_absolute_url()).status_code == 404

    client.force_login(invitee)
    page = client.get(cohort.get_absolute_url())
    assert page.status_code == 200
    assert "Accept the invitation" in page.content.decode()
    client.post(url("invitation-accept", cohort.slug))
    assert Membership.objects.filter(community=cohort, user=invitee).exists()


# --- Thread page: post cards kept in the cache ------------------------------------------------


def test_thread_page_cards_follow_every_change_at_once(client_for):
    role = FacilitatorFactory()
    community = role.community
    author, reader = UserFactory(name="Ana Author"), UserFactory(name="Rita Reader")
    MembershipFactory(community=community, user=author)
    MembershipFactory(community=community, user=reader)
    thread = ThreadFactory(community=community)
    post = services.reply(thread=thread, author=author, body="First words")
    quoting = services.reply(thread=thread, author=reader, body="I agree", quote=post)
    page_url = url("thread-detail", pk=thread.pk)

    def page(user):
        return client_for(user).get(page_url).content.decode()

    def cards(html):
        return html.split('<ol class="list-unstyled"', 1)[1].split("</ol>", 1)[0]

    html = page(reader)
    assert "First words" in html
    assert "Ana Author" in html
    assert cards(page(reader)) == cards(html)  # now from the cache: the same cards

    services.edit_post(post=post, editor=author, body="Second words")
    assert "Second words" in page(reader)
    assert "First words" not in page(reader)

    author.name = "Ana Renamed"
    author.save()
    assert "Ana Renamed" in page(reader)

    services.set_post_hidden(post=post, actor=role.user, hidden=True)
    html = page(reader)
    assert "Second words" not in html  # neither the post nor its quote in the reply
    assert "A facilitator hid this post." in html
    assert f'href="{url("post-detail", pk=quoting.pk)}"' in html


def test_thread_page_cards_show_each_reader_their_own_links(client_for):
    role = FacilitatorFactory()
    community = role.community
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        MembershipFactory(community=community, user=person)
    thread = ThreadFactory(community=community)
    post = services.reply(thread=thread, author=first, body="Mine")
    edit, report = url("post-edit", pk=post.pk), url("post-report", pk=post.pk)
    moderate = url("post-moderate", pk=post.pk)

    as_author = client_for(first).get(url("thread-detail", pk=thread.pk)).content.decode()
    as_other = client_for(second).get(url("thread-detail", pk=thread.pk)).content.decode()
    as_moderator = client_for(role.user).get(url("thread-detail", pk=thread.pk))
    outsider_page = client_for(UserFactory()).get(url("thread-detail", pk=thread.pk)).content.decode()

    assert edit in as_author
    assert report not in as_author
    assert report in as_other
    assert edit not in as_other
    assert moderate not in as_author + as_other + outsider_page
    html = as_moderator.content.decode()
    assert moderate in html
    assert f'name="csrfmiddlewaretoken" value="{as_moderator.context["csrf_token"]}"' in html
