"""Preparing next year's letters: the plan per unit, carried over from last year. Plain values only."""

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal


def lower_cap(value: Decimal | None, pct: Decimal) -> Decimal | None:
    """A cap lowered by `pct` percent, rounded down to a whole number, never below 0."""
    if value is None:
        return None
    lowered = (value * (Decimal(100) - pct) / Decimal(100)).to_integral_value(rounding=ROUND_FLOOR)
    return max(lowered, Decimal(0))


@dataclass
class TargetPlan:
    indicator: object
    weight: Decimal
    target_value: Decimal | None
    params: dict
    wording: str
    last_weight: Decimal | None = None
    last_value: Decimal | None = None

    def changes(self) -> list[str]:
        """What differs from last year's letter, in words for the preview."""
        if self.last_weight is None:
            return ["新增指标"]
        notes = []
        if self.weight != self.last_weight:
            notes.append(f"分值 {self.last_weight:.2f} → {self.weight:.2f}")
        if self.target_value != self.last_value:
            old = "—" if self.last_value is None else f"{self.last_value.normalize():f}"
            new = "—" if self.target_value is None else f"{self.target_value.normalize():f}"
            notes.append(f"目标值 {old} → {new}")
        return notes


@dataclass
class LetterPlan:
    unit: object
    targets: list[TargetPlan] = field(default_factory=list)
    existing: object = None  # the letter already there for the year: left alone
    dropped: list[str] = field(default_factory=list)  # last year's indicator codes no longer applying

    @property
    def total_weight(self) -> Decimal:
        return sum((t.weight for t in self.targets), Decimal(0))
