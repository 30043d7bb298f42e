"""Findings in the year-end assessment: B2's deductions for overdue findings and V10 for overdue
listed 重大事故隐患, worked out by hand; the query count stays fixed."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Deduction, Finding, FindingStatus, Inspection
from assessment.results import finalizing
from assessment.results.assessing import assess_year
from responsibility.models import Target, UnitKind
from tests.assessment.factories import at
from tests.factories import make_catalog_letters, make_indicator, make_office_user, make_unit, make_year

D = Decimal
SECTOR = ("dept_professional", "enterprise")


def make_catalog():
    """板块: B1 90 (assessed deductions), B2 10 (derived from findings, −0.5 each). 部门 and 企业: DB1 100."""
    make_indicator(
        code="B1", name="责任落实", rule="item_deduction", source="assessed", weights={"district": "90"}
    )
    make_indicator(
        code="B2",
        name="巡查、督导、考核巡查发现问题按期整改",
        rule="item_deduction",
        source="derived",
        weights={"district": "10"},
        params={"per_unit": "0.5"},
        sort_order=1,
    )
    make_indicator(
        code="DB1",
        name="三管三必须",
        rule="item_deduction",
        source="assessed",
        weights={kind: "100" for kind in SECTOR},
    )


def make_inspection(year, day=date(2026, 6, 12)) -> Inspection:
    return Inspection.objects.create(year=year, date=day, team="第二督查组")


def make_finding(inspection, unit, deadline, status=FindingStatus.OPEN, **fields) -> Finding:
    fields.setdefault("problem", "消防通道被占用，安全出口上锁，现场管理混乱")
    if status in (FindingStatus.VERIFIED, FindingStatus.CLOSED):
        fields.setdefault("verified_at", at(deadline.year, deadline.month, deadline.day))
    if fields.get("major_hazard"):
        fields.setdefault("listing_level", "city")
    return Finding.objects.create(
        inspection=inspection, unit=unit, deadline=deadline, status=status, **fields
    )


# 2026, worked out by hand (B2 weight 10, −0.5 per overdue finding; findings of 2026's inspections only):
#   liangxi: f1 deadline 09-30, open                    → overdue from 10-01
#            f2 deadline 06-30, verified 06-25          → never
#            f3 deadline 08-31, verified 10-05 (late)   → overdue on 09-30, not on 10-10 or at year end
#            f4 deadline 12-20, open                    → overdue only at year end
#            f5 of a 2025 inspection, open              → not 2026's
#            plus a Deduction row on B2: 台账不全 −1
#     provisional 10-10: f1 → B2 10 − 0.5 − 1 = 8.5; end of Q3 (cut-off 09-30): f3 → 8.5; final: f1, f4 → 8
#   xishan:  listed 重大隐患, deadline 09-30, submitted (not verified) → B2 9.5 and V10 (district)
#   zhujian: listed 重大隐患 overdue → V10 (department; no B2 target)
#   guolian: listed 重大隐患 overdue → nothing (V10 is for districts and departments)
class FindingsInTheAssessmentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        last_year = make_year(2025)
        make_catalog()
        u = {
            code: make_unit(code=code, name=name, kind=kind, sort_order=i)
            for i, (code, name, kind) in enumerate(
                [
                    ("liangxi", "梁溪区", UnitKind.DISTRICT),
                    ("xishan", "锡山区", UnitKind.DISTRICT),
                    ("zhujian", "住房城乡建设局", UnitKind.DEPT_PROFESSIONAL),
                    ("guolian", "国联集团", UnitKind.ENTERPRISE),
                ]
            )
        }
        cls.u = u
        make_catalog_letters(cls.year, list(u.values()))
        inspection = make_inspection(cls.year)
        cls.f1 = make_finding(
            inspection, u["liangxi"], date(2026, 9, 30), problem="某商业综合体消防通道被占用"
        )
        make_finding(
            inspection, u["liangxi"], date(2026, 6, 30), FindingStatus.VERIFIED, verified_at=at(2026, 6, 25)
        )
        cls.f3 = make_finding(
            inspection, u["liangxi"], date(2026, 8, 31), FindingStatus.VERIFIED, verified_at=at(2026, 10, 5)
        )
        cls.f4 = make_finding(
            inspection, u["liangxi"], date(2026, 12, 20), problem="农贸市场电气线路私拉乱接"
        )
        make_finding(make_inspection(last_year, date(2025, 6, 1)), u["liangxi"], date(2025, 9, 30))
        Deduction.objects.create(
            target=Target.objects.get(letter__unit=u["liangxi"], indicator__code="B2"),
            points=1,
            reason="台账不全",
        )
        cls.hazards = {
            code: make_finding(
                inspection,
                u[code],
                date(2026, 9, 30),
                FindingStatus.SUBMITTED,
                major_hazard=True,
                problem="粉尘涉爆",
            )
            for code in ("xishan", "zhujian", "guolian")
        }

    def results(self, **kwargs):
        return {r.unit.code: r for r in assess_year(self.year, **kwargs)}

    def b2(self, result):
        return {item.code: item for item in result.items}["B2"]

    def test_overdue_findings_of_the_year_are_deducted_from_b2_with_the_assessors_deductions(self):
        item = self.b2(self.results(today=date(2026, 10, 10))["liangxi"])
        self.assertEqual(item.points, D("8.5"))
        self.assertEqual(
            item.reason,
            "扣分：问题隐患逾期未整改：某商业综合体消防通道被占用（期限2026-09-30）（−0.5）；台账不全（−1），共扣1.5分",
        )

    def test_the_cutoff_is_today_or_the_end_of_the_quarter_or_the_year(self):
        q3 = self.b2(self.results(today=date(2026, 12, 28), through_quarter=3)["liangxi"])
        self.assertEqual(q3.points, D("8.5"))
        self.assertIn("（期限2026-08-31）", q3.reason)  # verified 10-05: still open on 09-30
        self.assertNotIn("期限2026-09-30", q3.reason)  # due that very day: not yet overdue
        final = self.b2(self.results(provisional=False)["liangxi"])
        self.assertEqual(final.points, D(8))
        self.assertIn("农贸市场电气线路私拉乱接（期限2026-12-20）", final.reason)
        self.assertNotIn("期限2026-08-31", final.reason)  # verified before the year ended
        self.assertNotIn("2025", final.reason)

    def test_a_final_assessment_does_not_change_with_the_day_it_is_run(self):
        Finding.objects.filter(pk=self.f4.pk).update(
            status=FindingStatus.VERIFIED, verified_at=at(2027, 1, 5)
        )
        self.assertEqual(self.b2(self.results(provisional=False)["liangxi"]).points, D(8))
        self.assertEqual(self.b2(self.results(today=date(2027, 1, 20))["liangxi"]).points, D(8))

    def test_overdue_listed_hazards_veto_districts_and_departments(self):
        results = self.results(today=date(2026, 10, 10))
        (veto,) = results["xishan"].vetoes
        self.assertEqual(
            (veto.code, veto.reason, veto.record_ids),
            ("V10", "挂牌督办重大隐患1项逾期未整改或拒不整改", (self.hazards["xishan"].pk,)),
        )
        self.assertEqual(self.b2(results["xishan"]).points, D("9.5"))
        self.assertEqual(results["xishan"].grade, "fail")
        self.assertEqual(results["zhujian"].veto_codes, ["V10"])
        self.assertEqual(results["guolian"].veto_codes, [])
        self.assertEqual(results["liangxi"].veto_codes, [])  # its overdue findings are not major hazards

    def test_a_hazard_verified_in_time_or_a_rule_switched_off_does_not_veto(self):
        self.assertEqual(self.results(today=date(2026, 9, 30))["xishan"].veto_codes, [])  # not due yet
        Finding.objects.filter(pk=self.hazards["xishan"].pk).update(
            status=FindingStatus.VERIFIED, verified_at=at(2026, 9, 29)
        )
        self.assertEqual(self.results(today=date(2026, 10, 10))["xishan"].veto_codes, [])
        self.year.veto_rules = {"V10": {"enabled": False}}
        self.assertEqual(self.results(today=date(2026, 10, 10))["zhujian"].veto_codes, [])

    def test_the_unit_assessment_page_links_a_v10_veto_to_its_finding(self):
        self.client.force_login(make_office_user())
        finalizing.finalize(self.year, user=make_office_user())
        response = self.client.get(reverse("assessment:assessment_detail", args=[2026, self.u["xishan"].pk]))
        self.assertContains(response, reverse("assessment:finding_detail", args=[self.hazards["xishan"].pk]))
        problem = " ".join(self.hazards["xishan"].problem.split())[:29]
        self.assertContains(response, problem)  # the finding named by its problem, not 问题隐患#id
        self.assertNotContains(response, "问题隐患#")


class QueryCountTests(TestCase):
    def test_findings_cost_one_query_whatever_the_number_of_units(self):
        year = make_year(2026)
        make_catalog()
        inspection = make_inspection(year)

        def add_units(n, start):
            units = [
                make_unit(kind=[UnitKind.DISTRICT, UnitKind.DEPT_PROFESSIONAL][i % 2], sort_order=start + i)
                for i in range(n)
            ]
            make_catalog_letters(year, units)
            for unit in units:
                make_finding(inspection, unit, date(2026, 9, 30))
                make_finding(inspection, unit, date(2026, 8, 31), FindingStatus.SUBMITTED, major_hazard=True)

        def count():
            with CaptureQueriesContext(connection) as queries:
                results = assess_year(year, today=date(2026, 10, 10))
            return len(queries), len(results), sum(r.vetoed for r in results)

        add_units(10, 1)
        few = count()
        add_units(290, 11)
        many = count()
        self.assertEqual((few[1], many[1]), (10, 300))
        self.assertEqual((few[2], many[2]), (10, 300))  # every unit has an overdue listed hazard: V10
        self.assertEqual(few[0], many[0])
        self.assertEqual(many[0], 12)  # assess_year's 12
