"""The ranking, its print and the 驾驶舱 show "缺报 N 项" from the kept rows' count, without reading
any unit's breakdown (`KeptResult.items`), and the ranking reads only the shown group's rows (the unit's page and the spreadsheets still read
the breakdowns: test_every_unit, test_ranking_pages). On
test_every_unit's invented city (西岭区 缺报 2 项) and test_assess's (three kinds of unit)."""

import importlib
from datetime import date
from unittest import mock

import time_machine
from django.apps import apps
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.kept.models import TODAY, KeptResult
from assessment.models import AssessmentStatus
from assessment.results import finalizing, keeping
from assessment.results.roll import ItemResult, UnitRef, UnitResult
from responsibility import roles
from responsibility.models import UnitGroup
from tests.assessment.results.test_assess import add_assessed_units, make_catalog
from tests.assessment.results.test_every_unit import make_city
from tests.factories import make_user, make_year

ITEMS_COLUMN = '"assessment_keptresult"."items"'


def result(items=(), missing_count=None) -> UnitResult:
    unit = UnitRef(1, "u1", "某区", "district", "territory", "板块")
    return UnitResult(
        unit, None, None, None, None, False, (), (), "", None, "", tuple(items), missing_count=missing_count
    )


class MissingTotalTests(SimpleTestCase):
    def test_the_count_comes_from_the_items_when_they_are_read(self):
        items = [ItemResult("Z1", "甲", 1, 1, "", missing=True), ItemResult("Z2", "乙", 1, 1, "")]
        self.assertEqual(result(items).missing_total, 1)
        self.assertEqual(result().missing_total, 0)

    def test_without_the_items_the_kept_count_is_given_and_the_items_cannot_be_listed(self):
        kept = result(missing_count=2)
        self.assertEqual(kept.missing_total, 2)
        with self.assertRaisesMessage(ValueError, "missing_total"):
            kept.missing  # noqa: B018 (an empty list would say "no 缺报" where there are two)


@time_machine.travel(date(2026, 8, 1), tick=False)
class KeptCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_city(cls)
        cls.leader = make_user(city_role=roles.LEADER)

    def setUp(self):
        self.client.force_login(self.leader)
        keeping.refresh(self.year.pk)

    def get(self, name, **params):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse(name), params)
        self.assertEqual(response.status_code, 200)
        kept_reads = [q["sql"] for q in queries if 'FROM "assessment_keptresult"' in q["sql"]]
        self.assertTrue(kept_reads)
        self.assertFalse([sql for sql in kept_reads if ITEMS_COLUMN in sql], "the breakdowns were read")
        return response

    def test_the_refresh_keeps_each_units_count(self):
        counts = dict(
            KeptResult.objects.filter(year=self.year, quarter=TODAY).values_list(
                "unit__name", "missing_count"
            )
        )
        self.assertEqual(counts["西岭区"], 2)
        self.assertEqual(counts["东城区"], 0)
        self.assertEqual(counts["南湖区"], 0)  # unranked: nothing to be short of

    def test_the_ranking_shows_the_count_without_reading_the_breakdowns(self):
        response = self.get("assessment:ranking", year=2026, group="territory")
        rows = {row["name"]: row for row in response.context["table"].data}
        self.assertEqual((rows["西岭区"]["missing"], rows["西岭区"]["note"]), (2, "缺报 2 项"))
        self.assertEqual(rows["东城区"]["note"], "")
        self.assertContains(response, "缺报 2 项</span>")
        self.assertContains(response, "板块（8）")

    def test_the_printed_ranking_shows_the_count_without_reading_the_breakdowns(self):
        response = self.get("assessment:ranking_print", year=2026, group="territory")
        self.assertContains(response, "<title>西岭区：40.00 否决 缺报2项</title>", html=False)
        self.assertContains(response, "缺报2项")

    def test_the_dashboard_shows_the_count_without_reading_the_breakdowns(self):
        response = self.get("assessment:dashboard")
        (territory,) = [g for g in response.context["charts"]["groups"] if g["label"] == "板块"]
        self.assertEqual(territory["notes"][territory["units"].index("西岭区")], "缺报2项")

    def test_rows_kept_before_the_count_are_counted_by_the_migration(self):
        KeptResult.objects.update(missing_count=0)
        migration = importlib.import_module("assessment.migrations.0014_kept_result_missing_count")
        migration.count_missing(apps, None)
        row = KeptResult.objects.get(unit=self.units["西岭区"], quarter=TODAY)
        self.assertEqual(row.missing_count, 2)


@time_machine.travel(date(2026, 11, 28), tick=False)
class ShownGroupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        make_catalog()
        cls.units = add_assessed_units(cls.year, 9, 1)  # three of each of three kinds
        cls.leader = make_user(city_role=roles.LEADER)

    def test_the_ranking_reads_only_the_shown_groups_rows_and_counts_every_tab(self):
        keeping.refresh(self.year.pk)
        kept = KeptResult.objects.filter(year=self.year, quarter=TODAY, status=AssessmentStatus.SIGNED)
        sizes = {g: kept.filter(group=g).count() for g in UnitGroup.values}
        self.assertEqual(sorted(n for n in sizes.values() if n), [3, 3, 3])
        self.client.force_login(self.leader)
        with mock.patch.object(keeping, "result_of", wraps=finalizing.result_of) as read:
            response = self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": "territory"})
        self.assertEqual(read.call_count, sizes[UnitGroup.TERRITORY])
        self.assertEqual(len(response.context["table"].data), sizes[UnitGroup.TERRITORY])
        for value, label in UnitGroup.choices:
            self.assertContains(response, f"{label}（{sizes[value]}）")
