"""全年数据导出: a year's data in one Excel workbook, built by a worker in the background.

    export = request_export(year, user)      # queues it (or hands back the one under way)
    build(export.pk)                         # the task body: writes the file, notifies the requester
    rows = write_workbook(year, fileobj)     # the workbook itself (also `manage.py export_year`)

The workbook streams: XlsxWriter in constant-memory mode writes each row to a temporary file as it
comes (about four times faster than openpyxl's write-only mode, which took over 30 s for the load
city), and the rows come from the database in chunks, so memory stays flat however big the city. Every text cell goes
through the exports' formula sanitizer, as in every spreadsheet the product hands out.
"""

import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from assessment import tasks
from assessment.models import (
    PENDING_EXPORT,
    ExportStatus,
    NotificationKind,
    YearExport,
)
from assessment.notices import services as notifying
from responsibility.models import (
    Year,
)

from .workbook import write_workbook

ERROR_MAX = 1000

logger = logging.getLogger(__name__)

# A queued or running export older than this is taken to be lost (its worker died, the broker
# dropped it): asking again starts a new one instead of waiting for it forever.
STALE_AFTER = timedelta(minutes=15)


# --- requesting and building --------------------------------------------------------------


def _stale(export: YearExport, now: datetime) -> bool:
    since = export.started_at if export.status == ExportStatus.RUNNING else export.created_at
    return since is None or now - since > STALE_AFTER


def request_export(year: Year, user) -> YearExport:
    """A new export of `year`, queued for a worker once the transaction commits; or the year's
    export already queued or running, when there is one that is not stale."""
    now = timezone.now()
    with transaction.atomic():
        current = YearExport.objects.select_for_update().pending().filter(year=year).first()
        if current is not None and not _stale(current, now):
            return current
        if current is not None:
            current.status = ExportStatus.FAILED
            current.finished_at = now
            current.error = f"超过{STALE_AFTER.seconds // 60}分钟仍未完成，已放弃；已重新排队导出。"
            current.save(update_fields=["status", "finished_at", "error"])
        try:
            with transaction.atomic():  # a concurrent request may have queued one a moment ago
                export = YearExport.objects.create(year=year, requested_by=user, created_at=now)
        except IntegrityError:
            return YearExport.objects.pending().get(year=year)
        tasks.build_year_export.delay_on_commit(export.pk)
    return export


def storage_name(export: YearExport, attempt: int) -> str:
    return f"exports/{export.year.year}/year-export-{export.pk}-{attempt}.xlsx"


def _part(export: YearExport, attempt: int) -> Path:
    """Where a run writes the workbook before it goes into the storage: one file per run, so that
    two runs of the same export (a redelivered task) never write into each other's."""
    return Path(tempfile.gettempdir()) / f"wuxisafety-year-export-{export.pk}-{attempt}.xlsx"


def build(export_id: int) -> YearExport | None:
    """Write the export's workbook into the private storage and mark it done (or failed, with the
    error), then tell the requester. Safe to run again: a done or failed export is left as it is,
    and a run that finds the export still running (its worker died) starts it afresh."""
    claimed = YearExport.objects.filter(pk=export_id, status__in=PENDING_EXPORT).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, error=""
    )
    export = YearExport.objects.select_related("year").filter(pk=export_id).first()
    if not claimed or export is None:
        return export
    attempt = export.attempts
    part = _part(export, attempt)
    for earlier in range(1, attempt):  # what a run killed midway left behind
        _part(export, earlier).unlink(missing_ok=True)
    try:
        with part.open("w+b") as fileobj:
            rows = write_workbook(export.year, fileobj)
            size = os.fstat(fileobj.fileno()).st_size
            fileobj.seek(0)
            name = storage_name(export, attempt)
            if default_storage.exists(name):  # a leftover of a database restored to before this run
                default_storage.delete(name)
            name = default_storage.save(name, File(fileobj))
    except Exception as exc:
        # The office reads what went wrong in its words; the detail goes to the log, under a
        # reference the message gives, for whoever looks after the server.
        reference = f"导出{export.pk}-{attempt}"
        logger.exception("year export %s failed (%s)", export.pk, reference)
        error = failure_message(exc, reference)[:ERROR_MAX]
        if _finish(export, attempt, status=ExportStatus.FAILED, error=error):
            _notify(export)
        return export
    finally:
        part.unlink(missing_ok=True)
    if not _finish(export, attempt, status=ExportStatus.DONE, file=name, row_count=rows, size=size):
        default_storage.delete(name)  # a later run has taken the export over: its file counts
        export.refresh_from_db()
        return export
    for earlier in range(1, attempt):  # a run that died after saving its file
        if default_storage.exists(storage_name(export, earlier)):
            default_storage.delete(storage_name(export, earlier))
    _notify(export)
    return export


def failure_message(exc: BaseException, reference: str) -> str:
    """What the office reads when an export fails: the likely cause in Chinese, never the raw error."""
    if isinstance(exc, DatabaseError):
        cause = "读取数据库时出错（数据库可能暂时不可用）"
    elif isinstance(exc, OSError):
        cause = "写入导出文件时出错（服务器磁盘可能已满或不可写）"
    else:
        cause = "生成过程中出错"
    return f"{cause}。请稍后重新导出；仍不成功请联系系统管理员，并告知日志编号 {reference}。"


def prune(*, now: datetime | None = None) -> int:
    """Remove the files of exports finished more than settings.EXPORT_KEEP_DAYS days ago; their rows
    stay as 已过期, so the list still shows who asked and when. The number pruned. Safe to run again."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXPORT_KEEP_DAYS)
    pruned = 0
    for export in YearExport.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff):
        # The row first: a download that starts now finds no file rather than half of one.
        if YearExport.objects.filter(pk=export.pk, status=ExportStatus.DONE).update(
            status=ExportStatus.EXPIRED, file=""
        ):
            default_storage.delete(export.file.name)
            pruned += 1
    return pruned


def _finish(export: YearExport, attempt: int, **fields) -> bool:
    """Record the run's outcome, if this run is still the export's latest; whether it was."""
    fields["finished_at"] = timezone.now()
    done = YearExport.objects.filter(pk=export.pk, attempts=attempt, status=ExportStatus.RUNNING).update(
        **fields
    )
    if done:
        for field, value in fields.items():
            setattr(export, field, value)
    return bool(done)


def _notify(export: YearExport) -> None:
    if export.requested_by_id is None:
        return
    year = export.year.year
    if export.status == ExportStatus.DONE:
        title = f"{year}年度全年数据已导出"
        text = (
            f"您申请导出的{year}年度全年数据已生成（Excel，{export.row_count}行，"
            f"{filesizeformat(export.size)}），点击即可下载。"
        )
        link = reverse("assessment:data_export_download", args=[export.pk])
    else:
        title = f"{year}年度全年数据导出失败"
        text = f"您申请导出的{year}年度全年数据未能生成，请重新导出；仍不成功请联系系统管理员。"
        link = f"{reverse('assessment:data_export_list')}?year={year}"
    notifying.notify(
        [
            notifying.Notice(
                recipient_id=export.requested_by_id,
                kind=NotificationKind.YEAR_EXPORT,
                key=f"year_export:{export.pk}:{export.requested_by_id}",
                title=title,
                text=text,
                link=link,
            )
        ]
    )
