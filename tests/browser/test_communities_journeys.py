"""Communities journeys in a real browser."""

import pytest

from communities import services
from communities.models import Community, Thread
from tests.communities.factories import (
    CommunityFactory,
    FacilitatorFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    institute,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_accepted_participant_finds_cohort_starts_thread_and_hears_of_reply(
    page, login_as, shot, axe, mailoutbox
):
    inst = institute(title="Math Strategies ToT, Spring 2026")
    ana = UserFactory(name="Ana Torres")
    ben = UserFactory(name="Ben Whitaker")
    # The institutes app calls this when an application is accepted.
    services.join_cohort(institute=inst, user=ana)
    services.join_cohort(institute=inst, user=ben)

    login_as(page, ana)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Math Strategies ToT, Spring 2026").click()
    assert page.locator("h1").inner_text() == "Math Strategies ToT, Spring 2026"
    assert page.get_by_role("heading", name="Welcome to Math Strategies ToT, Spring 2026!").is_visible()
    shot(page, "cohort-orientation")
    assert axe(page) == []

    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Hello from Sacramento")
    page.get_by_label("Your message").fill("I teach **evening ESL**. Looking forward to the sessions!")
    page.get_by_role("button", name="Preview").click()
    assert page.locator("#markdown-preview strong").inner_text() == "evening ESL"
    page.get_by_role("button", name="Post the thread").click()
    assert page.locator("h1").inner_text() == "Hello from Sacramento"
    shot(page, "thread-posted")

    login_as(page, ben)
    page.goto(Thread.objects.get().get_absolute_url())
    page.get_by_label("Your reply").fill("Welcome, Ana! See you on day one.")
    page.get_by_role("button", name="Post my reply").click()
    assert page.get_by_text("Welcome, Ana! See you on day one.").is_visible()
    shot(page, "reply-posted")

    # Ben follows the cohort, so he heard of the new thread; Ana hears of his reply.
    assert [m.to for m in mailoutbox] == [[ben.email], [ana.email]]
    assert "Welcome, Ana! See you on day one." in mailoutbox[1].body
    assert page.js_errors == []


def test_facilitator_pins_locks_and_hides(page, login_as, shot, axe):
    role = FacilitatorFactory(user=UserFactory(name="Tomás Reyes"))
    member = MembershipFactory(community=role.community).user
    thread = ThreadFactory(community=role.community, title="Share your favourite warm-up")
    PostFactory(thread=thread, author=member, body="Two truths and a lie!")

    login_as(page, role.user)
    page.goto(thread.get_absolute_url())
    page.get_by_role("button", name="Pin thread").click()
    assert page.get_by_text("The thread is pinned to the top of the community.").is_visible()
    page.get_by_role("button", name="Lock thread").click()
    assert page.get_by_text("Locked: no new replies").is_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Hide thread").click()
    assert page.get_by_text("Hidden from members", exact=True).is_visible()
    shot(page, "moderated-thread")

    thread.refresh_from_db()
    assert (thread.pinned, thread.locked, thread.hidden) == (True, True, True)
    login_as(page, member)
    response = page.goto(thread.get_absolute_url())
    assert response.status == 404


def test_facilitator_moves_a_reply_to_another_thread(page, login_as, shot, axe):
    role = FacilitatorFactory(user=UserFactory(name="Tomás Reyes"))
    member = MembershipFactory(community=role.community).user
    warmups = ThreadFactory(community=role.community, title="Share your favourite warm-up")
    PostFactory(thread=warmups, author=member, body="Two truths and a lie!")
    stray = PostFactory(thread=warmups, author=member, body="Is there parking at the venue?")
    travel = ThreadFactory(community=role.community, title="Getting to the institute")
    PostFactory(thread=travel, author=role.user, body="Share travel tips here.")

    login_as(page, role.user)
    page.goto(warmups.get_absolute_url())
    move = "Move this post to another thread"
    assert page.locator("article").first.get_by_role("link", name=move).count() == 0  # opens it
    page.locator(f"#post-{stray.pk}").get_by_role("link", name=move).click()
    page.get_by_label("Move it to").select_option(label="Getting to the institute")
    page.get_by_label("Why (optional)").fill("Travel questions live in their own thread.")
    shot(page, "move-post")
    assert axe(page) == []
    page.get_by_role("button", name="Move the post").click()
    assert page.get_by_text("The post is now in “Getting to the institute”.").is_visible()
    assert page.locator("h1").inner_text() == "Getting to the institute"
    assert page.get_by_text("Is there parking at the venue?").is_visible()
    page.goto(warmups.get_absolute_url())
    assert page.get_by_text("Is there parking at the venue?").count() == 0


def test_member_searches_and_finds_a_post(page, login_as, shot, axe):
    membership = MembershipFactory()
    PostFactory(
        thread__community=membership.community,
        thread__title="Persistence",
        body="Celebrate attendance streaks every Friday.",
    )
    secret = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    PostFactory(thread__community=secret, body="Secret attendance streaks plan.")

    login_as(page, membership.user)
    page.goto("/communities/search/")
    page.get_by_label("Search").fill("attendance streaks")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("status").inner_text() == "1 result for “attendance streaks”."
    assert page.locator(".search-hit mark").first.inner_text().lower() == "attendance"
    shot(page, "search-results")
    assert axe(page) == []
    page.get_by_role("link", name="Persistence").click()
    assert page.locator("h1").inner_text() == "Persistence"


def test_member_shares_a_plan_and_a_colleague_comments(page, login_as, shot, axe):
    membership = MembershipFactory(community__title="Math Capital CoP")
    colleague = MembershipFactory(community=membership.community, user=UserFactory(name="Chloé Dubois")).user

    login_as(page, membership.user)
    page.goto("/communities/plans/")
    page.get_by_role("link", name="Start a plan").click()
    page.get_by_label("Title").fill("Number lines in my ESL class")
    page.get_by_label("Goals").fill("Every learner places fractions on a number line by June.")
    page.get_by_label("Share with a community").select_option(label="Math Capital CoP")
    page.get_by_role("button", name="Save the plan").click()
    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("Step").fill("Try the activity with the Tuesday class")
    page.get_by_label("Who does it").fill("Me")
    page.get_by_label("Due date").fill("2026-12-01")
    page.get_by_role("button", name="Save the step").click()
    assert page.get_by_text("Shared with").is_visible()
    shot(page, "plan-shared")
    assert axe(page) == []

    login_as(page, colleague)
    page.goto(f"/communities/c/{membership.community.slug}/plans/")
    page.get_by_role("link", name="Number lines in my ESL class").click()
    page.get_by_label("Your comment").fill("Love it. Try a giant floor number line!")
    page.get_by_role("button", name="Post the comment").click()
    assert page.get_by_text("Love it. Try a giant floor number line!").is_visible()
    shot(page, "plan-comment")
