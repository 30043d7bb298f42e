"""The one findings summary: for the whole city, per unit (home) and per inspection (its list)."""

from datetime import date

from django.test import TestCase

from assessment.home import queries as home
from assessment.inspections.queries import finding_counts, findings_summary, with_finding_counts
from assessment.models import Finding, FindingStatus, Inspection, ListingLevel
from responsibility import roles
from tests.factories import make_unit, make_user, make_year

TODAY = date(2026, 6, 1)
PAST, FUTURE = date(2026, 5, 1), date(2026, 7, 1)


class FindingCountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        year = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", sort_order=1)
        cls.xishan = make_unit(name="锡山区", sort_order=2)
        cls.member = make_user(unit=cls.liangxi)
        make_user(unit=cls.liangxi)  # a second member: the memberships join must not count twice
        cls.inspector = make_user(city_role=roles.INSPECTOR)
        cls.first = Inspection.objects.create(year=year, date=date(2026, 4, 1), team="第一组")
        cls.second = Inspection.objects.create(year=year, date=date(2026, 4, 2), team="第二组")
        cls.empty = Inspection.objects.create(year=year, date=date(2026, 4, 3), team="第三组")

        def finding(inspection, unit, deadline, status=FindingStatus.OPEN, **fields):
            Finding.objects.create(
                inspection=inspection, unit=unit, problem="问题", deadline=deadline, status=status, **fields
            )

        finding(cls.first, cls.liangxi, PAST)  # open, overdue
        finding(cls.first, cls.liangxi, FUTURE)  # open
        finding(cls.first, cls.xishan, PAST, FindingStatus.SUBMITTED)  # submitted, overdue
        finding(cls.second, cls.liangxi, PAST, FindingStatus.VERIFIED)  # done: never overdue
        major = {"major_hazard": True, "listing_level": ListingLevel.CITY}
        finding(cls.second, cls.xishan, FUTURE, FindingStatus.VERIFIED, **major)  # to close
        finding(cls.second, cls.xishan, PAST, FindingStatus.CLOSED, **major)

    def test_the_summary_of_all_findings(self):
        self.assertEqual(
            findings_summary(Finding.objects.all(), TODAY),
            {"total": 6, "pending": 3, "open": 2, "overdue": 2, "submitted": 1, "to_close": 1},
        )
        self.assertEqual(home.findings_waiting(TODAY), findings_summary(Finding.objects.all(), TODAY))

    def test_per_unit_of_a_member(self):
        self.assertEqual(
            home.my_findings(self.member, TODAY),
            [
                {
                    "unit_id": self.liangxi.pk,
                    "unit__name": "梁溪区",
                    "total": 3,
                    "pending": 2,
                    "open": 2,
                    "overdue": 1,
                    "submitted": 0,
                    "to_close": 0,
                }
            ],
        )

    def counted(self, user) -> dict:
        inspections = with_finding_counts(Inspection.objects.all(), user, TODAY)
        return {
            i.team: (i.finding_count, i.open_count, i.overdue_count) for i in inspections.order_by("date")
        }

    def test_per_inspection_for_the_city(self):
        self.assertEqual(
            self.counted(self.inspector), {"第一组": (3, 3, 2), "第二组": (3, 0, 0), "第三组": (0, 0, 0)}
        )

    def test_per_inspection_for_a_member_counts_its_own_units_only(self):
        self.assertEqual(
            self.counted(self.member), {"第一组": (2, 2, 1), "第二组": (1, 0, 0), "第三组": (0, 0, 0)}
        )

    def test_the_counts_through_a_relation_name_the_same_things(self):
        self.assertEqual(set(finding_counts(TODAY, through="findings__")), set(finding_counts(TODAY)))
