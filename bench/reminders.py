"""Benchmark: the reminder ladder for one quarter's deadline on a big city (300 units × 5 people).

Prints figures, asserts nothing. Runs against DATABASE_URL, a PostgreSQL database filled by
generate_load (three 填报员 and two 单位负责人 per unit, every report approved):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuxisafety_load
    .venv/bin/python bench/reminders.py

Everything happens in one transaction that is rolled back at the end: the latest year's Q4
reports are set back to draft (every unit owes all its entered targets), then `send_reminders`
runs as of 7 days before the deadline (the reporters), again on the same day (nothing new), the
day after (reporters and heads), three days after (the 安委办, with a draft 催报通报), and the
e-mails of all those notices are delivered to Django's in-memory mail backend. The database is
left as it was.
"""

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import setup_django, timed  # noqa: E402

setup_django()  # production-like, e-mails to Django's in-memory outbox

from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from assessment import tasks  # noqa: E402
from assessment.models import Notification, Report, ReportStatus  # noqa: E402
from assessment.notices.reminders import send_reminders  # noqa: E402
from responsibility.models import Membership, Unit, Year  # noqa: E402

LABELS = {
    "report_due": "填报即将截止",
    "report_overdue": "填报逾期",
    "report_late_units": "逾期未报单位",
    "circulars_drafted": "催报通报草稿",
}


class Rollback(Exception):
    pass


def describe(counts: dict) -> str:
    parts = [f"{LABELS.get(kind, kind)} {n:,}" for kind, n in counts.items() if n]
    return "，".join(parts) or "none"


RUNGS = [
    ("7 days before (reporters)", -7),
    ("same day again", -7),
    ("the day after (reporters and heads)", 1),
    ("3 days after (安委办 + draft 催报通报)", 3),
]


def run_ladder(year: Year) -> tuple[list[tuple], int, int]:
    """The ladder for `year`'s Q4 deadline, rolled back: (rows, reports reset, notices written).

    A row is (label, seconds, queries, what was written, counts by kind); the delivery's counts
    are {"sent": …, "marked": …}. A rung that fails has NaN seconds and its error as `what`.
    """
    deadline = year.q4_deadline
    rows = []
    try:
        with transaction.atomic():
            mail.outbox = []
            reset = Report.objects.filter(year=year, quarter=4).update(status=ReportStatus.DRAFT)
            for label, days in RUNGS:
                day = deadline + timedelta(days=days)
                try:
                    counts, elapsed, queries = timed(lambda day=day: send_reminders(day))
                    what = describe(counts)
                except Exception as error:  # noqa: BLE001 - a figure to print, not to hide
                    counts, elapsed, queries = {}, float("nan"), 0
                    what = f"**fails**: {type(error).__name__}: {error}"
                rows.append((f"{label}, {day:%Y-%m-%d}", elapsed, queries, what, counts))
            total = Notification.objects.count()
            sent, elapsed, queries = timed(tasks.deliver_notifications)
            rows.append(
                (
                    f"deliver the e-mails ({len(mail.outbox):,} sent)",
                    elapsed,
                    queries,
                    f"{sent:,} marked",
                    {"sent": len(mail.outbox), "marked": sent},
                )
            )
            raise Rollback
    except Rollback:
        pass
    return rows, reset, total


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/reminders.py measures PostgreSQL: set DATABASE_URL to the generate_load database")
    year = Year.objects.order_by("-year").first()
    deadline = year.q4_deadline
    units = Unit.objects.filter(active=True).count()
    people = Membership.objects.filter(unit__active=True, user__is_active=True).count()
    rows, reset, total = run_ladder(year)

    vendor = connection.cursor().connection.server_version
    print(f"{units} active units, {people:,} members; {year.year} Q4 deadline {deadline:%Y-%m-%d};")
    print(f"{reset:,} reports set back to draft;")
    print(f"PostgreSQL {vendor // 10000}.{vendor % 10000}; all rolled back")
    print()
    print("| run | time | queries | notices written |")
    print("| --- | ---: | ---: | --- |")
    for label, elapsed, queries, what, _counts in rows:
        shown = "—" if elapsed != elapsed else f"{elapsed:.2f} s"  # NaN: the run failed
        print(f"| {label} | {shown} | {queries or '—'} | {what} |")
    print()
    print(f"{total:,} notices in all.")


if __name__ == "__main__":
    main()
