"""The kept assessment: each unit's provisional result, computed after a change, read by the pages.

    refresh(year_id)                   what the task runs: recompute the stale units, re-rank, keep
    kept = kept_results(year, today=…) what a page shows: the kept rows, when, and whether updating
    kept_group_sizes(year)             how many units each group lists, for the ranking's tabs

Decisions:
- What moves a score is said in one place, assessment.kept.changes: the services mark the units a
  change touches (`KeptMark` rows, in the change's transaction) and ask for `tasks.refresh_kept`
  after it commits. Nothing here looks at SQL.
- A refresh recomputes only the marked units (`assess_year(units=…)`), then re-ranks every group
  from the kept rows (`rules.ranking`, the same rules assess_year ranks with) and writes the rows
  that changed: the recomputed units' whole rows, the others' rank and 等次 when they moved. A
  mark without a unit (a rule, a year's setting, the catalog), a year never computed, or a new day
  (a provisional result depends on the day: accidents and overdue findings up to today) recomputes
  every unit. Past the accident window's end the day no longer matters.
- The end of the quarter that 较上季度 compares with (the last ended, at most Q3) is kept the same
  way (`KeptResult.quarter`), computed by the refresh once the quarter has ended, and after that
  only for the units a change touches: it does not depend on the day.
- Single flight: a refresh locks the year's `KeptYear` row (select_for_update(skip_locked)) for its
  round; a second one finds it locked and returns, since the first loops until no mark is left
  (checking again after it lets go of the lock, so a mark made at its last moment is not missed).
  The marks a round read are deleted in the round's transaction; those made meanwhile stay. A
  worker killed mid-round rolls its round back: the marks stay for the next refresh (the task is
  delivered again, the beat's round every minute, or the next page view asks for one).
- Pages never compute. They read the kept rows (a fixed number of queries, however many units) and
  show when they were computed (截至 10:32:05); while marks wait or the rows are of another day they
  say 正在更新… and ask for a refresh (a cheap no-op when one is running). With Celery eager (tests,
  make run's seeding) that refresh runs before the page reads the rows. On SQLite (one worker in
  make run) there is no row lock: two refreshes at once would both compute, and both be right.
- The rows are plain columns: `finalizing.result_columns`, the 定稿 snapshot's serialisation, read
  back by `finalizing.result_of`, and the 缺报 count (`missing_count`), so that the ranking, its
  print and the 驾驶舱 show "缺报 N 项" without reading every unit's breakdown (`items`, most of a
  row's bytes: reading them was most of those pages' time on a big city). The unit's page and the
  spreadsheets still read the items.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from celery.result import EagerResult
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from assessment import tasks
from assessment.kept.models import TODAY, KeptMark, KeptResult, KeptYear
from assessment.models import AssessmentStatus
from assessment.rules import ranking
from responsibility.models import UnitGroup, Year, city_order_key

from . import assessing
from .finalizing import COMPARED_QUARTER, result_columns, result_of, snapshot_results
from .roll import UnitResult

logger = logging.getLogger(__name__)


def provisional_quarter(year: Year, today: date) -> int | None:
    """The quarter whose end 较上季度 compares with: the last ended, Q3 once the year is over."""
    quarter = assessing.last_quarter_ended(year, today)
    return None if quarter is None else min(quarter, COMPARED_QUARTER)


def fresh_on(year: Year, as_of: date | None, today: date) -> bool:
    """Whether results computed on `as_of` are today's: the same day, or both past the window's end."""
    if as_of is None:
        return False
    end = year.accident_window_end
    return as_of == today or (as_of >= end and today >= end)


# --- refreshing -----------------------------------------------------------------------------


def refresh(year_id: int) -> int:
    """Bring the year's kept assessment up to date; the number of unit results computed."""
    KeptYear.objects.get_or_create(year_id=year_id)
    computed = 0
    while True:
        done = _round(year_id)
        if done is None:
            return computed  # another refresh holds the year, and loops until no mark is left
        computed += done
        if done == 0 and not KeptMark.objects.filter(year_id=year_id).exists():
            return computed


@transaction.atomic
def _round(year_id: int) -> int | None:
    """One round under the year's lock: None when another refresh holds it, else the results computed."""
    kept = KeptYear.objects.select_for_update(skip_locked=True).filter(year_id=year_id).first()
    if kept is None:
        return None
    year = Year.objects.get(pk=year_id)
    today = timezone.localdate()
    marks = list(KeptMark.objects.filter(year_id=year_id).values_list("pk", "unit_id"))
    marked = {unit_id for _, unit_id in marks}
    every_unit = None in marked or kept.computed_at is None
    quarter = provisional_quarter(year, today)
    new_day = not fresh_on(year, kept.as_of, today)
    if not marks and not new_day and kept.quarter == quarter:
        return 0
    now = timezone.now()
    units = None if every_unit or new_day else marked
    computed = _keep(year, TODAY, units, now, today=today)
    KeptResult.objects.filter(year=year).exclude(quarter__in=[TODAY, quarter or TODAY]).delete()
    if quarter is not None:
        units = None if every_unit or kept.quarter != quarter else marked
        computed += _keep(year, quarter, units, now, today=today)
    KeptMark.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
    kept.computed_at, kept.as_of, kept.quarter = now, today, quarter
    kept.save(update_fields=["computed_at", "as_of", "quarter"])
    return computed


def _keep(year: Year, quarter: int, units: set[int] | None, now: datetime, *, today: date) -> int:
    """Recompute `units` (None: all) at `quarter`'s end (TODAY: today), write them, re-rank the rest."""
    if units is not None and not units:
        return 0
    through = None if quarter == TODAY else quarter
    results = assessing.assess_year(year, today=today, through_quarter=through, units=units)
    rows = KeptResult.objects.filter(year=year, quarter=quarter)
    (rows if units is None else rows.filter(unit__in=units)).delete()
    KeptResult.objects.bulk_create(
        KeptResult(
            year=year,
            unit_id=r.unit.id,
            quarter=quarter,
            computed_at=now,
            **result_columns(r),
            missing_count=r.missing_total,
        )
        for r in results
    )
    if units is not None:  # ranked among themselves only: rank them with the others
        _rerank(year, quarter)
    return len(results)


def _rerank(year: Year, quarter: int) -> None:
    """Rank every group of the kept rows again and write the ranks and 等次 that moved."""
    rows = list(
        KeptResult.objects.filter(year=year, quarter=quarter, status=AssessmentStatus.SIGNED).select_related(
            "unit"
        )
    )
    ranked = ranking.rank(
        ranking.Entry(row.unit_id, row.group, row.total, row.vetoed, sort_key=city_order_key(row.unit))
        for row in rows
    )
    tiers = ranking.tiers(ranked, proportions=assessing.tier_proportions(year))
    ranks = {item.unit_id: item.rank for item in ranked}
    moved = []
    for row in rows:
        rank, tier = ranks[row.unit_id], tiers[row.unit_id]
        if (row.rank, row.tier) != (rank, tier):
            row.rank, row.tier = rank, tier
            moved.append(row)
    KeptResult.objects.bulk_update(moved, ["rank", "tier"])


def refresh_due(today: date | None = None) -> dict[int, int]:
    """The beat's round: every year with marks waiting, and the current year on a new day."""
    today = today or timezone.localdate()
    years = set(KeptMark.objects.values_list("year_id", flat=True).distinct())
    current = Year.objects.current(today)
    if current is not None:
        kept = KeptYear.objects.filter(year=current).first()
        if kept is None or not fresh_on(current, kept.as_of, today):
            years.add(current.pk)
    return {year_id: refresh(year_id) for year_id in sorted(years)}


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    results: list[UnitResult]  # as assess_year orders them
    computed_at: datetime | None  # None: never computed yet
    updating: bool  # a change waits for its refresh, or the rows are of another day

    @property
    def computed_label(self) -> str:
        return "" if self.computed_at is None else f"截至 {timezone.localtime(self.computed_at):%H:%M:%S}"


def _state(year: Year) -> KeptYear | None:
    waiting = KeptMark.objects.filter(year=OuterRef("year"))
    return KeptYear.objects.filter(year=year).annotate(marked=Exists(waiting)).first()


def _up_to_date(kept: KeptYear | None, year: Year, today: date) -> bool:
    return (
        kept is not None
        and kept.computed_at is not None
        and not kept.marked
        and fresh_on(year, kept.as_of, today)
    )


def _ask_for_refresh(year: Year) -> bool:
    """Queue the year's refresh; whether it already ran here (Celery eager). A broker that is down
    costs the page nothing: it shows what is kept, and the beat's round asks again."""
    try:
        return isinstance(tasks.refresh_kept.delay(year.pk), EagerResult)
    except Exception:
        logger.exception("could not queue the kept assessment's refresh of %s", year)
        return False


def kept_results(
    year: Year, *, today: date, unit_id: int | None = None, group: str | None = None, items: bool = True
) -> Kept:
    """The year's kept results (only `unit_id`'s, or only `group`'s, when given), asking for a
    refresh when they are not up to date. Three queries when they are. Without `items` the rows'
    breakdowns are not read (most of their bytes): the results carry their 缺报 count instead."""
    kept = _state(year)
    if not _up_to_date(kept, year, today) and _ask_for_refresh(year):
        kept = _state(year)  # refreshed in this process (eager): read what it kept
    rows = KeptResult.objects.filter(year=year, quarter=TODAY).select_related("unit")
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    if group is not None:
        rows = rows.filter(group=group)
    if not items:
        rows = rows.defer("items")
    groups = list(UnitGroup.values)
    ordered = sorted(
        rows,
        key=lambda row: (
            groups.index(row.group),
            row.status != AssessmentStatus.SIGNED,
            row.rank or 0,
            city_order_key(row.unit),
        ),
    )
    return Kept(
        results=[result_of(row, missing_count=None if items else row.missing_count) for row in ordered],
        computed_at=kept.computed_at if kept else None,
        updating=not _up_to_date(kept, year, today),
    )


def kept_group_sizes(year: Year) -> dict[str, int]:
    """How many units each group's kept results list, by UnitGroup value (one query)."""
    rows = KeptResult.objects.filter(year=year, quarter=TODAY).values("group").annotate(n=Count("pk"))
    return {row["group"]: row["n"] for row in rows.order_by()}


def kept_quarter_ranks(year: Year, quarter: int | None) -> dict[int, int | None] | None:
    """The ranks at the end of `quarter` by unit id (None without a quarter), as last kept."""
    if quarter is None:
        return None
    rows = KeptResult.objects.filter(year=year, quarter=quarter)
    return dict(rows.values_list("unit_id", "rank"))


def year_results(
    year: Year, *, today, unit_id: int | None = None, group: str | None = None, items: bool = True
) -> tuple[Kept, bool]:
    """What every page shows of a year: the finalized snapshot when there is one (frozen, whatever
    has changed since), else the kept provisional results; and whether final. Only `unit_id`'s or `group`'s when given. Never computed here. Without `items`
    the kept results carry their 缺报 count but no breakdown (the snapshot always has both)."""
    snapshot = snapshot_results(year)
    if snapshot is not None:
        snapshot = [
            r
            for r in snapshot
            if (unit_id is None or r.unit.id == unit_id) and (group is None or r.unit.group == group)
        ]
        return Kept(snapshot, computed_at=None, updating=False), True
    kept = kept_results(year, today=today, unit_id=unit_id, group=group, items=items)
    return kept, False
