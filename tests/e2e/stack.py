"""Where the role journeys run: the app as deployed, or as close to it as the database allows.

- PostgreSQL (the CI pass): gunicorn (DEBUG=0, static files collected for whitenoise's manifest
  storage) and a Celery worker on a Redis database of its own, both subprocesses on the test
  database; the demo is seeded into it and committed. Publishing a circular, the reminders and
  every notice's e-mail go over Redis through the worker.
- SQLite (the first pass): a second process cannot open the in-memory test database, so Django's
  live server runs in a thread of the test process, and Celery runs every task eagerly in it
  (tests/settings.py).

The journeys call the same methods on both: `url`, `run_task` (what beat would send), `settle`
(wait for what the worker does after a request) and `logs` (printed when a journey fails).
"""

import io
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import redis
from celery import Celery
from django.core.management import call_command
from django.test import override_settings

from tests import subprocesses
from tests.subprocesses import ROOT, log_tail, wait_for

REDIS_URL = "redis://127.0.0.1:6379/14"  # the journeys' own Redis database (the worker test has 13)
SETTLE_SECONDS = 60


class LiveServerStack:
    """SQLite: Django's live server (pytest-django's, in a thread); tasks run eagerly in this process."""

    def __init__(self, url: str):
        self.url = url
        call_command("seed_demo", stdout=io.StringIO())

    def run_task(self, name: str, *args) -> None:
        from wuxisafety.celery import app

        app.tasks[name].delay(*args).get()  # eager: done, or raised, when this returns

    def settle(self, condition, *, what: str):
        return wait_for(condition, timeout=SETTLE_SECONDS, what=what)

    def logs(self) -> dict[str, str]:
        return {}

    def close(self) -> None:
        pass  # the live server lives for the session


class GunicornStack:
    """PostgreSQL: gunicorn and a Celery worker on Redis, subprocesses on the test database."""

    def __init__(self):
        self.redis = redis.Redis.from_url(REDIS_URL)
        self.redis.ping()  # on PostgreSQL (CI) a missing Redis fails the journeys, never skips them
        self.redis.flushdb()
        self.tmp = Path(tempfile.mkdtemp(prefix="journeys-"))
        self.processes: list[subprocess.Popen] = []
        self.gunicorn_log = self.tmp / "gunicorn.log"
        self.worker_log = self.tmp / "worker.log"
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env = subprocesses.app_env(
            broker_url=REDIS_URL,
            var_dir=self.tmp / "var",
            mail_dir=self.tmp / "mail",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(40),
            ALLOWED_HOSTS="127.0.0.1",
            # Plain HTTP on 127.0.0.1: no HTTPS redirect, cookies not marked secure, no HSTS.
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
            STATIC_ROOT=str(self.tmp / "static"),
            MEDIA_ROOT=str(self.tmp / "private"),
            SITE_URL=self.url,
        )
        self.client = Celery("journeys-client", broker=REDIS_URL, set_as_current=False)
        try:
            # Whitenoise serves DEBUG=0's static files from the manifest collectstatic writes (and
            # compresses: some seconds); it runs, and the worker starts, while the demo is seeded.
            static_log = self.tmp / "collectstatic.log"
            with static_log.open("wb") as out:
                collect = subprocess.Popen(
                    [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            self.processes.append(collect)
            worker = subprocesses.start_worker("journeys", env=self.env, log=self.worker_log, wait=False)
            self.processes.append(worker)
            self._seed()
            assert collect.wait(timeout=120) == 0, f"collectstatic failed\n{log_tail(static_log)}"
            subprocesses.wait_worker_ready(worker, self.worker_log, name="the Celery worker")
            command = [str(Path(sys.executable).parent / "gunicorn"), "wuxisafety.wsgi"]
            command += ["-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "60"]
            command += ["--access-logfile", "-", "--error-logfile", "-"]
            with self.gunicorn_log.open("wb") as out:
                gunicorn = subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
                )
            self.processes.append(gunicorn)
            wait_for(
                lambda: self._serving(gunicorn), timeout=60, what="gunicorn to serve", log=self.gunicorn_log
            )
        except BaseException:
            self.close()
            raise

    def _seed(self) -> None:
        """The demo, committed, with what the other processes need: passwords they can check (the
        test settings hash with MD5 for speed) and files on their disk (not in this memory)."""
        from django.conf import settings

        private = self.tmp / "private"
        storages = settings.STORAGES | {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(private)},
            }
        }
        hashers = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
        with override_settings(STORAGES=storages, MEDIA_ROOT=private, PASSWORD_HASHERS=hashers):
            call_command("seed_demo", stdout=io.StringIO())

    def _serving(self, gunicorn: subprocess.Popen) -> bool:
        if gunicorn.poll() is not None:
            raise AssertionError(f"gunicorn exited with {gunicorn.returncode}\n{log_tail(self.gunicorn_log)}")
        try:
            with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def run_task(self, name: str, *args) -> None:
        """Sent over Redis as beat would send it; returns once the worker has run it."""
        task_id = self.client.send_task(name, args=list(args)).id

        def done() -> bool:
            log = self.worker_log.read_text(errors="replace")
            if f"[{task_id}] raised" in log:
                raise AssertionError(f"{name} failed in the worker\n{log_tail(self.worker_log)}")
            return f"[{task_id}] succeeded" in log

        wait_for(done, timeout=SETTLE_SECONDS, what=f"the worker to run {name}", log=self.worker_log)

    def settle(self, condition, *, what: str):
        return wait_for(condition, timeout=SETTLE_SECONDS, what=what, log=self.worker_log)

    def logs(self) -> dict[str, str]:
        return {"gunicorn": log_tail(self.gunicorn_log), "celery worker": log_tail(self.worker_log)}

    def close(self) -> None:
        # gunicorn first (no new tasks), then the worker finishes what it holds.
        for process in reversed(self.processes):
            subprocesses.stop(process, timeout=20)
        self.client.close()
        self.redis.flushdb()
        self.redis.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_stack(request) -> GunicornStack | LiveServerStack:
    """The stack for the database the suite runs on, the demo seeded and committed."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return GunicornStack()
    return LiveServerStack(request.getfixturevalue("live_server").url)
