"""Formula injection: no spreadsheet the product hands out lets a typed text become a live formula.

The exports are found, not listed: every URL of the access table is fetched as it is and with
?_export=xlsx and ?_export=csv, by the 安委办 (who sees every unit) and by a unit's reporter (whose
pages are the report template and the failed-rows file), and every answer that is a spreadsheet is
read back with openpyxl or csv. In each, a cell whose text would start a formula must have been
written as text with a leading apostrophe, and no cell may be a formula. The walk must find the
exports we know of, so that a page whose export stopped working cannot pass by having none.
"""

import csv
import io
from unittest import mock

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from assessment.accidents.workbook import IMPORT_COLUMNS, IMPORT_SHEET
from assessment.reports import workbook as report_import
from responsibility import documents
from responsibility.exports import CONTENT_TYPES
from tests.test_access import EXPECTATIONS, RoleSessions

from .hostile import FORMULA_STARTS, FORMULAS, HostileCity, script
from .test_uploads_tricks import workbook

XLSX, CSV = CONTENT_TYPES["xlsx"], CONTENT_TYPES["csv"]

# What the walk must find: (url name, how it is asked for).
KNOWN_EXPORTS = {
    *(
        (name, fmt)
        for name in [
            "responsibility:unit_list",
            "responsibility:indicator_list",
            "responsibility:letter_list",
            "responsibility:person_list",
            "assessment:review_queue",
            "assessment:ranking",
            "assessment:adjustment_list",
            "assessment:accident_list",
            "assessment:inspection_list",
            "assessment:finding_list",
            "assessment:circular_list",
            "assessment:circular_receipts",
        ]
        for fmt in ("xlsx", "csv")
    ),
    ("assessment:quarter_overview", "xlsx"),
    ("assessment:report_template", "download"),
    ("assessment:report_import_failed", "download"),
    ("assessment:accident_import_template", "download"),
    ("assessment:data_export_download", "download"),
}


def sheets(download: tuple[str, bytes]) -> dict[str, list[list]]:
    """{sheet title: rows of cells} of an .xlsx, or {"csv": rows of cells} of a CSV."""
    content_type, content = download
    if content_type == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(content))
        return {sheet.title: [list(row) for row in sheet.iter_rows()] for sheet in book.worksheets}
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "the CSV has no BOM: Excel would read the Chinese as mojibake"
    return {"csv": [[Cell(value) for value in row] for row in csv.reader(io.StringIO(text[1:]))]}


class Cell:
    """A CSV field with the two attributes of an openpyxl cell that the checks read."""

    data_type = "s"

    def __init__(self, value: str):
        self.value = value
        self.coordinate = "?"


FAILED_ROWS = "assessment:report_import_failed"


def is_spreadsheet(response) -> bool:
    return response.status_code == 200 and response["Content-Type"] in (XLSX, CSV)


@time_machine.travel("2026-11-28 10:00 +0800")
class ExportInjectionTests(HostileCity, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The walk keeps spreadsheets only: the three PDF pages (asked for as they are, with
        # ?_export=xlsx and with ?_export=csv) get a stand-in for WeasyPrint's second per PDF.
        # A PDF page that answered with a spreadsheet would still be caught: that answer would
        # not come from html_to_pdf. test_escaping's PdfEscapingTests read the real PDFs.
        with mock.patch.object(documents, "html_to_pdf", return_value=b"%PDF-1.7 not rendered"):
            cls.exports = cls.walk(Client())

    @classmethod
    def walk(cls, client) -> dict[tuple[str, str], tuple[str, bytes]]:
        """Every spreadsheet a URL hands out, by (url name, "download" | "xlsx" | "csv"), fetched by
        the first of the 安委办 and 梁溪区's reporter who may open the page."""
        sessions = RoleSessions(client, cls.users)
        found = {}
        for name, (kwargs, get_codes, _) in EXPECTATIONS.items():
            role = next((r for r in ("office", "reporter_a") if get_codes[r] == 200), None)
            if name == FAILED_ROWS:
                role = "reporter_a"  # only the unit's reporter can upload the rows it lists
            if role is None:
                continue
            url = reverse(name, kwargs=kwargs(cls) if kwargs else None)
            plain = cls.fetch(sessions, role, url, {}, failed_rows=name == FAILED_ROWS)
            if is_spreadsheet(plain):
                found[(name, "download")] = (plain["Content-Type"], plain.getvalue())  # a file streams
                continue
            for fmt in ("xlsx", "csv"):
                response = cls.fetch(sessions, role, url, {"_export": fmt}, failed_rows=False)
                if is_spreadsheet(response):
                    found[(name, fmt)] = (response["Content-Type"], response.content)
        return found

    @classmethod
    def fetch(cls, sessions: RoleSessions, role: str, url: str, params: dict, *, failed_rows: bool):
        sessions.use(role)
        client = sessions.client
        with transaction.atomic():
            if failed_rows:
                # The failed rows are found by the token of the upload's preview.
                params = params | {"token": cls.upload_failing_rows(client)}
            response = client.get(url, params)
            transaction.set_rollback(True)
        return response

    @classmethod
    def upload_failing_rows(cls, client):
        """Rows the quarter's import refuses, with hostile text, for the failed-rows download."""
        rows = [["ZZ9", "x", "", None, "abc", formula] for formula in FORMULAS]
        rows.append(["T1", "", "", None, "=1+1", script(1)])
        data = workbook(report_import.HEADERS, rows, title=report_import.SHEET)
        url = reverse("assessment:report_import", args=[cls.unit_a.pk, 2026, 3])
        response = client.post(url, {"file": SimpleUploadedFile("填报.xlsx", data)})
        assert response.status_code == 200, response.status_code
        return response.context["token"]

    # --- the tests -----------------------------------------------------------------------

    def test_the_walk_finds_every_export_we_know_of(self):
        self.assertEqual(sorted(KNOWN_EXPORTS - set(self.exports)), [])

    def test_no_cell_of_any_export_is_a_formula_or_starts_like_one(self):
        offending = [
            f"{name} ({how}) {title}!{cell.coordinate}: {cell.value!r}"
            for (name, how), download in self.exports.items()
            for title, rows in sheets(download).items()
            for row in rows
            for cell in row
            if cell.data_type == "f"
            or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS))
        ]
        self.assertEqual(offending, [])

    def test_every_export_carries_the_hostile_text_neutralised(self):
        # Each export shows at least one of the hostile texts, with its apostrophe: the walk above
        # is not vacuous.
        for (name, how), response in self.exports.items():
            texts = [
                cell.value
                for rows in sheets(response).values()
                for row in rows
                for cell in row
                if isinstance(cell.value, str)
            ]
            with self.subTest(url=name, how=how):
                self.assertTrue(
                    any(text.startswith("'") and text[1:].startswith(FORMULA_STARTS) for text in texts),
                    f"no neutralised hostile text in {name} ({how}): {texts[:40]}",
                )

    def test_each_formula_start_is_neutralised_in_the_unit_list(self):
        response = self.exports[("responsibility:unit_list", "xlsx")]
        cells = {cell.value for row in sheets(response)["责任单位"] for cell in row}
        for text in [FORMULAS[0] + script(1), FORMULAS[1], FORMULAS[2], FORMULAS[3], FORMULAS[4]]:
            self.assertIn("'" + text, cells)

    def test_the_ranking_detail_sheet_is_neutralised_too(self):
        detail = sheets(self.exports[("assessment:ranking", "xlsx")])["明细"]
        cells = [cell.value for row in detail for cell in row]
        self.assertIn("'" + FORMULAS[3], cells)  # the third district's name
        self.assertIn("'" + FORMULAS[4] + script(3), cells)  # the indicator's name

    def test_script_tags_are_plain_text_in_spreadsheets(self):
        for how in ("xlsx", "csv"):
            with self.subTest(how=how):
                response = self.exports[("responsibility:unit_list", how)]
                cells = [cell.value for rows in sheets(response).values() for row in rows for cell in row]
                self.assertIn(script(2), cells)  # as typed: not stripped, not HTML-escaped
                self.assertFalse(any("&lt;" in str(value) or "<span" in str(value) for value in cells))

    def test_a_unit_picked_from_the_accident_templates_list_imports(self):
        # The template lists "'@SUM(A1)" for the district named "@SUM(A1)": the import takes it.
        names = sheets(self.exports[("assessment:accident_import_template", "download")])["单位名称"]
        listed = [row[0].value for row in names[1:]]
        self.assertIn("'" + FORMULAS[3], listed)
        row = ["2026-09-01 10:00", "某地", "某事故", "建筑施工", "'" + FORMULAS[3], "", 1, 0, 10]
        data = workbook([header for header, _ in IMPORT_COLUMNS], [row], title=IMPORT_SHEET)
        self.client.force_login(self.users["office"])
        response = self.client.post(
            reverse("assessment:accident_import"), {"file": SimpleUploadedFile("事故.xlsx", data)}
        )
        preview = response.context["preview"]
        self.assertEqual([r.errors for r in preview.rows], [[]])
        self.assertEqual(preview.rows[0].data["unit"], self.unit_c.pk)
