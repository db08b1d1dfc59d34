"""Search reads who may read where as ids (ReadScope.resolved_for); it must say exactly what
Community.objects.visible_to and the facilitator rows say."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities.models import Community, CommunityFacilitator, ReadScope
from tests.communities.factories import CommunityFactory, FacilitatorFactory, MembershipFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spaces():
    public = CommunityFactory(visibility=Community.Visibility.PUBLIC)
    joined = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    facilitated = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    ended = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    CommunityFactory(visibility=Community.Visibility.MEMBERS)  # closed to the person
    person = UserFactory()
    MembershipFactory(user=person, community=joined)
    FacilitatorFactory(user=person, community=facilitated)
    today = timezone.localdate()
    FacilitatorFactory(
        user=person,
        community=ended,
        starts_on=today - dt.timedelta(days=90),
        ends_on=today - dt.timedelta(days=1),
    )
    return person, public, joined, facilitated


def test_resolved_ids_are_the_communities_visible_to_a_member_and_facilitator(spaces):
    person, public, joined, facilitated = spaces
    scope = ReadScope.resolved_for(person)
    visible = sorted(Community.objects.visible_to(person).values_list("pk", flat=True))
    assert scope.communities == visible == sorted([public.pk, joined.pk, facilitated.pk])
    moderated = CommunityFacilitator.objects.active().filter(user=person).values_list("community", flat=True)
    assert scope.moderated == sorted(moderated) == [facilitated.pk]


def test_a_visitor_keeps_the_public_filter(spaces):
    _person, public, _joined, _facilitated = spaces
    scope = ReadScope.resolved_for(AnonymousUser())
    assert (scope.everywhere, scope.signed_in) == (False, False)
    assert list(scope.communities.values_list("pk", flat=True)) == [public.pk]
