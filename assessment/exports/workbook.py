"""The year's workbook written with XlsxWriter in constant memory: one sheet per concern, every text neutralised."""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import zip_longest

import xlsxwriter
from django.db import connection, transaction
from django.utils import timezone

from assessment.results import assessing, finalizing
from responsibility.exports import local, neutralize
from responsibility.models import (
    Year,
)

from .sheets import (
    ACCIDENT_COLUMNS,
    DATE,
    DATETIME,
    FINDING_COLUMNS,
    REPORT_COLUMNS,
    RESULT_COLUMNS,
    SCORE,
    TARGET_COLUMNS,
    TEXT,
    UNIT_COLUMNS,
    Column,
    accident_rows,
    finding_rows,
    report_rows,
    result_rows,
    target_rows,
    unit_rows,
)

# Characters an .xlsx cannot hold at all (Excel refuses the whole file): dropped from the text.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SCORE_FORMAT = "0.00"
SORT_MEMORY = "64MB"  # PostgreSQL's work_mem for the export's reads (see _snapshot)
# --- the workbook -------------------------------------------------------------------------


# XlsxWriter's limit on a cell's text; it cuts a longer one there itself, but then reports it,
# which stops `write_row` before the rest of the row (so the text is cut here, the same way).
MAX_TEXT = 32767


def _text(value):
    """Text that cannot become a formula, without the characters an .xlsx cannot hold; an empty
    text is an empty cell (which costs nothing to write)."""
    if not value:
        return None
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS.search(value):
        value = ILLEGAL_CHARACTERS.sub("", value)
    return neutralize(value)[:MAX_TEXT]


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

    def add_sheet(self, title: str, widths: Sequence[float], formats: Sequence = ()):
        """A sheet with its columns' widths and, per column, the format of the cells written
        without one of their own (dates, times and scores: see `column_format`)."""
        sheet = self.book.add_worksheet(title)
        for index, (width, cell_format) in enumerate(zip_longest(widths, formats)):
            sheet.set_column(index, index, width, cell_format)
        return sheet

    def column_format(self, kind: str):
        """How a column's cells show: dates yyyy-mm-dd, times to the minute, scores two decimals."""
        return {DATE: self.date, DATETIME: self.datetime, SCORE: self.score}.get(kind)

    def close(self) -> None:
        self.book.close()


def _write_sheet(book: _Book, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> int:
    """One sheet: a bold, frozen, filterable header, then the rows; the number of rows written.

    A row is written in one call: its texts cleaned and its times made local first, and each
    date, time and score shown by its column's format. Empty cells (None, "") are not written.
    """
    sheet = book.add_sheet(
        title, [column.width for column in columns], [book.column_format(c.kind) for c in columns]
    )
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [column.header for column in columns], book.header)
    texts = [index for index, column in enumerate(columns) if column.kind == TEXT]
    times = [index for index, column in enumerate(columns) if column.kind == DATETIME]
    width = len(columns)
    write_row = sheet.write_row
    count = 0
    for count, row in enumerate(rows, 1):
        if len(row) != width:
            raise ValueError(f"{title}：第{count}行有{len(row)}列，应为{width}列")
        row = list(row)
        for index in texts:
            row[index] = _text(row[index])
        for index in times:
            row[index] = local(row[index])  # the city's time, without an offset (an .xlsx holds none)
        write_row(count, 0, row)
    sheet.autofilter(0, 0, count, width - 1)
    return count


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
        counts["责任单位"] = _write_sheet(book, "责任单位", UNIT_COLUMNS, unit_rows(year))
        counts["目标指标"] = _write_sheet(book, "目标指标", TARGET_COLUMNS, target_rows(year))
        counts["季度填报"] = _write_sheet(book, "季度填报", REPORT_COLUMNS, report_rows(year))
        counts["事故"] = _write_sheet(book, "事故", ACCIDENT_COLUMNS, accident_rows(year))
        counts["问题隐患"] = _write_sheet(book, "问题隐患", FINDING_COLUMNS, finding_rows(year, today))
        results = finalizing.snapshot_results(year)
        final = results is not None
        if results is None:
            results = assessing.assess_year(year, today=today)
        counts["考核结果"] = _write_sheet(book, "考核结果", RESULT_COLUMNS, result_rows(results))
    _write_about(book, about, year, generated, final, counts)
    book.close()
    return sum(counts.values())


class _snapshot:
    """One read-only transaction around the reads; on PostgreSQL a repeatable-read one, so that
    every sheet shows the same moment (the ranking matches the reports) and the chunked reads run
    on server-side cursors inside it, with room to sort the year's reports in memory (SORT_MEMORY:
    with the default 4 MB, sorting 72,000 reports in the city's order spilled to disk and took
    0.6 s instead of 0.2 s). Inside a caller's transaction it is just a savepoint."""

    def __enter__(self):
        outermost = not connection.in_atomic_block
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SET LOCAL work_mem = %s", [SORT_MEMORY])
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
