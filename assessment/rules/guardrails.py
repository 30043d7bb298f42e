"""Warnings on a quarterly value, shown to the reporter at entry and to the 安委办 in review.
Plain values in, sentences out. A warning never stops a save: the value may be right.

The thresholds:
- A cumulative value below last quarter's: a cumulative value cannot fall, so any fall warns.
- A cumulative value more than JUMP_FACTOR times last quarter's (when last quarter's was above 0):
  a year's work spread over four quarters roughly doubles from Q1 to Q2 (25 → 50) and grows less
  after; more than three times last quarter's is far more than that, most often a typing slip
  (an extra digit, a yearly figure typed as the cumulative one, a count typed as a rate).
- A `completion` value over COMPLETION_CAP of its target: 完成率 actual ÷ target above 100 %. The
  score is capped at 100 % anyway; a rate over 100 % is usually a count typed for a percentage or
  the wrong target, so the reviewer should look before approving.
- A death count below the deaths the accident register already holds for the unit.
"""

from decimal import Decimal

JUMP_FACTOR = 3  # warn when a cumulative value exceeds last quarter's by more than this factor
COMPLETION_CAP = Decimal(1)  # warn when a completion value exceeds its target by more than this share


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def report_warnings(
    value: Decimal | None,
    previous: Decimal | None,
    *,
    counts_deaths: bool = False,
    register_deaths: int = 0,
    completion_target: Decimal | None = None,
) -> list[str]:
    """Why a cumulative value looks wrong: lower than last quarter, a jump, a completion over
    100 % of `completion_target` (given for the `completion` rule only), or the register disagrees."""
    if value is None:
        return []
    warnings = []
    if previous is not None and value < previous:
        warnings.append(f"累计值 {_fmt(value)} 低于上季度的 {_fmt(previous)}")
    if previous is not None and previous > 0 and value > previous * JUMP_FACTOR:
        warnings.append(f"累计值 {_fmt(value)} 是上季度 {_fmt(previous)} 的 {value / previous:.1f} 倍")
    if completion_target is not None and completion_target > 0:
        rate = value / completion_target
        if rate > COMPLETION_CAP:
            warnings.append(
                f"完成率 {rate * 100:.1f}% 超过 100%（累计值 {_fmt(value)}，目标值 {_fmt(completion_target)}），请核对"
            )
    if counts_deaths and value < register_deaths:
        warnings.append(f"填报死亡 {_fmt(value)} 人，但事故台账记录本年已有 {register_deaths} 人死亡")
    return warnings
