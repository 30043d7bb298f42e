"""Filing a quarter through Excel: the template, every kind of bad file and row, preview, confirm."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import Report, ReportStatus
from assessment.reports.workbook import HEADERS
from tests.assessment.factories import make_report

from .test_reports import ReportTestCase

D = Decimal


def workbook_bytes(rows, *, sheet="季度填报", headers=HEADERS, info=None) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if info:
        extra = workbook.create_sheet("说明")
        for item in info:
            extra.append(item)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@time_machine.travel(date(2026, 10, 5))
class ReportImportTests(ReportTestCase):
    def setUp(self):
        self.client.force_login(self.reporter)
        self.base = [self.liangxi.pk, 2026, 3]

    def upload(self, data: bytes, name="填报.xlsx"):
        return self.client.post(
            reverse("assessment:report_import", args=self.base), {"file": SimpleUploadedFile(name, data)}
        )

    def test_the_template_lists_the_targets_with_last_quarters_value(self):
        make_report(self.target(self.tasks), quarter=2, value=D(60))
        response = self.client.get(reverse("assessment:report_template", args=self.base))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["季度填报"]
        self.assertEqual([c.value for c in sheet[1]], HEADERS)
        self.assertEqual(
            [(r[0], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)], [("C2", 60), ("G1", None)]
        )
        info = dict(book["说明"].iter_rows(values_only=True))
        self.assertEqual((info["单位代码"], info["年度"], info["季度"]), ("liangxi", 2026, 3))

    def test_the_filled_template_round_trips_preview_first_then_drafts(self):
        template = self.client.get(reverse("assessment:report_template", args=self.base)).content
        book = openpyxl.load_workbook(io.BytesIO(template))
        book["季度填报"]["E2"] = 75
        book["季度填报"]["F2"] = "完成燃气专项整治"
        book["季度填报"]["E3"] = "60.5"
        buffer = io.BytesIO()
        book.save(buffer)
        response = self.upload(buffer.getvalue())
        self.assertContains(response, "将导入 2 项")
        self.assertContains(response, "完成燃气专项整治")
        self.assertFalse(Report.objects.exists())  # the preview writes nothing
        response = self.client.post(
            reverse("assessment:report_import_confirm", args=self.base),
            {"token": response.context["token"]},
            follow=True,
        )
        self.assertContains(response, "已从 Excel 导入 2 项，保存为草稿")
        self.assertEqual(self.report(self.tasks).value, D(75))
        self.assertEqual(self.report(self.training).value, D("60.5"))
        self.assertEqual(self.report(self.tasks).status, ReportStatus.DRAFT)

    def test_each_bad_row_gets_its_reason_and_the_good_ones_still_import(self):
        rows = [
            ["C2", "", "", None, "=1+2", ""],
            ["G1", "", "", None, "八十", ""],
            ["X9", "", "", None, 5, ""],
        ]
        response = self.upload(workbook_bytes(rows))
        self.assertContains(response, "第 2 行：本季度累计值是公式（=1+2），请填写数值。")
        self.assertContains(response, "第 3 行：本季度累计值“八十”不是数字。")
        self.assertContains(response, "第 4 行：指标代码“X9”不在本单位本年度的责任书中。")
        response = self.upload(
            workbook_bytes(
                [["C2", "", "", None, -3, ""], ["C2", "", "", None, 4, ""], ["G1", "", "", None, 7, ""]]
            )
        )
        self.assertContains(response, "第 2 行：本季度累计值不能为负数。")
        self.assertContains(response, "第 3 行：指标代码“C2”重复出现。")
        self.assertContains(response, "将导入 1 项")
        failed = self.client.get(
            reverse("assessment:report_import_failed", args=self.base), {"token": response.context["token"]}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(failed.content)).active
        reasons = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(reasons, ["第 2 行：本季度累计值不能为负数。", "第 3 行：指标代码“C2”重复出现。"])

    def test_each_bad_file_gets_its_own_message_and_nothing_is_read(self):
        cases = {
            "not a spreadsheet": (b"%PDF-1.4 not excel", "不是"),
            "a broken zip": (b"PK\x03\x04 broken", "不是"),
            "the wrong sheet": (
                workbook_bytes([["C2", "", "", None, 5, ""]], sheet="Sheet1"),
                "找不到名为“季度填报”的工作表",
            ),
            "changed headers": (workbook_bytes([["C2", 5]], headers=["代码", "数值"]), "表头与模板不一致"),
            "another unit's template": (
                workbook_bytes(
                    [["C2", "", "", None, 5, ""]], info=[["单位代码", "xishan"], ["单位", "锡山区"]]
                ),
                "这是“锡山区”的模板，不是梁溪区的。",
            ),
            "another quarter": (
                workbook_bytes(
                    [["C2", "", "", None, 5, ""]], info=[["单位代码", "liangxi"], ["年度", 2026], ["季度", 2]]
                ),
                "这是2026年第2季度的模板",
            ),
            "nothing filled in": (workbook_bytes([["C2", "", "", None, None, ""]]), "表中没有填写任何"),
        }
        for label, (data, message) in cases.items():
            with self.subTest(label):
                self.assertContains(self.upload(data), message, status_code=400)
        self.assertFalse(Report.objects.exists())

    def test_submitted_values_are_not_changed_by_an_import(self):
        make_report(self.target(self.tasks), value=D(70), status=ReportStatus.SUBMITTED)
        response = self.upload(workbook_bytes([["C2", "", "", None, 99, ""], ["G1", "", "", None, 5, ""]]))
        self.assertContains(response, "第 2 行：C2 已提交，不能通过导入修改。")
        self.client.post(
            reverse("assessment:report_import_confirm", args=self.base), {"token": response.context["token"]}
        )
        self.assertEqual(self.report(self.tasks).value, D(70))
        self.assertEqual(self.report(self.training).value, D(5))

    def test_only_the_units_reporters_may_import(self):
        self.client.force_login(self.head)
        self.assertEqual(self.upload(workbook_bytes([])).status_code, 403)
        self.client.force_login(self.other_reporter)
        self.assertEqual(
            self.client.get(reverse("assessment:report_template", args=self.base)).status_code, 404
        )
