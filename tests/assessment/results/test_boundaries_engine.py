"""The bounds of tests/assessment/rules/test_boundaries.py through `assess_year`, on another city.

The catalog is test_assess's (`make_catalog`) with every code and name replaced by invented ones
("QX-01", "甲3", "行-1" …); the units are invented too (甲子区, 乙丑局 …), each one a row: a unit
at a bound, one below it or one above it, its accidents and adjustments built through the
factories. Each test runs the year once under one setting of the year (the defaults, V3 at 3 较大,
V7 at 120 %, V8 at 65, bands 85/75/55, a bonus cap of 3, a rule switched off) and reads the rows.
"""

from copy import copy
from decimal import Decimal

from django.test import TestCase, override_settings

from assessment.models import Adjustment, AssessmentGrade, Report, ReportStatus
from assessment.results.assessing import assess_year
from responsibility.models import Indicator, ResponsibilityLetter, Target, UnitKind
from tests.assessment.factories import make_accident, make_exemption
from tests.assessment.results.test_assess import make_catalog
from tests.factories import make_catalog_letters, make_unit, make_year

D = Decimal
EXCELLENT, GOOD, PASS, FAIL = (
    AssessmentGrade.EXCELLENT,
    AssessmentGrade.GOOD,
    AssessmentGrade.PASS,
    AssessmentGrade.FAIL,
)

# test_assess's catalog, in this city's own codes and words (the counting fields stay as they were).
CATALOG = {
    "A1": ("QX-01", "辖区生产安全事故死亡人数控制"),  # cap, 30 points, −2 per death over; the death cap
    "A2": ("QX-02", "事故起数和死亡人数同比下降"),
    "A3": ("甲3", "较大及以上事故控制"),  # −5 per 较大-or-worse accident, 10 points
    "B1": ("甲4", "属地管理责任落实"),
    "C1": ("QX-05", "重大隐患整改完成率"),
    "DA1": ("行-1", "行业领域死亡人数控制"),  # cap, 40 points, −1 per death over; the death cap
    "DA2": ("行-2", "行业领域不发生较大事故"),  # boolean, 10 points
    "DB1": ("行-3", "行业监管责任落实"),
    "DC1": ("行-4", "执法检查计划完成率"),
}

# Accidents graded by their seriously injured, so that only the death rows count deaths.
ORDINARY = {"deaths": 0}
LARGER = {"deaths": 0, "serious_injuries": 10}
MAJOR = {"deaths": 0, "serious_injuries": 50}
ESPECIALLY_MAJOR = {"deaths": 0, "serious_injuries": 100}
EXEMPTED = {"exempted": True}


def deaths(n: int) -> list[dict]:
    """`n` deaths in 一般 accidents (at most 2 deaths each)."""
    return [{"deaths": 2}] * (n // 2) + [{"deaths": 1}] * (n % 2)


DISTRICT, DEPT, ENTERPRISE = UnitKind.DISTRICT, UnitKind.DEPT_PROFESSIONAL, UnitKind.ENTERPRISE
SCORE_TOTALS = ["54.99", "55", "55.01", "59.99", "60", "60.01", "64.99", "65", "65.01", "74.99", "75"]
SCORE_TOTALS += ["75.01", "79.99", "80", "80.01", "84.99", "85", "85.01", "89.99", "90", "90.01"]
BONUSES = ["2.99", "3", "3.01", "4.99", "5", "5.01"]

# unit code: kind, its accidents (a district is their 属地; a department or an enterprise their
# 监管部门), its adjustments. Death caps: 4 for a district, 2 for the others.
UNITS = {
    **{f"d-dead{n}": (DISTRICT, deaths(n), []) for n in range(3, 8)},
    **{f"p-dead{n}": (DEPT, deaths(n), []) for n in range(1, 5)},
    **{f"d-larger{n}": (DISTRICT, [LARGER] * n, []) for n in range(1, 5)},
    "d-major1": (DISTRICT, [MAJOR], []),
    "d-major1-larger1": (DISTRICT, [MAJOR, LARGER], []),
    "d-larger2-one-exempted": (DISTRICT, [LARGER, {**LARGER, **EXEMPTED}], []),
    **{f"p-major{n}": (DEPT, [MAJOR] * n, []) for n in range(1, 4)},
    "p-larger2": (DEPT, [LARGER] * 2, []),
    "p-especially1": (DEPT, [ESPECIALLY_MAJOR], []),
    "e-larger1": (ENTERPRISE, [LARGER], []),
    "e-larger2": (ENTERPRISE, [LARGER] * 2, []),
    "e-major1": (ENTERPRISE, [MAJOR], []),
    "p-concealed-ordinary": (DEPT, [{**ORDINARY, "concealed": True}], []),
    "p-concealed-larger": (DEPT, [{**LARGER, "concealed": True}], []),
    "p-false-larger": (DEPT, [{**LARGER, "falsely_reported": True}], []),
    "p-concealed-major": (DEPT, [{**MAJOR, "concealed": True}], []),
    # a full 100 (every indicator at full points) less a penalty
    **{f"s{total}": (DISTRICT, [], [D(total) - 100]) for total in SCORE_TOTALS},
    # a full 100 and a bonus
    **{f"b{bonus}": (DISTRICT, [], [D(bonus)]) for bonus in BONUSES},
}


# fmt: off
TARGETS = [
    # row, unit, indicator → points, reason
    ("QX-01 cap 4, −2 each: 3 deaths → 30", "d-dead3", "QX-01", "30", "死亡3人，未超控制数4人，得满分"),
    ("QX-01 cap 4, −2 each: 4 deaths → 30", "d-dead4", "QX-01", "30", "死亡4人，未超控制数4人，得满分"),
    ("QX-01 cap 4, −2 each: 5 deaths → 28", "d-dead5", "QX-01", "28", "死亡5人，控制数4人，超1人，扣2分"),
    ("行-1 cap 2, −1 each: 1 death → 40", "p-dead1", "行-1", "40", "死亡1人，未超控制数2人，得满分"),
    ("行-1 cap 2, −1 each: 2 deaths → 40", "p-dead2", "行-1", "40", "死亡2人，未超控制数2人，得满分"),
    ("行-1 cap 2, −1 each: 3 deaths → 39", "p-dead3", "行-1", "39", "死亡3人，控制数2人，超1人，扣1分"),
    ("甲3 −5 per 较大: none → 10", "d-dead3", "甲3", "10", "较大及以上事故0起，得满分"),
    ("甲3 −5 per 较大: 1 → 5", "d-larger1", "甲3", "5", "较大及以上事故1起，扣5分"),
    ("甲3 −5 per 较大: 2 (= weight) → 0", "d-larger2", "甲3", "0", "较大及以上事故2起，扣10分"),
    ("甲3 −5 per 较大: 3 → 0", "d-larger3", "甲3", "0", "较大及以上事故3起，扣15分，扣完为止"),
    ("甲3 counts a 重大 as 较大-or-worse", "d-major1", "甲3", "5", "较大及以上事故1起，扣5分"),
    ("甲3 does not count an exempted 较大", "d-larger2-one-exempted", "甲3", "5", "较大及以上事故1起，扣5分"),
    ("行-2 no 较大: none → 10", "p-dead1", "行-2", "10", "已完成"),
    ("行-2 no 较大: 1 → 0", "e-larger1", "行-2", "0", "未完成"),
]
# fmt: on


def invented_names() -> list[str]:
    """甲子, 乙丑 … : a name for each unit of UNITS, in no city at all."""
    stems, branches = "甲乙丙丁戊己庚辛壬癸", "子丑寅卯辰巳午未申酉戌亥"
    return [stems[i % 10] + branches[i % 12] for i in range(len(UNITS))]


SUFFIX = {DISTRICT: "区", DEPT: "局", ENTERPRISE: "集团"}


@override_settings(DOC_PREFIX="青安委")
class BoundariesThroughTheEngineTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        for indicator in make_catalog().values():
            code, name = CATALOG[indicator.code]
            Indicator.objects.filter(pk=indicator.pk).update(code=code, name=name)
        # The 属地 of the departments' and enterprises' accidents: a district with no signed letter.
        host = make_unit(code="host", name="青川区", kind=DISTRICT, sort_order=999)
        units = {}
        for order, ((code, (kind, accidents, adjustments)), name) in enumerate(
            zip(UNITS.items(), invented_names(), strict=True), start=1
        ):
            unit = units[code] = make_unit(code=code, name=name + SUFFIX[kind], kind=kind, sort_order=order)
            for spec in accidents:
                spec = dict(spec)
                exempted = spec.pop("exempted", False)
                if kind == DISTRICT:
                    accident = make_accident(unit=unit, **spec)
                else:
                    accident = make_accident(unit=host, departments=[unit], **spec)
                if exempted:
                    make_exemption(accident, unit)
            for points in adjustments:
                Adjustment.objects.create(year=cls.year, unit=unit, points=points, reason="加减分")
        make_catalog_letters(cls.year, units.values())  # the host's letter stays a draft
        targets = Target.objects.filter(letter__year=cls.year)
        targets.filter(indicator__is_death_cap=True, letter__unit__kind=DISTRICT).update(target_value=4)
        targets.filter(indicator__is_death_cap=True).exclude(letter__unit__kind=DISTRICT).update(
            target_value=2
        )
        completion = targets.filter(indicator__rule="completion").exclude(letter__unit=host)
        completion.update(target_value=100)
        Report.objects.bulk_create(
            Report(
                target=target,
                unit_id=target.letter.unit_id,
                year=cls.year,
                quarter=4,
                value=D(100),
                status=ReportStatus.APPROVED,
            )
            for target in completion.select_related("letter")
        )

    def assess(self, **year_fields):
        """Every unit's final result, with the year's settings changed by `year_fields` (unsaved)."""
        year = copy(self.year)
        for name, value in year_fields.items():
            setattr(year, name, value)
        return {result.unit.code: result for result in assess_year(year, provisional=False)}

    def check_vetoes(self, table, **year_fields):
        results = self.assess(**year_fields)
        for row_id, unit, vetoed, yellow in table:
            with self.subTest(row_id):
                result = results[unit]
                self.assertEqual(result.veto_codes, vetoed)
                self.assertEqual([card.code for card in result.yellow_cards], yellow)
                self.assertEqual(result.grade == FAIL, bool(vetoed) or result.score < 60)
        return results

    def test_the_catalog_and_the_letters_are_the_citys_own(self):
        codes = set(Indicator.objects.values_list("code", flat=True))
        self.assertEqual(codes, {code for code, _ in CATALOG.values()})
        self.assertTrue(Indicator.objects.get(code="QX-01").is_death_cap)
        numbers = ResponsibilityLetter.objects.exclude(unit__code="host").values_list("doc_number", flat=True)
        self.assertEqual({number[:9] for number in numbers}, {"青安委〔2026〕"})

    def test_death_cap_veto_at_150_percent_and_yellow_card_at_the_cap(self):
        self.check_vetoes(
            [
                ("V7 150% of cap 4: 3 deaths → nothing", "d-dead3", [], []),
                ("V7 150% of cap 4: 4 deaths (at the cap) → 黄牌", "d-dead4", [], ["V7"]),
                ("V7 150% of cap 4: 5 deaths → 黄牌", "d-dead5", [], ["V7"]),
                ("V7 150% of cap 4: 6 deaths → veto", "d-dead6", ["V7"], []),
                ("V7 150% of cap 4: 7 deaths → veto", "d-dead7", ["V7"], []),
                ("V7 150% of cap 2 (department): 1 death → nothing", "p-dead1", [], []),
                ("V7 150% of cap 2 (department): 2 deaths (at the cap) → 黄牌", "p-dead2", [], ["V7"]),
                ("V7 150% of cap 2 (department): 3 deaths → veto", "p-dead3", ["V7"], []),
                ("V7 150% of cap 2 (department): 4 deaths → veto", "p-dead4", ["V7"], []),
            ]
        )

    def test_death_cap_veto_at_120_percent(self):
        results = self.check_vetoes(
            [
                ("V7 120% of cap 4 (4.8 → 5 people): 3 deaths → nothing", "d-dead3", [], []),
                ("V7 120% of cap 4 (4.8 → 5 people): 4 deaths → 黄牌", "d-dead4", [], ["V7"]),
                ("V7 120% of cap 4 (4.8 → 5 people): 5 deaths → veto", "d-dead5", ["V7"], []),
                ("V7 120% of cap 4 (4.8 → 5 people): 6 deaths → veto", "d-dead6", ["V7"], []),
                ("V7 120% of cap 2 (2.4 → 3 people): 2 deaths → 黄牌", "p-dead2", [], ["V7"]),
                ("V7 120% of cap 2 (2.4 → 3 people): 3 deaths → veto", "p-dead3", ["V7"], []),
            ],
            veto_rules={"V7": {"death_cap_percent": 120}},
        )
        self.assertEqual(results["d-dead5"].vetoes[0].reason, "死亡5人，控制数4人，达到控制数的120%（≥5人）")

    def test_accident_count_vetoes_count_their_grade_or_worse(self):
        self.check_vetoes(
            [
                ("V3 larger_count=2: 1 较大 → 黄牌", "d-larger1", [], ["V3"]),
                ("V3 larger_count=2: 2 较大 → veto", "d-larger2", ["V3"], []),
                ("V3 larger_count=2: 3 较大 → veto", "d-larger3", ["V3"], []),
                ("V3: 2 较大, one exempted → 黄牌", "d-larger2-one-exempted", [], ["V3"]),
                ("V2 major_count=1: 1 重大 → veto", "d-major1", ["V2"], []),
                ("V2 and V3: 1 重大 + 1 较大 → both", "d-major1-larger1", ["V2", "V3"], []),
                ("V4 major_count=2: 1 重大 → 黄牌", "p-major1", [], ["V4"]),
                ("V4 major_count=2: 2 重大 → veto", "p-major2", ["V4"], []),
                ("V4 major_count=2: 3 重大 → veto", "p-major3", ["V4"], []),
                ("V3 applies_to 板块 only: 2 较大 (department) → nothing", "p-larger2", [], []),
                ("V1: 1 特别重大 (department) → veto", "p-especially1", ["V1"], []),
                ("V5 larger_count=2: 1 较大 → 黄牌", "e-larger1", [], ["V5"]),
                ("V5 larger_count=2: 2 较大 → veto", "e-larger2", ["V5"], []),
                ("V5 major_count=1: 1 重大 → veto", "e-major1", ["V5"], []),
            ]
        )

    def test_a_year_with_the_district_rule_at_three_larger_accidents(self):
        self.check_vetoes(
            [
                ("V3 larger_count=3: 1 较大 → nothing", "d-larger1", [], []),
                ("V3 larger_count=3: 2 较大 → 黄牌", "d-larger2", [], ["V3"]),
                ("V3 larger_count=3: 3 较大 → veto", "d-larger3", ["V3"], []),
                ("V3 larger_count=3: 4 较大 → veto", "d-larger4", ["V3"], []),
                ("V3 larger_count=3: 2 较大, one exempted → nothing", "d-larger2-one-exempted", [], []),
            ],
            veto_rules={"V3": {"larger_count": 3}},
        )

    def test_with_the_major_accident_rule_off_a_major_accident_counts_as_larger(self):
        self.check_vetoes(
            [
                ("V2 off: 1 重大 → V3 黄牌", "d-major1", [], ["V3"]),
                ("V2 off: 1 重大 + 1 较大 → V3", "d-major1-larger1", ["V3"], []),
            ],
            veto_rules={"V2": {"enabled": False}},
        )

    def test_concealment_of_a_larger_or_worse_accident(self):
        self.check_vetoes(
            [
                ("V6: 瞒报 一般 → nothing", "p-concealed-ordinary", [], []),
                ("V6: 瞒报 较大 → veto", "p-concealed-larger", ["V6"], []),
                ("V6: 谎报 较大 → veto", "p-false-larger", ["V6"], []),
                ("V6: 瞒报 重大 → veto (V4's 黄牌 superseded)", "p-concealed-major", ["V6"], []),
            ]
        )

    def test_concealment_from_major_accidents_when_the_year_says_so(self):
        self.check_vetoes(
            [
                ("V6 concealed_grade=重大: 瞒报 较大 → nothing", "p-concealed-larger", [], []),
                ("V6 concealed_grade=重大: 谎报 较大 → nothing", "p-false-larger", [], []),
                ("V6 concealed_grade=重大: 瞒报 重大 → veto", "p-concealed-major", ["V6"], []),
            ],
            veto_rules={"V6": {"concealed_grade": "major"}},
        )

    def test_score_line_veto_and_grade_bands(self):
        # total → (vetoed by V8, grade) with 合格 at 60 and bands 90/80/60; with V8's own line at 65;
        # with the year's bands at 85/75/55 (V8 follows the year's 合格 line: 55)
        table = [
            ("54.99", (True, FAIL), (True, FAIL), (True, FAIL)),
            ("55", (True, FAIL), (True, FAIL), (False, PASS)),
            ("55.01", (True, FAIL), (True, FAIL), (False, PASS)),
            ("59.99", (True, FAIL), (True, FAIL), (False, PASS)),
            ("60", (False, PASS), (True, FAIL), (False, PASS)),
            ("60.01", (False, PASS), (True, FAIL), (False, PASS)),
            ("64.99", (False, PASS), (True, FAIL), (False, PASS)),
            ("65", (False, PASS), (False, PASS), (False, PASS)),
            ("65.01", (False, PASS), (False, PASS), (False, PASS)),
            ("74.99", (False, PASS), (False, PASS), (False, PASS)),
            ("75", (False, PASS), (False, PASS), (False, GOOD)),
            ("75.01", (False, PASS), (False, PASS), (False, GOOD)),
            ("79.99", (False, PASS), (False, PASS), (False, GOOD)),
            ("80", (False, GOOD), (False, GOOD), (False, GOOD)),
            ("80.01", (False, GOOD), (False, GOOD), (False, GOOD)),
            ("84.99", (False, GOOD), (False, GOOD), (False, GOOD)),
            ("85", (False, GOOD), (False, GOOD), (False, EXCELLENT)),
            ("85.01", (False, GOOD), (False, GOOD), (False, EXCELLENT)),
            ("89.99", (False, GOOD), (False, GOOD), (False, EXCELLENT)),
            ("90", (False, EXCELLENT), (False, EXCELLENT), (False, EXCELLENT)),
            ("90.01", (False, EXCELLENT), (False, EXCELLENT), (False, EXCELLENT)),
        ]
        settings = [
            ("合格 60, bands 90/80/60", {}),
            ("V8 pass_line=65", {"veto_rules": {"V8": {"pass_line": 65}}}),
            ("bands 85/75/55", {"excellent_min": D(85), "good_min": D(75), "pass_min": D(55)}),
        ]
        for column, (label, year_fields) in enumerate(settings, start=1):
            results = self.assess(**year_fields)
            for total, *expected in table:
                vetoed, grade = expected[column - 1]
                with self.subTest(f"{label}: {total} → {'V8, ' if vetoed else ''}{grade.label}"):
                    result = results[f"s{total}"]
                    self.assertEqual(result.score, D(total))
                    self.assertEqual(result.veto_codes, ["V8"] if vetoed else [])
                    self.assertEqual(result.grade, grade)

    def test_bonus_cap(self):
        for cap, kept in (
            (D(5), ["2.99", "3", "3.01", "4.99", "5", "5"]),
            (D(3), ["2.99", "3", "3", "3", "3", "3"]),
        ):
            results = self.assess(bonus_cap=cap)
            for bonus, bonus_kept in zip(BONUSES, kept, strict=True):
                with self.subTest(f"bonus cap {cap}: bonus {bonus} → {bonus_kept}"):
                    result = results[f"b{bonus}"]
                    self.assertEqual((result.bonus, result.score), (D(bonus_kept), 100 + D(bonus_kept)))

    def test_cap_and_count_deduction_targets(self):
        results = self.assess()
        for row_id, unit, code, points, reason in TARGETS:
            with self.subTest(row_id):
                item = next(item for item in results[unit].items if item.code == code)
                self.assertEqual((item.points, item.reason), (D(points), reason))
