"""Script tags in what people type are shown as text: in the pages, the PDFs, the SVG charts.

(The spreadsheets are in test_exports_injection: there the tag is kept as plain text.) The city is
HostileCity: a unit named <script>alert(2)</script>, another whose name also opens with a formula,
a report comment, a return comment, an accident title, a finding's problem, an adjustment's and a
deduction's reason and a circular's title and body, each with a numbered script tag.
"""

import io
import re
import xml.etree.ElementTree as ET

import pypdf
import time_machine
from django.test import TestCase
from django.urls import reverse
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from assessment.results import charts
from tests.test_access import EXPECTATIONS, RoleSessions

from .hostile import F1, RAW_SCRIPT, HostileCity, escaped, script

PDF_URLS = {"responsibility:letter_pdf", "assessment:ranking_pdf", "assessment:circular_pdf"}
SVG = "{http://www.w3.org/2000/svg}"


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@time_machine.travel("2026-11-28 10:00 +0800")
class PageEscapingTests(HostileCity, TestCase):
    def page(self, role: str, name: str, *args, **params):
        self.client.force_login(self.users[role])
        response = self.client.get(reverse(name, args=args), params)
        self.assertEqual(response.status_code, 200, name)
        return response.content.decode()

    def test_no_page_of_any_role_lets_a_script_tag_through(self):
        sessions = RoleSessions(self.client, self.users)
        for name, (kwargs, get_codes, _) in EXPECTATIONS.items():
            if name in PDF_URLS:
                continue
            url = reverse(name, kwargs=kwargs(self) if kwargs else None)
            for role in ("office", "leader", "inspector", "reporter_a", "head_a"):
                if get_codes[role] != 200:
                    continue
                with self.subTest(url=name, role=role):
                    sessions.use(role)
                    response = self.client.get(url)
                    if not response["Content-Type"].startswith("text/html"):
                        continue
                    content = response.content.decode()
                    self.assertNotIn(RAW_SCRIPT, content)
                    self.assertNotIn('"><script', content)

    def test_each_hostile_text_is_shown_escaped_where_people_read_it(self):
        cases = [
            ("office", "responsibility:unit_list", (), [1, 2]),
            ("office", "responsibility:unit_detail", (self.unit_a.pk,), [1]),
            ("reporter_a", "responsibility:letter_detail", (self.letter_a.pk,), [1, 3]),
            ("office", "responsibility:indicator_list", (), [3]),
            ("office", "responsibility:person_list", (), [4]),
            ("reporter_c", "assessment:report_entry", (self.unit_c.pk, 2026, 3), [5, 6]),
            ("office", "assessment:accident_list", (), [7]),
            ("reporter_a", "assessment:accident_detail", (self.accident_a.pk,), [7]),
            ("reporter_a", "assessment:finding_detail", (self.finding_a.pk,), [8]),
            ("inspector", "assessment:inspection_detail", (self.inspection_a.pk,), [8]),
            ("office", "assessment:adjustment_list", (2026,), [9]),
            ("office", "assessment:deduction_list", (2026, self.unit_c.pk), [10]),
            ("reporter_a", "assessment:circular_list", (), [11]),
            ("reporter_a", "assessment:circular_detail", (self.circular_published.pk,), [11, 12]),
            ("leader", "assessment:ranking", (), [2]),
            ("leader", "assessment:ranking_print", (), [2]),
        ]
        for role, name, args, numbers in cases:
            with self.subTest(url=name, role=role):
                content = self.page(role, name, *args)
                self.assertNotIn(RAW_SCRIPT, content)
                for n in numbers:
                    self.assertIn(escaped(n), content)

    def test_a_name_breaking_out_of_an_attribute_stays_inside_it(self):
        # Re-rendered forms put what was typed back into value="…" attributes.
        self.client.force_login(self.users["office"])
        typed = '"><script>alert(13)</script>'
        response = self.client.post(reverse("responsibility:unit_create"), {"code": "", "name": typed})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'value="&quot;&gt;&lt;script&gt;alert(13)&lt;/script&gt;"')
        self.assertNotContains(response, RAW_SCRIPT)

    def test_the_dashboard_data_for_its_charts_is_escaped_json(self):
        content = self.page("leader", "assessment:dashboard")
        self.assertNotIn(RAW_SCRIPT, content)
        self.assertIn(r"\u003Cscript\u003Ealert(2)\u003C/script\u003E", content)

    def test_confirm_dialogs_quote_names_as_attribute_text(self):
        # The delete buttons ask "确定删除…的这条…？" with the unit's name in data-confirm (app.js
        # reads it as text: no script is ever built from it).
        content = self.page("office", "assessment:adjustment_list", 2026)
        self.assertNotIn("alert(1)</script>", content)
        self.assertIn(
            'data-confirm="确定删除=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)&lt;script&gt;alert(1)&lt;/script&gt;的这条加分？',
            content,
        )


@time_machine.travel("2026-11-28 10:00 +0800")
class PdfEscapingTests(HostileCity, TestCase):
    def pdf(self, role: str, name: str, *args) -> bytes:
        self.client.force_login(self.users[role])
        response = self.client.get(reverse(name, args=args))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        return b"".join(response.streaming_content) if response.streaming else response.content

    def assertNoJavaScript(self, content: bytes):
        # No script action, document-open action, additional-actions dictionary or javascript: link.
        # (A bare "/AA" or "/JS" could be part of a font's subset name, so the key is matched with
        # what must follow it.)
        for marker in (
            rb"/JavaScript\b",
            rb"/JS\s*[(<]",
            rb"/Launch\b",
            rb"/OpenAction\b",
            rb"/AA\s*<<",
            rb"(?i)javascript:",
        ):
            self.assertIsNone(re.search(marker, content), marker)
        reader = pypdf.PdfReader(io.BytesIO(content))
        root = reader.trailer["/Root"]
        self.assertNotIn("/OpenAction", root)
        self.assertNotIn("/JavaScript", root.get("/Names", {}))

    def test_the_check_finds_a_script_in_a_pdf(self):
        writer = pypdf.PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert(1);"),
            }
        )
        out = io.BytesIO()
        writer.write(out)
        with self.assertRaises(AssertionError):
            self.assertNoJavaScript(out.getvalue())

    def test_the_letter_pdf_prints_the_unit_and_indicator_names_as_text(self):
        content = self.pdf("reporter_a", "responsibility:letter_pdf", self.letter_a.pk)
        text = pdf_text(content)
        self.assertIn(script(1), text)
        self.assertIn(script(3), text)
        self.assertNoJavaScript(content)

    def test_the_ranking_pdf_prints_the_unit_name_as_text(self):
        content = self.pdf("leader", "assessment:ranking_pdf")
        self.assertIn(script(2), pdf_text(content))
        self.assertNoJavaScript(content)

    def test_the_circular_pdf_prints_its_title_and_body_as_text(self):
        content = self.pdf("reporter_a", "assessment:circular_pdf", self.circular_published.pk)
        text = pdf_text(content)
        self.assertIn(script(11), text)
        self.assertIn(script(12), text)
        self.assertNoJavaScript(content)


class SvgChartTests(TestCase):
    names = [script(2), F1 + script(1), '"><image href="x" onerror="alert(14)"/>']

    def assertSafeSvg(self, svg: str):
        root = ET.fromstring(svg)  # well-formed XML, or this raises
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        self.assertNotIn("script", tags)
        self.assertNotIn("image", tags)
        self.assertNotIn("foreignObject", tags)
        for element in root.iter():
            self.assertFalse(any(key.startswith("on") for key in element.attrib), element.attrib)
        return "".join(root.itertext())

    def test_score_bars_show_the_names_as_text(self):
        text = self.assertSafeSvg(charts.score_bars(self.names, [95, 90, 60], vetoed=[False, False, True]))
        self.assertIn(script(2), text)  # in the bar's <title>, whole

    def test_accidents_by_unit_show_the_names_as_text(self):
        rows = [
            {"unit": name, "count": 1, "count_before": 2, "deaths": 1, "deaths_before": 0}
            for name in self.names
        ]
        text = self.assertSafeSvg(charts.accidents_by_unit(rows))
        self.assertIn(script(2), text)

    def test_the_title_of_a_chart_is_text_too(self):
        svg = charts.score_bars(["梁溪区"], [90], title=script(15))
        self.assertIn(script(15), self.assertSafeSvg(svg))
        self.assertIn(f'aria-label="{escaped(15)}"', svg)
