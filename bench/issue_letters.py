"""Benchmark: prepare and issue a year's letters for 300 units × 15 targets.

Prints figures, asserts nothing. Runs against DATABASE_URL (e.g. a scratch PostgreSQL database)
or, by default, a throwaway SQLite file var/bench.sqlite3:

    .venv/bin/python bench/issue_letters.py
    createdb -h 127.0.0.1 -U postgres wuxisafety_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuxisafety_bench .venv/bin/python bench/issue_letters.py
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuxisafety.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from responsibility import services  # noqa: E402
from responsibility.models import Indicator, ResponsibilityLetter, Target, Unit, UnitKind, Year  # noqa: E402

UNITS, TARGETS, YEAR = 300, 15, 2099


def setup() -> Year:
    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    ResponsibilityLetter.objects.filter(year__year__in=[YEAR - 1, YEAR]).delete()
    Unit.objects.filter(code__startswith="bench").update(active=True)
    Unit.objects.exclude(code__startswith="bench").update(active=False)
    Indicator.objects.exclude(code__startswith="BENCH").update(active=False)
    for i in range(TARGETS):
        # 14 indicators of 6.50 points and one of 9.00: 100 points for districts.
        points = "9.00" if i == TARGETS - 1 else "6.50"
        Indicator.objects.update_or_create(
            code=f"BENCH{i:02d}",
            defaults={
                "name": f"基准指标{i}",
                "category": "基准",
                "rule": "cap_deduction" if i == 0 else "completion",
                "source": "entered",
                "weights": {"district": points},
                "params": {"per_unit": "1"},
                "active": True,
            },
        )
    existing = set(Unit.objects.filter(code__startswith="bench").values_list("code", flat=True))
    Unit.objects.bulk_create(
        [
            Unit(code=f"bench{i:03d}", name=f"基准单位{i:03d}", kind=UnitKind.DISTRICT, sort_order=i)
            for i in range(UNITS)
            if f"bench{i:03d}" not in existing
        ]
    )
    year, _ = Year.objects.get_or_create(
        year=YEAR,
        defaults={
            "q1_deadline": date(YEAR, 4, 10),
            "q2_deadline": date(YEAR, 7, 10),
            "q3_deadline": date(YEAR, 10, 10),
            "q4_deadline": date(YEAR + 1, 1, 10),
            "accident_window_start": date(YEAR, 1, 1),
            "accident_window_end": date(YEAR, 12, 31),
        },
    )
    return year


def measure(label, fn):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    print(f"| {label} | {seconds:.2f} s | {len(queries)} |")
    return result


def main():
    year = setup()
    print(f"{connection.vendor}, {UNITS} units × {TARGETS} targets, Django {django.get_version()}")
    print("| step | time | queries |\n| --- | --- | --- |")
    plans = measure("preview (plan_letters)", lambda: services.plan_letters(year))
    letters = measure("write drafts (create_letters)", lambda: services.create_letters(year, plans))
    ids = [letter.pk for letter in letters]
    measure(
        "issue all with 文号 (issue_letters)",
        lambda: services.issue_letters(year, ids, issued_on=date(YEAR, 2, 1), issuer_name="基准"),
    )
    again = measure(
        "second run writes nothing", lambda: services.create_letters(year, services.plan_letters(year))
    )
    print(
        f"letters: {len(letters)}, targets: {Target.objects.filter(letter__year=year).count()}, second run: {len(again)}"
    )


if __name__ == "__main__":
    main()
