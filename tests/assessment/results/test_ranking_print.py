"""The printed ranking of a group: the A4 landscape print view and its PDF, for a meeting."""

import io
import re
from datetime import date
from urllib.parse import unquote

import pypdf
import time_machine
from django.test import TestCase
from django.urls import reverse

from assessment.models import Adjustment, Deduction
from assessment.results import finalizing
from responsibility import roles
from responsibility.models import Target, Unit
from tests.assessment.results.test_ranking_pages import HOSTILE, make_quarter_year
from tests.factories import (
    make_catalog_letters,
    make_indicator,
    make_office_user,
    make_unit,
    make_user,
    make_year,
)
from tests.responsibility.test_letter_document import pdf_font_names, pdf_text

APP_JS = '<script src="/static/js/app.js">'

TITLE = "2026年度安全生产目标责任考核排名（板块）"
# session, user, permissions with groups; the year and its snapshot (none yet); the kept assessment
# (its state, its rows); last year's ranks (none). No menu: the print view stands alone. Nothing
# is computed (before the kept assessment: 18, assess_year's 12 among them).
PRINT_QUERIES = 8


def pdf_pages(pdf: bytes) -> list:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages


@time_machine.travel(date(2026, 11, 28))
class RankingPrintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year, cls.u = make_quarter_year()
        cls.leader = make_user(city_role=roles.LEADER)
        cls.office = make_office_user()

    def setUp(self):
        self.client.force_login(self.leader)

    def get(self, name="assessment:ranking_print", **params):
        return self.client.get(reverse(name), {"year": 2026, "group": "territory", **params})

    def test_the_print_view_has_the_title_status_date_and_the_table(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(f"<h1>{TITLE}</h1>", html)
        self.assertIn("暂定", html)
        self.assertIn("制表日期：2026年11月28日", html)
        self.assertIn("@page", html)
        self.assertIn("size: A4 landscape", html)
        for expected in ("名次", "总分", "基础分", "加分", "扣分", "等级", "等次", "一票否决", "较上年"):
            self.assertIn(f"{expected}", html)
        rows = response.context["rows"]
        self.assertEqual([(r["rank"], r["name"]) for r in rows], [(1, HOSTILE), (2, "锡山区"), (3, "梁溪区")])
        self.assertIn("79.00", html)

    def test_the_print_view_draws_the_groups_scores_as_svg_without_script(self):
        html = self.get().content.decode()
        self.assertEqual(html.count("<svg"), 1)
        self.assertEqual(html.count('<g class="bar">'), 3)
        # The one script is the print button's file (no inline script: the CSP forbids it).
        self.assertEqual(re.findall(r"<script[^>]*>", html), [APP_JS])
        self.assertNotRegex(
            html.replace(APP_JS, ""), r"src=|stylesheet|url\(|@import"
        )  # nothing else fetched but the icon
        self.assertIn("=HYPERLINK(&quot;http://example.com&quot;", html)  # the name, escaped

    def test_a_unit_name_with_markup_is_escaped_in_the_table_and_the_chart(self):
        Unit.objects.filter(code="evil").update(name="<script>alert(1)</script>")
        html = self.get().content.decode()
        self.assertEqual(re.findall(r"<script[^>]*>", html), [APP_JS])
        self.assertEqual(html.count("&lt;script&gt;alert(1)&lt;/script&gt;"), 2)  # the table, the bar's title

    def test_the_print_view_links_back_and_to_the_pdf_and_hides_its_toolbar_in_print(self):
        html = self.get().content.decode()
        self.assertIn('class="toolbar no-print"', html)
        self.assertIn(f'href="{reverse("assessment:ranking")}?year=2026&amp;group=territory"', html)
        self.assertIn(f'href="{reverse("assessment:ranking_pdf")}?year=2026&amp;group=territory"', html)
        self.assertIn('<button type="button" data-print>打印</button>', html)

    def test_the_ranking_page_offers_printing_and_the_pdf(self):
        response = self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": "territory"})
        self.assertContains(response, "打印（A4横版）")
        self.assertContains(response, "下载PDF")
        self.assertContains(response, f"{reverse('assessment:ranking_print')}?year=2026&amp;group=territory")

    def test_the_pdf_is_one_landscape_a4_page_with_the_title_names_and_scores(self):
        response = self.get("assessment:ranking_pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        disposition = unquote(response["Content-Disposition"])
        self.assertTrue(disposition.startswith("attachment;"), disposition)
        self.assertIn("2026年度考核排名-板块.pdf", disposition)
        pages = pdf_pages(response.content)
        self.assertEqual(len(pages), 1)
        box = pages[0].mediabox
        self.assertGreater(box.width, box.height)
        self.assertAlmostEqual(float(box.width), 841.89, delta=1)  # 297 mm
        text = pdf_text(response.content)
        for expected in [TITLE, "暂定", "梁溪区", "锡山区", "100.00", "90.00", "79.00", "▼", "第1页共1页"]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        names = pdf_font_names(response.content)
        self.assertTrue(any("CJK" in name or "Noto" in name for name in names), names)

    def test_a_finalized_year_prints_as_final(self):
        with time_machine.travel(date(2027, 2, 1)):
            finalizing.finalize(self.year, user=self.office)
            self.client.force_login(self.leader)  # the session of November has expired
            html = self.get().content.decode()
            pdf = self.get("assessment:ranking_pdf").content
        self.assertIn("定稿", html)
        self.assertNotIn("暂定", html)
        self.assertIn("定稿", pdf_text(pdf))

    def test_the_other_groups_print_too_even_when_empty(self):
        response = self.get(group="enterprise")
        self.assertContains(response, "2026年度安全生产目标责任考核排名（市属企业）")
        self.assertContains(response, "本组暂无参加考核的单位")
        self.assertEqual(self.get(group="nonsense").status_code, 404)

    def test_units_may_not_print_the_ranking(self):
        reporter = make_user(unit=self.u["liangxi"])
        self.client.force_login(reporter)
        self.assertEqual(self.get().status_code, 403)
        self.assertEqual(self.get("assessment:ranking_pdf").status_code, 403)

    def test_printing_costs_the_same_queries_with_more_units(self):
        self.get()  # the kept assessment computed (eagerly, in tests)
        with self.assertNumQueries(PRINT_QUERIES):
            self.get()
        more = [make_unit(code=f"more{i}", name=f"新增区{i}", sort_order=10 + i) for i in range(10)]
        make_catalog_letters(self.year, more)
        self.get()  # the change kept
        with self.assertNumQueries(PRINT_QUERIES):
            response = self.get()
        self.assertEqual(len(response.context["rows"]), 13)
        with self.assertNumQueries(PRINT_QUERIES):
            self.get("assessment:ranking_pdf")


@time_machine.travel(date(2026, 11, 28))
class TwentyUnitsOnOnePageTests(TestCase):
    """The largest group the page is made for, with long names and long veto and 黄牌 reasons."""

    @classmethod
    def setUpTestData(cls):
        year = make_year(2026)
        make_indicator(
            code="B1", name="责任落实", rule="item_deduction", source="assessed", weights={"district": "100"}
        )
        units = [make_unit(code=f"d{i}", name=f"第{i}测试开发区管委会", sort_order=i) for i in range(1, 21)]
        make_catalog_letters(year, units)
        for i, unit in enumerate(units):
            Deduction.objects.create(
                target=Target.objects.get(letter__unit=unit), points=i / 2 + 0.5, reason="台账不全"
            )
        for unit in units[::5]:
            Adjustment.objects.create(
                year=year,
                unit=unit,
                points=0,
                manual_veto=True,
                reason="伪造安全生产执法检查记录、隐患整改台账和事故信息报告材料，经查证属实，性质严重",
            )
        cls.leader = make_user(city_role=roles.LEADER)

    def test_twenty_units_fit_one_landscape_page(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:ranking_pdf"), {"year": 2026, "group": "territory"})
        pages = pdf_pages(response.content)
        self.assertEqual(len(pages), 1)
        text = pdf_text(response.content)
        self.assertIn("第20测试开发区管委会", text)
        self.assertIn("伪造安全生产执法检查记录", text)
