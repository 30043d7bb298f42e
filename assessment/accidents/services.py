"""Writes to the accident register: record and revise accidents, exemptions, and the .xlsx import.

The import reads and checks a whole workbook first (`read_accident_workbook`, which writes
nothing) and writes only the rows the user confirmed (`import_accidents`).
"""

import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessment.models import Accident, AccidentExemption, AccidentGrade, Industry
from assessment.rules import grading
from responsibility.exports import neutralize, workbook_bytes
from responsibility.models import Unit, UnitKind
from responsibility.uploads import check_upload, safe_name

# The figures whose late revision needs a reason, with their names in messages.
FIGURES = {"deaths": "死亡人数", "serious_injuries": "重伤人数", "direct_loss": "直接经济损失"}

# Supervising departments are departments or city enterprises, never a 板块.
DEPARTMENT_KINDS = (UnitKind.DEPT_PROFESSIONAL, UnitKind.DEPT_GENERAL, UnitKind.ENTERPRISE)


# --- record and revise -----------------------------------------------------------------


@transaction.atomic
def record_accident(*, by, departments: Iterable[Unit] = (), **fields) -> Accident:
    """Add an accident to the register; its grade is computed from the figures on save."""
    accident = Accident(**fields)
    accident._history_user = by
    accident.save()
    departments = list(departments)
    if departments:
        accident.departments.set(departments)
    return accident


def late_figure_changes(accident: Accident, fields: dict, *, today: date) -> list[str]:
    """Names of the figures `fields` would change after the accident's revision deadline."""
    if today <= accident.revision_deadline():
        return []
    return [
        label for name, label in FIGURES.items() if name in fields and fields[name] != getattr(accident, name)
    ]


def revision_reason_error(accident: Accident, fields: dict, *, today: date) -> str | None:
    """The message for the 修改原因 field when a late revision of a figure gives no reason."""
    changed = late_figure_changes(accident, fields, today=today)
    if not changed or (fields.get("revision_reason") or "").strip():
        return None
    return (
        f"事故发生已超过 {accident.revision_days} 天（修订期至 {accident.revision_deadline():%Y-%m-%d}），"
        f"修改{'、'.join(changed)}须填写修改原因。"
    )


@transaction.atomic
def revise_accident(
    accident: Accident, *, by, departments: Iterable[Unit], today: date | None = None, **fields
) -> Accident | None:
    """Save a revision as one history record; return the accident, or None when nothing changed.

    The values are compared with the stored row (locked for the revision), not with `accident`,
    which a ModelForm may already have changed. After the revision deadline a change of deaths,
    serious injuries or direct loss needs a `revision_reason` (ValidationError at that field); a
    blank reason keeps the last one given. Exemptions of units that are no longer the accident's
    属地 or 监管部门 are removed.
    """
    today = today or timezone.localdate()
    stored = Accident.objects.select_for_update().get(pk=accident.pk)
    message = revision_reason_error(stored, fields, today=today)
    if message:
        raise ValidationError({"revision_reason": message})
    reason = (fields.pop("revision_reason", "") or "").strip()
    if reason:
        fields["revision_reason"] = reason
    departments = {unit.pk: unit for unit in departments}
    old_departments = set(stored.departments.values_list("pk", flat=True))
    changed = [name for name, value in fields.items() if getattr(stored, name) != value]
    if not changed and old_departments == set(departments):
        return None
    for name in changed:
        setattr(stored, name, fields[name])
    stored._history_user = by
    # The departments are set without a history record of their own, so that the save below
    # writes one record holding every change of this revision.
    stored.skip_history_when_saving = True
    try:
        stored.departments.set(departments.values())
    finally:
        del stored.skip_history_when_saving
    stored.save()
    attributed = {stored.unit_id, *departments}
    for exemption in stored.exemptions.exclude(unit__in=attributed):
        exemption._history_user = by
        exemption.delete()
    return stored


# --- exemptions ------------------------------------------------------------------------


def exemptible_units(accident: Accident) -> list[Unit]:
    """The accident's 属地 and 监管部门 that are not exempted yet, 属地 first."""
    exempted = {e.unit_id for e in accident.exemptions.all()}
    units = [accident.unit, *accident.departments.all()]
    return [unit for unit in units if unit.pk not in exempted]


def add_exemption(accident: Accident, *, unit: Unit, reason: str, by) -> AccidentExemption:
    """Record that the investigation found no responsibility of `unit` for the accident."""
    if unit.pk != accident.unit_id and not accident.departments.filter(pk=unit.pk).exists():
        raise ValidationError("只能为该事故的属地单位或监管部门登记免责。")
    exemption = AccidentExemption(accident=accident, unit=unit, reason=reason.strip())
    exemption._history_user = by
    try:
        with transaction.atomic():
            exemption.save()
    except IntegrityError:
        raise ValidationError(f"{unit}已登记免责，无需重复登记。") from None
    return exemption


def remove_exemption(exemption: AccidentExemption, *, by) -> None:
    """The exemption no longer holds: the accident counts against the unit again."""
    exemption._history_user = by
    exemption.delete()


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
MAX_COUNT = 100000
MAX_LOSS = Decimal("9999999999.99")  # the column's 12 digits, 2 of them decimals
YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔"}
NO = {"否", "n", "no", "false", "0", "×", "✗", ""}
DEPARTMENT_SEPARATORS = "、,，;；"
DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S"]


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
        names.append([neutralize(name), UnitKind(kind).label, "是" if kind in DEPARTMENT_KINDS else "否"])
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
    _check_unzipped_size(upload, name)
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
        sheet.reset_dimensions()  # files from other programs may state wrong dimensions
        rows = sheet.iter_rows()
        columns, ignored = _columns(next(rows, ()))
        raw_rows = []
        for line, cells in enumerate(rows, start=2):
            picked = {key: cells[position - 1] for position, key in columns.items() if position <= len(cells)}
            if all(_blank(cell) for cell in picked.values()):
                continue
            raw_rows.append((line, picked))
            if len(raw_rows) > MAX_IMPORT_ROWS:
                raise ValidationError(
                    f"「{name}」的数据超过 {MAX_IMPORT_ROWS} 行，请分批导入。", code="too_many_rows"
                )
    finally:
        workbook.close()
    if not raw_rows:
        raise ValidationError(f"「{name}」的“{sheet.title}”工作表中没有数据行：请从第 2 行起每起事故填一行。")
    return ImportPreview(name=name, rows=_check_rows(raw_rows), ignored_columns=ignored)


def _check_unzipped_size(upload, name: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        size = 0  # openpyxl will say the file is damaged
    finally:
        upload.seek(0)
    if size > MAX_UNZIPPED_BYTES:
        raise ValidationError(f"「{name}」解压后过大，不像是事故登记表。请使用导入模板。", code="too_big")


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
        text = _text(cell.value)
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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


class _CellError(Exception):
    pass


def _check_rows(raw_rows: list[tuple[int, dict]]) -> list[ImportRow]:
    units = {unit.name: unit for unit in Unit.objects.all()}
    # A name picked from the template's list may carry the apostrophe that keeps it from being a formula.
    units |= {neutralize(name): unit for name, unit in units.items() if neutralize(name) != name}
    result = []
    for line, by_field in raw_rows:
        row = ImportRow(
            line=line,
            cells={key: _text(getattr(by_field.get(key), "value", None)) for key in HEADERS.values()},
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
            except _CellError as error:
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


def _required_text(max_length: int):
    def parse(header: str, value, units) -> str:
        text = _text(value)
        if not text:
            raise _CellError(f"请填写{header}。")
        if len(text) > max_length:
            raise _CellError(f"{header}最多 {max_length} 个字（现有 {len(text)} 个）。")
        return text

    return parse


def _occurred_at(header: str, value, units) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        moment = None
        for pattern in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        moment = moment or parse_datetime(text)
        if moment is None:
            raise _CellError(f"{header}“{text}”无法识别，应为日期和时刻，如 2026-10-10 08:30。")
    elif value is None or value == "":
        raise _CellError(f"请填写{header}。")
    else:
        raise _CellError(f"{header}“{_text(value)}”不是日期，应为日期和时刻，如 2026-10-10 08:30。")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    moment = moment.replace(second=0, microsecond=0)
    if moment > timezone.now():
        raise _CellError(f"{header}（{timezone.localtime(moment):%Y-%m-%d %H:%M}）晚于现在。")
    return moment


def _industry(header: str, value, units) -> str:
    text = _text(value)
    if not text:
        raise _CellError(f"请填写{header}。")
    by_label = {label: value for value, label in Industry.choices}
    if text not in by_label:
        raise _CellError(f"{header}“{text}”不在可选范围内：{'、'.join(Industry.labels)}。")
    return by_label[text]


def _unknown_unit(header: str, text: str, units: dict) -> _CellError:
    guesses = [name for name in units if text in name or name in text]
    hint = (
        f"；是否为“{guesses[0]}”？" if len(guesses) == 1 else "；请填写单位全称（见模板的“单位名称”工作表）。"
    )
    return _CellError(f"{header}“{text}”不是系统中的单位{hint}")


def _unit(header: str, value, units) -> Unit:
    text = _text(value)
    if not text:
        raise _CellError(f"请填写{header}。")
    unit = units.get(text)
    if unit is None:
        raise _unknown_unit(header, text, units)
    if not unit.active:
        raise _CellError(f"{header}“{text}”已停用。")
    return unit


def _departments(header: str, value, units) -> list[Unit]:
    text = _text(value)
    for separator in DEPARTMENT_SEPARATORS[1:]:
        text = text.replace(separator, DEPARTMENT_SEPARATORS[0])
    departments = []
    for name in dict.fromkeys(part.strip() for part in text.split(DEPARTMENT_SEPARATORS[0])):
        if not name:
            continue
        unit = units.get(name)
        if unit is None:
            raise _unknown_unit(header, name, units)
        if not unit.active:
            raise _CellError(f"{header}“{name}”已停用。")
        if unit.kind not in DEPARTMENT_KINDS:
            raise _CellError(f"{header}“{name}”是{unit.get_kind_display()}，不是部门或市属企业。")
        departments.append(unit)
    return departments


def _count(header: str, value, units) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise _CellError(f"{header}须为整数（现为“{_text(value)}”）。")
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise _CellError(f"{header}须为整数，“{value.strip()}”不是数字。") from None
    if isinstance(value, datetime | date) or not isinstance(value, int | float | Decimal):
        raise _CellError(f"{header}须为整数（现为“{_text(value)}”）。")
    if value != int(value):
        raise _CellError(f"{header}须为整数（现为 {_text(value)}）。")
    if value < 0:
        raise _CellError(f"{header}不能为负数（现为 {_text(value)}）。")
    if value > MAX_COUNT:
        raise _CellError(f"{header}（{_text(value)}）超出合理范围，请核对。")
    return int(value)


def _loss(header: str, value, units) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    if isinstance(value, bool | datetime | date):
        raise _CellError(f"{header}须为数字（现为“{_text(value)}”）。")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise _CellError(f"{header}须为数字，“{_text(value)}”不是数字。") from None
    if not amount.is_finite():
        raise _CellError(f"{header}须为数字，“{_text(value)}”不是数字。")
    rounded = amount.quantize(Decimal("0.01"))
    # A float cell carries binary noise (0.1 + 0.2 = 0.30000000000000004); real extra decimals are refused.
    if abs(amount - rounded) > Decimal("0.000001"):
        raise _CellError(f"{header}最多两位小数（现为 {_text(value)}）。")
    if rounded < 0:
        raise _CellError(f"{header}不能为负数（现为 {_text(value)}）。")
    if rounded > MAX_LOSS:
        raise _CellError(f"{header}（{_text(value)}）超出合理范围，请核对。")
    return rounded


def _flag(header: str, value, units) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _CellError(f"{header}须填“是”或“否”（现为“{_text(value)}”）。")


PARSERS = {
    "occurred_at": _occurred_at,
    "place": _required_text(200),
    "title": _required_text(200),
    "industry": _industry,
    "unit": _unit,
    "departments": _departments,
    "deaths": _count,
    "serious_injuries": _count,
    "direct_loss": _loss,
    "reported_late": _flag,
    "concealed": _flag,
    "falsely_reported": _flag,
}


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
