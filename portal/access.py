"""Every view states its access rule with one of these decorators.

The rule is recorded on the view as ``access_rule`` so that a test can walk the URL patterns
and fail for any view that has none. Object-level checks live in each app's permissions.py
and are called inside the view.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    """Anyone, signed in or not, may open this page."""
    return _mark(view, "public")


def signed_link(view: Callable) -> Callable:
    """Anyone holding a signed, expiring token (the view verifies it)."""
    return _mark(view, "signed-link")


def login_required(view: Callable) -> Callable:
    """Signed-in people; the view checks the object with permissions.can_*()."""
    return _mark(django_login_required(view), "login")


def rule_required(rule: Callable[[object], bool], description: str) -> Callable:
    """Signed-in people for whom ``rule(user)`` holds, e.g. members of the Coordinators group."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(django_login_required(wrapper), f"rule:{description}")

    return decorator


def is_coordinator(user) -> bool:
    """The state office's staff coordinator: a member of the Coordinators group (or a superuser).

    The one staff-wide coordinator rule, for the whole state's work: the commitments and the
    overview, moderating every community and keeping the statewide library. Trainers' reports and
    honoraria belong to the coordinators of their module's institutes (trainers.permissions). A decision about one institute and its
    participants (reviewing, attendance, certifying its roster) is for the coordinator of that
    institute instead: institutes.permissions.is_institute_coordinator, which the group neither
    grants nor is needed for.
    """
    return user.is_authenticated and user.is_coordinator


def is_finance(user) -> bool:
    """Finance staff: members of the Finance group (or superusers) pay and export honoraria."""
    return user.is_authenticated and user.is_finance


def is_state_office(user) -> bool:
    """Program leadership at the state office (the State office group, or a superuser): reads
    reach, impact and survey results across all institutes, and changes nothing."""
    return user.is_authenticated and user.is_state_office


def sees_program_results(user) -> bool:
    """Who reads the program's reach, impact and survey results: coordinators and the state office."""
    return is_coordinator(user) or is_state_office(user)


def can_use_admin(user) -> bool:
    """Django's admin is for staff accounts, whatever their groups."""
    return user.is_authenticated and user.is_staff


# Ways of holding staff powers other than the staff groups, added by the apps that define them
# (a coordinator role for one institute) from their AppConfig.ready(): portal imports no app.
_staff_roles: list[Callable[[object], bool]] = []


def register_staff_role(holds_role: Callable[[object], bool]) -> None:
    """Count ``holds_role(user)`` as staff for two-factor sign-in (twice is once)."""
    if holds_role not in _staff_roles:
        _staff_roles.append(holds_role)


def holds_staff_role(user) -> bool:
    """Staff who must sign in with a second factor: superusers, the staff groups
    (MFA_REQUIRED_GROUPS) and every role an app registered."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or any(user.in_group(name) for name in settings.MFA_REQUIRED_GROUPS):
        return True
    return any(holds_role(user) for holds_role in _staff_roles)


# Facts about a person that the layout asks on every page (is this person a certified trainer?),
# added by the apps that know them: portal imports no app. Each comes with the person on
# PostgreSQL (an EXISTS in the one query of portal.backends) and otherwise is asked once per
# request, only when a page reads it.
_person_flags: dict[str, tuple[Callable[[], str], Callable[[object], bool]]] = {}


def register_person_flag(name: str, exists_sql: Callable[[], str], holds: Callable[[object], bool]) -> None:
    """``exists_sql()`` is a boolean SQL expression on the person's row, aliased ``p``
    (e.g. ``EXISTS (SELECT 1 FROM t WHERE t."user_id" = p."id")``); ``holds(user)`` asks the same
    with the ORM. Twice is once."""
    _person_flags[name] = (exists_sql, holds)


def person_flags() -> dict[str, tuple[Callable[[], str], Callable[[object], bool]]]:
    return dict(_person_flags)


def has_person_flag(user, name: str) -> bool:
    """The flag as loaded with the person, or asked once and kept on this person for the request."""
    if not user.is_authenticated or name not in _person_flags:
        return False
    flags = getattr(user, "_person_flags", None)
    if flags is None:
        flags = {}
        user._person_flags = flags
    if name not in flags:
        flags[name] = bool(_person_flags[name][1](user))
    return flags[name]


coordinator_required = rule_required(is_coordinator, "coordinators")
finance_required = rule_required(is_finance, "finance")
program_results_required = rule_required(sees_program_results, "coordinators and the state office")
