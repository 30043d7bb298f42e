"""Benchmark: the ranking tables and the 驾驶舱 over HTTP under load, through gunicorn (issue 5).

Prints figures, asserts nothing. Against DATABASE_URL, a PostgreSQL database filled by
`generate_load --units 300 --years 10`:

1. queries per request: each page once through django.test.Client (force_login as the leader)
   inside CaptureQueriesContext; the page's main query is taken from what it ran:
   - ranking: assess_year's targets query (targets with their letter, unit and indicator);
   - 驾驶舱: the accident figures query (the accidents of the two periods, in accident_figures);
   each main query is then run by psql with `\\timing` (median of 5 after one warm-up; rows sent
   to /dev/null), and once under EXPLAIN ANALYZE;
2. starts gunicorn on 127.0.0.1 (4 sync workers by default: 2 × cores, as
   shared/reference/ecosystem.md §5.2 advises; DEBUG=0, plain HTTP, the static manifest of a
   bench-only STATIC_ROOT), logs in as the leader `load_leader` through the login form, checks
   every page answers 200, times 10 requests one at a time (the page alone), then
   `timeout 60 wrk -t2 -c8 -d15s --latency --timeout 30s` per page after a 3 s warm-up run, with
   the session cookie; p95 comes from bench/wrk_summary.lua (wrk itself prints p50/75/90/99).
   Before each measurement the server is let drain (see `drain`: no CPU used by gunicorn's
   processes): its sync workers go on serving the requests wrk dropped when it stopped;
3. stops gunicorn (it also runs under `timeout`), and prints a Markdown table.

    apt-get install -y wrk
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuxisafety_load
    timeout 3600 .venv/bin/python bench/load.py [--workers 4] [--duration 15] [--port 8765] [--pages ranking-territory,dashboard]

wrk runs on the same 2 cores as gunicorn and PostgreSQL: the figures compare pages and versions
on this machine, they are not a capacity. Every request also saves the session
(SESSION_SAVE_EVERY_REQUEST), as in production. The machine may be shared: before each page the
script waits (--wait-idle) for other work to calm down, and prints the share of the cores that
other work used just before ("CPU before") and, during the wrk run, the share gunicorn got and the
share everything else used, PostgreSQL and wrk included ("CPU during"). With 4 sync workers on
an otherwise idle machine gunicorn gets most of both cores; much less means the figures are
someone else's.

The load catalog's yoy_decrease indicators (L11–L13) are `entered` as generated; assess_year
scores 双下降 from the register whatever the source (it used to fail on them: 500s).
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench_load"
sys.path.insert(0, str(ROOT))

from bench._common import setup_django  # noqa: E402

setup_django()

import django  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._common import (  # noqa: E402
    PASSWORD,
    cookie_header,
    database_name,
    drain,
    ensure_static,
    explain,
    free_port,
    get,
    login,
    main_query,
    psql_timing,
    run_wrk,
    start_gunicorn,
    stop,
    wrk_errors,
    wrk_with_cpu,
)
from bench._machine import wait_idle  # noqa: E402
from responsibility.models import UnitGroup, User, Year  # noqa: E402

LEADER = "load_leader"  # as generate_load writes it
FORBIDDEN_DATABASES = {"wuxisafety", "test_wuxisafety"}  # CI's and the tests'


def is_targets_query(sql: str) -> bool:
    return (
        'FROM "responsibility_target"' in sql
        and 'ORDER BY "responsibility_responsibilityletter"."unit_id"' in sql
    )


def is_accident_figures_query(sql: str) -> bool:
    # accidents.figures_for_periods: values_list(pk … falsely_reported) of the two periods
    return '"assessment_accident"."falsely_reported" AS "falsely_reported" FROM "assessment_accident"' in sql


class Page:
    def __init__(self, key: str, label: str, path: str, main_label: str, is_main):
        self.key, self.label, self.path = key, label, path
        self.main_label, self.is_main = main_label, is_main
        self.queries = 0
        self.main_sql = ""
        self.main_ms: float | None = None  # psql \timing, median
        self.explain_ms: float | None = None
        self.alone_ms: list[float] = []
        self.wrk: dict[str, int] = {}
        self.size = 0
        self.busy = 0.0  # the share of the cores that other work kept busy just before
        self.server_cpu = self.other_cpu = 0.0  # shares of all cores during the wrk run

    @property
    def rps(self) -> float:
        return self.wrk["requests"] / (self.wrk["duration_us"] / 1e6)

    def ms(self, key: str) -> float:
        return self.wrk[key] / 1000


def time_main_query(page: Page, runs: int) -> None:
    """The main query as a psql client sees it (median of `runs` after one warm-up), and its plan."""
    page.main_ms = psql_timing(page.main_sql, runs, OUT / f"main_{page.key}.sql")
    page.explain_ms, plan = explain(page.main_sql)
    (OUT / f"main_{page.key}.plan.txt").write_text(plan + "\n")


def count_queries(pages: list[Page], leader: User) -> None:
    client = Client()
    client.force_login(leader)
    for page in pages:
        client.get(page.path)  # warm: the first request of a process loads templates and URLconf
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
        if response.status_code != 200:
            sys.exit(f"{page.path}: {response.status_code} through the test client")
        page.queries = len(captured)
        page.size = len(response.content)
        (OUT / f"queries_{page.key}.sql").write_text(
            "".join(
                f"-- {float(q['time']) * 1000:.1f} ms\n{q['sql']};\n\n" for q in captured.captured_queries
            )
        )
        page.main_sql, page.main_label, runs = main_query(
            captured.captured_queries, page.is_main, page.main_label
        )
        if runs > 1:  # e.g. assess_year twice: the year now and as it stood a quarter ago
            page.main_label += f" (runs {runs}×)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers (2 × cores)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per page (default 15)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--alone", type=int, default=10, help="requests one at a time per page (default 10)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.25,
        help="before each page, wait (≤ 120 s) until other work keeps less than this share of the cores "
        "busy (default 0.25; 1 = never wait); the share measured is printed",
    )
    parser.add_argument("--pages", help="comma-separated keys: ranking-<group>, dashboard (default all)")
    options = parser.parse_args()
    if options.duration > 40:
        sys.exit("--duration over 40 s: wrk runs under `timeout 60`")

    if connection.vendor != "postgresql":
        sys.exit("Refusing SQLite: set DATABASE_URL to the PostgreSQL database filled by generate_load.")
    if database_name() in FORBIDDEN_DATABASES:
        sys.exit(f"Refusing database {database_name()!r}: CI and the tests use it. Use wuxisafety_load.")
    try:
        leader = User.objects.get(username=LEADER)
    except User.DoesNotExist:
        sys.exit("No load_leader: fill the database with `manage.py generate_load --units 300 --years 10`.")
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_static()
    free_port(options.port)

    year = Year.objects.current(timezone.localdate())
    pages = [
        Page(
            f"ranking-{group}",
            f"ranking {label} `/ranking/?year={year.year}&group={group}`",
            f"/ranking/?year={year.year}&group={group}",
            "assess_year targets",
            is_targets_query,
        )
        for group, label in UnitGroup.choices
    ] + [
        Page(
            "dashboard", "驾驶舱 `/dashboard/`", "/dashboard/", "accident figures", is_accident_figures_query
        )
    ]
    if options.pages:
        wanted = options.pages.split(",")
        pages = [p for p in pages if p.key in wanted]

    base = f"http://127.0.0.1:{options.port}"
    load_before = os.getloadavg()[0]
    count_queries(pages, leader)
    for page in pages:
        time_main_query(page, runs=5)
    # what the pages may take at worst: waits for quiet (2 × 120 s), drains (3 × 120 s), wrk (2 × 60 s), alone
    limit = 120 + len(pages) * (2 * 120 + 3 * 120 + 2 * 60 + options.alone * 10)
    server = start_gunicorn(options.port, options.workers, limit, OUT / "gunicorn.log")
    try:
        cookie = cookie_header(login(base, LEADER, PASSWORD))
        for page in pages:
            drain(server)
            page.busy = wait_idle(options.wait_idle)
            status, _ = get(base + page.path, cookie)
            if status != 200:
                sys.exit(f"{page.path}: HTTP {status} from gunicorn")
            get(base + page.path, cookie)
            page.alone_ms = [get(base + page.path, cookie)[1] for _ in range(options.alone)]
            run_wrk(base + page.path, 3, options.connections, options.threads, cookie=cookie)  # warm-up
            drain(server)
            page.busy = max(page.busy, wait_idle(options.wait_idle))
            page.wrk, raw, cpu = wrk_with_cpu(
                server,
                base + page.path,
                options.duration,
                options.connections,
                options.threads,
                cookie=cookie,
            )
            page.server_cpu, page.other_cpu = cpu.server, cpu.postgres + cpu.other
            (OUT / f"wrk_{page.key}.txt").write_text(raw)
            drain(server)
    finally:
        stop(server)
    load_after = os.getloadavg()[0]

    print(
        f"gunicorn {options.workers} sync workers, PostgreSQL {connection.pg_version}, Django {django.get_version()}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, DEBUG=0; wrk -t{options.threads} "
        f"-c{options.connections} -d{options.duration}s (after 3 s of warm-up) on the same machine; "
        f"alone = median of {options.alone} requests one at a time; main query: psql \\timing median of 5"
        + f"; load average {load_before:.2f} before, {load_after:.2f} after (wrk and gunicorn add to it)"
    )
    print()
    print(
        "| page | queries | alone ms | req/s (requests) | p50 ms | p95 ms | p99 ms | errors | main query | "
        "main SQL ms | EXPLAIN ANALYZE ms | alone ÷ SQL | p50 ÷ SQL | HTML | CPU before: other | CPU during: gunicorn / rest |"
    )
    print(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for p in pages:
        w = p.wrk
        errors = wrk_errors(w) + w["unexpected"]
        alone = statistics.median(p.alone_ms)
        print(
            f"| {p.label} | {p.queries} | {alone:.0f} | {p.rps:.2f} ({w['requests']}) | {p.ms('p50_us'):.0f} | {p.ms('p95_us'):.0f} | "
            f"{p.ms('p99_us'):.0f} | {errors} | {p.main_label} | {p.main_ms:.1f} | {p.explain_ms:.1f} | "
            f"{alone / p.main_ms:.0f}× | {p.ms('p50_us') / p.main_ms:.0f}× | {p.size // 1024} KB | {p.busy:.0%} | "
            f"{p.server_cpu:.0%} / {p.other_cpu:.0%} |"
        )
    print(
        f"\n(raw wrk output, the main queries, their plans and every query of each page: {OUT.relative_to(ROOT)}/)"
    )


if __name__ == "__main__":
    main()
