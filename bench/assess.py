"""Benchmark: the year-end assessment, assess_year(), for every unit of a big city (issue 5).

Prints figures, asserts nothing. Runs against DATABASE_URL, a PostgreSQL database filled by
`generate_load --units 300 --years 10` (300 units × 60 targets a year). For the current year of
the data (`Year.objects.current(today)`), each mode is called once to warm up (its queries are
counted, with their SQL time and the slowest one), then timed RUNS times (median, min, max):

- provisional: `assess_year(year, today=today)`, what the ranking page and the 驾驶舱 compute
  on every request until the year is finalized;
- final: `assess_year(year, provisional=False)`, what `finalize` writes.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuxisafety_load
    timeout 300 .venv/bin/python bench/assess.py [--runs 5] [--today 2026-11-28] [--profile] [--plans]

The issue's aim is under 2 s and under 30 queries. When a mode misses it (or with --profile),
one more call runs under cProfile and the functions with the most time are printed. Issue 14 asks
under 1 s for 1,000 units × 60 targets: run it on a database filled by `generate_load --units
1000 --years 2`.

The load catalog's yoy_decrease indicators (L11–L13) are generated `entered`; assess_year scores
双下降 from the accident register whatever the indicator's source, so the data is used as generated.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import setup_django  # noqa: E402

setup_django()  # production-like: DEBUG off, so Django keeps no query log of its own

import django  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.results.assessing import assess_year  # noqa: E402
from bench._machine import wait_idle  # noqa: E402
from responsibility.models import Year  # noqa: E402

AIM_SECONDS, AIM_QUERIES = 2.0, 30


class Result:
    def __init__(self, label: str):
        self.label = label
        self.times: list[float] = []
        self.queries = 0
        self.sql_ms = 0.0  # the warm-up's queries, as Django timed each execute()
        self.slowest_ms = 0.0
        self.slowest_sql = ""
        self.units = self.targets = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def misses(self) -> bool:
        return self.median >= AIM_SECONDS or self.queries >= AIM_QUERIES


def measure(label: str, fn, runs: int) -> Result:
    result = Result(label)
    with CaptureQueriesContext(connection) as captured:
        outcome = fn()
    result.units = len(outcome)
    result.targets = sum(len(r.items) for r in outcome)
    result.queries = len(captured)
    times = [float(q["time"]) for q in captured.captured_queries]
    result.sql_ms = sum(times) * 1000
    if times:
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        result.slowest_ms = float(slowest["time"]) * 1000
        result.slowest_sql = slowest["sql"]
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        result.times.append(time.perf_counter() - start)
    return result


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def profile(label: str, fn, lines: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    print(f"\n### cProfile: {label}\n\n```\n{out.getvalue().strip()}\n```")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per mode after one warm-up (default 5)"
    )
    parser.add_argument("--today", type=date.fromisoformat, help="the day assessed (default: today)")
    parser.add_argument("--profile", action="store_true", help="profile every mode, not only those that miss")
    parser.add_argument("--plans", action="store_true", help="EXPLAIN ANALYZE each mode's slowest query")
    parser.add_argument("--lines", type=int, default=25, help="functions shown per profile (default 25)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.25,
        help="first wait (≤ 120 s) until other work keeps less than this share of the cores busy "
        "(default 0.25; 1 = never wait); the share measured is printed",
    )
    options = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit(
            "Refusing to benchmark on SQLite: set DATABASE_URL to a PostgreSQL database filled by "
            "`manage.py generate_load --units 300 --years 10`."
        )
    today = options.today or timezone.localdate()
    year = Year.objects.current(today)
    if year is None:
        sys.exit(f"No year is current on {today}: generate the load data first.")

    run(options, year, today)


def run(options, year, today) -> None:
    modes = [
        (f"provisional (today {today})", lambda: assess_year(year, today=today)),
        ("final (provisional=False)", lambda: assess_year(year, provisional=False)),
    ]
    busy = wait_idle(options.wait_idle)
    load_before = os.getloadavg()[0]
    results = [measure(label, fn, options.runs) for label, fn in modes]
    load_after = os.getloadavg()[0]

    print(
        f"assess_year({year.year}), PostgreSQL {connection.pg_version}, Django {django.get_version()}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; median of {options.runs} runs after "
        f"one warm-up (queries counted on the warm-up); aim < {AIM_SECONDS:.0f} s and < {AIM_QUERIES} queries; "
        f"other work kept {busy:.0%} of the cores busy just before; load average {load_before:.2f} before, "
        f"{load_after:.2f} after"
    )
    print()
    print("| mode | units × targets | median s | min–max s | queries | SQL ms | slowest query ms | aim |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        print(
            f"| {r.label} | {r.units} × {r.targets / max(r.units, 1):.0f} ({r.targets:,}) | {r.median:.2f} | "
            f"{min(r.times):.2f}–{max(r.times):.2f} | {r.queries} | {r.sql_ms:.0f} | {r.slowest_ms:.0f} | "
            f"{'**missed**' if r.misses else 'met'} |"
        )
    for r in results:
        if options.plans:
            print(
                f"\n### {r.label}: slowest query\n\n```sql\n{r.slowest_sql}\n```\n\n```\n{explain(r.slowest_sql)}\n```"
            )
    for (label, fn), r in zip(modes, results, strict=True):
        if options.profile or r.misses:
            profile(label, fn, options.lines)


if __name__ == "__main__":
    main()
