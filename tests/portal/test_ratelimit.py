"""portal.ratelimit: counts per scope and key, in the shared cache."""

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory

from portal.ratelimit import Limit, allow, client_ip, too_many

LIMIT = Limit(attempts=3, seconds=60)


def test_allows_up_to_the_limit_then_refuses():
    assert [allow("register", "10.0.0.1", LIMIT) for _ in range(5)] == [True, True, True, False, False]


def test_scopes_and_keys_are_counted_apart():
    for _ in range(3):
        allow("register", "ana@example.org", LIMIT)
    assert not allow("register", "ANA@example.org ", LIMIT)  # the same address, however typed
    assert allow("register", "ben@example.org", LIMIT)
    assert allow("check-in", "ana@example.org", LIMIT)


def test_the_window_closes():
    for _ in range(4):
        allow("survey", "10.0.0.2", LIMIT)
    cache.clear()  # as when the window's time has passed
    assert allow("survey", "10.0.0.2", LIMIT)


def test_keys_are_not_kept_in_the_clear():
    allow("register", "ana@example.org", LIMIT)
    assert cache.get("ratelimit:register:ana@example.org") is None


def test_client_ip_and_the_wait_page(db):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = AnonymousUser()
    assert client_ip(request) == "192.0.2.7"
    response = too_many(request)
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()
