"""What moves a score, in the domain's words, and the one way a change says so.

A unit's assessment moves only with what `results.assessing` reads. The services that change
those call one of these functions inside their transaction:

    approved_values_changed(reports)   a report approved, or an approved one reopened: its unit
    letters_changed(year, units)        a letter drafted, issued, signed or amended (its targets): those units
    accident_changed(accident, before)  an accident recorded or revised: its 属地 and 监管部门, before and
                                        after, for the year it counts in and the next (同比, 双下降)
    exemption_changed(exemption)        an exemption added or removed: the exempted unit
    deduction_changed(target)           a 考核扣分 added or removed: the target's unit
    adjustment_changed(adjustment)      a 加减分 or manual veto added or removed: its unit
    findings_changed(year, units)       findings recorded, revised or deleted, or one verified (no longer
                                        overdue): their units, for their inspection's year
    unit_changed(unit)                  a unit added, edited (kind, order) or (de)activated: that unit, every year
    catalog_changed()                   an indicator added or edited, its weights: every unit of every year
    year_changed(year)                  a year's settings or 一票否决 rules: every unit of it and of the next year
    everything_changed()                data written past the services (generate_load's COPY): every year

Drafts, submissions, returns of submitted reports, evidence, a rectification reported or returned
(a finding stays overdue until verified), notices, circulars, sessions and logins
move nothing and mark nothing. Neither do writes made past the services (the admin, raw SQL): the
daily recomputation (the day's first refresh of the current year recomputes every unit, since a
provisional result depends on the day) catches those by the next morning.

Each function resolves the (year, units) a change affects and calls `mark_stale`, which writes a
`KeptMark` per unit (one without a unit for every unit) and, once the transaction commits, asks for
`tasks.refresh_kept(year)` once per year and transaction. A rolled-back change leaves no mark and
asks for nothing. The marks are rows, not a cache entry: no eviction loses them, and a refresh that
dies leaves them for the next (see results.keeping).
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from assessment import tasks
from responsibility import changes as responsibility_changes
from responsibility.models import Year

from .models import KeptMark

EVERY_UNIT = None  # mark_stale(year, EVERY_UNIT, …): every unit of the year


class _Refresh:
    """The after-commit request for one year's refresh (kept once per transaction)."""

    def __init__(self, year_id: int):
        self.year_id = year_id

    def __call__(self) -> None:
        tasks.refresh_kept.delay(self.year_id)


def mark_stale(year: Year | int, units: Iterable | None, *, why: str) -> None:
    """Mark `units` (ids or Units; EVERY_UNIT for all) of `year` stale and ask for a refresh after commit."""
    year_id = year if isinstance(year, int) else year.pk
    if units is EVERY_UNIT:
        marks = [KeptMark(year_id=year_id, unit=None, why=why)]
    else:
        ids = {u if isinstance(u, int) else u.pk for u in units if u is not None}
        marks = [KeptMark(year_id=year_id, unit_id=pk, why=why) for pk in sorted(ids)]
    if not marks:
        return
    KeptMark.objects.bulk_create(marks)
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)  # asked once per year in this transaction (or savepoint)
    if connection.in_atomic_block and any(
        isinstance(func, _Refresh) and func.year_id == year_id and set(sids) == here
        for sids, func, _ in connection.run_on_commit
    ):
        return
    # robust: a broker that is down must not fail the change; the marks wait for the beat's round.
    transaction.on_commit(_Refresh(year_id), robust=True)


def _years_of(day: date) -> list[Year]:
    """The years an event on `day` counts in: those whose accident window holds it, and the next
    (its 同比 and 双下降 compare with it); the calendar year's when no window holds it."""
    holding = Year.objects.filter(accident_window_start__lte=day, accident_window_end__gte=day)
    numbers = {y.year for y in holding} or {day.year}
    return list(Year.objects.filter(year__in=numbers | {n + 1 for n in numbers}))


def approved_values_changed(reports: Iterable) -> None:
    by_year: dict[int, set[int]] = {}
    for report in reports:
        by_year.setdefault(report.year_id, set()).add(report.unit_id)
    for year_id, units in by_year.items():
        mark_stale(year_id, units, why="审核通过或重新打开填报")


def letters_changed(year: Year, units: Iterable) -> None:
    mark_stale(year, units, why="责任书或目标变更")


def accident_changed(accident, *, before: tuple[int | None, Iterable[int], date] | None = None) -> None:
    """`before`: the accident's (属地 id, 监管部门 ids, day) as stored before a revision."""
    units = {accident.unit_id, *accident.departments.values_list("pk", flat=True)}
    days = {timezone.localdate(accident.occurred_at)}
    if before is not None:
        unit_id, departments, day = before
        units |= {unit_id, *departments}
        days.add(day)
    for year in {y for day in days for y in _years_of(day)}:
        mark_stale(year, units, why="事故登记或修订")


def exemption_changed(exemption) -> None:
    day = timezone.localdate(exemption.accident.occurred_at)
    for year in _years_of(day):
        mark_stale(year, [exemption.unit_id], why="事故免责变更")


def deduction_changed(target) -> None:
    mark_stale(target.letter.year_id, [target.letter.unit_id], why="考核扣分变更")


def adjustment_changed(adjustment) -> None:
    mark_stale(adjustment.year_id, [adjustment.unit_id], why="加减分变更")


def findings_changed(year: Year | int, units: Iterable) -> None:
    mark_stale(year, units, why="督查问题变更")


def unit_changed(unit) -> None:
    for year_id in Year.objects.values_list("pk", flat=True):
        mark_stale(year_id, [unit.pk], why="责任单位变更")


def catalog_changed() -> None:
    for year_id in Year.objects.values_list("pk", flat=True):
        mark_stale(year_id, EVERY_UNIT, why="指标库变更")


def year_changed(year: Year) -> None:
    for affected in Year.objects.filter(year__in=[year.year, year.year + 1]):
        mark_stale(affected, EVERY_UNIT, why="年度设置或否决规则变更")


def everything_changed() -> None:
    for year_id in Year.objects.values_list("pk", flat=True):
        mark_stale(year_id, EVERY_UNIT, why="批量写入数据")


def listen() -> None:
    """responsibility does not import assessment: its services tell it of their changes through
    `responsibility.changes`, which hands them to these functions (assessment/apps.py calls this)."""
    responsibility_changes.listener = responsibility_changes.Listener(
        letters_changed=letters_changed,
        unit_changed=unit_changed,
        catalog_changed=catalog_changed,
        year_changed=year_changed,
    )
