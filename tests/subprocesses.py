"""The app's own processes beside the test run: a Celery worker (and gunicorn, for the browser
journeys) on the test's PostgreSQL database and a Redis database of the test's own.

Only on PostgreSQL: a second process cannot share SQLite's in-memory test database. The test
must commit what these processes read (TransactionTestCase, or rows written outside a test
transaction), and stop them before the test database is dropped.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def database_url() -> str:
    """The test database (test_<name>) as a DATABASE_URL for another process."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def log_tail(log: Path | None, size: int = 3000) -> str:
    return log.read_text(errors="replace")[-size:] if log and log.exists() else ""


def wait_for(condition: Callable[[], T], *, timeout: float, what: str, log: Path | None = None) -> T:
    """Poll `condition` until it is truthy; on timeout fail with the end of `log`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{log_tail(log)}")


def app_env(*, broker_url: str, var_dir: Path, mail_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a process of the app (real settings, not the test settings) on the test
    database and `broker_url`; its files under `var_dir`, its e-mails as files in `mail_dir`."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "wuxisafety.settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "VAR_DIR": str(var_dir),
        # The same shared cache as this process.
        "CACHE_URL": settings.CACHE_URL,
        **extra,
    }


def start_worker(
    name: str,
    *,
    env: dict[str, str],
    log: Path,
    wait: bool = True,
    pause_reminders: float = 0,
    prefork: int = 0,
) -> subprocess.Popen:
    """A Celery worker (one process, pool solo; with `prefork` N, a main process and N children, as
    in production) logging to `log`; with `wait`, once it is ready. With `pause_reminders`, its
    reminder runs stop that many seconds after each kind of notice they write, and its exports
    before the workbook (tests/pausing_worker.py): time to kill it midway."""
    program = ["tests.pausing_worker", str(pause_reminders)] if pause_reminders else ["celery"]
    pool = ["--pool=prefork", f"--concurrency={prefork}"] if prefork else ["--pool=solo"]
    command = [sys.executable, "-m", *program, "-A", "wuxisafety", "worker", *pool]
    command += [
        "-n",
        f"{name}@%h",
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if wait:
        wait_worker_ready(worker, log, name=name)
    return worker


def wait_worker_ready(worker: subprocess.Popen, log: Path, *, name: str = "the worker") -> None:
    def ready() -> bool:
        if worker.poll() is not None:
            raise AssertionError(f"{name} exited with {worker.returncode}\n{log_tail(log)}")
        return "ready." in log.read_text(errors="replace")

    wait_for(ready, timeout=60, what=f"{name} to start", log=log)


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """SIGTERM (a worker finishes its task, gunicorn its requests), then SIGKILL after `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
