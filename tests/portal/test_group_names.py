import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from portal.models import User
from tests.factories import UserFactory


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def coordinators(db):
    return Group.objects.get_or_create(name="Coordinators")[0]


@pytest.mark.skipif(
    "DatabaseCache" in settings.CACHES["default"]["BACKEND"], reason="a database cache would cost a query too"
)
def test_group_names_are_read_once_then_come_from_the_cache(coordinators, django_assert_num_queries):
    person = UserFactory()
    person.groups.add(coordinators)
    assert fresh(person).is_coordinator is True
    again = fresh(person)
    with django_assert_num_queries(0):
        assert again.is_coordinator is True
        assert again.is_finance is False


@pytest.mark.parametrize(
    "how",
    [
        "user.groups.remove",
        "user.groups.clear",
        "group.user_set.remove",
        "group.user_set.clear",
        "group.delete",
    ],
)
def test_losing_a_group_takes_effect_on_the_next_request(coordinators, how):
    person = UserFactory()
    person.groups.add(coordinators)
    assert fresh(person).is_coordinator is True
    if how == "user.groups.remove":
        person.groups.remove(coordinators)
    elif how == "user.groups.clear":
        person.groups.clear()
    elif how == "group.user_set.remove":
        coordinators.user_set.remove(person)
    elif how == "group.user_set.clear":
        coordinators.user_set.clear()
    else:
        coordinators.delete()
    assert fresh(person).is_coordinator is False


def test_gaining_a_group_takes_effect_on_the_next_request(coordinators):
    person, other = UserFactory(), UserFactory()
    assert fresh(person).is_coordinator is False
    assert fresh(other).is_coordinator is False
    person.groups.add(coordinators)
    coordinators.user_set.add(other)
    assert fresh(person).is_coordinator is True
    assert fresh(other).is_coordinator is True


def test_renaming_a_group_takes_effect_on_the_next_request(coordinators):
    person = UserFactory()
    person.groups.add(coordinators)
    assert fresh(person).is_coordinator is True
    coordinators.name = "Former coordinators"
    coordinators.save()
    assert fresh(person).is_coordinator is False
