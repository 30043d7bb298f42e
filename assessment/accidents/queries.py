"""Reads of the accident register for its pages: the month-by-month 同比 of the register."""

from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from assessment.models import Accident
from assessment.rules import grading
from responsibility.models import Unit

from .figures import Period, shift_years
from .tables import Change, MonthRow

LARGER_OR_WORSE = [grade for grade in grading.ORDER if grading.at_least(grade, grading.LARGER)]


def month_summary(accidents, unit: Unit | None, current: Period, previous: Period) -> dict:
    """Counts and deaths per month of the period against the same month a year before, and totals
    (of the current period: 较大及以上, and 瞒报 or 谎报). Grouped in SQL, one query.

    Follows the filters `accidents` carries; with a unit chosen, the accidents it is exempted from
    are left out, so the totals agree with its row in the per-unit table. A month is the one of
    the accident's local date (Asia/Shanghai), as for the periods.
    """
    if unit:
        accidents = accidents.exclude(exemptions__unit=unit)
    now, before = current.q(), previous.q()
    rows = (
        # Through the ids: the filters' joins (departments, memberships) never count one accident twice.
        Accident.objects.filter(pk__in=accidents.values("pk"))
        .filter(now | before)
        .values(year=ExtractYear("occurred_at"), month=ExtractMonth("occurred_at"))
        .annotate(
            now_count=Count("pk", filter=now),
            now_deaths=Sum("deaths", filter=now, default=0),
            then_count=Count("pk", filter=before),
            then_deaths=Sum("deaths", filter=before, default=0),
            larger=Count("pk", filter=now & Q(grade__in=LARGER_OR_WORSE)),
            concealed_or_false=Count("pk", filter=now & (Q(concealed=True) | Q(falsely_reported=True))),
        )
        .order_by("year", "month")
    )
    by_month = {date(row["year"], row["month"], 1): row for row in rows}

    def figures(month: date, count: str, deaths: str) -> tuple[int, int]:
        row = by_month.get(month)
        return (row[count], row[deaths]) if row else (0, 0)

    month_rows = []
    month = current.start.replace(day=1)
    while not current.is_empty and month <= current.end:
        now_count, now_deaths = figures(month, "now_count", "now_deaths")
        then_count, then_deaths = figures(shift_years(month, -1), "then_count", "then_deaths")
        month_rows.append(MonthRow(month, Change(now_count, then_count), Change(now_deaths, then_deaths)))
        month = (month + timedelta(days=32)).replace(day=1)

    def total(name: str) -> int:
        return sum(row[name] for row in by_month.values())

    return {
        "month_rows": month_rows,
        "total_count": Change(total("now_count"), total("then_count")),
        "total_deaths": Change(total("now_deaths"), total("then_deaths")),
        "total_larger": total("larger"),
        "total_concealed": total("concealed_or_false"),
    }
