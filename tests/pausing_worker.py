"""A Celery worker whose reminder runs stop for a while after each kind of notice they write, and
whose year exports stop for a while before writing the workbook, so that a test can kill one
midway (tests/assessment/test_celery_worker.py):

    python -m tests.pausing_worker SECONDS -A wuxisafety worker …

The pause is patched into this process, around the real `notify`: the app's code and settings know
nothing of it.
"""

import sys
import time
from unittest import mock

import django


def main() -> None:
    pause = float(sys.argv.pop(1))
    django.setup()  # the reminders module imports the models
    from celery.__main__ import main as celery

    from assessment.exports import services as year_exports
    from assessment.notices import reminders

    notify = reminders.notify
    write_workbook = year_exports.write_workbook

    def notify_then_pause(notices, **kwargs):
        written = notify(notices, **kwargs)
        if written:
            time.sleep(pause)
        return written

    def pause_then_write(year, fileobj):
        time.sleep(pause)
        return write_workbook(year, fileobj)

    sys.argv[0] = "celery"
    # Patched before the pool forks: a prefork worker's children run the patched code too.
    with (
        mock.patch.object(reminders, "notify", notify_then_pause),
        mock.patch.object(year_exports, "write_workbook", pause_then_write),
    ):
        celery()


if __name__ == "__main__":
    main()
