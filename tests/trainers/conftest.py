import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The factories hash a password for every user; the trainers tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
