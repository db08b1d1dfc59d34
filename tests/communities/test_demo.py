import pytest

from communities import demo
from communities.models import TOPICS, Community, CommunityFacilitator, Post, Resource, Thread
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_a_cop_per_topic_and_the_ecop_idempotently():
    portal_demo.seed()
    demo.seed()
    counts = (
        Community.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
        Resource.objects.count(),
    )
    demo.seed()

    assert (
        Community.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
        Resource.objects.count(),
    ) == counts
    regional = Community.objects.filter(kind=Community.Kind.REGIONAL)
    assert sorted(regional.values_list("topic", flat=True)) == sorted(TOPICS)
    assert len(set(regional.values_list("region", flat=True))) >= 5
    ecop = Community.objects.get(kind=Community.Kind.STATEWIDE)
    assert (ecop.visibility, ecop.join_policy) == (Community.Visibility.PUBLIC, Community.JoinPolicy.OPEN)
    assert CommunityFacilitator.objects.filter(community=ecop, user__email="trainer@egusd.net").exists()
    assert Post.objects.count() == 2
