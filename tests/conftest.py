import pytest
from django.conf import settings
from django.core.cache import cache

from portal.celery import app as celery_app
from tests import factories


@pytest.fixture(autouse=True)
def _tasks_run_in_process(settings):
    """Tasks run in-process in tests; worker tests switch this off for a real Celery worker."""
    celery_app.conf.task_always_eager = True
    settings.MFA_REQUIRED = True
    # Rate-limit counters and cached group names live in the cache; each test starts from zero.
    cache.clear()
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def coordinator(db):
    user = factories.coordinator()
    _with_totp(user)
    return user


@pytest.fixture
def finance_user(db):
    user = factories.finance()
    _with_totp(user)
    return user


@pytest.fixture
def admin_user(db):
    user = factories.UserFactory(is_superuser=True, is_staff=True)
    _with_totp(user)
    return user


def _with_totp(user):
    factories.with_totp(user)


@pytest.fixture
def client_for(client):
    """Log a client in as the given user: client_for(user)."""

    def login(user):
        client.force_login(user)
        return client

    return login


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}, broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"


@pytest.fixture
def survey_instruments(db):
    """The default survey instruments (a transactional test may have flushed the migration's)."""
    from portal.surveys.defaults import create_defaults
    from portal.surveys.models import Instrument, Question

    create_defaults(Instrument, Question)
