"""The two Excel imports (a quarter's reports, the accident register) against the outside probe:
a preview that goes stale, oversize work, damaged and hostile files, and where the preview is kept.

Each case failed on the day the probe ran: the versions were taken at confirm time, a 190,000-row
file held a worker for half a minute, a sheet with broken XML or a DTD was a 500, and the checked
rows sat in the session.
"""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.accidents import workbook as accident_workbook
from assessment.models import Accident, Report
from assessment.reports import workbook as report_workbook
from responsibility.models import PendingUpload
from tests.assessment.accidents.test_accident_pages import AccidentPageTestCase
from tests.assessment.accidents.test_accidents import row as accident_row
from tests.assessment.accidents.test_accidents import xlsx as accident_xlsx
from tests.assessment.reports.test_report_import import workbook_bytes
from tests.assessment.reports.test_reports import ReportTestCase

D = Decimal
SHEET_PART = "xl/worksheets/sheet1.xml"
DTD = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def rewritten(data: bytes, part: str, change) -> bytes:
    """The .xlsx with one part's bytes replaced by change(bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return buffer.getvalue()


def with_dtd(content: bytes) -> bytes:
    """The part with a DTD declaring entities placed before its root element, and one used."""
    declaration = re.match(rb"<\?xml[^>]*\?>", content)
    at = declaration.end() if declaration else 0
    return content[:at] + DTD + content[at:]


def broken(content: bytes) -> bytes:
    """The part cut off in the middle of its rows: the XML never closes."""
    return content[: len(content) * 2 // 3]


@time_machine.travel(date(2026, 10, 5))
class ReportImportProbeTests(ReportTestCase):
    def setUp(self):
        self.client.force_login(self.reporter)
        self.base = [self.liangxi.pk, 2026, 3]

    def upload(self, data: bytes, name="填报.xlsx"):
        return self.client.post(
            reverse("assessment:report_import", args=self.base), {"file": SimpleUploadedFile(name, data)}
        )

    def confirm(self, token, **follow):
        return self.client.post(
            reverse("assessment:report_import_confirm", args=self.base), {"token": token}, **follow
        )

    def entry_save(self, user, value, progress=""):
        self.client.force_login(user)
        stored = Report.objects.filter(target=self.target(self.tasks), quarter=3).first()
        version = str(stored.version) if stored else ""
        self.client.post(
            reverse("assessment:report_entry", args=self.base),
            self.row(self.tasks, value=value, progress=progress, version=version) | {"save": "1"},
        )
        self.client.force_login(self.reporter)

    # --- the version is the preview's ------------------------------------------------------

    def test_a_value_saved_after_the_preview_is_not_overwritten_and_both_are_shown(self):
        self.entry_save(self.reporter, "60")
        preview = self.upload(workbook_bytes([["C2", "", "", None, 80, "导入的进展"]]))
        self.assertContains(preview, "将导入 1 项")
        self.entry_save(self.colleague, "70", progress="钱进写的进展")  # between preview and confirm

        response = self.confirm(preview.context["token"])
        self.assertEqual(self.report(self.tasks).value, D(70))  # nothing of theirs overwritten
        self.assertContains(response, "预览之后有其他人保存了其中 1 项，本次未导入任何数据")
        note = response.context["conflicts"][self.target(self.tasks).pk]
        self.assertIn("钱进 于 2026-10-05", note)  # who saved it and when
        self.assertIn("保存了 70，工作进展为“钱进写的进展”", note)  # what is stored
        self.assertIn("您导入的是 80，工作进展为“导入的进展”", note)  # what the file says
        # Confirming again is the user's choice to overwrite, on the version they have now seen.
        self.confirm(response.context["token"])
        self.assertEqual(self.report(self.tasks).value, D(80))
        self.assertEqual(self.report(self.tasks).progress, "导入的进展")

    def test_a_preview_is_confirmed_once_and_only_by_its_uploader(self):
        preview = self.upload(workbook_bytes([["G1", "", "", None, 5, ""]]))
        token = preview.context["token"]
        self.client.force_login(self.colleague)  # the same unit's other reporter
        response = self.confirm(token, follow=True)
        self.assertContains(response, "这次导入的预览已失效")
        self.assertFalse(Report.objects.exists())
        self.client.force_login(self.reporter)
        self.confirm(token)
        self.assertEqual(self.report(self.training).value, D(5))
        self.assertContains(self.confirm(token, follow=True), "这次导入的预览已失效")  # not twice

    # --- limits ------------------------------------------------------------------------

    def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(self):
        data = workbook_bytes([["C2", "", "", None, 5, ""]]) + b"\0" * report_workbook.MAX_IMPORT_BYTES
        response = self.upload(data)
        self.assertContains(response, "超过 1 MB 的上限", status_code=400)
        self.assertFalse(PendingUpload.objects.exists())

    def test_rows_past_the_limit_are_refused_with_the_limit_named(self):
        limit = report_workbook.row_limit({"C2", "G1"})
        rows = [["C2", "", "", None, n, ""] for n in range(limit + 1)]
        response = self.upload(workbook_bytes(rows))
        self.assertContains(response, f"表格超过 {limit} 行（本单位本季度共 2 项指标", status_code=400)
        self.assertNotContains(response, "重复出现", status_code=400)  # no error list a row each

    def test_reading_stops_at_the_row_limit_without_parsing_the_rest(self):
        # 5,000 rows whose XML breaks near the end: a reader that loads the whole sheet fails on
        # it; a streaming one stops at the limit and never gets there.
        rows = [["C2", "", "", None, n, "进展" * 5] for n in range(5000)]
        data = rewritten(workbook_bytes(rows), SHEET_PART, lambda c: c[: len(c) - 2000])
        response = self.upload(data)
        self.assertContains(response, "表格超过", status_code=400)

    # --- damaged and hostile files -------------------------------------------------------

    def test_broken_xml_and_dtds_are_refused_with_a_message_and_a_400(self):
        good = workbook_bytes([["C2", "", "", None, 5, "进展"]])
        cases = {
            "a sheet cut off": (rewritten(good, SHEET_PART, broken), "文件无法读取"),
            "a sheet declaring entities": (rewritten(good, SHEET_PART, with_dtd), "DTD/实体"),
            "the workbook part declaring entities": (
                rewritten(good, "xl/workbook.xml", with_dtd),
                "DTD/实体",
            ),
            "a part in UTF-16": (
                rewritten(good, SHEET_PART, lambda c: c.decode().encode("utf-16")),
                "DTD/实体",
            ),
        }
        for label, (data, message) in cases.items():
            with self.subTest(label):
                self.assertContains(self.upload(data), message, status_code=400)
        self.assertFalse(PendingUpload.objects.exists())

    # --- where the preview is kept -------------------------------------------------------

    def test_the_session_holds_nothing_of_the_preview(self):
        response = self.upload(workbook_bytes([["C2", "", "", None, 75, "完成燃气专项整治" * 50]]))
        self.assertContains(response, "将导入 1 项")
        session = dict(self.client.session.items())
        self.assertNotIn("完成燃气专项整治", repr(session))
        self.assertFalse([key for key in session if "import" in key])
        self.assertLess(len(repr(session)), 500)
        held = PendingUpload.objects.get()
        self.assertEqual(held.token, response.context["token"])
        self.assertEqual(held.user, self.reporter)

    def test_the_preview_costs_the_same_queries_whatever_the_rows(self):
        one = workbook_bytes([["C2", "", "", None, 75, ""]])
        two = workbook_bytes([["C2", "", "", None, 75, ""], ["G1", "", "", None, 5, ""]])
        self.upload(one)
        # Each replaces the user's earlier preview of the page: one DELETE among them.
        with self.assertNumQueries(14):
            self.upload(one)
        with self.assertNumQueries(14):
            self.upload(two)


@time_machine.travel(date(2026, 6, 1))
class AccidentImportProbeTests(AccidentPageTestCase):
    def setUp(self):
        self.client.force_login(self.office)

    def upload(self, data: bytes, name="事故.xlsx"):
        return self.client.post(
            reverse("assessment:accident_import"), {"file": SimpleUploadedFile(name, data)}
        )

    def good(self, rows=None) -> bytes:
        return accident_xlsx(rows or [accident_row(unit="梁溪区", departments="市公安局")]).read()

    def test_broken_xml_and_dtds_are_refused_with_a_message_and_a_400(self):
        cases = {
            "a sheet cut off": (rewritten(self.good(), SHEET_PART, broken), "工作表已损坏"),
            "a sheet declaring entities": (rewritten(self.good(), SHEET_PART, with_dtd), "DTD/实体"),
            "the styles part declaring entities": (
                rewritten(self.good(), "xl/styles.xml", with_dtd),
                "DTD/实体",
            ),
        }
        before = Accident.objects.count()
        for label, (data, message) in cases.items():
            with self.subTest(label):
                self.assertContains(self.upload(data), message, status_code=400)
        self.assertEqual(Accident.objects.count(), before)

    def test_a_sheet_claiming_rows_past_the_limit_is_not_read_to_its_end(self):
        far = accident_workbook.MAX_IMPORT_LINES + 5
        data = rewritten(
            self.good(),
            SHEET_PART,
            lambda c: c.replace(b"</sheetData>", f'<row r="{far}"/></sheetData>'.encode()),
        )
        self.assertContains(self.upload(data), "（含空行）", status_code=400)

    def test_the_session_holds_nothing_of_the_preview_and_the_token_confirms_it(self):
        response = self.upload(
            self.good([accident_row(title="某化工厂爆炸", unit="梁溪区", departments="市公安局")])
        )
        self.assertContains(response, "确认导入 1 起事故")
        self.assertNotIn("某化工厂爆炸", repr(dict(self.client.session.items())))
        self.client.post(reverse("assessment:accident_import_confirm"), {"token": response.context["token"]})
        self.assertTrue(Accident.objects.filter(title="某化工厂爆炸").exists())
        self.assertFalse(PendingUpload.objects.exists())
