"""bench/run --mixed: the leaders' pages while reporters save and the office approves (issue 14, item 4).

    bench/run --database wuxisafety_perf300 --mixed        # a city generated before (never seeded here)

Against a database that `generate_load` filled, with the kept assessment computed:

1. prepares the current quarter: the reports of a pool of reporters' units set back to draft, and
   of a pool of other units set to submitted (the office's queue from the first second); the kept
   rows of both pools recomputed in-process, so the run starts up to date. Set back at the end
   (and those units' kept rows recomputed again);
2. starts gunicorn (4 sync workers, DEBUG=0) and a real Celery worker (`celery -A wuxisafety worker`,
   its default concurrency: the cores) with the broker in Redis (`--broker-url`, a db number of
   its own), both in process groups of their own and under `timeout`; logs everyone in through
   the login form;
3. each page alone: the 驾驶舱 and the ranking 板块, `--alone` requests one at a time (p50, p95),
   after every worker's first request of each; then the same 4 leaders as below looping over both
   pages for `--mixed-seconds` with no one writing (the issue's own "alone": its pages under wrk
   -c4 without writes), per page p50, p95;
4. the mixed load, `--mixed-seconds` long, all through HTTP from threads of this process:
   - 4 leaders, each looping over the 驾驶舱 and the ranking (a new connection per request, as
     urllib makes them): per page p50, p95, count;
   - reporters at one save a second overall: 4 slots, each saving every 4 s, one unit at a time —
     the entry page once (its rows' versions), then 3 保存草稿 and 1 提交 (real POSTs with the CSRF
     cookie and token; every save rewrites all 60 rows, so the versions move on by one), then the
     next unit. A save answers 302; anything else is counted as a failure;
   - the office approving one submitted report every 5 s through the review POST
     (`/review/<pk>/`, action=approve), the oldest submitted report of the quarter;
   - staleness of each approval, from its response (its commit is before it) until
     a) its refresh committed: the approval's `KeptMark` (a later id than any before the POST, for
        its unit) is gone, deleted in the transaction that wrote the unit's kept row (polled in
        the database every 50 ms), and
     b) a leader sees it: the first ranking page a leader asked for after that came back (the
        leaders go on after the run until every approval has been looked for; those requests are
        not counted in the pages' figures);
5. the load average before and in the middle and at the end of the mixed run, and how the cores
   were shared (gunicorn / the Celery worker / PostgreSQL / the rest, this process included);
   the refresh tasks' times from the worker's log.

Prints and returns a Markdown section (bench/run writes it into bench/results.md under
"## Mixed load", one subsection per city). Raw output in var/bench_run/mixed_<database>/.
"""

import math
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"

LEADERS = 4  # the issue: 4 leaders on the 驾驶舱 and the ranking
SAVE_SLOTS = 4  # reporters saving at once, each every SAVE_SLOTS seconds: one save a second
SAVES_PER_UNIT = 4  # 3 drafts, then the submission
APPROVE_EVERY = 5.0  # seconds
PAGE_P95_MS, LOAD_FACTOR, SAVE_P95_MS, STALE_P95_S = 300, 2.0, 300, 5.0
SHOWN = re.compile(r"截至 (\d\d):(\d\d):(\d\d)")


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def p(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile `q` (0–100) of `values`."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


def fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


@dataclass
class Sample:
    page: str
    started: float  # time.time()
    ended: float
    ms: float
    status: int
    shown: float | None = None  # the page's 截至 as an epoch time


@dataclass
class Approval:
    pk: int
    unit_id: int
    committed: float  # the review POST's response received (time.time())
    ms: float
    status: int
    mark_after: int  # the KeptMark ids before the POST: the approval's mark is a later one
    seen_db: float | None = None
    seen_page: float | None = None
    shown: float | None = None  # the 截至 time that page showed


@dataclass
class Outcome:
    alone: dict = field(default_factory=dict)  # page -> [ms]
    quiet: list = field(default_factory=list)  # the 4 leaders' samples with no one writing
    samples: list = field(default_factory=list)
    saves: list = field(default_factory=list)  # (kind, ms, status)
    entry_gets: list = field(default_factory=list)
    approvals: list = field(default_factory=list)
    loads: list = field(default_factory=list)  # (when, (1, 5, 15 min))
    cpu: dict = field(default_factory=dict)
    refreshes: list = field(default_factory=list)  # seconds per refresh task
    seconds: float = 0.0
    stop_at: float = 0.0  # the mixed run's end: leaders' requests started later are not counted
    busy: float = 0.0  # the share of the cores other work kept busy just before the pages alone
    errors: list = field(default_factory=list)


class MixedLoad:
    def __init__(self, options, pages: dict[str, str]):
        from django.utils import timezone

        from assessment.reports.views import current_quarter
        from bench._common import database_name
        from responsibility.models import Year

        self.o = options
        self.pages = pages  # label -> path
        self.out = ROOT / "var" / "bench_run" / f"mixed_{database_name()}"
        self.out.mkdir(parents=True, exist_ok=True)
        self.base = f"http://127.0.0.1:{options.port}"
        self.today = timezone.localdate()
        self.year = Year.objects.current(self.today)
        self.quarter = current_quarter(self.year, self.today)
        self.zone = timezone.get_current_timezone()
        self.result = Outcome()
        self.stop_at = 0.0
        self.lock = threading.Lock()
        self.previous: dict[int, str] = {}
        self.evidence: list = []
        self.run_id = time.strftime("%H%M%S")
        self.watched = threading.Event()

    # --- the city --------------------------------------------------------------------------

    def prepare(self) -> None:
        from assessment.models import Evidence, Report, ReportStatus
        from responsibility.models import Unit, User

        units = list(Unit.objects.filter(code__startswith="load").order_by("-code"))
        saves = math.ceil(self.o.mixed_seconds) + SAVE_SLOTS * SAVES_PER_UNIT
        needed = math.ceil(saves / SAVES_PER_UNIT) + SAVE_SLOTS
        self.reporter_units = units[:needed]
        self.queue_units = units[needed : needed + 2]  # 120 submitted reports: > 1 every 5 s for 10 min
        rows = Report.objects.filter(year=self.year, quarter=self.quarter)
        touched = rows.filter(unit__in=self.reporter_units + self.queue_units)
        self.previous = dict(touched.values_list("pk", "status"))
        rows.filter(unit__in=self.reporter_units).update(status=ReportStatus.DRAFT)
        # 提交 asks for evidence where the indicator requires it: as if uploaded with an earlier draft
        # (rows only: no page here opens the file). Deleted at the end.
        office = User.objects.get(username="load_anweiban")
        needing = rows.filter(unit__in=self.reporter_units, target__indicator__evidence_required=True)
        self.evidence = Evidence.objects.bulk_create(
            Evidence(report=report, file="bench/evidence.pdf", name="佐证材料.pdf", kind="pdf", size=1024,
                     uploaded_by=office)
            for report in needing.exclude(evidence__isnull=False)
        )  # fmt: skip
        rows.filter(unit__in=self.queue_units).update(
            status=ReportStatus.SUBMITTED, submitted_at=datetime.now(self.zone)
        )
        self.recompute(self.reporter_units + self.queue_units)

    def recompute(self, units) -> None:
        """The units' kept rows as their reports now stand (the statuses were written past the services)."""
        from django.db import transaction

        from assessment.kept import changes
        from assessment.results import keeping

        with transaction.atomic():
            changes.mark_stale(self.year, units, why="基准测试")
            transaction.get_connection().run_on_commit.clear()  # refreshed here, not by a worker
        keeping.refresh(self.year.pk)

    def restore(self) -> None:
        from assessment.models import Evidence, Report
        from responsibility.models import Unit

        Evidence.objects.filter(pk__in=[e.pk for e in self.evidence]).delete()
        for status in set(self.previous.values()):
            ids = [pk for pk, was in self.previous.items() if was == status]
            Report.objects.filter(pk__in=ids).update(status=status)
        if self.previous:
            units = Unit.objects.filter(reports__pk__in=list(self.previous)).distinct()
            self.recompute(list(units))

    # --- requests ---------------------------------------------------------------------------

    def shown_time(self, body: bytes) -> float | None:
        found = SHOWN.search(body.decode(errors="replace"))
        if not found:
            return None
        h, m, s = (int(g) for g in found.groups())
        local = datetime(self.today.year, self.today.month, self.today.day, h, m, s, tzinfo=self.zone)
        return local.timestamp()

    def get_page(self, label: str, cookie: str) -> Sample:
        from bench._common import request

        started = time.time()
        status, ms, body = request(self.base + self.pages[label], cookie)
        return Sample(label, started, time.time(), ms, status, self.shown_time(body))

    def alone(self, cookie: str) -> None:
        for label in self.pages:
            for _ in range(self.o.workers * 2):  # every worker's first request of the page
                self.get_page(label, cookie)
            self.result.alone[label] = [self.get_page(label, cookie).ms for _ in range(max(self.o.alone, 20))]

    def leaders_without_writes(self, cookie: str) -> None:
        """The 4 leaders looping over the pages for --mixed-seconds, no reporter nor office at work."""
        labels = list(self.pages)
        stop = time.time() + self.o.mixed_seconds

        def loop(first: int) -> None:
            n = first
            while time.time() < stop:
                sample = self.get_page(labels[n % len(labels)], cookie)
                n += 1
                with self.lock:
                    self.result.quiet.append(sample)

        threads = [threading.Thread(target=loop, args=(i,)) for i in range(LEADERS)]
        for thread in threads:
            thread.start()
        time.sleep(self.o.mixed_seconds / 2)
        self.result.loads.append(("leaders mid-run", os.getloadavg()))
        for thread in threads:
            thread.join()
        self.result.quiet = [s for s in self.result.quiet if s.started < stop]

    def leader(self, cookie: str, first: int) -> None:
        labels = list(self.pages)
        n = first
        # On after the run until every approval's refresh has been looked for (watch), not counted.
        while not self.watched.is_set() and time.time() < self.stop_at + 30:
            sample = self.get_page(labels[n % len(labels)], cookie)
            n += 1
            with self.lock:
                self.result.samples.append(sample)

    def entry_path(self, unit) -> str:
        from django.urls import reverse

        kwargs = {"unit_pk": unit.pk, "year": self.year.year, "quarter": self.quarter}
        return reverse("assessment:report_entry", kwargs=kwargs)

    def reporter(self, slot: int, units: list, cookies: dict, start: float) -> None:
        """Slot `slot`: a save at start + slot + k × SAVE_SLOTS seconds, one unit after another."""
        from bench._common import cookie_header, entry_save_data, form_fields, request

        k = 0
        for unit in units:
            own = cookies[unit.code]
            cookie, path = cookie_header(own), self.entry_path(unit)
            status, ms, body = request(self.base + path, cookie)
            self.result.entry_gets.append(ms)
            if status != 200:
                self.result.errors.append(f"GET {path}: {status}")
                return
            fields = form_fields(body)
            token = fields["csrfmiddlewaretoken"]
            versions = {name: int(v) for name, v in fields.items() if name.endswith("-version") and v}
            for n in range(SAVES_PER_UNIT):
                due = start + slot + k * SAVE_SLOTS
                k += 1
                if due >= self.stop_at:
                    return
                time.sleep(max(due - time.time(), 0))
                submit = n == SAVES_PER_UNIT - 1
                data = entry_save_data(fields, n + 1) | {name: str(v) for name, v in versions.items()}
                for name in data:  # new text in every row of every save of every run: all 60 rows written
                    if name.endswith("-progress"):
                        data[name] = f"基准混合负载{self.run_id}第{n + 1}次"
                if submit:
                    del data["save"]
                    data["submit"] = "1"
                data["csrfmiddlewaretoken"] = token
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": own["csrftoken"],
                }
                status, ms, _ = request(
                    self.base + path, cookie, urllib.parse.urlencode(data).encode(), headers
                )
                self.result.saves.append(("submit" if submit else "draft", ms, status))
                if status != 302:
                    self.result.errors.append(f"{'submit' if submit else 'save'} {unit.code}: HTTP {status}")
                    break  # the page is not what we think: the next unit
                versions = {name: v + 1 for name, v in versions.items()}

    def office(self, cookies: dict, start: float) -> None:
        from django.db import connection

        from assessment.kept.models import KeptMark
        from assessment.models import Report, ReportStatus
        from bench._common import cookie_header, request

        cookie = cookie_header(cookies)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": cookies["csrftoken"]}
        n = 0
        try:
            while True:
                due = start + APPROVE_EVERY / 2 + n * APPROVE_EVERY
                n += 1
                if due >= self.stop_at:
                    return
                time.sleep(max(due - time.time(), 0))
                pending = Report.objects.filter(
                    year=self.year, quarter=self.quarter, status=ReportStatus.SUBMITTED
                ).order_by("submitted_at", "pk")
                found = pending.values_list("pk", "unit_id").first()
                if found is None:
                    self.result.errors.append("no submitted report to approve")
                    continue
                last_mark = KeptMark.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                data = urllib.parse.urlencode(
                    {"action": "approve", "comment": "", "csrfmiddlewaretoken": cookies["csrftoken"]}
                )
                status, ms, _ = request(f"{self.base}/review/{found[0]}/", cookie, data.encode(), headers)
                approval = Approval(found[0], found[1], time.time(), ms, status, last_mark)
                with self.lock:
                    self.result.approvals.append(approval)
                if status != 302 or Report.objects.get(pk=found[0]).status != ReportStatus.APPROVED:
                    self.result.errors.append(f"approval of report {found[0]}: HTTP {status}, not approved")
        finally:
            connection.close()

    def watch(self) -> None:
        """Until every approval is kept: its mark gone (deleted by the refresh round that computed
        the unit, in the transaction that wrote its row), polled every 50 ms; then, for each, the
        first ranking a leader asked for after that and what it showed."""
        from django.db import connection

        from assessment.kept.models import KeptMark

        deadline = self.stop_at + 60
        try:
            while time.time() < deadline:
                with self.lock:
                    waiting = [a for a in self.result.approvals if a.status == 302 and a.seen_db is None]
                for a in waiting:
                    marks = KeptMark.objects.filter(year=self.year, pk__gt=a.mark_after)
                    if not marks.filter(unit_id=a.unit_id).exists() and not marks.filter(unit=None).exists():
                        a.seen_db = time.time()
                if time.time() > self.stop_at and not waiting:
                    break
                time.sleep(0.05)
        finally:
            connection.close()
        time.sleep(3)  # the leaders' next ranking after the last refresh
        self.watched.set()
        ranking = next(label for label in self.pages if label.startswith("ranking"))
        pages = sorted(
            (s for s in self.result.samples if s.page == ranking and s.status == 200), key=lambda s: s.ended
        )
        for a in self.result.approvals:
            later = [s for s in pages if a.seen_db and s.started >= a.seen_db]
            if later:
                a.seen_page, a.shown = later[0].ended, later[0].shown

    # --- processes --------------------------------------------------------------------------

    def start_worker(self, limit: int) -> subprocess.Popen:
        log = open(self.out / "celery.log", "w")  # noqa: SIM115 (kept open for the worker's life)
        purge = [str(VENV_BIN / "celery"), "-A", "wuxisafety", "purge", "-f"]
        subprocess.run(purge, cwd=ROOT, capture_output=True, check=True)
        command = [
            "timeout",
            str(limit),
            str(VENV_BIN / "celery"),
            "-A",
            "wuxisafety",
            "worker",
            "-l",
            "info",
        ]
        worker = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in (self.out / "celery.log").read_text():
                return worker
            if worker.poll() is not None:
                sys.exit(f"the Celery worker exited ({worker.returncode}): see {self.out / 'celery.log'}")
            time.sleep(0.5)
        sys.exit("the Celery worker was not ready within 60 s")

    def refresh_times(self, since: float) -> list[float]:
        """The refresh tasks the worker finished: seconds each (its log's `succeeded in`)."""
        text = (self.out / "celery.log").read_text()
        found = re.findall(
            r"^\[([\d\-: ,]+)\S*: INFO/\S+\] Task assessment\.refresh_kept\[[^\]]+\] succeeded in ([\d.]+)s",
            text,
            re.M,
        )
        return [float(s) for _when, s in found]

    @staticmethod
    def cpu_sample(server, worker) -> tuple:
        from bench._machine import cpu_ticks, group_cpu_ticks, named_cpu_ticks

        own = os.times()
        mine = round((own.user + own.system) * os.sysconf("SC_CLK_TCK"))
        return (
            group_cpu_ticks(server.pid),
            group_cpu_ticks(worker.pid),
            named_cpu_ticks("postgres"),
            mine,
            cpu_ticks(),
        )

    @staticmethod
    def cpu_shares(before: tuple, after: tuple) -> dict[str, float]:
        """Shares of all the cores: gunicorn, the worker, PostgreSQL, this benchmark, everything else."""
        from bench._machine import ticks_since

        elapsed = max(after[4][0] - before[4][0], 1)
        busy = elapsed - (after[4][1] - before[4][1])
        used = {
            "gunicorn": after[0] - before[0],
            "celery": after[1] - before[1],
            "postgres": ticks_since(before[2], after[2]),
            "bench": after[3] - before[3],
        }
        used["other"] = max(busy - sum(used.values()), 0)
        return {k: v / elapsed for k, v in used.items()}

    # --- the run ----------------------------------------------------------------------------

    def run(self) -> Outcome:
        from bench._common import cookie_header, free_port, login, start_gunicorn, stop
        from bench._machine import wait_idle

        o = self.o
        free_port(o.port)
        self.result.loads.append(("before", os.getloadavg()))
        step(f"mixed load: preparing {self.year.year} Q{self.quarter}")
        self.prepare()
        limit = int(600 + 3 * o.mixed_seconds)
        worker = server = None
        try:
            worker = self.start_worker(limit)
            server = start_gunicorn(o.port, o.workers, limit, self.out / "gunicorn.log")
            step("mixed load: logging in")
            leader = cookie_header(login(self.base, "load_leader"))
            office = login(self.base, "load_anweiban")
            reporters = {u.code: login(self.base, f"{u.code}_r1") for u in self.reporter_units}
            step("mixed load: each page alone")
            self.result.busy = wait_idle(o.wait_idle, o.wait_limit)
            self.alone(leader)
            self.result.loads.append(("alone done", os.getloadavg()))
            step(f"mixed load: {o.mixed_seconds} s of the 4 leaders with no one writing")
            self.leaders_without_writes(leader)
            step(f"mixed load: {o.mixed_seconds} s of leaders, reporters and the office")
            before = self.cpu_sample(server, worker)
            start = time.time() + 0.5
            self.stop_at = self.result.stop_at = start + o.mixed_seconds
            slots = [self.reporter_units[i::SAVE_SLOTS] for i in range(SAVE_SLOTS)]
            threads = [threading.Thread(target=self.leader, args=(leader, i)) for i in range(LEADERS)]
            threads += [
                threading.Thread(target=self.reporter, args=(i, units, reporters, start))
                for i, units in enumerate(slots)
            ]
            threads.append(threading.Thread(target=self.office, args=(office, start)))
            watcher = threading.Thread(target=self.watch)
            for thread in [*threads, watcher]:
                thread.start()
            time.sleep(o.mixed_seconds / 2)
            self.result.loads.append(("mid-run", os.getloadavg()))
            for thread in threads[LEADERS:]:
                thread.join()
            time.sleep(max(self.stop_at - time.time(), 0))
            self.result.loads.append(("end of run", os.getloadavg()))
            after = self.cpu_sample(server, worker)
            self.result.seconds = time.time() - start
            self.result.cpu = self.cpu_shares(before, after)
            watcher.join()
            for thread in threads[:LEADERS]:
                thread.join()
            time.sleep(1)  # the last refresh's log line
            self.result.refreshes = self.refresh_times(start)
        finally:
            for process in (server, worker):
                if process is not None:
                    stop(process)
            step("mixed load: setting the reports back")
            self.restore()
        return self.result


# --- the report -----------------------------------------------------------------------------


def section(command_line: str, outcome: Outcome, pages: dict[str, str], units: int, database: str) -> str:
    o = outcome
    mid = dict(o.loads)
    load = lambda key: " / ".join(f"{v:.2f}" for v in mid[key]) if key in mid else "—"  # noqa: E731
    lines = [
        f"### {units:,} units (`{database}`)",
        "",
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; command `{command_line}`; "
        f"load average (1 / 5 / 15 min) before {load('before')}, after the pages one at a time "
        f"{load('alone done')}, in the middle of the 4 leaders without writes {load('leaders mid-run')}, "
        f"in the middle of the mixed run **{load('mid-run')}**, at its end {load('end of run')}; other work "
        f"kept {o.busy:.0%} of the cores busy just before the pages alone",
        f"- Mixed run: {o.seconds:.0f} s; during it the cores went to gunicorn {o.cpu.get('gunicorn', 0):.0%}, "
        f"the Celery worker {o.cpu.get('celery', 0):.0%}, PostgreSQL {o.cpu.get('postgres', 0):.0%}, this "
        f"benchmark's threads {o.cpu.get('bench', 0):.0%}, other work on the machine {o.cpu.get('other', 0):.0%}",
        "",
        "Alone: one request at a time (sequential), and the 4 leaders with no one writing (the issue's "
        "own baseline, its wrk -c4 without writes). Goal: under load p95 ≤ 2 × alone p95 and ≤ 300 ms, "
        "judged against each alone.",
        "",
        "| page | one at a time p50 / p95 ms | 4 leaders, no writes p50 / p95 ms | under load p50 / p95 ms | "
        "requests under load (no writes) | p95 ÷ one at a time | p95 ÷ 4 leaders no writes | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]

    def judged(ratio, l95) -> str:
        return "met" if ratio is not None and ratio <= LOAD_FACTOR and l95 <= PAGE_P95_MS else "**missed**"

    for label in pages:
        alone = o.alone.get(label, [])
        quiet_run = [s for s in o.quiet if s.page == label]
        quiet = [s.ms for s in quiet_run if s.status == 200]
        run = [s for s in o.samples if s.page == label and s.started < o.stop_at]
        loaded = [s.ms for s in run if s.status == 200]
        bad = sum(1 for s in [*run, *quiet_run] if s.status != 200)
        a95, q95, l95 = p(alone, 95), p(quiet, 95), p(loaded, 95)
        ratio = l95 / a95 if a95 and l95 else None
        quiet_ratio = l95 / q95 if q95 and l95 else None
        lines.append(
            f"| {label} | {fmt(p(alone, 50))} / {fmt(a95)} | {fmt(p(quiet, 50))} / {fmt(q95)} | "
            f"{fmt(p(loaded, 50))} / **{fmt(l95)}** | {len(loaded):,} ({len(quiet):,})"
            + (f" (+{bad} not 200)" if bad else "")
            + f" | {fmt(ratio, 2)}× | {fmt(quiet_ratio, 2)}× | one at a time: {judged(ratio, l95)}; "
            f"4 leaders: {judged(quiet_ratio, l95)} |"
        )
    saves = [ms for _kind, ms, status in o.saves if status == 302]
    drafts = [ms for kind, ms, status in o.saves if status == 302 and kind == "draft"]
    submits = [ms for kind, ms, status in o.saves if status == 302 and kind == "submit"]
    approvals = [a for a in o.approvals if a.status == 302]
    db = [a.seen_db - a.committed for a in approvals if a.seen_db]
    page = [a.seen_page - a.committed for a in approvals if a.seen_page]
    s95 = p(saves, 95)
    lines += [
        "",
        "| what | count | p50 | p95 | max | goal |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        f"| save (保存草稿 and 提交, 60 rows each) | {len(saves)} of {len(o.saves)} "
        f"({len(o.saves) / max(o.seconds, 1):.2f}/s) | {fmt(p(saves, 50))} ms | **{fmt(s95)} ms** | "
        f"{fmt(max(saves, default=None))} ms | ≤ {SAVE_P95_MS} ms: "
        + ("met" if s95 is not None and s95 <= SAVE_P95_MS else "**missed**")
        + " |",
        f"| of which 保存草稿 / 提交 | {len(drafts)} / {len(submits)} | {fmt(p(drafts, 50))} / {fmt(p(submits, 50))} ms "
        f"| {fmt(p(drafts, 95))} / {fmt(p(submits, 95))} ms | — | — |",
        f"| the reporter's entry page (GET, once per unit) | {len(o.entry_gets)} | {fmt(p(o.entry_gets, 50))} ms | "
        f"{fmt(p(o.entry_gets, 95))} ms | {fmt(max(o.entry_gets, default=None))} ms | — |",
        f"| approval (review POST, one report) | {len(approvals)} of {len(o.approvals)} | "
        f"{fmt(p([a.ms for a in approvals], 50))} ms | {fmt(p([a.ms for a in approvals], 95))} ms | "
        f"{fmt(max((a.ms for a in approvals), default=None))} ms | — |",
        f"| staleness: approval → a leader's ranking shows it (the first asked for after the refresh committed) | {len(page)} of "
        f"{len(approvals)} | {fmt(p(page, 50), 2)} s | **{fmt(p(page, 95), 2)} s** | {fmt(max(page, default=None), 2)} s | "
        f"≤ {STALE_P95_S:.0f} s p95: "
        + ("met" if page and len(page) == len(approvals) and p(page, 95) <= STALE_P95_S else "**missed**")
        + " |",
        f"| staleness: approval → its refresh committed (the unit's mark gone; database, polled every 50 ms) | {len(db)} of "
        f"{len(approvals)} | {fmt(p(db, 50), 2)} s | {fmt(p(db, 95), 2)} s | {fmt(max(db, default=None), 2)} s | — |",
        f"| refresh task (`assessment.refresh_kept`, worker's log) | {len(o.refreshes)} | "
        f"{fmt(p(o.refreshes, 50), 2)} s | {fmt(p(o.refreshes, 95), 2)} s | {fmt(max(o.refreshes, default=None), 2)} s | — |",
    ]
    if o.errors:
        shown = "; ".join(sorted(set(o.errors))[:8])
        lines += ["", f"Failures ({len(o.errors)}): {shown}"]
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Into `path`'s "## Mixed load" section (the last of the file): this city's subsection
    (same "### " heading up to its parenthesis) replaced, or added."""
    content = path.read_text() if path.exists() else ""
    if "\n## Mixed load\n" not in content:
        content = content.rstrip("\n") + "\n\n## Mixed load\n\n" + MIXED_INTRO
    before, mixed = content.split("\n## Mixed load\n", 1)
    key = text.split("\n", 1)[0].split("(")[0]
    parts = [part for part in re.split(r"(?m)^(?=### )", mixed) if not part.startswith(key)]
    path.write_text(before + "\n## Mixed load\n" + "".join(parts).rstrip("\n") + "\n\n" + text)


MIXED_INTRO = """\
`bench/run --database <city> --mixed` (bench/mixed.py): gunicorn (4 sync workers, DEBUG=0) and a
Celery worker (`celery -A wuxisafety worker`, concurrency = cores, broker Redis) against a city
generated before. Each page alone: p50/p95 of sequential requests as the leader, then of the 4
leaders below looping over both pages as long (45 s) with no one writing (the issue's own baseline: its
pages under wrk -c4 with and without writes). Then, together:
4 leaders looping over the 驾驶舱 and the ranking 板块; reporters saving at one save a second
overall (4 slots of one save every 4 s; per unit 3 保存草稿 then 提交, 60 rows each, real POSTs with
CSRF); the 安委办 approving one submitted report every 5 s through the review POST. Staleness: from
an approval's response until its refresh committed (the unit's `KeptMark` gone, polled in the
database every 50 ms), and until the first ranking page a leader asked for after that came back
(what a leader waits for; its 截至 is the refresh's time). Everything (server, worker, PostgreSQL,
the load's threads) runs on the same 2 cores.
"""


def run_mixed(options, command_line: str) -> str:
    """The mixed load on the city in the configured database: its Markdown section, also written
    into options.output."""
    from bench._common import database_name, ensure_static
    from responsibility.models import Unit

    if not Unit.objects.filter(code__startswith="load").exists():
        sys.exit(f"--mixed: no load data in {database_name()}: generate_load first")
    ensure_static()
    pages = {"驾驶舱": "/dashboard/", "ranking 板块": "/ranking/?group=territory"}
    outcome = MixedLoad(options, pages).run()
    units = Unit.objects.filter(code__startswith="load").count()
    text = section(command_line, outcome, pages, units, database_name())
    print(text)
    write_section(Path(options.output), text)
    return text
