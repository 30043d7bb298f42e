"""The letters in the browser: prepare with a preview, edit targets, issue, sign with a scan, amend."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility import roles, services
from responsibility.models import LetterStatus, LetterVersion, ResponsibilityLetter, Target, UnitKind
from tests.factories import make_indicator, make_target, make_unit, make_user, make_year

PDF = b"%PDF-1.4\n%scan\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def prepare_and_issue(year, units=None, issue=True):
    services.create_letters(year, services.plan_letters(year))
    letters = ResponsibilityLetter.objects.filter(year=year)
    if units is not None:
        letters = letters.filter(unit__in=units)
    if issue:
        services.issue_letters(
            year, list(letters.values_list("pk", flat=True)), issued_on=date(2026, 2, 1), issuer_name="张市长"
        )


@time_machine.travel(date(2026, 3, 1))
class LetterTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", leader_name="王建国", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", leader_name="陈立新", sort_order=2)
        cls.deaths = make_indicator(
            code="A1",
            name="死亡人数控制",
            rule="cap_deduction",
            weights={"district": "60.00"},
            params={"per_unit": "1"},
        )
        cls.tasks = make_indicator(code="C2", name="专项整治", weights={"district": "40.00"})
        cls.spare = make_indicator(code="G1", name="宣传培训", weights={})
        cls.office = make_user(city_role=roles.OFFICE, name="赵安平")
        cls.leader = make_user(city_role=roles.LEADER)
        cls.reporter = make_user(unit=cls.liangxi, unit_role="reporter")
        cls.other_reporter = make_user(unit=cls.xishan, unit_role="reporter")

    def letter(self, unit=None) -> ResponsibilityLetter:
        return ResponsibilityLetter.objects.get(year=self.year, unit=unit or self.liangxi)


class PrepareTests(LetterTestCase):
    url = reverse("responsibility:letter_prepare")

    def test_the_preview_lists_every_unit_and_writes_nothing(self):
        self.client.force_login(self.office)
        response = self.client.get(self.url, {"year": 2026, "cap_change_pct": "5"})
        self.assertContains(response, "将新建 2 份草稿")
        self.assertContains(response, "梁溪区")
        self.assertContains(response, "锡山区")
        self.assertContains(response, "死亡人数控制")
        self.assertFalse(ResponsibilityLetter.objects.exists())

    def test_confirming_writes_the_drafts_once(self):
        self.client.force_login(self.office)
        response = self.client.post(self.url, {"year": 2026, "cap_change_pct": "5"}, follow=True)
        self.assertContains(response, "已生成 2 份2026年度责任书草稿")
        self.assertEqual(ResponsibilityLetter.objects.filter(status=LetterStatus.DRAFT).count(), 2)
        response = self.client.post(self.url, {"year": 2026, "cap_change_pct": "5"}, follow=True)
        self.assertContains(response, "已生成 0 份")
        self.assertContains(response, "2 个单位已有责任书，未作改动")
        self.assertEqual(ResponsibilityLetter.objects.count(), 2)

    def test_a_bad_percentage_is_refused_at_its_field(self):
        self.client.force_login(self.office)
        response = self.client.post(self.url, {"year": 2026, "cap_change_pct": "abc"})
        self.assertContains(response, "须为数字")
        self.assertFalse(ResponsibilityLetter.objects.exists())


class TargetEditTests(LetterTestCase):
    def setUp(self):
        prepare_and_issue(self.year, issue=False)
        self.client.force_login(self.office)
        self.url = reverse("responsibility:letter_targets", args=[self.letter().pk])

    def formset_data(self, weights, extra=None, delete=()):
        targets = list(self.letter().targets.order_by("indicator__code"))
        data = {
            "targets-TOTAL_FORMS": str(len(targets) + 1),
            "targets-INITIAL_FORMS": str(len(targets)),
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
        }
        for i, (target, weight) in enumerate(zip(targets, weights, strict=True)):
            data |= {
                f"targets-{i}-id": str(target.pk),
                f"targets-{i}-letter": str(target.letter_id),
                f"targets-{i}-weight": weight,
                f"targets-{i}-target_value": "5",
                f"targets-{i}-wording": "不超过5人",
            }
            if target.indicator.code in delete:
                data[f"targets-{i}-DELETE"] = "on"
        n = len(targets)
        data |= {f"targets-{n}-{k}": v for k, v in (extra or {}).items()}
        return data

    def test_weights_not_totalling_100_are_refused_and_kept_in_the_form(self):
        response = self.client.post(self.url, self.formset_data(["55", "40"]))
        self.assertContains(response, "目标分值合计为 95.00 分，应为 100.00 分")
        self.assertContains(response, 'value="55"')
        self.assertEqual(self.letter().targets.get(indicator=self.deaths).weight, Decimal(60))

    def test_reweigh_add_and_remove_targets(self):
        data = self.formset_data(
            ["70", "40"],
            extra={"indicator": str(self.spare.pk), "weight": "30", "wording": "开展培训"},
            delete=("C2",),
        )
        response = self.client.post(self.url, data)
        self.assertRedirects(response, self.letter().get_absolute_url())
        targets = dict(self.letter().targets.values_list("indicator__code", "weight"))
        self.assertEqual(targets, {"A1": Decimal(70), "G1": Decimal(30)})
        page = self.client.get(self.letter().get_absolute_url())
        self.assertContains(page, "分值：60.00 → 70.00")

    def test_a_negative_target_value_is_refused_at_its_field(self):
        data = self.formset_data(["60", "40"])
        data["targets-0-target_value"] = "-1"
        response = self.client.post(self.url, data)
        self.assertContains(response, "目标值不能为负数。")

    def test_signed_targets_are_locked(self):
        letter = self.letter()
        services.issue_letters(self.year, [letter.pk], issued_on=date(2026, 2, 1), issuer_name="张市长")
        services.sign_letter(
            letter,
            signer_name="王建国",
            signed_on=date(2026, 2, 5),
            scan=SimpleUploadedFile("s.pdf", PDF),
            scan_name="s.pdf",
        )
        response = self.client.post(self.url, self.formset_data(["70", "30"]), follow=True)
        self.assertContains(response, "目标已锁定")
        self.assertEqual(self.letter().targets.get(indicator=self.deaths).weight, Decimal(60))


class IssueViewTests(LetterTestCase):
    def test_issuing_all_drafts_numbers_them_in_city_order(self):
        prepare_and_issue(self.year, issue=False)
        self.client.force_login(self.office)
        response = self.client.post(
            reverse("responsibility:letter_issue_all"),
            {"year": 2026, "issuer_name": "张市长", "issued_on": "2026-02-01"},
            follow=True,
        )
        self.assertContains(response, "已下发 2 份2026年度责任书（锡安委〔2026〕1号 至 锡安委〔2026〕2号）")
        self.assertEqual(self.letter(self.xishan).doc_number, "锡安委〔2026〕2号")

    def test_issuing_one_letter(self):
        prepare_and_issue(self.year, issue=False)
        self.client.force_login(self.office)
        response = self.client.post(
            reverse("responsibility:letter_issue", args=[self.letter(self.xishan).pk]),
            {"issuer_name": "张市长", "issued_on": "2026-02-01"},
            follow=True,
        )
        self.assertContains(response, "文号 锡安委〔2026〕1号")
        self.assertEqual(self.letter().status, LetterStatus.DRAFT)


class SignTests(LetterTestCase):
    def setUp(self):
        prepare_and_issue(self.year)
        self.client.force_login(self.reporter)
        self.url = reverse("responsibility:letter_sign", args=[self.letter().pk])
        self.files_before = self.stored_files()

    def sign(self, upload, *, follow=False, **fields):
        data = {"signer_name": "王建国", "signed_on": "2026-02-10", "scan": upload} | fields
        return self.client.post(self.url, data, follow=follow)

    def stored_files(self) -> set[str]:
        # The test storage lives in memory for the whole run: compare against the files before.
        folder = "letters/2026/liangxi"
        return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()

    def assert_nothing_stored(self):
        letter = self.letter()
        self.assertEqual(letter.status, LetterStatus.ISSUED)
        self.assertEqual(letter.scan.name, "")
        self.assertEqual(self.stored_files(), self.files_before)

    def test_each_bad_upload_is_refused_with_nothing_stored(self):
        cases = {
            "an executable renamed": (
                SimpleUploadedFile("扫描件.pdf", b"MZ\x90\x00 binary"),
                "不是 PDF、JPEG 或 PNG 文件",
            ),
            "a PNG called .pdf": (SimpleUploadedFile("scan.pdf", PNG), "扩展名与内容不符"),
            "an empty file": (SimpleUploadedFile("空.pdf", b""), "空文件"),
            "a Word file": (SimpleUploadedFile("a.docx", b"PK\x03\x04rest"), "不是 PDF、JPEG 或 PNG 文件"),
        }
        for label, (upload, message) in cases.items():
            with self.subTest(label):
                response = self.sign(upload)
                self.assertContains(response, message)
                self.assertContains(response, 'value="王建国"')
                self.assert_nothing_stored()

    def test_an_oversize_scan_is_refused(self):
        with self.settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
            big = SimpleUploadedFile("big.pdf", PDF + b"0" * (20 * 1024 * 1024))
            response = self.sign(big)
        self.assertContains(response, "超过 20 MB 的上限")
        self.assert_nothing_stored()

    def test_a_signing_date_before_issue_is_refused(self):
        response = self.sign(SimpleUploadedFile("s.pdf", PDF), signed_on="2026-01-20")
        self.assertContains(response, "签订日期不能早于下发日期")
        self.assert_nothing_stored()

    def test_signing_locks_the_letter_and_keeps_the_scan_privately(self):
        response = self.sign(SimpleUploadedFile("../../etc/扫描件.pdf", PDF), follow=True)
        self.assertContains(response, "已登记签订")
        letter = self.letter()
        self.assertEqual(letter.status, LetterStatus.SIGNED)
        self.assertEqual(letter.signed_on, date(2026, 2, 10))
        self.assertTrue(letter.scan.name.startswith("letters/2026/liangxi/v1-"))
        self.assertNotIn("..", letter.scan.name)
        download = self.client.get(reverse("responsibility:letter_scan", args=[letter.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(b"".join(download.streaming_content), PDF)

    def test_another_units_reporter_cannot_sign_or_download(self):
        self.sign(SimpleUploadedFile("s.pdf", PDF))
        self.client.force_login(self.other_reporter)
        letter = self.letter()
        for name in ["letter_detail", "letter_pdf", "letter_scan", "letter_print"]:
            with self.subTest(name):
                self.assertEqual(
                    self.client.get(reverse(f"responsibility:{name}", args=[letter.pk])).status_code, 404
                )
        self.assertEqual(self.client.post(self.url, {}).status_code, 404)

    def test_leaders_cannot_sign(self):
        self.client.force_login(self.leader)
        self.assertEqual(self.sign(SimpleUploadedFile("s.pdf", PDF)).status_code, 403)
        self.assert_nothing_stored()


class AmendTests(LetterTestCase):
    def setUp(self):
        prepare_and_issue(self.year)
        letter = self.letter()
        services.sign_letter(
            letter,
            signer_name="王建国",
            signed_on=date(2026, 2, 5),
            scan=SimpleUploadedFile("s.pdf", PDF),
            scan_name="签字页.pdf",
        )
        self.client.force_login(self.office)

    def test_amending_keeps_the_signed_version_and_asks_for_a_new_signature(self):
        letter = self.letter()
        response = self.client.post(
            reverse("responsibility:letter_amend", args=[letter.pk]), {"reason": "调整死亡控制数"}
        )
        self.assertRedirects(response, reverse("responsibility:letter_targets", args=[letter.pk]))
        letter.refresh_from_db()
        self.assertEqual(
            (letter.version, letter.status, letter.signed_on, letter.scan.name),
            (2, LetterStatus.ISSUED, None, ""),
        )
        old = LetterVersion.objects.get(letter=letter)
        self.assertEqual(old.version, 1)
        self.assertEqual(old.signer_name, "王建国")
        self.assertEqual(old.amended_by, self.office)
        self.assertEqual([t["code"] for t in old.targets], ["A1", "C2"])
        page = self.client.get(letter.get_absolute_url())
        self.assertContains(page, "第1版")
        self.assertContains(page, "调整死亡控制数")
        self.assertContains(page, "赵安平")
        old_scan = self.client.get(reverse("responsibility:letter_version_scan", args=[letter.pk, 1]))
        self.assertEqual(b"".join(old_scan.streaming_content), PDF)

    def test_an_amendment_needs_a_reason(self):
        letter = self.letter()
        response = self.client.post(reverse("responsibility:letter_amend", args=[letter.pk]), {"reason": ""})
        self.assertContains(response, "请填写修订原因。")
        self.assertEqual(self.letter().version, 1)

    def test_the_successor_inherits_the_letter(self):
        self.liangxi.leader_name = "李四"
        self.liangxi.save()
        page = self.client.get(self.letter().get_absolute_url())
        self.assertContains(page, "王建国")
        self.assertContains(page, "李四")
        self.assertContains(page, "继任")


class ListAndExportTests(LetterTestCase):
    def test_leaders_see_the_signing_progress_per_group(self):
        prepare_and_issue(self.year)
        self.client.force_login(self.leader)
        response = self.client.get(reverse("responsibility:letter_list"), {"year": 2026})
        self.assertContains(response, "0/2")
        self.assertContains(response, "逾期 2")

    def test_a_unit_sees_only_its_own_letters(self):
        prepare_and_issue(self.year)
        self.client.force_login(self.reporter)
        response = self.client.get(reverse("responsibility:letter_list"))
        self.assertContains(response, "梁溪区")
        self.assertNotContains(response, "锡山区")

    def test_exports_write_a_hostile_unit_name_as_text(self):
        make_unit(name='=HYPERLINK("http://example.com","x")', code="evil")
        prepare_and_issue(self.year)
        self.client.force_login(self.office)
        url = reverse("responsibility:letter_list")
        sheet = openpyxl.load_workbook(io.BytesIO(self.client.get(url, {"_export": "xlsx"}).content)).active
        names = [row[0].value for row in sheet.iter_rows(min_row=2)]
        self.assertIn('\'=HYPERLINK("http://example.com","x")', names)
        self.assertFalse(any(c.data_type == "f" for row in sheet.iter_rows() for c in row))
        text = self.client.get(url, {"_export": "csv"}).content.decode("utf-8").lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertIn('\'=HYPERLINK("http://example.com","x")', [r[0] for r in rows])

    def test_overdue_filter(self):
        prepare_and_issue(self.year, units=[self.liangxi])
        self.client.force_login(self.office)
        response = self.client.get(reverse("responsibility:letter_list"), {"year": 2026, "overdue": "on"})
        self.assertContains(response, "梁溪区")
        self.assertNotContains(response, "锡山区")


class LetterQueryCountTests(LetterTestCase):
    def count(self, url):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_list_and_letter_pages_do_not_grow_with_units(self):
        for i in range(8):  # 10 units in all
            make_unit(name=f"县{i}", code=f"c{i}", kind=UnitKind.DISTRICT)
        prepare_and_issue(self.year)
        self.client.force_login(self.office)
        letter = self.letter()
        urls = [reverse("responsibility:letter_list") + "?year=2026", letter.get_absolute_url()]
        small = [self.count(url) for url in urls]
        for i in range(90):  # 100 units in all
            make_unit(name=f"区{i}", code=f"d{i}", kind=UnitKind.DISTRICT)
        ResponsibilityLetter.objects.filter(year=self.year).delete()
        prepare_and_issue(self.year)
        letter = self.letter()
        urls[1] = letter.get_absolute_url()
        self.assertEqual([self.count(url) for url in urls], small)
        # list: frame 3; current year; the year filter's choice; progress; count; page.
        # letter: frame 3; the letter; its targets; its versions; its targets' history.
        self.assertEqual(small, [9, 7])

    def test_targets_count_does_not_change_the_letter_page(self):
        prepare_and_issue(self.year)
        self.client.force_login(self.office)
        before = self.count(self.letter().get_absolute_url())
        make_target(self.letter(), self.spare, weight=1)
        self.assertEqual(self.count(self.letter().get_absolute_url()), before)


class CommitmentTests(TestCase):
    """What a target promises, in the letter's words, when the admin wrote none."""

    def commitment(self, rule, value=None, wording="", **indicator_fields):
        indicator = make_indicator(rule=rule, **indicator_fields)
        return Target(indicator=indicator, weight=4, target_value=value, wording=wording).commitment

    def test_each_rule_says_what_it_scores_and_deducts(self):
        self.assertEqual(
            self.commitment("cap_deduction", Decimal("7.00"), params={"per_unit": "2"}),
            "全年死亡人数控制在 7 人以内，每超 1 人扣 2 分，扣完为止",
        )
        self.assertEqual(self.commitment("completion", Decimal("100.00")), "完成率达到 100%，按完成比例得分")
        self.assertEqual(
            self.commitment("yoy_decrease"),
            "事故起数、死亡人数同比“双下降”，每下降一项得 2 分（连续两年为零视同下降）",
        )
        self.assertEqual(self.commitment("boolean"), "按要求全面完成，未完成不得分")
        self.assertEqual(self.commitment("item_deduction"), "按考核细则逐项扣分，扣完为止")

    def test_a_derived_indicator_says_what_it_counts(self):
        larger = ["larger", "major", "especially_major"]
        self.assertEqual(
            self.commitment(
                "count_deduction",
                Decimal(2),
                source="derived",
                measure="accidents",
                grades=larger,
                params={"per_unit": 5},
            ),
            "全年不发生较大及以上事故，每发生 1 起扣 5 分，扣完为止",
        )
        self.assertEqual(
            self.commitment(
                "cap_deduction",
                Decimal(30),
                source="derived",
                measure="direct_loss",
                params={"per_unit": "0.1"},
            ),
            "全年直接经济损失控制在 30 万元以内，每超 1 万元扣 0.1 分，扣完为止",
        )
        self.assertEqual(
            self.commitment("boolean", source="derived", measure="deaths", grades=[], industries=["fire"]),
            "全年火灾死亡人数为零，否则本项不得分",
        )

    def test_the_targets_own_params_win_over_the_indicators(self):
        indicator = make_indicator(rule="cap_deduction", params={"per_unit": "1"})
        target = Target(indicator=indicator, weight=10, target_value=Decimal(3), params={"per_unit": "3"})
        self.assertEqual(target.commitment, "全年死亡人数控制在 3 人以内，每超 1 人扣 3 分，扣完为止")

    def test_the_admins_wording_wins(self):
        self.assertEqual(
            self.commitment("cap_deduction", Decimal(7), wording="死亡不超过7人"), "死亡不超过7人"
        )

    def test_drafting_a_letter_reads_as_one_history_row(self):
        year = make_year(2026)
        make_unit(name="梁溪区", code="liangxi")
        make_indicator(code="A1", weights={"district": "60.00"})
        make_indicator(code="C2", weights={"district": "40.00"})
        services.create_letters(year, services.plan_letters(year))
        office = make_user(city_role=roles.OFFICE)
        self.client.force_login(office)
        page = self.client.get(ResponsibilityLetter.objects.get().get_absolute_url())
        rows = page.content.decode().count('<tr><td class="text-nowrap">')
        self.assertEqual(rows, 1)
        self.assertContains(page, "C2、A1")
