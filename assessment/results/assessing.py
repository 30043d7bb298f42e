"""The year-end assessment computed from the database: every unit's score, vetoes, grade, rank and 等次.

    results = assess_year(year)                      # provisional: what each unit would score today
    results = assess_year(year, provisional=False)   # final: Q4 reports, the whole accident window

Units listed: every unit of the year (`roll`): those with a signed letter and targets are scored
and ranked; the others (未签订, or signed without targets) are listed after the ranked units of their
group with their status and why, and no score, rank, grade or 等次. Everything is loaded in a fixed
number of queries (12 on the default settings), whatever the number of units, targets, reports or
accidents; the scoring, veto, grade and ranking rules are the pure modules `scoring`, `vetoes` and
`ranking`.

Actual values per target (`Indicator.source`, then the rule):
- entered: the value of the latest approved report. Final: the Q4 report only (reports are
  cumulative, so the year's result is Q4's); no approved Q4 report scores 0 (无数据). Provisional:
  the target's highest approved quarter so far. Drafts, submitted and returned reports never count;
  a late flag does not change the value (late reporting is deducted by the assessors, under E1).
  An entered value the assessment finds no approved value for is 缺报 (`ItemResult.missing`): it
  earns `Year.missing_entered_percent` of the weight (`scoring.score_missing_entered`; 0 unless the
  year sets it), and the unit's `missing` lists those targets ("缺报 2 项"). 双下降 and item
  deductions read no entered value, so they are never 缺报.
- derived, from the unit's accident figures (exemptions already removed) restricted to what the
  indicator counts (`Indicator.grades`, `.industries`, `.link`; see `counted_figures`), by rule:
  cap_deduction → the indicator's `measure` (with `params["caps"]`: deaths by industry);
  count_deduction → the `measure` (e.g. accidents of 较大 or worse); yoy_decrease → this period
  against the same one last year; boolean → the `measure` is 0; item_deduction → the unit's overdue
  findings of the year, −`per_unit` each ("问题隐患逾期未整改：…（期限2026-09-30）"), then the
  target's `Deduction` rows. Another rule has no derivation: 无数据. No catalog code is read.
- item_deduction (the rule of every assessed indicator in the catalog): the target's `Deduction`
  rows as (points, reason). An assessed indicator with another rule has nothing to score: 无数据.
Parameters are the indicator's with the target's own over them.

Findings (问题隐患) count for the year of their inspection. One is overdue when its deadline passed
before the cut-off day and it was not verified by then (one verified after the cut-off still counts:
it was not fixed on time). The cut-off is `today` while provisional and inside the accident window, else the window's
last day, so a final assessment does not change with the day it is run. Overdue 重大事故隐患 (always
挂牌督办) are V10's `hazard_ids`.

Adjustments: bonus = sum of positive points, capped by `Year.bonus_cap`; penalty = −sum of the
negative ones; a manual veto (弄虚作假) becomes veto V9 naming the adjustment. The death cap for V7 is
the target value of the unit's target whose indicator `is_death_cap`, against the deaths that indicator
counts. Provisional accident figures run from the window's
start to `today` (when `today` is inside the window); final ones cover the whole window.
"""

import gc
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from assessment.accidents.counting import counted_figures
from assessment.accidents.figures import Scenario, UnitFigures, accident_figures
from assessment.inspections.services import short
from assessment.models import (
    DONE,
    Adjustment,
    Deduction,
    Finding,
)
from assessment.rules import ranking, scoring, vetoes
from responsibility.models import (
    GROUP_OF_KIND,
    Indicator,
    IndicatorRule,
    IndicatorSource,
    Unit,
    UnitGroup,
    Year,
    city_order_key,
)

from . import loading, roll
from .loading import AssessedTarget
from .roll import ItemResult, UnitRef, UnitResult, unranked_result

ZERO = Decimal(0)


@dataclass(frozen=True)
class OverdueFinding:
    id: int
    problem: str
    deadline: date
    major_hazard: bool

    def deduction(self, per_unit: Any) -> scoring.Deduction:
        reason = f"问题隐患逾期未整改：{short(self.problem, 30)}（期限{self.deadline:%Y-%m-%d}）"
        return scoring.Deduction(scoring.to_decimal(per_unit), reason)


def findings_cutoff(year: Year, today: date, provisional: bool) -> date:
    """The day on which findings are judged overdue: today while provisional, else the window's end."""
    end = year.accident_window_end
    return today if provisional and today < end else end


def overdue_findings(year: Year, cutoff: date) -> dict[int, list[OverdueFinding]]:
    """The year's findings overdue on `cutoff`, per unit, by deadline (one query)."""
    overdue: dict[int, list[OverdueFinding]] = defaultdict(list)
    for pk, unit_id, problem, deadline, major in (
        Finding.objects.filter(inspection__year=year, deadline__lt=cutoff)
        .filter(~Q(status__in=DONE) | Q(verified_at__date__gt=cutoff))
        .order_by("deadline", "pk")
        .values_list("pk", "unit_id", "problem", "deadline", "major_hazard")
    ):
        overdue[unit_id].append(OverdueFinding(pk, problem, deadline, major))
    return overdue


def _actual(target: AssessedTarget, params: dict, figures: UnitFigures, reports, deductions, findings) -> Any:
    indicator = target.indicator
    rule = indicator.rule
    if rule == IndicatorRule.ITEM_DEDUCTION:
        listed = deductions.get(target.pk, [])
        if indicator.source == IndicatorSource.DERIVED:
            per_unit = params.get("per_unit", 1)
            return [*(finding.deduction(per_unit) for finding in findings), *listed]
        return listed
    if rule == IndicatorRule.YOY_DECREASE:
        return scoring.YoY.of(figures)  # 双下降 comes from the register, however the indicator is sourced
    if indicator.source == IndicatorSource.ENTERED:
        return reports.get(target.pk)
    if indicator.source == IndicatorSource.ASSESSED:
        return None  # only item deductions are assessed; anything else has no value to score
    now = counted_figures(indicator, figures).current
    if not indicator.measure:
        return None  # a derived indicator that says nothing of what it counts has no value
    if rule == IndicatorRule.CAP_DEDUCTION:
        return now.deaths_by_industry if params.get("caps") else now.measure(indicator.measure)
    if rule == IndicatorRule.COUNT_DEDUCTION:
        return now.measure(indicator.measure)
    if rule == IndicatorRule.BOOLEAN:
        return now.measure(indicator.measure) == 0
    return None


def quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter, 30 if quarter in (2, 3) else 31)


def last_quarter_ended(year: Year, today: date) -> int | None:
    """The last quarter of `year` that ended before `today` (4 once the year is over), or None."""
    ended = [q for q in range(1, 5) if quarter_end(year.year, q) < today]
    return ended[-1] if ended else None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a while (as it was afterwards).

    Assessing 1,000 units × 60 targets makes some 200,000 small objects (rows, targets, scores and
    their breakdown lines), none of them in a reference cycle, so reference counting frees them all;
    the collector, triggered by their number, only walked them and every other object of the
    process again and again: a quarter of `assess_year`'s time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@collector_paused()
def assess_year(
    year: Year,
    *,
    today: date | None = None,
    provisional: bool = True,
    through_quarter: int | None = None,
    scenario: Scenario | None = None,
    units: Collection[int] | None = None,
) -> list[UnitResult]:
    """Every unit of the year's result, in group order (板块, 专业类部门, 综合类部门, 市属企业), then by
    rank, then in the city's order; each group's unranked units (未签订) after its ranked ones. `today` (default: the local date) only matters when provisional.

    `through_quarter` (provisional only): the ranking as it stood at the end of that quarter, on
    the approved reports of that quarter and before and the accidents until its last day. A
    `scenario` (accidents.Scenario) regrades accidents and adds exemptions, in memory only.
    `units` (ids): only those units' results, ranked among themselves (the kept assessment
    recomputes the units a change touched and ranks them with the others' kept rows).
    """
    today = today or timezone.localdate()
    if through_quarter is not None:
        provisional, today = True, min(today, quarter_end(year.year, through_quarter))
    targets, kinds = loading.assessed_targets(year, units)
    reports = loading.latest_approved(year, provisional=provisional, through_quarter=through_quarter)
    deductions: dict[int, list[scoring.Deduction]] = defaultdict(list)
    for target_id, points, reason in (
        Deduction.objects.filter(target__letter__year=year)
        .order_by("created_at", "pk")
        .values_list("target_id", "points", "reason")
    ):
        deductions[target_id].append(scoring.Deduction(points, reason))
    adjustments: dict[int, list[Adjustment]] = defaultdict(list)
    for adjustment in Adjustment.objects.filter(year=year).order_by("created_at", "pk"):
        adjustments[adjustment.unit_id].append(adjustment)
    until = today if provisional and today < year.accident_window_end else None
    figures = accident_figures(year, until=until, scenario=scenario)
    findings = overdue_findings(year, findings_cutoff(year, today, provisional))
    rules = vetoes.rules_from_config(year.veto_rules)

    by_unit: dict[int, list[AssessedTarget]] = defaultdict(list)
    for target in targets:
        by_unit[target.unit_id].append(target)
    listed = sorted(roll.year_units(year, kinds), key=city_order_key)
    if units is not None:
        wanted = set(units)
        listed = [unit for unit in listed if unit.pk in wanted]
    units = [unit for unit in listed if unit.pk in by_unit]

    partial = {}
    for unit in units:
        partial[unit.pk] = _score_unit(
            year,
            unit,
            by_unit[unit.pk],
            figures[unit.pk],
            reports,
            deductions,
            adjustments[unit.pk],
            rules,
            findings.get(unit.pk, []),
        )
    order = {unit.pk: i for i, unit in enumerate(units)}
    ranked = ranking.rank(
        ranking.Entry(
            unit.pk,
            GROUP_OF_KIND[unit.kind],
            partial[unit.pk]["score"],
            partial[unit.pk]["vetoed"],
            sort_key=order[unit.pk],
        )
        for unit in units
    )
    tiers = ranking.tiers(ranked, proportions=tier_proportions(year))
    results = [
        UnitResult(**partial[item.unit_id], rank=item.rank, tier=tiers[item.unit_id])
        for item in sorted(ranked, key=lambda r: (_group_index(r.group), r.rank, order[r.unit_id]))
    ]
    unranked = [unranked_result(_ref(u), u.letter_status) for u in listed if u.pk not in by_unit]
    return with_unranked(results, unranked)


def with_unranked(results: list[UnitResult], unranked: list[UnitResult]) -> list[UnitResult]:
    """`results` with each group's `unranked` units after its ranked ones (both lists in order)."""
    position = {id(r): i for i, r in enumerate([*results, *unranked])}
    return sorted(
        [*results, *unranked], key=lambda r: (_group_index(r.unit.group), not r.ranked, position[id(r)])
    )


def _ref(unit: Unit) -> UnitRef:
    group = GROUP_OF_KIND[unit.kind]
    return UnitRef(unit.pk, unit.code, unit.name, unit.kind, group.value, group.label)


def tier_proportions(year: Year) -> tuple[Decimal, Decimal]:
    return (Decimal(year.first_tier_percent) / 100, Decimal(year.second_tier_percent) / 100)


def _group_index(group: str) -> int:
    return UnitGroup.values.index(group)


def _score_unit(
    year, unit, targets, figures, reports, deductions, adjustments, rules, findings
) -> dict[str, Any]:
    items, death_cap, death_cap_deaths = [], None, figures.current.deaths
    for target in targets:
        indicator, params = target.indicator, target.params
        actual = _actual(target, params, figures, reports, deductions, findings)
        missing = actual is None and reads_entered(indicator)
        if missing:
            result = scoring.score_missing_entered(target.weight, year.missing_entered_percent)
        else:
            result = scoring.score_target(
                indicator.rule,
                weight=target.weight,
                target_value=target.target_value,
                params=params,
                actual=actual,
            )
        items.append(
            ItemResult(indicator.code, indicator.name, target.weight, result.points, result.reason, missing)
        )
        if indicator.is_death_cap:
            death_cap = target.target_value
            death_cap_deaths = counted_figures(indicator, figures).current.deaths
    base = sum((item.points for item in items), ZERO)
    bonus = sum((a.points for a in adjustments if a.points > 0), ZERO)
    penalty = -sum((a.points for a in adjustments if a.points < 0), ZERO)
    totals = scoring.total(base, bonus, penalty, bonus_cap=year.bonus_cap)
    veto_input = vetoes.VetoInput.from_figures(
        unit.kind,
        figures.current,
        death_cap=death_cap,
        total=totals.total,
        manual_vetoes=tuple((a.pk, a.reason) for a in adjustments if a.manual_veto),
        hazard_ids=tuple(f.id for f in findings if f.major_hazard),
        pass_line=year.pass_min,
    )
    veto_input = replace(veto_input, deaths=death_cap_deaths)  # the deaths the cap indicator counts
    found = tuple(vetoes.check_vetoes(veto_input, rules))
    return {
        "unit": _ref(unit),
        "base": totals.base,
        "bonus": totals.bonus,
        "penalty": totals.penalty,
        "score": totals.total,
        "vetoed": bool(found),
        "vetoes": found,
        "yellow_cards": tuple(vetoes.yellow_cards(veto_input, rules)),
        "grade": scoring.grade(
            totals.total, bands=(year.excellent_min, year.good_min, year.pass_min), vetoed=bool(found)
        ),
        "items": tuple(items),
    }


def reads_entered(indicator: Indicator) -> bool:
    """Whether a target of `indicator` is scored on the unit's reported value (see `_actual`)."""
    unreported = (IndicatorRule.ITEM_DEDUCTION, IndicatorRule.YOY_DECREASE)
    return indicator.source == IndicatorSource.ENTERED and indicator.rule not in unreported


def _number(value: Decimal | None) -> float | None:
    """A Decimal already at two decimals as a JSON number (float; 92.5 prints as 92.5); None stays."""
    return None if value is None else float(scoring.round2(value))


def as_json(results: Iterable[UnitResult]) -> list[dict[str, Any]]:
    """The `assess --json` shape (relied on outside the code): one object per unit, in `results` order.

    Points are JSON numbers (floats of the two-decimal values); `group`, `grade` and `tier` are the
    Chinese labels (板块, 优秀, 第一等次), not the codes the results and snapshots hold; `veto_reasons`
    lists the veto rule codes (V1 … V10) in rule order, one per veto. Added keys: `status`
    ("signed", "unsigned" 未签订, "no_targets" 无考核目标), `why` (for an unranked unit, e.g.
    "责任书已下发，尚未签订"; else ""), `missing` (the number of 缺报 targets). An unranked unit has
    null points and rank, "" grade and tier.
    """
    return [
        {
            "unit": r.unit.code,
            "name": r.unit.name,
            "group": r.unit.group_label,
            "base": _number(r.base),
            "bonus": _number(r.bonus),
            "penalty": _number(r.penalty),
            "score": _number(r.score),
            "vetoed": r.vetoed,
            "veto_reasons": r.veto_codes,
            "grade": r.grade_label,
            "rank": r.rank,
            "tier": r.tier_label,
            "status": r.status,
            "why": r.why,
            "missing": r.missing_total,
        }
        for r in results
    ]
