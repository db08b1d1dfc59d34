import pytest
from django.urls import reverse

from tests.communities.factories import MembershipFactory, PlanFactory, PostFactory, ResourceFactory

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
