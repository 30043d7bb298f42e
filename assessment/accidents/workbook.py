"""事故台账's Excel round trip: the template, reading and checking an uploaded workbook, and importing its rows."""

import warnings
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import Accident, AccidentGrade, Industry
from assessment.rules import grading
from responsibility.exports import neutralize, workbook_bytes
from responsibility.models import SUPERVISING_KINDS, Unit, UnitKind
from responsibility.uploads import check_upload, check_workbook_parts, safe_name

from .cells import PARSERS, CellError, cell_text
from .services import record_accident

# --- import from .xlsx ---------------------------------------------------------------

IMPORT_SHEET = "事故登记"
# (header in the template, field) in the template's column order
IMPORT_COLUMNS = [
    ("发生时间", "occurred_at"),
    ("地点", "place"),
    ("事故名称", "title"),
    ("行业领域", "industry"),
    ("属地单位", "unit"),
    ("监管部门", "departments"),
    ("死亡人数", "deaths"),
    ("重伤人数", "serious_injuries"),
    ("直接经济损失（万元）", "direct_loss"),
    ("迟报", "reported_late"),
    ("瞒报", "concealed"),
    ("谎报", "falsely_reported"),
]
HEADERS = dict(IMPORT_COLUMNS)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # a small .xlsx that inflates past this is a zip bomb
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_LINES = 2 * MAX_IMPORT_ROWS + 1  # blank lines included: the template formats 1000 of them
MAX_IMPORT_COLUMNS = 50  # the template's 12 and whatever notes a person adds beside them


@dataclass
class ImportRow:
    """One data row of the workbook: what it said, what is wrong with it, and what it would create."""

    line: int  # the row number in the sheet, as Excel shows it
    cells: dict[str, str]  # field → the cell as text, for the preview
    errors: list[str] = field(default_factory=list)
    data: dict | None = None  # JSON-ready values for import_accidents; None when there are errors
    grade: str = ""  # the grade label it would get

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    name: str
    rows: list[ImportRow]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok]

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.ok]


def import_template() -> bytes:
    """The .xlsx to fill in: the 事故登记 sheet with its header row, the valid names, an example."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = IMPORT_SHEET
    sheet.append([header for header, _ in IMPORT_COLUMNS])
    sheet.freeze_panes = "A2"
    widths = [18, 24, 28, 12, 14, 30, 10, 10, 20, 8, 8, 8]
    for cell, width in zip(sheet[1], widths, strict=True):
        cell.font = openpyxl.styles.Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    for row in range(2, MAX_IMPORT_ROWS + 2):
        sheet.cell(row, 1).number_format = "yyyy-mm-dd hh:mm"

    units = Unit.objects.active().in_city_order().values_list("name", "kind")
    names = workbook.create_sheet("单位名称")
    names.append(["单位名称", "类别", "可作监管部门"])
    for name, kind in units:
        # As text: a name that would start a formula gets an apostrophe (the import accepts both).
        names.append([neutralize(name), UnitKind(kind).label, "是" if kind in SUPERVISING_KINDS else "否"])
    names.column_dimensions["A"].width = 24

    validations = [
        (f'"{",".join(Industry.labels)}"', "D", "请从列表中选择行业领域。"),
        (f"=单位名称!$A$2:$A${max(names.max_row, 2)}", "E", "请填写单位全称，见“单位名称”工作表。"),
        ('"是,否"', "J:L", "请填写“是”或“否”。"),
    ]
    for formula, columns, message in validations:
        validation = openpyxl.worksheet.datavalidation.DataValidation(
            type="list", formula1=formula, allow_blank=True, error=message, showErrorMessage=True
        )
        sheet.add_data_validation(validation)
        first, _, last = columns.partition(":")
        validation.add(f"{first}2:{last or first}{MAX_IMPORT_ROWS + 1}")

    guide = workbook.create_sheet("填写说明")
    for line in [
        ["在“事故登记”工作表中每起事故填一行，不要改动第 1 行表头。"],
        ["发生时间：日期和时刻，如 2026-10-10 08:30。"],
        ["行业领域：" + "、".join(Industry.labels) + "。"],
        ["属地单位、监管部门：单位全称（见“单位名称”工作表）；多个监管部门用“、”分隔。"],
        ["属地单位须为区、县级市或开发区；部门和市属企业请填在“监管部门”。"],
        ["死亡人数、重伤人数：不小于 0 的整数；直接经济损失以万元计，最多两位小数；空白按 0 计。"],
        ["迟报、瞒报、谎报：填“是”或“否”，空白按“否”计。不要使用公式。"],
        [],
        ["示例（不要粘贴到“事故登记”中）："],
        [header for header, _ in IMPORT_COLUMNS],
        [
            "2026-03-05 14:20",
            "梁溪区某路口",
            "某货车与电动车相撞事故",
            "道路交通",
            "梁溪区",
            "市公安局、市交通运输局",
        ]
        + [1, 0, "35.50", "否", "否", "否"],
    ]:
        guide.append(line)
    guide.column_dimensions["A"].width = 90
    return workbook_bytes(workbook)


def read_accident_workbook(upload) -> ImportPreview:
    """Read and check every row of an uploaded workbook; nothing is written.

    A file that cannot be used at all (not an .xlsx, damaged, no 事故登记 sheet, wrong header
    row, too many rows) raises ValidationError; each row's own problems are in its `errors`.
    """
    name = safe_name(getattr(upload, "name", ""))
    check_upload(
        upload,
        kinds=("xlsx",),
        max_bytes=MAX_IMPORT_BYTES,
        hint="请用“下载导入模板”得到的 .xlsx 文件填写后上传。",
    )
    check_workbook_parts(upload, name=name, max_unzipped=MAX_UNZIPPED_BYTES)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            workbook = openpyxl.load_workbook(upload, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        raise ValidationError(
            f"无法读取「{name}」：文件已损坏，或不是有效的 Excel 工作簿。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。",
            code="unreadable",
        ) from None
    try:
        sheet = _import_sheet(workbook, name)
        raw_rows, ignored = _raw_rows(sheet, name)
    except ValidationError:
        raise
    except Exception:  # a damaged or hostile sheet fails only when its rows are streamed
        raise ValidationError(
            f"无法读取「{name}」：工作表已损坏，或不是有效的 Excel 工作簿。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。",
            code="unreadable",
        ) from None
    finally:
        workbook.close()
    if not raw_rows:
        raise ValidationError(f"「{name}」的“{sheet.title}”工作表中没有数据行：请从第 2 行起每起事故填一行。")
    return ImportPreview(name=name, rows=_check_rows(raw_rows), ignored_columns=ignored)


def _raw_rows(sheet, name: str) -> tuple[list[tuple[int, dict]], list[str]]:
    """(line, {field: cell}) for each row with something in it, streamed, stopping at the row limit;
    and the headers that are not ours.

    Lines past the limit count even when blank: a sheet that claims a millionth row is not read
    to its end."""
    sheet.reset_dimensions()  # files from other programs may state wrong dimensions
    rows = sheet.iter_rows(max_col=MAX_IMPORT_COLUMNS)
    columns, ignored = _columns(next(rows, ()))
    raw_rows = []
    for line, cells in enumerate(rows, start=2):
        picked = {key: cells[position - 1] for position, key in columns.items() if position <= len(cells)}
        blank = all(_blank(cell) for cell in picked.values())
        if not blank:
            raw_rows.append((line, picked))
        if len(raw_rows) > MAX_IMPORT_ROWS:
            raise ValidationError(
                f"「{name}」的数据超过 {MAX_IMPORT_ROWS} 行，请分批导入。", code="too_many_rows"
            )
        if line > MAX_IMPORT_LINES:
            raise ValidationError(
                f"「{name}」的工作表超过 {MAX_IMPORT_LINES} 行（含空行），请删除多余的行或分批导入。",
                code="too_many_rows",
            )
    return raw_rows, ignored


def _import_sheet(workbook, name: str):
    if IMPORT_SHEET in workbook.sheetnames:
        return workbook[IMPORT_SHEET]
    if len(workbook.sheetnames) == 1:
        return workbook.worksheets[0]
    raise ValidationError(
        f"「{name}」中没有“{IMPORT_SHEET}”工作表（现有：{'、'.join(workbook.sheetnames)}）。请使用导入模板，"
        f"或把数据放在名为“{IMPORT_SHEET}”的工作表中。",
        code="wrong_sheet",
    )


def _columns(header) -> tuple[dict[int, str], list[str]]:
    """{column number: field} from the header row, and the headers that are not ours."""
    columns: dict[int, str] = {}
    ignored = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        text = cell_text(cell.value)
        if not text:
            continue
        key = HEADERS.get(text.replace("(", "（").replace(")", "）"))
        if key is None:
            ignored.append(text)
        elif key in seen:
            raise ValidationError(f"表头“{text}”出现了两次，请删除多余的一列。", code="wrong_headers")
        else:
            seen.add(key)
            columns[position] = key
    missing = [header for header, key in IMPORT_COLUMNS if key not in seen]
    if missing:
        expected = "、".join(header for header, _ in IMPORT_COLUMNS)
        raise ValidationError(
            f"表头不符：缺少“{'”、“'.join(missing)}”。第 1 行应为：{expected}。请使用导入模板。",
            code="wrong_headers",
        )
    return columns, ignored


def _blank(cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _check_rows(raw_rows: list[tuple[int, dict]]) -> list[ImportRow]:
    units = {unit.name: unit for unit in Unit.objects.all()}
    # A name picked from the template's list may carry the apostrophe that keeps it from being a formula.
    units |= {neutralize(name): unit for name, unit in units.items() if neutralize(name) != name}
    result = []
    for line, by_field in raw_rows:
        row = ImportRow(
            line=line,
            cells={key: cell_text(getattr(by_field.get(key), "value", None)) for key in HEADERS.values()},
        )
        values = {}
        for header, key in IMPORT_COLUMNS:
            cell = by_field.get(key)
            if cell is not None and cell.data_type == "f":
                formula = str(cell.value)[:40]
                row.errors.append(f"“{header}”是公式（{formula}），请复制后“选择性粘贴 → 数值”再导入。")
                continue
            try:
                values[key] = PARSERS[key](header, None if cell is None else cell.value, units)
            except CellError as error:
                row.errors.append(str(error))
        if "unit" in values and "departments" in values and values["unit"] in values["departments"]:
            row.errors.append(f"监管部门不能与属地单位（{values['unit']}）相同。")
        if not row.errors:
            row.cells["occurred_at"] = f"{timezone.localtime(values['occurred_at']):%Y-%m-%d %H:%M}"
            row.cells["direct_loss"] = f"{values['direct_loss']:.2f}"
            row.grade = AccidentGrade(
                grading.accident_grade(values["deaths"], values["serious_injuries"], values["direct_loss"])
            ).label
            row.data = {
                **values,
                "occurred_at": values["occurred_at"].isoformat(),
                "unit": values["unit"].pk,
                "departments": [unit.pk for unit in values["departments"]],
                "direct_loss": str(values["direct_loss"]),
            }
        result.append(row)
    _mark_duplicates([row for row in result if row.ok])
    return result


def _mark_duplicates(rows: list[ImportRow]) -> None:
    """Rows that repeat another row, or an accident already in the register (same time, title, unit)."""
    times = [datetime.fromisoformat(row.data["occurred_at"]) for row in rows]
    existing = {
        (occurred_at, title, unit_id)
        for occurred_at, title, unit_id in Accident.objects.filter(occurred_at__in=times).values_list(
            "occurred_at", "title", "unit_id"
        )
    }
    first_line = {}
    for row, occurred_at in zip(rows, times, strict=True):
        key = (occurred_at, row.data["title"], row.data["unit"])
        if key in existing:
            row.errors.append("与登记簿中已有的事故重复（发生时间、事故名称和属地单位相同），不再导入。")
        elif key in first_line:
            row.errors.append(f"与第 {first_line[key]} 行重复。")
        else:
            first_line[key] = row.line
            continue
        row.data = None
        row.grade = ""


@transaction.atomic
def import_accidents(rows: list[dict], *, by) -> list[Accident]:
    """Record the checked rows of an import (ImportRow.data), all or none.

    The units are looked up again: one deactivated or removed since the preview stops the import.
    """
    unit_ids = {row["unit"] for row in rows} | {pk for row in rows for pk in row["departments"]}
    units = Unit.objects.active().in_bulk(unit_ids)
    if missing := unit_ids - set(units):
        raise ValidationError(
            f"预览之后有 {len(missing)} 个单位已停用或删除，请重新上传文件核对。", code="stale_units"
        )
    # Rows already in the register (an import confirmed twice) are skipped, not doubled.
    existing = set(
        Accident.objects.filter(
            occurred_at__in=[datetime.fromisoformat(row["occurred_at"]) for row in rows]
        ).values_list("occurred_at", "title", "unit_id")
    )
    accidents = []
    for row in rows:
        if (datetime.fromisoformat(row["occurred_at"]), row["title"], row["unit"]) in existing:
            continue
        fields = {key: row[key] for key in HEADERS.values() if key not in ("unit", "departments")}
        fields["occurred_at"] = datetime.fromisoformat(row["occurred_at"])
        fields["direct_loss"] = Decimal(row["direct_loss"])
        accidents.append(
            record_accident(
                by=by,
                unit=units[row["unit"]],
                departments=[units[pk] for pk in row["departments"]],
                **fields,
            )
        )
    return accidents
