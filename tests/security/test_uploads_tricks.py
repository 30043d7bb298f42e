"""Every upload field of the product, sent hostile files through a real multipart request.

The fields: the signed letter's scan, a quarter's evidence, the Excel imports of a quarter and of
accidents, an inspection's photos and a finding's rectification evidence. Each refuses, in Chinese
at the field and with nothing stored: a wrong type, an executable renamed .pdf/.jpg/.xlsx, an empty
file and a file over its limit. Names with path tricks (../, ..\\, NUL, 300 characters, markup) are
either refused or the file is stored under a generated name inside the private media folder: the
storage root is a fresh folder for this class, compared before and after each request, and so is
the folder Django spools large uploads to.

The bodies are written by hand (`multipart`), because the test client would strip the folders from
a name before the server ever saw it.
"""

import io
import re
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import time_machine
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse

from assessment.accidents import workbook as accident_workbook
from assessment.models import Accident, Evidence, Finding, FindingFile, Inspection, Report
from assessment.reports import workbook as report_workbook
from assessment.reports.workbook import HEADERS as REPORT_HEADERS
from responsibility import roles
from responsibility.models import LetterStatus, ResponsibilityLetter
from responsibility.uploads import MAX_UPLOAD_BYTES, safe_name
from tests.assessment.inspections.test_inspection_pages import create_data
from tests.factories import make_indicator, make_letter, make_target, make_unit, make_user, make_year
from tests.responsibility.test_uploads import DOCX, EXE, JPEG, PDF, PNG

TODAY = date(2026, 10, 5)  # the third quarter is open for filing (deadline 10 October)
BOUNDARY = "----WuxiSecurityBoundary7MA4YWxkTrZu0gW"
SCRIPT_PAGE = b"<html><body><script>alert(1)</script></body></html>"
STORED_NAME = re.compile(r"^(v\d+-)?[0-9a-f]{32}\.(pdf|jpg|jpeg|png)$")  # letter scans: v<version>-


def multipart(fields: dict, files: list[tuple[str, bytes | str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body with the file names exactly as given (bytes pass through raw)."""
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
    for field, filename, content in files:
        raw = filename if isinstance(filename, bytes) else filename.encode()
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
            + raw
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}"


def workbook(header, rows, *, title: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb(sheet: str, inflated_bytes: int) -> bytes:
    """A small .xlsx whose worksheet inflates to `inflated_bytes` (spaces compress ~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", f'<workbook><sheets><sheet name="{sheet}"/></sheets></workbook>')
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * inflated_bytes + b"</worksheet>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是 Office 文档")
    return buffer.getvalue()


def padded(head: bytes, size: int) -> bytes:
    """`head` (a real file's first bytes) made up to `size` bytes."""
    return head + b"\0" * (size - len(head))


class Field:
    """One upload field: where it is posted, by whom, with which other fields, and what it accepts."""

    def __init__(
        self, key, *, url, user, field, data, good, good_name, limit, stores, wrong, limit_text, refused=200
    ):
        self.key, self.url, self.user, self.field, self.data = key, url, user, field, data
        self.good, self.good_name, self.limit, self.stores = good, good_name, limit, stores
        self.wrong, self.limit_text = wrong, limit_text
        self.refused = refused  # the status of a refused file: an import's file is all the input (400)


@time_machine.travel(TODAY)
class UploadFieldTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = Path(tempfile.mkdtemp(prefix="wuxi-uploads-"))
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        cls.media, cls.spool = cls.root / "private", cls.root / "spool"
        cls.media.mkdir()
        cls.spool.mkdir()
        cls.enterClassContext(
            override_settings(
                MEDIA_ROOT=cls.media,
                FILE_UPLOAD_TEMP_DIR=cls.spool,
                STORAGES={
                    "default": {
                        "BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": cls.media},
                    },
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                },
            )
        )
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", sort_order=2)
        cls.reporter = make_user(unit=cls.liangxi)
        cls.xishan_reporter = make_user(unit=cls.xishan)
        cls.inspector = make_user(city_role=roles.INSPECTOR)
        cls.office = make_user(city_role=roles.OFFICE)
        indicator = make_indicator(code="C2", name="专项整治", weights={"district": "100.00"})
        # 梁溪区's letter waits for its signature; 锡山区's is signed and its third quarter open.
        cls.letter = make_letter(
            year, cls.liangxi, status=LetterStatus.ISSUED, seq=1, indicators=[indicator], weight=100
        )
        cls.target = make_target(make_letter(year, cls.xishan, seq=2), indicator, weight=100)
        inspection = Inspection.objects.create(year=year, date=date(2026, 9, 1), team="第一督查组")
        inspection.units.set([cls.liangxi])
        cls.finding = Finding.objects.create(
            inspection=inspection, unit=cls.liangxi, problem="消防通道被占用", deadline=date(2026, 10, 30)
        )

    def fields(self) -> list[Field]:
        prefix = f"t{self.target.pk}"
        report_xlsx = workbook(REPORT_HEADERS, [["C2", "专项整治", "", None, 70, "已完成"]], title="季度填报")
        accident_xlsx = workbook(
            [header for header, _ in accident_workbook.IMPORT_COLUMNS],
            [["2026-09-01 10:00", "梁溪区某工地", "某工地高处坠落事故", "建筑施工", "梁溪区", "", 1, 0, 50]],
            title=accident_workbook.IMPORT_SHEET,
        )
        scan_kinds = "不是 PDF、JPEG 或 PNG 文件"
        twenty = ("超过 20 MB 的上限", MAX_UPLOAD_BYTES)
        return [
            Field(
                "letter scan",
                url=reverse("responsibility:letter_sign", args=[self.letter.pk]),
                user=self.reporter,
                field="scan",
                data={"signer_name": "王建国", "signed_on": "2026-02-10"},
                good=PDF,
                good_name="签字页.pdf",
                limit=twenty[1],
                limit_text=twenty[0],
                stores=lambda: ResponsibilityLetter.objects.get(pk=self.letter.pk).scan.name,
                wrong={"a Word file": ("责任书.docx", DOCX, scan_kinds)},
            ),
            Field(
                "report evidence",
                url=reverse("assessment:report_entry", args=[self.xishan.pk, 2026, 3]),
                user=self.xishan_reporter,
                field=f"{prefix}-files",
                data={
                    f"{prefix}-value": "70",
                    f"{prefix}-progress": "完成",
                    f"{prefix}-version": "",
                    "save": "1",
                },
                good=PDF,
                good_name="台账.pdf",
                limit=twenty[1],
                limit_text=twenty[0],
                stores=lambda: list(Evidence.objects.values_list("file", flat=True)),
                wrong={"a zip that is no Office file": ("材料.docx", plain_zip(), "不是 PDF、JPEG、PNG")},
            ),
            Field(
                "report import",
                url=reverse("assessment:report_import", args=[self.xishan.pk, 2026, 3]),
                user=self.xishan_reporter,
                field="file",
                data={},
                good=report_xlsx,
                good_name="填报.xlsx",
                limit=report_workbook.MAX_IMPORT_BYTES,
                limit_text="超过 1 MB 的上限",
                refused=400,
                stores=lambda: list(Report.objects.values_list("pk", flat=True)),
                wrong={"a PDF": ("填报.pdf", PDF, "不是 Excel（.xlsx）文件")},
            ),
            Field(
                "accident import",
                url=reverse("assessment:accident_import"),
                user=self.office,
                field="file",
                data={},
                good=accident_xlsx,
                good_name="事故.xlsx",
                limit=accident_workbook.MAX_IMPORT_BYTES,
                limit_text="超过 5 MB 的上限",
                refused=400,
                stores=lambda: list(Accident.objects.values_list("pk", flat=True)),
                wrong={"a Word file": ("事故.docx", DOCX, "不是 Excel（.xlsx）文件")},
            ),
            Field(
                "inspection photos",
                url=reverse("assessment:inspection_create"),
                user=self.inspector,
                field="findings-0-photos",
                data=create_data(
                    date="2026-10-01",
                    units=[str(self.liangxi.pk)],
                    **{
                        "findings-0-unit": str(self.liangxi.pk),
                        "findings-0-problem": "配电箱未上锁",
                        "findings-0-deadline": "2026-10-30",
                    },
                ),
                good=JPEG,
                good_name="现场.jpg",
                limit=twenty[1],
                limit_text=twenty[0],
                stores=lambda: list(FindingFile.objects.values_list("file", flat=True)),
                wrong={"a PDF": ("现场.pdf", PDF, "不是 JPEG 或 PNG 文件")},
            ),
            Field(
                "rectification evidence",
                url=reverse("assessment:finding_rectify", args=[self.finding.pk]),
                user=self.reporter,
                field="files",
                data={"rectification": "已清理通道", "version": str(self.finding.version)},
                good=PNG,
                good_name="整改后.png",
                limit=twenty[1],
                limit_text=twenty[0],
                stores=lambda: list(FindingFile.objects.values_list("file", flat=True)),
                wrong={"a Word file": ("整改.docx", DOCX, scan_kinds)},
            ),
        ]

    # --- helpers -----------------------------------------------------------------------

    def files_on_disk(self) -> set[str]:
        return {str(path.relative_to(self.root)) for path in self.root.rglob("*") if path.is_file()}

    def send(self, field: Field, filename, content: bytes):
        """POST `content` as `filename` in `field`, in a transaction rolled back afterwards (files
        written to disk stay, to be inspected). Returns the response, what the field's rows were
        before and after, and the files that appeared on disk."""
        before_disk = self.files_on_disk()
        with transaction.atomic():
            self.client.force_login(field.user)
            before = field.stores()
            body, content_type = multipart(field.data, [(field.field, filename, content)])
            response = self.client.post(field.url, body, content_type=content_type)
            after = field.stores()
            transaction.set_rollback(True)
        self.assertEqual(list(self.spool.iterdir()), [], "a spooled upload was left behind")
        return response, before, after, self.files_on_disk() - before_disk

    def assertRefused(self, field: Field, filename, content: bytes, message: str):
        response, before, after, new_files = self.send(field, filename, content)
        self.assertEqual(response.status_code, field.refused)
        self.assertEqual(before, after, "a refused upload was saved")
        self.assertEqual(new_files, set(), "a refused upload was written to disk")
        shown = response.content.decode()
        self.assertIn(message, shown)
        self.assertRegex(shown, r'class="[^"]*(invalid-feedback|alert-danger)')  # at the field, or above it
        return shown

    # --- the tests -----------------------------------------------------------------------

    def test_a_good_file_is_accepted_by_every_field(self):
        # The control: the refusals below are about the files, not about the rest of the form.
        for field in self.fields():
            with self.subTest(field.key):
                response, before, after, _ = self.send(field, field.good_name, field.good)
                if field.key.endswith("import"):
                    self.assertContains(response, "确认导入")
                else:
                    self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
                    self.assertNotEqual(before, after)

    def test_executables_renamed_to_the_accepted_extensions_are_refused(self):
        for field in self.fields():
            for name in ["扫描件.pdf", "现场.jpg", "盖章页.png", "台账.xlsx", "说明.docx"]:
                with self.subTest(field.key, name=name):
                    self.assertRefused(field, name, EXE, f"「{name}」不是")

    def test_a_web_page_with_a_script_named_as_an_accepted_file_is_refused(self):
        for field in self.fields():
            name = "x" + Path(field.good_name).suffix
            with self.subTest(field.key):
                self.assertRefused(field, name, SCRIPT_PAGE, f"「{name}」不是")

    def test_a_wrong_type_is_refused(self):
        for field in self.fields():
            for case, (name, content, message) in field.wrong.items():
                with self.subTest(field.key, case=case):
                    self.assertRefused(field, name, content, message)

    def test_a_good_file_under_the_wrong_extension_is_refused(self):
        for field in self.fields():
            name = "改了扩展名.png" if field.good is not PNG else "改了扩展名.jpg"
            with self.subTest(field.key):
                shown = self.assertRefused(field, name, field.good, "不")
                self.assertTrue("扩展名与内容不符" in shown or f"「{name}」不是" in shown)

    def test_an_empty_file_is_refused(self):
        for field in self.fields():
            with self.subTest(field.key):
                self.assertRefused(field, field.good_name, b"", f"「{field.good_name}」是空文件。")

    def test_a_file_one_byte_over_the_limit_is_refused_and_one_at_the_limit_is_not_refused_for_size(self):
        for field in self.fields():
            with self.subTest(field.key):
                self.assertRefused(
                    field, field.good_name, padded(field.good, field.limit + 1), field.limit_text
                )
                response, *_ = self.send(field, field.good_name, padded(field.good, field.limit))
                self.assertNotContains(response, "的上限", status_code=response.status_code)

    def test_an_excel_file_that_inflates_far_past_its_size_is_refused_before_it_is_read(self):
        for field in self.fields():
            if not field.key.endswith("import"):
                continue
            sheet = "季度填报" if field.key == "report import" else accident_workbook.IMPORT_SHEET
            with self.subTest(field.key):
                self.assertRefused(field, "炸弹.xlsx", zip_bomb(sheet, 60 * 1024 * 1024), "解压后过大")

    def test_path_tricks_in_names_never_reach_the_disk(self):
        tricks = [
            "../../etc/passwd{ext}",
            "..\\..\\windows\\x{ext}",
            "/var/www/static/x{ext}",
            "%2e%2e%2f%2e%2e%2fx{ext}",
            "scan\u202efdp{ext}",
            "很" * 300 + "{ext}",
        ]
        for field in self.fields():
            ext = Path(field.good_name).suffix
            names = [trick.format(ext=ext) for trick in tricks] + [b"a\x00b" + ext.encode()]
            for name in names:
                with self.subTest(field.key, name=name[:40]):
                    response, _, after, new_files = self.send(field, name, field.good)
                    self.assertIn(response.status_code, (200, 302))
                    for path in new_files:
                        self.assertTrue(path.startswith("private/"), path)
                        self.assertRegex(Path(path).name, STORED_NAME)
                    if field.key.endswith("import"):
                        self.assertEqual(new_files, set())
                    shown = response.content.decode()
                    for bad in ("../", "..\\", "/etc/", "\x00", "\u202e"):
                        self.assertNotIn(bad, shown)

    def test_stored_files_keep_a_safe_display_name_and_a_generated_path(self):
        cases = [
            ("../../etc/passwd.pdf", "passwd.pdf"),
            ("很" * 300 + ".pdf", safe_name("很" * 300 + ".pdf")),
            ("scan\u202efdp.pdf", "scanfdp.pdf"),
        ]
        field = next(f for f in self.fields() if f.key == "report evidence")
        for name, shown in cases:
            with self.subTest(name=name[:40]), transaction.atomic():
                self.client.force_login(field.user)
                body, content_type = multipart(field.data, [(field.field, name, PDF)])
                self.client.post(field.url, body, content_type=content_type)
                evidence = Evidence.objects.get()
                self.assertEqual(evidence.name, shown)
                self.assertLessEqual(len(evidence.name), 100)
                self.assertRegex(evidence.file.name, r"^evidence/2026/q3/xishan/[0-9a-f]{32}\.pdf$")
                self.assertTrue((self.media / evidence.file.name).is_file())
                transaction.set_rollback(True)

    def test_markup_in_a_name_is_shown_as_text(self):
        name = "<img src=x onerror=alert(1)>.pdf"
        for field in self.fields():
            with self.subTest(field.key):
                shown = self.assertRefused(field, name, EXE, "不是")
                self.assertNotIn("<img src=x", shown)
                self.assertIn("&lt;img src=x onerror=alert(1)&gt;.pdf", shown)
