"""bench/run: the one big-city benchmark (issue 7), one report in bench/results.md.

    bench/run                                     # 300 units × 10 years in a fresh wuxisafety_bench_run
    bench/run --database wx_smoke --units 20 --years 2 --output /tmp/results.md --drop   # smoke run
    bench/run --keep                              # the database seeded before: skip seeding
    bench/run --database wuxisafety_perf --mixed  # only the mixed load (bench/mixed.py) on a city seeded before

1. drops and creates the PostgreSQL database (unless --keep), migrates, and times
   `manage.py generate_load --units N --years N` in a child process (wall time, peak memory); row
   counts and sizes of the main tables;
2. prepares what the pages need that generate_load does not make: a published 情况通报 (drafted
   as bench/circulars.py does; its notices are not sent) and, for the entry page, the current
   quarter of the first units set back to draft so that their reporters can save it again and
   again (approved again at the end);
3. counts each page's queries in-process (django.test.Client, CaptureQueriesContext), takes its
   main query (a page's own, as bench/load.py picks them, else its slowest SELECT) and times it
   through psql (median of 5 after a warm-up) and under EXPLAIN ANALYZE;
4. starts gunicorn (DEBUG=0, 2 × cores sync workers, 127.0.0.1) and per page: a short wrk warm-up
   (every worker's first request of the page), requests one at a time ("alone", median), then a
   bounded `wrk -t2 -c4 -d10s` (longer, up to 30 s, for a page so slow that a connection would not
   finish three requests; one that would take over 20 s a request is measured alone only) with the
   page user's session cookie: median, p95 (bench/wrk_summary.lua), req/s, errors and answers
   other than the one expected, and how the cores were shared. The entry POST runs
   bench/wrk_post.lua: one reporter per connection, each request a real 保存草稿 with the CSRF
   cookie and token, and the database is checked afterwards (every 302 moved its rows' versions on);
5. times `manage.py export_year <year> --output <file>` in a child process (wall time, peak RSS),
   or says "not available" while the command does not exist;
6. times assess_year of the current year (bench/assess.py; median of 3), provisional and final;
7. runs the reminders of the latest year's Q4 deadline twice on the same day (bench/reminders.py,
   rolled back): the second run must write nothing;
8. prints the report and writes the same to --output (bench/results.md): the machine, versions,
   the command, one table of pages, the background work, the seed, rows and sizes, and for every
   missed target why (from the figures) and what would meet it, with a marked place for the lead;
9. stops gunicorn and its workers on the way out, also on an error, Ctrl-C or SIGTERM.

Refuses the databases wuxisafety, test_wuxisafety and wuxisafety_load. Raw output (every query
of each page, the main queries' plans, wrk's output, gunicorn's log): var/bench_run/.
"""

import argparse
import math
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "bench_run"
FORBIDDEN_DATABASES = {"wuxisafety", "test_wuxisafety", "wuxisafety_load"}  # CI's, the tests', others'
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"

# A page slower than this per request under load is measured alone only (wrk's timeout is 30 s).
MAX_LOADED_SECONDS = 20

# The targets
PAGE_P95_MS, PAGE_QUERIES = 300, 10  # 驾驶舱 and ranking
POST_P95_MS = 500
ASSESS_SECONDS = 2.0
EXPORT_SECONDS, EXPORT_MB = 10, 200  # issue 14 (issue 7 asked < 30 s, < 300 MB)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database", default="wuxisafety_bench_run", help="created afresh (default %(default)s)"
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG_SERVER", DEFAULT_SERVER),
        help="the PostgreSQL server, as a URL without the database (default %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is seeded: no seeding")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--units", type=int, default=300, help="generate_load --units (default 300)")
    parser.add_argument("--years", type=int, default=10, help="generate_load --years (default 10)")
    parser.add_argument(
        "--output", default=str(ROOT / "bench" / "results.md"), help="default bench/results.md"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn (2 × cores)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads for the GET pages (default 2)")
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="wrk connections; the POST uses as many reporters (default 4)",
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=10,
        help="seconds of wrk per page (default 10; longer, up to 30, for a page so slow that a connection "
        "would not finish three requests)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per page (default 2)")
    parser.add_argument("--alone", type=int, default=5, help="requests one at a time per page (default 5)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.25,
        help="before each page wait until other work keeps less than this share of the cores busy "
        "(default 0.25; 1 = never wait), at most --wait-limit seconds",
    )
    parser.add_argument("--wait-limit", type=float, default=15)
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("CACHE_URL", ""),
        help="the app's shared cache, e.g. redis://127.0.0.1:6379/15 as in production (default: $CACHE_URL, "
        "else the app's own default, files under var/cache)",
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="only the mixed load (bench/mixed.py) on the city already in --database (never seeded): the "
        "leaders' pages alone and while reporters save and the office approves; its section of --output",
    )
    parser.add_argument("--mixed-seconds", type=int, default=45, help="the mixed load's length (default 45)")
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/9",
        help="the Celery broker of --mixed's worker and gunicorn (default %(default)s: a db of its own)",
    )
    options = parser.parse_args()
    if options.mixed:
        options.keep = True  # a city generated before: never dropped, created or seeded here
    if options.database in FORBIDDEN_DATABASES:
        parser.error(f"refusing the database {options.database!r}: it is not the benchmark's")
    if options.duration > 30 or options.warmup > 30:
        parser.error("--duration or --warmup over 30 s: wrk runs under `timeout 60`")
    if options.units < options.connections:
        parser.error("--units must be at least --connections (one reporter's unit per POST connection)")
    return options


# --- before Django -----------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    mem_kb = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))
    load = os.getloadavg()
    return {
        "cpu": model.group(1).strip() if model else "unknown CPU",
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "load": " / ".join(f"{v:.2f}" for v in load),
    }


def recreate_database(server: str, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def drop_database(server: str, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()


# The child measures its own child: RUSAGE_CHILDREN of this process would also hold psql's,
# generate_load's and gunicorn's peaks.
PEAK_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"BENCH_CHILD rc={code} wall={wall:.3f} maxrss_kb={peak}", file=sys.stderr)
"""


@dataclass
class Child:
    command: list[str]
    returncode: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    out: str = ""


def run_child(command: list[str], limit: int) -> Child:
    """Run `command` (from the repository root) in a child of a child: its wall time, peak RSS, output."""
    child = Child(command)
    done = subprocess.run(
        ["timeout", str(limit), sys.executable, "-c", PEAK_WRAPPER, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    found = re.search(r"BENCH_CHILD rc=(-?\d+) wall=([\d.]+) maxrss_kb=(\d+)", done.stderr)
    if not found:
        child.returncode, child.out = done.returncode or 1, done.stdout + done.stderr
        return child
    child.returncode, child.seconds = int(found.group(1)), float(found.group(2))
    child.peak_mb = int(found.group(3)) / 1024
    child.out = done.stdout + done.stderr.replace(found.group(0), "").rstrip()
    return child


def main() -> None:
    options = parse_args()
    started, started_at = time.monotonic(), datetime.now(UTC)
    host = machine()  # the load average before anything of ours runs
    command_line = shlex.join([os.environ.get("BENCH_RUN_AS", "bench/run.py"), *sys.argv[1:]])
    # The finally blocks stop gunicorn and set the entry pages back: also on SIGTERM, and on Ctrl-C
    # even when started in the background (where a shell leaves SIGINT ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    OUT.mkdir(parents=True, exist_ok=True)
    if not options.keep:
        recreate_database(options.server, options.database)
    os.environ["DATABASE_URL"] = f"{options.server}/{options.database}"
    if options.cache_url:
        os.environ["CACHE_URL"] = options.cache_url
    if options.mixed:
        os.environ["CELERY_BROKER_URL"] = options.broker_url  # this process, gunicorn and the worker
    from bench._common import setup_django

    setup_django()
    if options.mixed:
        from bench.mixed import run_mixed

        run_mixed(options, command_line)
        return
    try:
        Benchmark(options, host, command_line, started, started_at).run()
    finally:
        if options.drop:
            from django.db import connections

            connections.close_all()
            drop_database(options.server, options.database)
            print(f"dropped the database {options.database}", file=sys.stderr)


# --- with Django -------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    path: str
    username: str
    method: str = "GET"
    target_p95: int | None = None
    target_queries: int | None = None
    main_label: str = ""
    is_main: object = None  # a predicate on the SQL, else the slowest SELECT
    expected: int = 200
    # measured
    queries: int = 0
    captured: list = field(default_factory=list)
    sql_ms: float = 0.0
    size: int = 0
    main_sql: str = ""
    main_ms: float | None = None
    explain_ms: float | None = None
    main_runs: int = 0
    alone_ms: list = field(default_factory=list)
    duration: int = 0
    skipped: str = ""  # why it was not run under load
    wrk: dict = field(default_factory=dict)
    busy: float = 0.0
    cpu: object = None  # CpuShares during the wrk run
    note: str = ""
    failure: str = ""
    profile_ms: float = 0.0
    profile: list = field(default_factory=list)

    @property
    def alone(self) -> float | None:
        return statistics.median(self.alone_ms) if self.alone_ms else None

    def ms(self, key: str) -> float | None:
        return self.wrk[key] / 1000 if self.wrk and self.wrk["requests"] else None

    @property
    def rps(self) -> float | None:
        return self.wrk["requests"] / (self.wrk["duration_us"] / 1e6) if self.wrk else None

    @property
    def has_target(self) -> bool:
        return self.target_p95 is not None or self.target_queries is not None

    def target_text(self) -> str:
        parts = []
        if self.target_p95 is not None:
            parts.append(f"p95 < {self.target_p95} ms")
        if self.target_queries is not None:
            parts.append(f"≤ {self.target_queries} queries")
        return ", ".join(parts) or "—"

    def misses(self) -> list[str]:
        missed = []
        if self.failure:
            missed.append(self.failure)
        if self.target_p95 is not None and (
            self.ms("p95_us") is None or self.ms("p95_us") >= self.target_p95
        ):
            missed.append("p95")
        if self.target_queries is not None and self.queries > self.target_queries:
            missed.append("queries")
        return missed


def breakdown(captured: list[dict]) -> Counter:
    from bench._common import statement

    return Counter(statement(q["sql"]) for q in captured)


def describe_queries(captured: list[dict], limit: int = 8) -> str:
    from bench._common import statement

    counts, times = breakdown(captured), Counter()
    for q in captured:
        times[statement(q["sql"])] += float(q["time"]) * 1000
    parts = [
        f"{verb} {table}".strip() + (f" ×{n}" if n > 1 else "") + f" ({times[(verb, table)]:.0f} ms)"
        for (verb, table), n in sorted(counts.items(), key=lambda item: (-item[1], -times[item[0]]))
    ]
    more = f", … {len(parts) - limit} more kinds" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more


def requests_text(page: Page) -> str:
    return f"{page.rps:.2f} ({page.wrk['requests']} in {page.duration} s)" if page.wrk else "—"


def loaded(page: Page, key: str) -> str:
    return "not run (see below)" if page.skipped else fmt(page.ms(key))


def cpu_text(cpu) -> str:
    return f"{cpu.server:.0%} / {cpu.postgres:.0%} / {cpu.other:.0%}" if cpu else "—"


def fmt(value: float | None, digits: int = 0, unit: str = "") -> str:
    return "—" if value is None else f"{value:,.{digits}f}{unit}"


class Benchmark:
    def __init__(self, options, host, command_line, started, started_at):
        self.options, self.host, self.command_line = options, host, command_line
        self.started, self.started_at = started, started_at
        self.seed: Child | None = None
        self.migrate_seconds = 0.0
        self.tables: list = []
        self.pages: list[Page] = []
        self.background: list[dict] = []
        self.ladder: list = []
        self.findings: list[str] = []
        self.circular_pk = None
        self.drafted_from: dict[int, str] = {}

    def run(self) -> None:
        from django.db import connection

        from bench._common import database_name

        if connection.vendor != "postgresql" or database_name() in FORBIDDEN_DATABASES:
            sys.exit("bench/run measures a PostgreSQL database of its own")
        self.seed_city()
        try:
            self.prepare()
            self.count_queries()
            self.time_main_queries()
            self.assess()
            self.reminders()
            self.export()
            self.under_load()
            self.profile_misses()
        finally:
            self.restore()
        report = self.report()
        print(report)
        Path(self.options.output).write_text(report)
        print(
            f"\n(written to {self.options.output}; raw output in {OUT.relative_to(ROOT)}/)", file=sys.stderr
        )

    # --- 1. the city ---------------------------------------------------------------------

    def seed_city(self) -> None:
        from django.core.management import call_command

        from bench._common import ensure_static, table_stats
        from responsibility.models import Unit

        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        self.migrate_seconds = time.perf_counter() - start
        if self.options.keep:
            if not Unit.objects.filter(code__startswith="load").exists():
                sys.exit(f"--keep: no load data in {self.options.database}; run without --keep to seed it")
        else:
            step(f"seeding: generate_load --units {self.options.units} --years {self.options.years}")
            self.seed = run_child(
                [
                    sys.executable,
                    "manage.py",
                    "generate_load",
                    "--units",
                    str(self.options.units),
                    "--years",
                    str(self.options.years),
                ],  # fmt: skip
                limit=900,
            )
            if self.seed.returncode:
                sys.exit(f"generate_load failed ({self.seed.returncode}):\n{self.seed.out}")
        ensure_static()
        self.tables = table_stats(self.main_models())

    @staticmethod
    def main_models():
        from assessment.models import Accident, Report
        from responsibility.models import Membership, ResponsibilityLetter, Target, Unit, User

        return [Report, Report.history.model, Target, ResponsibilityLetter, Accident, Unit, User, Membership]

    # --- 2. what the pages need ----------------------------------------------------------

    def prepare(self) -> None:
        from django.urls import reverse
        from django.utils import timezone

        from assessment import tasks
        from assessment.circulars import services as circular_services
        from assessment.models import Report, ReportStatus
        from assessment.reports import services as report_services
        from assessment.reports.views import current_quarter
        from bench.circulars import draft_situation
        from bench.load import is_accident_figures_query, is_targets_query
        from responsibility.models import LetterStatus, ResponsibilityLetter, Unit, User, Year

        step("preparing: a published 情况通报, entry pages in draft")
        today = timezone.localdate()
        self.year = Year.objects.current(today)
        self.quarter = current_quarter(self.year, today)
        self.latest = Year.objects.filter(letters__unit__code__startswith="load").order_by("-year").first()
        if report_services.is_locked(self.year, self.quarter):
            sys.exit(f"{self.year.year} Q{self.quarter} is locked: the entry page cannot be saved")
        office = User.objects.get(username="load_anweiban")

        draft, seconds, queries, period = draft_situation(office)
        self.circular_pk = draft.pk
        with mock.patch.object(tasks.publish_circular_notices, "delay", lambda *args: None):
            circular = circular_services.publish_circular(draft, user=office, version=draft.version)
        self.circular_label = f"{circular.doc_number}, 情况通报 {draft.year.year} Q{period}"
        self.draft_circular = (seconds, queries)

        self.post_units = [
            Unit.objects.get(code=f"load{n:03d}") for n in range(1, self.options.connections + 1)
        ]
        quarter_rows = Report.objects.filter(unit__in=self.post_units, year=self.year, quarter=self.quarter)
        self.drafted_from = dict(quarter_rows.values_list("pk", "status"))
        quarter_rows.update(status=ReportStatus.DRAFT)
        self.rows_per_unit = quarter_rows.filter(unit=self.post_units[0]).count()

        unit = self.post_units[0]
        letter = ResponsibilityLetter.objects.get(unit=unit, year=self.year)
        if letter.status != LetterStatus.SIGNED:
            sys.exit(f"{unit.code}'s {self.year.year} letter is {letter.status}, not signed")
        entry = reverse(
            "assessment:report_entry",
            kwargs={"unit_pk": unit.pk, "year": self.year.year, "quarter": self.quarter},
        )
        q = f"{self.year.year} Q{self.quarter}"
        reporter = f"{unit.code}_r1"
        page, post = PAGE_P95_MS, POST_P95_MS
        self.pages = [
            Page("dashboard", "驾驶舱 `/dashboard/`", "/dashboard/", "load_leader", target_p95=page,
                 target_queries=PAGE_QUERIES, main_label="accident figures", is_main=is_accident_figures_query),
            Page("ranking", "ranking 板块 `/ranking/?group=territory`", "/ranking/?group=territory", "load_leader",
                 target_p95=page, target_queries=PAGE_QUERIES, main_label="assess_year targets",
                 is_main=is_targets_query),
            Page("overview", f"quarter overview {q}",
                 reverse("assessment:quarter_overview") + f"?year={self.year.year}&quarter={self.quarter}",
                 "load_anweiban"),
            Page("review", f"review queue `?status=approved&year={self.latest.year}`",
                 reverse("assessment:review_queue") + f"?status=approved&year={self.latest.year}", "load_anweiban"),
            Page("entry-get", f"entry page GET {unit.code} {q} ({self.rows_per_unit} draft rows)", entry, reporter),
            Page("entry-post", f"entry page POST 保存草稿 ({self.rows_per_unit} rows; "
                 f"{self.options.connections} reporters under load)", entry, reporter, method="POST",
                 target_p95=post, expected=302),
            Page("letter-pdf", f"letter PDF {unit.code} {self.year.year} (signed)",
                 reverse("responsibility:letter_pdf", args=[letter.pk]), reporter),
            Page("circular-pdf", f"circular PDF {circular.doc_number}",
                 reverse("assessment:circular_pdf", args=[circular.pk]), reporter),
        ]  # fmt: skip

    def restore(self) -> None:
        """Leave the database as generate_load made it, give or take the saves (history, versions)."""
        try:
            from assessment.models import Circular, Report

            for status in set(self.drafted_from.values()):
                ids = [pk for pk, was in self.drafted_from.items() if was == status]
                Report.objects.filter(pk__in=ids).update(status=status)
            if self.circular_pk:
                Circular.objects.filter(pk=self.circular_pk).delete()
        except Exception as error:  # noqa: BLE001 - reported, the run's own error matters more
            print(
                f"could not restore the entry pages' status or delete the circular: {error}", file=sys.stderr
            )

    # --- 3. queries per page, in-process ---------------------------------------------------

    def client_for(self, username: str):
        from django.test import Client

        from responsibility.models import User

        client = Client(raise_request_exception=False)  # a page that fails is reported, the others measured
        client.force_login(User.objects.get(username=username))
        return client

    def post_data(self, client, path: str, n: int) -> dict[str, str]:
        from bench._common import entry_save_data, form_fields

        return entry_save_data(form_fields(client.get(path).content), n)

    def version_total(self, units=None) -> int:
        from django.db.models import Sum

        from assessment.models import Report

        rows = Report.objects.filter(unit__in=units or self.post_units, year=self.year, quarter=self.quarter)
        return rows.aggregate(total=Sum("version"))["total"] or 0

    def count_queries(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        step("counting queries per page (django.test.Client)")
        clients = {}
        for page in self.pages:
            client = clients.get(page.username) or clients.setdefault(
                page.username, self.client_for(page.username)
            )
            if page.method == "GET":
                client.get(page.path)  # warm: the first request of a process loads templates and URLconf
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(page.path)
            else:
                data = self.post_data(client, page.path, 1)
                before = self.version_total(self.post_units[:1])
                with CaptureQueriesContext(connection) as captured:
                    response = client.post(page.path, data)
                saved = self.version_total(self.post_units[:1]) - before
                if saved != self.rows_per_unit:
                    page.failure = f"the POST saved {saved} rows of {self.rows_per_unit}"
            if response.status_code != page.expected:
                page.failure = f"HTTP {response.status_code} through the test client, not {page.expected}"
                page.skipped = (
                    "not run under load: it fails in-process (the traceback is in the run's output)"
                )
                step(f"{page.label}: {page.failure}")
            page.queries = len(captured)
            page.captured = captured.captured_queries
            page.sql_ms = sum(float(q["time"]) for q in page.captured) * 1000
            page.size = len(response.content)
            (OUT / f"queries_{page.key}.sql").write_text(
                "".join(f"-- {float(q['time']) * 1000:.1f} ms\n{q['sql']};\n\n" for q in page.captured)
            )
            self.pick_main_query(page)

    @staticmethod
    def pick_main_query(page: Page) -> None:
        from bench._common import main_query

        page.main_sql, page.main_label, page.main_runs = main_query(
            page.captured, page.is_main, page.main_label
        )

    def time_main_queries(self) -> None:
        from bench._common import explain, psql_timing

        step("timing the main queries through psql")
        for page in self.pages:
            if page.main_sql:
                page.main_ms = psql_timing(page.main_sql, 5, OUT / f"main_{page.key}.sql")
                page.explain_ms, plan = explain(page.main_sql)
                (OUT / f"main_{page.key}.plan.txt").write_text(plan + "\n")

    # --- 4. under load -------------------------------------------------------------------

    def under_load(self) -> None:
        from bench._common import (
            cookie_header,
            drain,
            free_port,
            get,
            login,
            start_gunicorn,
            stop,
            wrk_with_cpu,
        )
        from bench._machine import wait_idle

        o = self.options
        free_port(o.port)
        base = f"http://127.0.0.1:{o.port}"
        per_page = o.wait_limit + 3 * 120 + 2 * 60 + (o.alone + 2) * 60
        server = start_gunicorn(
            o.port, o.workers, int(120 + len(self.pages) * per_page), OUT / "gunicorn.log"
        )
        try:
            users = {page.username for page in self.pages} | {f"{u.code}_r1" for u in self.post_units}
            cookies = {username: login(base, username) for username in sorted(users)}
            for page in self.pages:
                if page.failure and page.skipped:
                    continue
                step(f"under load: {page.label}")
                cookie = cookie_header(cookies[page.username])
                drain(server)
                page.busy = wait_idle(o.wait_idle, o.wait_limit)
                if page.method == "GET":
                    status, first = get(base + page.path, cookie)
                    if status != page.expected:
                        sys.exit(f"{page.path}: HTTP {status} from gunicorn")
                    run = dict(cookie=cookie)
                    threads = o.threads

                    def one(cookie=cookie, page=page):
                        return get(base + page.path, cookie)[1]
                else:
                    first = self.post_once(base, page.path, cookies[page.username], 0)
                    run = dict(script=ROOT / "bench" / "wrk_post.lua", args=(str(OUT),))
                    threads = o.connections  # one connection, one reporter per thread

                    def one(page=page):
                        return self.post_once(base, page.path, cookies[page.username], 1)

                # A connection waits for the others on the cores: a request takes about this long.
                cores = int(self.host["cores"])
                if first / 1000 * o.connections / cores <= MAX_LOADED_SECONDS:
                    # Every worker's first request of the page (templates, URLconf) out of the way.
                    if page.method == "POST":
                        self.write_post_bodies(base, cookies)
                    wrk_with_cpu(server, base + page.path, o.warmup, o.connections, threads, **run)
                    drain(server)
                page.alone_ms = self.alone(one)
                loaded = page.alone / 1000 * o.connections / cores
                if loaded > MAX_LOADED_SECONDS:
                    page.skipped = (
                        f"not run under load: {page.alone / 1000:,.1f} s alone, so about {loaded:,.0f} s a request "
                        f"with {o.connections} connections on {cores} cores, beyond what a bounded "
                        f"wrk run of ≤ 30 s measures"
                    )
                    continue
                if page.method == "POST":
                    self.write_post_bodies(base, cookies)
                    before = self.version_total()
                # Long enough for each connection to finish about three requests, even a PDF's.
                page.duration = min(30, max(o.duration, math.ceil(3 * loaded)))
                page.wrk, raw, page.cpu = wrk_with_cpu(
                    server, base + page.path, page.duration, o.connections, threads, **run
                )
                (OUT / f"wrk_{page.key}.txt").write_text(raw)
                drain(server)
                if page.method == "POST":
                    self.check_saves(page, self.version_total() - before)
        finally:
            stop(server)

    def alone(self, request) -> list[float]:
        """`--alone` requests one at a time (ms); for a slow page at least 3, then as many as fit in 20 s."""
        times, deadline = [], time.monotonic() + 20
        while len(times) < self.options.alone and (len(times) < 3 or time.monotonic() < deadline):
            times.append(request())
        return times

    def post_once(self, base: str, path: str, cookies: dict, n: int) -> float:
        """One 保存草稿 over HTTP, as a browser sends it after loading the page: the POST's time, ms."""
        from bench._common import cookie_header, entry_save_data, form_fields, request

        cookie = cookie_header(cookies)
        status, _, body = request(base + path, cookie)
        fields = form_fields(body)
        data = entry_save_data(fields, n) | {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"]}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": cookies["csrftoken"]}
        status, ms, _ = request(base + path, cookie, urllib.parse.urlencode(data).encode(), headers)
        if status != 302:
            sys.exit(f"POST {path}: HTTP {status} from gunicorn, not the 302 of a save")
        return ms

    def write_post_bodies(self, base: str, cookies: dict) -> None:
        """bench/wrk_post.lua's input: per reporter, their page's path, cookies, token and body."""
        from django.urls import reverse

        from bench._common import cookie_header, entry_save_data, form_fields, request

        quote = urllib.parse.quote_plus
        for n, unit in enumerate(self.post_units, start=1):
            path = reverse(
                "assessment:report_entry",
                kwargs={"unit_pk": unit.pk, "year": self.year.year, "quarter": self.quarter},
            )
            own = cookies[f"{unit.code}_r1"]
            status, _, body = request(base + path, cookie_header(own))
            if status != 200:
                sys.exit(f"GET {path} as {unit.code}_r1: HTTP {status}")
            fields = form_fields(body)
            parts = []
            for name, value in entry_save_data(fields, 0).items():
                if name.endswith("-version") and value:
                    parts.append(f"{quote(name)}=@V{int(value)}@")
                elif name.endswith("-progress"):
                    parts.append(f"{quote(name)}={quote('基准并发保存第')}@N@{quote('次')}")
                else:
                    parts.append(f"{quote(name)}={quote(value)}")
            parts.append(f"csrfmiddlewaretoken={quote(fields['csrfmiddlewaretoken'])}")
            (OUT / f"post_{n}.txt").write_text(
                f"{path}\n{cookie_header(own)}\n{own['csrftoken']}\n" + "&".join(parts)
            )

    def check_saves(self, page: Page, increments: int) -> None:
        """Every 302 wrk saw must be a save of all the page's rows; a few more may have been in
        flight when wrk stopped (the server finishes them)."""
        w = page.wrk
        redirects = w["requests"] - w["unexpected"]
        saves = increments / max(self.rows_per_unit, 1)
        page.note = (
            f"{redirects:,} saves answered 302 (× {self.rows_per_unit} rows); the database moved "
            f"{increments:,} row versions on = {saves:,.1f} saves"
        )
        if w["unexpected"] or not redirects <= saves <= redirects + self.options.connections:
            page.failure = f"not every POST saved: {page.note}, {w['unexpected']} other answers"

    # --- profiles of the pages that miss -------------------------------------------------

    def profile_misses(self) -> None:
        from bench._common import profile_top

        for page in self.pages:
            if not page.misses() or page.skipped:
                continue
            step(f"profiling {page.label}")
            client = self.client_for(page.username)
            if page.method == "GET":
                client.get(page.path)  # as measured: templates loaded
                page.profile_ms, page.profile = profile_top(
                    lambda client=client, page=page: client.get(page.path)
                )
            else:
                data = self.post_data(client, page.path, 99)
                page.profile_ms, page.profile = profile_top(
                    lambda client=client, page=page, data=data: client.post(page.path, data)
                )

    # --- 5.–7. the background work -------------------------------------------------------

    def export(self) -> None:
        from django.core.management import get_commands

        from assessment import tasks

        year = self.year.year
        task = "present" if hasattr(tasks, "build_year_export") else "absent"
        row = {
            "what": f"Excel export of {year} (`manage.py export_year {year} --output …`, a child process)",
            "target": f"< {EXPORT_SECONDS} s, < {EXPORT_MB} MB",
        }
        if "export_year" not in get_commands():
            self.background.append(
                row | {"time": "not available", "detail": "", "result": f"no command export_year (Celery task {task})",
                       "met": "not available"}
            )  # fmt: skip
            return
        step(f"export_year {year}")
        output = OUT / f"export_{year}.xlsx"
        output.unlink(missing_ok=True)
        child = run_child(
            [sys.executable, "manage.py", "export_year", str(year), "--output", str(output)], limit=600
        )
        size = output.stat().st_size if output.exists() else 0
        said = " ".join(line.strip() for line in child.out.strip().splitlines()[-3:])
        met = child.returncode == 0 and child.seconds < EXPORT_SECONDS and child.peak_mb < EXPORT_MB
        row |= {
            "time": f"{child.seconds:.1f} s",
            "detail": f"peak RSS {child.peak_mb:,.0f} MB",
            "result": (f"exit {child.returncode}; " if child.returncode else "")
            + f"{size / 1024 / 1024:.1f} MB file; it said: {said or '—'} (Celery task build_year_export {task})",
            "met": "met" if met else "**missed**",
        }
        self.background.append(row)
        output.unlink(missing_ok=True)
        if not met:
            self.findings.append(
                f"**Excel export of {year}: {child.seconds:.1f} s, peak {child.peak_mb:,.0f} MB** (target < "
                f"{EXPORT_SECONDS} s and < {EXPORT_MB} MB{', exit ' + str(child.returncode) if child.returncode else ''})."
                f" The command said: {said or '—'}\n  - **Lead — why and what would meet it:** _(to fill in)_"
            )

    def assess(self) -> None:
        from django.utils import timezone

        from assessment.results.assessing import assess_year
        from bench._common import profile_top
        from bench._machine import wait_idle
        from bench.assess import measure

        step(f"assess_year({self.year.year}), median of 3")
        today = timezone.localdate()
        busy = wait_idle(self.options.wait_idle, self.options.wait_limit)
        for label, fn in (
            (f"provisional, today {today}", lambda: assess_year(self.year, today=today)),
            ("final (provisional=False)", lambda: assess_year(self.year, provisional=False)),
        ):
            result = measure(label, fn, 3)
            met = result.median < ASSESS_SECONDS
            self.background.append(
                {
                    "what": f"assess_year({self.year.year}) {label}: {result.units} units × "
                    f"{result.targets / max(result.units, 1):.0f} targets",
                    "time": f"{result.median:.2f} s ({min(result.times):.2f}–{max(result.times):.2f})",
                    "detail": f"{result.queries} queries, SQL {result.sql_ms:.0f} ms",
                    "result": f"slowest query {result.slowest_ms:.0f} ms; other work kept {busy:.0%} of the "
                    "cores busy just before",
                    "target": f"< {ASSESS_SECONDS:.0f} s",
                    "met": "met" if met else "**missed**",
                }
            )
            if not met:
                total, lines = profile_top(fn)
                self.findings.append(
                    f"**assess_year {label}: {result.median:.2f} s** (target < {ASSESS_SECONDS:.0f} s). "
                    f"SQL {result.sql_ms:.0f} ms in {result.queries} queries (slowest {result.slowest_ms:.0f} ms); "
                    f"the other {result.median * 1000 - result.sql_ms:,.0f} ms is Python. Under cProfile "
                    f"({total:,.0f} ms): "
                    + "; ".join(lines)
                    + "\n  - **Lead — what would meet it:** _(to fill in)_"
                )

    def reminders(self) -> None:
        from bench.reminders import run_ladder
        from responsibility.models import Year

        year = Year.objects.order_by("-year").first()
        step(f"reminders for {year.year} Q4 (deadline {year.q4_deadline}), rolled back")
        rows, reset, _total = run_ladder(year)
        self.ladder = rows
        self.ladder_reset = (year, reset)
        first, again = rows[0], rows[1]
        written_again = sum(again[4].values())
        for (label, seconds, queries, what, _counts), target, met in (
            (first, "—", "—"),
            (again, "0 written", "met" if written_again == 0 and not math.isnan(again[1]) else "**missed**"),
        ):
            shown = "fails" if seconds != seconds else f"{seconds:.2f} s"
            self.background.append(
                {
                    "what": f"reminders for {year.year} Q4, {label}",
                    "time": shown,
                    "detail": f"{queries} queries",
                    "result": what,
                    "target": target,
                    "met": met,
                }
            )
        if written_again:
            self.findings.append(
                f"**Reminders, second run on the same day wrote {written_again} notices** ({again[3]}); it must "
                "write none.\n  - **Lead — why and what would meet it:** _(to fill in)_"
            )

    # --- 8. the report -------------------------------------------------------------------

    def page_findings(self) -> None:
        o = self.options
        common = None
        for page in self.pages:
            if page.method == "GET":
                kinds = breakdown(page.captured)
                common = kinds if common is None else common & kinds
        overhead = sum(common.values()) if common else 0
        overhead_text = ", ".join(
            f"{verb} {table}".strip() + (f" ×{n}" if n > 1 else "") for (verb, table), n in sorted(common.items())
        ) if common else ""  # fmt: skip
        for page in self.pages:
            missed = page.misses()
            if not missed:
                continue
            lines = []
            head = []
            if page.target_p95 is not None and page.ms("p95_us") is not None:
                head.append(f"p95 {page.ms('p95_us'):,.0f} ms (target < {page.target_p95} ms)")
            elif page.target_p95 is not None and page.skipped:
                head.append(page.skipped)
            elif page.target_p95 is not None:
                head.append(
                    f"no request finished under load in {page.duration} s (target p95 < {page.target_p95} ms)"
                )
            if page.target_queries is not None:
                head.append(f"{page.queries} queries (target ≤ {page.target_queries})")
            if page.failure:
                head.append(page.failure)
            alone = page.alone
            lines.append(f"**{page.label}: {', '.join(head)}.**")
            if alone is not None:
                python = max(alone - page.sql_ms, 0)
                lines.append(
                    f"  - Why (measured): one request alone takes {alone:,.0f} ms; its {page.queries} queries "
                    f"spent {page.sql_ms:,.0f} ms in the database (in-process count), so about {python:,.0f} ms "
                    f"({python / alone:.0%}) is Python: the view, model instances, templates."
                    + (
                        f" The main query, {page.main_label}, takes {page.main_ms:,.1f} ms through psql"
                        + (f" and runs {page.main_runs}× per request" if page.main_runs > 1 else "")
                        + "."
                        if page.main_ms is not None
                        else ""
                    )
                )
            if page.profile:
                lines.append(
                    f"  - Where the Python time goes (cProfile, one request, {page.profile_ms:,.0f} ms with the "
                    f"profiler's overhead): " + "; ".join(page.profile) + "."
                )
            if "p95" in missed and page.ms("p95_us") is not None and alone:
                ratio = page.ms("p95_us") / alone
                needed = page.target_p95 / ratio
                lines.append(
                    f"  - Under load: {o.connections} connections on {o.workers} sync workers and "
                    f"{self.host['cores']} cores (during the run gunicorn got {page.cpu.server:.0%} of them, PostgreSQL "
                    f"{page.cpu.postgres:.0%}, the rest {page.cpu.other:.0%}"
                    + (
                        f"; the cores were idle or waiting for I/O {page.cpu.idle:.0%} of the time, so the "
                        "requests also wait for something else: locks, the disk (commits)"
                        if page.cpu.idle > 0.15
                        else ""
                    )
                    + f") make p95 "
                    f"{ratio:.1f} × the page alone. What would meet p95 < {page.target_p95} ms at this "
                    f"concurrency: about {needed:,.0f} ms alone, {alone - needed:,.0f} ms less than now"
                    + (
                        f"; the database's {page.sql_ms:,.0f} ms alone exceed that, so the queries must get "
                        "faster too (plans in var/bench_run/)."
                        if page.sql_ms > needed
                        else f"; the database's part ({page.sql_ms:,.0f} ms) fits, so the cut is in Python."
                    )
                )
            if "queries" in missed:
                lines.append(
                    f"  - The {page.queries} queries: {describe_queries(page.captured)}."
                    + (
                        f" Of them {overhead} run on every page measured here (per-request overhead: "
                        f"{overhead_text}), leaving {page.target_queries - overhead} for the page's own work "
                        f"under the limit of {page.target_queries}, against {page.queries - overhead} now."
                        if overhead
                        else ""
                    )
                )
            lines.append("  - **Lead — what would meet it:** _(to fill in)_")
            self.findings.append("\n".join(lines))

    def report(self) -> str:
        import celery
        import django
        import gunicorn
        import psycopg2
        import weasyprint
        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        self.page_findings()
        o = self.options
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0].split()[0]
        cache = settings.CACHES["default"]
        cache_text = (
            f"Redis {redis_version(cache['LOCATION'])} at {cache['LOCATION']}"
            if "redis" in cache["BACKEND"]
            else f"{cache['BACKEND'].rsplit('.', 1)[-1]} in {cache['LOCATION']}"
        )
        broker = settings.CELERY_BROKER_URL.split(":", 1)[0]  # a Celery worker is not part of the run
        wrk = first_line(["wrk", "-v"]).split(" [")[0]
        commit = first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True
        ).stdout.count("\n")
        local = timezone.localtime(self.started_at)
        minutes = (time.monotonic() - self.started) / 60
        out = [
            f"# `bench/run`: {o.units} units × {o.years} years on PostgreSQL"
            if not o.keep
            else f"# `bench/run`: the city in {o.database} on PostgreSQL (--keep)",
            "",
            f"- Date: {local:%Y-%m-%d %H:%M} {settings.TIME_ZONE} ({self.started_at:%Y-%m-%d %H:%M} UTC); "
            f"the run took {minutes:.1f} min",
            f"- Machine: {self.host['cpu']}, {self.host['cores']} cores, {self.host['ram']} RAM; load average "
            f"before the start {self.host['load']} (1 / 5 / 15 min)",
            f"- Versions: Python {sys.version.split()[0]}, Django {django.get_version()}, PostgreSQL {pg}, "
            f"gunicorn {gunicorn.__version__}, Celery {celery.__version__} (broker {broker}://), {wrk}, "
            f"WeasyPrint {weasyprint.__version__}, psycopg2 {psycopg2.__version__.split()[0]}; the app's "
            f"shared cache (login throttling): {cache_text}",
            f"- Code: commit {commit}" + (f" with {dirty} changed files in the work tree" if dirty else ""),
            f"- Command: `{self.command_line}`",
            "",
            "## Pages",
            "",
            f"gunicorn, {o.workers} sync workers on 127.0.0.1, DEBUG=0; `wrk -t{o.threads} -c{o.connections} "
            f"-d{o.duration}s` after {o.warmup} s of warm-up (the POST: `-t{o.connections} -c{o.connections}`, "
            f"one reporter of her own unit per connection, bench/wrk_post.lua), on the same machine. Queries: "
            f"one request through django.test.Client. Alone: median of {o.alone} requests one at a time (of 3 or more for a slow page, within 20 s). Main "
            f"query: psql `\\timing`, median of 5. Ratio: alone ÷ main query. CPU: the share of the cores other "
            f"work used just before the page; during the wrk run, gunicorn's share, PostgreSQL's, and the rest "
            f"(wrk and whatever else runs on the machine). With gunicorn well under ~85 % the figures are "
            f"someone else's load.",
            "",
            "| page | queries | alone median ms | p50 under load ms | p95 under load ms | req/s (requests) | "
            "main query ms | ratio | target | met? | errors / unexpected status | CPU before; during: gunicorn / PostgreSQL / rest |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |",
        ]
        from bench._common import wrk_errors

        for p in self.pages:
            ratio = p.alone / p.main_ms if p.alone and p.main_ms else None
            met = "—" if not p.has_target and not p.failure else ("**missed**" if p.misses() else "met")
            w = p.wrk
            out.append(
                f"| {p.label} | {p.queries} | {fmt(p.alone)} | {loaded(p, 'p50_us')} | {loaded(p, 'p95_us')} | "
                f"{requests_text(p)} | {fmt(p.main_ms, 1)} | "
                f"{fmt(ratio, 0, '×')} | "
                f"{p.target_text()} | {met} | {wrk_errors(w) if w else '—'} / {w.get('unexpected', '—')} | "
                f"{p.busy:.0%}; {cpu_text(p.cpu)} |"
            )
        out += ["", "Main queries and notes:", ""]
        for p in self.pages:
            main = (
                f"{p.main_label}: {fmt(p.main_ms, 1)} ms psql, {fmt(p.explain_ms, 1)} ms EXPLAIN ANALYZE"
                + (f", runs {p.main_runs}× per request" if p.main_runs > 1 else "")
                if p.main_sql
                else "no SELECT"
            )
            out.append(
                f"- {p.label}: {main}; all {p.queries} queries {p.sql_ms:,.0f} ms; {p.size / 1024:,.0f} KB"
                + (f"; {p.note}" if p.note else "")
                + (f"; **{p.skipped}**" if p.skipped else "")
            )
        out += [
            "",
            "## Background work",
            "",
            "| what | time | queries / memory | result | target | met? |",
            "| --- | ---: | --- | --- | --- | --- |",
        ]
        for row in self.background:
            out.append(
                f"| {row['what']} | {row['time']} | {row['detail']} | {row['result']} | {row['target']} | {row['met']} |"
            )
        year, reset = self.ladder_reset
        out += [
            "",
            f"The reminder ladder ({year.year} Q4, {reset:,} reports set back to draft, all rolled back; "
            f"bench/reminders.py): "
            + "; ".join(
                f"{label}: {'fails' if s != s else f'{s:.2f} s'}, {q} queries, {what}"
                for label, s, q, what, _ in self.ladder
            )
            + ".",
            f"Drafting the 情况通报 for the circular PDF took {self.draft_circular[0]:.2f} s, "
            f"{self.draft_circular[1]} queries ({self.circular_label}).",
            "",
            "## Seed, rows and sizes",
            "",
        ]
        if self.seed:
            own = re.search(r"完成，用时 ([\d.]+) s", self.seed.out)
            out.append(
                f"`manage.py generate_load --units {o.units} --years {o.years}`: **{self.seed.seconds:.1f} s** "
                f"wall ({own.group(1) + ' s by its own clock, ' if own else ''}peak RSS "
                f"{self.seed.peak_mb:,.0f} MB); `migrate` on the empty database {self.migrate_seconds:.1f} s."
            )
            stages = [line.strip() for line in self.seed.out.splitlines() if re.match(r"\s.*\d s\b", line)]
            out += ["", "```", *stages, "```"]
        else:
            out.append(f"Not seeded (--keep): the data already in {o.database}.")
        out += ["", "| table | rows | total size with indexes |", "| --- | ---: | ---: |"]
        out += [f"| {table} | {rows:,} | {size} |" for table, rows, size in self.tables]
        out += ["", "## Missed targets: why, and what would meet it", ""]
        out += [f"- {finding}" for finding in self.findings] or ["Every target is met."]
        return "\n".join(out) + "\n"


def redis_version(url: str) -> str:
    try:
        import redis

        return redis.Redis.from_url(url, socket_timeout=5).info("server")["redis_version"]
    except Exception as error:  # noqa: BLE001 - a version to print
        return f"(version unknown: {error})"


def first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return ((done.stdout or done.stderr).strip().splitlines() or ["unknown"])[0]


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
