"""Celery tasks: thin, each calls a service. The schedule is CELERY_BEAT_SCHEDULE in settings."""

from celery import shared_task

from assessment.notices import services as notifying


@shared_task(name="assessment.deliver_notifications")
def deliver_notifications() -> int:
    """E-mail the notices not yet e-mailed, in rounds until none is left."""
    total = 0
    while handled := notifying.deliver_pending():
        total += handled
    return total


@shared_task(name="assessment.send_reminders")
def send_reminders(on: str | None = None) -> dict[str, int]:
    """The reminder ladder as of `on` (YYYY-MM-DD; beat sends none: today). Safe to run again."""
    from datetime import date

    from django.utils import timezone

    from assessment.notices import reminders

    return reminders.send_reminders(date.fromisoformat(on) if on else timezone.localdate())


@shared_task(name="assessment.publish_circular_notices")
def publish_circular_notices(circular_id: int, user_ids: list[int]) -> int:
    """One batch of the new-circular notices; the number written (0 when run again)."""
    from assessment.circulars import services as circular_services
    from assessment.models import Circular, CircularStatus

    circular = Circular.objects.filter(pk=circular_id, status=CircularStatus.PUBLISHED).first()
    if circular is None:
        return 0
    return circular_services.notify_readers(circular, user_ids)


@shared_task(name="assessment.build_year_export")
def build_year_export(export_id: int) -> str | None:
    """A year's Excel workbook (year_exports.build); the export's status. Safe to run again."""
    from assessment.exports import services as year_exports

    export = year_exports.build(export_id)
    return None if export is None else export.status


@shared_task(name="assessment.prune_year_exports")
def prune_year_exports() -> int:
    """Remove export files older than settings.EXPORT_KEEP_DAYS (year_exports.prune); how many."""
    from assessment.exports import services as year_exports

    return year_exports.prune()


@shared_task(name="assessment.refresh_kept")
def refresh_kept(year_id: int) -> int:
    """Recompute the year's stale units of the kept assessment (results.keeping); how many.
    Single flight: while one runs for the year, another returns at once."""
    from assessment.results import keeping

    return keeping.refresh(year_id)


@shared_task(name="assessment.refresh_due_kept")
def refresh_due_kept() -> dict[int, int]:
    """The safety net, every minute: years whose marks wait (a refresh lost or killed), and the
    current year's on a new day."""
    from assessment.results import keeping

    return keeping.refresh_due()
