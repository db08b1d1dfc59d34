"""The Celery app. Tasks run in-process when no broker is configured (quick start only)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_placeholder_key(**kwargs) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from portal.startup import refuse_placeholder_key

    try:
        refuse_placeholder_key()
    except ImproperlyConfigured as exc:
        # Celery logs and swallows ordinary exceptions from signal handlers; this one must stop it.
        raise SystemExit(str(exc)) from exc
