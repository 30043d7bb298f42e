"""The printed 安全生产责任书: its context, the HTML print view and the A4 PDF made by WeasyPrint."""

import io
import re
from datetime import date
from decimal import Decimal

import pypdf
from django.conf import settings
from django.template.loader import render_to_string
from django.test import TestCase

from responsibility import documents, services
from responsibility.models import ResponsibilityLetter, Target, UnitKind
from tests.factories import make_indicator, make_unit, make_year

D = Decimal


def load(letter_id: int) -> ResponsibilityLetter:
    """The letter as the views pass it: unit and year joined, targets with their indicators prefetched."""
    return (
        ResponsibilityLetter.objects.select_related("unit", "year")
        .prefetch_related("targets__indicator")
        .get(pk=letter_id)
    )


def pdf_text(pdf: bytes) -> str:
    """All the text of the PDF with whitespace removed, so line breaks inside cells do not matter."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def pdf_font_names(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


class LetterDocumentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", kind=UnitKind.DISTRICT, leader_name="王建国")
        cls.xishan = make_unit(name="锡山区", code="xishan", kind=UnitKind.DISTRICT, leader_name="陈立新")
        cls.deaths = make_indicator(
            code="A1", name="死亡人数控制", weights={"district": "60.00"}, sort_order=10
        )
        cls.tasks = make_indicator(
            code="C2", name="专项整治任务", weights={"district": "40.00"}, sort_order=20
        )
        services.create_letters(cls.year, services.plan_letters(cls.year))
        issued = ResponsibilityLetter.objects.get(year=cls.year, unit=cls.liangxi)
        Target.objects.filter(letter=issued, indicator=cls.deaths).update(
            target_value=D("19.50"), wording="死亡不超过19人"
        )
        Target.objects.filter(letter=issued, indicator=cls.tasks).update(wording="完成全部专项整治")
        services.issue_letters(cls.year, [issued.pk], issued_on=date(2026, 2, 1), issuer_name="张市长")
        cls.issued_id = issued.pk
        cls.draft_id = ResponsibilityLetter.objects.get(year=cls.year, unit=cls.xishan).pk
        # One rendering shared by the PDF tests: WeasyPrint takes a second or two.
        cls.pdf = documents.render_letter_pdf(load(cls.issued_id))

    def test_the_pdf_is_a_pdf(self):
        self.assertTrue(self.pdf.startswith(b"%PDF"))

    def test_the_pdf_text_names_the_unit_number_targets_and_leader(self):
        text = pdf_text(self.pdf)
        for expected in ["梁溪区", "锡安委〔2026〕1号", "A1", "死亡人数控制", "C2", "专项整治任务", "王建国"]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        self.assertIn("2026年度安全生产目标管理责任书", text)
        self.assertIn("2026年2月1日", text)
        self.assertIn("张市长", text)
        self.assertIn("100.00", text)

    def test_the_pdf_embeds_a_cjk_font(self):
        names = pdf_font_names(self.pdf)
        self.assertTrue(any("CJK" in name or "Noto" in name for name in names), names)

    def test_page_numbers_are_in_chinese(self):
        self.assertRegex(pdf_text(self.pdf), r"第1页共\d+页")

    def test_the_unit_name_is_escaped_in_the_html(self):
        self.liangxi.name = "<script>alert(1)</script>"
        self.liangxi.save()
        html = render_to_string(
            "responsibility/letter_document.html", documents.letter_document_context(load(self.issued_id))
        )
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertEqual(re.findall(r"<script[^>]*>", html), ['<script src="/static/js/app.js">'])

    def test_the_html_has_no_external_urls_and_offers_print_and_back(self):
        context = documents.letter_document_context(load(self.issued_id)) | {"back_url": "/letters/1/"}
        html = render_to_string("responsibility/letter_document.html", context)
        self.assertIn('<meta charset="utf-8">', html)
        self.assertIn('<button type="button" data-print>打印</button>', html)
        self.assertIn('href="/letters/1/"', html)
        self.assertNotRegex(html, r"https?://|//cdn|@import|<link")
        without_back = render_to_string(
            "responsibility/letter_document.html", documents.letter_document_context(load(self.issued_id))
        )
        self.assertNotIn("返回", without_back)

    def test_the_context_formats_targets_and_the_signature_blocks(self):
        context = documents.letter_document_context(load(self.issued_id))
        self.assertEqual(context["title"], "2026年度安全生产目标管理责任书")
        self.assertEqual(context["doc_number"], "锡安委〔2026〕1号")
        self.assertEqual(context["city_name"], settings.CITY_NAME)
        self.assertEqual(context["party_a"], f"{settings.CITY_NAME}人民政府")
        self.assertEqual(
            [
                (r["seq"], r["code"], r["name"], r["weight"], r["target_value"], r["wording"])
                for r in context["rows"]
            ],
            [
                (1, "A1", "死亡人数控制", "60.00", "19.5", "死亡不超过19人"),
                (2, "C2", "专项整治任务", "40.00", "—", "完成全部专项整治"),
            ],
        )
        self.assertEqual(context["total_weight"], "100.00")
        self.assertEqual(
            context["issuer"],
            {"party": f"{settings.CITY_NAME}人民政府", "signer": "张市长", "date": "2026年2月1日"},
        )
        self.assertEqual(
            context["unit_side"], {"party": "梁溪区", "leader": "王建国", "signer": "", "date": ""}
        )

    def test_whole_target_values_lose_their_trailing_zeros(self):
        self.assertEqual(documents.format_target_value(D("20.00")), "20")
        self.assertEqual(documents.format_target_value(D("100.00")), "100")
        self.assertEqual(documents.format_target_value(D("0.00")), "0")
        self.assertEqual(documents.format_target_value(None), "—")

    def test_a_signed_letter_shows_its_signer_and_date(self):
        ResponsibilityLetter.objects.filter(pk=self.issued_id).update(
            status="signed", signer_name="王建国", signed_on=date(2026, 2, 10), leader_name=""
        )
        context = documents.letter_document_context(load(self.issued_id))
        self.assertEqual(
            context["unit_side"],
            {"party": "梁溪区", "leader": "王建国", "signer": "王建国", "date": "2026年2月10日"},
        )

    def test_building_the_context_runs_no_queries_once_prefetched(self):
        letter = load(self.issued_id)
        with self.assertNumQueries(0):
            documents.letter_document_context(letter)

    def test_the_default_text_names_the_year_and_the_unit(self):
        text = "\n".join(documents.letter_words(load(self.issued_id))["paragraphs"])
        paragraphs = [p for p in text.split("\n") if p.strip()]
        self.assertTrue(5 <= len(paragraphs) <= 7, paragraphs)
        for expected in [
            "2026年度",
            "梁溪区",
            "党政同责、一岗双责、齐抓共管、失职追责",
            "一票否决",
            "2026年12月31日",
        ]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)

    def test_the_letters_own_text_replaces_the_default_body_but_not_the_rules_clauses(self):
        ResponsibilityLetter.objects.filter(pk=self.draft_id).update(text="第一段。\n\n第二段。")
        paragraphs = documents.letter_document_context(load(self.draft_id))["paragraphs"]
        self.assertEqual(paragraphs[:2], ["第一段。", "第二段。"])
        self.assertIn("一票否决", paragraphs[2])
        self.assertNotIn("为深入贯彻落实", "".join(paragraphs))

    def test_an_issued_letter_keeps_the_words_it_was_issued_with(self):
        ResponsibilityLetter.objects.filter(pk=self.issued_id).update(text="第一段。\n\n第二段。")
        self.year.veto_rules = {"V3": {"larger_count": 3}}
        self.year.save(update_fields=["veto_rules"])
        paragraphs = documents.letter_document_context(load(self.issued_id))["paragraphs"]
        self.assertNotIn("第一段。", paragraphs)
        self.assertIn("累计发生较大或更重等级生产安全事故 2 起及以上", "".join(paragraphs))
        # A draft says what today's rules write.
        draft = "".join(documents.letter_document_context(load(self.draft_id))["paragraphs"])
        self.assertIn("累计发生较大或更重等级生产安全事故 3 起及以上", draft)

    def test_a_draft_letter_renders_as_not_issued(self):
        letter = load(self.draft_id)
        context = documents.letter_document_context(letter)
        self.assertEqual(context["doc_number"], "（未下发）")
        self.assertEqual(context["issuer"]["signer"], "")
        self.assertEqual(context["issuer"]["date"], "")
        pdf = documents.render_letter_pdf(letter)
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdf_text(pdf)
        self.assertIn("（未下发）", text)
        self.assertIn("锡山区", text)
        self.assertIn("陈立新", text)
        self.assertNotIn("锡安委", text)

    def test_the_fetcher_refuses_the_network_and_files_outside_the_project(self):
        fetcher = documents.local_fetcher()
        for url in [
            "http://example.com/a.css",
            "https://example.com/font.woff2",
            "ftp://example.com/x",
            "file:///etc/passwd",
        ]:
            with self.subTest(url=url), self.assertRaises(ValueError):
                fetcher(url)
        response = fetcher((settings.BASE_DIR / "static" / "css" / "app.css").as_uri())
        try:
            self.assertIn(b"@media print", response.read())
        finally:
            response.close()
