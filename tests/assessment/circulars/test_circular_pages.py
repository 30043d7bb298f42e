"""The 通报 pages: list, draft, edit (with a concurrent edit refused), publish, read, receipts, PDF;
and their query counts, pinned and the same for few and many units."""

from unittest import mock

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.circulars import drafting as circular_drafting
from assessment.circulars import services as circular_services
from assessment.models import (
    Circular,
    CircularKind,
    CircularRead,
    CircularStatus,
    Notification,
    NotificationKind,
)

from .circular_fixtures import TODAY, add_units, build_city


def publish(circular, user):
    with mock.patch.object(circular_services, "enqueue_notices"):
        return circular_services.publish_circular(circular, user=user, version=circular.version)


@time_machine.travel("2026-10-12 09:00 +0800", tick=False)
class CircularPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_city(cls)
        situation = circular_drafting.draft_circular(
            2026, 3, CircularKind.SITUATION, user=cls.office, today=TODAY
        )
        cls.published = publish(situation, cls.office)
        cls.draft = circular_drafting.draft_circular(
            2026, 3, CircularKind.REMINDER, user=cls.office, today=TODAY
        )

    # --- the list ------------------------------------------------------------------------

    def test_the_office_lists_drafts_and_published_circulars(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:circular_list"))
        self.assertContains(response, "锡安办〔2026〕1号")
        self.assertContains(response, self.draft.title)
        self.assertContains(response, "✎ 草稿")
        self.assertContains(response, "0 / 3 个单位已阅")
        self.assertContains(response, "起草通报")
        records = [row.record for row in response.context["table"].paginated_rows]
        self.assertEqual(records, [self.draft, self.published])  # drafts first, on every database

    def test_a_unit_lists_only_published_circulars_and_what_it_has_read(self):
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("assessment:circular_list"))
        self.assertContains(response, self.published.title)
        self.assertNotContains(response, self.draft.title)
        self.assertNotContains(response, "起草通报")
        self.assertContains(response, "● 未读")
        self.client.get(self.published.get_absolute_url())
        self.assertContains(self.client.get(reverse("assessment:circular_list")), "✓ 已读")

    def test_the_list_filters_by_year_and_kind(self):
        self.client.force_login(self.office)
        url = reverse("assessment:circular_list")
        response = self.client.get(url, {"kind": CircularKind.REMINDER})
        self.assertContains(response, self.draft.title)
        self.assertNotContains(response, self.published.title)
        response = self.client.get(url, {"year": 2025})
        self.assertContains(response, "共 0 条")

    def test_the_list_exports(self):
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("assessment:circular_list"), {"_export": "csv"})
        self.assertEqual(response.status_code, 200)
        text = response.content.decode("utf-8-sig")
        self.assertIn("锡安办〔2026〕1号", text)
        self.assertIn("未读", text)

    # --- drafting ------------------------------------------------------------------------

    def test_the_new_page_proposes_the_current_year_and_the_last_quarter_ended(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:circular_create"))
        form = response.context["form"]
        self.assertEqual(form.initial["year"], 2026)
        self.assertEqual(form.initial["period"], 3)

    def test_drafting_goes_to_the_edit_page(self):
        self.client.force_login(self.office)
        response = self.client.post(
            reverse("assessment:circular_create"), {"kind": CircularKind.CRITICISM, "year": 2026, "period": 3}
        )
        circular = Circular.objects.get(kind=CircularKind.CRITICISM)
        self.assertRedirects(response, reverse("assessment:circular_edit", args=[circular.pk]))
        self.assertEqual(circular.created_by, self.office)
        self.assertIn("迟报目标完成情况的单位：锡山区", circular.body)

    def test_an_incomplete_new_form_says_what_is_missing_in_chinese_and_keeps_the_choice(self):
        self.client.force_login(self.office)
        response = self.client.post(
            reverse("assessment:circular_create"), {"kind": CircularKind.PRAISE, "period": 9}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请选择年度。")
        self.assertContains(response, "期间须为全年或某一季度。")
        self.assertContains(
            response, 'value="praise" class="form-check-input" id="id_kind_2" required checked', html=False
        )
        self.assertFalse(Circular.objects.filter(kind=CircularKind.PRAISE).exists())

    # --- editing -------------------------------------------------------------------------

    def edit_url(self):
        return reverse("assessment:circular_edit", args=[self.draft.pk])

    def test_the_edit_page_shows_the_form_and_the_tables(self):
        self.client.force_login(self.office)
        response = self.client.get(self.edit_url())
        self.assertContains(response, "按最新数据重新生成")
        self.assertContains(response, 'data-testid="table-reporting"')
        self.assertContains(response, 'name="version" value="1"', html=False)

    def test_an_edit_is_saved(self):
        self.client.force_login(self.office)
        response = self.client.post(
            self.edit_url(), {"title": " 催报  通报 ", "body": "请于10月20日前补报。", "version": 1}
        )
        self.assertRedirects(response, self.edit_url())
        self.draft.refresh_from_db()
        self.assertEqual(
            (self.draft.title, self.draft.body, self.draft.version), ("催报 通报", "请于10月20日前补报。", 2)
        )

    def test_a_concurrent_edit_is_refused_and_the_typed_text_kept(self):
        circular_services.edit_circular(self.draft, title="同事的标题", body="同事的正文", version=1)
        self.client.force_login(self.office)
        response = self.client.post(
            self.edit_url(), {"title": "我的标题", "body": "我写的正文", "version": 1}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "这份通报已被他人修改")
        self.assertContains(response, "我写的正文")
        self.assertContains(response, 'value="我的标题"', html=False)
        self.assertContains(response, "同事的正文")  # the latest version, to compare
        self.assertContains(response, 'name="version" value="2"', html=False)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "同事的标题")
        # Saving again, having seen the latest version, goes through.
        response = self.client.post(
            self.edit_url(), {"title": "我的标题", "body": "我写的正文", "version": 2}
        )
        self.assertRedirects(response, self.edit_url())

    def test_an_empty_title_is_an_error_at_the_field(self):
        self.client.force_login(self.office)
        response = self.client.post(self.edit_url(), {"title": "", "body": "正文保留", "version": 1})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写标题。")
        self.assertContains(response, "正文保留")

    def test_a_published_circular_is_not_edited(self):
        self.client.force_login(self.office)
        url = reverse("assessment:circular_edit", args=[self.published.pk])
        response = self.client.post(url, {"title": "改", "body": "改", "version": 2})
        self.assertRedirects(response, self.published.get_absolute_url())
        self.published.refresh_from_db()
        self.assertNotEqual(self.published.title, "改")

    def test_regenerating_from_the_page(self):
        self.client.force_login(self.office)
        circular_services.edit_circular(self.draft, title="旧", body="旧", version=1)
        url = reverse("assessment:circular_regenerate", args=[self.draft.pk])
        response = self.client.post(url, {"version": 2})
        self.assertRedirects(response, self.edit_url())
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.version, 3)
        self.assertTrue(self.draft.title.startswith("关于催报"))
        # A stale page regenerates nothing and says why.
        response = self.client.post(url, {"version": 2}, follow=True)
        self.assertContains(response, "已被他人修改")

    # --- publishing ----------------------------------------------------------------------

    def test_the_confirmation_shows_the_number_and_who_is_told(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:circular_publish", args=[self.draft.pk]))
        self.assertContains(response, "锡安办〔2026〕2号")
        self.assertContains(response, "共 5 人")  # four unit members and the leader

    def test_publishing_from_the_page(self):
        self.client.force_login(self.office)
        url = reverse("assessment:circular_publish", args=[self.draft.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"version": 1}, follow=True)
        self.assertRedirects(response, self.draft.get_absolute_url())
        self.assertContains(response, "已发布通报 锡安办〔2026〕2号")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, CircularStatus.PUBLISHED)
        self.assertEqual(
            Notification.objects.filter(
                kind=NotificationKind.CIRCULAR, key__startswith=f"circular:{self.draft.pk}:"
            ).count(),
            5,
        )

    # --- reading -------------------------------------------------------------------------

    def test_a_reporter_reads_the_circular_and_a_receipt_is_recorded(self):
        self.client.force_login(self.reporter)
        response = self.client.get(self.published.get_absolute_url())
        self.assertContains(response, "锡安办〔2026〕1号")
        self.assertContains(response, "无锡市安全生产委员会办公室")
        self.assertContains(response, 'data-testid="table-accidents"')
        self.assertContains(response, "<svg")
        self.assertContains(response, "2026年10月12日")
        self.assertNotContains(response, "阅读回执")
        read = CircularRead.objects.get()
        self.assertEqual((read.user, read.unit), (self.reporter, self.liangxi))

    def test_a_unit_cannot_open_a_draft(self):
        self.client.force_login(self.reporter)
        self.assertEqual(self.client.get(self.draft.get_absolute_url()).status_code, 404)
        pdf = reverse("assessment:circular_pdf", args=[self.draft.pk])
        self.assertEqual(self.client.get(pdf).status_code, 404)

    def test_the_office_sees_how_many_units_have_read_it(self):
        CircularRead.objects.create(circular=self.published, user=self.reporter, unit=self.liangxi)
        self.client.force_login(self.office)
        response = self.client.get(self.published.get_absolute_url())
        self.assertContains(response, "阅读回执（1 / 3 个单位已阅）")
        self.assertFalse(CircularRead.objects.filter(user=self.office).exists())

    def test_the_receipts_list_who_read_and_which_units_have_not(self):
        with time_machine.travel("2026-10-13 08:05 +0800", tick=False):
            CircularRead.objects.create(circular=self.published, user=self.reporter, unit=self.liangxi)
        with time_machine.travel("2026-10-13 09:30 +0800", tick=False):
            CircularRead.objects.create(circular=self.published, user=self.leader, unit=None)
        self.client.force_login(self.office)
        url = reverse("assessment:circular_receipts", args=[self.published.pk])
        response = self.client.get(url)
        rows = {row["unit"]: row for row in response.context["table"].data.data}
        self.assertTrue(rows["梁溪区"]["read"])
        self.assertEqual((rows["梁溪区"]["readers"], rows["梁溪区"]["members"]), (1, 2))
        self.assertFalse(rows["锡山区"]["read"])
        self.assertContains(response, "孙丽 10-13 08:05")
        self.assertContains(response, "周建明 10-13 09:30")  # the leader, without a unit
        self.assertEqual((response.context["read"], response.context["unread"]), (1, 2))
        unread = self.client.get(url, {"show": "unread"})
        self.assertEqual(
            [row["unit"] for row in unread.context["table"].data.data], ["锡山区", "市住房城乡建设局"]
        )
        export = self.client.get(url, {"_export": "csv"})
        self.assertIn("孙丽 2026-10-13 08:05", export.content.decode("utf-8-sig"))

    def test_the_receipts_of_a_draft_send_the_office_to_the_edit_page(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("assessment:circular_receipts", args=[self.draft.pk]))
        self.assertRedirects(response, self.edit_url())

    def test_the_pdf_downloads(self):
        self.client.force_login(self.xishan_reporter)
        response = self.client.get(reverse("assessment:circular_pdf", args=[self.published.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_the_navigation_has_circulars_for_everyone(self):
        for user in (self.office, self.leader, self.inspector, self.reporter, self.head):
            with self.subTest(user=user):
                self.client.force_login(user)
                response = self.client.get(reverse("assessment:circular_list"))
                self.assertContains(response, 'nav-link active" href="/circulars/">通报</a>', html=False)


@time_machine.travel("2026-10-12 09:00 +0800", tick=False)
class CircularPageQueryTests(TestCase):
    """Each page's count is pinned and counted again after 40 more units (with people, reports,
    accidents, findings and read receipts)."""

    # The frame every page pays: session, user (with its unread notices and whether it has
    # memberships), permissions with the group names; a unit's reader also its memberships (navigation).
    FRAME = 3
    READER_FRAME = 4
    OFFICE_PAGES = {
        # the years (filter); count; page of circulars with their read units; active units
        "list": FRAME + 4,
        # the circular; its read units; active units
        "detail": FRAME + 3,
        # the circular; active units; members per unit; read receipts
        "receipts": FRAME + 4,
        # the circular
        "edit": FRAME + 1,
        # the circular; the next number; the recipients; active units
        "publish": FRAME + 4,
    }
    READER_PAGES = {
        # the years (filter); count; page of circulars with whether the user read each
        "list": READER_FRAME + 3,
        # the circular; the reader's unit; the receipt (insert, ignoring a repeat); the notice marked
        "detail": READER_FRAME + 4,
    }

    @classmethod
    def setUpTestData(cls):
        build_city(cls)
        situation = circular_drafting.draft_circular(
            2026, 3, CircularKind.SITUATION, user=cls.office, today=TODAY
        )
        cls.published = publish(situation, cls.office)
        cls.draft = circular_drafting.draft_circular(
            2026, 3, CircularKind.REMINDER, user=cls.office, today=TODAY
        )

    def urls(self):
        return {
            "list": reverse("assessment:circular_list"),
            "detail": self.published.get_absolute_url(),
            "receipts": reverse("assessment:circular_receipts", args=[self.published.pk]),
            "edit": reverse("assessment:circular_edit", args=[self.draft.pk]),
            "publish": reverse("assessment:circular_publish", args=[self.draft.pk]),
        }

    def counts(self, user, pages) -> dict[str, int]:
        self.client.force_login(user)
        urls = self.urls()
        found = {}
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(urls[page])
            self.assertEqual(response.status_code, 200, page)
            found[page] = len(queries)
        return found

    def grow(self):
        add_units(self.year, [self.e1, self.e2], 40)
        for i in range(5):
            circular = circular_drafting.draft_circular(2026, 3, CircularKind.PRAISE, today=TODAY)
            if i % 2:
                publish(circular, self.office)
        for user in type(self.reporter).objects.filter(memberships__isnull=False)[:30]:
            CircularRead.objects.get_or_create(circular=self.published, user=user)

    def test_office_pages_are_pinned_and_do_not_grow(self):
        self.assertEqual(self.counts(self.office, self.OFFICE_PAGES), self.OFFICE_PAGES)
        self.grow()
        self.assertEqual(self.counts(self.office, self.OFFICE_PAGES), self.OFFICE_PAGES)

    def test_reader_pages_are_pinned_and_do_not_grow(self):
        self.assertEqual(self.counts(self.reporter, self.READER_PAGES), self.READER_PAGES)
        self.grow()
        self.assertEqual(self.counts(self.reporter, self.READER_PAGES), self.READER_PAGES)
