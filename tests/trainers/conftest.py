import pytest


@pytest.fixture(autouse=True)
def _fast_passwords_and_private_media(settings, tmp_path):
    # The factories hash a password for every user; the trainers tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded evidence goes to a throw-away folder, never into the working copy.
    settings.MEDIA_ROOT = str(tmp_path / "media")
