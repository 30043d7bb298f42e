"""Benchmark: the quarterly-reporting pages on a big city (generate_load --units 300 --years 10).

Prints figures, asserts nothing. Runs against DATABASE_URL, a PostgreSQL database filled by
generate_load; each page is requested through django.test.Client with DEBUG off, once to warm
up (its queries are counted and its slowest query is run again under EXPLAIN ANALYZE), then
timed RUNS times (median, min, max):

    psql -h 127.0.0.1 -U postgres -c "create database wuxisafety_load"
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuxisafety_load
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_load --units 300 --years 10
    .venv/bin/python bench/reports.py [--plans]

    .venv/bin/python bench/reports.py --small   # SQLite var/bench_reports.sqlite3, 30 units × 2 years

The entry-page POST needs editable rows: the unit's reports of that quarter are set back to
draft (QuerySet.update, no history) before the POSTs and approved again afterwards. Each POST
is a real save through the app, so it writes history rows (60 per POST) like a reporter would.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_reports.sqlite3'}")

from bench._common import setup_django  # noqa: E402

setup_django()  # production-like: DEBUG off, plain HTTP, the bench's static manifest

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.accidents.figures import accident_figures  # noqa: E402
from assessment.models import Accident, Report, ReportStatus  # noqa: E402
from assessment.reports.views import current_quarter  # noqa: E402
from bench._common import ensure_static, entry_save_data, explain, form_fields, table_stats  # noqa: E402
from responsibility.models import (  # noqa: E402
    Membership,
    ResponsibilityLetter,
    Target,
    Unit,
    User,
    Year,
)

SMALL_UNITS, SMALL_YEARS = 30, 2


class Result:
    def __init__(self, label: str):
        self.label = label
        self.times: list[float] = []
        self.queries = 0
        self.main_ms: float | None = None  # the slowest query as the warm-up saw it
        self.main_sql = ""
        self.explain_ms: float | None = None
        self.plan = ""
        self.note = ""


def measure(label: str, fn, runs: int, *, prepare=None, check=None) -> Result:
    """Warm up once (counting queries), then time `runs` calls; `prepare` runs untimed before each."""
    result = Result(label)
    args = prepare() if prepare else ()
    with CaptureQueriesContext(connection) as captured:
        outcome = fn(*args)
    if check:
        result.note = check(outcome)
    result.queries = len(captured)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    if slowest:
        result.main_ms = float(slowest["time"]) * 1000
        result.main_sql = slowest["sql"]
        result.explain_ms, result.plan = explain(slowest["sql"])
    for _ in range(runs):
        args = prepare() if prepare else ()
        start = time.perf_counter()
        fn(*args)
        result.times.append((time.perf_counter() - start) * 1000)
    return result


def ensure_data(small: bool) -> None:
    if Unit.objects.filter(code__startswith="load").exists():
        return
    if not small:
        sys.exit(
            "No load data in this database. Fill it first:\n"
            "  .venv/bin/python manage.py migrate\n"
            "  .venv/bin/python manage.py generate_load --units 300 --years 10"
        )
    call_command("generate_load", units=SMALL_UNITS, years=SMALL_YEARS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        action="store_true",
        help=f"allow SQLite; generate {SMALL_UNITS} units × {SMALL_YEARS} years if empty",
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per page after one warm-up (default 5)"
    )
    parser.add_argument("--unit", default="load001", help="the load unit whose entry page is measured")
    parser.add_argument(
        "--plans", action="store_true", help="print the EXPLAIN ANALYZE plan of each main query"
    )
    options = parser.parse_args()

    if connection.vendor == "sqlite" and not options.small:
        sys.exit(
            "Refusing to benchmark the big city on SQLite: set DATABASE_URL to a PostgreSQL database "
            "filled by `manage.py generate_load --units 300 --years 10`, or pass --small."
        )
    (ROOT / "var").mkdir(exist_ok=True)
    if options.small:
        call_command("migrate", verbosity=0)
    ensure_data(options.small)
    ensure_static()

    today = timezone.localdate()
    year = Year.objects.current(today)
    latest = Year.objects.filter(letters__unit__code__startswith="load").order_by("-year").first()
    quarter = current_quarter(year, today)
    unit = Unit.objects.get(code=options.unit)
    reporter = User.objects.get(username=f"{unit.code}_r1")
    office = User.objects.get(username="load_anweiban")
    runs = options.runs

    reporter_client, office_client = Client(), Client()
    reporter_client.force_login(reporter)
    office_client.force_login(office)
    entry_url = reverse(
        "assessment:report_entry", kwargs={"unit_pk": unit.pk, "year": year.year, "quarter": quarter}
    )
    review_url = reverse("assessment:review_queue") + f"?status=approved&year={latest.year}"
    overview_url = reverse("assessment:quarter_overview") + f"?year={year.year}&quarter={quarter}"

    def get(client, url):
        return lambda: client.get(url)

    def ok(expected=200):
        def check(response):
            if response.status_code != expected:
                raise SystemExit(f"unexpected {response.status_code} for {response.request['PATH_INFO']}")
            return f"{len(response.content) // 1024} KB"

        return check

    results = [
        measure(
            f"entry GET {unit.code} {year.year} Q{quarter} (60 approved rows)",
            get(reporter_client, entry_url),
            runs,
            check=ok(),
        ),
    ]

    # The POST: the quarter back to draft so that the rows are editable, as while a unit is filing.
    quarter_reports = Report.objects.filter(unit=unit, year=year, quarter=quarter)
    quarter_reports.update(status=ReportStatus.DRAFT)
    try:
        results.append(
            measure(
                f"entry GET {unit.code} {year.year} Q{quarter} (60 draft rows)",
                get(reporter_client, entry_url),
                runs,
                check=ok(),
            )
        )
        counter = iter(range(1, 1000))

        def prepare():
            return (entry_save_data(form_fields(reporter_client.get(entry_url).content), next(counter)),)

        def post(data):
            return reporter_client.post(entry_url, data)

        def saved(response):
            if response.status_code != 302:
                raise SystemExit(f"the POST did not save: {response.status_code}")
            rows = sum(1 for name in last_fields if name.endswith("-version"))
            return f"{rows} rows saved"

        last_fields = prepare()[0]
        results.append(measure("entry POST save draft", post, runs, prepare=prepare, check=saved))
    finally:
        quarter_reports.update(status=ReportStatus.APPROVED)

    results.append(
        measure(
            f"review queue ?status=approved&year={latest.year}",
            get(office_client, review_url),
            runs,
            check=ok(),
        )
    )
    results.append(
        measure(
            f"quarter overview {year.year} Q{quarter}", get(office_client, overview_url), runs, check=ok()
        )
    )
    results.append(
        measure(
            f"accident_figures({year.year}), all units",
            lambda: accident_figures(year),
            runs,
            check=lambda figures: f"{len(figures)} units",
        )
    )

    print(
        f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}, "
        f"Django {django.get_version()}, DEBUG={settings.DEBUG}, {os.cpu_count()} cores; "
        f"median of {runs} runs after one warm-up"
    )
    print()
    print("| page | median ms | min–max ms | queries | main query ms | EXPLAIN ANALYZE ms | note |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        explain_ms = "—" if r.explain_ms is None else f"{r.explain_ms:.1f}"
        print(
            f"| {r.label} | {statistics.median(r.times):.0f} | {min(r.times):.0f}–{max(r.times):.0f} | "
            f"{r.queries} | {r.main_ms:.1f} | {explain_ms} | {r.note} |"
        )
    print()
    print_tables()
    if options.plans:
        for r in results:
            print(f"\n### {r.label}: main query\n\n```sql\n{r.main_sql}\n```\n\n```\n{r.plan}\n```")


def print_tables() -> None:
    models = [Report, Report.history.model, Target, ResponsibilityLetter, Accident, Unit, User, Membership]
    print("| table | rows | total size (with indexes) |")
    print("| --- | ---: | ---: |")
    for table, rows, size in table_stats(models):
        print(f"| {table} | {rows:,} | {size} |")


if __name__ == "__main__":
    main()
