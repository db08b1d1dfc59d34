import pytest
from django.contrib.auth.models import Group
from django.db import connection

from portal.backends import ModelBackend
from portal.models import User
from tests.factories import UserFactory


def signed_in(user):
    """The person as the next request loads them."""
    return ModelBackend().get_user(user.pk)


@pytest.fixture
def coordinators(db):
    return Group.objects.get_or_create(name="Coordinators")[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the names come with the person on PostgreSQL")
def test_the_person_and_their_group_names_load_in_one_query(coordinators, django_assert_num_queries):
    person = UserFactory()
    person.groups.add(coordinators)
    with django_assert_num_queries(1):
        loaded = signed_in(person)
        assert loaded.is_coordinator is True
        assert loaded.is_finance is False


def test_a_person_without_groups_is_neither_coordinator_nor_finance(db):
    loaded = signed_in(UserFactory())
    assert (loaded.is_coordinator, loaded.is_finance) == (False, False)


def test_an_inactive_person_is_not_loaded(db):
    assert signed_in(UserFactory(is_active=False)) is None


@pytest.mark.parametrize(
    "how",
    [
        "user.groups.remove",
        "group.user_set.clear",
        "group.delete",
        "through-table delete",
        "through-table update",
    ],
)
def test_losing_a_group_takes_effect_on_the_next_request(coordinators, how):
    person = UserFactory()
    person.groups.add(coordinators)
    assert signed_in(person).is_coordinator is True
    memberships = User.groups.through.objects.filter(user=person)
    if how == "user.groups.remove":
        person.groups.remove(coordinators)
    elif how == "group.user_set.clear":
        coordinators.user_set.clear()
    elif how == "group.delete":
        coordinators.delete()
    elif how == "through-table delete":
        memberships.delete()  # no m2m signal: nothing may depend on one
    else:
        memberships.update(group=Group.objects.create(name="Former coordinators"))
    assert signed_in(person).is_coordinator is False


def test_gaining_a_group_takes_effect_on_the_next_request(coordinators):
    person = UserFactory()
    assert signed_in(person).is_coordinator is False
    coordinators.user_set.add(person)
    assert signed_in(person).is_coordinator is True
