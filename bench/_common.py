"""What the benchmarks share: a production-like Django, timing SQL, gunicorn, wrk and the forms they post.

Nothing here touches Django at import time: a script sets DATABASE_URL (bench/run.py creates the
database first), then calls `setup_django()`, then imports models.
"""

import cProfile
import http.cookiejar
import os
import pstats
import re
import shlex
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connection

from bench._machine import cpu_ticks, group_cpu_ticks, named_cpu_ticks, ticks_since

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"
PASSWORD = "Load-pass-2026"  # every load account's, as generate_load writes them

# Production settings except plain HTTP on loopback (the HTTPS redirect, secure cookies and HSTS
# off), the test client's host allowed, static names from a bench-only manifest, and e-mails kept
# in memory. The same for this process and for the gunicorn it starts.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "wuxisafety.settings",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def setup_django() -> None:
    os.environ.update(BENCH_ENV)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench_static"))
    import django

    django.setup()


def ensure_static() -> None:
    """DEBUG off serves static names from the manifest: build it for the bench (only what changed)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def timed(fn):
    """(result, seconds, queries) of one call."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return result, elapsed, len(queries)


# --- SQL ---------------------------------------------------------------------------------


def database_name() -> str:
    return settings.DATABASES["default"]["NAME"]


def psql_command() -> list[str]:
    db = settings.DATABASES["default"]
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db["NAME"]]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    return command


def explain(sql: str) -> tuple[float | None, str]:
    """EXPLAIN ANALYZE total (planning + execution) in ms, and the text plan; PostgreSQL SELECTs only."""
    if connection.vendor != "postgresql" or not sql.lstrip().upper().startswith("SELECT"):
        return None, ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    total = sum(
        float(line.split(":")[1].split()[0])
        for line in lines
        if line.strip().startswith(("Planning Time:", "Execution Time:"))
    )
    return total, "\n".join(lines)


def psql_timing(sql: str, runs: int, script: Path) -> float:
    """A query as a psql client sees it (rows to /dev/null): the median of `runs` after one warm-up, ms."""
    sql = sql.rstrip().rstrip(";")
    script.write_text("\\timing on\n\\o /dev/null\n" + f"{sql};\n" * (runs + 1))
    env = {**os.environ, "PGPASSWORD": str(settings.DATABASES["default"].get("PASSWORD") or "")}
    out = subprocess.run(
        ["timeout", "120", *psql_command(), "-f", str(script)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    times = [float(t) for t in re.findall(r"^Time: ([\d.]+) ms", out, re.M)]
    return statistics.median(times[1:])


def statement(sql: str) -> tuple[str, str]:
    """(verb, main table) of a query: SELECT responsibility_target, UPDATE django_session, BEGIN …"""
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    # The outer statement's table, not one of a subquery in the select list: parentheses masked.
    depth, outer = 0, []
    for char in sql:
        depth += char == "("
        outer.append(char if depth == 0 else " ")
        depth -= char == ")"
    pattern = r'(?:FROM|INTO|UPDATE)\s+"([^"]+)"'
    table = re.search(pattern, "".join(outer)) or re.search(pattern, sql)
    return verb.strip("(;"), table.group(1) if table else ""


# Looked up on every request whatever the page: never a page's main query
OVERHEAD_TABLES = {
    "django_session",
    "responsibility_user",
    "auth_group",
    "auth_permission",
    "django_content_type",
}


def main_query(captured: list[dict], is_main=None, label: str = "") -> tuple[str, str, int]:
    """A page's main query among its `captured` queries: (SQL, label, times it ran).

    The one `is_main` recognises (the page's own, named `label`); else, or when that one did not run
    (e.g. the assessment's, which pages read as kept rows), the slowest SELECT, leaving out the session and user lookups if it can.
    """
    selects = [q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    mains = [q["sql"] for q in selects if is_main and is_main(q["sql"])]
    if mains:
        return mains[0], label, len(mains)  # the first: e.g. the page's own year and day
    missing = f" (the {label} query did not run)" if is_main else ""
    own = [q for q in selects if statement(q["sql"])[1] not in OVERHEAD_TABLES] or selects
    if not own:
        return "", f"no SELECT{missing}", 0
    slowest = max(own, key=lambda q: float(q["time"]))
    return slowest["sql"], f"slowest SELECT, on {statement(slowest['sql'])[1]}{missing}", 1


def table_stats(models) -> list[tuple[str, int, str]]:
    """(table, rows, total size with indexes) of each model's table."""
    rows = []
    for model in models:
        table = model._meta.db_table
        size = "—"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table])
                size = cursor.fetchone()[0]
        rows.append((table, model._base_manager.count(), size))
    return rows


# --- forms -------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The names and shown values of a page's inputs and textareas."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_fields(html: bytes) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html.decode())
    return parser.fields


def entry_save_data(fields: dict[str, str], n: int) -> dict[str, str]:
    """What 保存草稿 on an entry page sends: every row as shown, each progress text marked with `n`."""
    data = {name: value for name, value in fields.items() if name.startswith("t") and "-" in name}
    for name in data:
        if name.endswith("-progress"):
            data[name] = f"基准保存第{n}次"
    data["save"] = "1"
    return data


# --- profiles ----------------------------------------------------------------------------


def profile_top(fn, limit: int = 6) -> tuple[float, list[str]]:
    """Run `fn` once under cProfile: its time (ms) and where it went, as short lines.

    The project's own functions by cumulative time (leaving out the view and its wrappers, which
    hold nearly all of it), then the library totals that explain most slow pages: the database
    calls, building model instances, rendering templates, WeasyPrint.
    """
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    fn()
    profiler.disable()
    total = (time.perf_counter() - start) * 1000
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)
    root = str(ROOT) + os.sep
    own = sorted(
        (
            (cum * 1000, f"{Path(file).relative_to(ROOT)}:{name}", calls)
            for (file, _line, name), (_cc, calls, _tt, cum, _callers) in stats.items()
            if file.startswith(root)
            and not any(f"{os.sep}{part}{os.sep}" in file for part in (".venv", "bench"))
            and not file.endswith("middleware.py")  # wrappers around the whole request
            and not name.startswith("<")  # comprehensions and lambdas: their function is listed
            and cum * 1000 < 0.9 * total
        ),
        reverse=True,
    )[:limit]
    lines = [f"`{where}` {ms:,.0f} ms ({calls:,} calls)" for ms, where, calls in own]

    def library(suffix: str, name: str) -> tuple[float, int]:
        found = [(v[3], v[1]) for (f, _l, n), v in stats.items() if f.endswith(suffix) and n == name]
        return (max(found)[0] * 1000, max(found)[1]) if found else (0.0, 0)

    for label, suffix, name in (
        ("the database calls (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
        ("model instances (`Model.__init__`)", "django/db/models/base.py", "__init__"),
        ("template rendering (`Template.render`)", "django/template/backends/django.py", "render"),
        ("WeasyPrint (`write_pdf`)", "weasyprint/__init__.py", "write_pdf"),
    ):
        ms, calls = library(suffix, name)
        if ms >= 0.05 * total:
            lines.append(f"{label} {ms:,.0f} ms ({calls:,} calls)")
    return total, lines


# --- gunicorn and wrk --------------------------------------------------------------------


def free_port(port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"127.0.0.1:{port} is already in use: pass --port")


def start_gunicorn(port: int, workers: int, limit: int, log: Path) -> subprocess.Popen:
    """gunicorn on loopback with sync workers, in its own process group, under `timeout limit`."""
    command = [
        "timeout", str(limit),  # never outlives the bench, even if the script is killed
        str(VENV_BIN / "gunicorn"), "wuxisafety.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120",
        "--chdir", str(ROOT), "--log-level", "warning",
    ]  # fmt: skip
    shown = " ".join(f"{k}={shlex.quote(v)}" for k, v in BENCH_ENV.items())
    print(f"$ {shown} SECRET_KEY=… {shlex.join(command)}", file=sys.stderr)
    out = open(log, "w")  # noqa: SIM115 (kept open for the server's life)
    server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}): see {log}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not listen within 30 s")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the group the script started (timeout, the gunicorn master, its workers)."""
    if server.poll() is None:
        os.killpg(server.pid, 15)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def drain(server: subprocess.Popen) -> None:
    """Wait until gunicorn is idle again.

    When wrk stops it drops the requests in flight, but gunicorn's sync workers still serve them
    (and the ones queued behind), so the next measurement would wait behind them. Idle: the
    server's processes use at most 2 ticks of CPU in 0.5 s, twice in a row.
    """
    deadline, quiet = time.monotonic() + 120, 0
    before = group_cpu_ticks(server.pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = group_cpu_ticks(server.pid)
        quiet = quiet + 1 if now - before <= 2 else 0
        if quiet == 2:
            return
        before = now
    sys.exit("gunicorn still busy 120 s after wrk stopped")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the login form like a browser; the cookies it holds then (session, CSRF)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    form = opener.open(base + "/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": ""}
    )
    try:
        opener.open(base + "/accounts/login/", data.encode(), timeout=30)
        sys.exit(f"login of {username} did not redirect: wrong password, or locked out (django-axes)?")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit(f"no session cookie after the login of {username}")
    return cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def request(url: str, cookie: str, data: bytes | None = None, headers=None) -> tuple[int, float, bytes]:
    """One request, redirects not followed: (status, ms, body)."""
    sent = urllib.request.Request(url, data=data, headers={"Cookie": cookie, **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect)
    start = time.perf_counter()
    try:
        with opener.open(sent, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as answer:
        body = answer.read()
        status = answer.code
    return status, (time.perf_counter() - start) * 1000, body


def get(url: str, cookie: str) -> tuple[int, float]:
    status, ms, _body = request(url, cookie)
    return status, ms


def run_wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int,
    *,
    cookie: str | None = None,
    script: Path = BENCH / "wrk_summary.lua",
    args: tuple[str, ...] = (),
) -> tuple[dict[str, int], str]:
    """A bounded wrk run: its BENCH line (see wrk_summary.lua) as numbers, and the raw output."""
    command = [
        "timeout", "60", "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "--timeout", "30s", "-s", str(script),
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    if args:
        command += ["--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    return {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}, out


def wrk_errors(result: dict[str, int]) -> int:
    """Socket errors, timeouts and statuses ≥ 400, as wrk counts them."""
    return sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))


class CpuShares(NamedTuple):
    """Shares of all the cores during a run."""

    server: float  # gunicorn and its workers
    postgres: float
    other: float  # wrk and everything else on the machine

    @property
    def idle(self) -> float:
        return max(1 - self.server - self.postgres - self.other, 0)


def wrk_with_cpu(
    server: subprocess.Popen, url: str, seconds: int, connections: int, threads: int, **kwargs
) -> tuple[dict[str, int], str, CpuShares]:
    """`run_wrk`, and how the cores were shared meanwhile."""
    ticks, pg, (total, idle) = group_cpu_ticks(server.pid), named_cpu_ticks("postgres"), cpu_ticks()
    result, raw = run_wrk(url, seconds, connections, threads, **kwargs)
    used, pg = group_cpu_ticks(server.pid) - ticks, ticks_since(pg, named_cpu_ticks("postgres"))
    total_after, idle_after = cpu_ticks()
    elapsed = max(total_after - total, 1)  # every core's ticks meanwhile
    busy = elapsed - (idle_after - idle)
    return result, raw, CpuShares(used / elapsed, pg / elapsed, max(busy - used - pg, 0) / elapsed)
