"""The year-end assessment from the database: a full year worked out by hand, `assess --json`, queries."""

import io
import json
from datetime import date
from decimal import Decimal

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from assessment.accidents.figures import Scenario
from assessment.models import (
    Adjustment,
    AssessmentGrade,
    AssessmentTier,
    Deduction,
    Industry,
    Report,
    ReportStatus,
)
from assessment.results.assessing import as_json, assess_year
from responsibility.models import Indicator, Target, UnitKind
from tests.assessment.factories import at, make_accident, make_exemption, make_report
from tests.factories import make_catalog_letters, make_indicator, make_unit, make_year

D = Decimal
SECTOR = ("dept_professional", "enterprise")


def make_catalog():
    """A small catalog, 100 points for each kind.

    板块 (district):                    A1 30 (cap, −2 per death over), A2 10 (双下降), A3 10 (−5 per
                                        较大+), B1 20 (assessed deductions), C1 30 (entered, completion)
    专业类部门 and 市属企业:            DA1 40 (cap, −1 per death over), DA2 10 (no 较大+), DB1 20
                                        (assessed deductions), DC1 30 (entered, completion)
    """

    def weights(points, kinds):
        return {kind: str(points) for kind in kinds}

    district = ("district",)
    specs = [
        ("A1", "死亡人数控制", "cap_deduction", "derived", weights(30, district), {"per_unit": "2"}),
        ("A2", "双下降", "yoy_decrease", "derived", weights(10, district), {}),
        ("A3", "较大事故", "count_deduction", "derived", weights(10, district), {"per_unit": "5"}),
        ("B1", "责任落实", "item_deduction", "assessed", weights(20, district), {}),
        ("C1", "隐患整改", "completion", "entered", weights(30, district), {}),
        ("DA1", "行业死亡人数控制", "cap_deduction", "derived", weights(40, SECTOR), {"per_unit": "1"}),
        ("DA2", "不发生较大事故", "boolean", "derived", weights(10, SECTOR), {}),
        ("DB1", "三管三必须", "item_deduction", "assessed", weights(20, SECTOR), {}),
        ("DC1", "行业监管", "completion", "entered", weights(30, SECTOR), {}),
    ]
    return {
        code: make_indicator(
            code=code, name=name, rule=rule, source=source, weights=w, params=params, sort_order=i
        )
        for i, (code, name, rule, source, w, params) in enumerate(specs)
    }


def target(unit, code):
    return Target.objects.get(letter__unit=unit, indicator__code=code)


def report(unit, code, quarter, value, status=ReportStatus.APPROVED, **fields):
    return make_report(target(unit, code), quarter=quarter, value=D(value), status=status, **fields)


def set_targets(units, caps):
    Target.objects.filter(indicator__rule="completion").update(target_value=D(100))
    for unit in units:
        code = "A1" if unit.kind == UnitKind.DISTRICT else "DA1"
        Target.objects.filter(letter__unit=unit, indicator__code=code).update(target_value=D(caps[unit.code]))


# The scenario, worked out by hand (final assessment of 2026; 2025 has no Year row, so last year's
# window is 2025-01-01…2025-12-31).
#
# Accidents 2026 (属地 → supervising departments):
#   a1 03-05 liangxi 一般 2 deaths, construction → zhujian
#   a2 06-10 xishan 较大 3 deaths, hazchem → jiaotong
#   a3 04-02 huishan 一般 1 death
#   a4 11-15 huishan 较大 4 deaths, 瞒报 (after the provisional date 10-10)
#   a5 08-08 binhu 较大 3 deaths, fire; binhu exempted (no 属地 responsibility) → counts for nobody
#   a6 07-01 binhu 一般 1 death, road → guolian
#   2025: liangxi 3 accidents / 4 deaths, xishan 1 / 1, binhu 2 / 2, huishan none.
#
# 板块 (caps: liangxi 3, xishan 4, huishan 4, binhu 2)
#   liangxi: A1 2≤3 30 | A2 1<3, 2<4 10 | A3 0 较大 10 | B1 20−0.5−1 = 18.5 | C1 Q4 95% 28.5
#            base 97.00, bonus +3 +4 = 7 → cap 5, total 102.00, 优秀
#   binhu:   A1 1≤2 30 (a5 exempted) | A2 1<2, 1<2 10 | A3 0 10 | B1 20−1−2 = 17 | C1 Q4 100% (reported
#            late, approved) 30; base 97.00, bonus +5, total 102.00, 优秀
#   xishan:  A1 3≤4 30 | A2 1=1, 3>1 0 | A3 1 较大 −5 → 5 | B1 20 | C1 Q4 96% 28.8; base 83.80,
#            penalty −2, total 81.80, 良好; 黄牌 V3 (one 较大, veto at two)
#   huishan: A1 5>4 over 1 × 2 → 28 | A2 0→2, 0→5 0 | A3 1 较大 5 | B1 20 | C1 Q4 90% 27; base 80.00,
#            total 80.00; V6 (瞒报 a 较大, a4) → 不合格; V7 not: 5 < 150 % × 4 = 6
#   ranks: liangxi 1, binhu 1 (tie, city order), xishan 3, huishan 4 (vetoed last)
#   等次 of 3 unvetoed: first round(0.9) = 1 place, first two round(2.1) = 2 places → ranks 1, 1 第一;
#   rank 3 第三; vetoed 第三
# 专业类部门 (caps: zhujian 2, jiaotong 3)
#   zhujian:  DA1 2≤2 40 | DA2 10 | DB1 20−1.5 = 18.5 | DC1 Q4 80% 24; total 92.50, 优秀, 黄牌 V7 (at cap)
#   jiaotong: DA1 3≤3 40 | DA2 a2 is 较大 0 | DB1 20 | DC1 Q4 100% 30; total 90.00, manual veto V9
#   ranks: zhujian 1 第一等次, jiaotong 2 (vetoed) 第三等次
# 市属企业 (cap guolian 1)
#   guolian: DA1 1≤1 40 | DA2 10 | DB1 20−12−10 → 0 | DC1 Q4 only submitted → 无数据 0 (Q3 50 % approved);
#            total 50.00 < 60 → V8 → 不合格, rank 1 (alone), 第三等次 (no unvetoed unit)
#   guolian's DC1 is 缺报 (no approved Q4): 0 points by the year's default rule, "missing": 1.
# xinwu (district, letter still a draft) is listed after the ranked 板块 units: 未签订, no score or rank.
EXPECTED = [
    # unit, name, group, base, bonus, penalty, score, vetoed, veto_reasons, grade, rank, tier
    ("liangxi", "梁溪区", "板块", 97.0, 5.0, 0.0, 102.0, False, [], "优秀", 1, "第一等次"),
    ("binhu", "滨湖区", "板块", 97.0, 5.0, 0.0, 102.0, False, [], "优秀", 1, "第一等次"),
    ("xishan", "锡山区", "板块", 83.8, 0.0, 2.0, 81.8, False, [], "良好", 3, "第三等次"),
    ("huishan", "惠山区", "板块", 80.0, 0.0, 0.0, 80.0, True, ["V6"], "不合格", 4, "第三等次"),
    ("xinwu", "新吴区", "板块", None, None, None, None, False, [], "", None, ""),
    ("zhujian", "住房城乡建设局", "专业类部门", 92.5, 0.0, 0.0, 92.5, False, [], "优秀", 1, "第一等次"),
    ("jiaotong", "交通运输局", "专业类部门", 90.0, 0.0, 0.0, 90.0, True, ["V9"], "不合格", 2, "第三等次"),
    ("guolian", "国联集团", "市属企业", 50.0, 0.0, 0.0, 50.0, True, ["V8"], "不合格", 1, "第三等次"),
]
KEYS = ("unit", "name", "group", "base", "bonus", "penalty", "score", "vetoed", "veto_reasons", "grade")
KEYS += ("rank", "tier")


class FullYearTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        make_catalog()
        u = {}
        for order, (code, name, kind) in enumerate(
            [
                ("liangxi", "梁溪区", UnitKind.DISTRICT),
                ("xishan", "锡山区", UnitKind.DISTRICT),
                ("huishan", "惠山区", UnitKind.DISTRICT),
                ("binhu", "滨湖区", UnitKind.DISTRICT),
                ("xinwu", "新吴区", UnitKind.DISTRICT),
                ("zhujian", "住房城乡建设局", UnitKind.DEPT_PROFESSIONAL),
                ("jiaotong", "交通运输局", UnitKind.DEPT_PROFESSIONAL),
                ("guolian", "国联集团", UnitKind.ENTERPRISE),
            ],
            start=1,
        ):
            u[code] = make_unit(code=code, name=name, kind=kind, sort_order=order)
        cls.u = u
        assessed = [unit for code, unit in u.items() if code != "xinwu"]
        make_catalog_letters(cls.year, assessed)  # xinwu's letter stays a draft
        set_targets(
            assessed,
            {"liangxi": 3, "xishan": 4, "huishan": 4, "binhu": 2, "zhujian": 2, "jiaotong": 3, "guolian": 1},
        )

        accident = make_accident
        accident(unit=u["liangxi"], occurred_at=at(2026, 3, 5), deaths=2, industry=Industry.CONSTRUCTION,
                 departments=[u["zhujian"]])  # fmt: skip
        cls.a2 = accident(unit=u["xishan"], occurred_at=at(2026, 6, 10), deaths=3, industry=Industry.HAZCHEM,
                          departments=[u["jiaotong"]])  # fmt: skip
        accident(unit=u["huishan"], occurred_at=at(2026, 4, 2), deaths=1, reported_late=True)
        cls.concealed = accident(unit=u["huishan"], occurred_at=at(2026, 11, 15), deaths=4, concealed=True)
        fire = accident(unit=u["binhu"], occurred_at=at(2026, 8, 8), deaths=3, industry=Industry.FIRE)
        make_exemption(fire, u["binhu"], "经调查，属地无监管责任")
        accident(unit=u["binhu"], occurred_at=at(2026, 7, 1), deaths=1, industry=Industry.ROAD,
                 departments=[u["guolian"]])  # fmt: skip
        for code, deaths in (("liangxi", [2, 1, 1]), ("xishan", [1]), ("binhu", [1, 1])):
            for month, n in enumerate(deaths, start=2):
                accident(unit=u[code], occurred_at=at(2025, month, 10), deaths=n)

        # Entered results: Q3 and Q4, cumulative; only approved ones count.
        for code, ind, q3, q4 in (
            ("liangxi", "C1", 70, 95),
            ("xishan", "C1", 75, 96),
            ("huishan", "C1", 60, 90),
            ("binhu", "C1", 80, 100),
            ("zhujian", "DC1", 60, 80),
            ("jiaotong", "DC1", 70, 100),
        ):
            report(u[code], ind, 3, q3)
            report(u[code], ind, 4, q4, late=code == "binhu")
        report(u["guolian"], "DC1", 3, 50)
        report(u["guolian"], "DC1", 4, 100, status=ReportStatus.SUBMITTED)  # not reviewed yet

        for code, ind, points, reason in (
            ("liangxi", "B1", "0.5", "安委会未按季度研究安全生产工作"),
            ("liangxi", "B1", "1", "责任书未签订到全部镇街"),
            ("binhu", "B1", "1", "镇街责任书签订不全"),
            ("binhu", "B1", "2", "事故信息迟报1起"),
            ("zhujian", "DB1", "1.5", "行业职责清单未更新"),
            ("guolian", "DB1", "12", "全员安全生产责任制未建立"),
            ("guolian", "DB1", "10", "隐患排查台账缺失"),
        ):
            Deduction.objects.create(target=target(u[code], ind), points=D(points), reason=reason)

        for code, points, reason in (
            ("liangxi", "3", "获评省安全发展示范城市创建先进"),
            ("liangxi", "4", "安全生产工作获国务院安委会表扬"),
            ("binhu", "5", "安全生产标准化建设成效显著"),
            ("xishan", "-2", "被省安委办通报批评"),
        ):
            Adjustment.objects.create(
                year=cls.year, unit=u[code], points=D(points), reason=reason, basis="锡安委〔2026〕3号"
            )
        cls.fraud = Adjustment.objects.create(
            year=cls.year, unit=u["jiaotong"], points=0, manual_veto=True, reason="伪造执法检查记录"
        )

    def final(self):
        return {r.unit.code: r for r in assess_year(self.year, provisional=False)}

    def test_the_final_ranking_is_the_one_worked_out_by_hand(self):
        rows = [tuple(row[key] for key in KEYS) for row in as_json(assess_year(self.year, provisional=False))]
        self.assertEqual(rows, EXPECTED)

    def test_assess_json_prints_the_ranking_in_the_shape_relied_on(self):
        out = io.StringIO()
        call_command("assess", "--year", "2026", "--json", stdout=out)
        printed = json.loads(out.getvalue())
        self.assertEqual([list(row)[: len(KEYS)] for row in printed], [list(KEYS)] * len(EXPECTED))
        self.assertEqual([{key: row[key] for key in KEYS} for row in printed],
                         [dict(zip(KEYS, row, strict=True)) for row in EXPECTED])  # fmt: skip
        added = {row["unit"]: (row["status"], row["why"], row["missing"]) for row in printed}
        self.assertEqual(added["xinwu"], ("unsigned", "责任书尚在草拟，未下发", 0))
        self.assertEqual(added["guolian"], ("signed", "", 1))  # DC1: Q4 not approved
        self.assertEqual(added["liangxi"], ("signed", "", 0))

    def test_the_table_lists_each_group_with_ranks_grades_tiers_and_vetoes(self):
        out = io.StringIO()
        call_command("assess", "--year", "2026", stdout=out)
        text = out.getvalue()
        for expected in (
            "【板块】",
            "【专业类部门】",
            "【市属企业】",
            "102.00",
            "第一等次",
            "弄虚作假：伪造执法检查记录",
        ):
            self.assertIn(expected, text)
        self.assertIn("新吴区            未签订：责任书尚在草拟，未下发（不参加排名）", text)
        self.assertIn("国联集团", text)
        self.assertIn("缺报1项", text)

    def test_each_item_says_how_it_was_scored(self):
        results = self.final()
        items = {item.code: item for item in results["liangxi"].items}
        self.assertEqual([i.points for i in items.values()], [D(30), D(10), D(10), D("18.5"), D("28.5")])
        self.assertIn("安委会未按季度研究安全生产工作（−0.5）", items["B1"].reason)
        guolian = {item.code: item for item in results["guolian"].items}
        self.assertEqual(
            guolian["DB1"].reason,
            "扣分：全员安全生产责任制未建立（−12）；隐患排查台账缺失（−10），共扣22分，扣完为止",
        )
        self.assertEqual(guolian["DC1"].reason, "缺报，按本年度规则计0分")
        self.assertTrue(guolian["DC1"].missing)
        self.assertEqual({i.code: i.points for i in results["huishan"].items}["A1"], D(28))

    def test_double_decrease_comes_from_the_register_even_when_the_indicator_says_entered(self):
        Indicator.objects.filter(code="A2").update(source="entered")
        report(self.u["xishan"], "A2", 4, 100)  # a value reported by mistake is not the 双下降
        a2 = {i.code: i for i in self.final()["xishan"].items}["A2"]
        self.assertEqual(a2.points, D(0))
        self.assertIn("死亡人数", a2.reason)

    def test_a_count_of_larger_accidents_says_so(self):
        a3 = {i.code: i for i in self.final()["xishan"].items}["A3"]
        self.assertEqual(a3.reason, "较大及以上事故1起，扣5分")

    def test_sector_caps_count_deaths_by_industry_without_exempted_accidents(self):
        a4 = make_indicator(code="A4", rule="cap_deduction", source="derived", weights={"district": "4"})
        Target.objects.create(
            letter=target(self.u["binhu"], "A1").letter,
            indicator=a4,
            weight=D(4),
            params={
                "per_unit": "0.5",
                "caps": {"road": 0, "fire": 0},
                "labels": {"road": "道路交通", "fire": "火灾"},
            },
        )
        item = {i.code: i for i in self.final()["binhu"].items}["A4"]
        self.assertEqual(item.points, D("3.5"))  # road 1 over its cap of 0; the fire (3 deaths) is exempted
        self.assertEqual(
            item.reason, "道路交通死亡1人（控制数0人，超1人）；火灾死亡0人（控制数0人），扣0.5分"
        )

    def test_vetoes_name_their_rule_and_records_and_warnings_are_given(self):
        results = self.final()
        (veto,) = results["huishan"].vetoes
        self.assertEqual((veto.code, veto.record_ids), ("V6", (self.concealed.pk,)))
        (manual,) = results["jiaotong"].vetoes
        self.assertEqual((manual.code, manual.record_ids), ("V9", (self.fraud.pk,)))
        self.assertIn("伪造执法检查记录", manual.reason)
        self.assertEqual([c.code for c in results["xishan"].yellow_cards], ["V3"])
        self.assertEqual([c.code for c in results["zhujian"].yellow_cards], ["V7"])
        self.assertEqual(results["binhu"].yellow_cards, ())  # the exempted 较大 does not count

    def test_provisional_uses_the_latest_approved_quarter_and_accidents_until_today(self):
        results = {r.unit.code: r for r in assess_year(self.year, today=date(2026, 10, 10))}
        guolian = {i.code: i for i in results["guolian"].items}
        self.assertEqual(guolian["DC1"].points, D(15))  # Q3 50 %: Q4 is only submitted
        self.assertEqual(results["guolian"].score, D(65))
        self.assertFalse(results["guolian"].vetoed)
        self.assertEqual({i.code: i.points for i in results["liangxi"].items}["C1"], D("28.5"))  # Q4 approved
        # huishan's concealed 较大 (11-15) has not happened by 10-10: A1 30, A3 10, no veto.
        huishan = results["huishan"]
        self.assertEqual(
            (huishan.score, huishan.vetoed, huishan.grade, huishan.rank),
            (D(87), False, AssessmentGrade.GOOD, 3),
        )
        self.assertEqual(self.final()["guolian"].score, D(50))

    def test_the_years_veto_settings_apply(self):
        self.year.veto_rules = {"V3": {"larger_count": 1}, "V6": {"enabled": False}}
        results = self.final()
        self.assertEqual(results["xishan"].veto_codes, ["V3"])  # one 较大 now vetoes a district
        self.assertEqual(results["huishan"].veto_codes, ["V3"])  # its concealed 较大: V3, V6 is off
        self.year.veto_rules = {"V6": {"enabled": False}}
        huishan = self.final()["huishan"]
        self.assertEqual(
            (huishan.vetoed, huishan.rank, huishan.grade), (False, 4, AssessmentGrade.GOOD)
        )  # 80.00 < 81.80

    def test_the_years_tier_proportions_apply(self):
        self.assertEqual(self.final()["xishan"].tier, AssessmentTier.THIRD)  # 30 % + 40 % of 3: 2 places
        self.year.first_tier_percent, self.year.second_tier_percent = D(30), D(70)
        self.assertEqual(self.final()["xishan"].tier, AssessmentTier.SECOND)  # 100 % of 3: all 3

    def test_the_ranking_as_it_stood_at_the_end_of_a_quarter(self):
        results = {
            r.unit.code: r for r in assess_year(self.year, today=date(2026, 12, 28), through_quarter=3)
        }
        self.assertEqual({i.code: i.points for i in results["liangxi"].items}["C1"], D(21))  # Q3 70 %
        self.assertFalse(results["huishan"].vetoed)  # its concealed 较大 of 11-15 came after Q3
        self.assertEqual(results["guolian"].score, D(65))  # DC1 Q3 50 %

    def test_what_if_regrades_and_exempts_without_saving(self):
        scenario = Scenario(
            grades={self.a2.pk: "ordinary"}, exemptions=frozenset({(self.concealed.pk, self.u["huishan"].pk)})
        )
        what_if = {r.unit.code: r for r in assess_year(self.year, provisional=False, scenario=scenario)}
        self.assertEqual({i.code: i.points for i in what_if["xishan"].items}["A3"], D(10))
        self.assertEqual(what_if["xishan"].yellow_cards, ())
        self.assertFalse(what_if["huishan"].vetoed)
        self.assertEqual(what_if["jiaotong"].veto_codes, ["V9"])
        self.a2.refresh_from_db()
        self.assertEqual(self.a2.grade, "larger")
        self.assertEqual(self.final()["huishan"].veto_codes, ["V6"])

    def test_the_command_computes_provisional_results_too(self):
        out = io.StringIO()
        call_command("assess", "--year", "2026", "--provisional", stdout=out)
        self.assertIn("预估", out.getvalue())

    def test_adjustments_and_deductions_are_checked_by_the_database(self):
        for fields in (
            {"unit": self.u["xishan"], "points": D(1), "manual_veto": True, "reason": "弄虚作假"},
            {"unit": self.u["xishan"], "points": D(0), "reason": "零分加减"},
            {"unit": self.u["xishan"], "points": D(1), "reason": ""},
        ):
            with self.subTest(fields=fields), self.assertRaises(IntegrityError), transaction.atomic():
                Adjustment.objects.create(year=self.year, **fields)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Deduction.objects.create(target=target(self.u["xishan"], "B1"), points=D(0), reason="零分")


def add_assessed_units(year, n: int, start: int, *, quarter: int = 3) -> list:
    """`n` more units of three kinds with signed letters (make_catalog's targets), each with a
    report, a deduction, an adjustment and a 较大 accident: a city to count queries on."""
    kinds = [UnitKind.DISTRICT, UnitKind.DEPT_PROFESSIONAL, UnitKind.ENTERPRISE]
    units = [make_unit(kind=kinds[i % 3], sort_order=start + i) for i in range(n)]
    make_catalog_letters(year, units)
    set_targets(units, {unit.code: 2 for unit in units})
    targets = {
        (t.letter.unit_id, t.indicator.code): t
        for t in Target.objects.filter(letter__year=year, letter__unit__in=units).select_related(
            "letter", "indicator"
        )
    }
    reports, deductions, adjustments = [], [], []
    for unit in units:
        entered, assessed = ("C1", "B1") if unit.kind == UnitKind.DISTRICT else ("DC1", "DB1")
        reports.append(
            Report(
                target=targets[unit.pk, entered],
                unit=unit,
                year=year,
                quarter=quarter,
                value=D(80),
                status=ReportStatus.APPROVED,
            )
        )
        deductions.append(Deduction(target=targets[unit.pk, assessed], points=D(1), reason="扣分"))
        adjustments.append(Adjustment(year=year, unit=unit, points=D(1), reason="加分"))
        make_accident(unit=unit, occurred_at=at(year.year, 5, 1), deaths=3)
    # In three statements, not three per unit: the 300-unit query counts build 290 at once.
    Report.objects.bulk_create(reports)
    Deduction.objects.bulk_create(deductions)
    Adjustment.objects.bulk_create(adjustments)
    return units


class QueryCountTests(TestCase):
    def test_the_same_number_of_queries_for_10_and_for_300_units(self):
        year = make_year(2026)
        make_catalog()

        def add_units(n, start):
            return add_assessed_units(year, n, start)

        def count():
            with CaptureQueriesContext(connection) as queries:
                results = assess_year(year, today=date(2026, 10, 10))
            return len(queries), len(results)

        add_units(10, 1)
        few = count()
        add_units(290, 11)
        many = count()
        self.assertEqual((few[1], many[1]), (10, 300))
        self.assertEqual(few[0], many[0])
        # targets as values, their indicators and units; reports, deductions, adjustments; the
        # accident figures (5) and the overdue findings
        self.assertEqual(many[0], 12)
