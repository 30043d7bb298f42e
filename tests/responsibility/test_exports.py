"""Table exports: what a unit typed never becomes a live formula in Excel, WPS or LibreOffice."""

import csv
import io

import openpyxl
from django.test import TestCase
from django.urls import reverse

from responsibility import roles
from responsibility.exports import neutralize
from tests.factories import make_unit, make_user

HOSTILE = '=HYPERLINK("http://example.com","x")'


class NeutralizeTests(TestCase):
    def test_each_formula_start_gets_an_apostrophe(self):
        for value in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
            with self.subTest(value=value):
                self.assertEqual(neutralize(value), "'" + value)

    def test_ordinary_values_are_untouched(self):
        for value in ["梁溪区", "A1", "12.00", 12, None, ""]:
            with self.subTest(value=value):
                self.assertEqual(neutralize(value), value)


class UnitExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_unit(name="梁溪区", code="liangxi", leader_name="王建国")
        make_unit(name=HOSTILE, code="evil", leader_name="@SUM(1+1)")
        cls.office = make_user(city_role=roles.OFFICE)

    def setUp(self):
        self.client.force_login(self.office)

    def export(self, fmt: str):
        response = self.client.get(reverse("responsibility:unit_list"), {"_export": fmt})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        return response

    def test_xlsx_writes_hostile_names_as_text(self):
        response = self.export("xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
        cell = rows["'" + HOSTILE][0]
        self.assertEqual(cell.data_type, "s")
        self.assertEqual(rows["'" + HOSTILE][4].value, "'@SUM(1+1)")
        self.assertEqual(rows["梁溪区"][4].value, "王建国")
        for row in sheet.iter_rows():
            for c in row:
                self.assertNotEqual(c.data_type, "f", f"formula cell {c.coordinate}: {c.value}")

    def test_csv_writes_hostile_names_as_text_with_a_bom_for_excel(self):
        response = self.export("csv")
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        self.assertEqual(rows[0][:3], ["单位名称", "代码", "类别"])
        names = [row[0] for row in rows[1:]]
        self.assertIn("'" + HOSTILE, names)
        self.assertIn("梁溪区", names)
        self.assertFalse(any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row))

    def test_export_follows_the_filters(self):
        response = self.client.get(reverse("responsibility:unit_list"), {"_export": "csv", "q": "梁溪"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
        self.assertEqual([row[0] for row in rows[1:]], ["梁溪区"])

    def test_catalog_and_people_export_too(self):
        for name in ["responsibility:indicator_list", "responsibility:person_list"]:
            with self.subTest(page=name):
                response = self.client.get(reverse(name), {"_export": "xlsx"})
                self.assertEqual(response.status_code, 200)
                openpyxl.load_workbook(io.BytesIO(response.content))
