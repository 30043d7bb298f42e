"""What a derived indicator counts is a property of the indicator (measure, grades, industries,
link, is_death_cap), not of its code: the engine names no catalog code (issue 13, item 1)."""

from decimal import Decimal

from django.test import TestCase

from assessment.accidents.counting import counting_preview
from assessment.models import Industry
from assessment.results.assessing import assess_year
from responsibility import demo
from responsibility.models import Indicator, Target
from tests.assessment.factories import at, make_accident
from tests.assessment.results import test_assess
from tests.factories import make_indicator, make_letter, make_unit, make_year

D = Decimal
INVENTED = {"A1": "X-DEATHS", "A2": "W2", "A3": "ZZ3", "DA1": "Q9", "DA2": "K-7"}


def signature(results):
    """Everything a unit's result says, but the codes of its items."""
    return {
        r.unit.code: (
            r.base,
            r.score,
            r.veto_codes,
            [card.code for card in r.yellow_cards],
            r.grade,
            r.rank,
            r.tier,
            [(item.points, item.reason) for item in r.items],
        )
        for r in results
    }


class InventedCodesTests(TestCase):
    """The hand-worked full year of test_assess, plus a death-cap veto for 梁溪区."""

    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)
        # liangxi: 2 + 3 = 5 deaths against a cap of 3: ≥ 150 % → V7
        make_accident(unit=cls.u["liangxi"], occurred_at=at(2026, 9, 1), deaths=3, industry=Industry.ROAD)

    def test_a_catalog_with_invented_codes_gives_the_same_scores_vetoes_and_yellow_cards(self):
        coded = signature(assess_year(self.year, provisional=False))
        self.assertEqual(coded["liangxi"][2], ["V7"])  # the death cap vetoes …
        self.assertEqual(coded["zhujian"][3], ["V7"])  # … and warns at the cap
        self.assertEqual(coded["xishan"][3], ["V3"])
        for old, new in INVENTED.items():
            self.assertEqual(Indicator.objects.filter(code=old).update(code=new), 1)
        invented = signature(assess_year(self.year, provisional=False))
        self.assertEqual(invented, coded)


class SectorCapTests(TestCase):
    """The demo's A4 (分行业死亡人数：道路交通、工矿商贸、火灾) counts only those sectors' deaths."""

    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        code, category, name, rule, source, weights, per_unit, _ = next(
            row for row in demo.CATALOG if row[0] == "A4"
        )
        cls.a4 = make_indicator(
            code=code,
            category=category,
            name=name,
            rule=rule,
            source=source,
            weights=weights,
            params={"per_unit": per_unit},
            **demo.COUNTING["A4"],
        )
        cls.jingkai = make_unit(code="jingkai", name="经开区", kind="dev_zone")
        make_letter(cls.year, cls.jingkai, seq=1, indicators=[cls.a4], weight=4, target_value=D(4))
        for industry, deaths in (
            (Industry.ROAD, 2),
            (Industry.INDUSTRY_TRADE, 2),
            (Industry.FIRE, 1),
            (Industry.CONSTRUCTION, 2),  # not one of A4's sectors
        ):
            make_accident(unit=cls.jingkai, industry=industry, deaths=deaths)

    def test_a4_counts_the_deaths_of_its_three_sectors_only(self):
        (result,) = assess_year(self.year, provisional=False)
        (item,) = result.items
        self.assertEqual(item.reason, "死亡5人，控制数4人，超1人，扣0.5分")
        self.assertEqual(item.points, D("3.5"))

    def test_the_preview_says_what_the_indicator_counts_for_a_unit_and_year(self):
        text, ids = counting_preview(self.a4, self.jingkai, self.year)
        self.assertEqual(text, "经开区2026年计入：3起、死亡5人")
        self.assertEqual(len(ids), 3)


class LinkTests(TestCase):
    def test_an_indicator_counts_the_territory_the_supervisor_or_both(self):
        year = make_year(2026)
        district = make_unit(code="d", name="梁溪区", kind="district")
        dept = make_unit(code="p", name="住房城乡建设局", kind="dept_professional")
        make_accident(unit=district, deaths=2, departments=[dept])
        make_accident(unit=dept, deaths=1)  # the department is the 属地 of one (its own premises)
        counted = {}
        for link in ("both", "territory", "supervising"):
            indicator = make_indicator(rule="cap_deduction", source="derived", measure="deaths", link=link)
            counted[link] = [counting_preview(indicator, unit, year)[0] for unit in (district, dept)]
        self.assertEqual(
            counted,
            {
                "both": ["梁溪区2026年计入：1起、死亡2人", "住房城乡建设局2026年计入：2起、死亡3人"],
                "territory": ["梁溪区2026年计入：1起、死亡2人", "住房城乡建设局2026年计入：1起、死亡1人"],
                "supervising": ["梁溪区2026年计入：0起、死亡0人", "住房城乡建设局2026年计入：1起、死亡2人"],
            },
        )


class DeathCapTests(TestCase):
    """The death cap for the veto is the target of the indicator marked is_death_cap, whatever its code."""

    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cap = make_indicator(
            code="X-DEATHS",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            is_death_cap=True,
            weights={"district": "50"},
            params={"per_unit": "1"},
        )
        # An "A1" that is not the death cap: its code no longer makes it one.
        other = make_indicator(
            code="A1",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            is_death_cap=False,
            weights={"district": "50"},
            params={"per_unit": "1"},
        )
        cls.vetoed = make_unit(code="v", name="甲区", kind="district", sort_order=1)
        cls.warned = make_unit(code="w", name="乙区", kind="district", sort_order=2)
        for seq, (unit, deaths) in enumerate(((cls.vetoed, 6), (cls.warned, 4)), start=1):
            letter = make_letter(cls.year, unit, seq=seq)
            Target.objects.create(letter=letter, indicator=cap, weight=50, target_value=D(4))
            Target.objects.create(letter=letter, indicator=other, weight=50, target_value=D(1))
            for _ in range(deaths // 2):
                make_accident(unit=unit, deaths=2)  # 一般 accidents: no 较大 warning

    def test_an_invented_death_cap_vetoes_at_150_percent_and_warns_at_the_cap(self):
        results = {r.unit.code: r for r in assess_year(self.year, provisional=False)}
        self.assertEqual(results["v"].veto_codes, ["V7"])  # 6 ≥ 150 % × 4
        self.assertIn("控制数4人", results["v"].vetoes[0].reason)
        self.assertEqual(results["w"].veto_codes, [])
        self.assertEqual([card.code for card in results["w"].yellow_cards], ["V7"])  # 4 = the cap
