"""The register's month-by-month 同比, grouped in SQL: known figures for a few accidents."""

from datetime import date

from django.db.models import Q
from django.test import TestCase

from assessment.accidents.figures import Period
from assessment.accidents.queries import month_summary
from assessment.models import Accident, AccidentGrade
from responsibility.models import UnitKind
from tests.assessment.factories import at, make_accident, make_exemption
from tests.factories import make_unit

CURRENT = Period(date(2026, 1, 1), date(2026, 6, 1))
PREVIOUS = Period(date(2025, 1, 1), date(2025, 6, 1))


class MonthSummaryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.liangxi = make_unit(name="梁溪区")
        cls.binhu = make_unit(name="滨湖区")
        cls.zhujian = make_unit(name="市住房城乡建设局", kind=UnitKind.DEPT_PROFESSIONAL)
        cls.jiaotong = make_unit(name="市交通运输局", kind=UnitKind.DEPT_PROFESSIONAL)
        liangxi = {"unit": cls.liangxi}
        make_accident(occurred_at=at(2026, 1, 10), deaths=1, **liangxi)
        exempted = make_accident(occurred_at=at(2026, 2, 20), deaths=1, **liangxi)
        make_exemption(exempted, cls.liangxi)
        # The last half hour of March and the first of April, in Asia/Shanghai (both 31 March in UTC).
        larger = make_accident(
            occurred_at=at(2026, 3, 31, 23, 30), deaths=3, departments=[cls.zhujian], **liangxi
        )
        assert larger.grade == AccidentGrade.LARGER
        make_accident(
            occurred_at=at(2026, 4, 1, 0, 30),
            deaths=0,
            concealed=True,
            unit=cls.binhu,
            departments=[cls.zhujian],
        )
        # Two departments: the unit filter's join meets it twice.
        make_accident(
            occurred_at=at(2026, 4, 15),
            deaths=2,
            falsely_reported=True,
            departments=[cls.zhujian, cls.jiaotong],
            **liangxi,
        )
        make_accident(occurred_at=at(2026, 6, 2), deaths=5, **liangxi)  # after the period's end
        make_accident(occurred_at=at(2025, 1, 5), deaths=1, unit=cls.binhu)
        make_accident(occurred_at=at(2025, 3, 15), deaths=2, **liangxi)
        make_accident(occurred_at=at(2025, 4, 2), deaths=0, **liangxi)
        make_accident(occurred_at=at(2025, 7, 1), deaths=1, **liangxi)  # after the previous period's end

    def summary(self, unit=None) -> dict:
        accidents = Accident.objects.all()
        if unit:  # as the register's unit filter does
            accidents = accidents.filter(Q(unit=unit) | Q(departments=unit)).distinct()
        return month_summary(accidents, unit, CURRENT, PREVIOUS)

    def months(self, summary: dict) -> list[tuple]:
        return [
            (row.month, row.count.current, row.count.previous, row.deaths.current, row.deaths.previous)
            for row in summary["month_rows"]
        ]

    def totals(self, summary: dict) -> tuple:
        count, deaths = summary["total_count"], summary["total_deaths"]
        return (
            count.current,
            count.previous,
            deaths.current,
            deaths.previous,
            summary["total_larger"],
            summary["total_concealed"],
        )

    def test_the_whole_city(self):
        summary = self.summary()
        self.assertEqual(
            self.months(summary),
            [
                (date(2026, 1, 1), 1, 1, 1, 1),
                (date(2026, 2, 1), 1, 0, 1, 0),  # the exemption is the unit's, not the city's
                (date(2026, 3, 1), 1, 1, 3, 2),
                (date(2026, 4, 1), 2, 1, 2, 0),
                (date(2026, 5, 1), 0, 0, 0, 0),
                (date(2026, 6, 1), 0, 0, 0, 0),
            ],
        )
        self.assertEqual(self.totals(summary), (5, 3, 7, 3, 1, 2))

    def test_a_unit_without_the_accident_it_is_exempted_from(self):
        summary = self.summary(self.liangxi)
        self.assertEqual(
            self.months(summary),
            [
                (date(2026, 1, 1), 1, 0, 1, 0),
                (date(2026, 2, 1), 0, 0, 0, 0),
                (date(2026, 3, 1), 1, 1, 3, 2),
                (date(2026, 4, 1), 1, 1, 2, 0),
                (date(2026, 5, 1), 0, 0, 0, 0),
                (date(2026, 6, 1), 0, 0, 0, 0),
            ],
        )
        self.assertEqual(self.totals(summary), (3, 2, 6, 2, 1, 1))

    def test_a_supervising_department(self):
        summary = self.summary(self.zhujian)
        self.assertEqual(
            [row[:4] for row in self.months(summary) if row[1] or row[2]],
            [(date(2026, 3, 1), 1, 0, 3), (date(2026, 4, 1), 2, 0, 2)],
        )
        self.assertEqual(self.totals(summary), (3, 0, 5, 0, 1, 2))

    def test_an_empty_period_has_no_months(self):
        empty = Period(date(2026, 1, 2), date(2026, 1, 1))
        summary = month_summary(Accident.objects.all(), None, empty, PREVIOUS)
        self.assertEqual(summary["month_rows"], [])
        self.assertEqual(self.totals(summary), (0, 3, 0, 3, 0, 0))

    def test_one_query(self):
        with self.assertNumQueries(1):
            self.summary(self.liangxi)
