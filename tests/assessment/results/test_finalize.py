"""Finalizing the year-end assessment: snapshots that never move, reopening with a reason, publishing."""

import io
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from assessment.models import Accident, Adjustment, Assessment, Report
from assessment.results import finalizing
from assessment.results.assessing import as_json, assess_year
from responsibility import roles
from responsibility.models import YearStatus
from tests.assessment.results import test_assess
from tests.assessment.results.test_assess import (
    EXPECTED,
    KEYS,
    add_assessed_units,
    make_catalog,
)
from tests.factories import make_office_user, make_user, make_year

D = Decimal
EXPECTED_JSON = [dict(zip(KEYS, row, strict=True)) for row in EXPECTED]


def command_json(*args):
    out = io.StringIO()
    call_command("assess", "--year", "2026", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def kept_keys(rows):
    """The keys `assess --json` always had (status, why and missing came later)."""
    return [{key: row[key] for key in KEYS} for row in rows]


class FinalizeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)  # the year worked out by hand
        cls.office = make_office_user()

    def finalize(self):
        return finalizing.finalize(self.year, user=self.office)

    def test_finalize_writes_one_snapshot_per_unit_with_the_figures_of_assess_year(self):
        computed = assess_year(self.year, provisional=False)
        self.assertEqual(self.finalize(), 8)  # 7 ranked, and xinwu: 未签订
        self.year.refresh_from_db()
        self.assertEqual(self.year.status, YearStatus.ASSESSING)
        rows = {a.unit.code: a for a in Assessment.objects.select_related("unit")}
        self.assertEqual(len(rows), 8)
        xinwu = rows["xinwu"]
        self.assertEqual((xinwu.status, xinwu.why), ("unsigned", "责任书尚在草拟，未下发"))
        self.assertEqual((xinwu.total, xinwu.rank, xinwu.grade, xinwu.tier), (None, None, "", ""))
        self.assertEqual(str(xinwu), "新吴区 2026年 未签订")
        for r in computed:
            row = rows[r.unit.code]
            self.assertEqual(
                (row.base, row.bonus, row.penalty, row.total, row.vetoed, row.grade, row.rank, row.tier),
                (r.base, r.bonus, r.penalty, r.score, r.vetoed, r.grade, r.rank, r.tier),
            )
            self.assertEqual(row.group, r.unit.group)
            self.assertEqual([i["code"] for i in row.items], [i.code for i in r.items])
            self.assertEqual([D(i["points"]) for i in row.items], [i.points for i in r.items])
            self.assertEqual(row.finalized_by, self.office)
            self.assertIsNone(row.published_at)
        (veto,) = rows["huishan"].vetoes
        self.assertEqual((veto["code"], veto["record_ids"]), ("V6", [self.concealed.pk]))
        self.assertEqual([c["code"] for c in rows["xishan"].yellow_cards], ["V3"])
        self.assertEqual(as_json(finalizing.snapshot_results(self.year)), as_json(computed))
        self.assertEqual(Assessment.history.filter(history_type="+").count(), 8)

    def test_a_snapshot_does_not_change_when_reports_and_accidents_do(self):
        self.finalize()
        Report.objects.filter(unit=self.u["liangxi"], quarter=4).update(value=D(10))
        Accident.objects.filter(pk=self.concealed.pk).update(deaths=40)
        Adjustment.objects.create(year=self.year, unit=self.u["zhujian"], points=D(-20), reason="通报批评")

        recomputed = {r["unit"]: r for r in as_json(assess_year(self.year, provisional=False))}
        self.assertNotEqual(recomputed["liangxi"]["score"], 102.0)
        self.assertNotEqual(recomputed["zhujian"]["score"], 92.5)
        self.assertEqual(kept_keys(as_json(finalizing.snapshot_results(self.year))), EXPECTED_JSON)
        self.assertEqual(kept_keys(command_json()), EXPECTED_JSON)
        self.assertEqual(Assessment.objects.get(unit=self.u["liangxi"]).total, D(102))
        # --provisional still computes today's figures.
        provisional = {r["unit"]: r for r in command_json("--provisional")}
        self.assertNotEqual(provisional["liangxi"]["score"], 102.0)

    def test_the_table_says_the_year_is_final(self):
        self.finalize()
        out = io.StringIO()
        call_command("assess", "--year", "2026", stdout=out)
        self.assertIn("（已定稿）", out.getvalue().splitlines()[0])
        self.assertIn("弄虚作假：伪造执法检查记录", out.getvalue())
        self.assertNotIn("V9", out.getvalue())

    def test_an_unfinalized_year_is_computed(self):
        self.assertIsNone(finalizing.snapshot_results(self.year))
        self.assertEqual(kept_keys(command_json()), EXPECTED_JSON)

    def test_finalizing_twice_is_refused(self):
        self.finalize()
        with self.assertRaisesMessage(ValidationError, "已定稿"):
            self.finalize()
        self.assertEqual(Assessment.objects.count(), 8)

    def test_reopening_needs_a_reason_and_keeps_the_snapshot_in_history(self):
        self.finalize()
        for reason in ("", "   "):
            with self.assertRaisesMessage(ValidationError, "重新打开年终考核须说明原因。"):
                finalizing.reopen(self.year, user=self.office, reason=reason)
        self.assertEqual(Assessment.objects.count(), 8)

        self.assertEqual(finalizing.reopen(self.year, user=self.office, reason="惠山区事故复核结论变更"), 8)
        self.assertFalse(Assessment.objects.exists())
        self.year.refresh_from_db()
        self.assertEqual(self.year.status, YearStatus.OPEN)
        deleted = Assessment.history.filter(history_type="-")
        self.assertEqual(deleted.count(), 8)
        self.assertEqual(
            set(deleted.values_list("history_change_reason", flat=True)), {"惠山区事故复核结论变更"}
        )
        self.assertEqual(set(deleted.values_list("history_user", flat=True)), {self.office.pk})
        old = deleted.get(unit=self.u["liangxi"])
        self.assertEqual((old.total, old.grade), (D(102), "excellent"))

        # Once reopened, the year is computed again and can be finalized anew.
        Report.objects.filter(unit=self.u["liangxi"], quarter=4).update(value=D(10))
        self.assertIsNone(finalizing.snapshot_results(self.year))
        self.assertEqual(self.finalize(), 8)
        self.assertLess(Assessment.objects.get(unit=self.u["liangxi"]).total, D(102))

    def test_reopening_or_publishing_nothing_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "尚未定稿"):
            finalizing.reopen(self.year, user=self.office, reason="复核")
        with self.assertRaisesMessage(ValidationError, "尚未定稿"):
            finalizing.publish(self.year, user=self.office)

    def test_a_year_without_signed_letters_cannot_be_finalized(self):
        empty = make_year(2027)
        with self.assertRaisesMessage(ValidationError, "还没有已签订责任书的单位"):
            finalizing.finalize(empty, user=self.office)
        empty.refresh_from_db()
        self.assertEqual(empty.status, YearStatus.PLANNING)

    def test_publishing_sets_the_date_and_the_year_status(self):
        self.finalize()
        self.assertEqual(finalizing.publish(self.year, user=self.office), 8)
        self.year.refresh_from_db()
        self.assertEqual(self.year.status, YearStatus.PUBLISHED)
        self.assertFalse(Assessment.objects.filter(published_at__isnull=True).exists())
        self.assertEqual(Assessment.history.filter(history_change_reason="发布").count(), 8)
        with self.assertRaisesMessage(ValidationError, "已发布"):
            finalizing.publish(self.year, user=self.office)

    def test_a_unit_member_sees_its_own_row_only_once_published(self):
        reporter = make_user(unit=self.u["liangxi"])
        leader = make_user(city_role=roles.LEADER)
        self.finalize()
        self.assertFalse(Assessment.objects.visible_to(reporter).exists())
        self.assertEqual(Assessment.objects.visible_to(leader).count(), 8)
        self.assertEqual(Assessment.objects.visible_to(self.office).count(), 8)
        finalizing.publish(self.year, user=self.office)
        self.assertEqual(
            list(Assessment.objects.visible_to(reporter).values_list("unit__code", flat=True)), ["liangxi"]
        )
        self.assertEqual(Assessment.objects.visible_to(leader).count(), 8)
        outsider = make_user()
        self.assertFalse(Assessment.objects.visible_to(outsider).exists())


class FinalizeQueryCountTests(TestCase):
    def test_the_same_number_of_queries_for_6_and_for_30_units(self):
        make_catalog()
        office = make_office_user()

        def count(year):
            with CaptureQueriesContext(connection) as queries:
                written = finalizing.finalize(year, user=office)
            return len(queries), written

        few_year, many_year = make_year(2026), make_year(2027)
        add_assessed_units(few_year, 6, 1, quarter=4)
        add_assessed_units(many_year, 30, 100, quarter=4)
        few, many = count(few_year), count(many_year)
        # every unit of the year gets a row: each year's own, signed; the other year's, 未签订
        self.assertEqual((few[1], many[1]), (36, 36))
        ranked = Assessment.objects.filter(status="signed")
        self.assertEqual(
            (ranked.filter(year=few_year).count(), ranked.filter(year=many_year).count()), (6, 30)
        )
        self.assertEqual(few[0], many[0])
        # savepoint, lock, check, assess_year's 12 twice (the final result, and the ranks at the end
        # of Q3 that 较上季度 keeps), snapshots and their history, the year and its, release
        self.assertLessEqual(many[0], 32)
