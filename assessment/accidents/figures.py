"""Accident figures per unit for one assessment year, against the same period of the year before.

The assessment (死亡人数控制, 较大事故, 双下降, 瞒报谎报 vetoes) and the leaders' dashboard are built
on `accident_figures`. Attribution: an accident counts for its territorial unit (属地) and for each
of its supervising departments (监管部门); an `AccidentExemption` for (accident, unit) removes it
from that unit only. An accident belongs to a period by its date in Asia/Shanghai.

Everything is loaded in a fixed number of queries, whatever the number of units or accidents.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from assessment.models import Accident, AccidentExemption, Industry
from assessment.rules import grading
from responsibility.models import Unit, Year


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included; empty when `end` is before `start`."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def is_empty(self) -> bool:
        return self.end < self.start

    def q(self) -> Q:
        """Accidents of this period (by their local date)."""
        return Q(occurred_at__date__gte=self.start, occurred_at__date__lte=self.end)


# Indicator.link and Indicator.measure values (responsibility.models.AccidentLink, IndicatorMeasure).
BOTH, TERRITORY, SUPERVISING = "both", "territory", "supervising"
ACCIDENTS = "accidents"
_GRADE, _INDUSTRY = 6, 7  # positions in a register row (see figures_for_periods)


@dataclass(frozen=True)
class Figures:
    """One unit's accidents in one period.

    `ids` lists the accidents that count against the unit (exemptions already removed), oldest
    first; the other id tuples are subsets of it, so a veto can link the records that triggered it.
    `ids_by_grade` has every grade (grading.ORDER) as a key; `deaths_by_industry` every Industry
    value. Both are plain dicts: treat them as read-only.
    """

    period: Period
    ids: tuple[int, ...] = ()
    deaths: int = 0
    serious_injuries: int = 0
    direct_loss: Decimal = Decimal("0.00")
    ids_by_grade: dict[str, tuple[int, ...]] = field(
        default_factory=lambda: {grade: () for grade in grading.ORDER}
    )
    deaths_by_industry: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Industry.values, 0))
    late_ids: tuple[int, ...] = ()  # 迟报
    concealed_or_false_ids: tuple[int, ...] = ()  # 瞒报 or 谎报
    # Each counted accident as (register row, counted as 属地, counted as 监管部门): what `select` filters.
    records: tuple[tuple[tuple, bool, bool], ...] = ()

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def by_grade(self) -> dict[str, int]:
        """Number of accidents per grade, every grade present."""
        return {grade: len(ids) for grade, ids in self.ids_by_grade.items()}

    @property
    def late(self) -> int:
        return len(self.late_ids)

    @property
    def concealed_or_false(self) -> int:
        return len(self.concealed_or_false_ids)

    def count_at_least(self, floor: str) -> int:
        """Accidents of grade `floor` or worse, e.g. count_at_least(grading.LARGER): 较大及以上."""
        return sum(len(ids) for grade, ids in self.ids_by_grade.items() if grading.at_least(grade, floor))

    def select(self, grades=(), industries=(), link: str = BOTH) -> "Figures":
        """These figures restricted to accidents of `grades` and `industries` (empty: all) that the
        unit is linked to as `link` (TERRITORY 属地, SUPERVISING 监管部门, BOTH either): what a derived
        indicator counts (Indicator.grades, .industries, .link). No query."""
        if not grades and not industries and link == BOTH:
            return self
        tally = _Tally()
        for row, territorial, supervising in self.records:
            if grades and row[_GRADE] not in grades:
                continue
            if industries and row[_INDUSTRY] not in industries:
                continue
            if (link == TERRITORY and not territorial) or (link == SUPERVISING and not supervising):
                continue
            tally.add(row, territorial, supervising)
        return tally.freeze(self.period)

    def measure(self, measure: str):
        """The value of one Indicator.measure: accidents (the count), deaths, serious_injuries or
        direct_loss (万元)."""
        return self.count if measure == ACCIDENTS else getattr(self, measure)


@dataclass(frozen=True)
class UnitFigures:
    """One unit's figures for the period asked (`current`) and the same period a year before."""

    unit_id: int
    current: Figures
    previous: Figures

    @property
    def count_change(self) -> int:
        return self.current.count - self.previous.count

    @property
    def deaths_change(self) -> int:
        return self.current.deaths - self.previous.deaths

    def select(self, grades=(), industries=(), link: str = BOTH) -> "UnitFigures":
        """Both periods restricted as `Figures.select`."""
        if not grades and not industries and link == BOTH:
            return self
        return UnitFigures(
            self.unit_id,
            self.current.select(grades, industries, link),
            self.previous.select(grades, industries, link),
        )

    @property
    def double_decrease(self) -> bool:
        """双下降: fewer accidents and fewer deaths than the same period last year."""
        return self.current.count < self.previous.count and self.current.deaths < self.previous.deaths


def shift_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def comparison_periods(year: Year, *, until: date | None = None) -> tuple[Period, Period]:
    """The period of `year` to count and the same period of the year before (one query).

    The year's accident window, cut at `until` when `until` falls before the window ends. The
    previous period is the previous Year row's window if it exists, else the same window shifted
    back a year; with a cut, it ends on the same calendar day a year earlier.
    """
    start, end = year.accident_window_start, year.accident_window_end
    previous = (
        Year.objects.filter(year=year.year - 1)
        .values_list("accident_window_start", "accident_window_end")
        .first()
    )
    prev_start, prev_end = previous or (shift_years(start, -1), shift_years(end, -1))
    if until is None or until >= end:
        return Period(start, end), Period(prev_start, prev_end)
    return Period(start, until), Period(prev_start, min(prev_end, shift_years(until, -1)))


class _Tally:
    """Figures being added up; frozen into `Figures` at the end."""

    def __init__(self):
        self.ids: list[int] = []
        self.deaths = 0
        self.serious_injuries = 0
        self.direct_loss = Decimal("0.00")
        self.ids_by_grade: dict[str, list[int]] = {grade: [] for grade in grading.ORDER}
        self.deaths_by_industry = dict.fromkeys(Industry.values, 0)
        self.late_ids: list[int] = []
        self.concealed_or_false_ids: list[int] = []
        self.records: list[tuple[tuple, bool, bool]] = []

    def add(self, row: tuple, territorial: bool = True, supervising: bool = False) -> None:
        pk, _, _, deaths, injuries, loss, grade, industry, late, concealed, falsely = row
        self.ids.append(pk)
        self.deaths += deaths
        self.serious_injuries += injuries
        self.direct_loss += loss
        self.ids_by_grade[grade].append(pk)
        self.deaths_by_industry[industry] = self.deaths_by_industry.get(industry, 0) + deaths
        if late:
            self.late_ids.append(pk)
        if concealed or falsely:
            self.concealed_or_false_ids.append(pk)
        self.records.append((row, territorial, supervising))

    def freeze(self, period: Period) -> Figures:
        return Figures(
            period=period,
            ids=tuple(self.ids),
            deaths=self.deaths,
            serious_injuries=self.serious_injuries,
            direct_loss=self.direct_loss,
            ids_by_grade={grade: tuple(ids) for grade, ids in self.ids_by_grade.items()},
            deaths_by_industry=dict(self.deaths_by_industry),
            late_ids=tuple(self.late_ids),
            concealed_or_false_ids=tuple(self.concealed_or_false_ids),
            records=tuple(self.records),
        )


@dataclass(frozen=True)
class Scenario:
    """A what-if over the register, never saved: accidents given another grade, and more exemptions.

    `grades`: {accident id: grade (grading.ORDER)}; `exemptions`: {(accident id, unit id)} added to
    the recorded ones.
    """

    grades: Mapping[int, str] = field(default_factory=dict)
    exemptions: frozenset[tuple[int, int]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.grades or self.exemptions)


def figures_for_periods(
    current: Period, previous: Period, *, scenario: Scenario | None = None
) -> dict[int, UnitFigures]:
    """`accident_figures` for two periods already worked out (4 queries)."""
    window = current.q() | previous.q()
    in_window = Accident.objects.filter(window).order_by().values("pk")
    rows = list(
        Accident.objects.filter(window)
        .order_by("occurred_at", "pk")
        .values_list(
            "pk",
            "occurred_at",
            "unit_id",
            "deaths",
            "serious_injuries",
            "direct_loss",
            "grade",
            "industry",
            "reported_late",
            "concealed",
            "falsely_reported",
        )
    )
    departments = defaultdict(set)
    for accident_id, unit_id in Accident.departments.through.objects.filter(
        accident__in=in_window
    ).values_list("accident_id", "unit_id"):
        departments[accident_id].add(unit_id)
    exempted = defaultdict(set)
    for accident_id, unit_id in AccidentExemption.objects.filter(accident__in=in_window).values_list(
        "accident_id", "unit_id"
    ):
        exempted[accident_id].add(unit_id)
    if scenario:
        for accident_id, unit_id in scenario.exemptions:
            exempted[accident_id].add(unit_id)
        rows = [
            (*row[:6], scenario.grades[row[0]], *row[7:]) if row[0] in scenario.grades else row
            for row in rows
        ]

    tallies: dict[tuple[int, bool], _Tally] = defaultdict(_Tally)  # (unit id, is current) → tally
    for row in rows:
        pk, occurred_at, unit_id = row[:3]
        day = timezone.localdate(occurred_at)
        # An accident in both periods (they overlap only if the windows do) counts in both.
        periods = [is_current for is_current, period in ((True, current), (False, previous)) if day in period]
        for counted_unit in ({unit_id} | departments[pk]) - exempted[pk]:
            links = (counted_unit == unit_id, counted_unit in departments[pk])
            for is_current in periods:
                tallies[counted_unit, is_current].add(row, *links)

    empty_current, empty_previous = Figures(current), Figures(previous)
    result = {}
    for unit_id in Unit.objects.order_by("pk").values_list("pk", flat=True):
        now, before = tallies.get((unit_id, True)), tallies.get((unit_id, False))
        result[unit_id] = UnitFigures(
            unit_id=unit_id,
            current=now.freeze(current) if now else empty_current,
            previous=before.freeze(previous) if before else empty_previous,
        )
    return result


def accident_figures(
    year: Year, *, until: date | None = None, scenario: Scenario | None = None
) -> dict[int, UnitFigures]:
    """Every unit's accident figures for `year` and for the same period of the year before.

    Returns {unit id: UnitFigures} with an entry for every unit (zero figures when it had no
    accident). `UnitFigures.current` covers the year's accident window, or its start to `until`
    when `until` falls inside it; `UnitFigures.previous` covers the same period a year earlier
    (see `comparison_periods`). Each `Figures` holds the accident ids that count against the unit
    (`ids`, `ids_by_grade`, `late_ids`, `concealed_or_false_ids`), their counts (`count`,
    `by_grade`, `late`, `concealed_or_false`), `deaths`, `serious_injuries`, `direct_loss` and
    `deaths_by_industry`. An accident counts for its 属地 and for each 监管部门, unless that unit
    is exempted from it. Five queries, however many units and accidents. A `scenario` regrades
    accidents and adds exemptions in memory, for the what-if.
    """
    current, previous = comparison_periods(year, until=until)
    return figures_for_periods(current, previous, scenario=scenario)
