"""With DEBUG off, the web server and Celery refuse a missing SECRET_KEY; offline commands still run."""

import os
import subprocess
import sys

from django.conf import settings

from portal.credentials.keys import new_private_key_pem

TEST_ONLY = (
    "SECRET_KEY",
    "ALLOW_INSECURE_KEY",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CREDENTIALS_SIGNING_KEY",
    "CREDENTIALS_SIGNING_KEY_FILE",
)
SIGNING_KEY = new_private_key_pem()


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


def test_web_server_starts_with_a_secret_key_and_a_signing_key():
    result = run("-c", "import portal.wsgi", SECRET_KEY="k" * 60, CREDENTIALS_SIGNING_KEY=SIGNING_KEY)
    assert result.returncode == 0, result.stderr


def test_web_server_refuses_to_sign_badges_with_a_key_derived_from_secret_key():
    result = run("-c", "import portal.wsgi", SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "Set CREDENTIALS_SIGNING_KEY" in result.stderr


def test_signing_key_may_come_from_a_file_with_escaped_or_real_newlines(tmp_path):
    key_file = tmp_path / "signing.pem"
    key_file.write_text(SIGNING_KEY)
    from_file = run(
        "-c", "import portal.wsgi", SECRET_KEY="k" * 60, CREDENTIALS_SIGNING_KEY_FILE=str(key_file)
    )
    escaped = run(
        "-c",
        "import portal.wsgi",
        SECRET_KEY="k" * 60,
        CREDENTIALS_SIGNING_KEY=SIGNING_KEY.replace("\n", "\\n"),
    )
    assert from_file.returncode == 0, from_file.stderr
    assert escaped.returncode == 0, escaped.stderr


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


def test_deploy_check_reports_a_missing_or_unusable_signing_key():
    missing = run("manage.py", "check", "--deploy", SECRET_KEY="k" * 60)
    unusable = run("manage.py", "check", "--deploy", SECRET_KEY="k" * 60, CREDENTIALS_SIGNING_KEY="not a key")
    assert "portal.E002" in missing.stderr
    assert "portal.E003" in unusable.stderr
