"""Security headers on every kind of page, and the production settings behind HSTS and cookies.

The suite runs with SECURE_SSL_REDIRECT off (portal/testing.py), so the production values are read
from a fresh interpreter that loads portal/settings.py with production's environment, and the
headers and cookies are then checked through the middleware with those values in force.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from portal.credentials.keys import new_private_key_pem

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-for-the-settings-test-0123456789abcdef",
    "ALLOWED_HOSTS": "tot.example.org",
    "SITE_URL": "https://tot.example.org",
    "CREDENTIALS_SIGNING_KEY": new_private_key_pem(),
}
PRODUCTION_NAMES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
]


def _production_env(**overrides: str) -> dict:
    # Test-only switches stay out: the browser suite sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright.
    unset = ("SECURE_SSL_REDIRECT", "ALLOW_INSECURE_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="portal.settings", **overrides)
    return env


def _settings_under(env: dict) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {PRODUCTION_NAMES!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    """The security settings portal/settings.py produces with DEBUG off and nothing else overridden."""
    return _settings_under(_production_env())


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.fixture
def pages(world):
    ana = Client()
    ana.force_login(world.users["applicant"])
    visitor = Client()
    return [
        (visitor, "/"),
        (visitor, "/accounts/login/"),
        (visitor, "/institutes/"),
        (visitor, "/no-such-page/"),
        (ana, "/dashboard/"),
        (ana, reverse("communities:thread-detail", args=[world.thread.pk])),
        (ana, reverse("institutes:submission-download", args=[world.submission.pk])),
    ]


def test_every_kind_of_page_sends_a_strict_content_security_policy(pages):
    for client, url in pages:
        response = client.get(url)
        directives = _directives(response["Content-Security-Policy"])
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts == ["'self'"], url
        assert directives["default-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["base-uri"] == ["'self'"], url
        assert directives["form-action"] == ["'self'"], url
        assert "'unsafe-inline'" not in directives["style-src"], url
        whole = response["Content-Security-Policy"]
        assert "unsafe-inline" not in whole, url
        assert "unsafe-eval" not in whole, url


def test_every_kind_of_page_sends_the_other_security_headers(pages):
    for client, url in pages:
        response = client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_production_settings_turn_on_https_only_behaviour(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True


def _as_production(production):
    return override_settings(
        SECURE_SSL_REDIRECT=production["SECURE_SSL_REDIRECT"],
        SECURE_PROXY_SSL_HEADER=tuple(production["SECURE_PROXY_SSL_HEADER"]),
        SECURE_HSTS_SECONDS=production["SECURE_HSTS_SECONDS"],
        SECURE_HSTS_INCLUDE_SUBDOMAINS=production["SECURE_HSTS_INCLUDE_SUBDOMAINS"],
        SECURE_HSTS_PRELOAD=production["SECURE_HSTS_PRELOAD"],
        SESSION_COOKIE_SECURE=production["SESSION_COOKIE_SECURE"],
        CSRF_COOKIE_SECURE=production["CSRF_COOKIE_SECURE"],
        CSRF_COOKIE_HTTPONLY=production["CSRF_COOKIE_HTTPONLY"],
    )


@pytest.mark.django_db
def test_production_sends_hsts_and_redirects_plain_http(client, production):
    with _as_production(production):
        response = client.get("/", secure=True)
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == (
            f"max-age={production['SECURE_HSTS_SECONDS']}; includeSubDomains; preload"
        )
        # Behind the proxy: the forwarded scheme counts, and plain HTTP is sent to HTTPS.
        proxied = client.get("/", HTTP_X_FORWARDED_PROTO="https")
        assert "Strict-Transport-Security" in proxied
        plain = client.get("/institutes/?q=x")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/institutes/?q=x"


def test_production_cookies_are_secure_and_httponly(world, production):
    client = Client()
    with _as_production(production):
        page = client.get("/accounts/login/", secure=True)
        csrf = page.cookies["csrftoken"]
        assert (bool(csrf["secure"]), bool(csrf["httponly"]), csrf["samesite"]) == (True, True, "Lax")
        response = client.post(
            "/accounts/login/",
            {"login": "ana@example.org", "password": "a-long-test-password"},
            secure=True,
        )
        assert response.status_code == 302
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert (bool(session["secure"]), bool(session["httponly"]), session["samesite"]) == (
            True,
            True,
            "Lax",
        )


def test_check_deploy_is_clean_with_production_settings():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_cookies_stay_secure_behind_a_proxy_that_redirects():
    """SECURE_SSL_REDIRECT=false (the proxy redirects) must not drop the cookies' Secure flag."""
    behind_proxy = _settings_under(_production_env(SECURE_SSL_REDIRECT="false"))
    assert behind_proxy["SECURE_SSL_REDIRECT"] is False
    assert (behind_proxy["SESSION_COOKIE_SECURE"], behind_proxy["CSRF_COOKIE_SECURE"]) == (True, True)
    plain_http = _settings_under(_production_env(SITE_URL="http://tot.example.org"))
    assert (plain_http["SESSION_COOKIE_SECURE"], plain_http["CSRF_COOKIE_SECURE"]) == (False, False)


def test_check_deploy_is_clean_behind_a_proxy_that_redirects():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(SECURE_SSL_REDIRECT="false"),
        capture_output=True,
        text=True,
    )
    # Django warns that it does not redirect itself (W008); the proxy does. Nothing else.
    reported = [line for line in out.stdout.splitlines() + out.stderr.splitlines() if "(security." in line]
    assert [line.split(")")[0].split("(")[-1] for line in reported] == ["security.W008"], (
        out.stdout + out.stderr
    )
