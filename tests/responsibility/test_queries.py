"""Query counts of every list and detail page, pinned: the same for 10 and for 100 units."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility import roles
from responsibility.models import UnitKind
from tests.factories import make_indicator, make_unit, make_user, make_year

KINDS = UnitKind.values


def add_units(n: int, start: int = 0) -> None:
    """n more units of every kind, each with a reporter, and an indicator for every kind."""
    for i in range(start, start + n):
        unit = make_unit(name=f"单位{i:03d}", code=f"u{i:03d}", kind=KINDS[i % len(KINDS)])
        make_user(unit=unit)
        make_indicator(code=f"Q{i:03d}", weights={KINDS[i % len(KINDS)]: "1.00"})


class PageQueryCountTests(TestCase):
    """Each page's count is pinned; counted again after growing from 10 to 100 units."""

    # page → (url, expected queries for the office user). Every page pays 3 for the frame:
    # session, user (with whether it has memberships: none, so the navigation asks nothing), and
    # permissions with the group names (tests/responsibility/test_frame_queries.py).
    PAGES = {
        # frame; the current year; catalog totals, kinds in use, units without people,
        # pending passwords; reports waiting for review; this month's accidents; units per group;
        # letters signed per group; the user's own units; findings waiting for the inspectors
        "home": ("home", 3 + 11),
        # frame; count; page of units
        "unit_list": ("responsibility:unit_list", 3 + 2),
        # frame; unit filter choices; count; page of people; their memberships; their groups
        "person_list": ("responsibility:person_list", 3 + 5),
        # frame; count; page of years
        "year_list": ("responsibility:year_list", 3 + 2),
        # frame; weight totals; count; page of indicators
        "indicator_list": ("responsibility:indicator_list", 3 + 3),
        # frame; the indicators; the number of units of the kind
        "indicator_weights": ("responsibility:indicator_weights", 3 + 2),
    }

    @classmethod
    def setUpTestData(cls):
        make_year(2026)
        cls.office = make_user(city_role=roles.OFFICE)
        add_units(10)

    def count(self, url_name: str) -> int:
        kwargs = {"kind": "district"} if url_name.endswith("weights") else None
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse(url_name, kwargs=kwargs))
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_counts_are_pinned_and_do_not_grow_with_units(self):
        self.client.force_login(self.office)
        small = {page: self.count(url) for page, (url, _) in self.PAGES.items()}
        add_units(90, start=10)
        large = {page: self.count(url) for page, (url, _) in self.PAGES.items()}
        expected = {page: n for page, (_, n) in self.PAGES.items()}
        self.assertEqual(small, expected)
        self.assertEqual(large, expected)

    def test_unit_and_person_pages_do_not_grow_with_members(self):
        self.client.force_login(self.office)
        unit = make_unit(name="梁溪区", code="liangxi")
        person = make_user(unit=unit)
        urls = [
            reverse("responsibility:unit_detail", args=[unit.pk]),
            reverse("responsibility:person_detail", args=[person.pk]),
        ]

        def counts():
            result = []
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                result.append(len(queries))
            return result

        before = counts()
        for _ in range(20):
            make_user(unit=unit)
        self.client.post(
            reverse("responsibility:unit_edit", args=[unit.pk]),
            {"name": "梁溪区", "kind": "district", "leader_name": "甲", "sort_order": 1},
        )
        self.assertEqual(counts(), before)

    def test_a_reporter_sees_the_unit_list_in_the_same_number_of_queries(self):
        unit = make_unit(name="梁溪区", code="liangxi")
        reporter = make_user(unit=unit)
        self.client.force_login(reporter)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("responsibility:unit_list"))
        first = len(queries)
        add_units(20, start=200)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("responsibility:unit_list"))
        self.assertEqual(len(queries), first)
