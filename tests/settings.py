"""Settings for the test run: the real settings, made fast and self-contained."""

import os
from pathlib import Path

import dj_database_url

from wuxisafety.settings import *  # noqa: F403

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"  # eager tasks still build a producer; keep it in-process

# Under pytest-xdist (make test) each worker keeps its own shared cache, so that what one worker's
# tests put there never reaches another's. The worker's subprocesses get it too (tests/subprocesses.py).
_worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1…
if _worker and CACHE_URL.startswith("file://"):  # noqa: F405
    _files = f"{CACHES['default']['LOCATION']}-{_worker}"  # noqa: F405
    CACHE_URL = Path(_files).as_uri()
    CACHES = {
        "default": CACHES["default"] | {"LOCATION": _files},  # noqa: F405
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
