"""A real Celery worker on Redis runs the reminder job: the notices reach the inbox and the e-mails
go out; a worker killed (SIGKILL) mid-run leaves its job to be redelivered, and the restarted
worker finishes it without sending any notice or e-mail twice.

The worker is a subprocess on the test's PostgreSQL database (TransactionTestCase commits, so it
sees the rows) and on a Redis database of its own. On the SQLite pass there is no database a
second process could share: skipped. On PostgreSQL, Redis must answer (CI starts it): no skip.
"""

import email
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from collections import Counter
from datetime import date
from pathlib import Path

import redis
from celery import Celery
from django.db import connection
from django.test import TransactionTestCase

from assessment.models import (
    ExportStatus,
    Finding,
    FindingStatus,
    Inspection,
    Notification,
    NotificationKind,
    YearExport,
)
from responsibility.models import LetterStatus
from tests import subprocesses
from tests.factories import make_indicator, make_letter, make_unit, make_user, make_year
from tests.subprocesses import wait_for


def own_redis_db() -> int:
    """13, this test's own Redis database, emptied before each test; under pytest-xdist each worker
    has its own below it (gw1 12, gw2 11…): two workers run this class's tests at the same time.
    Never 14, the browser journeys' (tests/e2e/stack.py)."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    assert worker <= 13, "more pytest-xdist workers than Redis databases for them"
    return 13 - worker


REDIS_URL = f"redis://127.0.0.1:6379/{own_redis_db()}"
VISIBILITY_TIMEOUT = 3  # seconds: a dead worker's job comes back quickly


@unittest.skipUnless(
    connection.vendor == "postgresql", "the worker needs a database it can share: PostgreSQL"
)
class CeleryWorkerTests(TransactionTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = redis.Redis.from_url(REDIS_URL)
        cls.redis.ping()  # on PostgreSQL (CI) a missing Redis fails the test instead of skipping it

    def setUp(self):
        self.redis.flushdb()
        self.tmp = Path(tempfile.mkdtemp(prefix="reminders-worker-"))
        # Cleanups run last first: the workers stop, then their Redis database and files go.
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.addCleanup(self.redis.flushdb)
        self.mail_dir = self.tmp / "mail"
        self.workers: list[subprocess.Popen] = []
        self.addCleanup(self.stop_workers)
        # Not the current app: the shared tasks of this process stay on the test settings (eager).
        self.client_app = Celery("reminders-test-client", broker=REDIS_URL, set_as_current=False)
        self.addCleanup(self.client_app.close)

    def start_worker(
        self, name: str, *, pause: float = 0, prefork: bool = False
    ) -> tuple[subprocess.Popen, Path]:
        log = self.tmp / f"{name}.log"
        env = subprocesses.app_env(
            broker_url=REDIS_URL,
            var_dir=self.tmp / "var",
            mail_dir=self.mail_dir,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CELERY_UNACKED_RESTORE_INTERVAL="1",
        )
        worker = subprocesses.start_worker(
            name, env=env, log=log, wait=False, pause_reminders=pause, prefork=prefork
        )
        self.workers.append(worker)  # stopped at cleanup even when it never gets ready
        subprocesses.wait_worker_ready(worker, log, name=name)
        return worker, log

    def stop_workers(self):
        for worker in self.workers:
            subprocesses.stop(worker)

    def send_job(self, on: str):
        self.client_app.send_task("assessment.send_reminders", args=[on])

    def emails(self) -> Counter:
        """How many e-mails each address got, from the files the worker's backend wrote."""
        sent = Counter()
        for path in self.mail_dir.glob("*"):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    sent[email.message_from_string(chunk.strip())["To"]] += 1
        return sent

    def make_city(self):
        """On 2026-10-03: 梁溪区 owes its Q3 report (7 days left), 惠山区 has not signed its letter,
        and 梁溪区 has a finding due in two days — three kinds of notice, written one after another."""
        year = make_year(2026)
        liangxi = make_unit(name="梁溪区", code="liangxi")
        huishan = make_unit(name="惠山区", code="huishan")
        make_letter(
            year,
            liangxi,
            seq=1,
            indicators=[make_indicator(code="E1", weights={"district": "10"})],
            weight=10,
        )
        make_letter(year, huishan, status=LetterStatus.ISSUED, seq=2, issued_on=date(2026, 2, 16))
        make_user(username="liangxi_tb", email="tb@liangxi.example", unit=liangxi)
        make_user(username="liangxi_fz", email="fz@liangxi.example", unit=liangxi, unit_role="head")
        make_user(username="huishan_tb", email="tb@huishan.example", unit=huishan)
        inspection = Inspection.objects.create(year=year, date=date(2026, 9, 20), team="第一督查组")
        Finding.objects.create(
            inspection=inspection,
            unit=liangxi,
            problem="配电室未配置灭火器",
            deadline=date(2026, 10, 5),
            status=FindingStatus.OPEN,
        )

    def test_a_reminder_job_sent_over_redis_reaches_the_inbox_and_the_mail(self):
        self.make_city()
        _, log = self.start_worker("w1")
        self.send_job("2026-10-03")
        wait_for(
            lambda: (
                Notification.objects.count() == 3
                and not Notification.objects.filter(emailed_at__isnull=True).exists()
            ),
            timeout=60,
            what="three notices, e-mailed",
            log=log,
        )
        self.assertEqual(
            sorted(Notification.objects.values_list("kind", "recipient__username")),
            [
                (NotificationKind.FINDING_DUE, "liangxi_tb"),
                (NotificationKind.LETTER_UNSIGNED, "huishan_tb"),
                (NotificationKind.REPORT_DUE, "liangxi_tb"),
            ],
        )
        # The delivery task went over Redis too: liangxi_tb's two notices, huishan_tb's one.
        wait_for(lambda: sum(self.emails().values()) == 3, timeout=30, what="three e-mails", log=log)
        self.assertEqual(self.emails(), Counter({"tb@liangxi.example": 2, "tb@huishan.example": 1}))

    def test_a_worker_killed_mid_run_and_restarted_delivers_each_notice_once(self):
        self.make_city()
        # The first worker stops for a minute after each kind it writes: time to kill it there.
        first, log = self.start_worker("doomed", pause=60)
        self.send_job("2026-10-03")
        wait_for(
            lambda: Notification.objects.filter(kind=NotificationKind.REPORT_DUE).exists(),
            timeout=60,
            what="the first kind of notice",
            log=log,
        )
        time.sleep(1)  # unpaused, the run would write the other two kinds meanwhile
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        self.assertEqual(
            list(Notification.objects.values_list("kind", flat=True)), [NotificationKind.REPORT_DUE]
        )
        self.assertEqual(self.emails(), Counter())  # its e-mail job is still queued

        # The job was never acknowledged: Redis hands it to the next worker after the visibility
        # timeout, which runs the whole ladder again; what the first run wrote is skipped.
        _, log = self.start_worker("restarted")
        wait_for(
            lambda: (
                Notification.objects.count() == 3
                and not Notification.objects.filter(emailed_at__isnull=True).exists()
            ),
            timeout=60,
            what="the rest of the notices after the redelivery",
            log=log,
        )
        wait_for(lambda: sum(self.emails().values()) == 3, timeout=30, what="three e-mails", log=log)
        time.sleep(VISIBILITY_TIMEOUT + 2)  # nothing further arrives: no second redelivery
        self.assertEqual(Notification.objects.count(), 3)
        self.assertEqual(Counter(Notification.objects.values_list("key", flat=True)).most_common(1)[0][1], 1)
        self.assertEqual(self.emails(), Counter({"tb@liangxi.example": 2, "tb@huishan.example": 1}))
        self.assertIn("assessment.send_reminders", log.read_text(errors="replace"))

    def test_a_worker_killed_whole_has_its_reminders_and_export_done_once_a_worker_is_back(self):
        """Production's prefork worker: SIGKILL to the main process and its children at once, so no
        process is left to report the lost tasks. Redis hands both back after the visibility
        timeout (5 min by default, 3 s here), at the next worker's sweep."""
        self.make_city()
        export = YearExport.objects.create(year_id=self.year_pk(), status=ExportStatus.QUEUED)
        doomed, log = self.start_worker("doomed", pause=60, prefork=2)
        self.client_app.send_task("assessment.build_year_export", args=[export.pk])
        self.send_job("2026-10-03")
        wait_for(
            lambda: (
                Notification.objects.filter(kind=NotificationKind.REPORT_DUE).exists()
                and YearExport.objects.get(pk=export.pk).status == ExportStatus.RUNNING
            ),
            timeout=60,
            what="the first kind of notice, and the export under way",
            log=log,
        )
        children = [
            int(pid) for pid in Path(f"/proc/{doomed.pid}/task/{doomed.pid}/children").read_text().split()
        ]
        self.assertEqual(len(children), 2, "two pool processes")
        for pid in [doomed.pid, *children]:
            os.kill(pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        for pid in children:
            wait_for(
                lambda pid=pid: not Path(f"/proc/{pid}").exists(), timeout=10, what="the children to die"
            )
        self.assertEqual(Notification.objects.count(), 1)

        _, log = self.start_worker("back")
        wait_for(
            lambda: (
                Notification.objects.count() == 3
                and not Notification.objects.filter(emailed_at__isnull=True).exists()
                and YearExport.objects.get(pk=export.pk).status == ExportStatus.DONE
            ),
            timeout=60,
            what="the rest of the notices and the export, after the redelivery",
            log=log,
        )
        export.refresh_from_db()
        self.assertEqual(export.attempts, 2)  # the killed run, and the one that finished it
        self.assertEqual(Counter(Notification.objects.values_list("key", flat=True)).most_common(1)[0][1], 1)
        wait_for(lambda: sum(self.emails().values()) == 3, timeout=30, what="three e-mails", log=log)

    def year_pk(self) -> int:
        from responsibility.models import Year

        return Year.objects.get(year=2026).pk
