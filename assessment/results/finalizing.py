"""Finalizing the year-end assessment: the `Assessment` snapshots, reopening them, publishing them.

    count = finalize(year, user=office)               # one snapshot per unit of the year; year → 考核中
    count = reopen(year, user=office, reason="…")     # snapshots deleted (kept in history); year → 执行中
    count = publish(year, user=office)                # units and leaders see them; year → 已发布
    results = snapshot_results(year)                  # the snapshots as UnitResults, or None

Every unit of the year gets one, the unranked too (未签订 with its why, no points or rank), so the
定稿 ranking lists whom it left out and why. A snapshot never changes when reports, accidents or adjustments do: `assess --year` prints it
instead of recomputing, until the year is reopened.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessment.models import Assessment, AssessmentStatus
from assessment.rules import vetoes
from responsibility.models import UnitGroup, Year, YearStatus

from .assessing import ItemResult, UnitRef, UnitResult, assess_year

CHANGE_REASON_MAX = 100  # simple_history's history_change_reason column
# 较上季度 of a final year compares with the end of Q3 (Q4's provisional ranking is the final one
# in all but name); those ranks are kept in the snapshot.
COMPARED_QUARTER = 3


def _lock(year: Year) -> Year:
    return Year.objects.select_for_update().get(pk=year.pk)


def _set_status(year: Year, locked: Year, status: str) -> None:
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    year.status = locked.status


def _veto_json(veto: vetoes.Veto) -> dict[str, Any]:
    return {"code": veto.code, "name": veto.name, "reason": veto.reason, "record_ids": list(veto.record_ids)}


def result_columns(result: UnitResult) -> dict[str, Any]:
    """A unit's result as the plain columns of its row: the 定稿 snapshot's (`Assessment`) and the
    kept assessment's (`KeptResult`). `result_of` reads them back."""
    return {
        "base": result.base,
        "bonus": result.bonus,
        "penalty": result.penalty,
        "total": result.score,
        "vetoed": result.vetoed,
        "vetoes": [_veto_json(v) for v in result.vetoes],
        "yellow_cards": [_veto_json(v) for v in result.yellow_cards],
        "grade": result.grade,
        "rank": result.rank,
        "tier": result.tier,
        "group": result.unit.group,
        "items": [_item_json(i) for i in result.items],
        "status": result.status,
        "why": result.why,
    }


def _item_json(item: ItemResult) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "weight": str(item.weight),
        "points": str(item.points),
        "reason": item.reason,
        "missing": item.missing,
    }


@transaction.atomic
def finalize(year: Year, *, user) -> int:
    """Write every unit of the year's final result as its snapshot, in one transaction; the number written."""
    locked = _lock(year)
    if Assessment.objects.filter(year=locked).exists():
        raise ValidationError(f"{locked.year}年度的年终考核已定稿；如需重新计算，请先说明原因重新打开。")
    now = timezone.now()
    at_q3 = {
        r.unit.id: r.rank
        for r in assess_year(locked, today=timezone.localdate(), through_quarter=COMPARED_QUARTER)
        if r.ranked
    }
    snapshots = [
        Assessment(
            year=locked,
            unit_id=r.unit.id,
            **result_columns(r),
            quarter_rank=at_q3.get(r.unit.id),
            finalized_by=user,
            finalized_at=now,
        )
        for r in assess_year(locked, provisional=False)
    ]
    if not any(s.status == AssessmentStatus.SIGNED for s in snapshots):
        raise ValidationError(f"{locked.year}年度还没有已签订责任书的单位，无可定稿的考核结果。")
    bulk_create_with_history(snapshots, Assessment, default_user=user, default_date=now)
    _set_status(year, locked, YearStatus.ASSESSING)
    return len(snapshots)


@transaction.atomic
def reopen(year: Year, *, user, reason: str) -> int:
    """Delete the year's snapshots (their history keeps them, with the reason); the number deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("重新打开年终考核须说明原因。")
    locked = _lock(year)
    snapshots = list(Assessment.objects.filter(year=locked).order_by("pk"))
    if not snapshots:
        raise ValidationError(f"{locked.year}年度的年终考核尚未定稿，无需重新打开。")
    for snapshot in snapshots:
        snapshot._change_reason = reason[:CHANGE_REASON_MAX]
        snapshot._history_user = user
        snapshot.delete()
    _set_status(year, locked, YearStatus.OPEN)
    return len(snapshots)


@transaction.atomic
def publish(year: Year, *, user) -> int:
    """Make the year's snapshots visible to the units; the number published."""
    locked = _lock(year)
    snapshots = list(Assessment.objects.filter(year=locked).order_by("pk"))
    if not snapshots:
        raise ValidationError(f"{locked.year}年度的年终考核尚未定稿，不能发布。")
    if all(s.published_at for s in snapshots):
        raise ValidationError(f"{locked.year}年度的年终考核已发布。")
    now = timezone.now()
    for snapshot in snapshots:
        snapshot.published_at = now
    bulk_update_with_history(
        snapshots, Assessment, ["published_at"], default_user=user, default_change_reason="发布"
    )
    _set_status(year, locked, YearStatus.PUBLISHED)
    return len(snapshots)


def _veto(data: dict[str, Any]) -> vetoes.Veto:
    return vetoes.Veto(data["code"], data["name"], data["reason"], tuple(data.get("record_ids", ())))


def snapshot_quarter_ranks(year: Year) -> dict[int, int]:
    """The final year's provisional ranks at the end of Q3 by unit id, as kept at 定稿."""
    rows = Assessment.objects.filter(year=year, quarter_rank__isnull=False)
    return dict(rows.values_list("unit_id", "quarter_rank"))


def result_of(row, *, missing_count: int | None = None) -> UnitResult:
    """The `UnitResult` of a row written from `result_columns` (`row.unit` loaded with it). Given
    `missing_count` (缺报 as counted when the row was written), its items are not read."""
    unit = row.unit
    return UnitResult(
        # the group the unit was ranked in when computed, whatever its kind is now
        unit=UnitRef(unit.pk, unit.code, unit.name, unit.kind, row.group, row.get_group_display()),
        base=row.base,
        bonus=row.bonus,
        penalty=row.penalty,
        score=row.total,
        vetoed=row.vetoed,
        vetoes=tuple(_veto(v) for v in row.vetoes),
        yellow_cards=tuple(_veto(v) for v in row.yellow_cards),
        grade=row.grade,
        rank=row.rank,
        tier=row.tier,
        items=()
        if missing_count is not None
        else tuple(
            ItemResult(
                i["code"],
                i["name"],
                Decimal(i["weight"]),
                Decimal(i["points"]),
                i["reason"],
                i.get("missing", False),  # snapshots from before 缺报 was recorded
            )
            for i in row.items
        ),
        status=row.status,
        why=row.why,
        missing_count=missing_count,
    )


def snapshot_results(year: Year) -> list[UnitResult] | None:
    """The year's snapshots as `UnitResult`s (so `as_json` and the table print them unchanged), in
    group order, then by rank, then in the order they were finalized, each group's unranked units
    last; None if the year is not final.
    """
    rows = list(Assessment.objects.filter(year=year).select_related("unit").order_by("pk"))
    if not rows:
        return None
    groups = list(UnitGroup.values)
    results = [result_of(row) for row in rows]
    position = {id(r): i for i, r in enumerate(results)}
    return sorted(
        results, key=lambda r: (groups.index(r.unit.group), not r.ranked, r.rank or 0, position[id(r)])
    )
