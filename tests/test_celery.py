"""Celery is wired to Django's settings: the worker reads the CELERY_* values from settings.py."""

from django.conf import settings
from django.test import SimpleTestCase

from wuxisafety import celery_app


class CeleryWiringTests(SimpleTestCase):
    def test_the_app_reads_django_settings(self):
        self.assertEqual(celery_app.main, "wuxisafety")
        self.assertEqual(celery_app.conf.broker_url, settings.CELERY_BROKER_URL)
        self.assertEqual(celery_app.conf.timezone, "Asia/Shanghai")

    def test_tasks_survive_a_dying_worker(self):
        # A task is acknowledged after it ran, and requeued when its worker dies mid-run.
        self.assertTrue(celery_app.conf.task_acks_late)
        self.assertTrue(celery_app.conf.task_reject_on_worker_lost)
        self.assertEqual(celery_app.conf.worker_prefetch_multiplier, 1)

    def test_tests_run_tasks_eagerly_in_process(self):
        self.assertTrue(celery_app.conf.task_always_eager)
        self.assertEqual(celery_app.conf.broker_url, "memory://")
