"""Checks made when a long-running process starts: the web server, a Celery worker, beat."""

import os

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = "Set SECRET_KEY: with DEBUG off the portal refuses to start without one."


def refuse_placeholder_key() -> None:
    # ALLOW_INSECURE_KEY is for the test suite's own servers and workers only.
    if settings.SECRET_KEY_IS_PLACEHOLDER and not settings.DEBUG and not os.environ.get("ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured(MISSING_KEY)


@register("security", deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY_IS_PLACEHOLDER:
        return [Error(MISSING_KEY, id="portal.E001")]
    return []
