"""Celery tasks: thin, each calls a service. The schedule is CELERY_BEAT_SCHEDULE in settings."""

from celery import shared_task

from . import notifying


@shared_task(name="assessment.deliver_notifications")
def deliver_notifications() -> int:
    """E-mail the notices not yet e-mailed, in rounds until none is left."""
    total = 0
    while handled := notifying.deliver_pending():
        total += handled
    return total
