"""Each role against each object, including other people's."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities import permissions as p
from communities.models import Community, JoinRequest, Post, Report, Resource, Thread
from tests.communities.factories import (
    CommunityFactory,
    FacilitatorFactory,
    MembershipFactory,
    PlanFactory,
    PostFactory,
    ResourceFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator):
    private = CommunityFactory(
        visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.INVITATION
    )
    member = MembershipFactory(community=private).user
    facilitator = FacilitatorFactory(community=private).user
    post = PostFactory(thread__community=private, author=member)
    return {
        "community": private,
        "post": post,
        "resource": ResourceFactory(community=private),
        "member": member,
        "facilitator": facilitator,
        "outsider": UserFactory(),
        "coordinator": coordinator,
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize(
    ("who", "view", "moderate"),
    [
        ("member", True, False),
        ("facilitator", True, True),
        ("coordinator", True, True),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_members_only_community_matrix(world, who, view, moderate):
    user = world[who]
    assert p.can_view_community(user, world["community"]) is view
    assert p.can_view_thread(user, world["post"].thread) is view
    assert p.can_view_post(user, world["post"]) is view
    assert p.can_view_resource(user, world["resource"]) is view
    assert p.can_moderate_community(user, world["community"]) is moderate


@pytest.mark.parametrize(
    ("who", "count"),
    [("member", 1), ("facilitator", 1), ("coordinator", 1), ("outsider", 0), ("anonymous", 0)],
)
def test_visible_to_querysets_agree_with_permissions(world, who, count):
    user = world[who]
    assert Community.objects.visible_to(user).filter(pk=world["community"].pk).count() == count
    assert Thread.objects.visible_to(user).count() == count
    assert Post.objects.visible_to(user).count() == count
    assert Resource.objects.visible_to(user).count() == count


def test_statewide_library_is_visible_to_everyone():
    resource = ResourceFactory(community=None)
    assert p.can_view_resource(AnonymousUser(), resource) is True


def test_author_edits_but_others_do_not(world):
    assert p.can_edit_post(world["member"], world["post"]) is True
    assert p.can_edit_post(world["facilitator"], world["post"]) is False


def test_plan_visibility(world):
    owner = world["member"]
    private_plan = PlanFactory(owner=owner)
    shared_plan = PlanFactory(owner=owner, shared_with=world["community"])
    colleague = MembershipFactory(community=world["community"]).user

    assert p.can_view_plan(colleague, private_plan) is False
    assert p.can_view_plan(colleague, shared_plan) is True
    assert p.can_view_plan(world["outsider"], shared_plan) is False
    assert p.can_edit_plan(colleague, shared_plan) is False
    assert p.can_comment_on_plan(colleague, shared_plan) is True


# --- Rules moved out of the views ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("member", True),
        ("facilitator", True),
        ("coordinator", True),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_members_list_and_shared_plans_are_for_members_and_moderators(world, who, allowed):
    user, community = world[who], world["community"]
    assert p.can_view_members(user, community) is allowed
    assert p.can_view_community_plans(user, community) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("member", True), ("facilitator", False), ("coordinator", False), ("outsider", False)],
)
def test_only_members_have_notification_settings(world, who, allowed):
    assert p.can_change_notifications(world[who], world["community"]) is allowed


def test_moderation_queue_holds_the_reports_and_requests_of_the_communities_one_moderates(world):
    other = CommunityFactory()
    here = Report.objects.create(post=world["post"], reporter=world["member"], reason="Off topic")
    there = Report.objects.create(
        post=PostFactory(thread__community=other), reporter=UserFactory(), reason="Spam"
    )
    ask_here = JoinRequest.objects.create(community=world["community"], user=UserFactory())
    ask_there = JoinRequest.objects.create(community=other, user=UserFactory())
    facilitator, coordinator = world["facilitator"], world["coordinator"]
    assert list(p.reports_to_moderate(facilitator)) == [here]
    assert list(p.join_requests_to_moderate(facilitator)) == [ask_here]
    assert set(p.reports_to_moderate(coordinator)) == {here, there}
    assert set(p.join_requests_to_moderate(coordinator)) == {ask_here, ask_there}
    assert list(p.reports_to_moderate(world["member"])) == []
