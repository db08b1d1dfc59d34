"""Authentication backends that load the signed-in person with their group names.

Every signed-in page asks for the person's groups (the navigation, the coordinator and finance
rules). On PostgreSQL the names come in the same query as the person, so no page pays a second
query for them, and nothing is kept between requests: a group taken away counts on the very
next request, however it was written.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection

from portal.models import User


class LoadsGroupNames:
    def get_user(self, user_id):
        people = User._default_manager.filter(pk=user_id)
        if connection.vendor == "postgresql":
            people = people.annotate(loaded_group_names=ArrayAgg("groups__name", default=[]))
        user = people.first()
        if user is None or not self.user_can_authenticate(user):
            return None
        if hasattr(user, "loaded_group_names"):
            user._group_names = frozenset(name for name in user.loaded_group_names if name)
        return user


class ModelBackend(LoadsGroupNames, DjangoModelBackend):
    pass


class AuthenticationBackend(LoadsGroupNames, AllauthBackend):
    pass
