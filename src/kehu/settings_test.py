"""Settings for the test suite: production settings, minus what only makes sense behind TLS."""

import os

os.environ.setdefault("KEHU_HTTPS", "0")
os.environ.setdefault(
    "KEHU_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "var", "test")
)

from kehu.settings import *  # noqa: F403

# Hashing with the production hasher costs ~0.3 s a login; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}  # noqa: F405
