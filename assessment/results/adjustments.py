"""Writes of the year-end assessment's inputs: the 安委办's 加减分 and the assessors' 考核扣分.

Each write takes the row lock of the year that `finalizing.finalize` takes, so an adjustment or a
deduction is either in the year's snapshot or refused: once the year is finalized, nothing changes
until it is reopened. Deleted rows stay in their history, with who deleted them.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from assessment.kept import changes
from assessment.models import Adjustment, Assessment, Deduction
from responsibility.models import IndicatorRule, IndicatorSource, Target, Unit, Year

ZERO = Decimal(0)


def is_final(year: Year) -> bool:
    """Whether the year has its snapshots (定稿): its inputs are then locked."""
    return Assessment.objects.filter(year=year).exists()


def locked_message(year: Year) -> str:
    return (
        f"{year.year}年度的年终考核已定稿，加减分和考核扣分不能再修改；"
        "如需修改，请先在考核排名页说明原因重新打开。"
    )


def _lock_open(year: Year) -> None:
    locked = Year.objects.select_for_update().get(pk=year.pk)
    if is_final(locked):
        raise ValidationError(locked_message(locked))


# --- 加减分 -------------------------------------------------------------------------------


@transaction.atomic
def add_adjustment(
    year: Year, *, unit: Unit, points: Decimal, reason: str, basis: str = "", manual_veto: bool = False, by
) -> Adjustment:
    """Record a bonus (+), a penalty (−) or, with `manual_veto` and 0 points, a 弄虚作假 veto."""
    _lock_open(year)
    adjustment = Adjustment(
        year=year,
        unit=unit,
        points=ZERO if manual_veto else points,
        reason=reason,
        basis=basis,
        manual_veto=manual_veto,
        created_by=by,
    )
    adjustment._history_user = by
    adjustment.save()
    changes.adjustment_changed(adjustment)
    return adjustment


@transaction.atomic
def delete_adjustment(adjustment: Adjustment, *, by) -> None:
    _lock_open(adjustment.year)
    adjustment._history_user = by
    adjustment.delete()
    changes.adjustment_changed(adjustment)


def bonus_totals(year: Year) -> dict[int, Decimal]:
    """{unit id: the sum of its bonuses} for the units with any bonus in the year, before the cap."""
    rows = (
        Adjustment.objects.filter(year=year, points__gt=0)
        .values("unit_id")
        .annotate(total=Sum("points"))
        .order_by()
    )
    return {row["unit_id"]: row["total"] for row in rows}


# --- 考核扣分 ------------------------------------------------------------------------------


def assessed_targets(year: Year, unit: Unit):
    """The unit's targets the assessors score for the year: item deductions, and any assessed one."""
    return (
        Target.objects.filter(letter__year=year, letter__unit=unit)
        .filter(
            Q(indicator__rule=IndicatorRule.ITEM_DEDUCTION) | Q(indicator__source=IndicatorSource.ASSESSED)
        )
        .select_related("indicator", "letter")
        .order_by("indicator__sort_order", "indicator__code")
    )


def takes_deductions(target: Target) -> bool:
    """Only item-deduction targets are scored from their deductions (`assessing._actual`)."""
    return target.indicator.rule == IndicatorRule.ITEM_DEDUCTION


@transaction.atomic
def add_deduction(target: Target, *, points: Decimal, reason: str, by) -> Deduction:
    """One itemized deduction from the target; their sum may exceed the weight (the item floors at 0)."""
    _lock_open(target.letter.year)
    if not takes_deductions(target):
        raise ValidationError(
            f"{target.indicator.code} 按「{target.indicator.get_rule_display()}」评分，不能逐项扣分。"
        )
    deduction = Deduction(target=target, points=points, reason=reason, created_by=by)
    deduction._history_user = by
    deduction.save()
    changes.deduction_changed(target)
    return deduction


@transaction.atomic
def delete_deduction(deduction: Deduction, *, by) -> None:
    _lock_open(deduction.target.letter.year)
    deduction._history_user = by
    deduction.delete()
    changes.deduction_changed(deduction.target)
