"""通报 drafted from the data: the period's figures per unit, and a title and body written from them.

    circular = draft_circular(2026, 3, CircularKind.SITUATION, user=request.user)   # a saved draft
    figures = circular_figures(year, 3, today=date(2026, 10, 12))                # the tables alone
    title, body = write_text(figures, CircularKind.REMINDER)                     # the words alone

`figures` is plain JSON (it is stored on the circular, so the published text and its PDF never
change when the data does). Every table lists units in the city's order (板块, then departments,
then enterprises, each by `Unit.sort_order`) and each row names its group:
- reporting: per unit with entered targets on a signed letter, for the quarter (for the year: each
  quarter whose deadline has passed), how many reports are due, on time (submitted or approved and
  not late), late (submitted or approved with the late flag) and missing (nothing submitted or
  approved: a draft or a returned report is still owed), with what is owed and what came late;
- accidents: per active unit, accidents and deaths this period against the same period last year
  and 双下降 (accidents.figures_for_periods: 属地 and 监管部门, exemptions applied), with the city's
  totals counted once per accident; a quarter runs from its first day to its last or to today;
- inspections: per active unit, the inspections of the period that visited it, the findings they
  recorded against it, and the rectification rate: verified or closed ÷ findings that are due (past
  their deadline) or already done; overdue = due and not done;
- ranking: per group, the provisional ranking (at the quarter's end for a quarter; the finalized
  snapshot for a finalized year), with vetoes and 黄牌; absent when no unit has a signed letter.

A fixed number of queries whatever the number of units (about 20 with the save).
"""

from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessment.accidents.figures import Period, comparison_periods, figures_for_periods, shift_years
from assessment.models import (
    DONE,
    Accident,
    Circular,
    Finding,
    Inspection,
    Report,
    ReportStatus,
)
from assessment.results import assessing, finalizing
from assessment.rules import grading
from responsibility.models import GROUP_OF_KIND, IndicatorSource, LetterStatus, Target, Unit, Year

from .wording import QUARTER_NAMES, write_text

FILED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def period_label(year: int, period: int) -> str:
    """2026年第三季度, or 2026年度 for the whole year (period 0)."""
    return f"{year}年{QUARTER_NAMES[period]}" if period else f"{year}年度"


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def accident_periods(year: Year, period: int, today: date) -> tuple[Period, Period]:
    """This period and the same one last year. A quarter: its days up to today; the year: the
    accident window up to today (accidents.comparison_periods)."""
    if not period:
        return comparison_periods(year, until=today)
    start, end = quarter_start(year.year, period), assessing.quarter_end(year.year, period)
    end = min(end, today)
    return Period(start, end), Period(shift_years(start, -1), shift_years(end, -1))


def reporting_quarters(year: Year, period: int, today: date) -> list[int]:
    """The quarters whose reports a circular counts: the quarter itself; for the year, each quarter
    whose deadline has passed (or, before the first deadline, those that have ended)."""
    if period:
        return [period]
    passed = [q for q, deadline in year.deadlines() if deadline < today]
    return passed or [q for q in range(1, 5) if assessing.quarter_end(year.year, q) < today]


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _iso(day: date) -> str:
    return day.isoformat()


def _unit_row(unit) -> dict:
    group = GROUP_OF_KIND[unit.kind]
    return {"unit_id": unit.pk, "unit": unit.name, "group": group.label}


def _reporting(year: Year, quarters: list[int], units: list, today: date) -> dict:
    deadlines = dict(year.deadlines())
    targets = list(
        Target.objects.filter(
            letter__year=year,
            letter__status=LetterStatus.SIGNED,
            letter__unit__in=[u.pk for u in units],
            indicator__source=IndicatorSource.ENTERED,
        )
        .order_by("indicator__sort_order", "indicator__code")
        .values_list("pk", "indicator__code", "indicator__name", "letter__unit_id")
    )
    reports = {
        (target_id, quarter): (status, late)
        for target_id, quarter, status, late in Report.objects.filter(
            year=year, quarter__in=quarters
        ).values_list("target_id", "quarter", "status", "late")
    }
    rows = {
        u.pk: _unit_row(u) | {"due": 0, "on_time": 0, "late": 0, "missing": 0, "owed": [], "came_late": []}
        for u in units
    }
    for quarter in quarters:
        for target_id, code, name, unit_id in targets:
            row = rows[unit_id]
            row["due"] += 1
            status, late = reports.get((target_id, quarter), ("", False))
            item = {"quarter": quarter, "code": code, "name": name}
            if status not in FILED:
                row["missing"] += 1
                row["owed"].append(item)
            elif late:
                row["late"] += 1
                row["came_late"].append(item)
            else:
                row["on_time"] += 1
    listed = [row for row in rows.values() if row["due"]]
    for row in listed:
        row["rate"] = _pct(row["on_time"], row["due"])
    totals = {key: sum(row[key] for row in listed) for key in ("due", "on_time", "late", "missing")}
    totals["rate"] = _pct(totals["on_time"], totals["due"])
    return {
        "quarters": quarters,
        "deadlines": {str(q): _iso(deadlines[q]) for q in quarters},
        "overdue": bool(quarters) and all(deadlines[q] < today for q in quarters),
        "rows": listed,
        "totals": totals,
    }


def _city_accidents(current: Period, previous: Period) -> dict:
    """The city's accidents and deaths, each accident counted once (one query)."""
    found = Accident.objects.filter(current.q() | previous.q()).aggregate(
        n=Count("pk", filter=current.q()),
        dead=Coalesce(Sum("deaths", filter=current.q()), 0),
        n_before=Count("pk", filter=previous.q()),
        dead_before=Coalesce(Sum("deaths", filter=previous.q()), 0),
    )
    row = {
        "count": found["n"],
        "deaths": found["dead"],
        "count_before": found["n_before"],
        "deaths_before": found["dead_before"],
    }
    row["double_decrease"] = row["count"] < row["count_before"] and row["deaths"] < row["deaths_before"]
    return row


def _accidents(year: Year, period: int, units: list, today: date) -> dict:
    current, previous = accident_periods(year, period, today)
    figures = figures_for_periods(current, previous)
    rows = []
    for unit in units:
        f = figures[unit.pk]
        rows.append(
            _unit_row(unit)
            | {
                "count": f.current.count,
                "count_before": f.previous.count,
                "deaths": f.current.deaths,
                "deaths_before": f.previous.deaths,
                "larger": f.current.count_at_least(grading.LARGER),
                "double_decrease": f.double_decrease,
            }
        )
    return {
        "current": {"start": _iso(current.start), "end": _iso(current.end)},
        "previous": {"start": _iso(previous.start), "end": _iso(previous.end)},
        "rows": rows,
        "totals": _city_accidents(current, previous),
    }


def _inspections(year: Year, period: int, units: list, today: date) -> dict:
    inspections = Inspection.objects.filter(year=year)
    if period:
        end = min(assessing.quarter_end(year.year, period), today)
        inspections = inspections.filter(date__gte=quarter_start(year.year, period), date__lte=end)
    visits = dict(
        Inspection.units.through.objects.filter(inspection__in=inspections.values("pk"))
        .values("unit_id")
        .annotate(n=Count("inspection_id", distinct=True))
        .values_list("unit_id", "n")
    )
    counts = {
        row["unit_id"]: row
        for row in Finding.objects.filter(inspection__in=inspections.values("pk"))
        .values("unit_id")
        .annotate(
            findings=Count("pk"),
            major=Count("pk", filter=Q(major_hazard=True)),
            done=Count("pk", filter=Q(status__in=DONE)),
            due=Count("pk", filter=Q(status__in=DONE) | Q(deadline__lt=today)),
        )
        .order_by()
    }
    rows = []
    for unit in units:
        found = counts.get(unit.pk, {})
        visited, findings = visits.get(unit.pk, 0), found.get("findings", 0)
        if not (visited or findings):
            continue
        done, due = found.get("done", 0), found.get("due", 0)
        rows.append(
            _unit_row(unit)
            | {
                "inspections": visited,
                "findings": findings,
                "major": found.get("major", 0),
                "due": due,
                "done": done,
                "overdue": due - done,
                "rate": _pct(done, due),
            }
        )
    totals = {key: sum(row[key] for row in rows) for key in ("findings", "major", "due", "done", "overdue")}
    totals["inspections"] = inspections.count()
    totals["rate"] = _pct(totals["done"], totals["due"])
    return {"rows": rows, "totals": totals}


def _ranking(year: Year, period: int, today: date) -> dict | None:
    results, final = None, False
    if not period:
        results = finalizing.snapshot_results(year)
        final = results is not None
    if results is None:
        results = assessing.assess_year(year, today=today, through_quarter=period or None)
    results = [r for r in results if r.ranked]  # a circular ranks; 未签订 units have no place in it
    if not results:
        return None
    groups: dict[str, dict] = {}
    vetoed, yellow = [], []
    for r in results:
        group = groups.setdefault(r.unit.group, {"label": r.unit.group_label, "rows": []})
        group["rows"].append(
            {
                "unit_id": r.unit.id,
                "unit": r.unit.name,
                "rank": r.rank,
                "score": f"{r.score:.2f}",
                "grade": r.grade_label,
                "tier": r.tier_label,
                "vetoed": r.vetoed,
            }
        )
        if r.vetoed:
            vetoed.append(
                {
                    "unit": r.unit.name,
                    "group": r.unit.group_label,
                    "reasons": [v.text for v in r.vetoes],
                }
            )
        elif r.yellow_cards:
            yellow.append(
                {
                    "unit": r.unit.name,
                    "group": r.unit.group_label,
                    "reasons": [v.text for v in r.yellow_cards],
                }
            )
    return {"final": final, "groups": list(groups.values()), "vetoed": vetoed, "yellow": yellow}


def circular_figures(year: Year, period: int, *, today: date) -> dict:
    """The tables a circular for `period` (0: the year, 1–4: a quarter) is written from."""
    units = list(Unit.objects.active().in_city_order().only("pk", "name", "kind", "sort_order"))
    return {
        "year": year.year,
        "period": period,
        "period_label": period_label(year.year, period),
        "as_of": _iso(today),
        "reporting": _reporting(year, reporting_quarters(year, period, today), units, today),
        "accidents": _accidents(year, period, units, today),
        "inspections": _inspections(year, period, units, today),
        "ranking": _ranking(year, period, today),
    }


def _as_year(year: Year | int) -> Year:
    return year if isinstance(year, Year) else Year.objects.get(year=year)


def draft_circular(
    year: Year | int, period: int, kind: str, *, user=None, today: date | None = None
) -> Circular:
    """Save and return a draft circular for `year` (a Year or its number) and `period` (0: the year,
    1–4: a quarter) of `kind`, its figures taken from the data as of `today` (default: the local date)."""
    year = _as_year(year)
    today = today or timezone.localdate()
    figures = circular_figures(year, period, today=today)
    title, body = write_text(figures, kind)
    return Circular.objects.create(
        year=year, period=period, kind=kind, title=title, body=body, figures=figures, created_by=user
    )


def redraft(circular: Circular, *, today: date | None = None) -> Circular:
    """The circular's figures, title and body written again from today's data (not saved)."""
    today = today or timezone.localdate()
    circular.figures = circular_figures(circular.year, circular.period, today=today)
    circular.title, circular.body = write_text(circular.figures, circular.kind)
    return circular
