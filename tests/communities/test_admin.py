import pytest
from django.urls import reverse

from communities import services
from communities.models import Community, JoinRequest
from portal import states
from tests.communities.factories import (
    CommunityFactory,
    MembershipFactory,
    PlanFactory,
    PostFactory,
    ResourceFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "community",
    "communityfacilitator",
    "membership",
    "joinrequest",
    "invitation",
    "thread",
    "post",
    "report",
    "follow",
    "resource",
    "implementationplan",
    "planstep",
    "planreflection",
    "plancomment",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_opens(client_for, admin_user, model):
    MembershipFactory()
    PostFactory()
    ResourceFactory()
    PlanFactory()
    response = client_for(admin_user).get(reverse(f"admin:communities_{model}_changelist"))
    assert response.status_code == 200


def test_admin_neither_adds_nor_deletes_join_requests(client_for, admin_user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)
    join_request = services.request_to_join(community=community, user=UserFactory())
    client = client_for(admin_user)

    add = client.get(reverse("admin:communities_joinrequest_add"))
    delete = client.post(
        reverse("admin:communities_joinrequest_delete", args=[join_request.pk]), {"post": "yes"}
    )
    client.post(
        reverse("admin:communities_joinrequest_changelist"),
        {"action": "decline", "_selected_action": [join_request.pk]},
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert [(e.action, e.actor) for e in community.moderation_log] == [("declined a request", admin_user)]
    assert [(e.from_status, e.to_status) for e in join_request_history(join_request)] == [
        ("pending", "declined")
    ]


def join_request_history(join_request):

    return states.history(join_request)
