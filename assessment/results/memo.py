"""Results worth keeping, kept in memory until the data they come from changes.

The provisional assessment of a big city takes about a second (`assess_year`, 300 units × 60
targets), and the 驾驶舱 and the ranking show it on every request. Pages ask for it through

    results = memo.cached("year_results", year.pk, today, compute=lambda: ...)

which computes once per *generation* of the data and per process, and hands out the same
(immutable) result until the data changes. Callers that must see the last committed row, such as
定稿 under its row lock, call the computation directly instead.

How a change is noticed: every SQL statement Django sends passes through `watch_writes`, a
database execute wrapper installed on every connection (apps.py). Any statement but a SELECT or
transaction control, on a table not in IGNORED_TABLES, gives the data a new generation: a random
token in the shared cache (settings.CACHES["default"]: Redis in production, so every web process
and worker agrees; files under var/ on one machine). So ORM saves, `bulk_create`, `update()`,
deletes, migrations and raw SQL are all seen, whoever runs them. Inside a transaction the new token
is given when it commits (a rolled-back write never changes it), and until then that connection
computes afresh instead of reading or filling the memo. Writes that bypass Django's cursor (psql,
COPY through the driver) must call `data_changed()`; generate_load does.

A result computed by one process is also put in the shared cache (its own alias, "memo", whose
evictions never touch a generation) for an hour, so the other web
processes fetch it (about 0.1 s for the assessment of 300 units) instead of computing it again.
Generations and keys are per database name, so results never cross databases or outlive the
data, and writes to another database (a benchmark's, the tests') do not disturb this one's. Each
process keeps the last MAX_ENTRIES results.
"""

import hashlib
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, connections

GENERATION_KEY = "wuxisafety:data-generation"
MAX_ENTRIES = 16  # results kept in each process
SHARED_SECONDS = 60 * 60  # results kept in the shared cache, for the other processes
_MISSING = object()

# Tables whose writes do not change any memoized result: logins and sessions, notices and
# readings, export jobs. Every other table counts, including ones added later.
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
        "responsibility_user",
        "assessment_notification",
        "assessment_circularread",
        "assessment_yearexport",
    }
)
_READS = ("SELECT", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "SHOW", "EXPLAIN", "PRAGMA")
_WRITE_TABLE = re.compile(
    r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)  # SQLite's ignore_conflicts is INSERT OR IGNORE INTO

_store: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def changes_data(sql: str) -> bool:
    """Whether a statement may change data that results are computed from."""
    head = sql.lstrip(" \t\n(")[:10].upper()  # a UNION of SELECTs starts with "("
    if head.startswith(_READS):
        return False
    written = _WRITE_TABLE.match(sql)
    return written is None or written.group(1).lower() not in IGNORED_TABLES


def watch_writes(execute, sql, params, many, context):
    """The execute wrapper: run the statement, then note a change if it may have written."""
    result = execute(sql, params, many, context)
    if changes_data(sql):
        data_changed(context["connection"])
    return result


def install(connection, **kwargs) -> None:
    """Watch a connection's statements (the `connection_created` receiver)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def data_changed(connection=None) -> None:
    """The data changed: a new generation now, or when the current transaction commits."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        _new_generation(connection)
        return
    connection.wx_dirty = True
    renew = getattr(connection, "wx_renew", None)
    if renew is None:
        renew = connection.wx_renew = lambda: _new_generation(connection)
    if not any(func is renew for _, func, _ in connection.run_on_commit):
        connection.on_commit(renew)


def _key(connection) -> str:
    return f"{GENERATION_KEY}:{connection.settings_dict['NAME']}"


def _new_generation(connection) -> None:
    cache.set(_key(connection), uuid.uuid4().hex, None)
    connection.wx_dirty = False


def generation(connection=None) -> str:
    """The current generation of the database's data: a random token, new after every change."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    token = cache.get(_key(connection))
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(_key(connection), token, None):
            token = cache.get(_key(connection))
    return token


def cached(name: str, *parts: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`'s result for this generation of the data: from this process's memory, else from
    the shared cache (another process computed it), else computed and kept in both.

    Treat the result as read-only: the next caller gets the same object.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        connection.wx_dirty = False  # a transaction that wrote has ended, committed or not
    elif getattr(connection, "wx_dirty", False):
        return compute()  # this transaction wrote: what it sees is nobody else's yet
    key = (connection.settings_dict["NAME"], generation(connection), name, *parts)
    with _lock:
        if key in _store:
            _store.move_to_end(key)
            return _store[key]
    shared_key = "wuxisafety:memo:" + hashlib.sha256(repr(key).encode()).hexdigest()
    shared = caches["memo"]
    value = shared.get(shared_key, _MISSING)
    if value is _MISSING:
        value = compute()
        shared.set(shared_key, value, SHARED_SECONDS)
    with _lock:
        _store[key] = value
        while len(_store) > MAX_ENTRIES:
            _store.popitem(last=False)
    return value


def clear() -> None:
    """Forget every kept result in this process (the data's generation is unchanged)."""
    with _lock:
        _store.clear()
