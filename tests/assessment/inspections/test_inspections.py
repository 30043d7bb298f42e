"""Inspections and findings: recording, every rectification step, overdue dates, uploads."""

from datetime import date

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import TestCase

from assessment.inspections import services
from assessment.inspections.forms import FindingForm, RectifyForm
from assessment.models import (
    Finding,
    FindingFile,
    FindingStatus,
    Inspection,
    InspectionKind,
    Notification,
    NotificationKind,
)
from responsibility import roles
from responsibility.models import Unit
from tests.factories import make_unit, make_user, make_year

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00photo"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PDF = b"%PDF-1.4\n%evidence\n"
DOCX = b"PK\x03\x04 not really a document"


def upload(name: str, content: bytes, kind: str):
    """An upload as the forms hand it to the services: checked by content, with a safe name."""
    file = SimpleUploadedFile(name, content)
    file.checked_kind, file.safe_name = kind, name
    return file


def finding_input(unit, **fields) -> services.FindingInput:
    fields.setdefault("problem", "消防通道被占用，安全出口上锁")
    fields.setdefault("deadline", date(2026, 9, 30))
    return services.FindingInput(unit=unit, **fields)


def record(by, units, findings, **fields) -> Inspection:
    fields.setdefault("kind", InspectionKind.INSPECTION)
    fields.setdefault("date", date(2026, 6, 12))
    fields.setdefault("team", "第二督查组 张伟（组长）、赵磊")
    return services.record_inspection(by=by, units=units, findings=findings, **fields)


class InspectionTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", sort_order=2)
        cls.reporter = make_user(unit=cls.liangxi, email="tb@liangxi.gov.cn", name="孙丽")
        cls.head = make_user(unit=cls.liangxi, unit_role="head", email="fz@liangxi.gov.cn")
        cls.xishan_reporter = make_user(unit=cls.xishan, email="")
        cls.inspector = make_user(city_role=roles.INSPECTOR, name="钱立")
        cls.office = make_user(city_role=roles.OFFICE, name="赵安平")

    def make_finding(self, unit=None, **fields) -> Finding:
        inspection = record(
            self.inspector, [unit or self.liangxi], [finding_input(unit or self.liangxi, **fields)]
        )
        return inspection.findings.get()

    def submit(self, finding, **fields):
        fields.setdefault("text", "已清理消防通道，安全出口恢复畅通")
        fields.setdefault("files", [upload("整改后.jpg", JPEG, "jpeg")])
        fields.setdefault("version", Finding.objects.get(pk=finding.pk).version)
        return services.report_rectification(finding, by=self.reporter, **fields)

    def version(self, finding) -> int:
        return Finding.objects.get(pk=finding.pk).version


class RecordInspectionTests(InspectionTestCase):
    def test_an_inspection_is_recorded_with_its_findings_and_photos(self):
        inspection = record(
            self.inspector,
            [self.liangxi, self.xishan],
            [
                finding_input(
                    self.liangxi, photos=[upload("现场1.jpg", JPEG, "jpeg"), upload("现场2.png", PNG, "png")]
                ),
                finding_input(
                    self.xishan, problem="危化品仓库超量储存", major_hazard=True, listing_level="city"
                ),
            ],
            summary="  重点检查消防和危化品  ",
        )
        self.assertEqual((inspection.year, inspection.created_by), (self.year, self.inspector))
        self.assertEqual(inspection.summary, "重点检查消防和危化品")
        self.assertEqual(set(inspection.units.all()), {self.liangxi, self.xishan})
        ordinary, hazard = inspection.findings.order_by("pk")
        self.assertEqual([f.name for f in ordinary.files.all()], ["现场1.jpg", "现场2.png"])
        self.assertEqual({f.purpose for f in ordinary.files.all()}, {FindingFile.PHOTO})
        self.assertEqual(
            (hazard.major_hazard, hazard.listing_level, hazard.status_label),
            (True, "city", "挂牌督办，整改中"),
        )
        self.assertEqual(ordinary.status_label, "待整改")
        self.assertEqual(ordinary.history.get().history_user, self.inspector)

    def test_the_units_reporters_and_heads_are_notified_once_and_emailed_after_the_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            inspection = record(
                self.inspector,
                [self.liangxi, self.xishan],
                [finding_input(self.liangxi), finding_input(self.xishan)],
            )
        liangxi_finding, xishan_finding = inspection.findings.order_by("pk")
        keys = set(Notification.objects.values_list("key", flat=True))
        self.assertEqual(
            keys,
            {
                f"finding_new:{liangxi_finding.pk}:{self.reporter.pk}",
                f"finding_new:{liangxi_finding.pk}:{self.head.pk}",
                f"finding_new:{xishan_finding.pk}:{self.xishan_reporter.pk}",
            },
        )
        notice = Notification.objects.get(recipient=self.reporter)
        self.assertEqual(notice.kind, NotificationKind.FINDING_NEW)
        self.assertEqual(notice.link, liangxi_finding.get_absolute_url())
        self.assertIn("请于2026-09-30前整改", notice.title)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["fz@liangxi.gov.cn", "tb@liangxi.gov.cn"])
        self.assertIn("消防通道被占用", mail.outbox[0].body)

    def test_a_major_hazard_notice_names_its_listing(self):
        self.make_finding(
            major_hazard=True, listing_level="district", problem="粉尘涉爆除尘系统未设置泄爆装置"
        )
        notice = Notification.objects.filter(recipient=self.reporter).get()
        self.assertIn("重大事故隐患（区级挂牌督办）", notice.text)

    def test_inactive_people_are_not_notified(self):
        self.head.is_active = False
        self.head.save(update_fields=["is_active"])
        self.make_finding()
        self.assertEqual(list(Notification.objects.values_list("recipient", flat=True)), [self.reporter.pk])

    def test_an_inspection_without_findings_notifies_nobody(self):
        record(self.inspector, [self.liangxi], [])
        self.assertFalse(Notification.objects.exists())

    def test_without_a_year_for_the_date_nothing_is_written(self):
        with self.assertRaises(ValidationError) as raised:
            record(self.inspector, [self.liangxi], [finding_input(self.liangxi)], date=date(2031, 3, 1))
        self.assertIn("还没有2031年度", raised.exception.message_dict["date"][0])
        self.assertFalse(Inspection.objects.exists())

    def test_the_year_is_the_one_whose_accident_window_holds_the_date(self):
        make_year(2027, accident_window_start=date(2026, 12, 1), accident_window_end=date(2027, 11, 30))
        self.year.accident_window_end = date(2026, 11, 30)
        self.year.save(update_fields=["accident_window_end"])
        self.assertEqual(services.year_for(date(2026, 12, 10)).year, 2027)
        self.assertEqual(services.year_for(date(2026, 11, 30)).year, 2026)

    def test_the_database_refuses_an_unlisted_major_hazard_and_closing_an_ordinary_one(self):
        finding = self.make_finding()
        for fields in ({"major_hazard": True, "listing_level": ""}, {"status": FindingStatus.CLOSED}):
            with self.subTest(fields=fields), self.assertRaises(IntegrityError), transaction.atomic():
                Finding.objects.filter(pk=finding.pk).update(**fields)


class RectificationTests(InspectionTestCase):
    def test_the_unit_reports_its_rectification_with_evidence(self):
        finding = self.make_finding()
        submitted = self.submit(finding)
        finding.refresh_from_db()
        self.assertEqual(finding.status, FindingStatus.SUBMITTED)
        self.assertEqual(finding.status_label, "已报整改，待核查")
        self.assertEqual((finding.rectified_by, finding.version), (self.reporter, 2))
        self.assertIsNotNone(finding.rectified_at)
        self.assertEqual(submitted.rectification, "已清理消防通道，安全出口恢复畅通")
        evidence = finding.files.get(purpose=FindingFile.EVIDENCE)
        self.assertEqual(
            (evidence.name, evidence.kind, evidence.uploaded_by), ("整改后.jpg", "jpeg", self.reporter)
        )

    def test_a_rectification_needs_words_and_evidence(self):
        finding = self.make_finding()
        with self.assertRaises(ValidationError) as raised:
            self.submit(finding, text="  ")
        self.assertIn("请填写整改情况", raised.exception.message_dict["rectification"][0])
        with self.assertRaises(ValidationError) as raised:
            self.submit(finding, files=[])
        self.assertIn("请上传整改佐证材料", raised.exception.message_dict["files"][0])
        self.assertEqual(Finding.objects.get(pk=finding.pk).status, FindingStatus.OPEN)

    def test_the_inspector_verifies_it(self):
        finding = self.make_finding()
        self.submit(finding)
        services.verify_finding(finding, by=self.inspector, version=self.version(finding))
        finding.refresh_from_db()
        self.assertEqual(
            (finding.status, finding.verified_by, finding.status_label),
            ("verified", self.inspector, "已核查"),
        )
        self.assertTrue(finding.done)
        self.assertIsNotNone(finding.verified_at)

    def test_only_a_submitted_rectification_can_be_verified_or_rejected(self):
        finding = self.make_finding()
        with self.assertRaisesMessage(ValidationError, "这条问题当前为“待整改”，不能核查。"):
            services.verify_finding(finding, by=self.inspector, version=self.version(finding))
        with self.assertRaisesMessage(ValidationError, "不能退回"):
            services.reject_rectification(
                finding, by=self.inspector, reason="不够", version=self.version(finding)
            )
        self.submit(finding)
        with self.assertRaisesMessage(ValidationError, "不能报送整改"):
            self.submit(finding)

    def test_a_rejection_needs_a_reason_that_the_unit_reads_and_is_told_about(self):
        finding = self.make_finding()
        self.submit(finding)
        with self.assertRaises(ValidationError) as raised:
            services.reject_rectification(
                finding, by=self.inspector, reason=" ", version=self.version(finding)
            )
        self.assertIn("退回时请填写退回理由", raised.exception.message_dict["reason"][0])
        Notification.objects.all().delete()
        with self.captureOnCommitCallbacks(execute=True):
            services.reject_rectification(
                finding, by=self.inspector, reason="安全出口仍有杂物堆放", version=self.version(finding)
            )
        finding.refresh_from_db()
        self.assertEqual(
            (finding.status, finding.rejection_reason), (FindingStatus.OPEN, "安全出口仍有杂物堆放")
        )
        self.assertEqual(
            set(Notification.objects.values_list("key", flat=True)),
            {f"finding_rejected:{finding.pk}:{finding.version}:{u.pk}" for u in (self.reporter, self.head)},
        )
        self.assertEqual(Notification.objects.first().kind, NotificationKind.FINDING_REJECTED)
        self.assertIn("退回理由：安全出口仍有杂物堆放", mail.outbox[0].body)

    def test_after_a_rejection_the_unit_reports_again_and_each_rejection_is_its_own_notice(self):
        finding = self.make_finding()
        self.submit(finding)
        services.reject_rectification(
            finding, by=self.inspector, reason="证据不足", version=self.version(finding)
        )
        # The evidence already given counts: the second report may bring words only.
        self.submit(finding, text="已补充整改台账", files=[])
        finding.refresh_from_db()
        self.assertEqual((finding.status, finding.rejection_reason), (FindingStatus.SUBMITTED, ""))
        services.reject_rectification(
            finding, by=self.inspector, reason="仍不足", version=self.version(finding)
        )
        self.assertEqual(Notification.objects.filter(kind=NotificationKind.FINDING_REJECTED).count(), 4)

    def test_a_major_hazard_goes_from_listing_to_acceptance_to_closing(self):
        finding = self.make_finding(major_hazard=True, listing_level="city")
        labels = [Finding.objects.get(pk=finding.pk).status_label]
        self.submit(finding)
        labels.append(Finding.objects.get(pk=finding.pk).status_label)
        with self.assertRaisesMessage(ValidationError, "不能销号"):
            services.close_hazard(finding, by=self.office, version=self.version(finding))
        services.verify_finding(finding, by=self.inspector, version=self.version(finding))
        labels.append(Finding.objects.get(pk=finding.pk).status_label)
        services.close_hazard(finding, by=self.office, version=self.version(finding))
        finding.refresh_from_db()
        labels.append(finding.status_label)
        self.assertEqual(labels, ["挂牌督办，整改中", "申请验收", "验收通过，待销号", "已销号"])
        self.assertIsNotNone(finding.closed_at)
        self.assertEqual(finding.history.first().history_user, self.office)

    def test_an_ordinary_finding_is_never_closed(self):
        finding = self.make_finding()
        self.submit(finding)
        services.verify_finding(finding, by=self.inspector, version=self.version(finding))
        with self.assertRaisesMessage(ValidationError, "只有重大事故隐患需要销号"):
            services.close_hazard(finding, by=self.office, version=self.version(finding))


class ConflictTests(InspectionTestCase):
    def test_a_stale_page_writes_nothing_and_says_who_acted(self):
        finding = self.make_finding()
        page_version = self.version(finding)
        self.submit(finding, version=page_version)
        with self.assertRaises(services.StaleFindingError) as raised:
            services.report_rectification(
                finding,
                by=self.head,
                text="另一份整改说明",
                files=[upload("a.pdf", PDF, "pdf")],
                version=page_version,
            )
        message = raised.exception.messages[0]
        self.assertIn("孙丽已于", message)
        self.assertIn("现为“已报整改，待核查”", message)
        self.assertIn("您填写的内容仍保留着", message)
        finding.refresh_from_db()
        self.assertEqual(finding.rectification, "已清理消防通道，安全出口恢复畅通")
        self.assertEqual(finding.files.filter(purpose=FindingFile.EVIDENCE).count(), 1)

    def test_two_inspectors_at_once_the_second_is_refused(self):
        finding = self.make_finding()
        self.submit(finding)
        page_version = self.version(finding)
        services.verify_finding(finding, by=self.inspector, version=page_version)
        with self.assertRaises(services.StaleFindingError):
            services.reject_rectification(finding, by=self.office, reason="不合格", version=page_version)
        self.assertEqual(Finding.objects.get(pk=finding.pk).status, FindingStatus.VERIFIED)
        self.assertFalse(Notification.objects.filter(kind=NotificationKind.FINDING_REJECTED).exists())

    def test_a_missing_version_is_a_conflict(self):
        finding = self.make_finding()
        with self.assertRaises(services.StaleFindingError):
            services.verify_finding(finding, by=self.inspector, version=None)


class OverdueTests(InspectionTestCase):
    def test_a_finding_is_overdue_the_day_after_its_deadline_until_it_is_verified(self):
        finding = self.make_finding(deadline=date(2026, 9, 30))
        overdue_ids = lambda today: list(Finding.objects.overdue(today).values_list("pk", flat=True))  # noqa: E731
        with time_machine.travel(date(2026, 9, 30)):
            self.assertFalse(Finding.objects.get(pk=finding.pk).is_overdue())
            self.assertEqual(overdue_ids(date(2026, 9, 30)), [])
        with time_machine.travel(date(2026, 10, 1)):
            self.assertTrue(Finding.objects.get(pk=finding.pk).is_overdue())
            self.assertEqual(overdue_ids(date(2026, 10, 1)), [finding.pk])
            self.submit(finding)  # reported, not yet checked: still overdue
            self.assertTrue(Finding.objects.get(pk=finding.pk).is_overdue())
            services.verify_finding(finding, by=self.inspector, version=self.version(finding))
            self.assertFalse(Finding.objects.get(pk=finding.pk).is_overdue())
            self.assertEqual(overdue_ids(date(2026, 10, 1)), [])

    def test_a_verified_major_hazard_waiting_to_be_closed_is_not_overdue(self):
        finding = self.make_finding(deadline=date(2026, 9, 30), major_hazard=True, listing_level="city")
        self.submit(finding)
        services.verify_finding(finding, by=self.inspector, version=self.version(finding))
        with time_machine.travel(date(2026, 12, 1)):
            self.assertFalse(Finding.objects.get(pk=finding.pk).is_overdue())


class ReviseInspectionTests(InspectionTestCase):
    def revise(self, inspection, findings, **fields):
        fields = {
            "kind": inspection.kind,
            "date": inspection.date,
            "team": inspection.team,
            "units": list(inspection.units.all()),
            "summary": inspection.summary,
        } | fields
        return services.revise_inspection(inspection, by=self.office, findings=findings, **fields)

    def stored_input(self, finding, **fields):
        values = {"problem": finding.problem, "deadline": finding.deadline} | fields
        unit = values.pop("unit", finding.unit)
        return finding_input(unit, pk=finding.pk, version=self.version(finding), **values)

    def test_findings_are_changed_added_and_removed_while_none_is_rectified(self):
        inspection = record(
            self.inspector,
            [self.liangxi],
            [
                finding_input(self.liangxi, photos=[upload("错拍.jpg", JPEG, "jpeg")]),
                finding_input(self.liangxi, problem="删除我"),
            ],
        )
        kept, removed = inspection.findings.order_by("pk")
        Notification.objects.all().delete()
        photo = kept.files.get()
        self.revise(
            inspection,
            [
                self.stored_input(
                    kept,
                    deadline=date(2026, 10, 31),
                    remove_photos=[photo.pk],
                    photos=[upload("现场.png", PNG, "png")],
                ),
                self.stored_input(removed, delete=True),
                finding_input(self.xishan, problem="新增问题"),
            ],
            team="第二督查组（调整）",
            units=[self.liangxi, self.xishan],
        )
        inspection.refresh_from_db()
        self.assertEqual(inspection.team, "第二督查组（调整）")
        kept.refresh_from_db()
        self.assertEqual((kept.deadline, kept.version), (date(2026, 10, 31), 2))
        self.assertEqual([f.name for f in kept.files.all()], ["现场.png"])
        self.assertFalse(Finding.objects.filter(pk=removed.pk).exists())
        added = inspection.findings.get(unit=self.xishan)
        self.assertEqual(
            list(Notification.objects.values_list("key", flat=True)),
            [f"finding_new:{added.pk}:{self.xishan_reporter.pk}"],
        )
        self.assertEqual(kept.history.first().history_user, self.office)

    def test_moving_a_finding_to_another_unit_notifies_that_unit(self):
        inspection = record(self.inspector, [self.liangxi], [finding_input(self.liangxi)])
        finding = inspection.findings.get()
        self.revise(inspection, [self.stored_input(finding, unit=self.xishan)])
        self.assertTrue(
            Notification.objects.filter(key=f"finding_new:{finding.pk}:{self.xishan_reporter.pk}").exists()
        )

    def test_once_a_finding_is_reported_the_inspection_is_not_revised(self):
        inspection = record(self.inspector, [self.liangxi], [finding_input(self.liangxi)])
        finding = inspection.findings.get()
        self.assertTrue(services.editable(inspection))
        self.submit(finding)
        self.assertFalse(services.editable(inspection))
        with self.assertRaisesMessage(ValidationError, "已有单位报送了整改情况"):
            self.revise(inspection, [], team="改")
        # Rejected and open again, it was still reported once: the record stays as it was.
        services.reject_rectification(
            finding, by=self.inspector, reason="不足", version=self.version(finding)
        )
        self.assertFalse(services.editable(inspection))

    def test_a_finding_changed_by_someone_else_meanwhile_is_a_conflict(self):
        inspection = record(self.inspector, [self.liangxi], [finding_input(self.liangxi)])
        finding = inspection.findings.get()
        stale = self.stored_input(finding, deadline=date(2026, 12, 31))
        self.revise(inspection, [self.stored_input(finding, deadline=date(2026, 10, 31))])
        with self.assertRaises(services.StaleFindingError):
            self.revise(inspection, [stale])
        self.assertEqual(Finding.objects.get(pk=finding.pk).deadline, date(2026, 10, 31))


class UploadTests(TestCase):
    """Photos and evidence are checked by what they contain (responsibility.uploads), not by their names."""

    units = None

    def finding_form(self, photos):
        unit = Unit(pk=1, name="梁溪区")
        data = {"unit": "1", "problem": "问题", "deadline": "2026-09-30"}
        return FindingForm(data, {"photos": photos}, units={1: unit})

    def test_photos_are_jpeg_or_png_by_content(self):
        good = self.finding_form([SimpleUploadedFile("现场.jpg", JPEG), SimpleUploadedFile("现场.png", PNG)])
        self.assertTrue(good.is_valid(), good.errors)
        self.assertEqual([p.checked_kind for p in good.cleaned_data["photos"]], ["jpeg", "png"])
        for name, content, message in (
            ("报告.pdf", PDF, "「报告.pdf」不是 JPEG 或 PNG 文件，请上传 JPEG 或 PNG 格式的现场照片。"),
            ("假照片.jpg", PDF, "「假照片.jpg」不是 JPEG 或 PNG 文件"),
            ("改名.png", JPEG, "「改名.png」的文件扩展名与内容不符"),
            ("空.jpg", b"", "「空.jpg」是空文件。"),
        ):
            with self.subTest(name=name):
                form = self.finding_form([SimpleUploadedFile(name, content)])
                self.assertFalse(form.is_valid())
                self.assertIn(message, form.errors["photos"][0])

    def test_evidence_is_pdf_jpeg_or_png_by_content(self):
        def form(*files):
            return RectifyForm({"rectification": "已整改", "version": "1"}, {"files": list(files)})

        good = form(SimpleUploadedFile("整改报告.pdf", PDF), SimpleUploadedFile("整改后.jpg", JPEG))
        self.assertTrue(good.is_valid(), good.errors)
        bad = form(SimpleUploadedFile("整改报告.docx", DOCX))
        self.assertFalse(bad.is_valid())
        self.assertIn(
            "不是 PDF、JPEG 或 PNG 文件，请上传 PDF 或照片（JPEG/PNG）格式的整改佐证材料。",
            bad.errors["files"][0],
        )

    def test_at_most_ten_files_at_once(self):
        form = RectifyForm(
            {"rectification": "已整改", "version": "1"},
            {"files": [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(11)]},
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["files"], ["一次最多上传 10 个文件（选择了 11 个）。"])

    def test_a_major_hazard_needs_its_listing_level_and_the_deadline_follows_the_inspection(self):
        unit = Unit(pk=1, name="梁溪区")
        form = FindingForm(
            {"unit": "1", "problem": "问题", "deadline": "2026-06-01", "major_hazard": "on"},
            units={1: unit},
            inspection_date=date(2026, 6, 12),
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["listing_level"], ["重大事故隐患须选择挂牌督办级别。"])
        self.assertEqual(form.errors["deadline"], ["整改期限不能早于督查日期（2026-06-12）。"])

    def test_an_unknown_unit_is_refused(self):
        form = FindingForm({"unit": "99", "problem": "问题", "deadline": "2026-09-30"}, units={})
        self.assertFalse(form.is_valid())
        self.assertIn("unit", form.errors)
