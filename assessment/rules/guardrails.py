"""Warnings the reviewer sees before approving a value. Plain values in, sentences out."""

from decimal import Decimal

JUMP_FACTOR = 3


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def report_warnings(
    value: Decimal | None,
    previous: Decimal | None,
    *,
    counts_deaths: bool = False,
    register_deaths: int = 0,
) -> list[str]:
    """Why a cumulative value looks wrong: lower than last quarter, a jump, or the register disagrees."""
    if value is None:
        return []
    warnings = []
    if previous is not None and value < previous:
        warnings.append(f"累计值 {_fmt(value)} 低于上季度的 {_fmt(previous)}")
    if previous is not None and previous > 0 and value > previous * JUMP_FACTOR:
        warnings.append(f"累计值 {_fmt(value)} 是上季度 {_fmt(previous)} 的 {value / previous:.1f} 倍")
    if counts_deaths and value < register_deaths:
        warnings.append(f"填报死亡 {_fmt(value)} 人，但事故台账记录本年已有 {register_deaths} 人死亡")
    return warnings
