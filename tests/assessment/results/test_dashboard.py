"""The leaders' 驾驶舱: the city's year so far against the same period of last year."""

from datetime import date

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.results.dashboard import TREND_YEARS, dashboard, double_decrease_run
from responsibility import roles
from tests.assessment.factories import at, make_accident
from tests.assessment.results.test_assess import add_assessed_units, make_catalog
from tests.factories import make_unit, make_user, make_year


class RunTests(TestCase):
    def test_the_run_counts_consecutive_years_of_both_fewer_accidents_and_deaths(self):
        trend = [{"count": c, "deaths": d} for c, d in [(50, 60), (40, 70), (35, 50), (30, 45), (28, 40)]]
        self.assertEqual(double_decrease_run(trend), 3)
        trend.append({"count": 29, "deaths": 30})  # more accidents: the run breaks
        self.assertEqual(double_decrease_run(trend), 0)


@time_machine.travel(date(2026, 6, 30))
class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_year(2025)
        cls.year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi")
        # Same period last year: 3 accidents, 5 deaths. This year so far: 2 accidents, 6 deaths.
        for day, deaths in [(date(2025, 2, 1), 1), (date(2025, 3, 1), 1), (date(2025, 5, 1), 3)]:
            make_accident(
                unit=cls.liangxi,
                occurred_at=at(day.year, day.month, day.day),
                deaths=deaths,
                title=f"旧{day}",
            )
        make_accident(
            unit=cls.liangxi, occurred_at=at(2025, 9, 1), deaths=9, title="去年下半年"
        )  # outside the same period
        make_accident(unit=cls.liangxi, occurred_at=at(2026, 2, 1), deaths=2, title="今年一")
        cls.serious = make_accident(unit=cls.liangxi, occurred_at=at(2026, 4, 1), deaths=4, title="今年较大")
        cls.leader = make_user(city_role=roles.LEADER)

    def test_fewer_accidents_but_more_deaths_is_no_double_decrease(self):
        d = dashboard(self.year, today=date(2026, 6, 30))
        self.assertEqual((d["count"].now, d["count"].before, d["count"].down), (2, 3, True))
        self.assertEqual((d["deaths"].now, d["deaths"].before, d["deaths"].down), (6, 5, False))
        self.assertEqual(d["serious"], [self.serious])
        self.assertEqual([m["month"] for m in d["months"]], [2, 3, 4, 5])
        # From the first year with an accident (2025: nothing before it is plotted as 0), up to this
        # year to date.
        self.assertEqual(
            d["trend"],
            [
                {"year": 2025, "label": "2025年", "count": 4, "deaths": 14, "partial": False},
                {"year": 2026, "label": "2026年（截至6月30日）", "count": 2, "deaths": 6, "partial": True},
            ],
        )

    def test_the_trend_is_ten_years_ending_with_this_year_to_date_and_keeps_gaps_after_the_start(self):
        make_accident(unit=self.liangxi, occurred_at=at(2012, 5, 1), deaths=1, title="很久以前")
        make_accident(unit=self.liangxi, occurred_at=at(2019, 5, 1), deaths=2, title="2019")
        make_accident(
            unit=self.liangxi, occurred_at=at(2026, 7, 1), deaths=5, title="明天以后"
        )  # after today
        trend = dashboard(self.year, today=date(2026, 6, 30))["trend"]
        self.assertEqual(len(trend), TREND_YEARS)
        self.assertEqual([t["year"] for t in trend], list(range(2017, 2027)))
        by_year = {t["year"]: t for t in trend}
        self.assertEqual((by_year[2018]["count"], by_year[2018]["label"]), (0, "2018年"))  # a year with none
        self.assertEqual((by_year[2026]["count"], by_year[2026]["deaths"]), (2, 6))  # to date only

        Accident = type(self.serious)
        Accident.objects.filter(occurred_at__year__lt=2025).delete()
        trend = dashboard(self.year, today=date(2026, 6, 30))["trend"]
        self.assertEqual([t["year"] for t in trend], [2025, 2026])

    def test_a_partial_year_does_not_count_in_the_double_decrease_run(self):
        # 2026 to date has fewer accidents and deaths than 2025's whole year, but the year is not over.
        d = dashboard(self.year, today=date(2026, 6, 30))
        self.assertLess(d["trend"][-1]["count"], d["trend"][-2]["count"])
        self.assertEqual(d["run"], 0)

    def test_the_page_for_leaders(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:dashboard"))
        self.assertContains(response, "✗ 未实现")
        self.assertContains(response, "今年较大")
        self.assertContains(response, "vendor/echarts/echarts.common.min.js")
        self.assertContains(response, 'id="dashboard-data"')
        # the data the chart draws: years from the first with data, this year to date last
        labels = [t["label"] for t in response.context["charts"]["trend"]]
        self.assertEqual(labels, ["2025年", "2026年（截至6月30日）"])

    def test_units_cannot_open_it(self):
        self.client.force_login(make_user(unit=self.liangxi))
        self.assertEqual(self.client.get(reverse("assessment:dashboard")).status_code, 403)

    def test_queries_do_not_grow_with_units_or_accidents(self):
        self.client.force_login(self.leader)

        def count():
            self.client.get(reverse("assessment:dashboard"))  # the changes kept (an eager refresh here)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(reverse("assessment:dashboard")).status_code, 200)
            return len(queries)

        make_catalog()
        add_assessed_units(self.year, 10, 1)
        ten = count()
        add_assessed_units(self.year, 290, 11)  # 300 assessed units, each with a 较大 accident
        self.assertEqual(count(), ten)
        # The frame 3 and the year; whether the year is final (its snapshot, then shown instead);
        # the kept assessment 2 (its state with the marks waiting, the rows); the figures and
        # charts 9. Nothing is computed: before the kept assessment the page computed the city's
        # assessment in it, 25 queries.
        self.assertEqual(ten, 16)
