"""Every view states its access rule (AMY's test_security idea)."""

from django.urls import URLPattern, URLResolver, get_resolver

# Third-party views keep their own rules: allauth checks its own sessions, and the admin site
# wraps every view under admin/ (ours included) in admin_view, which admits active staff only.
TRUSTED_MODULES = ("allauth.",)
TRUSTED_PREFIXES = ("admin/",)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _rule(callback):
    view_class = getattr(callback, "view_class", None)
    return getattr(callback, "access_rule", None) or getattr(view_class, "access_rule", None)


def test_every_project_view_states_its_access_rule():
    missing = [
        f"{route} -> {callback.__module__}.{callback.__qualname__}"
        for route, callback in _walk(get_resolver().url_patterns)
        if not callback.__module__.startswith(TRUSTED_MODULES)
        and not route.startswith(TRUSTED_PREFIXES)
        and not _rule(callback)
    ]
    assert missing == []


def test_walk_finds_the_project_views():
    modules = {cb.__module__ for _, cb in _walk(get_resolver().url_patterns)}
    assert "portal.views" in modules


def test_admin_login_is_routed_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_login_refuses_signed_in_non_staff(client_for, user):
    assert client_for(user).get("/admin/login/").status_code == 403


def test_coordinator_without_totp_is_sent_to_set_it_up(client_for, db):
    from tests.factories import coordinator

    response = client_for(coordinator()).get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")


def test_institute_coordinator_outside_the_staff_groups_is_sent_to_set_up_totp(client_for, db):
    from tests.factories import UserFactory
    from tests.institutes.factories import InstituteFactory, coordinator_of

    person = coordinator_of(InstituteFactory(), UserFactory())
    response = client_for(person).get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")


def test_a_person_whose_coordinator_role_ended_is_not_asked_for_totp(client_for, db):
    import datetime as dt

    from django.utils import timezone

    from institutes.models import InstituteCoordinator
    from tests.factories import UserFactory
    from tests.institutes.factories import InstituteFactory

    person = UserFactory()
    today = timezone.localdate()
    InstituteCoordinator.objects.create(
        user=person,
        institute=InstituteFactory(),
        starts_on=today - dt.timedelta(days=200),
        ends_on=today - dt.timedelta(days=1),
    )
    assert client_for(person).get("/dashboard/").status_code == 200


def test_coordinator_with_totp_reaches_the_dashboard(client_for, coordinator):
    assert client_for(coordinator).get("/dashboard/").status_code == 200


def test_dashboard_requires_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
