"""Whole pages kept in the cache for the busiest read-only views, never served stale.

A page such as the catalog, a thread or the dashboard is read far more often than what it shows
changes, and building it costs a few milliseconds of ORM and template work each time. The
``cached_page(...)`` decorator keeps the finished page per reader and URL, under a key that
holds a *version counter* for each app whose data the page shows. Every write to a model of
those apps moves that app's counter on (a signal on save, delete and many-to-many change,
wired in ``PortalConfig.ready``; the few queryset ``update()`` calls in services call
``bump()`` themselves), so a page built from older data is never read again; it simply expires.

What else a page depends on is in the key too: who reads it (each signed-in person has their
own copies; visitors share one), the CSRF cookie (the forms on the page carry a token made
from it), the address asked for, today's date, the language and time zone. Nothing is cached
or served from the cache when flash messages wait to be shown, for anything but a 200, or when
the response sets a cookie.

A page whose content moves with the clock (an application window closing at 17:00) says when
with ``changes_at()`` and is not kept past that moment; in any case a page is kept at most
``PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation

VERSION_KEY = "pagecache:version:{}"
# Models whose rows no page shows, written often (the e-mail ledger, by the workers): a write
# there leaves the pages alone.
NOT_SHOWN = {"portal.outboundemail", "portal.notificationpreference"}


def _version_keys(scopes: Iterable[str]) -> list[str]:
    return [VERSION_KEY.format(scope) for scope in scopes]


def versions(scopes: Iterable[str]) -> tuple:
    """The current counter of each scope. A counter the cache has lost starts again from the
    clock in nanoseconds, far above any earlier count, so no old page comes back with it."""
    keys = _version_keys(scopes)
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return tuple(found[key] for key in keys)


def _bump_now(scope: str) -> None:
    key = VERSION_KEY.format(scope)
    try:
        cache.incr(key)
    except ValueError:  # not there: any fresh value differs from what pages were built with
        cache.add(key, time.time_ns(), timeout=None)


def bump(*scopes: str) -> None:
    """Retire every cached page built from these scopes' data: now, and again once the current
    transaction commits, since a page built while it was open still shows the rows before it."""
    for scope in scopes:
        _bump_now(scope)
        transaction.on_commit(lambda scope=scope: _bump_now(scope))


def bump_for_instance(sender, instance=None, **kwargs) -> None:
    """Signal receiver: a row of ``sender``'s app changed."""
    bump(sender._meta.app_label)


def changes_at(request, moment) -> None:
    """The page being built shows something that changes at ``moment`` (an aware datetime)
    without any write: it is not served from the cache after then."""
    if moment is not None and moment > timezone.now():
        earliest = getattr(request, "_page_changes_at", None)
        request._page_changes_at = moment if earliest is None else min(earliest, moment)


@contextmanager
def changes_within(request):
    """Collect, apart, the ``changes_at()`` moment of the work done inside (one dashboard panel,
    kept on its own): ``found[0]`` is the earliest, or None. The page is told of it as well."""
    outer = getattr(request, "_page_changes_at", None)
    request._page_changes_at = None
    found = [None]
    try:
        yield found
    finally:
        found[0], request._page_changes_at = request._page_changes_at, outer
        changes_at(request, found[0])


def lifetime(now, changes: datetime | None) -> tuple[datetime, int]:
    """Until when something built ``now`` may be kept, and for how many whole seconds."""
    until = now + timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    until = min(until, changes or until)
    return until, math.ceil((until - now).total_seconds())


def digest_key(prefix: str, *parts) -> str:
    """A cache key for ``parts`` and what every kept page depends on: language, time zone and
    today's date."""
    parts = (
        *parts,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
    )
    return f"{prefix}:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    # Flash messages are shown once: a page that shows them must be rendered for this request.
    return not len(messages.get_messages(request))


def _key(request, name: str, scopes: tuple) -> str:
    user = request.user
    return digest_key(
        f"page:{name}",
        user.pk if user.is_authenticated else "visitor",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        versions(scopes),
    )


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page's CSRF tokens come from the cookie the browser sent (in the key), not from a
        # new secret that this response is about to set.
        and request.META.get("CSRF_COOKIE") in (None, request.COOKIES.get(settings.CSRF_COOKIE_NAME))
        # A message the view added (and perhaps showed) belongs to this response only.
        and not len(messages.get_messages(request))
    )


def cached_page(*scopes: str) -> Callable:
    """Keep this view's 200 pages per reader and URL until a write to one of ``scopes`` (app
    labels: "portal", "institutes", "communities", "trainers") or ``PAGE_CACHE_SECONDS``.

    List every app whose rows the page shows or checks for permission; "portal" (people,
    agencies, roles) is always included. Use it inside the access decorator, so that the access
    rule runs on every request.
    """
    scopes = tuple(dict.fromkeys(("portal", *scopes)))

    def decorator(view: Callable) -> Callable:
        name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request, name, scopes)
            now = timezone.now()
            stored = cache.get(key)
            if stored is not None and stored[2] > now.timestamp():
                content, headers, _until = stored
                response = HttpResponse(content)
                for header, value in headers:
                    response[header] = value
                return response
            response = view(request, *args, **kwargs)
            until, seconds = lifetime(now, getattr(request, "_page_changes_at", None))
            if seconds > 0 and _storable(request, response):
                stored = (response.content, list(response.items()), until.timestamp())
                cache.set(key, stored, seconds)
            return response

        return wrapper

    return decorator
