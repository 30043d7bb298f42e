"""What a derived indicator counts (Indicator.measure, grades, industries, link): the one selection
the assessment and the 指标库's preview both make of a unit's accident figures."""

from assessment.models import Industry
from assessment.rules import scoring, wording
from responsibility.models import Indicator, Unit, Year

from .figures import UnitFigures, accident_figures


def counted_figures(indicator: Indicator, figures: UnitFigures) -> UnitFigures:
    """A unit's figures restricted to what a derived indicator counts: its grades, industries, link."""
    return figures.select(indicator.grades, indicator.industries, indicator.link)


def counted_label(indicator: Indicator) -> str:
    """What a derived indicator counts, for the reasons: "较大及以上事故", "道路交通、火灾死亡" …"""
    return wording.counted_label(
        indicator.measure, indicator.grades, indicator.industries, dict(Industry.choices)
    )


def counting_preview(indicator: Indicator, unit: Unit, year: Year) -> tuple[str, tuple[int, ...]]:
    """What a derived indicator counts for `unit` over `year`'s whole accident window, with the
    figures the engine uses: ("梁溪区2026年计入：3起、死亡5人", the accident ids counted)."""
    figures = accident_figures(year)[unit.pk]
    now = counted_figures(indicator, figures).current
    parts = [f"{now.count}起", f"死亡{now.deaths}人"]
    if indicator.measure == "serious_injuries":
        parts.append(f"重伤{now.serious_injuries}人")
    if indicator.measure == "direct_loss":
        parts.append(f"直接经济损失{scoring.fmt(now.direct_loss)}万元")
    return f"{unit.name}{year.year}年计入：{'、'.join(parts)}", now.ids


MEASURE_UNITS = wording.MEASURE_UNITS
