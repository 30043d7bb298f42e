"""Uploaded scans and evidence are checked by content: the name and the browser's type are not trusted."""

import io
import zipfile
from unittest import mock

import openpyxl
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from PIL import Image
from pypdf import PdfWriter

from responsibility.forms import ChineseFormMixin
from responsibility.uploads import (
    EVIDENCE_KINDS,
    MAX_UPLOAD_BYTES,
    SCAN_KINDS,
    CheckedFileField,
    ScanField,
    check_upload,
    safe_name,
)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, format=fmt)
    return out.getvalue()


def office_zip(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for member in members:
            archive.writestr(member, "<xml/>")
    return out.getvalue()


PDF = pdf_bytes()
JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
DOCX = office_zip("word/document.xml", "word/styles.xml")
XLSX = office_zip("xl/workbook.xml", "xl/worksheets/sheet1.xml")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class AcceptedTests(SimpleTestCase):
    def test_real_pdf_jpeg_and_png_scans_are_accepted_with_their_kind(self):
        for name, content, kind in [
            ("责任书扫描件.pdf", PDF, "pdf"),
            ("签字页.jpg", JPEG, "jpeg"),
            ("签字页.JPEG", JPEG, "jpeg"),
            ("盖章页.png", PNG, "png"),
        ]:
            with self.subTest(name=name):
                self.assertEqual(check_upload(upload(name, content), kinds=SCAN_KINDS), kind)

    def test_docx_xlsx_and_old_office_are_accepted_as_evidence(self):
        for name, content, kind in [
            ("工作总结.docx", DOCX, "docx"),
            ("台账.xlsx", XLSX, "xlsx"),
            ("旧报告.doc", OLE, "ole"),
            ("旧台账.xls", OLE, "ole"),
            ("照片.png", PNG, "png"),
        ]:
            with self.subTest(name=name):
                self.assertEqual(check_upload(upload(name, content), kinds=EVIDENCE_KINDS), kind)

    def test_a_workbook_saved_by_openpyxl_is_an_xlsx(self):
        out = io.BytesIO()
        openpyxl.Workbook().save(out)
        self.assertEqual(check_upload(upload("季度台账.xlsx", out.getvalue()), kinds=EVIDENCE_KINDS), "xlsx")

    def test_the_file_position_is_zero_after_checking(self):
        for name, content in [("a.pdf", PDF), ("a.docx", DOCX), ("a.png", PNG)]:
            with self.subTest(name=name):
                file = upload(name, content)
                file.seek(7)
                check_upload(file, kinds=EVIDENCE_KINDS)
                self.assertEqual(file.tell(), 0)
                self.assertEqual(file.read(), content)

    def test_the_file_position_is_zero_after_a_refusal_too(self):
        file = upload("scan.pdf", EXE)
        file.seek(5)
        with self.assertRaises(ValidationError):
            check_upload(file, kinds=SCAN_KINDS)
        self.assertEqual(file.tell(), 0)


class RefusedTests(SimpleTestCase):
    def assertRefused(self, file, kinds=SCAN_KINDS, **kwargs) -> str:
        with self.assertRaises(ValidationError) as caught:
            check_upload(file, kinds=kinds, **kwargs)
        return caught.exception.messages[0]

    def test_an_exe_renamed_to_pdf_is_refused(self):
        message = self.assertRefused(upload("scan.pdf", EXE))
        self.assertEqual(message, "「scan.pdf」不是 PDF、JPEG 或 PNG 文件，请上传签字盖章后的扫描件或照片。")

    def test_an_exe_keeps_its_name_in_the_message(self):
        message = self.assertRefused(upload("扫描件.exe", EXE))
        self.assertEqual(
            message, "「扫描件.exe」不是 PDF、JPEG 或 PNG 文件，请上传签字盖章后的扫描件或照片。"
        )

    def test_a_png_named_pdf_is_refused_because_the_extension_does_not_match(self):
        message = self.assertRefused(upload("scan.pdf", PNG))
        self.assertIn("「scan.pdf」的文件扩展名与内容不符", message)
        self.assertIn("PNG", message)
        self.assertIn(".png", message)

    def test_a_jpeg_named_png_is_refused_and_told_both_jpeg_extensions(self):
        message = self.assertRefused(upload("photo.png", JPEG))
        self.assertIn("文件扩展名与内容不符", message)
        self.assertIn(".jpg 或 .jpeg", message)

    def test_a_name_without_extension_is_refused(self):
        message = self.assertRefused(upload("scan", PDF))
        self.assertIn("文件扩展名与内容不符", message)

    def test_docx_and_xlsx_are_refused_as_scans(self):
        for name, content in [("责任书.docx", DOCX), ("责任书.xlsx", XLSX), ("责任书.doc", OLE)]:
            with self.subTest(name=name):
                message = self.assertRefused(upload(name, content))
                self.assertIn(f"「{name}」不是 PDF、JPEG 或 PNG 文件", message)

    def test_a_zip_that_is_not_an_office_document_is_refused_as_evidence(self):
        message = self.assertRefused(upload("材料.docx", office_zip("readme.txt")), kinds=EVIDENCE_KINDS)
        self.assertIn(
            "「材料.docx」不是 PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx）或 doc/xls（旧版 Office）文件",
            message,
        )
        self.assertIn("佐证材料", message)

    def test_a_broken_zip_is_refused_not_crashed_on(self):
        message = self.assertRefused(upload("材料.docx", b"PK\x03\x04" + b"\x00" * 40), kinds=EVIDENCE_KINDS)
        self.assertIn("不是", message)

    def test_a_text_file_with_pdf_marker_later_on_is_refused(self):
        message = self.assertRefused(upload("说明.pdf", b"hello\n%PDF-1.7\n%%EOF\n"))
        self.assertIn("「说明.pdf」不是 PDF、JPEG 或 PNG 文件", message)

    def test_an_empty_file_is_refused(self):
        self.assertEqual(self.assertRefused(upload("空.pdf", b"")), "「空.pdf」是空文件。")

    def test_a_file_over_the_limit_is_refused(self):
        message = self.assertRefused(upload("a.pdf", PDF[:11]), max_bytes=10)
        self.assertEqual(message, "「a.pdf」有 11 字节，超过 10 字节的上限。")

    def test_a_file_at_the_limit_is_accepted(self):
        self.assertEqual(check_upload(upload("a.pdf", PDF), kinds=SCAN_KINDS, max_bytes=len(PDF)), "pdf")

    def test_the_size_message_is_in_megabytes(self):
        file = upload("大文件.pdf", PDF)
        file.size = 25 * 1024 * 1024 + 300 * 1024
        message = self.assertRefused(file)
        self.assertEqual(message, "「大文件.pdf」有 25.3 MB，超过 20 MB 的上限。")

    def test_the_size_is_taken_from_size_not_by_reading_the_file(self):
        file = upload("大文件.pdf", PDF)
        file.file = mock.Mock(wraps=io.BytesIO(PDF))
        with mock.patch.object(file, "size", 25 * 1024 * 1024):
            message = self.assertRefused(file)
        self.assertEqual(message, "「大文件.pdf」有 25 MB，超过 20 MB 的上限。")
        file.file.read.assert_not_called()

    def test_only_the_first_bytes_are_read(self):
        content = PDF + b"\n" * (1024 * 1024)
        file = upload("大.pdf", content)
        file.file = mock.Mock(wraps=io.BytesIO(content))
        self.assertEqual(check_upload(file, kinds=SCAN_KINDS), "pdf")
        sizes = [call.args[0] for call in file.file.read.call_args_list]
        self.assertTrue(sizes and all(0 < size <= 8 for size in sizes), sizes)

    def test_just_over_the_limit_never_reads_as_the_limit(self):
        file = upload("a.pdf", PDF)
        file.size = MAX_UPLOAD_BYTES + 1
        self.assertIn("有 20.1 MB", self.assertRefused(file))

    def test_custom_kinds_without_a_hint_end_with_a_full_stop(self):
        message = self.assertRefused(upload("a.pdf", EXE), kinds=("pdf",))
        self.assertEqual(message, "「a.pdf」不是 PDF 文件。")

    def test_unknown_kinds_are_a_programming_error(self):
        with self.assertRaises(ValueError):
            check_upload(upload("a.gif", b"GIF89a"), kinds=("gif",))


class SafeNameTests(SimpleTestCase):
    TRICKS = [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "C:\\x\\a.pdf",
        "/var/www/../a.pdf",
        "a\x00.pdf",
        "a\r\n\t.pdf",
        "scan\u202efdp.exe",
        "..",
        "../",
        "....pdf",
    ]

    def test_path_tricks_become_a_bare_name(self):
        self.assertEqual(safe_name("../../etc/passwd.pdf"), "passwd.pdf")
        self.assertEqual(safe_name("C:\\x\\a.pdf"), "a.pdf")
        self.assertEqual(safe_name("a\x00.pdf"), "a.pdf")
        self.assertEqual(safe_name("scan\u202efdp.exe"), "scanfdp.exe")
        self.assertEqual(safe_name(".."), "未命名文件")
        self.assertEqual(safe_name(None), "未命名文件")

    def test_no_trick_survives(self):
        for name in self.TRICKS:
            with self.subTest(name=name):
                shown = safe_name(name)
                self.assertTrue(shown)
                for bad in ("/", "\\", "..", "\x00", "\r", "\n", "\u202e"):
                    self.assertNotIn(bad, shown)

    def test_long_names_are_cut_to_100_characters_keeping_the_extension(self):
        shown = safe_name("很" * 300 + ".pdf")
        self.assertEqual(len(shown), 100)
        self.assertTrue(shown.endswith("….pdf"))

    def test_ordinary_names_are_untouched(self):
        self.assertEqual(safe_name("梁溪区 2026 责任书（盖章）.pdf"), "梁溪区 2026 责任书（盖章）.pdf")

    def test_messages_show_the_safe_name(self):
        for name in self.TRICKS:
            with self.subTest(name=name):
                # django.core.files.base.File keeps the name as given, as an unsanitised source would.
                file = File(io.BytesIO(EXE), name=name)
                with self.assertRaises(ValidationError) as caught:
                    check_upload(file, kinds=SCAN_KINDS)
                message = caught.exception.messages[0]
                self.assertIn(f"「{safe_name(name)}」", message)
                for bad in ("/", "\\", "..", "\x00", "\u202e"):
                    self.assertNotIn(bad, message)

    def test_a_real_pdf_behind_a_path_trick_is_judged_by_its_bare_name(self):
        self.assertEqual(
            check_upload(File(io.BytesIO(PDF), name="../../etc/scan.pdf"), kinds=SCAN_KINDS), "pdf"
        )


class ScanForm(ChineseFormMixin, forms.Form):
    scan = ScanField(label="签字盖章扫描件")


class EvidenceForm(forms.Form):
    evidence = CheckedFileField(label="佐证材料", kinds=EVIDENCE_KINDS, required=False)


class FieldTests(SimpleTestCase):
    def test_a_missing_file_is_refused_in_chinese(self):
        form = ScanForm(data={}, files={})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["scan"], ["请选择要上传的文件。"])

    def test_a_scan_is_accepted_and_its_kind_recorded(self):
        form = ScanForm(data={}, files={"scan": upload("责任书.pdf", PDF)})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["scan"].checked_kind, "pdf")
        self.assertEqual(form.cleaned_data["scan"].tell(), 0)

    def test_a_wrong_file_gets_the_check_message(self):
        form = ScanForm(data={}, files={"scan": upload("scan.pdf", EXE)})
        self.assertFalse(form.is_valid())
        self.assertEqual(
            form.errors["scan"], ["「scan.pdf」不是 PDF、JPEG 或 PNG 文件，请上传签字盖章后的扫描件或照片。"]
        )

    def test_an_empty_file_is_refused_with_its_name(self):
        form = ScanForm(data={}, files={"scan": upload("空.pdf", b"")})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["scan"], ["「空.pdf」是空文件。"])

    def test_max_bytes_reaches_the_check(self):
        field = ScanField(max_bytes=10)
        with self.assertRaises(ValidationError) as caught:
            field.clean(upload("a.pdf", PDF))
        self.assertIn("超过 10 字节的上限", caught.exception.messages[0])

    def test_something_that_is_not_a_file_is_refused_in_chinese(self):
        form = ScanForm(data={}, files={"scan": "not a file"})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["scan"], ["没有收到文件，请重新选择文件后提交。"])

    def test_accept_lists_extensions_and_mime_types(self):
        accept = ScanField().widget.attrs["accept"].split(",")
        self.assertEqual(
            accept, [".pdf", "application/pdf", ".jpg", ".jpeg", "image/jpeg", ".png", "image/png"]
        )
        evidence = EvidenceForm().fields["evidence"].widget.attrs["accept"]
        for value in (".docx", ".xlsx", ".doc", ".xls", "application/vnd.ms-excel"):
            self.assertIn(value, evidence.split(","))

    def test_evidence_field_accepts_docx_and_is_optional(self):
        form = EvidenceForm(data={}, files={"evidence": upload("总结.docx", DOCX)})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["evidence"].checked_kind, "docx")
        self.assertTrue(EvidenceForm(data={}, files={}).is_valid())

    def test_an_existing_file_is_not_checked_again(self):
        existing = File(io.BytesIO(b""), name="old.pdf")
        self.assertIs(CheckedFileField(kinds=SCAN_KINDS).clean(None, existing), existing)
