"""Year-end ranking within each group, 等次 by rank, and rank changes for display. No database.

Units are only ranked against their own group (板块, 专业类部门, 综合类部门, 市属企业). Totals are
compared at two decimals (half up), so 88.004 and 88.00 tie. Ties share a rank and the next rank
skips (1, 2, 2, 4). A vetoed unit ranks after every unvetoed unit of its group, even with a higher
total; the vetoed are ranked among themselves by total, the numbers continuing after the unvetoed.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# The tiers' codes: 第一等次, 第二等次, 第三等次 (the labels are `AssessmentTier`'s).
FIRST_TIER, SECOND_TIER, THIRD_TIER = "first", "second", "third"
DEFAULT_PROPORTIONS = (Decimal("0.3"), Decimal("0.4"))


@dataclass(frozen=True)
class Entry:
    """One unit's result. `sort_key` orders equal totals (city order, e.g. `Unit.sort_order`)."""

    unit_id: int
    group: str
    total: Decimal
    vetoed: bool = False
    sort_key: Any = 0


@dataclass(frozen=True)
class Ranked:
    unit_id: int
    group: str
    total: Decimal
    vetoed: bool
    rank: int
    sort_key: Any = 0


def _cents(value: Any) -> Decimal:
    return Decimal(str(value) if isinstance(value, float) else value).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def rank(entries: Iterable[Entry]) -> list[Ranked]:
    """Rank each group's entries. Groups come in the order they first appear; within a group, best
    first, vetoed last, equal totals in `sort_key` order (then by unit id, so the order is stable).
    """
    groups: dict[Hashable, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    ranked = []
    for members in groups.values():
        members = sorted(members, key=lambda e: (e.vetoed, -_cents(e.total), e.sort_key, e.unit_id))
        previous, current_rank = None, 0
        for position, entry in enumerate(members, start=1):
            key = (entry.vetoed, _cents(entry.total))
            if key != previous:
                current_rank, previous = position, key
            ranked.append(
                Ranked(entry.unit_id, entry.group, entry.total, entry.vetoed, current_rank, entry.sort_key)
            )
    return ranked


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tiers(
    ranked: Iterable[Ranked], *, proportions: tuple[Decimal, Decimal] = DEFAULT_PROPORTIONS
) -> dict[int, str]:
    """等次 by rank within each group: {unit id: FIRST_TIER / SECOND_TIER / THIRD_TIER}.

    Of a group's n unvetoed units, the first tier takes round_half_up(n × first) places (at least 1
    when n ≥ 1), the first two tiers together round_half_up(n × (first + second)); the rest and every
    vetoed unit are 第三等次. A unit falls in a tier when its rank is within the tier's places, so
    units tied across a boundary all get the better tier (the tier then holds more units).
    """
    first, second = (Decimal(str(p)) for p in proportions)
    ranked = list(ranked)
    unvetoed: dict[Hashable, int] = {}
    for item in ranked:
        if not item.vetoed:
            unvetoed[item.group] = unvetoed.get(item.group, 0) + 1
    result = {}
    for item in ranked:
        n = unvetoed.get(item.group, 0)
        first_places = max(_half_up(n * first), 1) if n else 0
        second_places = min(max(_half_up(n * (first + second)), first_places), n)
        if item.vetoed or item.rank > second_places:
            result[item.unit_id] = THIRD_TIER
        elif item.rank <= first_places:
            result[item.unit_id] = FIRST_TIER
        else:
            result[item.unit_id] = SECOND_TIER
    return result


def rank_change(now: int | None, before: int | None) -> str:
    """For display: "▲2" up two places, "▼1" down one, "—" unchanged or not ranked now, "新" new."""
    if now is None:
        return "—"
    if before is None:
        return "新"
    if now < before:
        return f"▲{before - now}"
    if now > before:
        return f"▼{now - before}"
    return "—"


def by_unit(ranked: Iterable[Ranked]) -> Mapping[int, Ranked]:
    """{unit id: Ranked}, to look a unit up."""
    return {item.unit_id: item for item in ranked}
