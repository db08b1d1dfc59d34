"""A pytest plugin loaded with -p before Django is set up: test-only environment defaults."""

import os

os.environ.setdefault("ALLOW_INSECURE_KEY", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
