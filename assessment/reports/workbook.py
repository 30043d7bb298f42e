"""The quarter as a spreadsheet: a template to fill in offline, and the checks on what comes back.

The template has the sheet 季度填报 (one row per target) and the sheet 说明 (which unit, year
and quarter it is for). Reading never writes: it returns the rows that can be saved and, for
every other row, the reason in plain Chinese.
"""

import warnings
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import ValidationError
from openpyxl.styles import Font, PatternFill

from responsibility.exports import neutralize, workbook_bytes
from responsibility.uploads import check_workbook_parts, safe_name

SHEET = "季度填报"
INFO_SHEET = "说明"
HEADERS = ["指标代码", "考核指标", "目标", "上季度累计值", "本季度累计值", "工作进展"]
VALUE_COLUMN = HEADERS.index("本季度累计值")
PROGRESS_COLUMN = HEADERS.index("工作进展")
# A unit's template is a few KB, and some tens of KB once unzipped, whatever the progress typed
# into it: anything past these is refused before openpyxl reads a row (the message names them).
MAX_IMPORT_BYTES = 1024 * 1024
MAX_UNZIPPED_BYTES = 5 * 1024 * 1024
ROWS_PER_TARGET = 2
MIN_ROW_LIMIT = 20
INFO_ROWS = 20  # the 说明 sheet: a handful of lines
UNREADABLE = "文件无法读取：已损坏，或不是有效的 Excel（.xlsx）文件。请用本页下载的模板填写后上传。"


@dataclass
class ImportedRow:
    line: int
    code: str
    value: Decimal
    progress: str


@dataclass
class RowError:
    line: int
    code: str
    message: str
    cells: list = field(default_factory=list)  # the row as it was, for the failed-rows download


@dataclass
class ImportResult:
    rows: list[ImportedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    skipped: int = 0  # rows left blank: nothing to import, not an error


def _plain(value: Decimal | None):
    return None if value is None else float(value)


def build_template(*, unit, year: int, quarter: int, rows) -> bytes:
    """rows: (target, previous value) in the page's order."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    for target, previous in rows:
        sheet.append(
            [
                target.indicator.code,
                neutralize(target.indicator.name),
                neutralize(target.commitment),
                _plain(previous),
                None,
                None,
            ]
        )
    for column, width in zip("ABCDEF", [10, 44, 24, 14, 14, 40], strict=True):
        sheet.column_dimensions[column].width = width
    info = workbook.create_sheet(INFO_SHEET)
    info.append(["单位代码", unit.code])
    info.append(["单位", neutralize(unit.name)])
    info.append(["年度", year])
    info.append(["季度", quarter])
    info.append(
        ["填写说明", "只填“本季度累计值”（数字，不能为负）和“工作进展”；不要改动指标代码；留空的行不导入。"]
    )
    return workbook_bytes(workbook)


class Unreadable(Exception):
    """openpyxl met a part it could not parse while streaming the rows."""


def row_limit(codes) -> int:
    """The most rows below the header a unit's template may have: twice its targets, at least 20.
    The template has one row per target; anything far beyond that is not a filled-in template."""
    return max(ROWS_PER_TARGET * len(codes), MIN_ROW_LIMIT)


def read_upload(upload, *, unit, year: int, quarter: int, codes: set[str]) -> ImportResult:
    """Check every row of an uploaded template against the unit's targets; writes nothing.

    The sheet is streamed (openpyxl's read-only mode) and reading stops at the row limit, so a
    file of a hundred thousand rows costs no more than one of a few dozen.
    """
    result = ImportResult()
    name = safe_name(getattr(upload, "name", ""))
    try:
        check_workbook_parts(upload, name=name, max_unzipped=MAX_UNZIPPED_BYTES)
    except ValidationError as error:
        result.file_error = error.messages[0]
        return result
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            workbook = openpyxl.load_workbook(upload, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        result.file_error = UNREADABLE
        return result
    try:
        _read(workbook, result, unit=unit, year=year, quarter=quarter, codes=codes)
    except Unreadable:
        result.rows, result.errors, result.file_error = [], [], UNREADABLE
    finally:
        workbook.close()
    return result


def _stream(rows):
    """The rows, with any parse error of a damaged or hostile sheet turned into Unreadable."""
    try:
        yield from rows
    except Exception as error:  # ParseError, ValueError, KeyError…: whatever the damage makes of it
        raise Unreadable from error


def _read(workbook, result: ImportResult, *, unit, year: int, quarter: int, codes: set[str]) -> None:
    if SHEET not in workbook.sheetnames:
        result.file_error = f"找不到名为“{SHEET}”的工作表，请用本页下载的模板填写后上传。"
        return
    problem = _check_info(workbook, unit=unit, year=year, quarter=quarter)
    if problem:
        result.file_error = problem
        return
    sheet = workbook[SHEET]
    sheet.reset_dimensions()  # the dimension a file states may be wrong, or hostile
    rows = _stream(sheet.iter_rows(min_row=1, max_col=len(HEADERS)))
    header = [str(c.value or "").strip() for c in next(rows, ())]
    if header != HEADERS:
        result.file_error = "表头与模板不一致（应为：" + "、".join(HEADERS) + "），请不要增删或改动列。"
        return
    limit = row_limit(codes)
    seen = set()
    for line, cells in enumerate(rows, start=2):
        if line > limit + 1:
            result.rows, result.errors, result.skipped = [], [], 0
            result.file_error = (
                f"表格超过 {limit} 行（本单位本季度共 {len(codes)} 项指标，模板每项一行），未读取。"
                "请用本页下载的模板填写后上传。"
            )
            return
        _check_row(result, line, cells, codes=codes, seen=seen)
    if not result.rows and not result.errors:
        result.file_error = "表中没有填写任何“本季度累计值”。"


def _check_row(result: ImportResult, line: int, cells, *, codes: set[str], seen: set[str]) -> None:
    values = [c.value for c in cells[: len(HEADERS)]]
    if all(v in (None, "") for v in values):
        return
    code = str(values[0] or "").strip().upper()
    value_cell = cells[VALUE_COLUMN] if len(cells) > VALUE_COLUMN else None
    progress = cells[PROGRESS_COLUMN].value if len(cells) > PROGRESS_COLUMN else None
    error = None
    if not code:
        error = "缺少指标代码。"
    elif code not in codes:
        error = f"指标代码“{code}”不在本单位本年度的责任书中。"
    elif code in seen:
        error = f"指标代码“{code}”重复出现。"
    seen.add(code)
    value = None
    if error is None and value_cell is not None:
        value, error = _read_value(value_cell)
    if error is None and value is None:
        result.skipped += 1
        return
    if isinstance(progress, str) and progress.startswith("="):
        error = error or "工作进展是公式，请填写文字。"
    if error:
        result.errors.append(RowError(line, code, f"第 {line} 行：{error}", cells=values))
    else:
        result.rows.append(ImportedRow(line, code, value, str(progress or "").strip()))


def _check_info(workbook, *, unit, year: int, quarter: int) -> str:
    if INFO_SHEET not in workbook.sheetnames:
        return ""  # a template from an older export: the codes are still checked row by row
    sheet = workbook[INFO_SHEET]
    sheet.reset_dimensions()
    lines = _stream(sheet.iter_rows(max_row=INFO_ROWS, max_col=2, values_only=True))
    info = {row[0]: row[1] for row in lines if row and row[0]}
    if info.get("单位代码") not in (None, unit.code):
        return f"这是“{info.get('单位', info.get('单位代码'))}”的模板，不是{unit.name}的。"
    if (info.get("年度"), info.get("季度")) not in ((None, None), (year, quarter)):
        return f"这是{info.get('年度')}年第{info.get('季度')}季度的模板，本页是{year}年第{quarter}季度。"
    return ""


def _read_value(cell) -> tuple[Decimal | None, str | None]:
    raw = cell.value
    if cell.data_type == "f" or (isinstance(raw, str) and raw.startswith("=")):
        return None, f"本季度累计值是公式（{raw}），请填写数值。"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, f"本季度累计值“{raw}”不是数字。"
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        return None, f"本季度累计值“{raw}”不是数字。"
    if not value.is_finite():
        return None, f"本季度累计值“{raw}”不是数字。"
    if value < 0:
        return None, "本季度累计值不能为负数。"
    if value != value.quantize(Decimal("0.01")):
        return None, "本季度累计值最多两位小数。"
    if value >= Decimal("1e10"):
        return None, "本季度累计值数字过大。"
    return value, None


def failed_rows_workbook(errors: list[RowError]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([*HEADERS, "未导入原因"])
    for error in errors:
        cells = [
            neutralize(v) if isinstance(v, str) else v
            for v in (error.cells + [None] * len(HEADERS))[: len(HEADERS)]
        ]
        sheet.append([*cells, error.message])
    return workbook_bytes(workbook)
