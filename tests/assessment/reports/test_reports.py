"""Filing a quarter, reviewing it and the quarter overview, as the reporter and the 安委办 use them."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import QuarterLock, Report, ReportStatus
from assessment.reports import services as report_services
from responsibility import roles
from responsibility.models import ResponsibilityLetter, UnitKind
from tests.assessment.factories import make_report
from tests.factories import make_catalog_letters, make_indicator, make_unit, make_user, make_year

D = Decimal
PDF = b"%PDF-1.4\nevidence\n"


class ReportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", sort_order=2)
        cls.tasks = make_indicator(
            code="C2",
            name="专项整治",
            source="entered",
            weights={"district": "40.00"},
            evidence_required=True,
            sort_order=1,
        )
        cls.training = make_indicator(
            code="G1", name="宣传培训", source="entered", weights={"district": "30.00"}, sort_order=2
        )
        cls.deaths = make_indicator(
            code="A1",
            name="死亡人数",
            rule="cap_deduction",
            source="derived",
            weights={"district": "30.00"},
            params={"per_unit": "1"},
        )
        make_catalog_letters(cls.year, [cls.liangxi, cls.xishan])
        cls.reporter = make_user(unit=cls.liangxi, unit_role="reporter", name="孙丽")
        cls.colleague = make_user(unit=cls.liangxi, unit_role="reporter", name="钱进")
        cls.head = make_user(unit=cls.liangxi, unit_role="head")
        cls.other_reporter = make_user(unit=cls.xishan, unit_role="reporter")
        cls.office = make_user(city_role=roles.OFFICE, name="赵安平")
        cls.leader = make_user(city_role=roles.LEADER)

    def entry_url(self, quarter=3, unit=None):
        return reverse("assessment:report_entry", args=[(unit or self.liangxi).pk, 2026, quarter])

    def target(self, indicator, unit=None):
        return ResponsibilityLetter.objects.get(year=self.year, unit=unit or self.liangxi).targets.get(
            indicator=indicator
        )

    def row(self, indicator, *, value="", progress="", version="", files=None, unit=None):
        prefix = f"t{self.target(indicator, unit).pk}"
        data = {f"{prefix}-value": value, f"{prefix}-progress": progress, f"{prefix}-version": version}
        if files is not None:
            data[f"{prefix}-files"] = files
        return data

    def report(self, indicator, quarter=3, unit=None) -> Report:
        return Report.objects.get(target=self.target(indicator, unit), quarter=quarter)


@time_machine.travel(date(2026, 10, 5))
class FilingTests(ReportTestCase):
    def setUp(self):
        self.client.force_login(self.reporter)

    def test_the_page_lists_the_entered_targets_only_with_last_quarters_value(self):
        make_report(self.target(self.tasks), quarter=2, value=D(60), status=ReportStatus.APPROVED)
        response = self.client.get(self.entry_url())
        self.assertContains(response, "C2 专项整治")
        self.assertContains(response, "G1 宣传培训")
        self.assertNotContains(response, "死亡人数")
        self.assertContains(response, "上季度 60")
        self.assertContains(response, 'value="60"')  # pre-filled
        self.assertContains(response, "还有 5 天")
        # quarters as people say them, never Q3
        self.assertContains(response, "第3季度</a>")
        self.assertNotRegex(response.content.decode(), r">Q\d<")

    def test_the_home_page_lists_the_deadlines_as_quarters(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, "第1季度 ")
        self.assertNotRegex(response.content.decode(), r">Q\d ")

    def test_a_draft_may_be_partial(self):
        data = self.row(self.tasks, value="70") | self.row(self.training) | {"save": "1"}
        response = self.client.post(self.entry_url(), data, follow=True)
        self.assertContains(response, "已保存2026年第3季度草稿")
        self.assertEqual(self.report(self.tasks).value, D(70))
        self.assertEqual(self.report(self.tasks).status, ReportStatus.DRAFT)
        # An untouched row stays unfiled rather than becoming an empty draft.
        self.assertFalse(Report.objects.filter(target=self.target(self.training)).exists())

    def test_submitting_names_each_missing_value_and_evidence_and_keeps_what_was_typed(self):
        data = (
            self.row(self.tasks, value="70", progress="完成燃气整治")
            | self.row(self.training)
            | {"submit": "1"}
        )
        response = self.client.post(self.entry_url(), data)
        self.assertContains(response, "请填写本季度累计值。")
        self.assertContains(response, "该指标须上传佐证材料")
        self.assertContains(response, 'value="70"')
        self.assertContains(response, "完成燃气整治")
        self.assertFalse(Report.objects.exists())

    def test_a_completion_over_100_percent_is_a_warning_at_entry_not_an_error(self):
        target = self.target(self.training)
        target.target_value = D(100)
        target.save()
        response = self.client.post(
            self.entry_url(), self.row(self.training, value="120") | {"save": "1"}, follow=True
        )
        self.assertContains(response, "已保存2026年第3季度草稿")
        self.assertEqual(self.report(self.training).value, D(120))
        self.assertContains(response, "▲ 完成率 120.0% 超过 100%（累计值 120，目标值 100），请核对")
        # Typed again and posted with an error elsewhere, the warning is on the typed value.
        data = (
            self.row(self.training, value="150", version="1")
            | self.row(self.tasks, value="x")
            | {"save": "1"}
        )
        response = self.client.post(self.entry_url(), data)
        self.assertContains(response, "完成率 150.0% 超过 100%")

    def test_a_value_below_last_quarters_is_a_warning_at_entry(self):
        make_report(self.target(self.tasks), quarter=2, value=D(60), status=ReportStatus.APPROVED)
        make_report(self.target(self.tasks), quarter=3, value=D(40))
        response = self.client.get(self.entry_url())
        self.assertContains(response, 'data-testid="guardrail">▲ 累计值 40 低于上季度的 60')

    def test_bad_values_are_named_at_their_field(self):
        data = self.row(self.tasks, value="-5") | self.row(self.training, value="八十") | {"save": "1"}
        response = self.client.post(self.entry_url(), data)
        self.assertContains(response, "累计值不能为负数。")
        self.assertContains(response, "累计值须为数字")
        self.assertContains(response, 'value="八十"')
        self.assertFalse(Report.objects.exists())

    def test_a_bad_evidence_file_is_refused_and_nothing_saved(self):
        bad = SimpleUploadedFile("照片.jpg", b"MZ\x90 not a photo")
        data = (
            self.row(self.tasks, value="70", files=bad)
            | self.row(self.training, value="50")
            | {"submit": "1"}
        )
        response = self.client.post(self.entry_url(), data)
        self.assertContains(response, "照片.jpg")
        self.assertFalse(Report.objects.exists())

    def test_submitting_a_complete_quarter(self):
        evidence = SimpleUploadedFile("整治台账.pdf", PDF)
        data = (
            self.row(self.tasks, value="70", files=evidence)
            | self.row(self.training, value="50")
            | {"submit": "1"}
        )
        response = self.client.post(self.entry_url(), data, follow=True)
        self.assertContains(response, "已提交2026年第3季度填报，等待市安委办审核。")
        report = self.report(self.tasks)
        self.assertEqual(
            (report.status, report.value, report.late, report.submitted_by),
            (ReportStatus.SUBMITTED, D(70), False, self.reporter),
        )
        self.assertEqual(report.evidence.get().name, "整治台账.pdf")
        download = self.client.get(reverse("assessment:evidence_download", args=[report.evidence.get().pk]))
        self.assertEqual(b"".join(download.streaming_content), PDF)

    def test_submitted_values_are_read_only(self):
        evidence = SimpleUploadedFile("a.pdf", PDF)
        self.client.post(
            self.entry_url(),
            self.row(self.tasks, value="70", files=evidence)
            | self.row(self.training, value="50")
            | {"submit": "1"},
        )
        report = self.report(self.tasks)
        data = self.row(self.tasks, value="99", version=str(report.version)) | {"save": "1"}
        self.client.post(self.entry_url(), data)
        self.assertEqual(self.report(self.tasks).value, D(70))
        self.assertNotContains(
            self.client.get(self.entry_url()), f'name="t{self.target(self.tasks).pk}-value"'
        )

    @time_machine.travel(date(2026, 10, 20))
    def test_filing_after_the_deadline_is_marked_late_until_the_quarter_is_locked(self):
        data = (
            self.row(self.tasks, value="70", files=SimpleUploadedFile("a.pdf", PDF))
            | self.row(self.training, value="50")
            | {"submit": "1"}
        )
        self.client.force_login(self.reporter)  # the session of 5 October has long expired
        self.assertContains(self.client.get(self.entry_url()), "已过截止日 10 天")
        self.client.post(self.entry_url(), data)
        self.assertTrue(self.report(self.tasks).late)
        QuarterLock.objects.create(year=self.year, quarter=4)
        response = self.client.post(
            self.entry_url(4), self.row(self.training, value="60") | {"save": "1"}, follow=True
        )
        self.assertContains(response, "已锁定")
        self.assertFalse(Report.objects.filter(quarter=4).exists())

    def submit(self, value, *, today, indicator=None):
        indicator = indicator or self.training
        target = self.target(indicator)
        stored = Report.objects.filter(target=target, quarter=3).first()
        with time_machine.travel(today):
            report_services.save_reports(
                self.liangxi,
                self.year,
                3,
                [
                    report_services.RowInput(
                        target=target,
                        value=D(value),
                        progress="",
                        version=stored.version if stored else None,
                        files=[],
                    )
                ],
                user=self.reporter,
                submit=True,
                today=today,
            )
        return self.report(indicator)

    def test_a_report_first_filed_on_time_and_answered_late_is_not_late(self):
        first = self.submit("50", today=date(2026, 10, 8))
        self.assertFalse(first.late)
        report_services.return_reports([first], user=self.office, comment="请补充说明")
        again = self.submit("55", today=date(2026, 10, 25))
        self.assertEqual((again.status, again.value, again.late), (ReportStatus.SUBMITTED, D(55), False))
        self.assertEqual(again.first_submitted_at, first.first_submitted_at)
        self.assertGreater(again.submitted_at, again.first_submitted_at)

    def test_the_migration_finds_the_first_filing_in_the_history(self):
        from importlib import import_module

        from django.apps import apps

        first = self.submit("50", today=date(2026, 10, 8))
        report_services.return_reports([first], user=self.office, comment="请补充说明")
        self.submit("55", today=date(2026, 10, 25))
        Report.objects.update(first_submitted_at=None)
        import_module("assessment.migrations.0009_report_first_submitted_at").first_filings(apps, None)
        self.assertEqual(self.report(self.training).first_submitted_at, first.first_submitted_at)

    def test_a_report_first_filed_late_stays_late_when_answered(self):
        draft = self.submit("50", today=date(2026, 10, 8))
        Report.objects.filter(pk=draft.pk).update(
            status=ReportStatus.DRAFT, first_submitted_at=None, submitted_at=None
        )  # only a draft before the deadline
        first = self.submit("50", today=date(2026, 10, 20))
        self.assertTrue(first.late)
        report_services.return_reports([first], user=self.office, comment="请补充说明")
        self.assertTrue(self.submit("52", today=date(2026, 10, 21)).late)

    def test_a_returned_report_shows_the_comment_and_can_be_corrected(self):
        report = make_report(
            self.target(self.training),
            value=D(5),
            status=ReportStatus.RETURNED,
            review_comment="数值应为百分比",
        )
        response = self.client.get(self.entry_url())
        self.assertContains(response, "退回意见：数值应为百分比")
        data = (
            self.row(self.training, value="50", version=str(report.version))
            | self.row(self.tasks, value="1")
            | {"save": "1"}
        )
        self.client.post(self.entry_url(), data)
        self.assertEqual(self.report(self.training).value, D(50))


@time_machine.travel(date(2026, 10, 5))
class ConcurrentEditTests(ReportTestCase):
    def test_the_second_stale_save_is_refused_with_both_values_and_keeps_the_input(self):
        page_version = ""  # both opened the page before any report existed
        self.client.force_login(self.colleague)
        self.client.post(
            self.entry_url(), self.row(self.tasks, value="70", version=page_version) | {"save": "1"}
        )
        self.client.force_login(self.reporter)
        response = self.client.post(
            self.entry_url(), self.row(self.tasks, value="80", version=page_version) | {"save": "1"}
        )
        self.assertContains(response, "有其他人刚保存过本页的部分指标")
        self.assertContains(response, "钱进")
        self.assertContains(response, "保存了 70，您填写的是 80")
        self.assertContains(response, 'value="80"')
        self.assertEqual(self.report(self.tasks).value, D(70))
        # Saving again on purpose overwrites: the form now carries the stored version.
        stored = self.report(self.tasks)
        self.client.post(
            self.entry_url(), self.row(self.tasks, value="80", version=str(stored.version)) | {"save": "1"}
        )
        self.assertEqual(self.report(self.tasks).value, D(80))

    def test_the_service_writes_nothing_when_any_row_conflicts(self):
        report_services.save_reports(
            self.liangxi,
            self.year,
            3,
            [report_services.RowInput(self.target(self.tasks), D(1), "", None, [])],
            user=self.reporter,
            submit=False,
            today=date(2026, 10, 5),
        )
        conflicts = report_services.save_reports(
            self.liangxi,
            self.year,
            3,
            [
                report_services.RowInput(self.target(self.training), D(9), "", None, []),
                report_services.RowInput(self.target(self.tasks), D(2), "", None, []),
            ],
            user=self.colleague,
            submit=False,
            today=date(2026, 10, 5),
        )
        self.assertEqual([c.target.indicator.code for c in conflicts], ["C2"])
        self.assertFalse(Report.objects.filter(target=self.target(self.training)).exists())


@time_machine.travel(date(2026, 10, 12))
class ReviewTests(ReportTestCase):
    def setUp(self):
        self.submitted = [
            make_report(self.target(ind, unit), value=D(v), status=ReportStatus.SUBMITTED)
            for unit in (self.liangxi, self.xishan)
            for ind, v in ((self.tasks, 70), (self.training, 50))
        ]
        self.client.force_login(self.office)

    def review(self, report, action, comment=""):
        return self.client.post(
            reverse("assessment:report_review", args=[report.pk]),
            {"action": action, "comment": comment},
            follow=True,
        )

    def test_the_queue_lists_submitted_reports_with_warnings(self):
        make_report(self.target(self.tasks), quarter=2, value=D(90), status=ReportStatus.APPROVED)
        response = self.client.get(reverse("assessment:review_queue"))
        self.assertContains(response, "共 4 条")
        self.assertContains(response, "累计值 70 低于上季度的 90")
        self.assertContains(response, "2026年第3季度")
        self.assertNotContains(response, "年Q")

    def test_the_queue_warns_of_a_completion_over_100_percent(self):
        target = self.target(self.training, self.xishan)
        target.target_value = D(40)
        target.save()
        response = self.client.get(reverse("assessment:review_queue"))
        self.assertContains(response, "完成率 125.0% 超过 100%（累计值 50，目标值 40），请核对")

    def test_approve_locks_and_return_needs_a_comment(self):
        report = self.submitted[0]
        self.assertContains(self.review(report, "return"), "退回时请填写退回意见")
        report.refresh_from_db()
        self.assertEqual(report.status, ReportStatus.SUBMITTED)
        self.assertContains(self.review(report, "return", "请补充台账"), "已退回 1 项")
        report.refresh_from_db()
        self.assertEqual(
            (report.status, report.review_comment, report.reviewed_by),
            (ReportStatus.RETURNED, "请补充台账", self.office),
        )
        other = self.submitted[1]
        self.assertContains(self.review(other, "approve"), "已通过 1 项")
        other.refresh_from_db()
        self.assertEqual(other.status, ReportStatus.APPROVED)
        self.assertFalse(other.editable)

    def test_illegal_transitions_are_refused(self):
        draft = make_report(self.target(self.training), quarter=2, value=D(1))
        self.assertContains(self.review(draft, "approve"), "当前为“草稿”，不能执行此操作")
        self.review(self.submitted[0], "approve")
        self.assertContains(self.review(self.submitted[0], "return", "再看看"), "当前为“已通过”")

    def test_reopening_needs_a_reason_and_stays_in_history(self):
        report = self.submitted[0]
        self.review(report, "approve")
        url = reverse("assessment:report_reopen", args=[report.pk])
        self.assertContains(self.client.post(url, {"reason": ""}, follow=True), "须说明原因")
        self.client.post(url, {"reason": "台账数字有误"})
        report.refresh_from_db()
        self.assertEqual((report.status, report.review_comment), (ReportStatus.RETURNED, "台账数字有误"))
        history = list(
            report.history.order_by("history_date").values_list(
                "status", "history_user_id", "history_change_reason"
            )
        )
        self.assertEqual(
            history[-2:],
            [
                (ReportStatus.APPROVED, self.office.pk, ""),
                (ReportStatus.RETURNED, self.office.pk, "台账数字有误"),
            ],
        )

    def test_a_units_whole_quarter_at_once(self):
        url = reverse("assessment:report_review_unit", args=[self.liangxi.pk, 2026, 3])
        response = self.client.post(url, {"action": "approve"}, follow=True)
        self.assertContains(response, "已通过 2 项")
        statuses = dict(Report.objects.values_list("pk", "status"))
        self.assertEqual(
            [statuses[r.pk] for r in self.submitted],
            [ReportStatus.APPROVED] * 2 + [ReportStatus.SUBMITTED] * 2,
        )
        self.assertEqual(self.submitted[0].history.count(), 2)  # bulk approval is in history too

    def test_reporters_and_leaders_cannot_review(self):
        for user in (self.reporter, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("assessment:review_queue")).status_code, 403)
            self.assertEqual(
                self.client.post(
                    reverse("assessment:report_review", args=[self.submitted[0].pk]), {"action": "approve"}
                ).status_code,
                403,
            )
        self.submitted[0].refresh_from_db()
        self.assertEqual(self.submitted[0].status, ReportStatus.SUBMITTED)


@time_machine.travel(date(2026, 10, 12))
class AccessTests(ReportTestCase):
    def test_another_unit_is_a_404_and_the_head_reads_only(self):
        self.client.force_login(self.other_reporter)
        self.assertEqual(self.client.get(self.entry_url()).status_code, 404)
        self.assertEqual(self.client.post(self.entry_url(), {"save": "1"}).status_code, 404)
        self.client.force_login(self.head)
        page = self.client.get(self.entry_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "提交审核")
        self.assertEqual(
            self.client.post(self.entry_url(), self.row(self.tasks, value="1") | {"save": "1"}).status_code,
            403,
        )

    def test_another_units_evidence_is_a_404(self):
        self.client.force_login(self.reporter)
        self.client.post(
            self.entry_url(),
            self.row(self.tasks, value="70", files=SimpleUploadedFile("a.pdf", PDF)) | {"save": "1"},
        )
        evidence = self.report(self.tasks).evidence.get()
        self.client.force_login(self.other_reporter)
        self.assertEqual(
            self.client.get(reverse("assessment:evidence_download", args=[evidence.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.post(reverse("assessment:evidence_delete", args=[evidence.pk])).status_code, 404
        )


@time_machine.travel(date(2026, 10, 12))
class OverviewTests(ReportTestCase):
    def test_cells_show_each_state_and_missing_is_overdue_after_the_deadline(self):
        make_report(self.target(self.tasks), value=D(1), status=ReportStatus.APPROVED, late=True)
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:quarter_overview"), {"year": 2026, "quarter": 3})
        self.assertContains(response, 'title="已通过（迟报）"')
        self.assertContains(response, 'title="逾期未报"', count=3)
        self.assertContains(response, "已报送 1/4 项")

    def test_export_and_lock(self):
        self.client.force_login(self.office)
        url = reverse("assessment:quarter_overview")
        sheet = openpyxl.load_workbook(
            io.BytesIO(self.client.get(url, {"year": 2026, "quarter": 3, "_export": "xlsx"}).content)
        ).active
        self.assertEqual([c.value for c in sheet[1]], ["责任单位", "C2", "G1", "已报", "应报", "迟报"])
        self.assertEqual(sheet["A2"].value, "梁溪区")
        self.assertEqual(sheet.title, "2026年第3季度")
        response = self.client.post(
            reverse("assessment:quarter_lock"), {"year": 2026, "quarter": 3, "action": "lock"}, follow=True
        )
        self.assertContains(response, "已锁定2026年第3季度")
        self.assertTrue(QuarterLock.objects.filter(quarter=3).exists())
        self.client.post(reverse("assessment:quarter_lock"), {"year": 2026, "quarter": 3, "action": "unlock"})
        self.assertFalse(QuarterLock.objects.exists())

    def test_a_reporter_sees_only_the_own_unit(self):
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("assessment:quarter_overview"), {"year": 2026, "quarter": 3})
        self.assertContains(response, "梁溪区")
        self.assertNotContains(response, "锡山区")
        self.assertEqual(
            self.client.post(reverse("assessment:quarter_lock"), {"year": 2026, "quarter": 3}).status_code,
            403,
        )


@time_machine.travel(date(2026, 10, 12))
class ReportQueryCountTests(ReportTestCase):
    def count(self, url):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def grow(self, n):
        units = [make_unit(name=f"区{n}-{i}", code=f"g{n}x{i}", kind=UnitKind.DISTRICT) for i in range(n)]
        ResponsibilityLetter.objects.filter(year=self.year).delete()
        make_catalog_letters(self.year, [self.liangxi, self.xishan, *units])
        for unit in [self.liangxi, self.xishan, *units]:
            for indicator in (self.tasks, self.training):
                make_report(self.target(indicator, unit), value=D(5), status=ReportStatus.SUBMITTED)

    def test_entry_review_and_overview_do_not_grow_with_units(self):
        self.grow(8)  # 10 units
        self.client.force_login(self.office)
        urls = [
            self.entry_url(),
            reverse("assessment:review_queue"),
            reverse("assessment:quarter_overview") + "?year=2026&quarter=3",
        ]
        small = [self.count(url) for url in urls]
        Report.objects.all().delete()
        self.grow(90)  # 100 units
        self.assertEqual([self.count(url) for url in urls], small)


@time_machine.travel(date(2026, 10, 5))
class SaveQueryCountTests(ReportTestCase):
    def test_saving_a_page_does_not_cost_a_statement_per_row(self):
        self.client.force_login(self.reporter)

        def post(data):
            with CaptureQueriesContext(connection) as queries:
                self.client.post(self.entry_url(), data | {"save": "1"})
            return len(queries)

        one = post(self.row(self.tasks, value="1"))
        Report.objects.all().delete()
        both = post(self.row(self.tasks, value="1") | self.row(self.training, value="2"))
        self.assertEqual(Report.objects.count(), 2)
        self.assertEqual(both, one)

    def test_saving_again_writes_only_the_rows_that_changed(self):
        def save(tasks, training, *, submit=False):
            stored = {r.target_id: r.version for r in Report.objects.all()}
            rows = [
                report_services.RowInput(
                    self.target(indicator), value, "", stored.get(self.target(indicator).pk), []
                )
                for indicator, value in [(self.tasks, tasks), (self.training, training)]
            ]
            conflicts = report_services.save_reports(
                self.liangxi, self.year, 3, rows, user=self.reporter, submit=submit, today=date(2026, 10, 5)
            )
            self.assertEqual(conflicts, [])

        def state(indicator):
            report = self.report(indicator)
            return report.value, report.version, report.status, report.history.count()

        save(D(1), D(2))
        save(D(1), D(3))  # only 培训 changed
        self.assertEqual(state(self.tasks), (D(1), 1, ReportStatus.DRAFT, 1))
        self.assertEqual(state(self.training), (D(3), 2, ReportStatus.DRAFT, 2))
        save(D(1), D(3), submit=True)  # submitting moves every row, changed or not
        self.assertEqual(state(self.tasks), (D(1), 2, ReportStatus.SUBMITTED, 2))
        self.assertEqual(state(self.training), (D(3), 3, ReportStatus.SUBMITTED, 3))
        self.assertEqual(self.report(self.tasks).history.first().status, ReportStatus.SUBMITTED)


@time_machine.travel(date(2026, 10, 12))
class OfficeHomeTests(ReportTestCase):
    def test_the_office_sees_what_waits_for_review_and_this_months_accidents(self):
        make_report(self.target(self.tasks), value=D(1), status=ReportStatus.SUBMITTED, late=True)
        make_report(self.target(self.training), value=D(1), status=ReportStatus.SUBMITTED)
        from tests.assessment.factories import at, make_accident

        make_accident(unit=self.liangxi, occurred_at=at(2026, 10, 3), deaths=3)
        make_accident(unit=self.liangxi, occurred_at=at(2026, 9, 3), deaths=1, title="上月事故")
        self.client.force_login(self.office)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "项填报待审核")
        self.assertEqual(response.context["waiting"]["total"], 2)
        self.assertContains(response, "其中迟报 1 项")
        self.assertContains(response, "本月事故 1 起，其中较大及以上 1 起")


@time_machine.travel(date(2026, 10, 12))
class ReporterHomeLockTests(ReportTestCase):
    """补报 is offered for an earlier quarter only while it is not locked."""

    def setUp(self):
        self.client.force_login(self.reporter)

    def home(self):
        return self.client.get(reverse("home"))

    def test_an_open_last_quarter_is_offered_for_late_filing(self):
        response = self.home()
        self.assertContains(response, "前几季度逾期未报 6 项")
        self.assertContains(response, f'href="{self.entry_url(3)}">补报上季度</a>')

    def test_a_locked_last_quarter_is_not_offered(self):
        QuarterLock.objects.create(year=self.year, quarter=3)
        response = self.home()
        self.assertNotContains(response, "补报上季度")
        self.assertContains(response, "前几季度逾期未报 4 项")
        self.assertContains(response, f'href="{self.entry_url(2)}">补报第2季度</a>')
        self.assertContains(response, "已锁定季度未报 2 项 — 不能再补报")

    def test_nothing_is_offered_when_every_earlier_quarter_is_locked(self):
        for quarter in (1, 2, 3):
            QuarterLock.objects.create(year=self.year, quarter=quarter)
        response = self.home()
        self.assertNotContains(response, "补报上季度")
        self.assertNotContains(response, "补报第")
        self.assertNotContains(response, "前几季度逾期未报")
        self.assertContains(response, "已锁定季度未报 6 项")

    def test_the_entry_page_refuses_a_write_to_a_locked_quarter(self):
        report = make_report(
            self.target(self.training), value=D(5), status=ReportStatus.RETURNED, review_comment="请核对"
        )
        QuarterLock.objects.create(year=self.year, quarter=3)
        page = self.client.get(self.entry_url(3))
        self.assertContains(page, "本季度已锁定")
        self.assertNotContains(page, f'name="t{report.target_id}-value"')
        self.assertNotContains(page, "提交审核")
        data = self.row(self.training, value="50", version=str(report.version)) | {"submit": "1"}
        response = self.client.post(self.entry_url(3), data, follow=True)
        self.assertContains(response, "2026年第3季度已锁定，不能再填报")
        report.refresh_from_db()
        self.assertEqual((report.status, report.value), (ReportStatus.RETURNED, D(5)))
