"""Scoring rules for one target, the total and the grade. Plain values in, plain values out; no database.

Each rule gives `TargetScore(points, reason)`: points rounded to 0.01 half up and always within
[0, weight]; the reason is the sentence the unit reads in its breakdown. `score_target` picks the rule
by `Indicator.rule` code.

Decisions on the unclear cases, the same for every rule:
- `actual` None means nobody reported or computed a value: 0 points, "无数据，不得分". The assessment
  passes 0 (not None) for accident counts and deaths a unit simply did not have, so a derived
  accident indicator with no accidents gets full points.
- A weight below 0 is a configuration error (ValueError); a weight of 0 scores 0.
- An entered value the unit never reported (缺报: no approved report for the quarters the
  assessment reads) is scored by `score_missing_entered` with the year's share of the weight
  (`Year.missing_entered_percent`, 0 unless the year sets it), not by the target's rule: the rule
  of the year decides what silence is worth, and the reason says it was 缺报. Derived and assessed
  values with nothing to score stay "无数据，不得分".
- Deductions are linear: `per_unit` × the amount over (or the count), so a fractional excess
  deducts a fraction; `per_unit` defaults to 1 and may be given as str, int, float or Decimal.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal(0)
ZERO_CENTS = ZERO.quantize(CENT)  # 0.00
ONE = Decimal(1)
TENTH = Decimal("0.1")

CAP_DEDUCTION = "cap_deduction"
COUNT_DEDUCTION = "count_deduction"
YOY_DECREASE = "yoy_decrease"
COMPLETION = "completion"
BOOLEAN = "boolean"
ITEM_DEDUCTION = "item_deduction"

# The grades' codes, best first: 优秀, 良好, 合格, 不合格 (the labels are `AssessmentGrade`'s).
EXCELLENT, GOOD, PASS, FAIL = "excellent", "good", "pass", "fail"
GRADES = (EXCELLENT, GOOD, PASS, FAIL)
DEFAULT_BANDS = (Decimal(90), Decimal(80), Decimal(60))

NO_DATA = "无数据，不得分"


@dataclass(frozen=True)
class TargetScore:
    points: Decimal
    reason: str


@dataclass(frozen=True)
class YoY:
    """Accidents and deaths this period against the same period of the year before (双下降)."""

    count_now: int
    count_before: int
    deaths_now: int
    deaths_before: int

    @classmethod
    def of(cls, figures: Any) -> "YoY":
        """From an `accidents.UnitFigures` (anything with `.current` and `.previous` Figures)."""
        now, before = figures.current, figures.previous
        return cls(now.count, before.count, now.deaths, before.deaths)


class Deduction(NamedTuple):
    """One itemized deduction by the assessors; a plain (points, reason) pair works as well."""

    points: Decimal
    reason: str


@dataclass(frozen=True)
class Totals:
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal


def to_decimal(value: Any) -> Decimal:
    """Decimal from Decimal, int, str or float (floats through str, so 0.1 stays 0.1)."""
    if value.__class__ is Decimal or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | int) -> str:
    """A number as people write it: 2, 0.5, 12.25 (no trailing zeros, no exponent)."""
    value = to_decimal(value)
    if value == value.to_integral_value():
        return str(value.to_integral_value())
    return f"{value.normalize():f}"


def _weight(weight: Any) -> Decimal:
    weight = to_decimal(weight)
    if weight < 0:
        raise ValueError(f"分值不能为负数：{weight}")
    return weight


def _clamp(points: Decimal, weight: Decimal) -> Decimal:
    """Round half up to cents and keep within [0, weight] (a weight with more decimals rounds down)."""
    points = points.quantize(CENT, rounding=ROUND_HALF_UP)
    if points > weight:
        points = weight.quantize(CENT, rounding=ROUND_FLOOR)
    return points if points >= ZERO_CENTS else ZERO_CENTS


def _per_unit(params: Mapping[str, Any]) -> Decimal:
    value = params.get("per_unit")
    return ONE if value is None else abs(to_decimal(value))


def _deducted(weight: Decimal, deduction: Decimal) -> tuple[Decimal, str]:
    """Points left after `deduction`, and how the reason ends."""
    if deduction <= 0:
        return _clamp(weight, weight), "得满分"
    if deduction > weight:
        return _clamp(ZERO, weight), f"扣{fmt(deduction)}分，扣完为止"
    return _clamp(weight - deduction, weight), f"扣{fmt(deduction)}分"


def score_cap_deduction(
    weight: Any, target_value: Any, actual: Any, *, params: Mapping[str, Any] | None = None
) -> TargetScore:
    """控制数扣分: full weight while actual ≤ target; −`per_unit` for each unit over; floor 0.

    params: `per_unit` (default 1), `label` (default "死亡") and `unit` (default "人") for the reason.
    Sector caps (A4, 分行业死亡人数): with `params["caps"]` = {sector: cap}, `actual` is
    {sector: deaths} and each sector's excess is deducted; `target_value` is then not used, a sector
    missing from `actual` counts as 0 and `params["labels"]` may name the sectors.
    A missing cap (target_value None, no `caps`) scores 0, "未设控制数，无法评分": full points for an
    unconfigured cap would hide the mistake.
    """
    params = params or {}
    weight = _weight(weight)
    if actual is None:
        return TargetScore(_clamp(ZERO, weight), NO_DATA)
    per_unit = _per_unit(params)
    label, unit = params.get("label", "死亡"), params.get("unit", "人")
    if params.get("caps"):
        return _score_sector_caps(weight, params["caps"], actual, per_unit, params.get("labels") or {}, unit)
    if target_value is None:
        return TargetScore(_clamp(ZERO, weight), "未设控制数，无法评分")
    actual, cap = to_decimal(actual), to_decimal(target_value)
    if actual <= cap:
        return TargetScore(
            _clamp(weight, weight), f"{label}{fmt(actual)}{unit}，未超控制数{fmt(cap)}{unit}，得满分"
        )
    over = actual - cap
    points, ending = _deducted(weight, over * per_unit)
    return TargetScore(
        points, f"{label}{fmt(actual)}{unit}，控制数{fmt(cap)}{unit}，超{fmt(over)}{unit}，{ending}"
    )


# The codes of assessment.models.Industry, in its order (this module stays free of Django).
SECTOR_ORDER = (
    "road",
    "industry_trade",
    "construction",
    "hazchem",
    "fire",
    "special_equipment",
    "waterway",
    "rail",
    "other",
)


def _sector_order(item) -> tuple:
    sector = item[0]
    return (SECTOR_ORDER.index(sector), "") if sector in SECTOR_ORDER else (len(SECTOR_ORDER), sector)


def _score_sector_caps(
    weight: Decimal,
    caps: Mapping[str, Any],
    actual: Mapping[str, Any],
    per_unit: Decimal,
    labels: Mapping[str, str],
    unit: str,
) -> TargetScore:
    parts, over_total = [], ZERO
    # In the register's order of industries: PostgreSQL's jsonb does not keep the typed order.
    for sector, cap in sorted(caps.items(), key=_sector_order):
        cap, deaths = to_decimal(cap), to_decimal(actual.get(sector, 0) or 0)
        name = labels.get(sector, sector)
        if deaths > cap:
            over_total += deaths - cap
            parts.append(
                f"{name}死亡{fmt(deaths)}{unit}（控制数{fmt(cap)}{unit}，超{fmt(deaths - cap)}{unit}）"
            )
        else:
            parts.append(f"{name}死亡{fmt(deaths)}{unit}（控制数{fmt(cap)}{unit}）")
    points, ending = _deducted(weight, over_total * per_unit)
    return TargetScore(points, "；".join(parts) + f"，{ending}")


def score_count_deduction(
    weight: Any, actual: Any, *, params: Mapping[str, Any] | None = None
) -> TargetScore:
    """按次扣分: −`per_unit` for each occurrence (actual = the count), floor 0.

    params: `per_unit` (default 1), `label` (default "发生") and `unit` (default "次") for the
    reason, e.g. {"per_unit": 5, "label": "较大事故", "unit": "起"} → "较大事故1起，扣5分".
    """
    params = params or {}
    weight = _weight(weight)
    if actual is None:
        return TargetScore(_clamp(ZERO, weight), NO_DATA)
    count = to_decimal(actual)
    label, unit = params.get("label", "发生"), params.get("unit", "次")
    points, ending = _deducted(weight, max(count, ZERO) * _per_unit(params))
    return TargetScore(points, f"{label}{fmt(count)}{unit}，{ending}")


def _as_yoy(actual: Any) -> YoY:
    if isinstance(actual, YoY):
        return actual
    if hasattr(actual, "current") and hasattr(actual, "previous"):
        return YoY.of(actual)
    count_now, count_before, deaths_now, deaths_before = actual
    return YoY(count_now, count_before, deaths_now, deaths_before)


def _fell(now: int, before: int) -> bool:
    """Lower than last year; two years at 0 count as lower too (nothing left to fall, nothing rose)."""
    return now < before or now == before == 0


def _yoy_phrase(name: str, now: int, before: int) -> str:
    if now == before == 0:
        return f"{name}连续两年为零（0→0），视同下降"
    if now < before:
        return f"{name}同比下降（{before}→{now}）"
    return f"{name}未下降（{before}→{now}）"


def score_yoy_decrease(weight: Any, actual: Any) -> TargetScore:
    """同比双下降: half the weight for fewer accidents, half for fewer deaths than last year.

    `actual` is a `YoY`, a (count_now, count_before, deaths_now, deaths_before) tuple or a
    `UnitFigures`. A measure at 0 in both years has not risen and cannot fall further, so it earns
    its half: a unit with no accidents two years running gets the full weight.
    """
    weight = _weight(weight)
    if actual is None:
        return TargetScore(_clamp(ZERO, weight), NO_DATA)
    yoy = _as_yoy(actual)
    count_fell = _fell(yoy.count_now, yoy.count_before)
    deaths_fell = _fell(yoy.deaths_now, yoy.deaths_before)
    points = _clamp(weight * (int(count_fell) + int(deaths_fell)) / 2, weight)
    phrases = (
        _yoy_phrase("起数", yoy.count_now, yoy.count_before),
        _yoy_phrase("死亡人数", yoy.deaths_now, yoy.deaths_before),
    )
    return TargetScore(points, "，".join(phrases) + f"，得{fmt(points)}分")


def score_completion(weight: Any, target_value: Any, actual: Any) -> TargetScore:
    """完成率: weight × min(actual ÷ target, 1); a negative actual scores 0. The reason's rate is to
    0.1 %, rounded down while short of the target, so it never reads 100.0 % beside points not full.

    With no target (None or ≤ 0) nothing was required, so a reported value earns the full weight
    ("未设目标值，得满分"); a missing actual still scores 0.
    """
    weight = _weight(weight)
    if actual is None:
        return TargetScore(_clamp(ZERO, weight), NO_DATA)
    actual = to_decimal(actual)
    target = None if target_value is None else to_decimal(target_value)
    if target is None or target <= 0:
        return TargetScore(_clamp(weight, weight), "未设目标值，得满分")
    ratio = max(actual / target, ZERO)
    points = _clamp(weight * min(ratio, ONE), weight)
    # To 0.1 %, never up to 100.0 % while short of it: 99.96 % reads 99.9 %, beside points not full.
    rate = (ratio * 100).quantize(TENTH, rounding=ROUND_FLOOR if ratio < ONE else ROUND_HALF_UP)
    return TargetScore(points, f"完成率{rate}%，得{points}分")


def score_boolean(weight: Any, actual: Any) -> TargetScore:
    """完成即得分: full weight when done (truthy), 0 when not (falsy), 0 with no data (None)."""
    weight = _weight(weight)
    if actual is None:
        return TargetScore(_clamp(ZERO, weight), NO_DATA)
    if actual:
        return TargetScore(_clamp(weight, weight), "已完成")
    return TargetScore(_clamp(ZERO, weight), "未完成")


def score_item_deduction(weight: Any, actual: Any) -> TargetScore:
    """逐项扣分，扣完为止: weight minus the sum of the itemized deductions, floor 0.

    `actual` is a list of (points, reason) pairs or `Deduction`s; an empty list means no deductions
    (full weight). Points are read as amounts to deduct, so −0.5 and 0.5 deduct the same.
    """
    weight = _weight(weight)
    if actual is None:
        return TargetScore(_clamp(ZERO, weight), NO_DATA)
    items = [(abs(to_decimal(points)), reason) for points, reason in _pairs(actual)]
    if not items:
        return TargetScore(_clamp(weight, weight), "无扣分项，得满分")
    deduction = sum((points for points, _ in items), ZERO)
    points, ending = _deducted(weight, deduction)
    listed = "；".join(f"{reason}（−{fmt(p)}）" for p, reason in items)
    ending = f"共{ending}" if deduction > 0 else "得满分"
    return TargetScore(points, f"扣分：{listed}，{ending}")


def _pairs(items: Iterable[Any]) -> list[tuple[Any, str]]:
    return [(item.points, item.reason) if hasattr(item, "points") else tuple(item) for item in items]


def score_target(
    rule: str, *, weight: Any, target_value: Any = None, params: Mapping[str, Any] | None = None, actual: Any
) -> TargetScore:
    """Score one target by its indicator's rule code (`IndicatorRule` values)."""
    params = params or {}
    if rule == COMPLETION:
        return score_completion(weight, target_value, actual)
    if rule == BOOLEAN:
        return score_boolean(weight, actual)
    if rule == ITEM_DEDUCTION:
        return score_item_deduction(weight, actual)
    if rule == CAP_DEDUCTION:
        return score_cap_deduction(weight, target_value, actual, params=params)
    if rule == COUNT_DEDUCTION:
        return score_count_deduction(weight, actual, params=params)
    if rule == YOY_DECREASE:
        return score_yoy_decrease(weight, actual)
    raise ValueError(f"未知的评分规则：{rule}")


def score_missing_entered(weight: Any, percent: Any) -> TargetScore:
    """缺报: an entered value not reported scores `percent` (0–100) of the weight, half up to cents.

    0 % (the default) reads "缺报，按本年度规则计0分"; 50 % of 10 points "缺报，按本年度规则计
    分值的50%，得5分". A percent outside 0–100 is a configuration error (ValueError).
    """
    weight, share = _weight(weight), to_decimal(percent)
    if not 0 <= share <= 100:
        raise ValueError(f"缺报项得分比例须在 0 至 100 之间：{share}")
    points = _clamp(weight * share / 100, weight)
    if not points:
        return TargetScore(points, "缺报，按本年度规则计0分")
    return TargetScore(points, f"缺报，按本年度规则计分值的{fmt(share)}%，得{fmt(points)}分")


def total(base: Any, bonus: Any, penalty: Any, *, bonus_cap: Any) -> Totals:
    """Base + bonus (kept within [0, bonus_cap]) − penalty, floored at 0, each to 0.01 half up.

    The penalty is an amount to subtract: −3 (a sum of negative adjustments) and 3 both subtract 3.
    """
    cap = max(to_decimal(bonus_cap), ZERO)
    base = round2(to_decimal(base))
    bonus = round2(min(max(to_decimal(bonus), ZERO), cap))
    penalty = round2(abs(to_decimal(penalty)))
    return Totals(base, bonus, penalty, max(base + bonus - penalty, ZERO.quantize(CENT)))


def grade(total: Any, *, bands: tuple[Any, Any, Any] = DEFAULT_BANDS, vetoed: bool) -> str:
    """优秀 / 良好 / 合格 / 不合格 (EXCELLENT … FAIL) by the year's bands (lower bound included); a
    vetoed unit is 不合格.

    The total is compared at two decimals, as it is shown: 89.995 is 90.00 and so 优秀.
    """
    if vetoed:
        return FAIL
    value = round2(to_decimal(total))
    excellent, good, passing = (to_decimal(band) for band in bands)
    if value >= excellent:
        return EXCELLENT
    if value >= good:
        return GOOD
    if value >= passing:
        return PASS
    return FAIL
