"""What a unit signs is what it is judged by: for a city that is not Wuxi (its own codes, wording,
thresholds and 文号 prefix), the letter states the thresholds at which the engine actually vetoes,
warns and deducts, checked at the threshold and one below."""

from datetime import date
from decimal import Decimal

from django.test import TestCase, override_settings

from assessment.models import ReportStatus
from assessment.results.assessing import assess_year
from responsibility import documents, services
from responsibility.models import LetterStatus, ResponsibilityLetter, Target, UnitKind
from tests.assessment.factories import at, make_accident, make_report
from tests.factories import make_indicator, make_unit, make_year

D = Decimal
LARGER_OR_WORSE = ["larger", "major", "especially_major"]


def letter_of(unit) -> ResponsibilityLetter:
    return (
        ResponsibilityLetter.objects.select_related("unit", "year")
        .prefetch_related("targets__indicator")
        .get(unit=unit)
    )


@override_settings(CITY_NAME="海州市", OFFICE_NAME="海州市安委办", DOC_PREFIX="海安委")
class InventedCityLetterAgreesWithEngineTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2031, veto_rules={"V3": {"larger_count": 3}, "V7": {"death_cap_percent": 120}})
        district = {"district": "40.00"}
        cls.cap = make_indicator(
            code="HZ-SW",
            name="亡人控制",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            grades=[],
            is_death_cap=True,
            params={"per_unit": "3"},
            weights=district,
        )
        cls.larger = make_indicator(
            code="HZ-JD",
            name="较大事故",
            rule="count_deduction",
            source="derived",
            measure="accidents",
            grades=LARGER_OR_WORSE,
            params={"per_unit": "7"},
            weights={"district": "20.00"},
        )
        cls.tasks = make_indicator(code="HZ-RW", name="年度任务", rule="completion", weights=district)
        cls.east = make_unit(name="东城区", code="east", kind=UnitKind.DISTRICT)
        cls.west = make_unit(name="西城区", code="west", kind=UnitKind.DISTRICT)
        services.create_letters(cls.year, services.plan_letters(cls.year))
        caps = {cls.east: D(30), cls.west: D(7)}
        for unit, cap in caps.items():
            Target.objects.filter(letter__unit=unit, indicator=cls.cap).update(target_value=cap)
            Target.objects.filter(letter__unit=unit, indicator=cls.tasks).update(target_value=D(100))
        letters = ResponsibilityLetter.objects.filter(year=cls.year)
        services.issue_letters(
            cls.year,
            list(letters.values_list("pk", flat=True)),
            issued_on=date(2031, 2, 1),
            issuer_name="市长",
        )
        letters.update(status=LetterStatus.SIGNED, signed_on=date(2031, 2, 5))
        for target in Target.objects.filter(indicator=cls.tasks):  # tasks done: no score veto
            make_report(target, quarter=4, value=D(100), status=ReportStatus.APPROVED)

    def result(self, unit):
        return next(r for r in assess_year(self.year, provisional=False) if r.unit.id == unit.pk)

    def accidents(self, unit, *deaths):
        for day, n in enumerate(deaths, start=1):
            make_accident(unit=unit, deaths=n, occurred_at=at(2031, 3, day))

    def words(self, unit) -> str:
        return "".join(documents.letter_document_context(letter_of(unit))["paragraphs"])

    def test_the_letter_is_numbered_with_the_citys_prefix_and_names_no_wuxi_word(self):
        context = documents.letter_document_context(letter_of(self.east))
        self.assertEqual(context["doc_number"], "海安委〔2031〕1号")
        self.assertNotIn("无锡", self.words(self.east) + "".join(r["wording"] for r in context["rows"]))

    def test_a_district_is_vetoed_at_its_third_larger_accident_as_its_letter_says(self):
        words = self.words(self.east)
        self.assertIn("累计发生较大或更重等级生产安全事故 3 起及以上", words)
        self.assertIn("累计发生较大或更重等级生产安全事故 2 起及以上（达到 3 起即否决）", words)
        self.assertNotIn("V3", words)
        self.assertNotIn("发生较大及以上生产安全事故或者", words)  # no sentence the engine does not apply
        self.accidents(self.east, 3, 3)
        below = self.result(self.east)
        self.assertFalse(below.vetoed)
        self.assertEqual([card.code for card in below.yellow_cards], ["V3"])
        self.accidents(self.east, 4)
        self.assertEqual(self.result(self.east).veto_codes, ["V3"])

    def test_the_death_cap_line_is_stated_in_whole_people_and_vetoes_there(self):
        words = self.words(self.west)
        # 120 % of a cap of 7 is 8.4 people: the ninth death vetoes.
        self.assertIn("死亡人数达到控制数（7 人）的 120%，即 9 人及以上", words)
        self.assertIn("死亡人数达到控制数的 100%，即 7 人及以上", words)
        self.accidents(self.west, 2, 2, 2, 2)
        below = self.result(self.west)
        self.assertFalse(below.vetoed)
        self.assertEqual([card.code for card in below.yellow_cards], ["V7"])
        self.accidents(self.west, 1)
        self.assertEqual(self.result(self.west).veto_codes, ["V7"])

    def test_each_target_says_the_deduction_the_engine_makes(self):
        rows = {
            r["code"]: r["wording"] for r in documents.letter_document_context(letter_of(self.west))["rows"]
        }
        self.assertEqual(rows["HZ-SW"], "全年死亡人数控制在 7 人以内，每超 1 人扣 3 分，扣完为止")
        self.assertEqual(rows["HZ-JD"], "全年不发生较大及以上事故，每发生 1 起扣 7 分，扣完为止")
        self.accidents(self.west, 2, 2, 2, 2)  # 8 deaths: one over the cap
        self.accidents(self.west, 3)  # and a larger accident: 11 deaths, the cap vetoes but still scores
        items = {item.code: item for item in self.result(self.west).items}
        self.assertEqual(items["HZ-SW"].points, D("28.00"))  # 40 − 4 over × 3
        self.assertEqual(items["HZ-JD"].points, D("13.00"))  # 20 − 1 × 7

    def test_a_city_with_no_veto_rules_for_a_kind_says_so(self):
        config = {code: {"enabled": False} for code in [f"V{n}" for n in range(1, 11)]}
        self.year.veto_rules = config
        self.year.save(update_fields=["veto_rules"])
        letter = letter_of(self.east)
        self.assertIn("本年度考核不实行一票否决。", documents.letter_words(letter)["paragraphs"])
