"""With DEBUG off, the web server and Celery refuse a missing SECRET_KEY; offline commands still run."""

import os
import subprocess
import sys

from django.conf import settings

TEST_ONLY = ("SECRET_KEY", "ALLOW_INSECURE_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run(*args, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(DEBUG="false", **extra_env)
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_web_server_refuses_to_start_without_a_secret_key():
    result = run("-c", "import portal.wsgi")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_web_server_starts_with_a_secret_key():
    result = run("-c", "import portal.wsgi", SECRET_KEY="k" * 60)
    assert result.returncode == 0, result.stderr


def test_celery_worker_refuses_to_start_without_a_secret_key():
    code = "from celery.signals import worker_init; import portal; worker_init.send(sender=None)"
    result = run("-c", code)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_offline_commands_run_without_a_secret_key():
    result = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_deploy_check_reports_a_missing_secret_key():
    result = run("manage.py", "check", "--deploy")
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
