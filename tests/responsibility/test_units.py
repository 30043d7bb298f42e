"""The city's order of units, in SQL and in Python, from one definition; the sets of unit kinds."""

from django.test import SimpleTestCase, TestCase

from responsibility.models import (
    DEPARTMENT_KINDS,
    ENTERPRISE_KINDS,
    GROUP_OF_KIND,
    SUPERVISING_KINDS,
    TERRITORIAL_KINDS,
    Membership,
    Unit,
    UnitGroup,
    UnitKind,
    city_order,
    city_order_key,
)
from tests.factories import make_unit, make_user


class CityOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Created out of order: an enterprise first, sort orders that disagree with the kinds.
        cls.enterprise = make_unit(name="市国资集团", kind=UnitKind.ENTERPRISE, sort_order=1)
        cls.general = make_unit(name="市教育局", kind=UnitKind.DEPT_GENERAL, sort_order=2)
        cls.professional = make_unit(name="市应急局", kind=UnitKind.DEPT_PROFESSIONAL, sort_order=50)
        cls.zone = make_unit(name="经开区", kind=UnitKind.DEV_ZONE, sort_order=3)
        cls.county = make_unit(name="江阴市", kind=UnitKind.COUNTY_CITY, sort_order=20)
        cls.newtown = make_unit(name="梁溪区新城", kind=UnitKind.DISTRICT, sort_order=10)
        cls.liangxi = make_unit(name="梁溪区", kind=UnitKind.DISTRICT, sort_order=10)
        cls.expected = [
            cls.liangxi,  # 区 with the same sort order: by name
            cls.newtown,
            cls.county,
            cls.zone,
            cls.professional,
            cls.general,
            cls.enterprise,
        ]

    def test_in_city_order(self):
        self.assertEqual(list(Unit.objects.in_city_order()), self.expected)

    def test_the_python_key_agrees(self):
        self.assertEqual(sorted(Unit.objects.all(), key=city_order_key), self.expected)

    def test_through_a_relation(self):
        for unit in reversed(self.expected):
            make_user(unit=unit)
        memberships = Membership.objects.order_by(*city_order("unit__"))
        self.assertEqual([m.unit for m in memberships], self.expected)


class KindSetTests(SimpleTestCase):
    def test_the_kind_sets_split_the_kinds_as_the_ranking_groups_do(self):
        groups = {group: {kind for kind, of in GROUP_OF_KIND.items() if of == group} for group in UnitGroup}
        self.assertEqual(TERRITORIAL_KINDS, groups[UnitGroup.TERRITORY])
        self.assertEqual(DEPARTMENT_KINDS, groups[UnitGroup.PROFESSIONAL] | groups[UnitGroup.GENERAL])
        self.assertEqual(ENTERPRISE_KINDS, groups[UnitGroup.ENTERPRISE])
        self.assertEqual(SUPERVISING_KINDS, set(UnitKind.values) - TERRITORIAL_KINDS)  # never a 板块
