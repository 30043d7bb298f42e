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
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import xlsxwriter
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, When
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from assessment import tasks
from assessment.models import (
    DONE,
    MAJOR_HAZARD_LABELS,
    PENDING_EXPORT,
    Accident,
    AccidentExemption,
    AccidentGrade,
    ExportStatus,
    Finding,
    FindingStatus,
    Industry,
    InspectionKind,
    ListingLevel,
    NotificationKind,
    Report,
    ReportStatus,
    YearExport,
)
from assessment.notices import services as notifying
from assessment.results import assessing, finalizing
from responsibility.exports import neutralize
from responsibility.models import (
    GROUP_OF_KIND,
    IndicatorRule,
    IndicatorSource,
    LetterStatus,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitKind,
    Year,
)

logger = logging.getLogger(__name__)

# A queued or running export older than this is taken to be lost (its worker died, the broker
# dropped it): asking again starts a new one instead of waiting for it forever.
STALE_AFTER = timedelta(minutes=15)
CHUNK = 2000
ERROR_MAX = 1000

# Characters an .xlsx cannot hold at all (Excel refuses the whole file): dropped from the text.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SCORE_FORMAT = "0.00"
YES = "是"


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
        logger.exception("year export %s failed", export.pk)
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
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


# --- the workbook -------------------------------------------------------------------------


TEXT, NUMBER, DATE, DATETIME, SCORE = "text", "number", "date", "datetime", "score"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    kind: str = TEXT  # what the cells hold: how they are cleaned and shown


def _text(value):
    """Text that cannot become a formula, without the characters an .xlsx cannot hold; an empty
    text is an empty cell (which costs nothing to write)."""
    if not value:
        return None
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS.search(value):
        value = ILLEGAL_CHARACTERS.sub("", value)
    return neutralize(value)


class _Book:
    """The workbook and its cell formats; a sheet is written row by row, never revisited."""

    def __init__(self, fileobj):
        self.book = xlsxwriter.Workbook(
            fileobj,
            {
                "constant_memory": True,  # each row goes to a temporary file once the next begins
                "strings_to_numbers": False,
                "strings_to_formulas": False,  # and the texts are neutralized besides
                "strings_to_urls": False,
            },
        )
        self.header = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": DATE_FORMAT})
        self.datetime = self.book.add_format({"num_format": DATETIME_FORMAT})
        self.score = self.book.add_format({"num_format": SCORE_FORMAT})
        self.local = timezone.get_default_timezone()

    def add_sheet(self, title: str, widths: Sequence[float]):
        sheet = self.book.add_worksheet(title)
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        return sheet

    def writers(self, sheet, columns: Sequence[Column]) -> list:
        """Per column, the function that writes a value (not None) into its cell. Dates show
        yyyy-mm-dd; times are Wuxi's, to the minute; scores show two decimals."""

        def text(row, col, value):
            value = _text(value)
            if value is not None:
                sheet.write(row, col, value)

        def local_time(row, col, value):
            if value.tzinfo is not None:
                value = value.astimezone(self.local).replace(tzinfo=None)
            sheet.write_datetime(row, col, value, self.datetime)

        by_kind = {
            TEXT: text,
            NUMBER: sheet.write_number,
            DATE: lambda row, col, value: sheet.write_datetime(row, col, value, self.date),
            DATETIME: local_time,
            SCORE: lambda row, col, value: sheet.write_number(row, col, value, self.score),
        }
        return [by_kind[column.kind] for column in columns]

    def close(self) -> None:
        self.book.close()


def _write_sheet(book: _Book, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> int:
    """One sheet: a bold, frozen, filterable header, then the rows; the number of rows written."""
    sheet = book.add_sheet(title, [column.width for column in columns])
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [column.header for column in columns], book.header)
    writers = book.writers(sheet, columns)
    count = 0
    for count, row in enumerate(rows, 1):
        for col, (write, value) in enumerate(zip(writers, row, strict=True)):
            if value is not None:
                write(count, col, value)
    sheet.autofilter(0, 0, count, len(columns) - 1)
    return count


def _city_order(prefix: str = "") -> list:
    """ORDER BY the city's order of units (板块 first, then departments, then enterprises)."""
    kind_order = Case(
        *[When(**{f"{prefix}kind": kind}, then=i) for i, kind in enumerate(UnitKind.values)],
        output_field=IntegerField(),
    )
    return [kind_order, f"{prefix}sort_order", f"{prefix}name"]


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _labels(choices) -> dict[str, str]:
    return {value: label for value, label in choices.choices}


def write_workbook(year: Year, fileobj, *, today: date | None = None) -> int:
    """The year's workbook, written to `fileobj`; the number of data rows (headers not counted).

    Sheets: 说明, 责任单位, 目标指标, 季度填报, 事故, 问题隐患, 考核结果. The queries are a fixed number,
    whatever the number of units, targets or reports.
    """
    today = today or timezone.localdate()
    generated = timezone.localtime().replace(tzinfo=None, microsecond=0)
    book = _Book(fileobj)
    about = book.add_sheet("说明", [16, 70])  # the first tab; filled last, once the counts are known
    counts: dict[str, int] = {}
    with _snapshot():
        counts["责任单位"] = _write_sheet(book, "责任单位", UNIT_COLUMNS, _unit_rows(year))
        counts["目标指标"] = _write_sheet(book, "目标指标", TARGET_COLUMNS, _target_rows(year))
        counts["季度填报"] = _write_sheet(book, "季度填报", REPORT_COLUMNS, _report_rows(year))
        counts["事故"] = _write_sheet(book, "事故", ACCIDENT_COLUMNS, _accident_rows(year))
        counts["问题隐患"] = _write_sheet(book, "问题隐患", FINDING_COLUMNS, _finding_rows(year, today))
        results = finalizing.snapshot_results(year)
        final = results is not None
        if results is None:
            results = assessing.assess_year(year, today=today)
        counts["考核结果"] = _write_sheet(book, "考核结果", RESULT_COLUMNS, _result_rows(results))
    _write_about(book, about, year, generated, final, counts)
    book.close()
    return sum(counts.values())


class _snapshot:
    """One read-only transaction around the reads; on PostgreSQL a repeatable-read one, so that
    every sheet shows the same moment (the ranking matches the reports) and the chunked reads run
    on server-side cursors inside it. Inside a caller's transaction it is just a savepoint."""

    def __enter__(self):
        outermost = not connection.in_atomic_block
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self

    def __exit__(self, *exc):
        return self.atomic.__exit__(*exc)


def _write_about(
    book: _Book, sheet, year: Year, generated: datetime, final: bool, counts: dict[str, int]
) -> None:
    basis = (
        "已定稿：考核结果为定稿时的快照"
        if final
        else "预估：按截至生成当日已审核通过的最新季度填报和事故台账计算，仅供参考，以定稿结果为准"
    )
    rows = [
        ["考核年度", year.year],
        ["年度状态", year.get_status_display()],
        ["生成时间", generated],
        ["考核结果口径", basis],
        [
            "事故统计期间",
            f"{year.accident_window_start:%Y-%m-%d} 至 {year.accident_window_end:%Y-%m-%d}",
        ],
        [],
        ["工作表", "数据行数"],
        *([title, count] for title, count in counts.items()),
        [],
        ["注", "以 ' 开头的文字，是为防止表格软件把它当作公式执行而加的符号，原文不含该符号。"],
    ]
    for index, row in enumerate(rows):
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(index, col, value, book.datetime)
            else:
                sheet.write(index, col, value)


# 责任单位 ----------------------------------------------------------------------------------

UNIT_COLUMNS = [
    Column("单位代码", 14),
    Column("单位名称", 24),
    Column("类别", 12),
    Column("考核组别", 12),
    Column("主要负责人", 12),
    Column("分管负责人", 12),
    Column("责任书状态", 12),
    Column("文号", 20),
    Column("下发日期", 12, DATE),
    Column("签订日期", 12, DATE),
    Column("签订人", 12),
]


def _unit_rows(year: Year) -> Iterator[tuple]:
    """Every unit with a letter for the year, and every active unit still without one."""
    letters = {
        row[0]: row[1:]
        for row in ResponsibilityLetter.objects.filter(year=year).values_list(
            "unit_id", "status", "doc_number", "issued_on", "signed_on", "signer_name"
        )
    }
    kinds, statuses = _labels(UnitKind), _labels(LetterStatus)
    units = Unit.objects.order_by(*_city_order()).values_list(
        "pk", "code", "name", "kind", "leader_name", "deputy_name", "active"
    )
    for pk, code, name, kind, leader, deputy, active in units:
        letter = letters.get(pk)
        if letter is None and not active:
            continue
        status, doc_number, issued_on, signed_on, signer = letter or ("", "", None, None, "")
        yield (
            code,
            name,
            kinds.get(kind, kind),
            GROUP_OF_KIND[kind].label if kind in GROUP_OF_KIND else "",
            leader,
            deputy,
            statuses.get(status, "未制发"),
            doc_number,
            issued_on,
            signed_on,
            signer,
        )


# 目标指标 ----------------------------------------------------------------------------------

TARGET_COLUMNS = [
    Column("责任单位", 24),
    Column("单位代码", 14),
    Column("指标代码", 10),
    Column("指标名称", 30),
    Column("指标类别", 12),
    Column("评分规则", 22),
    Column("数据来源", 14),
    Column("分值", 8, NUMBER),
    Column("目标值", 10, NUMBER),
    Column("目标表述", 30),
]


COMMITMENT = Target.commitment.fget


def _target_rows(year: Year) -> Iterator[tuple]:
    rules, sources = _labels(IndicatorRule), _labels(IndicatorSource)
    targets = (
        Target.objects.filter(letter__year=year)
        .order_by(*_city_order("letter__unit__"), "indicator__sort_order", "indicator__code")
        .values_list(
            "letter__unit__name",
            "letter__unit__code",
            "indicator__code",
            "indicator__name",
            "indicator__category",
            "indicator__rule",
            "indicator__source",
            "weight",
            "target_value",
            "wording",
        )
        .iterator(chunk_size=CHUNK)
    )
    for unit, code, indicator_code, name, category, rule, source, weight, value, wording in targets:
        # What the letter prints: its own wording, or the one made from the rule and the value (the
        # model's property, on the fetched values rather than 18,000 model instances).
        commitment = COMMITMENT(
            SimpleNamespace(wording=wording, target_value=value, indicator=SimpleNamespace(rule=rule))
        )
        yield (
            unit,
            code,
            indicator_code,
            name,
            category,
            rules.get(rule, rule),
            sources.get(source, source),
            weight,
            value,
            commitment,
        )


# 季度填报 ----------------------------------------------------------------------------------

REPORT_COLUMNS = [
    Column("责任单位", 24),
    Column("指标代码", 10),
    Column("指标名称", 30),
    Column("季度", 6, NUMBER),
    Column("累计值", 10, NUMBER),
    Column("目标值", 10, NUMBER),
    Column("状态", 8),
    Column("迟报", 6),
    Column("提交时间", 17, DATETIME),
    Column("审核时间", 17, DATETIME),
    Column("工作进展", 40),
    Column("审核意见", 30),
]


def _report_rows(year: Year) -> Iterator[list]:
    statuses = _labels(ReportStatus)
    reports = (
        Report.objects.filter(year=year)
        .order_by(
            *_city_order("unit__"), "target__indicator__sort_order", "target__indicator__code", "quarter"
        )
        .values_list(
            "unit__name",
            "target__indicator__code",
            "target__indicator__name",
            "quarter",
            "value",
            "target__target_value",
            "status",
            "late",
            "submitted_at",
            "reviewed_at",
            "progress",
            "review_comment",
        )
        .iterator(chunk_size=CHUNK)
    )
    for row in reports:  # as fetched, but 状态 in Chinese and 迟报 as 是/blank
        row = list(row)
        row[6], row[7] = statuses.get(row[6], row[6]), _yes(row[7])
        yield row


# 事故 --------------------------------------------------------------------------------------

ACCIDENT_COLUMNS = [
    Column("发生时间", 17, DATETIME),
    Column("事故名称", 30),
    Column("地点", 24),
    Column("行业领域", 10),
    Column("属地", 16),
    Column("监管部门", 24),
    Column("死亡人数", 9, NUMBER),
    Column("重伤人数", 9, NUMBER),
    Column("直接经济损失（万元）", 12, SCORE),
    Column("等级", 9),
    Column("迟报", 6),
    Column("瞒报", 6),
    Column("谎报", 6),
    Column("免责单位", 24),
]


def _accident_rows(year: Year) -> Iterator[tuple]:
    """The accidents of the year's window (accident_window_start … _end), oldest first."""
    window = Accident.objects.in_window(year)
    departments: dict[int, list[str]] = defaultdict(list)
    for accident_id, name in (
        Accident.departments.through.objects.filter(accident__in=window)
        .order_by(*_city_order("unit__"))
        .values_list("accident_id", "unit__name")
    ):
        departments[accident_id].append(name)
    exempted: dict[int, list[str]] = defaultdict(list)
    for accident_id, name in (
        AccidentExemption.objects.filter(accident__in=window)
        .order_by(*_city_order("unit__"))
        .values_list("accident_id", "unit__name")
    ):
        exempted[accident_id].append(name)
    industries, grades = _labels(Industry), _labels(AccidentGrade)
    accidents = (
        window.order_by("occurred_at", "pk")
        .values_list(
            "pk",
            "occurred_at",
            "title",
            "place",
            "industry",
            "unit__name",
            "deaths",
            "serious_injuries",
            "direct_loss",
            "grade",
            "reported_late",
            "concealed",
            "falsely_reported",
        )
        .iterator(chunk_size=CHUNK)
    )
    for (
        pk,
        occurred,
        title,
        place,
        industry,
        unit,
        deaths,
        injuries,
        loss,
        grade,
        late,
        hid,
        lied,
    ) in accidents:
        yield (
            occurred,
            title,
            place,
            industries.get(industry, industry),
            unit,
            "、".join(departments.get(pk, ())),
            deaths,
            injuries,
            loss,
            grades.get(grade, grade),
            _yes(late),
            _yes(hid),
            _yes(lied),
            "、".join(exempted.get(pk, ())),
        )


# 问题隐患 ----------------------------------------------------------------------------------

FINDING_COLUMNS = [
    Column("督查日期", 12, DATE),
    Column("督查方式", 10),
    Column("督查组", 20),
    Column("责任单位", 24),
    Column("发现的问题", 40),
    Column("重大事故隐患", 8),
    Column("挂牌督办", 14),
    Column("整改期限", 12, DATE),
    Column("整改状态", 16),
    Column("逾期", 6),
    Column("整改情况", 40),
    Column("整改报告时间", 17, DATETIME),
    Column("核查时间", 17, DATETIME),
    Column("销号时间", 17, DATETIME),
]


def _finding_rows(year: Year, today: date) -> Iterator[tuple]:
    """The findings of the year's inspections; 逾期 as of `today` (past the deadline, not verified)."""
    kinds, levels, statuses = _labels(InspectionKind), _labels(ListingLevel), _labels(FindingStatus)
    findings = (
        Finding.objects.filter(inspection__year=year)
        .order_by("inspection__date", "inspection_id", *_city_order("unit__"), "pk")
        .values_list(
            "inspection__date",
            "inspection__kind",
            "inspection__team",
            "unit__name",
            "problem",
            "major_hazard",
            "listing_level",
            "deadline",
            "status",
            "rectification",
            "rectified_at",
            "verified_at",
            "closed_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    for (
        day,
        kind,
        team,
        unit,
        problem,
        major,
        level,
        deadline,
        status,
        fixed,
        rectified,
        verified,
        closed,
    ) in findings:
        label = MAJOR_HAZARD_LABELS[status] if major else statuses.get(status, status)
        yield (
            day,
            kinds.get(kind, kind),
            team,
            unit,
            problem,
            _yes(major),
            levels.get(level, level),
            deadline,
            label,
            _yes(status not in DONE and deadline < today),
            fixed,
            rectified,
            verified,
            closed,
        )


# 考核结果 ----------------------------------------------------------------------------------

RESULT_COLUMNS = [
    Column("考核组别", 12),
    Column("名次", 6, NUMBER),
    Column("责任单位", 24),
    Column("单位代码", 14),
    Column("基础分", 9, SCORE),
    Column("加分", 8, SCORE),
    Column("减分", 8, SCORE),
    Column("总分", 9, SCORE),
    Column("等级", 8),
    Column("等次", 10),
    Column("一票否决", 8),
    Column("否决事由", 40),
    Column("黄牌警告", 40),
]


def _result_rows(results: Iterable[assessing.UnitResult]) -> Iterator[tuple]:
    for r in results:
        yield (
            r.unit.group_label,
            r.rank,
            r.unit.name,
            r.unit.code,
            r.base,
            r.bonus,
            r.penalty,
            r.score,
            r.grade_label,
            r.tier_label,
            _yes(r.vetoed),
            "；".join(f"{v.code} {v.reason}" for v in r.vetoes),  # as the ranking shows them
            "；".join(v.reason for v in r.yellow_cards),
        )
