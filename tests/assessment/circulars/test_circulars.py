"""通报: the draft's figures and words come from the data; editing is version-checked; publishing
numbers per year and notifies in batches; reading is recorded once; the PDF is an official document."""

import io
import re
from datetime import date
from unittest import mock

import pypdf
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from assessment import tasks
from assessment.circulars import drafting as circular_drafting
from assessment.circulars import services as circular_services
from assessment.circulars import views as circular_views
from assessment.models import (
    Circular,
    CircularKind,
    CircularRead,
    CircularStatus,
    Notification,
    NotificationKind,
)
from assessment.results import assessing, charts
from responsibility.models import Unit
from tests.factories import make_user

from .circular_fixtures import TODAY, add_units, build_city


def row_of(rows, name):
    return next(row for row in rows if row["unit"] == name)


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


class DraftFiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)
        cls.figures = circular_drafting.circular_figures(cls.year, 3, today=TODAY)

    def test_reporting_counts_on_time_late_and_missing_per_unit(self):
        rows = self.figures["reporting"]["rows"]
        self.assertEqual([row["unit"] for row in rows], ["梁溪区", "锡山区", "市住房城乡建设局"])
        expected = {
            "梁溪区": (2, 1, 0, 1, "50.0%"),
            "锡山区": (2, 1, 1, 0, "50.0%"),
            "市住房城乡建设局": (2, 0, 0, 2, "0.0%"),  # a draft and a returned report are still owed
        }
        for name, (due, on_time, late, missing, rate) in expected.items():
            with self.subTest(unit=name):
                row = row_of(rows, name)
                self.assertEqual(
                    (row["due"], row["on_time"], row["late"], row["missing"], row["rate"]),
                    (due, on_time, late, missing, rate),
                )
        self.assertEqual(
            self.figures["reporting"]["totals"],
            {"due": 6, "on_time": 2, "late": 1, "missing": 3, "rate": "33.3%"},
        )
        self.assertTrue(self.figures["reporting"]["overdue"])
        self.assertEqual([i["code"] for i in row_of(rows, "梁溪区")["owed"]], ["E2"])
        self.assertEqual([i["code"] for i in row_of(rows, "锡山区")["came_late"]], ["E1"])

    def test_groups_follow_the_city_order(self):
        groups = [row["group"] for row in self.figures["reporting"]["rows"]]
        self.assertEqual(groups, ["板块", "板块", "专业类部门"])

    def test_accidents_this_quarter_against_the_same_quarter_last_year(self):
        acc = self.figures["accidents"]
        self.assertEqual(acc["current"], {"start": "2026-07-01", "end": "2026-09-30"})
        self.assertEqual(acc["previous"], {"start": "2025-07-01", "end": "2025-09-30"})
        liangxi, xishan, zhujian = (row_of(acc["rows"], n) for n in ("梁溪区", "锡山区", "市住房城乡建设局"))
        self.assertEqual((liangxi["count"], liangxi["deaths"]), (1, 2))
        self.assertEqual((liangxi["count_before"], liangxi["deaths_before"]), (2, 3))
        self.assertTrue(liangxi["double_decrease"])
        self.assertEqual((xishan["count"], xishan["deaths"], xishan["double_decrease"]), (1, 1, False))
        self.assertEqual((zhujian["count"], zhujian["deaths"]), (1, 1))  # as the supervising department
        # The city counts each accident once, though it counts for 锡山区 and for 住建局.
        self.assertEqual(
            acc["totals"],
            {"count": 2, "deaths": 3, "count_before": 2, "deaths_before": 3, "double_decrease": False},
        )

    def test_accident_figures_are_those_of_the_register_module(self):
        from assessment.accidents.figures import figures_for_periods

        current, previous = circular_drafting.accident_periods(self.year, 3, TODAY)
        figures = figures_for_periods(current, previous)
        for row in self.figures["accidents"]["rows"]:
            with self.subTest(unit=row["unit"]):
                unit_figures = figures[row["unit_id"]]
                self.assertEqual(row["count"], unit_figures.current.count)
                self.assertEqual(row["deaths_before"], unit_figures.previous.deaths)
                self.assertEqual(row["double_decrease"], unit_figures.double_decrease)

    def test_inspections_and_the_rectification_rate(self):
        ins = self.figures["inspections"]
        self.assertEqual([row["unit"] for row in ins["rows"]], ["梁溪区", "锡山区"])  # 住建局: only in Q2
        liangxi = row_of(ins["rows"], "梁溪区")
        self.assertEqual(
            (
                liangxi["inspections"],
                liangxi["findings"],
                liangxi["due"],
                liangxi["done"],
                liangxi["overdue"],
            ),
            (1, 2, 2, 1, 1),
        )
        self.assertEqual(liangxi["rate"], "50.0%")
        xishan = row_of(ins["rows"], "锡山区")
        self.assertEqual((xishan["findings"], xishan["due"], xishan["rate"]), (1, 0, "—"))
        self.assertEqual(ins["totals"]["inspections"], 1)
        self.assertEqual(ins["totals"]["rate"], "50.0%")

    def test_the_ranking_is_the_provisional_one_at_the_quarters_end(self):
        results = assessing.assess_year(self.year, today=TODAY, through_quarter=3)
        ranking = self.figures["ranking"]
        self.assertFalse(ranking["final"])
        drafted = [(row["unit"], row["rank"], row["score"]) for g in ranking["groups"] for row in g["rows"]]
        expected = [(r.unit.name, r.rank, f"{r.score:.2f}") for r in results]
        self.assertEqual(drafted, expected)
        self.assertEqual([g["label"] for g in ranking["groups"]], ["板块", "专业类部门"])

    def test_the_figures_are_plain_json(self):
        import json

        self.assertEqual(json.loads(json.dumps(self.figures)), self.figures)

    def test_the_year_counts_each_quarter_whose_deadline_has_passed(self):
        figures = circular_drafting.circular_figures(self.year, 0, today=TODAY)
        self.assertEqual(figures["reporting"]["quarters"], [1, 2, 3])
        self.assertEqual(figures["period_label"], "2026年度")
        # Q1–Q3 of two targets in three units; only the Q2 and Q3 reports exist.
        self.assertEqual(figures["reporting"]["totals"]["due"], 18)
        self.assertEqual(figures["accidents"]["current"], {"start": "2026-01-01", "end": "2026-10-12"})
        self.assertEqual(row_of(figures["accidents"]["rows"], "锡山区")["count"], 2)


class DraftTextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)

    def draft(self, kind, period=3):
        return circular_drafting.draft_circular(2026, period, kind, user=self.office, today=TODAY)

    def test_a_draft_is_saved_with_its_figures_title_and_body(self):
        circular = self.draft(CircularKind.SITUATION)
        circular.refresh_from_db()
        self.assertEqual(circular.status, CircularStatus.DRAFT)
        self.assertEqual(circular.title, "关于2026年第三季度安全生产责任目标落实情况的通报")
        self.assertEqual(circular.created_by, self.office)
        self.assertEqual(circular.figures["reporting"]["totals"]["due"], 6)
        self.assertEqual(circular.doc_number, "")

    def test_the_situation_circular_gives_every_figure(self):
        body = self.draft(CircularKind.SITUATION).body
        self.assertIn("应报责任目标6项，按时报送2项，按时报送率33.3%；迟报1项，未报3项", body)
        self.assertIn("迟报的单位有：锡山区。", body)
        self.assertIn("逾期未报的单位有：梁溪区、市住房城乡建设局。", body)
        self.assertIn("全市共发生生产安全事故2起、死亡3人", body)
        self.assertIn("事故起数与去年同期持平", body)
        self.assertIn("梁溪区实现“双下降”", body)
        self.assertIn("共开展督查1次，发现问题隐患3项", body)
        self.assertIn("整改率50.0%", body)
        self.assertIn("逾期未完成整改的单位有：梁溪区（1项）", body)
        self.assertIn("各组第一名", body)
        self.assertTrue(body.startswith("各板块、各有关部门、各市属企业："))

    def test_the_reminder_names_what_each_unit_owes(self):
        circular = self.draft(CircularKind.REMINDER)
        self.assertEqual(circular.title, "关于催报2026年第三季度安全生产责任目标完成情况的通报")
        body = circular.body
        self.assertIn("以下2个单位仍有目标未报送", body)
        self.assertIn("梁溪区：E2“安全宣传培训”，共1项。", body)
        self.assertIn("市住房城乡建设局：E1“隐患排查治理”、E2“安全宣传培训”，共2项。", body)
        self.assertIn("记为迟报：锡山区（E1“隐患排查治理”）", body)
        self.assertNotIn("双下降", body)

    def test_praise_names_the_units_that_reported_everything_on_time(self):
        from assessment.models import Report, ReportStatus

        self.assertNotIn("按时、全部报送", self.draft(CircularKind.PRAISE).body)  # nobody yet
        Report.objects.filter(unit=self.zhujian, quarter=3).update(status=ReportStatus.APPROVED)
        circular = self.draft(CircularKind.PRAISE)
        self.assertEqual(circular.title, "关于对2026年第三季度安全生产责任目标落实较好单位予以表扬的通报")
        self.assertIn("按时、全部报送目标完成情况的单位（市住房城乡建设局）", circular.body)
        self.assertIn("位列第一等次的单位", circular.body)

    def test_criticism_names_late_and_missing_units_and_overdue_rectification(self):
        body = self.draft(CircularKind.CRITICISM).body
        self.assertIn("迟报目标完成情况的单位：锡山区", body)
        self.assertIn("逾期未报的单位：梁溪区、市住房城乡建设局", body)
        self.assertIn("问题隐患逾期未整改的单位：梁溪区（1项）", body)
        self.assertIn("予以通报批评", body)

    def test_the_year_circular_has_a_year_title(self):
        self.assertEqual(
            self.draft(CircularKind.SITUATION, period=0).title, "关于2026年度安全生产责任目标落实情况的通报"
        )

    def test_drafting_takes_the_same_queries_for_three_units_or_thirty(self):
        with CaptureQueriesContext(connection) as few:
            self.draft(CircularKind.SITUATION)
        add_units(self.year, [self.e1, self.e2], 27)
        with CaptureQueriesContext(connection) as many:
            circular = self.draft(CircularKind.SITUATION)
        self.assertEqual(len(circular.figures["reporting"]["rows"]), 30)
        self.assertEqual(len(few), len(many))
        # the year; the units; targets and reports; the accident figures (4) and the city's totals;
        # inspection visits, findings and the number of inspections; the provisional ranking
        # (assessing.assess_year, 12); the circular and its history row
        self.assertEqual(len(many), 1 + 1 + 2 + 5 + 3 + 12 + 2)


class EditTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)

    def setUp(self):
        self.circular = circular_drafting.draft_circular(2026, 3, CircularKind.SITUATION, today=TODAY)

    def test_an_edit_saves_and_raises_the_version(self):
        edited = circular_services.edit_circular(self.circular, title="新标题", body="正文", version=1)
        self.assertEqual((edited.title, edited.body, edited.version), ("新标题", "正文", 2))
        self.circular.refresh_from_db()
        self.assertEqual(self.circular.version, 2)

    def test_an_edit_on_an_older_version_is_refused(self):
        circular_services.edit_circular(self.circular, title="甲", body="甲的正文", version=1)
        with self.assertRaises(ValidationError) as caught:
            circular_services.edit_circular(self.circular, title="乙", body="乙的正文", version=1)
        self.assertEqual(caught.exception.code, "conflict")
        self.assertIn("已被他人修改", caught.exception.message)
        self.circular.refresh_from_db()
        self.assertEqual(self.circular.title, "甲")

    def test_a_published_circular_cannot_be_edited_or_regenerated(self):
        circular_services.publish_circular(self.circular, user=self.office, version=1)
        with self.assertRaisesMessage(ValidationError, "不能再修改"):
            circular_services.edit_circular(self.circular, title="改", body="改", version=2)
        with self.assertRaisesMessage(ValidationError, "不能再修改"):
            circular_services.regenerate_circular(self.circular, version=2)

    def test_regenerating_takes_todays_data(self):
        from assessment.models import Report, ReportStatus

        circular_services.edit_circular(self.circular, title="改过的标题", body="改过的正文", version=1)
        Report.objects.filter(unit=self.zhujian, quarter=3).update(status=ReportStatus.APPROVED)
        regenerated = circular_services.regenerate_circular(self.circular, version=2, today=TODAY)
        self.assertEqual(regenerated.version, 3)
        self.assertEqual(regenerated.figures["reporting"]["totals"]["missing"], 1)
        self.assertEqual(regenerated.title, "关于2026年第三季度安全生产责任目标落实情况的通报")


class PublishTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)
        cls.retired = make_user(unit=cls.zhujian, is_active=False)
        cls.outsider = make_user()  # no unit, no city role
        inactive_unit = Unit.objects.create(name="撤销单位", code="gone", kind="district", active=False)
        cls.member_of_inactive = make_user(unit=inactive_unit)

    def draft(self):
        return circular_drafting.draft_circular(2026, 3, CircularKind.SITUATION, today=TODAY)

    def test_publishing_numbers_the_circulars_of_a_year_in_order(self):
        first, second = self.draft(), self.draft()
        with self.captureOnCommitCallbacks(execute=True):
            first = circular_services.publish_circular(first, user=self.office, version=1)
            second = circular_services.publish_circular(second, user=self.office, version=1)
        self.assertEqual((first.doc_seq, first.doc_number), (1, "锡安办〔2026〕1号"))
        self.assertEqual((second.doc_seq, second.doc_number), (2, "锡安办〔2026〕2号"))
        self.assertEqual(second.status, CircularStatus.PUBLISHED)
        self.assertEqual(second.published_by, self.office)
        self.assertIsNotNone(second.published_at)

    @override_settings(CIRCULAR_DOC_PREFIX="苏安办")
    def test_the_number_takes_the_installations_prefix(self):
        draft = self.draft()
        self.assertEqual(circular_services.next_doc_number(draft.year), "苏安办〔2026〕1号")
        with self.captureOnCommitCallbacks(execute=True):
            circular = circular_services.publish_circular(draft, user=self.office, version=1)
        self.assertEqual(circular.doc_number, "苏安办〔2026〕1号")

    def test_the_unit_members_and_the_leaders_are_notified_once_each(self):
        with self.captureOnCommitCallbacks(execute=True):
            circular = circular_services.publish_circular(self.draft(), user=self.office, version=1)
        notified = set(
            Notification.objects.filter(kind=NotificationKind.CIRCULAR).values_list("recipient_id", flat=True)
        )
        expected = {
            self.reporter.pk,
            self.head.pk,
            self.xishan_reporter.pk,
            self.zhujian_reporter.pk,
            self.leader.pk,
        }
        self.assertEqual(notified, expected)  # not the office, the inspector, inactive users or units
        notice = Notification.objects.get(recipient=self.reporter)
        self.assertEqual(notice.key, f"circular:{circular.pk}:{self.reporter.pk}")
        self.assertEqual(notice.link, circular.get_absolute_url())
        self.assertIn("锡安办〔2026〕1号", notice.title)
        self.assertIn("sunli@example.invalid", [m.to[0] for m in mail.outbox])
        # Running a batch again writes nothing.
        self.assertEqual(tasks.publish_circular_notices(circular.pk, sorted(expected)), 0)

    def test_the_request_only_enqueues_batches_after_the_commit(self):
        user_ids = list(range(1, 1201))
        with (
            mock.patch.object(circular_services, "recipient_ids", return_value=user_ids),
            mock.patch.object(tasks.publish_circular_notices, "delay") as delay,
        ):
            with self.captureOnCommitCallbacks() as callbacks:
                circular = circular_services.publish_circular(self.draft(), user=self.office, version=1)
            self.assertEqual(delay.call_count, 0)  # nothing before the commit
            for callback in callbacks:
                callback()
        self.assertEqual(len(callbacks), 3)
        batches = [c.args for c in delay.call_args_list]
        self.assertEqual([len(ids) for _, ids in batches], [500, 500, 200])
        self.assertEqual({pk for pk, _ in batches}, {circular.pk})
        self.assertEqual([i for _, ids in batches for i in ids], user_ids)

    def test_publishing_takes_the_same_queries_whatever_the_number_of_people(self):
        def publish():
            with self.captureOnCommitCallbacks(), CaptureQueriesContext(connection) as queries:
                circular_services.publish_circular(self.draft(), user=self.office, version=1)
            return len(queries)

        few = publish()
        for _ in range(30):
            make_user(unit=self.liangxi)
        self.assertEqual(publish(), few)

    def test_a_stale_publish_is_refused(self):
        circular = self.draft()
        circular_services.edit_circular(circular, title="改", body="改", version=1)
        with self.assertRaises(ValidationError):
            circular_services.publish_circular(circular, user=self.office, version=1)
        circular.refresh_from_db()
        self.assertEqual(circular.status, CircularStatus.DRAFT)

    def test_a_task_for_a_draft_writes_nothing(self):
        self.assertEqual(tasks.publish_circular_notices(self.draft().pk, [self.reporter.pk]), 0)


class ReadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)
        draft = circular_drafting.draft_circular(2026, 3, CircularKind.SITUATION, today=TODAY)
        with mock.patch.object(circular_services, "enqueue_notices"):
            cls.circular = circular_services.publish_circular(draft, user=cls.office, version=1)
        circular_services.notify_readers(cls.circular, [cls.reporter.pk])

    def test_the_first_opening_is_recorded_with_the_readers_unit(self):
        with time_machine.travel("2026-10-13 09:00 +0800"):
            circular_services.record_read(self.circular, self.reporter)
        with time_machine.travel("2026-10-14 09:00 +0800"):
            circular_services.record_read(self.circular, self.reporter)
        read = CircularRead.objects.get()
        self.assertEqual(read.unit, self.liangxi)
        self.assertEqual(read.read_at.date(), date(2026, 10, 13))
        self.assertIsNotNone(Notification.objects.get(recipient=self.reporter).read_at)

    def test_leaders_are_recorded_without_a_unit_and_the_office_not_at_all(self):
        circular_services.record_read(self.circular, self.leader)
        circular_services.record_read(self.circular, self.office)
        self.assertEqual(
            list(CircularRead.objects.values_list("user_id", "unit_id")), [(self.leader.pk, None)]
        )

    def test_a_draft_is_never_recorded(self):
        draft = circular_drafting.draft_circular(2026, 3, CircularKind.REMINDER, today=TODAY)
        circular_services.record_read(draft, self.reporter)
        self.assertFalse(CircularRead.objects.exists())

    def test_units_see_only_published_circulars(self):
        draft = circular_drafting.draft_circular(2026, 3, CircularKind.REMINDER, today=TODAY)
        for user in (self.reporter, self.head, self.leader, self.inspector):
            with self.subTest(user=user):
                self.assertEqual(list(Circular.objects.visible_to(user)), [self.circular])
        self.assertEqual(set(Circular.objects.visible_to(self.office)), {self.circular, draft})


class DocumentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)
        draft = circular_drafting.draft_circular(2026, 3, CircularKind.SITUATION, today=TODAY)
        with (
            mock.patch.object(circular_services, "enqueue_notices"),
            time_machine.travel("2026-10-15 10:00 +0800"),
        ):
            cls.circular = circular_services.publish_circular(draft, user=cls.office, version=1)
        cls.reminder = circular_drafting.draft_circular(2026, 3, CircularKind.REMINDER, today=TODAY)
        cls.pdf = circular_views.render_pdf(Circular.objects.select_related("year").get(pk=cls.circular.pk))

    def test_the_pdf_is_an_a4_pdf(self):
        self.assertTrue(self.pdf.startswith(b"%PDF"))
        page = pypdf.PdfReader(io.BytesIO(self.pdf)).pages[0]
        self.assertAlmostEqual(float(page.mediabox.width), 595.3, delta=1)
        self.assertAlmostEqual(float(page.mediabox.height), 841.9, delta=1)

    def test_the_pdf_has_the_issuer_number_title_late_units_and_date(self):
        text = pdf_text(self.pdf)
        for expected in [
            "无锡市安全生产委员会办公室",
            "锡安办〔2026〕1号",
            "关于2026年第三季度安全生产责任目标落实情况的通报",
            "迟报的单位有：锡山区",
            "逾期未报的单位有：梁溪区、市住房城乡建设局",
            "附表1",
            "2026年10月15日",
        ]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)

    def test_the_pdf_uses_the_noto_cjk_fonts(self):
        reader = pypdf.PdfReader(io.BytesIO(self.pdf))
        fonts = set()
        for page in reader.pages:
            for ref in page["/Resources"].get_object().get("/Font", {}).values():
                fonts.add(str(ref.get_object()["/BaseFont"]))
        self.assertTrue(any("Noto-Serif-CJK" in f for f in fonts), fonts)
        self.assertTrue(any("Noto-Sans-CJK" in f for f in fonts), fonts)

    def test_a_draft_pdf_says_it_is_a_draft(self):
        text = pdf_text(circular_views.render_pdf(self.reminder))
        self.assertIn("草稿", text)
        self.assertNotIn("锡安办〔2026〕", text)
        self.assertIn("梁溪区：E2“安全宣传培训”", text)

    def test_the_document_context_shows_the_chart_and_the_kinds_tables(self):
        situation = circular_views.document_context(self.circular)
        self.assertEqual(
            list(situation["tables"]), ["reporting", "accidents", "inspections", "ranking", "warnings"]
        )  # 住建局 has nothing approved: under the 合格 line, vetoed
        self.assertIn("<svg", situation["chart"])
        reminder = circular_views.document_context(self.reminder)
        self.assertEqual(list(reminder["tables"]), ["reporting"])
        self.assertEqual(reminder["chart"], "")
        kinds = [p["kind"] for p in situation["paragraphs"]]
        self.assertEqual(kinds[:3], ["salutation", "", "heading"])


class ChartTests(TestCase):
    def test_accidents_by_unit_draws_a_pair_of_bars_and_dots_per_unit(self):
        rows = [
            {"unit": "梁溪区", "count": 2, "count_before": 1, "deaths": 3, "deaths_before": 0},
            {"unit": "锡山<区>", "count": 0, "count_before": 4, "deaths": 0, "deaths_before": 5},
        ]
        svg = charts.accidents_by_unit(rows, title="各板块")
        self.assertTrue(svg.startswith("<svg"))
        self.assertEqual(svg.count("<circle"), 4 + 2)  # four dots and two legend markers
        self.assertIn("锡山&lt;区&gt;", svg)
        self.assertNotIn("<polyline", svg)

    def test_no_units_says_so(self):
        self.assertIn("暂无数据", charts.accidents_by_unit([]))
