"""One cell of the accident workbook read as a checked value, or refused with a message in Chinese naming its column."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessment.models import Industry
from responsibility.models import SUPERVISING_KINDS, TERRITORIAL_KINDS, Unit

MAX_COUNT = 100000
MAX_LOSS = Decimal("9999999999.99")  # the column's 12 digits, 2 of them decimals
YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔"}
NO = {"否", "n", "no", "false", "0", "×", "✗", ""}
DEPARTMENT_SEPARATORS = "、,，;；"
DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S"]


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


class CellError(Exception):
    pass


def _required_text(max_length: int):
    def parse(header: str, value, units) -> str:
        text = cell_text(value)
        if not text:
            raise CellError(f"请填写{header}。")
        if len(text) > max_length:
            raise CellError(f"{header}最多 {max_length} 个字（现有 {len(text)} 个）。")
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
            raise CellError(f"{header}“{text}”无法识别，应为日期和时刻，如 2026-10-10 08:30。")
    elif value is None or value == "":
        raise CellError(f"请填写{header}。")
    else:
        raise CellError(f"{header}“{cell_text(value)}”不是日期，应为日期和时刻，如 2026-10-10 08:30。")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    moment = moment.replace(second=0, microsecond=0)
    if moment > timezone.now():
        raise CellError(f"{header}（{timezone.localtime(moment):%Y-%m-%d %H:%M}）晚于现在。")
    return moment


def _industry(header: str, value, units) -> str:
    text = cell_text(value)
    if not text:
        raise CellError(f"请填写{header}。")
    by_label = {label: value for value, label in Industry.choices}
    if text not in by_label:
        raise CellError(f"{header}“{text}”不在可选范围内：{'、'.join(Industry.labels)}。")
    return by_label[text]


def _unknown_unit(header: str, text: str, units: dict) -> CellError:
    guesses = [name for name in units if text in name or name in text]
    hint = (
        f"；是否为“{guesses[0]}”？" if len(guesses) == 1 else "；请填写单位全称（见模板的“单位名称”工作表）。"
    )
    return CellError(f"{header}“{text}”不是系统中的单位{hint}")


def _unit(header: str, value, units) -> Unit:
    text = cell_text(value)
    if not text:
        raise CellError(f"请填写{header}。")
    unit = units.get(text)
    if unit is None:
        raise _unknown_unit(header, text, units)
    if not unit.active:
        raise CellError(f"{header}“{text}”已停用。")
    return unit


def _territorial_unit(header: str, value, units) -> Unit:
    unit = _unit(header, value, units)
    if unit.kind not in TERRITORIAL_KINDS:
        raise CellError(
            f"{header}“{cell_text(value)}”是{unit.get_kind_display()}：{header}须为区、县级市或开发区；"
            "部门请填在“监管部门”。"
        )
    return unit


def _departments(header: str, value, units) -> list[Unit]:
    text = cell_text(value)
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
            raise CellError(f"{header}“{name}”已停用。")
        if unit.kind not in SUPERVISING_KINDS:
            raise CellError(f"{header}“{name}”是{unit.get_kind_display()}，不是部门或市属企业。")
        departments.append(unit)
    return departments


def _count(header: str, value, units) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise CellError(f"{header}须为整数（现为“{cell_text(value)}”）。")
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise CellError(f"{header}须为整数，“{value.strip()}”不是数字。") from None
    if isinstance(value, datetime | date) or not isinstance(value, int | float | Decimal):
        raise CellError(f"{header}须为整数（现为“{cell_text(value)}”）。")
    if value != int(value):
        raise CellError(f"{header}须为整数（现为 {cell_text(value)}）。")
    if value < 0:
        raise CellError(f"{header}不能为负数（现为 {cell_text(value)}）。")
    if value > MAX_COUNT:
        raise CellError(f"{header}（{cell_text(value)}）超出合理范围，请核对。")
    return int(value)


def _loss(header: str, value, units) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    if isinstance(value, bool | datetime | date):
        raise CellError(f"{header}须为数字（现为“{cell_text(value)}”）。")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise CellError(f"{header}须为数字，“{cell_text(value)}”不是数字。") from None
    if not amount.is_finite():
        raise CellError(f"{header}须为数字，“{cell_text(value)}”不是数字。")
    rounded = amount.quantize(Decimal("0.01"))
    # A float cell carries binary noise (0.1 + 0.2 = 0.30000000000000004); real extra decimals are refused.
    if abs(amount - rounded) > Decimal("0.000001"):
        raise CellError(f"{header}最多两位小数（现为 {cell_text(value)}）。")
    if rounded < 0:
        raise CellError(f"{header}不能为负数（现为 {cell_text(value)}）。")
    if rounded > MAX_LOSS:
        raise CellError(f"{header}（{cell_text(value)}）超出合理范围，请核对。")
    return rounded


def _flag(header: str, value, units) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"{header}须填“是”或“否”（现为“{cell_text(value)}”）。")


PARSERS = {
    "occurred_at": _occurred_at,
    "place": _required_text(200),
    "title": _required_text(200),
    "industry": _industry,
    "unit": _territorial_unit,
    "departments": _departments,
    "deaths": _count,
    "serious_injuries": _count,
    "direct_loss": _loss,
    "reported_late": _flag,
    "concealed": _flag,
    "falsely_reported": _flag,
}
