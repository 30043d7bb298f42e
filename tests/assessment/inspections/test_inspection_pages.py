"""The pages of inspections and findings: who sees what, the forms, each step, files, exports, queries."""

from datetime import date

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.inspections import services
from assessment.models import Finding, FindingFile, FindingStatus, Inspection, Notification
from responsibility import roles
from responsibility.models import UnitKind
from tests.assessment.inspections.test_inspections import JPEG, PDF, PNG, finding_input, record, upload
from tests.factories import make_unit, make_user, make_year

TODAY = date(2026, 11, 28)


def create_data(**overrides) -> dict:
    """The 录入督查 form as a browser posts it: the inspection and one finding row."""
    data = {
        "kind": "inspection",
        "date": "2026-11-20",
        "team": "第三督查组 李强（组长）",
        "summary": "督查消防安全",
        "findings-TOTAL_FORMS": "1",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "50",
        "findings-0-unit": "",
        "findings-0-problem": "",
        "findings-0-deadline": "",
    }
    return data | overrides


@time_machine.travel(TODAY)
class InspectionPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", sort_order=2)
        cls.reporter = make_user(unit=cls.liangxi, name="孙丽")
        cls.head = make_user(unit=cls.liangxi, unit_role="head", name="李志强")
        cls.xishan_reporter = make_user(unit=cls.xishan)
        cls.inspector = make_user(city_role=roles.INSPECTOR, name="钱立")
        cls.office = make_user(city_role=roles.OFFICE, name="赵安平")
        cls.leader = make_user(city_role=roles.LEADER)
        cls.inspection = record(
            cls.inspector,
            [cls.liangxi, cls.xishan],
            [
                finding_input(
                    cls.liangxi,
                    problem="某商业综合体消防通道被占用",
                    deadline=date(2026, 12, 15),
                    photos=[upload("现场.jpg", JPEG, "jpeg")],
                ),
                finding_input(
                    cls.xishan,
                    problem="危化品仓库超量储存",
                    deadline=date(2026, 12, 15),
                    major_hazard=True,
                    listing_level="city",
                ),
            ],
        )
        cls.mine, cls.theirs = cls.inspection.findings.order_by("pk")
        cls.photo = cls.mine.files.get()

    def url(self, name, finding=None):
        return reverse(f"assessment:{name}", args=[(finding or self.mine).pk])

    def fresh(self, finding=None) -> Finding:
        return Finding.objects.get(pk=(finding or self.mine).pk)

    def submit(self, finding=None, **fields):
        finding = self.fresh(finding)
        services.report_rectification(
            finding,
            by=self.reporter,
            text="已整改",
            files=[upload("e.pdf", PDF, "pdf")],
            version=finding.version,
        )


class WhoSeesWhatTests(InspectionPageTestCase):
    def test_a_unit_sees_only_its_own_findings(self):
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("assessment:finding_list"))
        self.assertContains(response, "本单位问题隐患")
        self.assertContains(response, "某商业综合体消防通道被占用")
        self.assertNotContains(response, "危化品仓库超量储存")
        self.assertNotContains(response, 'name="unit"')  # no unit filter for a unit
        for name in ("finding_detail",):
            self.assertEqual(self.client.get(self.url(name, self.theirs)).status_code, 404)

    def test_another_units_finding_and_files_are_404_and_do_not_name_it(self):
        self.client.force_login(self.xishan_reporter)
        response = self.client.get(self.url("finding_detail"))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "消防通道", status_code=404)
        self.assertEqual(
            self.client.get(reverse("assessment:finding_file", args=[self.photo.pk])).status_code, 404
        )
        for action in ("finding_rectify", "finding_verify", "finding_reject", "finding_close"):
            self.assertEqual(self.client.post(self.url(action)).status_code, 404)

    def test_a_unit_reads_the_inspection_with_its_own_findings_and_unit_only(self):
        self.client.force_login(self.xishan_reporter)
        response = self.client.get(self.inspection.get_absolute_url())
        self.assertContains(response, "危化品仓库超量储存")
        self.assertNotContains(response, "消防通道被占用")
        self.assertNotContains(response, "梁溪区")
        listed = self.client.get(reverse("assessment:inspection_list"))
        self.assertContains(listed, "锡山区")
        self.assertNotContains(listed, "梁溪区")

    def test_an_inspection_that_did_not_involve_the_unit_is_404(self):
        other = record(self.inspector, [self.xishan], [finding_input(self.xishan)], team="锡山区专项督查组")
        self.client.force_login(self.reporter)
        self.assertEqual(self.client.get(other.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get(reverse("assessment:inspection_list")), other.team, html=False)

    def test_the_city_sees_everything_and_the_menu_names_the_pages(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:finding_list"))
        self.assertContains(response, "消防通道被占用")
        self.assertContains(response, "危化品仓库超量储存")
        self.assertContains(response, f'href="{reverse("assessment:inspection_list")}">督查</a>')
        self.assertNotContains(response, "＋ 录入督查")  # leaders read only
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("home"))
        self.assertContains(response, f'href="{reverse("assessment:finding_list")}">问题整改</a>')

    def test_a_unit_member_cannot_act_as_inspector_and_an_inspector_cannot_close(self):
        self.client.force_login(self.reporter)
        self.assertEqual(self.client.get(reverse("assessment:inspection_create")).status_code, 403)
        self.assertEqual(self.client.post(self.url("finding_verify"), {"version": 1}).status_code, 403)
        self.client.force_login(self.inspector)
        self.assertEqual(
            self.client.post(self.url("finding_rectify"), {"rectification": "x"}).status_code, 403
        )
        self.assertEqual(
            self.client.post(self.url("finding_close", self.theirs), {"version": 1}).status_code, 403
        )


class RecordPageTests(InspectionPageTestCase):
    def test_an_inspector_records_an_inspection_with_a_finding_and_photos(self):
        self.client.force_login(self.inspector)
        data = create_data(
            units=[self.liangxi.pk],
            **{
                "findings-0-unit": str(self.liangxi.pk),
                "findings-0-problem": "农贸市场电气线路私拉乱接",
                "findings-0-deadline": "2026-12-20",
                "findings-0-photos": [SimpleUploadedFile("a.jpg", JPEG), SimpleUploadedFile("b.png", PNG)],
            },
        )
        response = self.client.post(reverse("assessment:inspection_create"), data, follow=True)
        inspection = Inspection.objects.latest("pk")
        self.assertRedirects(response, inspection.get_absolute_url())
        self.assertContains(response, "发现问题 1 项，已通知责任单位按期整改。")
        finding = inspection.findings.get()
        self.assertEqual(
            (finding.problem, finding.deadline), ("农贸市场电气线路私拉乱接", date(2026, 12, 20))
        )
        self.assertEqual(finding.files.count(), 2)
        self.assertEqual(Notification.objects.filter(key__startswith=f"finding_new:{finding.pk}:").count(), 2)

    def test_mistakes_are_shown_at_their_fields_and_nothing_typed_is_lost(self):
        self.client.force_login(self.inspector)
        data = create_data(
            date="2026-12-01",  # after today
            units=[self.liangxi.pk],
            **{
                "findings-0-unit": str(self.liangxi.pk),
                "findings-0-problem": "深基坑监测数据未上报",
                "findings-0-major_hazard": "on",
                "findings-0-deadline": "2026-11-01",
                "findings-0-photos": [SimpleUploadedFile("报告.pdf", PDF)],
            },
        )
        response = self.client.post(reverse("assessment:inspection_create"), data)
        self.assertEqual(response.status_code, 200)
        for message in (
            "督查日期不能晚于今天。",
            "重大事故隐患须选择挂牌督办级别。",
            "「报告.pdf」不是 JPEG 或 PNG 文件",
            "请重新选择",
        ):
            self.assertContains(response, message)
        self.assertContains(response, "深基坑监测数据未上报")
        self.assertContains(response, "第三督查组 李强（组长）")
        self.assertFalse(Inspection.objects.exclude(pk=self.inspection.pk).exists())

    def test_an_empty_form_asks_for_what_is_missing_in_chinese(self):
        self.client.force_login(self.office)
        response = self.client.post(reverse("assessment:inspection_create"), create_data(team="", date=""))
        self.assertContains(response, "请填写督查组。")
        self.assertContains(response, "请填写督查日期。")
        self.assertContains(response, "请至少选择一个督查对象。")

    def test_a_blank_extra_row_is_ignored_and_a_row_may_be_added(self):
        self.client.force_login(self.inspector)
        data = create_data(units=[self.xishan.pk], **{"findings-TOTAL_FORMS": "2"})
        data |= {
            "findings-1-unit": str(self.xishan.pk),
            "findings-1-problem": "问题二",
            "findings-1-deadline": "2026-12-31",
        }
        response = self.client.post(reverse("assessment:inspection_create"), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            list(Inspection.objects.latest("pk").findings.values_list("problem", flat=True)), ["问题二"]
        )

    def test_the_form_page_offers_a_template_row_from_static_files(self):
        self.client.force_login(self.inspector)
        response = self.client.get(reverse("assessment:inspection_create"))
        self.assertContains(response, 'id="finding-template"')
        self.assertContains(response, "findings-__prefix__-problem")
        self.assertContains(response, "/static/js/inspection_form.js")

    def test_the_inspection_is_edited_until_a_finding_is_reported(self):
        self.client.force_login(self.office)
        edit = reverse("assessment:inspection_edit", args=[self.inspection.pk])
        response = self.client.get(edit)
        self.assertContains(response, "某商业综合体消防通道被占用")
        self.assertContains(response, "删除此问题")
        self.assertContains(response, "现场.jpg")  # the photo, with a box to remove it
        data = create_data(
            date="2026-06-12",
            team="第二督查组（调整）",
            units=[self.liangxi.pk, self.xishan.pk],
            **{"findings-TOTAL_FORMS": "2", "findings-INITIAL_FORMS": "2"},
        )
        for i, finding in enumerate((self.mine, self.theirs)):
            data |= {
                f"findings-{i}-id": str(finding.pk),
                f"findings-{i}-version": str(finding.version),
                f"findings-{i}-unit": str(finding.unit_id),
                f"findings-{i}-problem": finding.problem,
                f"findings-{i}-deadline": "2026-10-31",
                f"findings-{i}-major_hazard": "on" if finding.major_hazard else "",
                f"findings-{i}-listing_level": finding.listing_level,
            }
        self.assertRedirects(self.client.post(edit, data), self.inspection.get_absolute_url())
        self.assertEqual(self.fresh().deadline, date(2026, 10, 31))
        self.submit()
        response = self.client.get(edit, follow=True)
        self.assertContains(response, "不能再修改")
        self.assertNotContains(self.client.get(self.inspection.get_absolute_url()), edit)


class StepPageTests(InspectionPageTestCase):
    def test_the_unit_reports_its_rectification_with_evidence(self):
        self.client.force_login(self.head)  # the head may report as well as the reporter
        response = self.client.post(
            self.url("finding_rectify"),
            {
                "rectification": "已清理通道",
                "version": self.fresh().version,
                "files": [SimpleUploadedFile("整改.pdf", PDF)],
            },
            follow=True,
        )
        self.assertRedirects(response, self.mine.get_absolute_url())
        self.assertContains(response, "已报送整改情况，等待督查组核查。")
        self.assertContains(response, "整改.pdf")
        self.assertEqual(self.fresh().status, FindingStatus.SUBMITTED)

    def test_a_rectification_without_evidence_comes_back_with_the_text_kept(self):
        self.client.force_login(self.reporter)
        response = self.client.post(
            self.url("finding_rectify"),
            {"rectification": "已清理通道，恢复畅通", "version": self.fresh().version},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请上传整改佐证材料")
        self.assertContains(response, "已清理通道，恢复畅通")
        response = self.client.post(
            self.url("finding_rectify"), {"rectification": "", "version": self.fresh().version}
        )
        self.assertContains(response, "请填写整改情况。")

    def test_two_people_at_once_the_second_keeps_what_they_typed_and_is_told(self):
        stale = self.fresh().version
        self.submit()
        self.client.force_login(self.head)
        response = self.client.post(
            self.url("finding_rectify"),
            {
                "rectification": "负责人另写的整改说明",
                "version": stale,
                "files": [SimpleUploadedFile("b.pdf", PDF)],
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "孙丽已于")
        self.assertContains(response, "您的操作未保存")
        self.assertContains(response, "负责人另写的整改说明")
        self.assertEqual(self.fresh().rectification, "已整改")

    def test_the_inspector_rejects_with_a_reason_the_unit_then_reads(self):
        self.submit()
        self.client.force_login(self.inspector)
        response = self.client.post(
            self.url("finding_reject"), {"reason": "", "version": self.fresh().version}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "退回时请填写退回理由，告诉单位还需要怎样整改。")
        response = self.client.post(
            self.url("finding_reject"),
            {"reason": "安全出口仍上锁", "version": self.fresh().version},
            follow=True,
        )
        self.assertContains(response, "已退回整改，梁溪区会收到退回理由。")
        self.client.force_login(self.reporter)
        response = self.client.get(self.url("finding_detail"))
        self.assertContains(response, "退回理由：安全出口仍上锁")
        self.assertContains(response, 'data-testid="rectify-form"')
        self.assertContains(response, "退回整改")  # in the history

    def test_a_stale_rejection_keeps_the_reason_typed(self):
        self.submit()
        stale = self.fresh().version
        services.verify_finding(self.fresh(), by=self.office, version=stale)
        self.client.force_login(self.inspector)
        response = self.client.post(self.url("finding_reject"), {"reason": "我写的理由", "version": stale})
        self.assertContains(response, "赵安平已于")
        self.assertContains(response, "我写的理由")
        self.assertEqual(self.fresh().status, FindingStatus.VERIFIED)

    def test_verify_then_close_a_major_hazard(self):
        self.submit(self.theirs)
        self.client.force_login(self.inspector)
        page = self.client.get(self.url("finding_detail", self.theirs))
        self.assertContains(page, "验收通过")
        self.assertContains(page, "▶ 验收（当前）")
        response = self.client.post(
            self.url("finding_verify", self.theirs), {"version": self.fresh(self.theirs).version}, follow=True
        )
        self.assertContains(response, "已验收通过，待市安委办销号。")
        self.assertNotContains(response, 'data-testid="close-form"')  # inspectors do not close
        self.client.force_login(self.office)
        page = self.client.get(self.url("finding_detail", self.theirs))
        self.assertContains(page, 'data-testid="close-form"')
        response = self.client.post(
            self.url("finding_close", self.theirs), {"version": self.fresh(self.theirs).version}, follow=True
        )
        self.assertContains(response, "重大事故隐患已销号。")
        self.assertContains(response, "✓ 已销号")
        self.assertEqual(self.fresh(self.theirs).status, FindingStatus.CLOSED)

    def test_a_step_out_of_turn_says_why(self):
        self.client.force_login(self.inspector)
        response = self.client.post(
            self.url("finding_verify"), {"version": self.fresh().version}, follow=True
        )
        self.assertContains(response, "这条问题当前为“待整改”，不能核查。")
        response = self.client.post(self.url("finding_verify"), {}, follow=True)
        self.assertContains(response, "页面已过期，请刷新后再操作。")

    def test_the_history_tells_the_story(self):
        self.submit()
        services.reject_rectification(
            self.fresh(), by=self.inspector, reason="不够", version=self.fresh().version
        )
        self.client.force_login(self.reporter)
        history = self.client.get(self.url("finding_detail")).context["history"]
        self.assertEqual([row.action for row in history], ["退回整改", "报送整改", "录入"])
        self.assertEqual([row.who for row in history], ["钱立", "孙丽", "钱立"])
        self.assertEqual(history[0].changes, "退回理由：不够")


class FilePageTests(InspectionPageTestCase):
    def test_photos_are_shown_inline_and_evidence_pdfs_downloaded(self):
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("assessment:finding_file", args=[self.photo.pk]))
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        self.assertEqual(b"".join(response.streaming_content), JPEG)
        self.submit()
        evidence = self.mine.files.get(purpose=FindingFile.EVIDENCE)
        response = self.client.get(reverse("assessment:finding_file", args=[evidence.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
        self.assertContains(
            self.client.get(self.url("finding_detail")),
            reverse("assessment:finding_file", args=[self.photo.pk]),
        )


class ListPageTests(InspectionPageTestCase):
    def test_open_findings_come_first_and_overdue_ones_are_red_with_their_days(self):
        self.submit()
        services.verify_finding(self.fresh(), by=self.inspector, version=self.fresh().version)
        late = record(
            self.inspector,
            [self.liangxi],
            [finding_input(self.liangxi, problem="逾期的问题", deadline=date(2026, 10, 29))],
        )
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("assessment:finding_list"))
        rows = list(response.context["table"].page.object_list)
        self.assertEqual([row.record.problem for row in rows], ["逾期的问题", "某商业综合体消防通道被占用"])
        self.assertContains(response, "✗ 待整改，逾期 30 天")
        self.assertContains(response, "✓ 已核查")
        self.assertEqual(response.context["summary"]["overdue"], 1)
        self.assertTrue(late)

    def test_the_city_filters_by_unit_status_overdue_and_major_hazard(self):
        record(
            self.inspector,
            [self.liangxi],
            [finding_input(self.liangxi, problem="逾期的问题", deadline=date(2026, 10, 29))],
        )
        self.client.force_login(self.office)

        def problems(**params):
            response = self.client.get(reverse("assessment:finding_list"), params)
            return sorted(row.record.problem for row in response.context["table"].page.object_list)

        self.assertEqual(problems(status="overdue"), ["逾期的问题"])
        self.assertEqual(problems(major="on"), ["危化品仓库超量储存"])
        self.assertEqual(problems(unit=self.xishan.pk), ["危化品仓库超量储存"])
        self.assertEqual(len(problems(status="open", year=2026)), 3)
        make_year(2025)
        self.assertEqual(problems(year=2025), [])

    def test_both_lists_export_to_excel_and_csv(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:finding_list"), {"_export": "csv"})
        text = response.content.decode("utf-8-sig")
        self.assertIn("重大事故隐患（市级挂牌督办）", text)
        self.assertIn("挂牌督办，整改中", text)
        self.assertNotIn("<span", text)
        response = self.client.get(reverse("assessment:inspection_list"), {"_export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        response = self.client.get(reverse("assessment:inspection_list"), {"_export": "csv"})
        self.assertIn("梁溪区、锡山区", response.content.decode("utf-8-sig"))

    def test_the_inspection_list_counts_findings_once_per_inspection(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:inspection_list"), {"unit": self.liangxi.pk})
        (row,) = response.context["table"].page.object_list
        self.assertEqual(
            (row.record.finding_count, row.record.open_count, row.record.overdue_count), (2, 2, 0)
        )
        self.client.force_login(self.reporter)
        (row,) = self.client.get(reverse("assessment:inspection_list")).context["table"].page.object_list
        self.assertEqual(row.record.finding_count, 1)  # its own only


class HomePageTests(InspectionPageTestCase):
    def test_the_unit_home_shows_open_and_overdue_findings(self):
        record(self.inspector, [self.liangxi], [finding_input(self.liangxi, deadline=date(2026, 10, 29))])
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "待整改 2 项")
        self.assertContains(response, "✗ 逾期 1 项")
        self.assertContains(response, reverse("assessment:finding_list"))

    def test_the_inspectors_home_shows_what_waits_for_checking(self):
        self.submit()
        self.client.force_login(self.inspector)
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'data-testid="findings-waiting"')
        self.assertEqual(response.context["findings_waiting"]["submitted"], 1)


def add_units(n: int, start: int, inspector) -> None:
    """n more units, each with a reporter and an inspection with two findings (one overdue)."""
    kinds = [UnitKind.DISTRICT, UnitKind.DEPT_PROFESSIONAL]
    for i in range(start, start + n):
        unit = make_unit(name=f"单位{i:03d}", code=f"q{i:03d}", kind=kinds[i % 2], sort_order=i)
        make_user(unit=unit)
        record(
            inspector,
            [unit],
            [
                finding_input(unit, deadline=date(2026, 10, 1), photos=[upload("p.jpg", JPEG, "jpeg")]),
                finding_input(unit, major_hazard=True, listing_level="district"),
            ],
        )


@time_machine.travel(TODAY)
class QueryCountTests(TestCase):
    """Counts pinned: the frame is 3 for the office (session, user, permissions with groups) and 4
    for a unit's reporter (and the menu's memberships)."""

    # the page → queries beyond the frame, for the office and for a unit's reporter
    PAGES = {
        # year choices; unit choices; the summary; count; page of findings (unit and inspection joined)
        "assessment:finding_list": (5, 4),  # a unit has no unit filter
        # unit choices; year choices; count; page of inspections with their counts; their units;
        # and for a unit, its memberships (whose units the page may name)
        "assessment:inspection_list": (5, 6),
    }

    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.inspector = make_user(city_role=roles.INSPECTOR)
        cls.office = make_user(city_role=roles.OFFICE)
        add_units(5, 0, cls.inspector)
        cls.reporter = make_user(unit=Finding.objects.first().unit)

    def counts(self, user) -> dict:
        self.client.force_login(user)
        counted = {}
        for name in self.PAGES:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(reverse(name)).status_code, 200)
            counted[name] = len(queries)
        return counted

    def test_list_pages_cost_the_same_with_few_and_many_units(self):
        few = (self.counts(self.office), self.counts(self.reporter))
        add_units(60, 100, self.inspector)
        many = (self.counts(self.office), self.counts(self.reporter))
        self.assertEqual(few, many)
        self.assertEqual(few[0], {name: 3 + n for name, (n, _) in self.PAGES.items()})
        self.assertEqual(few[1], {name: 4 + n for name, (_, n) in self.PAGES.items()})

    def test_a_finding_page_costs_the_same_with_more_files_and_history(self):
        finding = Finding.objects.filter(unit=self.reporter.memberships.get().unit).first()
        self.client.force_login(self.reporter)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(finding.get_absolute_url()).status_code, 200)
            return len(queries)

        before = count()
        for n in range(5):
            FindingFile.objects.create(
                finding=finding,
                purpose=FindingFile.PHOTO,
                file=SimpleUploadedFile(f"{n}.jpg", JPEG),
                name=f"{n}.jpg",
                kind="jpeg",
                size=10,
            )
            Finding.objects.get(pk=finding.pk).save()  # one more history record
        self.assertEqual(count(), before)

    def test_the_unit_home_costs_one_query_for_its_findings(self):
        self.client.force_login(self.reporter)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("home"))
        first = len(queries)
        add_units(10, 300, self.inspector)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("home"))
        self.assertEqual(len(queries), first)
        self.assertEqual(len(response.context["my_findings"]["rows"]), 1)
        self.assertTrue(any("assessment_finding" in q["sql"] for q in queries.captured_queries))
