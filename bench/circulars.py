"""Benchmark: draft a 情况通报 of a big city and publish it to its 1,500 people.

Prints figures, asserts nothing. Needs the load data of `manage.py generate_load --units 300
--years 10` in the scratch PostgreSQL database wuxisafety_load (see bench/README.md), and refuses
any other database:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuxisafety_load
    .venv/bin/python bench/circulars.py [--runs 5]

Measured, each with its query count:
- drafting (`draft_circular`, the latest year's last quarter ended, as of that quarter's deadline);
- the publish request (POST /circulars/<pk>/publish/ through django.test.Client, DEBUG=0), the
  median of `--runs` publishes of copies of that draft. The request enqueues its batches after
  commit; here `delay` only records them (no broker round trip), so this is the request's own work;
- the worker: each batch of `publish_circular_notices` run as the worker runs it (one notice per
  person, exactly once), then a second run of the same batches (writes nothing), then the e-mail
  delivery of all the notices (`deliver_notifications`, locmem backend: no SMTP).
Everything the benchmark writes (its circulars, their notices and receipts) is deleted at the end.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import setup_django, timed  # noqa: E402

setup_django()  # production-like: DEBUG off, plain HTTP for the test client, e-mails in memory

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from assessment import tasks  # noqa: E402
from assessment.circulars import drafting as circular_drafting  # noqa: E402
from assessment.models import Circular, CircularKind, Notification  # noqa: E402
from assessment.results import assessing  # noqa: E402
from responsibility.models import User, Year  # noqa: E402

DATABASE = "wuxisafety_load"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def draft_situation(office: User):
    """A 情况通报 of the latest year's last quarter ended, drafted as of that quarter's deadline:
    (draft, seconds, queries, quarter)."""
    year = Year.objects.order_by("-year").first()
    quarter = assessing.last_quarter_ended(year, dict(year.deadlines())[4]) or 1
    today = dict(year.deadlines())[quarter]
    draft, seconds, queries = timed(
        lambda: circular_drafting.draft_circular(
            year, quarter, CircularKind.SITUATION, user=office, today=today
        )
    )
    return draft, seconds, queries, quarter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="publishes to time (median)")
    args = parser.parse_args()
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql" or db["NAME"] != DATABASE:
        sys.exit(f"只在 PostgreSQL 的 {DATABASE} 上运行（当前：{connection.vendor} {db['NAME']}）。")
    office = User.objects.filter(username="load_anweiban").first()
    if office is None:
        sys.exit("没有负载数据：先运行 manage.py generate_load --units 300 --years 10。")
    rows = []
    made: list[int] = []
    pending_before = Notification.objects.filter(emailed_at__isnull=True).count()
    try:
        draft, seconds, queries, quarter = draft_situation(office)
        year = draft.year
        made.append(draft.pk)
        units = len(draft.figures["reporting"]["rows"])
        rows.append((f"draft a 情况通报, {year.year} Q{quarter}, {units} units", ms(seconds), queries, ""))

        client = Client()
        client.force_login(office)
        enqueued: list[tuple[int, list[int]]] = []
        times, counts = [], []
        with (
            mock.patch.object(tasks.publish_circular_notices, "delay", lambda *a: enqueued.append(a)),
            mock.patch.object(tasks.deliver_notifications, "delay", lambda *a: None),
        ):
            for _ in range(args.runs):
                copy = Circular.objects.create(
                    year=year,
                    period=quarter,
                    kind=draft.kind,
                    title=draft.title,
                    body=draft.body,
                    figures=draft.figures,
                )
                made.append(copy.pk)
                url = reverse("assessment:circular_publish", args=[copy.pk])
                response, seconds, queries = timed(lambda url=url: client.post(url, {"version": 1}))
                assert response.status_code == 302, response.status_code
                times.append(seconds)
                counts.append(queries)
            first = made[1]
            batches = [ids for pk, ids in enqueued if pk == first]
            people = sum(len(ids) for ids in batches)
            rows.append(
                (
                    f"publish request (median of {args.runs}): {people:,} recipients → {len(batches)} batches enqueued",
                    f"{ms(statistics.median(times))} ({ms(min(times))}–{ms(max(times))})",
                    "/".join(map(str, sorted(set(counts)))),
                    "",
                )
            )
            written, worker = 0, []
            for ids in batches:
                count, seconds, queries = timed(lambda ids=ids: tasks.publish_circular_notices(first, ids))
                written += count
                worker.append((seconds, queries))
            rows.append(
                (
                    f"worker: {len(batches)} batches of publish_circular_notices",
                    f"{ms(sum(s for s, _ in worker))} (per batch {', '.join(ms(s) for s, _ in worker)})",
                    "/".join(str(q) for _, q in worker),
                    f"{written:,} notices",
                )
            )
            again = 0
            start = time.perf_counter()
            for ids in batches:
                again += tasks.publish_circular_notices(first, ids)
            rows.append(
                ("worker: the same batches again", ms(time.perf_counter() - start), "", f"{again} written")
            )
        sent, seconds, queries = timed(tasks.deliver_notifications)
        note = f"{sent:,} handled" + (f" ({pending_before:,} were waiting before)" if pending_before else "")
        rows.append(
            ("worker: e-mail the notices (deliver_notifications, locmem)", ms(seconds), queries, note)
        )
    finally:
        Notification.objects.filter(
            key__regex=r"^circular:(" + "|".join(map(str, made or [0])) + "):"
        ).delete()
        Circular.objects.filter(pk__in=made).delete()

    print(f"PostgreSQL {connection.pg_version // 10000}, database {DATABASE}\n")
    print("| step | time | queries | result |")
    print("| --- | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


if __name__ == "__main__":
    main()
