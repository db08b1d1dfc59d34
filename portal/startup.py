"""Checks made when a long-running process starts: the web server, a Celery worker, beat."""

import os

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = "Set SECRET_KEY: with DEBUG off the portal refuses to start without one."
MISSING_SIGNING_KEY = (
    "Set CREDENTIALS_SIGNING_KEY (or CREDENTIALS_SIGNING_KEY_FILE): with DEBUG off the portal refuses "
    "to sign badges with a key derived from SECRET_KEY. `python manage.py new_signing_key` makes one."
)


def refuse_placeholder_key() -> None:
    # ALLOW_INSECURE_KEY is for the test suite's own servers and workers only.
    if settings.DEBUG or os.environ.get("ALLOW_INSECURE_KEY"):
        return
    if settings.SECRET_KEY_IS_PLACEHOLDER:
        raise ImproperlyConfigured(MISSING_KEY)
    if settings.CREDENTIALS_KEY_IS_PLACEHOLDER:
        raise ImproperlyConfigured(MISSING_SIGNING_KEY)


@register("security", deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY_IS_PLACEHOLDER:
        errors.append(Error(MISSING_KEY, id="portal.E001"))
    if settings.CREDENTIALS_KEY_IS_PLACEHOLDER:
        errors.append(Error(MISSING_SIGNING_KEY, id="portal.E002"))
    else:
        from portal.credentials.keys import current

        try:
            current()
        except ImproperlyConfigured as exc:
            errors.append(Error(str(exc), id="portal.E003"))
    return errors
