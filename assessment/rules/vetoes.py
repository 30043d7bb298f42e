"""一票否决 and 黄牌: which veto rules a unit's year triggers, and which it is one step from.

Plain values in, plain values out; no database. The rules are V1–V10 of reference/domain.md §9 with
the defaults of DESIGN.md, configurable per year through `rules_from_config`. Every `Veto` names its
rule and the records (accident, finding or adjustment ids) that triggered it.

Decisions on the unclear cases:
- Accident thresholds count accidents of that grade *or worse*: "≥ 2 较大" is met by a 较大 and a
  重大, and "≥ 2 重大" by a 重大 and a 特别重大, so disabling V1 never lets a worse accident through.
  The records listed are those accidents, worst first.
- Exemptions are applied by the caller: an accident a unit is exempted from is simply not in its
  input, so it can neither veto nor warn.
- V7 (deaths ≥ 150 % of the cap) needs a cap (None: the rule does not apply) and at least one death.
  A cap of 0 is therefore vetoed by the first death.
- V8 (total under the 合格 line) uses the rule's own `pass_line` when set, else the year's 合格 line
  given in `VetoInput.pass_line`; it is not checked while the total is unknown (None). The total is
  compared at two decimals (half up), as it is shown and as `scoring.grade` compares it: 59.995 is
  60.00, 合格 and not under a line of 60.
- 黄牌 (one step from a veto) for each enabled count threshold ≥ 2 of an enabled accident rule: the
  unit has exactly one accident fewer than the threshold. With the defaults that is a district with 1
  较大 (V3 at ≥ 2; 2 较大 when V3 is set to 3), a department with 1 重大 (V4), an enterprise with 1
  较大 (V5). Thresholds of 1 (V1, V2, V5's 重大) have no step below them. V7 warns from deaths ≥ 100 %
  of the cap (`yellow_death_cap_percent`), i.e. at the cap. A unit with any veto gets no 黄牌: the
  veto supersedes the warning.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from .grading import ESPECIALLY_MAJOR, LARGER, MAJOR, ORDER, ORDINARY
from .scoring import fmt, round2, to_decimal

# The unit kinds of responsibility.models.units (TERRITORIAL_KINDS 板块, DEPARTMENT_KINDS 部门,
# ENTERPRISE_KINDS 市属企业), as plain strings: rules/ imports no Django. A test checks they agree.
TERRITORIAL_KINDS = frozenset({"district", "county_city", "dev_zone"})
DEPARTMENT_KINDS = frozenset({"dept_professional", "dept_general"})
ENTERPRISE_KINDS = frozenset({"enterprise"})
ALL_KINDS = TERRITORIAL_KINDS | DEPARTMENT_KINDS | ENTERPRISE_KINDS

GRADE_LABELS = {ORDINARY: "一般", LARGER: "较大", MAJOR: "重大", ESPECIALLY_MAJOR: "特别重大"}

# What a rule looks at.
ACCIDENTS, CONCEALMENT, DEATH_CAP, SCORE, MANUAL, HAZARD = (
    "accidents",
    "concealment",
    "death_cap",
    "score",
    "manual",
    "hazard",
)
TRIGGERS = (ACCIDENTS, CONCEALMENT, DEATH_CAP, SCORE, MANUAL, HAZARD)

# Count fields of an accident rule, worst grade first.
COUNT_FIELDS = (
    ("especially_major_count", ESPECIALLY_MAJOR),
    ("major_count", MAJOR),
    ("larger_count", LARGER),
)


@dataclass(frozen=True)
class VetoRule:
    """One veto rule. Only the parameters of its `trigger` are read; None switches a threshold off."""

    code: str
    name: str
    trigger: str
    applies_to: frozenset[str] = ALL_KINDS
    enabled: bool = True
    # accidents: fires when any threshold is met (accidents of that grade or worse)
    especially_major_count: int | None = None
    major_count: int | None = None
    larger_count: int | None = None
    # concealment: the least grade whose 瞒报/谎报 vetoes
    concealed_grade: str = LARGER
    # death_cap: fires at deaths ≥ this percentage of the cap; warns from the yellow one
    death_cap_percent: Decimal | None = None
    yellow_death_cap_percent: Decimal | None = None
    # score: fires when the total is under this line (None: the year's 合格 line)
    pass_line: Decimal | None = None
    # accident rules and death_cap: whether to give 黄牌 at all
    yellow: bool = True

    def applies(self, kind: str) -> bool:
        return self.enabled and kind in self.applies_to


@dataclass(frozen=True)
class VetoInput:
    """One unit's year, as the veto rules need it. Exemptions are already applied.

    `ids_by_grade`: accident ids counted against the unit, by grade (grading.ORDER keys; missing
    grades count as none). `concealed_or_false`: (accident id, grade) of each 瞒报/谎报 proven this year,
    whatever year the accident was. `manual_vetoes`: reasons of manual vetoes (弄虚作假), each a
    string or an (adjustment id, reason) pair. `hazard_ids`: 挂牌督办 重大隐患 findings not fixed on
    time that caused an accident, or whose rectification was refused.
    """

    kind: str
    ids_by_grade: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    concealed_or_false: tuple[tuple[int, str], ...] = ()
    deaths: int = 0
    death_cap: Decimal | None = None
    total: Decimal | None = None
    manual_vetoes: tuple[str | tuple[int, str], ...] = ()
    hazard_ids: tuple[int, ...] = ()
    pass_line: Decimal = Decimal(60)

    @classmethod
    def from_figures(cls, kind: str, figures: Any, **extra: Any) -> "VetoInput":
        """From an `accidents.Figures`; `extra` gives the other fields (death_cap, total …).

        The concealments found in `figures` are taken with their grades unless
        `concealed_or_false` is given (e.g. to add older accidents proven this year).
        """
        grade_of = {pk: grade for grade, ids in figures.ids_by_grade.items() for pk in ids}
        extra.setdefault(
            "concealed_or_false", tuple((pk, grade_of[pk]) for pk in figures.concealed_or_false_ids)
        )
        return cls(kind=kind, ids_by_grade=dict(figures.ids_by_grade), deaths=figures.deaths, **extra)

    def ids_at_least(self, floor: str) -> tuple[int, ...]:
        """Accidents of grade `floor` or worse, worst first."""
        worst_first = ORDER[::-1][: len(ORDER) - ORDER.index(floor)]
        return tuple(pk for grade in worst_first for pk in self.ids_by_grade.get(grade, ()))

    @property
    def accident_ids(self) -> tuple[int, ...]:
        return self.ids_at_least(ORDINARY)


@dataclass(frozen=True)
class Veto:
    code: str
    name: str
    reason: str
    record_ids: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        """What a person reads (see `shown`): the rule's name and why, never the code."""
        return shown(self)


DEFAULT_RULES: tuple[VetoRule, ...] = (
    VetoRule("V1", "发生特别重大事故", ACCIDENTS, especially_major_count=1),
    VetoRule("V2", "板块发生重大事故", ACCIDENTS, applies_to=TERRITORIAL_KINDS, major_count=1),
    VetoRule("V3", "板块发生多起较大事故", ACCIDENTS, applies_to=TERRITORIAL_KINDS, larger_count=2),
    VetoRule("V4", "监管行业发生多起重大事故", ACCIDENTS, applies_to=DEPARTMENT_KINDS, major_count=2),
    VetoRule(
        "V5",
        "企业发生重大或多起较大事故",
        ACCIDENTS,
        applies_to=ENTERPRISE_KINDS,
        major_count=1,
        larger_count=2,
    ),
    VetoRule("V6", "瞒报谎报较大及以上事故", CONCEALMENT, concealed_grade=LARGER),
    VetoRule(
        "V7",
        "死亡人数超控制数",
        DEATH_CAP,
        death_cap_percent=Decimal(150),
        yellow_death_cap_percent=Decimal(100),
    ),
    VetoRule("V8", "考核总分低于合格线", SCORE),
    VetoRule("V9", "弄虚作假", MANUAL),
    VetoRule("V10", "挂牌督办重大隐患逾期未整改", HAZARD, applies_to=TERRITORIAL_KINDS | DEPARTMENT_KINDS),
)


def _percent(value: Decimal) -> str:
    return f"{fmt(value)}%"


def whole_people(line: Decimal) -> int:
    """The least whole number of people that meets "≥ `line`": people are counted whole, so a line of
    1.5 (150 % of a cap of 1) is met by 2, 16.5 by 17, and a whole line by itself. Every text that
    states a people threshold says it through this, never as a fraction of a person."""
    return math.ceil(Decimal(line))


def death_cap_line(cap: Decimal, percent: Decimal) -> int:
    """The deaths that reach `percent` of `cap`, in whole people (see `whole_people`); at least 1,
    as V7 needs a death: a cap of 0 is reached by the first death, not by none."""
    return max(whole_people(Decimal(cap) * Decimal(percent) / 100), 1)


def shown(veto: Veto) -> str:
    """What a person reads for a veto or 黄牌: the rule's name, then why (死亡人数超控制数：死亡7人…);
    never the rule's code, which stays in the data and in `assess --json`. A 黄牌's name drops the
    word 黄牌, which the page says beside it."""
    name = veto.name.removesuffix("（黄牌）")
    if not veto.reason or veto.reason == name:
        return name
    return veto.reason if veto.reason.startswith(name) else f"{name}：{veto.reason}"


def shown_all(vetoes: Iterable[Veto]) -> str:
    """Several vetoes or 黄牌 for one unit, as one line."""
    return "；".join(shown(veto) for veto in vetoes)


def _accident_vetoes(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    met, records = [], []
    for field_name, grade in COUNT_FIELDS:
        threshold = getattr(rule, field_name)
        ids = inp.ids_at_least(grade)
        if threshold is not None and len(ids) >= threshold:
            met.append(f"{_grade_phrase(grade)}事故{len(ids)}起（否决线{threshold}起）")
            records.extend(pk for pk in ids if pk not in records)
    if not met:
        return []
    return [Veto(rule.code, rule.name, "发生" + "，".join(met), tuple(records))]


def _grade_phrase(grade: str) -> str:
    return GRADE_LABELS[grade] if grade == ESPECIALLY_MAJOR else f"{GRADE_LABELS[grade]}及以上"


def _concealment_vetoes(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    ids = tuple(pk for pk, grade in inp.concealed_or_false if _at_least(grade, rule.concealed_grade))
    if not ids:
        return []
    phrase = "事故" if rule.concealed_grade == ORDINARY else f"{GRADE_LABELS[rule.concealed_grade]}及以上事故"
    return [Veto(rule.code, rule.name, f"瞒报或谎报{phrase}{len(ids)}起", ids)]


def _at_least(grade: str, floor: str) -> bool:
    return ORDER.index(grade) >= ORDER.index(floor)


def _death_cap_reached(inp: VetoInput, percent: Decimal | None) -> bool:
    if percent is None or inp.death_cap is None or inp.deaths <= 0:
        return False
    return Decimal(inp.deaths) * 100 >= Decimal(inp.death_cap) * Decimal(percent)


def _death_cap_vetoes(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    if not _death_cap_reached(inp, rule.death_cap_percent):
        return []
    cap, percent = Decimal(inp.death_cap), Decimal(rule.death_cap_percent)
    line = death_cap_line(cap, percent)
    reason = f"死亡{inp.deaths}人，控制数{fmt(cap)}人，达到控制数的{_percent(percent)}（≥{line}人）"
    return [Veto(rule.code, rule.name, reason, inp.accident_ids)]


def _score_vetoes(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    line = Decimal(rule.pass_line if rule.pass_line is not None else inp.pass_line)
    if inp.total is None:
        return []
    total = round2(to_decimal(inp.total))
    if total >= line:
        return []
    reason = f"考核总分{total}分，低于合格线{fmt(line)}分"
    return [Veto(rule.code, rule.name, reason)]


def _manual_vetoes(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    vetoes = []
    for item in inp.manual_vetoes:
        record_id, reason = (None, item) if isinstance(item, str) else item
        ids = () if record_id is None else (record_id,)
        vetoes.append(Veto(rule.code, rule.name, f"{rule.name}：{reason}", ids))
    return vetoes


def _hazard_vetoes(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    if not inp.hazard_ids:
        return []
    reason = f"挂牌督办重大隐患{len(inp.hazard_ids)}项逾期未整改或拒不整改"
    return [Veto(rule.code, rule.name, reason, tuple(inp.hazard_ids))]


CHECKS = {
    ACCIDENTS: _accident_vetoes,
    CONCEALMENT: _concealment_vetoes,
    DEATH_CAP: _death_cap_vetoes,
    SCORE: _score_vetoes,
    MANUAL: _manual_vetoes,
    HAZARD: _hazard_vetoes,
}


def check_vetoes(inp: VetoInput, rules: Iterable[VetoRule] = DEFAULT_RULES) -> list[Veto]:
    """The vetoes `inp` triggers, in rule order (a manual rule gives one per reason)."""
    return [veto for rule in rules if rule.applies(inp.kind) for veto in CHECKS[rule.trigger](rule, inp)]


def yellow_cards(inp: VetoInput, rules: Sequence[VetoRule] = DEFAULT_RULES) -> list[Veto]:
    """黄牌: the veto rules `inp` is one step from (see the module docstring); none once vetoed."""
    rules = list(rules)
    if check_vetoes(inp, rules):
        return []
    cards = []
    for rule in rules:
        if not (rule.applies(inp.kind) and rule.yellow):
            continue
        if rule.trigger == ACCIDENTS:
            cards.extend(_accident_yellow(rule, inp))
        elif rule.trigger == DEATH_CAP and _death_cap_reached(inp, rule.yellow_death_cap_percent):
            cap, percent = Decimal(inp.death_cap), Decimal(rule.yellow_death_cap_percent)
            reason = f"死亡{inp.deaths}人，已达控制数{fmt(cap)}人的{_percent(percent)}"
            if rule.death_cap_percent is not None:
                reason += f"，达到{death_cap_line(cap, rule.death_cap_percent)}人即否决"
            cards.append(Veto(rule.code, f"{rule.name}（黄牌）", reason, inp.accident_ids))
    return cards


def _accident_yellow(rule: VetoRule, inp: VetoInput) -> list[Veto]:
    met, records = [], []
    for field_name, grade in COUNT_FIELDS:
        threshold = getattr(rule, field_name)
        ids = inp.ids_at_least(grade)
        if threshold is not None and threshold >= 2 and len(ids) == threshold - 1:
            met.append(f"{_grade_phrase(grade)}事故{len(ids)}起（否决线{threshold}起）")
            records.extend(pk for pk in ids if pk not in records)
    if not met:
        return []
    return [
        Veto(rule.code, f"{rule.name}（黄牌）", "发生" + "，".join(met) + "，再发生1起即否决", tuple(records))
    ]


_INT_FIELDS = {"especially_major_count", "major_count", "larger_count"}
_DECIMAL_FIELDS = {"death_cap_percent", "yellow_death_cap_percent", "pass_line"}
_FIELD_NAMES = {f.name for f in fields(VetoRule)} - {"code"}


def _coerce(code: str, key: str, value: Any) -> Any:
    if key not in _FIELD_NAMES:
        raise ValueError(f"{code}：未知参数 {key}")
    if value is None:
        if key in _INT_FIELDS | _DECIMAL_FIELDS:
            return None
        raise ValueError(f"{code}：参数 {key} 不能为空")
    if key in _INT_FIELDS:
        number = int(value)
        if number < 1 or number != Decimal(str(value)):
            raise ValueError(f"{code}：{key} 须为正整数")
        return number
    if key in _DECIMAL_FIELDS:
        number = Decimal(str(value))
        if number < 0:
            raise ValueError(f"{code}：{key} 不能为负数")
        return number
    if key == "applies_to":
        kinds = frozenset(value)
        if unknown := kinds - ALL_KINDS:
            raise ValueError(f"{code}：未知单位类型 {', '.join(sorted(unknown))}")
        return kinds
    if key == "trigger" and value not in TRIGGERS:
        raise ValueError(f"{code}：未知规则类型 {value}")
    if key == "concealed_grade" and value not in ORDER:
        raise ValueError(f"{code}：未知事故等级 {value}")
    if key in {"enabled", "yellow"}:
        return bool(value)
    return value


def rules_from_config(config: Mapping[str, Mapping[str, Any]] | None) -> list[VetoRule]:
    """The default rules with a year's settings merged over them, e.g.
    {"V3": {"enabled": true, "larger_count": 3}, "V7": {"death_cap_percent": 200}}.

    Keys are `VetoRule` field names; `applies_to` is a list of unit kinds; null switches a threshold
    off. A code not among the defaults adds a rule and must give `name` and `trigger`. Unknown codes'
    missing fields and unknown keys raise ValueError, so a typo never silently keeps the default.
    """
    rules = {rule.code: rule for rule in DEFAULT_RULES}
    for code, settings in (config or {}).items():
        values = {key: _coerce(code, key, value) for key, value in settings.items()}
        if code in rules:
            rules[code] = replace(rules[code], **values)
        elif "name" in values and "trigger" in values:
            rules[code] = VetoRule(code=code, **values)
        else:
            raise ValueError(f"{code}：新增否决规则须给出 name 和 trigger")
    return list(rules.values())
