"""What a 责任书 says: each target's commitment and the 一票否决 and 黄牌 clauses, written from the
same inputs the engine reads (`scoring.score_target`, `vetoes.check_vetoes`, `vetoes.yellow_cards`),
so what a unit signs is what it is judged by. Plain values in, words out; no database.

Decisions on the unclear cases:
- A commitment states what the rule scores and what it deducts, never more: a count deduction
  ignores the target value (the engine does), so its words give none; "扣完为止" closes every
  deduction, because no rule goes below 0 points.
- What is counted ("较大及以上事故", "道路交通、火灾死亡") and its unit (起/人/万元) come from the
  indicator's measure, with the scoring params' own `label` and `unit` over them, as the engine
  merges them. An indicator without a measure (an entered one) falls back to the rule's defaults:
  死亡/人 for a cap, 发生/次 for a count.
- Accident thresholds say "或更重等级", because they count accidents of that grade or worse; a
  threshold of 1 is "发生…事故", of n "累计发生…事故n起及以上".
- The death cap's line is stated in whole people for this unit's cap (`vetoes.death_cap_line`),
  and at least one person, since a cap of 0 is vetoed by the first death. Without a cap the
  rule cannot apply to the unit, and the letter does not state it.
- The score line is the rule's own `pass_line`, else the year's 合格 line.
- Manual and hazard rules, and any rule a city adds with another trigger, are stated by their
  name: the name is all that says what they look at.
- 黄牌 belongs in the letter: it is the engine's warning one step before a veto, so the unit is
  told where that step is. Its sentence follows the enabled rules with `yellow` set, as
  `yellow_cards` does; none, no sentence.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .grading import ESPECIALLY_MAJOR, ORDER, ORDINARY
from .scoring import (
    BOOLEAN,
    CAP_DEDUCTION,
    COMPLETION,
    COUNT_DEDUCTION,
    ITEM_DEDUCTION,
    YOY_DECREASE,
    _per_unit,
    fmt,
    to_decimal,
)
from .vetoes import (
    ACCIDENTS,
    CONCEALMENT,
    COUNT_FIELDS,
    DEATH_CAP,
    GRADE_LABELS,
    SCORE,
    VetoRule,
    death_cap_line,
)

# The unit each measure is counted in (Indicator.measure values).
MEASURE_UNITS = {"accidents": "起", "deaths": "人", "serious_injuries": "人", "direct_loss": "万元"}
_NOUNS = {"accidents": "事故", "deaths": "死亡", "serious_injuries": "重伤", "direct_loss": "直接经济损失"}
CHINESE_NUMERALS = "一二三四五六七八九十"


def counted_label(
    measure: str, grades: Iterable[str], industries: Iterable[str], industry_labels: Mapping[str, str]
) -> str:
    """What a derived indicator counts: "较大及以上事故", "道路交通、火灾死亡" … Industries are
    listed in the order of `industry_labels` (the register's)."""
    grades = [grade for grade in ORDER if grade in set(grades)]
    if not grades or len(grades) == len(ORDER):
        grade_part = ""
    elif grades == ORDER[ORDER.index(grades[0]) :]:
        grade_part = f"{GRADE_LABELS[grades[0]]}及以上"
    else:
        grade_part = "、".join(GRADE_LABELS[grade] for grade in grades)
    chosen = set(industries)
    industry_part = "、".join(label for code, label in industry_labels.items() if code in chosen)
    noun = _NOUNS.get(measure, _NOUNS["direct_loss"])
    if measure == "accidents":
        return f"{industry_part}{grade_part}{noun}"
    return f"{industry_part}{grade_part}{'事故' if grade_part else ''}{noun}"


def quantity(label: str, unit: str) -> str:
    """The thing a cap holds down: 死亡 + 人 → 死亡人数, 较大事故 + 起 → 较大事故起数."""
    return label + {"人": "人数", "起": "起数", "次": "次数"}.get(unit, "")


def _none_of(label: str, unit: str) -> str:
    return f"不发生{label}" if unit in ("起", "次") else f"{quantity(label, unit)}为零"


def _deduct(per_unit: Decimal, unit: str, verb: str) -> str:
    return f"每{verb} 1 {unit}扣 {fmt(per_unit)} 分，扣完为止"


def target_commitment(
    rule: str,
    *,
    weight: Any,
    target_value: Any = None,
    params: Mapping[str, Any] | None = None,
    label: str | None = None,
    unit: str | None = None,
    counts_findings: bool = False,
) -> str:
    """A target's commitment as the letter prints it, from what `score_target` reads.

    `params` are the scoring params as the engine merges them (the indicator's, the target's over
    them); `label` and `unit` say what the indicator counts (from its measure), the params' own
    over them. `counts_findings`: a derived item deduction, which also deducts overdue findings.
    """
    params = params or {}
    label = params.get("label") or label
    unit = params.get("unit") or unit
    per_unit = _per_unit(params)
    value = None if target_value is None else fmt(to_decimal(target_value))
    if rule == CAP_DEDUCTION:
        label, unit = label or "死亡", unit or "人"
        if params.get("caps"):
            names = params.get("labels") or {}
            caps = "、".join(
                f"{names.get(sector, sector)} {fmt(to_decimal(cap))} {unit}"
                for sector, cap in params["caps"].items()
            )
            return f"分行业{quantity('死亡', unit)}分别控制在{caps}以内，合计每超 1 {unit}扣 {fmt(per_unit)} 分，扣完为止"
        if value is None:
            return f"全年{quantity(label, unit)}控制数未定，未定不得分"
        return f"全年{quantity(label, unit)}控制在 {value} {unit}以内，每超 1 {unit}扣 {fmt(per_unit)} 分，扣完为止"
    if rule == COUNT_DEDUCTION:
        if label is None or label == "发生":
            return f"按次扣分，{_deduct(per_unit, unit or '次', '发生')}"
        unit = unit or "次"
        verb = "发生" if unit in ("起", "次") else "增加"
        return f"全年{_none_of(label, unit)}，{_deduct(per_unit, unit, verb)}"
    if rule == YOY_DECREASE:
        half = fmt(to_decimal(weight) / 2)
        return f"事故起数、死亡人数同比“双下降”，每下降一项得 {half} 分（连续两年为零视同下降）"
    if rule == COMPLETION:
        if value is None or to_decimal(target_value) <= 0:
            return "按要求完成，填报即得满分"
        goal = f"完成率达到 {value}%" if unit is None else f"全年完成 {value} {unit}"
        return f"{goal}，按完成比例得分"
    if rule == BOOLEAN:
        if label:
            return f"全年{_none_of(label, unit or '起')}，否则本项不得分"
        return "按要求全面完成，未完成不得分"
    if rule == ITEM_DEDUCTION:
        if counts_findings:
            return f"问题隐患逾期未整改的每项扣 {fmt(per_unit)} 分，并按考核细则逐项扣分，扣完为止"
        return "按考核细则逐项扣分，扣完为止"
    raise ValueError(f"未知的评分规则：{rule}")


def _grade_or_worse(grade: str) -> str:
    if grade == ESPECIALLY_MAJOR:
        return GRADE_LABELS[grade]
    return f"{GRADE_LABELS[grade]}或更重等级"


def _accident_phrase(grade: str, threshold: int) -> str:
    if threshold == 1:
        return f"发生{_grade_or_worse(grade)}生产安全事故"
    return f"累计发生{_grade_or_worse(grade)}生产安全事故 {threshold} 起及以上"


def _condition(rule: VetoRule, death_cap: Decimal | None, pass_line: Decimal) -> str | None:
    """What triggers `rule` for a unit, in words; None when it cannot apply (no death cap)."""
    if rule.trigger == ACCIDENTS:
        met = [
            _accident_phrase(grade, getattr(rule, name))
            for name, grade in COUNT_FIELDS
            if getattr(rule, name) is not None
        ]
        return "，或".join(met) or None
    if rule.trigger == CONCEALMENT:
        grade = rule.concealed_grade
        what = "生产安全事故" if grade == ORDINARY else f"{_grade_or_worse(grade)}生产安全事故"
        return f"瞒报、谎报{what}"
    if rule.trigger == DEATH_CAP:
        if rule.death_cap_percent is None or death_cap is None:
            return None
        line = max(death_cap_line(death_cap, rule.death_cap_percent), 1)
        return (
            f"生产安全事故死亡人数达到控制数（{fmt(death_cap)} 人）的 {fmt(rule.death_cap_percent)}%，"
            f"即 {line} 人及以上"
        )
    if rule.trigger == SCORE:
        line = rule.pass_line if rule.pass_line is not None else pass_line
        return f"年度考核总分低于 {fmt(line)} 分"
    return rule.name


def _numbered(items: list[str]) -> str:
    return "；".join(f"（{CHINESE_NUMERALS[i] if i < 10 else i + 1}）{item}" for i, item in enumerate(items))


def veto_clause(rules: Iterable[VetoRule], *, kind: str, death_cap: Decimal | None, pass_line: Any) -> str:
    """The 一票否决 clause for a unit of `kind` with this death cap, from the year's rules."""
    pass_line = to_decimal(pass_line)
    items = [
        text for rule in rules if rule.applies(kind) and (text := _condition(rule, death_cap, pass_line))
    ]
    if not items:
        return "本年度考核不实行一票否决。"
    return f"乙方有下列情形之一的，年度考核实行一票否决，考核等级为不合格：{_numbered(items)}。"


def yellow_clause(rules: Iterable[VetoRule], *, kind: str, death_cap: Decimal | None) -> str:
    """The 黄牌 sentence: the warnings `yellow_cards` gives one step before a veto; "" if none."""
    items = []
    for rule in rules:
        if not (rule.applies(kind) and rule.yellow):
            continue
        if rule.trigger == ACCIDENTS:
            items.extend(
                f"{_accident_phrase(grade, getattr(rule, name) - 1)}（达到 {getattr(rule, name)} 起即否决）"
                for name, grade in COUNT_FIELDS
                if getattr(rule, name) is not None and getattr(rule, name) >= 2
            )
        elif (
            rule.trigger == DEATH_CAP and rule.yellow_death_cap_percent is not None and death_cap is not None
        ):
            line = max(death_cap_line(death_cap, rule.yellow_death_cap_percent), 1)
            items.append(
                f"生产安全事故死亡人数达到控制数的 {fmt(rule.yellow_death_cap_percent)}%，即 {line} 人及以上"
            )
    if not items:
        return ""
    return f"尚未达到否决情形但有下列情形之一的，给予黄牌警示：{_numbered(items)}。"
