import pytest

from communities import services
from communities.models import Community, Follow, JoinRequest, Membership
from tests.communities.factories import CommunityFactory, MembershipFactory, institute
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_join_cohort_creates_the_members_only_cohort_community():
    inst = institute(title="EL Roadmap ToT 2026")
    person = UserFactory()

    membership = services.join_cohort(institute=inst, user=person)

    community = membership.community
    assert community.kind == Community.Kind.COHORT
    assert community.institute_id == inst.pk
    assert community.title == "EL Roadmap ToT 2026"
    assert community.visibility == Community.Visibility.MEMBERS
    assert membership.user == person
    assert Follow.objects.filter(user=person, community=community).count() == 1


def test_join_cohort_twice_keeps_one_membership_and_one_community():
    inst = institute()
    person, other = UserFactory(), UserFactory()

    first = services.join_cohort(institute=inst, user=person)
    again = services.join_cohort(institute=inst, user=person)
    services.join_cohort(institute=inst, user=other)

    assert first.pk == again.pk
    assert Community.objects.filter(institute=inst).count() == 1
    assert Membership.objects.filter(community=first.community).count() == 2


def test_cohort_membership_outlives_the_institute():
    inst = institute()
    membership = services.join_cohort(institute=inst, user=UserFactory())

    inst.delete()

    membership.refresh_from_db()
    assert membership.community.institute is None
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_join_open_community_adds_member_and_audit_row():
    community = CommunityFactory()
    person = UserFactory()

    services.join(community=community, user=person)

    assert Membership.objects.filter(community=community, user=person).count() == 1
    entry = community.moderation_log.get()
    assert (entry.action, entry.actor, entry.details) == ("joined", person, {"member": person.pk})


def test_join_on_request_community_is_refused():
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)

    with pytest.raises(services.CommunityError):
        services.join(community=community, user=UserFactory())


def test_leave_removes_membership_and_follows():
    membership = MembershipFactory()
    services.follow_community(user=membership.user, community=membership.community)

    services.leave(community=membership.community, user=membership.user)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not Follow.objects.filter(user=membership.user).exists()


def test_request_then_approve_makes_a_member(mailoutbox, django_capture_on_commit_callbacks):
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)
    person, facilitator = UserFactory(), UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.request_to_join(community=community, user=person, message="Hello")
        services.decide_join_request(join_request=join_request, approve=True, actor=facilitator)

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert Membership.objects.filter(community=community, user=person).exists()
    assert [m.to for m in mailoutbox] == [[person.email]]


def test_decided_request_cannot_be_decided_the_other_way():
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)
    join_request = services.request_to_join(community=community, user=UserFactory())
    services.decide_join_request(join_request=join_request, approve=False, actor=UserFactory())

    with pytest.raises(services.CommunityError):
        services.decide_join_request(join_request=join_request, approve=True, actor=UserFactory())


def test_invitation_accepted_by_matching_email():
    community = CommunityFactory(join_policy=Community.JoinPolicy.INVITATION)
    person = UserFactory(email="invitee@example.org")
    services.invite(community=community, email="Invitee@Example.org", actor=UserFactory())

    services.accept_invitation(community=community, user=person)

    assert Membership.objects.filter(community=community, user=person).exists()
    assert services.pending_invitation(community=community, user=person) is None
