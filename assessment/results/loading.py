"""What `assessing.assess_year` reads of the targets and the quarterly reports, as plain values:
three queries, whatever the number of units or targets.

- `assessed_targets`: the targets of the year's signed letters of active units, each with its
  indicator (a model, fetched once) and the parameters it is scored by (`scoring_params`);
- `latest_approved`: each target's value from its latest approved report among the quarters the
  assessment reads (`quarter_filter`: final Q4 only, provisional every quarter or up to one).
"""

import json
from collections.abc import Collection
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from assessment.accidents.counting import MEASURE_UNITS, counted_label
from assessment.models import Report, ReportStatus
from responsibility.models import Indicator, IndicatorRule, IndicatorSource, LetterStatus, Target, Year

from . import roll


class AssessedTarget(NamedTuple):
    """A target as scored: its row's values, with its (shared) indicator and the parameters it is
    scored by (the indicator's with the target's own over them; see `scoring_params`)."""

    pk: int
    unit_id: int
    indicator: Indicator
    weight: Decimal
    target_value: Decimal | None
    params: dict


def assessed_targets(
    year: Year, units: Collection[int] | None = None
) -> tuple[list[AssessedTarget], set[str]]:
    """The targets of the year's signed letters of active units (of `units` only, when given), in
    catalog order, and the unit kinds the active catalog covers (two queries).

    Plain values, not models: 18,000 Target models with their letter, unit and indicator took
    about 0.9 s to build, the values about 0.07 s. The params come as their JSON text, decoded and
    merged with the indicator's once per distinct (indicator, text): decoding every row's params
    took longer than reading the rows.
    """
    assessed = Target.objects.filter(
        letter__year=year, letter__status=LetterStatus.SIGNED, letter__unit__active=True
    )
    if units is not None:
        assessed = assessed.filter(letter__unit__in=list(units))
    rows = list(
        assessed.order_by("letter__unit_id", "indicator__sort_order", "indicator__code")
        .annotate(params_text=Cast("params", TextField()))
        .values_list("pk", "letter__unit_id", "indicator_id", "weight", "target_value", "params_text")
    )
    # the targets' indicators and the active catalog, whose kinds say who else is a unit of the year
    indicators = {
        i.pk: i for i in Indicator.objects.filter(Q(pk__in={row[2] for row in rows}) | Q(active=True))
    }
    merged: dict[tuple[int, str | None], dict] = {}
    targets = []
    for pk, unit, ind, weight, value, text in rows:
        params = merged.get((ind, text))
        if params is None:
            own = json.loads(text) if text else {}
            params = merged[ind, text] = scoring_params(indicators[ind], own)
        targets.append(AssessedTarget(pk, unit, indicators[ind], weight, value, params))
    return targets, roll.covered_kinds(indicators.values())


def scoring_params(indicator: Indicator, own: dict) -> dict:
    """The parameters a target of `indicator` is scored by: the indicator's with the target's `own`
    over them; a derived count also names what it counts, for the reason ("较大及以上事故1起，扣5分").
    Shared by the targets with the same params: read-only."""
    params = {**indicator.params, **own}
    counting = indicator.source == IndicatorSource.DERIVED and indicator.measure
    if counting and indicator.rule == IndicatorRule.COUNT_DEDUCTION:
        what = {"label": counted_label(indicator), "unit": MEASURE_UNITS[indicator.measure]}
        params = {**what, **params}
    return params


def latest_approved(year: Year, *, provisional: bool, through_quarter: int | None) -> dict[int, Any]:
    """{target id: the value of its latest approved report among the quarters read} (one query).

    On PostgreSQL the database keeps the latest row per target (DISTINCT ON, a quarter of the
    rows); elsewhere the rows come in ascending quarters and the latest one wins.
    """
    reports = Report.objects.filter(
        year=year, status=ReportStatus.APPROVED, **quarter_filter(provisional, through_quarter)
    )
    if connections[reports.db].features.can_distinct_on_fields:
        latest = reports.order_by("target_id", "-quarter").distinct("target_id")
        return dict(latest.values_list("target_id", "value"))
    return dict(reports.order_by("quarter").values_list("target_id", "value"))


def quarter_filter(provisional: bool, through_quarter: int | None) -> dict[str, Any]:
    if not provisional:
        return {"quarter": 4}
    return {} if through_quarter is None else {"quarter__lte": through_quarter}
