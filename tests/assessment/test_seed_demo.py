"""The demo: a believable Wuxi that a second run leaves exactly as it was."""

import io
from datetime import date

import time_machine
from django.core.management import call_command
from django.test import TestCase

from assessment.models import (
    Accident,
    Adjustment,
    Assessment,
    Deduction,
    Finding,
    FindingStatus,
    Inspection,
    InspectionKind,
    Notification,
    Report,
    ReportStatus,
)
from assessment.results.finalizing import snapshot_results
from responsibility.documents import letters_that_differ
from responsibility.models import Indicator, LetterStatus, ResponsibilityLetter, Unit, UnitKind, User, Year


@time_machine.travel(date(2026, 11, 28))
class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=io.StringIO())

    def counts(self):
        models = (
            Unit,
            User,
            Indicator,
            ResponsibilityLetter,
            Accident,
            Report,
            Deduction,
            Adjustment,
            Assessment,
            Inspection,
            Finding,
            Notification,
        )
        return [m.objects.count() for m in models]

    def test_a_second_run_changes_nothing(self):
        before = self.counts()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        self.assertEqual(self.counts(), before)
        self.assertIn("units +0", out.getvalue())
        self.assertIn("inspections +0", out.getvalue())
        self.assertIn("liangxi_tb", out.getvalue())

    def test_make_run_lists_the_accounts_last_with_demo_accounts(self):
        out = io.StringIO()
        call_command("seed_demo", "--no-accounts", stdout=out)
        self.assertIn("units +0", out.getvalue())
        self.assertNotIn("liangxi_tb", out.getvalue())
        out = io.StringIO()
        call_command("demo_accounts", stdout=out)
        self.assertIn("演示账号（密码均为 Wuxi@2026）：", out.getvalue())
        self.assertIn("  liangxi_tb   孙丽     梁溪区填报员", out.getvalue())
        self.assertIn("  zhujian_fz   徐建军    市住房城乡建设局单位负责人", out.getvalue())

    def test_every_wuxi_unit_and_a_catalog_of_100_points_per_kind(self):
        names = set(Unit.objects.values_list("name", flat=True))
        for name in [
            "梁溪区",
            "锡山区",
            "惠山区",
            "滨湖区",
            "新吴区",
            "江阴市",
            "宜兴市",
            "经开区",
            "市住房城乡建设局",
        ]:
            self.assertIn(name, names)
        from responsibility.models import weight_totals

        self.assertEqual(set(weight_totals(Indicator.objects.active()).values()), {100})
        self.assertEqual(Unit.objects.filter(kind=UnitKind.ENTERPRISE).count(), 5)

    def test_letters_in_every_state(self):
        self.assertFalse(
            ResponsibilityLetter.objects.filter(year__year=2025).exclude(status=LetterStatus.SIGNED).exists()
        )
        states = dict(
            ResponsibilityLetter.objects.filter(year__year=2026)
            .exclude(status=LetterStatus.SIGNED)
            .values_list("unit__code", "status")
        )
        self.assertEqual(states, {"huishan": LetterStatus.ISSUED, "haishi": LetterStatus.DRAFT})

    def test_the_demo_letters_say_what_the_demos_rules_apply(self):
        for year in Year.objects.all():
            with self.subTest(year=year.year):
                self.assertEqual(letters_that_differ(year), [])
        liangxi = ResponsibilityLetter.objects.get(year__year=2026, unit__code="liangxi")
        said = "".join(liangxi.words["paragraphs"])
        # A district is vetoed at its second 较大, and warned (黄牌) at its first, as the engine does.
        self.assertIn("累计发生较大或更重等级生产安全事故 2 起及以上", said)
        self.assertIn("发生较大或更重等级生产安全事故（达到 2 起即否决）", said)
        self.assertNotIn("发生较大及以上生产安全事故或者", said)
        self.assertEqual(
            liangxi.words["targets"]["A3"], "全年不发生较大及以上事故，每发生 1 起扣 5 分，扣完为止"
        )

    def test_ten_years_of_accidents_falling_with_a_major_one(self):
        per_year = [Accident.objects.filter(occurred_at__year=y).count() for y in range(2017, 2026)]
        self.assertGreater(per_year[0], per_year[-1])
        self.assertEqual(Accident.objects.filter(grade="major").count(), 1)
        self.assertTrue(Accident.objects.filter(grade="larger", occurred_at__year=2025).exists())

    def test_reports_2025_approved_and_2026_q3_mixed_with_the_demo_units_owing(self):
        self.assertFalse(
            Report.objects.filter(year__year=2025).exclude(status=ReportStatus.APPROVED).exists()
        )
        self.assertEqual(
            set(Report.objects.filter(year__year=2025).values_list("quarter", flat=True)), {1, 2, 3, 4}
        )
        q3 = Report.objects.filter(year__year=2026, quarter=3)
        self.assertTrue(
            {ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.RETURNED}
            <= set(q3.values_list("status", flat=True))
        )
        self.assertTrue(q3.filter(late=True).exists())
        self.assertFalse(Report.objects.filter(year__year=2026, quarter=4).exists())
        for code in ["liangxi", "zhujian"]:
            letter = ResponsibilityLetter.objects.get(year__year=2026, unit__code=code)
            entered = letter.targets.filter(indicator__source="entered").count()
            self.assertLess(
                q3.filter(unit__code=code).count(), entered, f"{code} should still owe part of Q3"
            )

    def test_findings_in_every_state_with_an_overdue_one_of_liangxi_and_listed_hazards(self):
        statuses = set(Finding.objects.filter(inspection__year__year=2026).values_list("status", flat=True))
        self.assertEqual(statuses, set(FindingStatus.values))
        overdue = Finding.objects.overdue(date(2026, 11, 28))
        self.assertEqual(list(overdue.values_list("unit__code", flat=True)), ["liangxi"])
        self.assertTrue(Finding.objects.filter(major_hazard=True, status=FindingStatus.OPEN).exists())
        self.assertTrue(Finding.objects.filter(major_hazard=True, status=FindingStatus.CLOSED).exists())
        rejected = Finding.objects.get(
            unit__code="liangxi", status=FindingStatus.OPEN, rejection_reason__gt=""
        )
        self.assertEqual(rejected.history.first().history_date.date(), date(2026, 10, 23))
        self.assertEqual(set(InspectionKind.values), set(Inspection.objects.values_list("kind", flat=True)))

    def test_2025_finalized_and_published_with_a_veto_and_a_bonus_2026_provisional(self):
        self.assertEqual(Year.objects.get(year=2025).status, "published")
        self.assertEqual(Assessment.objects.filter(year__year=2025, published_at__isnull=False).count(), 37)
        results = {r.unit.code: r for r in snapshot_results(Year.objects.get(year=2025))}
        self.assertEqual(results["nongye"].veto_codes, ["V9"])
        self.assertEqual((results["nongye"].grade, results["nongye"].tier), ("fail", "third"))
        self.assertEqual(
            (results["nongye"].grade_label, results["nongye"].tier_label), ("不合格", "第三等次")
        )
        self.assertEqual(results["binhu"].bonus, 3)
        self.assertEqual(results["chengguan"].penalty, 1)
        self.assertTrue(any(item.points < item.weight for r in results.values() for item in r.items))
        self.assertFalse(Assessment.objects.filter(year__year=2026).exists())
        self.assertIsNone(snapshot_results(Year.objects.get(year=2026)))
