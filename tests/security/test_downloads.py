"""What a download holds and is called: the city's own time, a file name whatever a name holds, a
failed export in Chinese, and old export files pruned."""

import csv
import io
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import unquote

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from assessment import tasks
from assessment.exports import services as year_exports
from assessment.models import Circular, CircularKind, CircularStatus, ExportStatus, ReportStatus, YearExport
from responsibility.exports import safe_filename
from tests.assessment.factories import make_report
from tests.factories import make_indicator, make_letter, make_office_user, make_unit, make_year


def filename_of(response) -> str:
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    return unquote(disposition.split("''", 1)[1])


class FileNameTests(SimpleTestCase):
    def test_a_name_with_a_slash_a_newline_or_desktop_reserved_characters_is_one_file_name(self):
        cases = {
            "临江区/新区-2026年度责任书.pdf": "临江区_新区-2026年度责任书.pdf",
            "临江区\n（新）-台账.xlsx": "临江区 （新）-台账.xlsx",
            'a:b*c?"d"<e>|f.pdf': "a_b_c_d_e_f.pdf",
            "..\\..\\etc\\passwd": "_._etc_passwd",
            "  \n ": "未命名文件",
        }
        for name, expected in cases.items():
            with self.subTest(name=name):
                self.assertEqual(safe_filename(name), expected)


class DownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.unit = make_unit(name="临江区/新区\n管委会", code="linjiang")
        indicator = make_indicator(code="QX-01", name="隐患整改率")
        cls.letter = make_letter(cls.year, cls.unit, seq=1, indicators=[indicator])
        cls.office = make_office_user(username="ajb")

    def setUp(self):
        self.client.force_login(self.office)

    def test_csv_times_are_the_citys_without_an_offset(self):
        submitted = datetime(2026, 10, 9, 16, 30, 15, 123456, tzinfo=UTC)  # 00:30 on the 10th in Wuxi
        make_report(self.letter.targets.get(), status=ReportStatus.SUBMITTED, submitted_at=submitted)
        response = self.client.get(reverse("assessment:review_queue"), {"_export": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        header, row = rows[0], rows[1]
        self.assertEqual(row[header.index("提交时间")], "2026-10-10 00:30")
        self.assertNotIn("+00:00", response.content.decode("utf-8-sig"))

    def test_a_circulars_publishing_day_is_the_citys(self):
        published = datetime(2026, 10, 9, 16, 30, tzinfo=UTC)  # 00:30 on the 10th in Wuxi
        Circular.objects.create(
            year=self.year,
            period=3,
            kind=CircularKind.SITUATION,
            title="情况通报",
            body="各板块：",
            status=CircularStatus.PUBLISHED,
            doc_seq=1,
            doc_number="青安办〔2026〕1号",
            published_at=published,
        )
        response = self.client.get(reverse("assessment:circular_list"), {"_export": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[1][rows[0].index("发布日期")], "2026-10-10")

    def test_a_unit_name_with_a_slash_and_a_newline_downloads_under_a_safe_name(self):
        response = self.client.get(reverse("assessment:report_template", args=[self.unit.pk, 2026, 3]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(filename_of(response), "临江区_新区 管委会-2026年第3季度填报模板.xlsx")

    def test_a_scan_of_a_unit_whose_name_holds_a_newline_downloads(self):
        self.letter.scan.save("scan.pdf", ContentFile(b"%PDF-1.4"))
        response = self.client.get(reverse("responsibility:letter_scan", args=[self.letter.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(filename_of(response), "临江区_新区 管委会-2026年度责任书-第1版签订件.pdf")


class ExportFailureAndPruningTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.office = make_office_user(username="ajb")

    def build(self, **patch) -> YearExport:
        with self.captureOnCommitCallbacks():
            export = year_exports.request_export(self.year, self.office)
        with mock.patch.object(year_exports, "write_workbook", **patch):
            year_exports.build(export.pk)
        export.refresh_from_db()
        return export

    def test_a_database_error_is_told_in_chinese_and_logged_in_full(self):
        from django.db import OperationalError

        with self.assertLogs("assessment.exports.services", "ERROR") as logged:
            export = self.build(
                side_effect=OperationalError("could not connect to server: Connection refused")
            )
        self.assertEqual(export.status, ExportStatus.FAILED)
        self.assertTrue(export.error.startswith("读取数据库时出错（数据库可能暂时不可用）。请稍后重新导出"))
        self.assertNotIn("OperationalError", export.error)
        self.assertNotIn("could not connect", export.error)
        self.assertIn("could not connect to server", logged.output[0])
        page = self.client_for_office().get(reverse("assessment:data_export_list"), {"year": 2026})
        self.assertContains(page, "读取数据库时出错")
        self.assertNotContains(page, "OperationalError")

    def client_for_office(self):
        self.client.force_login(self.office)
        return self.client

    @override_settings(EXPORT_KEEP_DAYS=30)
    def test_export_files_older_than_the_kept_days_are_removed_and_the_row_says_so(self):
        def write(year, fileobj):
            fileobj.write(b"PK fake workbook")
            return 1

        old, recent = self.build(side_effect=write), self.build(side_effect=write)
        now = timezone.now()
        YearExport.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=31))
        YearExport.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=29))

        old_file = old.file.name
        self.assertTrue(default_storage.exists(old_file))
        self.assertEqual(tasks.prune_year_exports(), 1)
        self.assertEqual(tasks.prune_year_exports(), 0)  # safe to run again

        old.refresh_from_db()
        recent.refresh_from_db()
        self.assertEqual((old.status, old.file.name), (ExportStatus.EXPIRED, ""))
        self.assertEqual(recent.status, ExportStatus.DONE)
        self.assertTrue(default_storage.exists(recent.file.name))
        self.assertFalse(default_storage.exists(old_file))
        client = self.client_for_office()
        self.assertEqual(
            client.get(reverse("assessment:data_export_download", args=[old.pk])).status_code, 404
        )
        page = client.get(reverse("assessment:data_export_list"), {"year": 2026})
        self.assertContains(page, "已过期")
        self.assertContains(page, "文件已于完成 30 天后清理，如需请重新导出")

    def test_the_pruning_runs_every_day(self):
        from django.conf import settings

        schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        self.assertIn("assessment.prune_year_exports", schedule)
