"""A Celery worker whose reminder runs stop for a while after each kind of notice they write, so that
a test can kill one midway (tests/assessment/test_celery_worker.py):

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

    from assessment.notices import reminders

    notify = reminders.notify

    def notify_then_pause(notices, **kwargs):
        written = notify(notices, **kwargs)
        if written:
            time.sleep(pause)
        return written

    sys.argv[0] = "celery"
    with mock.patch.object(reminders, "notify", notify_then_pause):
        celery()


if __name__ == "__main__":
    main()
