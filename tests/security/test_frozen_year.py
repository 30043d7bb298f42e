"""A finalized year is frozen everywhere its pages or exports show it: every column of its ranking,
较上季度 included, comes from the 定稿 snapshot. The probe found 较上季度 moving on a published year
when an accident was added afterwards."""

import io
from datetime import date

import openpyxl
import time_machine
from django.test import TestCase
from django.urls import reverse

from assessment.results import finalizing
from responsibility import roles
from tests.assessment.factories import at, make_accident
from tests.assessment.results.test_ranking_pages import HOSTILE, make_quarter_year
from tests.factories import make_office_user, make_user


@time_machine.travel(date(2027, 2, 1))
class FrozenYearTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year, cls.units = make_quarter_year()
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)
        finalizing.finalize(cls.year, user=cls.office)
        finalizing.publish(cls.year, user=cls.office)

    def setUp(self):
        self.client.force_login(self.leader)

    def columns(self) -> tuple[dict, list]:
        params = {"year": 2026, "group": "territory"}
        page = self.client.get(reverse("assessment:ranking"), params)
        on_page = {
            row["name"]: (row["rank"], row["score"], row["quarter_change"])
            for row in page.context["table"].data
        }
        sheet = self.client.get(reverse("assessment:ranking"), params | {"_export": "xlsx"})
        rows = list(
            openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(values_only=True)
        )
        return on_page, rows

    def test_an_accident_added_after_the_year_is_final_moves_nothing(self):
        before = self.columns()
        self.assertEqual(before[0]["梁溪区"][2], "▼1")  # 2nd at the end of Q3, 3rd in the final ranking
        # A 较大 accident in August, entered after 定稿: the live Q3 ranking would now put the
        # hostile-named unit last at the end of Q3.
        make_accident(unit=self.units["evil"], occurred_at=at(2026, 8, 12), deaths=3)
        self.assertEqual(self.columns(), before)
        self.assertEqual(before[0][HOSTILE][2], "—")

    def test_the_dashboard_of_a_final_year_shows_its_snapshot(self):
        # In February 2027 the latest year, 2026, is the 驾驶舱's: final, its panels from the snapshot.
        def panels():
            response = self.client.get(reverse("assessment:dashboard"))
            self.assertEqual(response.context["year"].year, 2026)
            return response.context["d"]["groups"]

        before = panels()
        make_accident(unit=self.units["evil"], occurred_at=at(2026, 8, 12), deaths=3)
        self.assertEqual(panels(), before)
