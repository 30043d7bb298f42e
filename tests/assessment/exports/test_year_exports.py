"""全年数据导出: asked for on the page, built by the task, downloaded, and the workbook read back.

The city: 梁溪区 (a district) and a district whose name is a formula, both with signed letters, two
targets each and approved third-quarter reports; an accident inside the window and one before it;
a finding. The 安委办 asks, the task (eager in tests) builds, the requester is told and downloads.
"""

import io
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import openpyxl
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.exports import services as year_exports
from assessment.models import (
    Assessment,
    ExportStatus,
    Finding,
    Inspection,
    Notification,
    NotificationKind,
    Report,
    ReportStatus,
    YearExport,
)
from assessment.results import assessing, finalizing
from responsibility import roles
from responsibility.exports import CONTENT_TYPES
from responsibility.models import UnitKind
from tests.assessment.factories import at, make_accident, make_report
from tests.factories import make_indicator, make_letter, make_unit, make_user, make_year

HOSTILE = '=HYPERLINK("http://x","点我")'
SHEETS = ["说明", "责任单位", "目标指标", "季度填报", "事故", "问题隐患", "考核结果"]
HEADERS = {
    "责任单位": [
        "单位代码",
        "单位名称",
        "类别",
        "考核组别",
        "主要负责人",
        "分管负责人",
        "责任书状态",
        "文号",
    ],
    "目标指标": [
        "责任单位",
        "单位代码",
        "指标代码",
        "指标名称",
        "指标类别",
        "评分规则",
        "数据来源",
        "分值",
        "目标值",
    ],
    "季度填报": [
        "责任单位",
        "指标代码",
        "指标名称",
        "季度",
        "累计值",
        "目标值",
        "状态",
        "迟报",
        "提交时间",
        "审核时间",
    ],
    "事故": ["发生时间", "事故名称", "地点", "行业领域", "属地", "监管部门", "死亡人数", "重伤人数"],
    "问题隐患": [
        "督查日期",
        "督查方式",
        "督查组",
        "责任单位",
        "发现的问题",
        "重大事故隐患",
        "挂牌督办",
        "整改期限",
    ],
    "考核结果": [
        "考核组别",
        "名次",
        "责任单位",
        "单位代码",
        "基础分",
        "加分",
        "减分",
        "总分",
        "等级",
        "等次",
    ],
}


def approve(letter, value, *, quarter: int = 3, progress: str = "") -> None:
    for target in letter.targets.all():
        make_report(
            target,
            quarter=quarter,
            value=value,
            progress=progress,
            status=ReportStatus.APPROVED,
            submitted_at=at(2026, 10, 8, 9, 30),
            reviewed_at=at(2026, 10, 9, 15, 0),
        )


def make_city(year, count: int, *, first_seq: int = 1):
    """`count` districts, each with a signed letter of two completion targets, approved in Q3, and
    an accident; the rows that the workbook's size (not its query count) grows with."""
    indicators = [
        make_indicator(code=f"Q{first_seq}", name="隐患整改完成率", weights={"district": "50"}),
        make_indicator(code=f"R{first_seq}", name="培训覆盖率", weights={"district": "50"}),
    ]
    for n in range(count):
        unit = make_unit(kind=UnitKind.DISTRICT, sort_order=10 + n)
        approve(
            make_letter(year, unit, seq=first_seq + n, indicators=indicators, weight=50, target_value=100), 90
        )
        make_accident(unit=unit, occurred_at=at(year.year, 5, 1 + n), title=f"事故{n}", departments=[unit])


def clear_storage(folder: str) -> None:
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    for name in folders:
        clear_storage(f"{folder}/{name}")


def sheets_of(content: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in book.worksheets
    }


def workbook_of(year, **kwargs) -> bytes:
    buffer = io.BytesIO()
    year_exports.write_workbook(year, buffer, **kwargs)
    return buffer.getvalue()


@time_machine.travel("2026-11-28 10:00 +0800", tick=False)
class YearExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", kind=UnitKind.DISTRICT, sort_order=1)
        cls.hostile = make_unit(name=HOSTILE, code="hostile", kind=UnitKind.DISTRICT, sort_order=2)
        a1 = make_indicator(code="A1", name="隐患整改完成率", weights={"district": "50"})
        a2 = make_indicator(code="A2", name="安全培训覆盖率", weights={"district": "50"})
        cls.letter = make_letter(
            cls.year, cls.liangxi, seq=1, indicators=[a1, a2], weight=50, target_value=100
        )
        approve(cls.letter, Decimal("87.50"), progress="按期完成")
        hostile = make_letter(cls.year, cls.hostile, seq=2, indicators=[a1, a2], weight=50, target_value=100)
        approve(hostile, 40, progress="@SUM(A1)")
        make_accident(
            unit=cls.liangxi,
            occurred_at=at(2026, 3, 5, 14, 20),
            title="梁溪区某工地坍塌事故",
            deaths=1,
            departments=[cls.hostile],
        )
        make_accident(unit=cls.liangxi, occurred_at=at(2025, 12, 30), title="去年的事故")
        inspection = Inspection.objects.create(year=cls.year, date=date(2026, 6, 1), team="第一督查组")
        inspection.units.set([cls.liangxi])
        Finding.objects.create(
            inspection=inspection, unit=cls.liangxi, problem="消防通道被占用", deadline=date(2026, 9, 30)
        )
        cls.office = make_user(city_role=roles.OFFICE, name="安委办张三")
        cls.leader = make_user(city_role=roles.LEADER)
        cls.reporter = make_user(unit=cls.liangxi, unit_role="reporter")
        cls.list_url = reverse("assessment:data_export_list")
        cls.request_url = reverse("assessment:data_export_request", args=[2026])

    def setUp(self):
        # The tests' storage lives in memory for the whole run, and ids come round again.
        clear_storage("exports")

    def ask(self, user, *, execute: bool = True):
        """POST the button as `user`; with `execute`, the task runs (eagerly) once the request commits."""
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=execute) as callbacks:
            response = self.client.post(self.request_url)
        return response, callbacks

    def download(self, export: YearExport) -> bytes:
        response = self.client.get(reverse("assessment:data_export_download", args=[export.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], CONTENT_TYPES["xlsx"])
        self.assertIn("attachment; filename*=UTF-8''2026", response["Content-Disposition"])
        return response.getvalue()

    # --- the journey ---------------------------------------------------------------------

    def test_the_office_asks_the_task_builds_and_the_workbook_downloads(self):
        response, callbacks = self.ask(self.office)

        self.assertRedirects(response, f"{self.list_url}?year=2026")
        export = YearExport.objects.get()
        self.assertEqual(export.status, ExportStatus.DONE)
        self.assertEqual(export.requested_by, self.office)
        self.assertIsNotNone(export.finished_at)
        self.assertEqual(export.attempts, 1)
        content = self.download(export)
        self.assertEqual(export.size, len(content))
        sheets = sheets_of(content)
        self.assertEqual(list(sheets), SHEETS)
        for title, header in HEADERS.items():
            with self.subTest(sheet=title):
                self.assertEqual(sheets[title][0][: len(header)], header)
        data_rows = sum(len(rows) - 1 for title, rows in sheets.items() if title != "说明")
        self.assertEqual(export.row_count, data_rows)

    def test_the_requester_is_told_with_a_link_to_the_download(self):
        self.ask(self.office)

        export = YearExport.objects.get()
        notice = Notification.objects.get(recipient=self.office)
        self.assertEqual(notice.kind, NotificationKind.YEAR_EXPORT)
        self.assertEqual(notice.title, "2026年度全年数据已导出")
        self.assertEqual(notice.link, reverse("assessment:data_export_download", args=[export.pk]))
        self.assertIn(f"{export.row_count}行", notice.text)
        self.client.force_login(self.office)
        self.assertRedirects(
            self.client.get(reverse("assessment:inbox_open", args=[notice.pk])),
            notice.link,
            fetch_redirect_response=False,
        )

    def test_the_workbook_holds_the_real_values_as_numbers_and_dates(self):
        sheets = sheets_of(workbook_of(self.year))

        report = next(row for row in sheets["季度填报"] if row[0] == "梁溪区" and row[1] == "A1")
        self.assertEqual(report[3], 3)
        self.assertEqual(report[4], 87.5)  # a number, not the text "87.50"
        self.assertEqual(report[6], "已通过")
        self.assertEqual(report[8], datetime(2026, 10, 8, 9, 30))  # Wuxi time, not UTC
        self.assertEqual(report[10], "按期完成")
        accidents = sheets["事故"][1:]
        self.assertEqual([row[1] for row in accidents], ["梁溪区某工地坍塌事故"])  # the window only
        accident = accidents[0]
        self.assertEqual(accident[0], datetime(2026, 3, 5, 14, 20))
        self.assertEqual((accident[4], accident[5], accident[6]), ("梁溪区", "'" + HOSTILE, 1))
        self.assertEqual(accident[9], "一般")
        finding = sheets["问题隐患"][1]
        self.assertEqual(finding[3:5], ["梁溪区", "消防通道被占用"])
        self.assertEqual(finding[7], datetime(2026, 9, 30))
        self.assertEqual((finding[8], finding[9]), ("待整改", "是"))  # past its deadline on 28 Nov
        units = {row[1]: row for row in sheets["责任单位"][1:]}
        self.assertEqual(units["梁溪区"][6:8], ["已签订", "锡安委〔2026〕1号"])
        self.assertEqual(units["梁溪区"][9], datetime(2026, 2, 5))
        targets = [row for row in sheets["目标指标"][1:] if row[0] == "梁溪区"]
        self.assertEqual([(row[2], row[7], row[8]) for row in targets], [("A1", 50, 100), ("A2", 50, 100)])
        self.assertEqual(targets[0][9], "完成率达到 100%，按完成比例得分")

    def test_the_results_are_the_provisional_ranking_until_the_year_is_final(self):
        sheets = sheets_of(workbook_of(self.year))

        results = sheets["考核结果"][1:]
        self.assertEqual([(row[1], row[2]) for row in results], [(1, "梁溪区"), (2, "'" + HOSTILE)])
        self.assertEqual(results[0][0], "板块")
        self.assertIsInstance(results[0][7], float)
        about = dict((row[0], row[1]) for row in sheets["说明"] if row and row[0])
        self.assertEqual(about["考核年度"], 2026)
        self.assertTrue(about["考核结果口径"].startswith("预估"))
        self.assertEqual(about["生成时间"], datetime(2026, 11, 28, 10, 0))
        self.assertEqual(about["季度填报"], 4)

    def test_the_veto_reason_names_the_rule_not_its_code(self):
        from assessment.models import Adjustment

        Adjustment.objects.create(
            year=self.year, unit=self.liangxi, points=0, manual_veto=True, reason="伪造检查记录"
        )
        sheets = sheets_of(workbook_of(self.year))
        header = sheets["考核结果"][0]
        results = {row[2]: row for row in sheets["考核结果"][1:]}
        self.assertEqual(results["梁溪区"][header.index("否决事由")], "弄虚作假：伪造检查记录")

    def test_a_finalized_year_exports_its_snapshot(self):
        finalizing.finalize(self.year, user=self.office)
        # A mark no computation could give: the workbook copies the snapshot, it does not recompute.
        Assessment.objects.filter(unit=self.liangxi).update(total=Decimal("77.25"), rank=1)

        sheets = sheets_of(workbook_of(self.year))

        about = dict((row[0], row[1]) for row in sheets["说明"] if row and row[0])
        self.assertTrue(about["考核结果口径"].startswith("已定稿"))
        results = {row[2]: row for row in sheets["考核结果"][1:]}
        self.assertEqual((results["梁溪区"][1], results["梁溪区"][7]), (1, 77.25))

    def test_formula_text_is_neutralised_in_every_sheet(self):
        sheets = sheets_of(workbook_of(self.year))
        book = openpyxl.load_workbook(io.BytesIO(workbook_of(self.year)))

        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        self.assertFalse([cell.coordinate for cell in cells if cell.data_type == "f"])
        texts = [cell.value for cell in cells if isinstance(cell.value, str)]
        self.assertFalse([text for text in texts if text.startswith(("=", "+", "-", "@", "\t", "\r"))])
        self.assertIn("'" + HOSTILE, [row[1] for row in sheets["责任单位"]])
        self.assertIn("'@SUM(A1)", [row[10] for row in sheets["季度填报"]])

    def test_characters_a_workbook_cannot_hold_are_dropped_not_fatal(self):
        Report.objects.filter(unit=self.liangxi).update(progress="完成\x07\x1b情况")

        sheets = sheets_of(workbook_of(self.year))

        self.assertIn("完成情况", [row[10] for row in sheets["季度填报"]])

    # --- one export at a time, and a build that may run twice ----------------------------

    def test_a_second_request_while_one_is_queued_gets_the_same_export(self):
        _, first = self.ask(self.office, execute=False)
        response, second = self.ask(self.leader, execute=False)

        self.assertEqual(YearExport.objects.count(), 1)
        self.assertEqual((len(first), len(second)), (1, 0))  # one task queued, not two
        export = YearExport.objects.get()
        self.assertEqual((export.status, export.requested_by), (ExportStatus.QUEUED, self.office))
        page = self.client.get(response["Location"])
        self.assertContains(page, "已在导出（排队中），无需重复申请")

    def test_the_service_hands_back_the_running_export(self):
        with self.captureOnCommitCallbacks():
            first = year_exports.request_export(self.year, self.office)
        YearExport.objects.filter(pk=first.pk).update(status=ExportStatus.RUNNING, started_at=timezone.now())

        with self.captureOnCommitCallbacks() as callbacks:
            again = year_exports.request_export(self.year, self.leader)

        self.assertEqual((again.pk, len(callbacks)), (first.pk, 0))

    def test_a_stale_export_is_given_up_and_a_new_one_queued(self):
        with self.captureOnCommitCallbacks():
            lost = year_exports.request_export(self.year, self.office)
        started = timezone.now() - timedelta(minutes=16)
        YearExport.objects.filter(pk=lost.pk).update(status=ExportStatus.RUNNING, started_at=started)

        with self.captureOnCommitCallbacks() as callbacks:
            fresh = year_exports.request_export(self.year, self.leader)

        self.assertNotEqual(fresh.pk, lost.pk)
        self.assertEqual(len(callbacks), 1)
        lost.refresh_from_db()
        self.assertEqual(lost.status, ExportStatus.FAILED)
        self.assertIn("超过15分钟", lost.error)
        self.assertEqual(fresh.status, ExportStatus.QUEUED)

    def test_a_done_export_does_not_stop_a_new_one(self):
        self.ask(self.office)
        self.ask(self.office)

        self.assertEqual(
            list(YearExport.objects.values_list("status", flat=True)), [ExportStatus.DONE, ExportStatus.DONE]
        )

    def test_building_twice_leaves_one_file_and_the_export_done(self):
        with self.captureOnCommitCallbacks():
            export = year_exports.request_export(self.year, self.office)

        year_exports.build(export.pk)
        first_file = YearExport.objects.get(pk=export.pk).file.name
        year_exports.build(export.pk)  # the task delivered again: nothing to do

        export.refresh_from_db()
        self.assertEqual(
            (export.status, export.attempts, export.file.name), (ExportStatus.DONE, 1, first_file)
        )
        self.assertEqual(self.files_of(export), [first_file])
        self.assertEqual(Notification.objects.filter(recipient=self.office).count(), 1)

    def test_a_task_redelivered_after_its_worker_died_leaves_one_good_file(self):
        with self.captureOnCommitCallbacks():
            export = year_exports.request_export(self.year, self.office)
        # The first run claimed the export and saved its file, then its worker was killed.
        YearExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.RUNNING, started_at=timezone.now(), attempts=1
        )
        orphan = default_storage.save(year_exports.storage_name(export, 1), ContentFile(b"half"))
        leftover = year_exports._part(export, 1)
        leftover.write_bytes(b"half a workbook")

        year_exports.build(export.pk)

        export.refresh_from_db()
        self.assertEqual((export.status, export.attempts), (ExportStatus.DONE, 2))
        self.assertEqual(self.files_of(export), [export.file.name])
        self.assertNotEqual(export.file.name, orphan)
        self.assertFalse(leftover.exists())
        self.client.force_login(self.office)
        self.assertEqual(list(sheets_of(self.download(export))), SHEETS)

    def test_a_run_overtaken_by_a_later_one_discards_its_file(self):
        with self.captureOnCommitCallbacks():
            export = year_exports.request_export(self.year, self.office)
        real = year_exports.write_workbook

        def overtaken(year, fileobj, **kwargs):
            # While this run writes, the task is delivered again and a second run claims the export.
            YearExport.objects.filter(pk=export.pk).update(attempts=2)
            return real(year, fileobj, **kwargs)

        with mock.patch.object(year_exports, "write_workbook", overtaken):
            year_exports.build(export.pk)

        export.refresh_from_db()
        self.assertEqual((export.status, export.file.name), (ExportStatus.RUNNING, ""))
        self.assertEqual(self.files_of(export), [])

    def test_a_failed_build_says_why_and_tells_the_requester(self):
        with self.captureOnCommitCallbacks():
            export = year_exports.request_export(self.year, self.office)

        with (
            mock.patch.object(year_exports, "write_workbook", side_effect=OSError("磁盘已满")),
            self.assertLogs("assessment.exports.services", "ERROR") as logged,
        ):
            year_exports.build(export.pk)

        export.refresh_from_db()
        self.assertEqual(export.status, ExportStatus.FAILED)
        reference = f"导出{export.pk}-1"
        self.assertEqual(
            export.error,
            "写入导出文件时出错（服务器磁盘可能已满或不可写）。请稍后重新导出；"
            f"仍不成功请联系系统管理员，并告知日志编号 {reference}。",
        )
        # The detail is in the log, under the same reference, for whoever looks after the server.
        self.assertIn(reference, logged.output[0])
        self.assertIn("OSError: 磁盘已满", logged.output[0])
        self.assertEqual(self.files_of(export), [])
        leftovers = list(Path(tempfile.gettempdir()).glob(f"wuxisafety-year-export-{export.pk}-*"))
        self.assertEqual(leftovers, [])
        notice = Notification.objects.get(recipient=self.office)
        self.assertEqual(notice.title, "2026年度全年数据导出失败")
        self.client.force_login(self.office)
        page = self.client.get(self.list_url, {"year": 2026})
        self.assertContains(page, "✗ 失败")
        self.assertContains(page, "服务器磁盘可能已满")
        self.assertNotContains(page, "OSError")
        self.assertNotContains(page, 'http-equiv="refresh"')

    def test_the_task_builds_the_export(self):
        from assessment import tasks

        with self.captureOnCommitCallbacks():
            export = year_exports.request_export(self.year, self.office)

        self.assertEqual(tasks.build_year_export(export.pk), ExportStatus.DONE)
        self.assertEqual(tasks.build_year_export(export.pk), ExportStatus.DONE)
        self.assertIsNone(tasks.build_year_export(export.pk + 1000))

    def files_of(self, export: YearExport) -> list[str]:
        folder = f"exports/{export.year.year}"
        if not default_storage.exists(folder):
            return []
        prefix = f"year-export-{export.pk}-"
        return [f"{folder}/{name}" for name in default_storage.listdir(folder)[1] if name.startswith(prefix)]

    # --- the page and who may use it -----------------------------------------------------

    def test_the_page_lists_the_exports_with_status_size_and_download(self):
        self.ask(self.office)
        export = YearExport.objects.get()
        self.client.force_login(self.leader)

        response = self.client.get(self.list_url, {"year": 2026})

        self.assertContains(response, "2026年度全年数据导出")
        self.assertContains(response, "导出全年数据（Excel）")
        self.assertContains(response, "✓ 已完成")
        self.assertContains(response, "安委办张三")
        self.assertContains(response, reverse("assessment:data_export_download", args=[export.pk]))
        self.assertContains(response, f"{export.row_count}")
        self.assertNotContains(response, 'http-equiv="refresh"')

    def test_the_page_refreshes_itself_while_an_export_is_under_way(self):
        self.ask(self.office, execute=False)

        response = self.client.get(self.list_url, {"year": 2026})

        self.assertContains(response, '<meta http-equiv="refresh" content="5">', html=False)
        self.assertContains(response, "… 排队中")
        self.assertNotContains(response, 'data-testid="download"')

    def test_a_queued_export_cannot_be_downloaded_yet(self):
        self.ask(self.office, execute=False)

        response = self.client.get(
            reverse("assessment:data_export_download", args=[YearExport.objects.get().pk])
        )

        self.assertEqual(response.status_code, 404)

    def test_a_file_gone_from_the_storage_is_a_404_not_an_error(self):
        self.ask(self.office)
        export = YearExport.objects.get()
        default_storage.delete(export.file.name)

        response = self.client.get(reverse("assessment:data_export_download", args=[export.pk]))

        self.assertEqual(response.status_code, 404)

    def test_a_unit_reporter_can_neither_list_nor_ask_nor_download(self):
        self.ask(self.office)
        export = YearExport.objects.get()
        self.client.force_login(self.reporter)

        self.assertEqual(self.client.get(self.list_url).status_code, 403)
        self.assertEqual(self.client.post(self.request_url).status_code, 403)
        download = reverse("assessment:data_export_download", args=[export.pk])
        self.assertEqual(self.client.get(download).status_code, 404)
        self.assertEqual(YearExport.objects.count(), 1)

    def test_the_office_and_leaders_see_the_link_in_the_navigation(self):
        for user, shown in ((self.office, True), (self.leader, True), (self.reporter, False)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("home"))
                link = f'href="{self.list_url}">数据导出</a>'
                (self.assertContains if shown else self.assertNotContains)(response, link, html=False)

    def test_the_page_is_the_active_one_in_the_navigation(self):
        self.client.force_login(self.office)

        response = self.client.get(self.list_url)

        self.assertContains(response, f'nav-link active" href="{self.list_url}">数据导出</a>', html=False)
        self.assertContains(response, 'nav-link" href="/years/">考核年度</a>', html=False)

    def test_the_list_query_count_does_not_grow_with_the_exports(self):
        self.client.force_login(self.office)
        self.ask(self.office)
        self.client.get(self.list_url)  # warm the session
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.list_url, {"year": 2026})
        for _ in range(5):
            self.ask(self.office)
        with CaptureQueriesContext(connection) as six:
            response = self.client.get(self.list_url, {"year": 2026})
        self.assertContains(response, "共 6 次导出")
        self.assertEqual(len(six), len(one))

    # --- the command ---------------------------------------------------------------------

    def test_the_command_writes_the_same_workbook_and_says_how_it_went(self):
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "全年.xlsx"
            out = io.StringIO()

            call_command("export_year", "2026", "--output", str(output), stdout=out)

            sheets = sheets_of(output.read_bytes())
            self.assertEqual(list(sheets), SHEETS)
            self.assertEqual(sorted(p.name for p in Path(folder).iterdir()), ["全年.xlsx"])
        text = out.getvalue()
        self.assertIn("数据行数 ", text)
        self.assertIn("用时 ", text)
        self.assertIn("内存峰值 ", text)
        self.assertIn("梁溪区", [row[1] for row in sheets["责任单位"]])

    def test_the_command_refuses_a_year_that_does_not_exist(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "没有 2031 考核年度"):
            call_command("export_year", "2031", "--output", "/tmp/never.xlsx", stdout=io.StringIO())


class WorkbookQueryTests(TestCase):
    """write_workbook runs a fixed number of queries, however many units, targets and reports."""

    def queries(self, year) -> int:
        with CaptureQueriesContext(connection) as captured:
            workbook_of(year, today=date(2026, 11, 28))
        return len(captured)

    def test_the_query_count_does_not_grow_with_the_units(self):
        small, big = make_year(2026), make_year(2027)
        make_city(small, 2, first_seq=1)
        make_city(big, 6, first_seq=20)

        counts = (self.queries(small), self.queries(big))

        self.assertEqual(counts[0], counts[1])
        with CaptureQueriesContext(connection) as assessment:
            assessing.assess_year(big, today=date(2026, 11, 28))
        # A savepoint and its release around: units, letters, targets, reports, accidents, their
        # supervising departments and exemptions, findings, the finalized snapshot (none here),
        # then the provisional assessment's own fixed number of queries.
        self.assertEqual(counts[1], 2 + 9 + len(assessment))
