"""The leaders' 驾驶舱: the city's figures for the year so far, in a fixed number of queries."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from assessment.accidents.figures import Period, comparison_periods
from assessment.models import Accident, AccidentGrade, Report, ReportStatus
from responsibility.models import LetterStatus, Target, UnitGroup, Year

TREND_YEARS = 10


@dataclass(frozen=True)
class Measure:
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def size(self) -> int:
        return abs(self.change)

    @property
    def down(self) -> bool:
        return self.now < self.before or self.now == self.before == 0


def _totals(period: Period) -> tuple[int, int]:
    row = Accident.objects.filter(period.q()).aggregate(n=Count("pk"), deaths=Coalesce(Sum("deaths"), 0))
    return row["n"], row["deaths"]


def _by_month(period: Period) -> dict[int, tuple[int, int]]:
    rows = (
        Accident.objects.filter(period.q())
        .annotate(month=ExtractMonth("occurred_at"))
        .values("month")
        .annotate(n=Count("pk"), deaths=Coalesce(Sum("deaths"), 0))
        .order_by("month")
    )
    return {row["month"]: (row["n"], row["deaths"]) for row in rows}


def yearly_trend(last_year: int, *, today: date | None = None) -> list[dict]:
    """Accidents and deaths per calendar year for the chart of the last ten years. One query.

    The whole years up to `last_year`, then, when `today` falls in a later year, that year to date
    (`partial`, labelled 2026年（截至12月7日）), ten years in all. The chart starts at the first year
    with an accident: a year before the register begins is not plotted as 0 (a year without an
    accident after it is). Each entry: year, label, count, deaths, partial.
    """
    to_date = today is not None and today.year > last_year
    end = today.year if to_date else last_year
    first = end - TREND_YEARS + 1
    # Every year up to the end (a row a year), so the register's first year is known in this query.
    accidents = Accident.objects.filter(occurred_at__year__lte=last_year)
    if to_date:
        accidents = Accident.objects.filter(
            Q(occurred_at__year__lte=last_year)
            | Q(occurred_at__year=today.year, occurred_at__date__lte=today)
        )
    rows = (
        accidents.annotate(y=ExtractYear("occurred_at"))
        .values("y")
        .annotate(n=Count("pk"), deaths=Coalesce(Sum("deaths"), 0))
    )
    found = {row["y"]: row for row in rows}
    start = min(found, default=end)  # the register's first year
    return [
        {
            "year": y,
            "label": f"{y}年（截至{today.month}月{today.day}日）" if to_date and y == end else f"{y}年",
            "count": found.get(y, {}).get("n", 0),
            "deaths": found.get(y, {}).get("deaths", 0),
            "partial": to_date and y == end,
        }
        for y in range(max(first, start), end + 1)
    ]


def double_decrease_run(trend: list[dict]) -> int:
    """How many years in a row, ending with the last one in `trend`, had fewer accidents and deaths."""
    run = 0
    for before, now in reversed(list(zip(trend, trend[1:], strict=False))):
        if now["count"] < before["count"] and now["deaths"] < before["deaths"]:
            run += 1
        else:
            break
    return run


def _group_chart(label: str, results) -> dict:
    """A group's bars: every unit of the group, an unranked one (未签订) as a labelled gap (score
    None, its note "未签订"), a 缺报 beside the score ("缺报2项"); `unranked` lists who is not
    ranked and why, for the line under the chart ("另有1个单位未签订：…")."""
    return {
        "label": label,
        "units": [r.unit.name for r in results],
        "scores": [None if r.score is None else float(r.score) for r in results],
        "notes": [
            r.status_label if not r.ranked else f"缺报{r.missing_total}项" if r.missing_total else ""
            for r in results
        ],
        "unranked": [
            {"name": r.unit.name, "status": r.status_label, "why": r.why} for r in results if not r.ranked
        ],
        "height": max(180, 26 * len(results) + 40),  # pixels: one bar a line
    }


def dashboard(year: Year, *, today: date, results: Sequence = ()) -> dict:
    """The 驾驶舱's figures; `results`: the year's kept assessment (keeping.kept_results), the ranking's."""
    current, previous = comparison_periods(year, until=today)
    count_now, deaths_now = _totals(current)
    count_before, deaths_before = _totals(previous)
    months_now, months_before = _by_month(current), _by_month(previous)
    months = sorted({*months_now, *months_before})
    trend = yearly_trend(
        min(today.year - 1, year.year - 1) if today <= year.accident_window_end else year.year, today=today
    )
    serious = list(
        Accident.objects.filter(current.q())
        .exclude(grade=AccidentGrade.ORDINARY)
        .select_related("unit")
        .order_by("-occurred_at")[:10]
    )
    quarter = next((q for q, d in year.deadlines() if d >= today), 4)
    entered = Target.objects.filter(
        letter__year=year, letter__status=LetterStatus.SIGNED, indicator__source="entered"
    ).count()
    filed = Report.objects.filter(
        year=year, quarter=quarter, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
    ).aggregate(n=Count("pk"), late=Count("pk", filter=Q(late=True)))
    return {
        "period": current,
        "previous_period": previous,
        "count": Measure(count_now, count_before),
        "deaths": Measure(deaths_now, deaths_before),
        "run": double_decrease_run([t for t in trend if not t["partial"]]),  # whole years only
        "trend": trend,
        "months": [
            {
                "month": m,
                "count": months_now.get(m, (0, 0))[0],
                "deaths": months_now.get(m, (0, 0))[1],
                "count_before": months_before.get(m, (0, 0))[0],
                "deaths_before": months_before.get(m, (0, 0))[1],
            }
            for m in months
        ],
        "serious": serious,
        "vetoed": [r for r in results if r.vetoed],
        "yellow": [r for r in results if r.yellow_cards and not r.vetoed],
        "groups": [
            _group_chart(label, [r for r in results if r.unit.group == value])
            for value, label in UnitGroup.choices
        ],
        "quarter": quarter,
        "filed": filed["n"],
        "filed_late": filed["late"],
        "expected": entered,
    }
