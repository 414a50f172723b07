"""Test settings: fast hasher, tasks run inline, no network, media in a temporary folder."""

import os
import tempfile

os.environ.setdefault("PINGAN_VAR_DIR", tempfile.mkdtemp(prefix="pingan-test-var-"))
# Tests on PostgreSQL (DATABASE_URL) need no production secrets; not left in the environment, where the
# subprocesses of pingan/core/tests/test_settings.py would inherit it.
_demo_given = "PINGAN_DEMO" in os.environ
os.environ.setdefault("PINGAN_DEMO", "1")

from .settings import *  # noqa: E402,F403
from .settings import HUEY, VAR_DIR  # noqa: E402

if not _demo_given:
    del os.environ["PINGAN_DEMO"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
if "filename" in HUEY:
    HUEY["filename"] = str(VAR_DIR / "huey-test.sqlite3")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "media"
MQTT_URL = ""
LANGUAGE_CODE = "zh-hans"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "public_report": "10000/hour"},
}
# The rate limits are tested with their own low rates (pingan/core/tests/test_hardening_*.py); other
# tests post many times from one address.
RATELIMITS = {name: "100000/m" for name in RATELIMITS}  # noqa: F405
# Tests on PostgreSQL: commits need not wait for the disk (a crash loses only a test database). Most
# of the PostgreSQL run is commits: creating each worker's database and flushing after transactional
# tests; this keeps the run inside CI's time budget.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405
