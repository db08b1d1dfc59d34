"""A certified trainer finds their reports and honoraria in the person's menu, on every page, at
no query of its own (the flag comes with the person: portal.backends, portal.access)."""

import pytest
from django.db import connection
from django.urls import reverse

from portal.access import has_person_flag
from portal.backends import ModelBackend
from tests.factories import UserFactory
from tests.trainers.factories import certified_trainer

pytestmark = pytest.mark.django_db


def _menu_links(html: str) -> tuple[bool, bool]:
    return (
        f'href="{reverse("trainers:my-reports")}">My facilitation reports</a>' in html,
        f'href="{reverse("trainers:my-honoraria")}">My honoraria</a>' in html,
    )


def test_a_certified_trainer_has_reports_and_honoraria_in_the_menu(client_for):
    trainer, _ = certified_trainer()
    assert _menu_links(client_for(trainer).get(reverse("institutes:catalog")).content.decode()) == (
        True,
        True,
    )


def test_a_person_without_a_certification_and_a_visitor_do_not(client_for, client):
    assert _menu_links(client_for(UserFactory()).get(reverse("institutes:catalog")).content.decode()) == (
        False,
        False,
    )
    assert _menu_links(client.get(reverse("institutes:catalog")).content.decode()) == (False, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the flag comes with the person on PostgreSQL")
def test_the_flag_comes_with_the_person_in_their_one_query(django_assert_num_queries):
    trainer, _ = certified_trainer()
    other = UserFactory()
    with django_assert_num_queries(2):
        loaded, loaded_other = ModelBackend().get_user(trainer.pk), ModelBackend().get_user(other.pk)
        assert (has_person_flag(loaded, "trainer"), has_person_flag(loaded_other, "trainer")) == (True, False)


def test_elsewhere_the_flag_is_asked_once_per_person(django_assert_num_queries):
    trainer, _ = certified_trainer()
    with django_assert_num_queries(1):
        assert has_person_flag(trainer, "trainer") is True
        assert has_person_flag(trainer, "trainer") is True
