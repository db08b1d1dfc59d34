"""Authentication backends that load the signed-in person with their group names.

Every signed-in page asks for the person's groups (the navigation, the coordinator and finance
rules). On PostgreSQL the names come in the same query as the person, and nothing is kept
between requests: a group taken away counts on the very next request, however it was written.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group
from django.db import connection

from portal.access import person_flags
from portal.models import User


def _person_with_group_names_sql() -> str:
    # Every signed-in request runs this: written out once instead of compiled by the ORM each
    # time (a third of the cost of a signed-in request that does nothing else).
    # The apps' person flags (portal.access.register_person_flag) come as columns "flag_<name>".
    person, groups, through = User._meta.db_table, Group._meta.db_table, User.groups.through._meta.db_table
    flags = "".join(f', ({sql()}) AS "flag_{name}"' for name, (sql, _) in person_flags().items())
    return (
        f'SELECT p.*, ARRAY(SELECT g."name" FROM "{groups}" g JOIN "{through}" pg ON pg."group_id" = g."id" '
        f'WHERE pg."user_id" = p."id") AS "loaded_group_names"{flags} FROM "{person}" p WHERE p."id" = %s'
    )


class LoadsGroupNames:
    def get_user(self, user_id):
        if connection.vendor == "postgresql":
            user = next(iter(User._default_manager.raw(_person_with_group_names_sql(), [user_id])), None)
            if user is not None:
                user._group_names = frozenset(user.loaded_group_names)
                user._person_flags = {name: bool(getattr(user, f"flag_{name}")) for name in person_flags()}
        else:
            user = User._default_manager.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


class ModelBackend(LoadsGroupNames, DjangoModelBackend):
    pass


class AuthenticationBackend(LoadsGroupNames, AllauthBackend):
    pass
