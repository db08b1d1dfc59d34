"""Rate limits for the public forms (registration, check-in codes, survey answers).

Each limit counts attempts for one key (the client's address, an e-mail address, a code) in the
shared cache; the window opens at the first attempt. Keys are hashed, so no address is kept in
the cache in the clear. The account pages keep allauth's own limits (``ACCOUNT_RATE_LIMITS``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from allauth.core.internal.httpkit import get_client_ip
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Limit:
    attempts: int
    seconds: int


def _cache_key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def allow(scope: str, value: str, limit: Limit) -> bool:
    """Count one attempt by ``value`` (an address, an e-mail) in ``scope``; False once over the limit."""
    key = _cache_key(scope, value)
    if cache.add(key, 1, limit.seconds):
        return limit.attempts >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.add(key, 1, limit.seconds)
        count = 1
    return count <= limit.attempts


def client_ip(request: HttpRequest) -> str:
    """The caller's address, read as allauth reads it for the account limits: behind a proxy,
    from the trusted X-Forwarded-For hop or client-IP header the settings name."""
    return get_client_ip(request) or ""


def too_many(request: HttpRequest) -> HttpResponse:
    """The friendly "please wait" page, with status 429."""
    return render(request, "429.html", status=429)
