"""Test settings: the real settings, with a queue of its own and fast password hashing.

The queue stays real (Huey on SQLite, or on Redis when REDIS_URL is set) but gets a
name per test worker, so tests never touch a developer's queue or each other's.
"""

import os
import tempfile
from pathlib import Path

from zhongtai.settings import *  # noqa: F403
from zhongtai.settings import HUEY

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
HUEY = {**HUEY, "name": f"zhongtai-test-{_worker}", "immediate": False}
if "filename" in HUEY:
    HUEY["filename"] = str(Path(tempfile.gettempdir()) / f"zhongtai-test-huey-{_worker}.sqlite3")

# Hashing with PBKDF2 costs ~0.2 s a user; tests make hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
