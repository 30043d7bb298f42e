"""Every unit of the year is listed: 未签订 with its why and no rank, 缺报 N 项 beside a provisional
score, and the year's rule for what a missing entered value counts.

An invented city, not Wuxi: its own catalog codes (Z1 derived, Z2 and Z3 entered) and names. Its
板块 has eight units: six signed with both entered values reported, 西岭区 signed with nothing
reported (缺报 2 项), 南湖区 issued and never signed. Also an inactive 旧城区 with a letter and a
unit of a kind the catalog does not cover; some tests add 北坡区, of a covered kind, with no letter.
"""

import io
import json
import re
from datetime import date
from decimal import Decimal
from itertools import count

import openpyxl
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Assessment, ReportStatus
from assessment.results import assessing, finalizing
from assessment.results.assessing import assess_year
from assessment.rules import ranking
from responsibility import roles
from responsibility.models import LetterStatus, UnitKind
from tests.assessment.exports.test_year_exports import sheets_of, workbook_of
from tests.assessment.factories import make_report
from tests.factories import make_indicator, make_letter, make_office_user, make_unit, make_user, make_year

D = Decimal
SEQ = count(1)  # 文号 of the issued letters
SIGNED_NAMES = ["东城区", "西城区", "中山区", "红旗区", "白塔区", "新港区"]


def make_city(cls):
    cls.year = make_year(2026)
    district = UnitKind.DISTRICT
    cls.z1 = make_indicator(code="Z1", name="亡人控制", rule="boolean", source="derived",
                            measure="deaths", weights={district: "40"}, sort_order=1)  # fmt: skip
    cls.z2 = make_indicator(code="Z2", name="隐患排查完成率", rule="completion", source="entered",
                            weights={district: "40"}, sort_order=2)  # fmt: skip
    cls.z3 = make_indicator(code="Z3", name="宣传培训", rule="boolean", source="entered",
                            weights={district: "20"}, sort_order=3)  # fmt: skip
    cls.units = {}
    for order, name in enumerate([*SIGNED_NAMES, "西岭区", "南湖区", "旧城区"], start=1):
        cls.units[name] = make_unit(name=name, kind=district, sort_order=order, active=name != "旧城区")
    cls.uncovered = make_unit(name="某市属企业", kind=UnitKind.ENTERPRISE)  # no indicator for its kind
    for name in [*SIGNED_NAMES, "西岭区"]:
        letter = make_letter(cls.year, cls.units[name], seq=next(SEQ))
        for indicator, weight in ((cls.z1, 40), (cls.z2, 40), (cls.z3, 20)):
            target = letter.targets.create(indicator=indicator, weight=weight, target_value=D(100))
            if name != "西岭区" and indicator.source == "entered":
                make_report(target, quarter=2, value=D(100), status=ReportStatus.APPROVED)
    make_letter(cls.year, cls.units["南湖区"], status=LetterStatus.ISSUED, seq=next(SEQ), indicators=[cls.z2])
    make_letter(cls.year, cls.units["旧城区"], status=LetterStatus.ISSUED, seq=next(SEQ))


@time_machine.travel(date(2026, 8, 1), tick=False)
class EveryUnitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_city(cls)
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)

    def results(self):
        return {r.unit.name: r for r in assess_year(self.year, today=date(2026, 8, 1))}

    def add_beipo(self):
        return make_unit(name="北坡区", kind=UnitKind.DISTRICT, sort_order=9)

    def test_every_unit_of_the_year_is_listed_the_unsigned_after_the_ranked_without_a_rank(self):
        self.add_beipo()
        results = assess_year(self.year, today=date(2026, 8, 1))
        names = [r.unit.name for r in results]
        self.assertEqual(names, [*SIGNED_NAMES, "西岭区", "南湖区", "北坡区"])  # not 旧城区, nor 某市属企业
        by_name = {r.unit.name: r for r in results}
        nanhu = by_name["南湖区"]
        self.assertEqual(
            (nanhu.status, nanhu.status_label, nanhu.why), ("unsigned", "未签订", "责任书已下发，尚未签订")
        )
        self.assertEqual((nanhu.score, nanhu.rank, nanhu.grade_label, nanhu.tier_label), (None, None, "", ""))
        self.assertEqual(by_name["北坡区"].why, "本年度尚未制发责任书")
        self.assertEqual([r.rank for r in results if r.ranked], [1, 1, 1, 1, 1, 1, 7])
        # 等次 counted over the seven ranked units only: round(7 × 0.3) = 2 → all six tied are 第一
        self.assertEqual(by_name["西岭区"].tier, ranking.THIRD_TIER)

    def test_a_draft_letter_says_so(self):
        make_letter(self.year, self.add_beipo(), status=LetterStatus.DRAFT)
        self.assertEqual(self.results()["北坡区"].why, "责任书尚在草拟，未下发")

    def test_a_signed_unit_without_reports_is_short_of_its_entered_values_and_scores_0_for_them(self):
        xiling = self.results()["西岭区"]
        self.assertEqual(
            [(i.code, i.missing) for i in xiling.items], [("Z1", False), ("Z2", True), ("Z3", True)]
        )
        self.assertEqual(len(xiling.missing), 2)
        self.assertEqual(xiling.score, D(40))  # Z1 only: no deaths
        self.assertEqual(xiling.items[1].reason, "缺报，按本年度规则计0分")
        self.assertEqual(self.results()["东城区"].missing, ())

    def test_the_years_rule_can_give_half_the_points_for_a_missing_value(self):
        self.year.missing_entered_percent = D(50)
        self.year.save(update_fields=["missing_entered_percent", "updated_at"])
        xiling = self.results()["西岭区"]
        self.assertEqual([i.points for i in xiling.items], [D(40), D(20), D(10)])
        self.assertEqual(xiling.score, D(70))
        self.assertEqual(xiling.items[2].reason, "缺报，按本年度规则计分值的50%，得10分")

    def test_the_ranking_page_lists_eight_units_the_unsigned_last_with_why(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": "territory"})
        rows = response.context["table"].data
        self.assertEqual(len(rows), 8)
        self.assertEqual([row["name"] for row in rows][-2:], ["西岭区", "南湖区"])
        self.assertContains(response, "板块（8）")
        self.assertContains(response, "未签订责任书的单位列在最后，不参加排名")
        self.assertContains(response, "缺报项按本年度规则计 0 分")
        html = response.content.decode()
        body = html[html.index("<tbody") : html.index("</tbody>")]
        nanhu = next(row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S) if "南湖区" in row)
        self.assertIn("未签订", nanhu)
        self.assertIn("责任书已下发，尚未签订", nanhu)
        self.assertIn("不参加排名", nanhu)
        xiling = next(row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S) if "西岭区" in row)
        self.assertRegex(xiling, r"40\.00 <span[^>]*>缺报 2 项</span>")

    def test_the_ranking_spreadsheet_says_why_and_how_many_are_missing(self):
        self.client.force_login(self.office)
        response = self.client.get(
            reverse("assessment:ranking"), {"year": 2026, "group": "territory", "_export": "xlsx"}
        )
        header, *body = openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(
            values_only=True
        )
        note = {row[header.index("责任单位")]: row[header.index("缺报 · 未签订")] for row in body}
        self.assertEqual(len(note), 8)
        self.assertEqual(note["南湖区"], "未签订：责任书已下发，尚未签订（不参加排名）")
        self.assertEqual(note["西岭区"], "缺报 2 项")

    def test_the_printed_ranking_lists_the_unsigned_unit_and_charts_it_as_a_labelled_gap(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:ranking_print"), {"year": 2026, "group": "territory"})
        html = response.content.decode()
        self.assertIn("责任书已下发，尚未签订（不参加排名）", html)
        self.assertIn("<title>南湖区：未签订</title>", html)
        self.assertIn("<title>西岭区：40.00 否决 缺报2项</title>", html)

    def test_a_signed_letter_without_targets_is_listed_not_ranked(self):
        make_letter(self.year, self.add_beipo(), seq=next(SEQ))
        beipo = self.results()["北坡区"]
        self.assertEqual(
            (beipo.status_label, beipo.why, beipo.rank), ("无考核目标", "责任书已签订，但未列考核目标", None)
        )

    def test_the_dashboard_charts_every_unit_and_says_who_is_not_ranked(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:dashboard"))
        (territory,) = [g for g in response.context["charts"]["groups"] if g["label"] == "板块"]
        self.assertEqual(len(territory["units"]), 8)
        self.assertEqual(territory["units"][-1], "南湖区")
        self.assertEqual((territory["scores"][-1], territory["notes"][-1]), (None, "未签订"))
        self.assertEqual((territory["scores"][-2], territory["notes"][-2]), (40.0, "缺报2项"))
        self.assertContains(response, "另有1个单位未参加排名：南湖区（未签订，责任书已下发，尚未签订）")

    def test_the_year_workbook_lists_every_unit_in_its_results(self):
        sheets = sheets_of(workbook_of(self.year, today=date(2026, 8, 1)))
        header, *rows = sheets["考核结果"]
        by_name = {row[header.index("责任单位")]: row for row in rows}
        self.assertEqual(len(rows), 8)
        nanhu, xiling = by_name["南湖区"], by_name["西岭区"]
        self.assertEqual(
            [nanhu[header.index(c)] for c in ("名次", "总分", "考核状态", "未排名原因")],
            [None, None, "未签订", "责任书已下发，尚未签订"],
        )
        self.assertEqual(
            [xiling[header.index(c)] for c in ("总分", "缺报项数", "缺报指标")],
            [40, 2, "Z2 隐患排查完成率、Z3 宣传培训"],
        )

    def test_assess_json_keeps_its_keys_and_adds_status_why_and_missing(self):
        out = io.StringIO()
        call_command("assess", "--year", "2026", "--provisional", "--json", stdout=out)
        printed = {row["unit"]: row for row in json.loads(out.getvalue())}
        self.assertEqual(len(printed), 8)
        nanhu = printed[self.units["南湖区"].code]
        self.assertEqual(
            list(nanhu),
            ["unit", "name", "group", "base", "bonus", "penalty", "score", "vetoed", "veto_reasons", "grade",
             "rank", "tier", "status", "why", "missing"],
        )  # fmt: skip
        self.assertEqual(
            (nanhu["status"], nanhu["why"], nanhu["score"], nanhu["rank"], nanhu["grade"]),
            ("unsigned", "责任书已下发，尚未签订", None, None, ""),
        )
        xiling = printed[self.units["西岭区"].code]
        self.assertEqual(
            (xiling["status"], xiling["missing"], xiling["score"], xiling["rank"]), ("signed", 2, 40.0, 7)
        )

    def test_the_snapshot_keeps_the_unsigned_and_the_missing(self):
        self.add_beipo()
        finalizing.finalize(self.year, user=self.office)
        nanhu = Assessment.objects.get(unit=self.units["南湖区"])
        self.assertEqual(
            (nanhu.status, nanhu.why, nanhu.total, nanhu.rank),
            ("unsigned", "责任书已下发，尚未签订", None, None),
        )
        snapshot = {r.unit.name: r for r in finalizing.snapshot_results(self.year)}
        self.assertEqual(list(snapshot)[-2:], ["南湖区", "北坡区"])
        self.assertEqual([i.code for i in snapshot["西岭区"].missing], ["Z2", "Z3"])
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": "territory"})
        self.assertEqual(len(response.context["table"].data), 9)  # with 北坡区, 本年度尚未制发责任书
        self.assertContains(response, "本年度尚未制发责任书")

    def test_the_units_page_lists_what_is_missing_and_states_the_rule(self):
        self.client.force_login(self.leader)
        url = reverse("assessment:assessment_detail", args=[2026, self.units["西岭区"].pk])
        response = self.client.get(url)
        self.assertContains(response, "缺报 2 项：Z2 隐患排查完成率、Z3 宣传培训。")
        self.assertContains(response, "缺报项按本年度规则计 0 分")
        self.year.missing_entered_percent = D(50)
        self.year.save(update_fields=["missing_entered_percent", "updated_at"])
        self.assertContains(self.client.get(url), "缺报项按本年度规则计分值的 50%")

    def test_an_unsigned_units_page_says_why_it_is_not_ranked(self):
        self.client.force_login(self.leader)
        response = self.client.get(
            reverse("assessment:assessment_detail", args=[2026, self.units["南湖区"].pk])
        )
        self.assertContains(response, "责任书已下发，尚未签订。本单位不参加2026年度板块排名")
        self.assertNotContains(response, "第 None 名")


class MissingRuleFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.office = make_office_user()

    def post(self, value):
        data = {
            "status": "open",
            **{f"q{q}_deadline": d for q, d in ((1, "2026-04-10"), (2, "2026-07-10"), (3, "2026-10-10"), (4, "2027-01-10"))},
            "accident_window_start": "2026-01-01",
            "accident_window_end": "2026-12-31",
            "excellent_min": "90",
            "good_min": "80",
            "pass_min": "60",
            "bonus_cap": "5",
            "first_tier_percent": "30",
            "second_tier_percent": "40",
            "missing_entered_percent": value,
        }  # fmt: skip
        self.client.force_login(self.office)
        return self.client.post(reverse("responsibility:year_edit", args=[2026]), data)

    def test_the_share_is_set_where_the_years_scoring_is_and_shown_on_the_year(self):
        self.assertEqual(self.post("50").status_code, 302)
        self.year.refresh_from_db()
        self.assertEqual(self.year.missing_entered_percent, D(50))
        response = self.client.get(reverse("responsibility:year_detail", args=[2026]))
        self.assertContains(response, "缺报项按本年度规则计分值的 50%")

    def test_a_share_over_100_is_refused_at_the_field_and_kept(self):
        response = self.post("120")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "缺报项得分比例须在 0 至 100 之间（0 即缺报项不得分）。")
        self.assertRegex(
            response.content.decode(), r'<input[^>]*name="missing_entered_percent"[^>]*value="120"'
        )
        self.year.refresh_from_db()
        self.assertEqual(self.year.missing_entered_percent, D(0))

    def test_a_blank_share_is_0(self):
        self.assertEqual(self.post("").status_code, 302)
        self.year.refresh_from_db()
        self.assertEqual(self.year.missing_entered_percent, D(0))


class UnsignedQueryCountTests(TestCase):
    def test_unsigned_units_add_no_query(self):
        class City:
            pass

        make_city(City)

        def count():
            with CaptureQueriesContext(connection) as queries:
                results = assessing.assess_year(City.year, today=date(2026, 8, 1))
            return len(queries), len(results)

        few = count()
        for _ in range(10):
            make_letter(
                City.year, make_unit(kind=UnitKind.DISTRICT), status=LetterStatus.ISSUED, seq=next(SEQ)
            )
            make_unit(kind=UnitKind.DISTRICT)
        many = count()
        self.assertEqual((few[1], many[1]), (8, 28))
        self.assertEqual(few[0], many[0])
