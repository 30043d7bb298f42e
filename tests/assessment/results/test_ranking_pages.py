"""The ranking tables and a unit's assessment page, on the year worked out by hand in test_assess."""

import io
import re
from datetime import date

import openpyxl
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Adjustment, Deduction
from assessment.results import finalizing
from responsibility import roles
from responsibility.models import Target, Unit
from tests.assessment.factories import at, make_accident
from tests.assessment.results import test_assess
from tests.factories import (
    make_catalog_letters,
    make_indicator,
    make_office_user,
    make_unit,
    make_user,
    make_year,
)


@time_machine.travel(date(2027, 2, 1))
class RankingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)  # the year worked out by hand
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)
        cls.liangxi_reporter = make_user(unit=cls.u["liangxi"])

    def page(self, group="territory", **params):
        return self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": group, **params})

    def test_a_group_ranks_with_ties_and_the_vetoed_unit_last(self):
        self.client.force_login(self.leader)
        response = self.page()
        self.assertContains(response, "预估")
        names = [row["name"] for row in response.context["table"].data]
        self.assertEqual(
            names[-2:], ["惠山区", "新吴区"]
        )  # vetoed (V6) after every unvetoed unit, 未签订 last
        ranks = [row["rank"] for row in response.context["table"].data]
        self.assertEqual(ranks, [1, 1, 3, 4, None])
        self.assertContains(response, "瞒报谎报较大及以上事故：瞒报或谎报较大及以上事故1起")
        self.assertContains(response, "黄牌 板块发生多起较大事故：发生较大及以上事故1起")
        self.assertNotRegex(response.content.decode(), r"\bV\d+\b")  # the rule's name, never its code

    def test_each_row_has_a_cell_under_each_heading_as_the_table_would_render_it(self):
        self.client.force_login(self.leader)
        response = self.page()
        html = response.content.decode()
        body = html[html.index("<tbody") : html.index("</tbody>")]
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        headings = [c.name for c in response.context["table"].columns if c.visible]
        self.assertEqual(len(rows), 5)
        for row in rows:
            self.assertEqual(len(re.findall(r"<td", row)), len(headings))
        vetoed = next(row for row in rows if "惠山区" in row)
        self.assertIn('<span class="status-red">✗ 瞒报谎报较大及以上事故：', vetoed)
        self.assertIn('<span class="status-red">不合格</span>', vetoed)
        self.assertRegex(rows[0], r'<td class="fw-semibold text-end">\d+\.\d\d</td>')

    def test_the_dashboard_names_the_rules_of_vetoes_and_yellow_cards(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:dashboard"))
        self.assertContains(response, "瞒报谎报较大及以上事故：瞒报或谎报较大及以上事故1起")
        self.assertContains(response, "板块发生多起较大事故：发生较大及以上事故1起")
        self.assertNotRegex(response.content.decode(), r"\bV\d+\b")

    def test_the_print_view_names_the_rules(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:ranking_print"), {"year": 2026, "group": "territory"})
        self.assertContains(response, "一票否决：瞒报谎报较大及以上事故：")
        self.assertNotRegex(response.content.decode(), r"\bV\d+\b")

    def test_the_finalized_snapshot_is_shown_once_there_is_one(self):
        finalizing.finalize(self.year, user=self.office)
        self.client.force_login(self.office)
        self.assertContains(self.page(), "已定稿")

    def test_export_and_sorting(self):
        self.client.force_login(self.office)
        self.assertEqual(self.page(sort="-score").status_code, 200)
        export = self.page(_export="csv")
        self.assertIn("梁溪区", export.content.decode("utf-8"))

    def test_units_cannot_see_the_ranking(self):
        self.client.force_login(self.liangxi_reporter)
        self.assertEqual(self.page().status_code, 403)

    def test_a_units_page_only_after_publishing_and_only_its_own(self):
        url = reverse("assessment:assessment_detail", args=[2026, self.u["liangxi"].pk])
        other = reverse("assessment:assessment_detail", args=[2026, self.u["xishan"].pk])
        self.client.force_login(self.liangxi_reporter)
        self.assertEqual(self.client.get(url).status_code, 404)  # not yet published
        finalizing.finalize(self.year, user=self.office)
        finalizing.publish(self.year, user=self.office)
        response = self.client.get(url)
        self.assertContains(response, "梁溪区 · 2026年度考核")
        self.assertContains(response, "102.00")
        self.assertEqual(self.client.get(other).status_code, 404)

    def test_leaders_see_every_units_page_with_vetoes_linked_to_their_records(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:assessment_detail", args=[2026, self.u["huishan"].pk]))
        self.assertContains(response, "✗ 瞒报谎报较大及以上事故：瞒报或谎报较大及以上事故1起")
        self.assertNotRegex(response.content.decode(), r"\bV\d+\b")
        self.assertContains(response, reverse("assessment:accident_detail", args=[self.concealed.pk]))
        # the accident named by its title and date, never 事故#id
        self.assertContains(response, f">{self.concealed.title}（2026-11-15）</a>")
        self.assertNotContains(response, "事故#")

    def test_the_ranking_costs_the_same_queries_with_more_units(self):
        self.client.force_login(self.leader)

        def count():
            self.page()  # the kept results brought up to date (the refresh runs eagerly in tests)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.page().status_code, 200)
            return len(queries)

        before = count()
        for i in range(20):
            make_unit(name=f"区{i}", code=f"extra{i}")  # listed as 未签订 without a letter
        self.assertEqual(count(), before)


HOSTILE = '=HYPERLINK("http://example.com","x")'
RANKING_QUERIES = 11


def make_quarter_year():
    """Three districts on two targets, X1 deaths (60, −10 per death over a cap of 0) and B1 (40,
    assessed deductions). 锡山区 has a death in May; 梁溪区 two in October, after Q3 ended.

    End of Q3: the hostile-named unit 100 (1), 梁溪区 99 (2), 锡山区 90 (3).
    Now (all of 2026): the hostile-named unit 100 (1), 锡山区 90 (2), 梁溪区 79 (3).
    """
    year = make_year(2026)
    make_indicator(
        code="X1", name="死亡人数控制", rule="cap_deduction", source="derived",
        weights={"district": "60"}, params={"per_unit": "10"}, sort_order=1,
    )  # fmt: skip
    make_indicator(
        code="B1", name="责任落实", rule="item_deduction", source="assessed",
        weights={"district": "40"}, sort_order=2,
    )  # fmt: skip
    units = {
        "liangxi": make_unit(code="liangxi", name="梁溪区", sort_order=1),
        "xishan": make_unit(code="xishan", name="锡山区", sort_order=2),
        "evil": make_unit(code="evil", name=HOSTILE, sort_order=3),
    }
    make_catalog_letters(year, list(units.values()))
    Target.objects.filter(indicator__code="X1").update(target_value=0)
    Deduction.objects.create(
        target=test_assess.target(units["liangxi"], "B1"), points=1, reason="安委会未按季度研究安全生产工作"
    )
    make_accident(unit=units["xishan"], occurred_at=at(2026, 5, 10), deaths=1)
    make_accident(unit=units["liangxi"], occurred_at=at(2026, 10, 20), deaths=2)
    return year, units


@time_machine.travel(date(2026, 11, 28))
class QuarterChangeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year, cls.u = make_quarter_year()
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)

    def setUp(self):
        self.client.force_login(self.leader)

    def page(self, **params):
        return self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": "territory", **params})

    def changes(self, response) -> dict[str, tuple[int, str, str]]:
        return {
            row["name"]: (row["rank"], row["change"], row["quarter_change"])
            for row in response.context["table"].data
        }

    def test_an_accident_after_the_quarters_end_moves_a_unit_down_against_last_quarter(self):
        response = self.page()
        self.assertEqual(
            self.changes(response),
            {HOSTILE: (1, "—", "—"), "锡山区": (2, "—", "▲1"), "梁溪区": (3, "—", "▼1")},
        )
        self.assertContains(response, '<th title="较第3季度末（2026-09-30）暂定排名"', html=False)
        self.assertContains(response, "较上季度")
        self.assertContains(response, '<span class="status-red">▼1</span>', html=True)
        self.assertContains(response, '<span class="status-green">▲1</span>', html=True)

    def test_in_the_second_quarter_the_first_quarters_ranking_is_compared_with(self):
        with time_machine.travel(date(2026, 5, 20)):
            response = self.page()
        # End of Q1: the hostile-named unit and 锡山区 100 (1), 梁溪区 99 (3); 锡山区's death in May
        # (before today) takes it to 90.
        self.assertEqual(
            self.changes(response),
            {HOSTILE: (1, "—", "—"), "梁溪区": (2, "—", "▲1"), "锡山区": (3, "—", "▼2")},
        )
        self.assertContains(response, "较第1季度末（2026-03-31）暂定排名")

    def test_before_any_quarter_has_ended_there_is_nothing_to_compare_with(self):
        with time_machine.travel(date(2026, 3, 20)):
            response = self.page()
        self.assertEqual({c[2] for c in self.changes(response).values()}, {"—"})
        self.assertContains(response, "本年度尚无已结束的季度")

    def test_a_finalized_year_compares_its_final_ranking_with_the_third_quarters(self):
        with time_machine.travel(date(2027, 2, 1)):
            finalizing.finalize(self.year, user=self.office)
            self.client.force_login(self.leader)  # the session of November has expired
            response = self.page()
        self.assertContains(response, "已定稿")
        self.assertEqual(self.changes(response)["梁溪区"], (3, "—", "▼1"))
        self.assertContains(response, "较第3季度末（2026-09-30）暂定排名")

    def test_last_years_final_ranks_are_still_compared_with(self):
        last_year = make_year(2025)
        make_catalog_letters(last_year, list(self.u.values()))
        Target.objects.filter(letter__year=last_year, indicator__code="X1").update(target_value=0)
        make_accident(unit=self.u["evil"], occurred_at=at(2025, 6, 1), deaths=1)
        finalizing.finalize(last_year, user=self.office)  # 2025: liangxi 1, xishan 1, evil 3
        changes = self.changes(self.page())
        self.assertEqual(changes[HOSTILE][1], "▲2")
        self.assertEqual(changes["梁溪区"][1], "▼2")

    def test_the_ranking_page_runs_a_fixed_number_of_queries(self):
        # Session, user, permissions with groups; the year and its snapshot (none yet); the kept
        # assessment (its state, the shown group's rows, the end of Q3's ranks, how many units each
        # group's tab lists); last year's ranks (none); the year list. Nothing is computed: before the kept assessment the page computed the city
        # today and at the end of Q3 in the request, 31 queries.
        self.page()  # kept (the refresh runs eagerly in tests)
        with self.assertNumQueries(RANKING_QUERIES):
            self.page()
        make_unit(code="more1", name="新吴区")
        make_catalog_letters(self.year, [Unit.objects.get(code="more1")])
        self.page()
        with self.assertNumQueries(RANKING_QUERIES):
            response = self.page()
        self.assertEqual(len(response.context["table"].data), 4)


@time_machine.travel(date(2026, 11, 28))
class RankingExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year, cls.u = make_quarter_year()
        cls.office = make_office_user()

    def setUp(self):
        self.client.force_login(self.office)

    def export(self, fmt="xlsx"):
        response = self.client.get(
            reverse("assessment:ranking"), {"year": 2026, "group": "territory", "_export": fmt}
        )
        self.assertEqual(response.status_code, 200)
        return response

    def workbook(self):
        response = self.export()
        self.assertIn(
            "2026%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8%E6%8E%92%E5%90%8D", response["Content-Disposition"]
        )
        self.assertIn(".xlsx", response["Content-Disposition"])
        return openpyxl.load_workbook(io.BytesIO(response.content))

    def test_the_xlsx_has_a_column_of_points_per_indicator(self):
        sheet = self.workbook().worksheets[0]
        self.assertEqual(sheet.title, "2026年度考核排名-板块")
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            rows[0],
            ("名次", "较上年", "较上季度", "责任单位", "总分", "基础分", "加分", "扣分", "等级", "等次",
             "一票否决", "黄牌警告", "缺报 · 未签订", "X1 死亡人数控制（60分）", "B1 责任落实（40分）"),
        )  # fmt: skip
        by_name = {row[3]: row for row in rows[1:]}
        self.assertEqual(by_name["梁溪区"][:5], (3, "—", "▼1", "梁溪区", 79))
        self.assertEqual(by_name["梁溪区"][-2:], (40, 39))
        self.assertEqual(by_name["锡山区"][-2:], (50, 40))

    def test_the_detail_sheet_gives_every_targets_points_and_reason(self):
        sheet = self.workbook()["明细"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("名次", "责任单位", "类别", "指标代码", "名称", "分值", "得分", "说明"))
        liangxi = {row[3]: row for row in rows[1:] if row[1] == "梁溪区"}
        self.assertEqual(liangxi["B1"][4:7], ("责任落实", 40, 39))
        self.assertIn("安委会未按季度研究安全生产工作", liangxi["B1"][7])
        self.assertIn("2", liangxi["X1"][7])  # the reason names the two deaths

    def test_vetoes_and_yellow_cards_are_exported_as_text(self):
        Adjustment.objects.create(
            year=self.year, unit=self.u["xishan"], points=0, manual_veto=True, reason="伪造检查记录"
        )
        workbook = self.workbook()
        rows = {row[3]: row for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(rows["锡山区"][10], "弄虚作假：伪造检查记录")  # the rule's name, not V9
        details = [row for row in workbook["明细"].iter_rows(values_only=True) if row[2] == "一票否决"]
        self.assertEqual([(row[1], row[3], row[4]) for row in details], [("锡山区", None, "弄虚作假")])

    def test_a_hostile_unit_name_is_text_on_both_sheets(self):
        workbook = self.workbook()
        for sheet in workbook.worksheets:
            names = [row[1 if sheet.title == "明细" else 3] for row in sheet.iter_rows(min_row=2)]
            with self.subTest(sheet=sheet.title):
                self.assertIn("'" + HOSTILE, [cell.value for cell in names])
                for cells in sheet.iter_rows():
                    for cell in cells:
                        self.assertNotEqual(
                            cell.data_type, "f", f"formula cell {cell.coordinate}: {cell.value}"
                        )

    def test_the_csv_has_the_same_columns_without_markup(self):
        text = self.export("csv").content.decode("utf-8")
        self.assertNotIn("<span", text)
        self.assertIn("X1 死亡人数控制（60分）", text)
        self.assertIn("'" + HOSTILE.replace('"', '""'), text)

    def test_a_finalized_year_exports_its_snapshot_with_the_breakdown(self):
        with time_machine.travel(date(2027, 2, 1)):
            finalizing.finalize(self.year, user=self.office)
            Deduction.objects.all().delete()  # the snapshot does not move
            self.client.force_login(self.office)  # the session of November has expired
            workbook = self.workbook()
        rows = {row[3]: row for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(rows["梁溪区"][-1], 39)
        details = [row for row in workbook["明细"].iter_rows(values_only=True) if row[1] == "梁溪区"]
        self.assertTrue(any("安委会未按季度研究安全生产工作" in (row[7] or "") for row in details))
