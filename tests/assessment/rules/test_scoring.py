"""Scoring rules, totals, grades, vetoes, 黄牌, ranking and 等次: plain values, no database."""

import json
import random
from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from assessment.accidents.figures import Figures, Period, UnitFigures
from assessment.rules import ranking, scoring, vetoes
from assessment.rules.grading import ESPECIALLY_MAJOR, LARGER, MAJOR, ORDER, ORDINARY
from assessment.rules.ranking import FIRST_TIER, SECOND_TIER, THIRD_TIER, Entry, rank, rank_change, tiers
from assessment.rules.scoring import YoY, score_target, total
from assessment.rules.vetoes import DEFAULT_RULES, VetoInput, check_vetoes, rules_from_config, yellow_cards
from responsibility.models import IndicatorRule, UnitKind, units

D = Decimal


def score(rule: str, actual, *, weight="12", target=None, **params) -> scoring.TargetScore:
    return score_target(
        rule,
        weight=D(weight),
        target_value=None if target is None else D(str(target)),
        params=params,
        actual=actual,
    )


def points(rule: str, actual, **kwargs) -> Decimal:
    return score(rule, actual, **kwargs).points


class CapDeductionTests(SimpleTestCase):
    def test_full_weight_up_to_and_at_the_cap(self):
        for deaths in (0, 2, 3):
            with self.subTest(deaths=deaths):
                self.assertEqual(points("cap_deduction", deaths, target=3), D("12.00"))

    def test_one_point_per_death_over_the_cap(self):
        self.assertEqual(points("cap_deduction", 4, target=3), D("11.00"))
        self.assertEqual(points("cap_deduction", 5, target=3), D("10.00"))

    def test_per_unit_half_a_point(self):
        self.assertEqual(points("cap_deduction", 4, target=3, per_unit="0.5"), D("11.50"))
        self.assertEqual(points("cap_deduction", 6, target=3, per_unit=D("0.5")), D("10.50"))
        self.assertEqual(points("cap_deduction", 6, target=3, per_unit=0.5), D("10.50"))

    def test_floor_at_zero(self):
        self.assertEqual(points("cap_deduction", 15, target=3), D("0.00"))
        self.assertEqual(points("cap_deduction", 100, target=3), D("0.00"))

    def test_reasons(self):
        self.assertEqual(score("cap_deduction", 5, target=3).reason, "死亡5人，控制数3人，超2人，扣2分")
        self.assertEqual(score("cap_deduction", 2, target=3).reason, "死亡2人，未超控制数3人，得满分")
        self.assertEqual(
            score("cap_deduction", 20, target=3).reason, "死亡20人，控制数3人，超17人，扣17分，扣完为止"
        )

    def test_label_and_unit_from_params(self):
        reason = score("cap_deduction", 8, target=6, label="事故", unit="起").reason
        self.assertEqual(reason, "事故8起，控制数6起，超2起，扣2分")

    def test_missing_cap_scores_nothing(self):
        self.assertEqual(score("cap_deduction", 1), scoring.TargetScore(D("0.00"), "未设控制数，无法评分"))

    def test_sector_caps_deduct_each_sector_over_its_cap(self):
        result = score(
            "cap_deduction",
            {"road": 5, "industry_trade": 1},
            weight="4",
            per_unit="0.5",
            caps={"road": 3, "industry_trade": 2, "fire": 1},
            labels={"road": "道路交通", "industry_trade": "工矿商贸", "fire": "火灾"},
        )
        self.assertEqual(result.points, D("3.00"))
        self.assertEqual(
            result.reason,
            "道路交通死亡5人（控制数3人，超2人）；工矿商贸死亡1人（控制数2人）；火灾死亡0人（控制数1人），扣1分",
        )

    def test_sector_caps_floor_at_zero(self):
        result = score("cap_deduction", {"road": 30}, weight="4", per_unit="0.5", caps={"road": 3})
        self.assertEqual(result.points, D("0.00"))


class CountDeductionTests(SimpleTestCase):
    def test_no_occurrence_full_weight(self):
        self.assertEqual(points("count_deduction", 0, weight="5", per_unit=5), D("5.00"))

    def test_minus_per_unit_per_occurrence(self):
        self.assertEqual(points("count_deduction", 1, weight="5", per_unit="0.5"), D("4.50"))
        self.assertEqual(points("count_deduction", 3, weight="5", per_unit="0.5"), D("3.50"))

    def test_default_per_unit_is_one(self):
        self.assertEqual(points("count_deduction", 2, weight="8"), D("6.00"))

    def test_floor_at_zero(self):
        self.assertEqual(points("count_deduction", 1, weight="5", per_unit=5), D("0.00"))
        self.assertEqual(points("count_deduction", 2, weight="5", per_unit=5), D("0.00"))
        self.assertEqual(points("count_deduction", 11, weight="5", per_unit="0.5"), D("0.00"))

    def test_reason_names_the_occurrences(self):
        result = score("count_deduction", 1, weight="5", per_unit=5, label="较大事故", unit="起")
        self.assertEqual(result.reason, "较大事故1起，扣5分")
        result = score("count_deduction", 0, weight="5", per_unit=5, label="较大事故", unit="起")
        self.assertEqual(result.reason, "较大事故0起，得满分")


class YoYDecreaseTests(SimpleTestCase):
    def test_each_combination(self):
        # (count_now, count_before, deaths_now, deaths_before) → points of 4
        cases = {
            (9, 12, 8, 10): "4.00",  # both fell
            (9, 12, 11, 10): "2.00",  # count fell, deaths rose
            (13, 12, 8, 10): "2.00",  # deaths fell, count rose
            (12, 12, 10, 10): "0.00",  # both flat: not lower
            (13, 12, 11, 10): "0.00",  # both rose
            (0, 0, 0, 0): "4.00",  # zero two years running: not rising
            (0, 0, 1, 0): "2.00",  # no accidents counted, yet deaths rose from 0
            (1, 0, 0, 0): "2.00",
            (0, 1, 0, 1): "4.00",
            (2, 2, 0, 0): "2.00",
        }
        for actual, expected in cases.items():
            with self.subTest(actual=actual):
                self.assertEqual(points("yoy_decrease", actual, weight="4"), D(expected))

    def test_reason_says_what_fell(self):
        result = score("yoy_decrease", (9, 12, 11, 10), weight="4")
        self.assertEqual(result.reason, "起数同比下降（12→9），死亡人数未下降（10→11），得2分")

    def test_reason_for_zeros(self):
        result = score("yoy_decrease", (0, 0, 0, 0), weight="4")
        self.assertEqual(
            result.reason, "起数连续两年为零（0→0），视同下降，死亡人数连续两年为零（0→0），视同下降，得4分"
        )

    def test_yoy_dataclass_and_unit_figures(self):
        self.assertEqual(points("yoy_decrease", YoY(9, 12, 8, 10), weight="4"), D("4.00"))
        period = Period(date(2025, 1, 1), date(2025, 12, 31))
        figures = UnitFigures(
            unit_id=1,
            current=Figures(period, ids=(1, 2), deaths=3),
            previous=Figures(period, ids=(3, 4, 5), deaths=3),
        )
        self.assertEqual(YoY.of(figures), YoY(2, 3, 3, 3))
        self.assertEqual(points("yoy_decrease", figures, weight="4"), D("2.00"))

    def test_odd_weight_splits_without_exceeding_it(self):
        self.assertEqual(points("yoy_decrease", (1, 2, 3, 3), weight="5"), D("2.50"))
        self.assertEqual(points("yoy_decrease", (1, 2, 3, 3), weight="3.33"), D("1.67"))
        self.assertEqual(points("yoy_decrease", (1, 2, 2, 3), weight="3.33"), D("3.33"))


class CompletionTests(SimpleTestCase):
    def test_rates(self):
        cases = {"0": "0.00", "85": "8.50", "100": "10.00", "120": "10.00", "50": "5.00"}
        for actual, expected in cases.items():
            with self.subTest(actual=actual):
                self.assertEqual(points("completion", D(actual), weight="10", target=100), D(expected))

    def test_reason(self):
        self.assertEqual(score("completion", D(85), weight="10", target=100).reason, "完成率85.0%，得8.50分")
        self.assertEqual(
            score("completion", D(120), weight="10", target=100).reason, "完成率120.0%，得10.00分"
        )
        self.assertEqual(score("completion", 17, weight="10", target=20).reason, "完成率85.0%，得8.50分")

    def test_a_rate_short_of_the_target_never_reads_100_percent(self):
        # 99.96 % of 100 with 50 points: 49.98 points, so not "完成率100.0%".
        self.assertEqual(
            score("completion", D("99.96"), weight="50", target=100).reason, "完成率99.9%，得49.98分"
        )
        self.assertEqual(
            score("completion", D("100.04"), weight="50", target=100).reason, "完成率100.0%，得50.00分"
        )

    def test_rounds_half_up(self):
        self.assertEqual(points("completion", D("83.45"), weight="10", target=100), D("8.35"))
        self.assertEqual(points("completion", D("83.449"), weight="10", target=100), D("8.34"))
        self.assertEqual(points("completion", 1, weight="10", target=3), D("3.33"))
        self.assertEqual(points("completion", 2, weight="10", target=3), D("6.67"))

    def test_no_target_means_nothing_was_required(self):
        for target in (None, 0):
            with self.subTest(target=target):
                result = score("completion", 3, weight="10", target=target)
                self.assertEqual(result, scoring.TargetScore(D("10.00"), "未设目标值，得满分"))

    def test_negative_actual_scores_zero(self):
        self.assertEqual(points("completion", -5, weight="10", target=100), D("0.00"))


class BooleanTests(SimpleTestCase):
    def test_done_or_not(self):
        self.assertEqual(score("boolean", True, weight="5"), scoring.TargetScore(D("5.00"), "已完成"))
        self.assertEqual(score("boolean", False, weight="5"), scoring.TargetScore(D("0.00"), "未完成"))
        self.assertEqual(points("boolean", 1, weight="5"), D("5.00"))
        self.assertEqual(points("boolean", 0, weight="5"), D("0.00"))


class ItemDeductionTests(SimpleTestCase):
    def test_weight_minus_the_items(self):
        result = score("item_deduction", [("0.5", "会议记录不全"), (1, "职责清单未更新")], weight="15")
        self.assertEqual(result.points, D("13.50"))
        self.assertEqual(result.reason, "扣分：会议记录不全（−0.5）；职责清单未更新（−1），共扣1.5分")

    def test_no_items_full_weight(self):
        self.assertEqual(
            score("item_deduction", [], weight="15"), scoring.TargetScore(D("15.00"), "无扣分项，得满分")
        )

    def test_items_summing_over_the_weight_floor_at_zero(self):
        items = [(D(2), "未开会"), (D(2), "未签责任书"), (D("1.5"), "无职责清单")]
        result = score("item_deduction", items, weight="5")
        self.assertEqual(result.points, D("0.00"))
        self.assertTrue(result.reason.endswith("共扣5.5分，扣完为止"))

    def test_items_summing_exactly_to_the_weight(self):
        self.assertEqual(points("item_deduction", [(3, "a"), (2, "b")], weight="5"), D("0.00"))

    def test_negative_points_deduct_like_positive_ones(self):
        self.assertEqual(points("item_deduction", [("-0.5", "会议记录不全")], weight="5"), D("4.50"))

    def test_deduction_tuples(self):
        items = [scoring.Deduction(D("0.5"), "台账不全")]
        self.assertEqual(
            score("item_deduction", items, weight="5").reason, "扣分：台账不全（−0.5），共扣0.5分"
        )


class MissingValueTests(SimpleTestCase):
    def test_none_scores_zero_for_every_rule(self):
        for rule in IndicatorRule.values:
            with self.subTest(rule=rule):
                result = score(rule, None, weight="10", target=5)
                self.assertEqual(result, scoring.TargetScore(D("0.00"), "无数据，不得分"))

    def test_every_rule_code_is_dispatched(self):
        samples = {
            "cap_deduction": 1,
            "count_deduction": 1,
            "yoy_decrease": (1, 2, 1, 2),
            "completion": 1,
            "boolean": True,
            "item_deduction": [],
        }
        self.assertEqual(set(samples), set(IndicatorRule.values))
        for rule, actual in samples.items():
            with self.subTest(rule=rule):
                self.assertIsInstance(score(rule, actual, weight="10", target=5), scoring.TargetScore)

    def test_unknown_rule_and_negative_weight_are_errors(self):
        with self.assertRaises(ValueError):
            score("nonsense", 1)
        with self.assertRaises(ValueError):
            score("boolean", True, weight="-1")

    def test_zero_weight_scores_zero(self):
        self.assertEqual(points("boolean", True, weight="0"), D("0.00"))
        self.assertEqual(points("cap_deduction", 0, weight="0", target=3), D("0.00"))


class PointsStayWithinTheWeightTests(SimpleTestCase):
    def test_many_generated_values(self):
        rng = random.Random(20251231)
        for _ in range(3000):
            weight = D(rng.randint(0, 3000)) / 100
            target = rng.choice([None, 0, rng.randint(0, 50), D(rng.randint(0, 5000)) / 100])
            per_unit = rng.choice(["0.5", "1", "2", "5", "0.25", "0.33"])
            rule = rng.choice(IndicatorRule.values)
            actual = {
                "cap_deduction": rng.randint(0, 60),
                "count_deduction": rng.randint(0, 20),
                "yoy_decrease": tuple(rng.randint(0, 30) for _ in range(4)),
                "completion": D(rng.randint(-100, 20000)) / 100,
                "boolean": rng.choice([True, False]),
                "item_deduction": [(D(rng.randint(0, 500)) / 100, "项") for _ in range(rng.randint(0, 8))],
            }[rule]
            if rng.random() < 0.05:
                actual = None
            result = score_target(
                rule,
                weight=weight,
                target_value=None if target is None else D(target),
                params={"per_unit": per_unit},
                actual=actual,
            )
            with self.subTest(rule=rule, weight=weight, target=target, actual=actual):
                self.assertGreaterEqual(result.points, 0)
                self.assertLessEqual(result.points, weight)
                self.assertEqual(result.points, result.points.quantize(D("0.01")))
                self.assertTrue(result.reason)


class TotalTests(SimpleTestCase):
    def test_base_plus_bonus_minus_penalty(self):
        self.assertEqual(
            total(D("88.5"), D(2), D(1), bonus_cap=D(5)),
            scoring.Totals(D("88.50"), D("2.00"), D("1.00"), D("89.50")),
        )

    def test_bonus_capped(self):
        result = total(D(95), D(7), D(0), bonus_cap=D(5))
        self.assertEqual((result.bonus, result.total), (D("5.00"), D("100.00")))
        self.assertEqual(total(D(95), D(7), D(0), bonus_cap=D(3)).total, D("98.00"))

    def test_negative_bonus_counts_as_none(self):
        self.assertEqual(total(D(80), D(-2), D(0), bonus_cap=D(5)).bonus, D("0.00"))

    def test_penalty_given_negative_subtracts_too(self):
        self.assertEqual(total(D(80), D(0), D(-3), bonus_cap=D(5)).total, D("77.00"))

    def test_floor_at_zero(self):
        self.assertEqual(total(D(5), D(0), D(12), bonus_cap=D(5)).total, D("0.00"))

    def test_rounding_half_up(self):
        self.assertEqual(total(D("8.345"), D(0), D(0), bonus_cap=D(5)).total, D("8.35"))
        self.assertEqual(total(D("80.125"), D("0.005"), D(0), bonus_cap=D(5)).total, D("80.14"))

    def test_within_zero_and_hundred_plus_cap_for_many_values(self):
        rng = random.Random(7)
        for _ in range(2000):
            cap = D(rng.randint(0, 1000)) / 100
            base = D(rng.randint(0, 10000)) / 100
            bonus = D(rng.randint(-500, 2000)) / 100
            penalty = D(rng.randint(-2000, 2000)) / 100
            result = total(base, bonus, penalty, bonus_cap=cap)
            with self.subTest(base=base, bonus=bonus, penalty=penalty, cap=cap):
                self.assertGreaterEqual(result.total, 0)
                self.assertLessEqual(result.total, 100 + cap)
                self.assertLessEqual(result.bonus, cap)


class GradeTests(SimpleTestCase):
    def test_exact_bands(self):
        cases = {
            "100": scoring.EXCELLENT,
            "90.00": scoring.EXCELLENT,
            "89.99": scoring.GOOD,
            "80.00": scoring.GOOD,
            "79.99": scoring.PASS,
            "60.00": scoring.PASS,
            "59.99": scoring.FAIL,
            "0": scoring.FAIL,
        }
        for value, expected in cases.items():
            with self.subTest(total=value):
                self.assertEqual(scoring.grade(D(value), vetoed=False), expected)

    def test_vetoed_is_unqualified_whatever_the_total(self):
        self.assertEqual(scoring.grade(D(99), vetoed=True), scoring.FAIL)

    def test_bands_of_the_year(self):
        bands = (D(95), D(90), D(80))  # 遵义 style
        self.assertEqual(scoring.grade(D(94), bands=bands, vetoed=False), scoring.GOOD)
        self.assertEqual(scoring.grade(D(80), bands=bands, vetoed=False), scoring.PASS)
        self.assertEqual(scoring.grade(D("79.99"), bands=bands, vetoed=False), scoring.FAIL)


def veto_input(kind="district", **grades_and_fields) -> VetoInput:
    ids_by_grade = {grade: tuple(grades_and_fields.pop(grade, ())) for grade in ORDER}
    return VetoInput(kind=kind, ids_by_grade=ids_by_grade, **grades_and_fields)


def codes(vetoes_found) -> list[str]:
    return [veto.code for veto in vetoes_found]


DISTRICT_KINDS = ("district", "county_city", "dev_zone")
DEPARTMENT_KINDS = ("dept_professional", "dept_general")


class VetoRuleTests(SimpleTestCase):
    def test_no_accidents_no_veto(self):
        for kind in UnitKind.values:
            with self.subTest(kind=kind):
                self.assertEqual(check_vetoes(veto_input(kind, deaths=0, death_cap=D(3), total=D(90))), [])

    def test_kind_constants_cover_the_unit_kinds(self):
        self.assertEqual(vetoes.ALL_KINDS, set(UnitKind.values))
        # The plain strings of the rules are the kind sets of responsibility.models.
        self.assertEqual(vetoes.TERRITORIAL_KINDS, units.TERRITORIAL_KINDS)
        self.assertEqual(vetoes.DEPARTMENT_KINDS, units.DEPARTMENT_KINDS)
        self.assertEqual(vetoes.ENTERPRISE_KINDS, units.ENTERPRISE_KINDS)
        self.assertEqual({rule.code for rule in DEFAULT_RULES}, {f"V{n}" for n in range(1, 11)})

    def test_v1_any_especially_major_accident_for_every_kind(self):
        for kind in UnitKind.values:
            with self.subTest(kind=kind):
                found = check_vetoes(veto_input(kind, especially_major=(41,)))
                self.assertIn("V1", codes(found))
                v1 = next(v for v in found if v.code == "V1")
                self.assertEqual(v1.record_ids, (41,))
                self.assertEqual(v1.name, "发生特别重大事故")
                self.assertEqual(v1.reason, "发生特别重大事故1起（否决线1起）")

    def test_v2_district_one_major_accident(self):
        for kind in DISTRICT_KINDS:
            with self.subTest(kind=kind):
                self.assertEqual(codes(check_vetoes(veto_input(kind, major=(7,)))), ["V2"])
        self.assertEqual(check_vetoes(veto_input("district", larger=(7,))), [])

    def test_v3_district_two_larger_accidents(self):
        found = check_vetoes(veto_input("county_city", larger=(3, 8)))
        self.assertEqual(codes(found), ["V3"])
        self.assertEqual(found[0].record_ids, (3, 8))
        self.assertEqual(found[0].reason, "发生较大及以上事故2起（否决线2起）")

    def test_v3_counts_worse_accidents_towards_larger(self):
        found = check_vetoes(veto_input("district", larger=(3,), major=(9,)))
        self.assertEqual(codes(found), ["V2", "V3"])
        self.assertEqual(found[1].record_ids, (9, 3))  # worst first

    def test_ordinary_accidents_never_veto(self):
        for kind in UnitKind.values:
            with self.subTest(kind=kind):
                self.assertEqual(check_vetoes(veto_input(kind, ordinary=tuple(range(1, 30)), deaths=2)), [])

    def test_v4_department_two_major_accidents_in_its_sector(self):
        for kind in DEPARTMENT_KINDS:
            with self.subTest(kind=kind):
                self.assertEqual(check_vetoes(veto_input(kind, major=(1,))), [])
                self.assertEqual(codes(check_vetoes(veto_input(kind, major=(1, 2)))), ["V4"])
        # larger accidents do not veto a department, however many
        self.assertEqual(check_vetoes(veto_input("dept_professional", larger=(1, 2, 3, 4))), [])

    def test_v5_enterprise_one_major_or_two_larger(self):
        self.assertEqual(check_vetoes(veto_input("enterprise", larger=(1,))), [])
        self.assertEqual(codes(check_vetoes(veto_input("enterprise", larger=(1, 2)))), ["V5"])
        self.assertEqual(codes(check_vetoes(veto_input("enterprise", major=(5,)))), ["V5"])
        found = check_vetoes(veto_input("enterprise", major=(5,), larger=(6,)))
        self.assertEqual(
            found[0].reason, "发生重大及以上事故1起（否决线1起），较大及以上事故2起（否决线2起）"
        )
        self.assertEqual(found[0].record_ids, (5, 6))

    def test_district_rules_do_not_apply_to_other_kinds(self):
        self.assertEqual(check_vetoes(veto_input("dept_general", major=(1,))), [])

    def test_exempted_accident_is_simply_not_in_the_input(self):
        # the register had 较大 accidents 3 and 8; the unit was exempted from 8
        self.assertEqual(check_vetoes(veto_input("district", larger=(3,))), [])

    def test_v6_concealment_of_a_larger_or_worse_accident(self):
        for grade in (LARGER, MAJOR, ESPECIALLY_MAJOR):
            with self.subTest(grade=grade):
                found = check_vetoes(veto_input("dept_general", concealed_or_false=((12, grade),)))
                self.assertIn("V6", codes(found))
                v6 = next(v for v in found if v.code == "V6")
                self.assertEqual(v6.record_ids, (12,))
        found = check_vetoes(veto_input("district", concealed_or_false=((12, ORDINARY),)))
        self.assertEqual(found, [])

    def test_v6_reason(self):
        found = check_vetoes(veto_input("enterprise", concealed_or_false=((12, LARGER), (13, ORDINARY))))
        self.assertEqual(
            found, [vetoes.Veto("V6", "瞒报谎报较大及以上事故", "瞒报或谎报较大及以上事故1起", (12,))]
        )

    def test_v7_exactly_150_percent_of_the_cap_vetoes(self):
        found = check_vetoes(veto_input("district", ordinary=(1, 2, 3), deaths=6, death_cap=D(4)))
        self.assertEqual(codes(found), ["V7"])
        self.assertEqual(found[0].reason, "死亡6人，控制数4人，达到控制数的150%（≥6人）")
        self.assertEqual(found[0].record_ids, (1, 2, 3))

    def test_v7_threshold_is_stated_in_whole_people(self):
        # 150 % of a cap of 1 is 1.5: deaths are whole, so the line is 2 (never "1.5人")
        self.assertEqual(check_vetoes(veto_input("district", deaths=1, death_cap=D(1))), [])
        found = check_vetoes(veto_input("district", deaths=2, death_cap=D(1)))
        self.assertEqual(found[0].reason, "死亡2人，控制数1人，达到控制数的150%（≥2人）")
        # 150 % of 11 is 16.5: 16 deaths is under the line, 17 meets it, and the text says 17
        self.assertEqual(check_vetoes(veto_input("district", deaths=16, death_cap=D(11))), [])
        found = check_vetoes(veto_input("district", deaths=17, death_cap=D(11)))
        self.assertEqual(found[0].reason, "死亡17人，控制数11人，达到控制数的150%（≥17人）")
        self.assertNotIn(".5人", found[0].reason)

    def test_whole_people_is_the_ceiling_of_a_greater_or_equal_line(self):
        self.assertEqual(vetoes.whole_people(D("1.5")), 2)
        self.assertEqual(vetoes.whole_people(D("16.5")), 17)
        self.assertEqual(vetoes.whole_people(D("2")), 2)
        self.assertEqual(vetoes.whole_people(D("2.00")), 2)
        self.assertEqual(vetoes.whole_people(D("2.01")), 3)
        self.assertEqual(vetoes.whole_people(D("0")), 0)
        self.assertEqual(vetoes.death_cap_line(D(1), D(150)), 2)
        self.assertEqual(vetoes.death_cap_line(D(11), D(150)), 17)
        # the stated line agrees with the rule at the bound, for caps 0–40
        for cap in range(41):
            line = vetoes.death_cap_line(D(cap), D(150))
            for deaths in (line - 1, line):
                if deaths < 1:
                    continue
                vetoed = bool(check_vetoes(veto_input("district", deaths=deaths, death_cap=D(cap))))
                self.assertEqual(vetoed, deaths >= line, (cap, deaths))

    def test_v7_just_under_150_percent_does_not(self):
        self.assertEqual(check_vetoes(veto_input("district", deaths=5, death_cap=D(4))), [])
        # 150 % of 3 is 4.5: 4 deaths is under it, 5 over it
        self.assertEqual(check_vetoes(veto_input("district", deaths=4, death_cap=D(3))), [])
        self.assertEqual(codes(check_vetoes(veto_input("district", deaths=5, death_cap=D(3)))), ["V7"])

    def test_v7_needs_a_cap(self):
        self.assertEqual(check_vetoes(veto_input("dept_general", deaths=50, death_cap=None)), [])

    def test_v7_zero_cap_vetoes_the_first_death_only(self):
        self.assertEqual(check_vetoes(veto_input("enterprise", deaths=0, death_cap=D(0))), [])
        self.assertEqual(codes(check_vetoes(veto_input("enterprise", deaths=1, death_cap=D(0)))), ["V7"])

    def test_v8_total_under_the_pass_line(self):
        self.assertEqual(codes(check_vetoes(veto_input(total=D("59.99")))), ["V8"])
        self.assertEqual(check_vetoes(veto_input(total=D("60.00"))), [])
        self.assertEqual(check_vetoes(veto_input(total=None)), [])
        found = check_vetoes(veto_input(total=D("59.99")))
        self.assertEqual(found[0].reason, "考核总分59.99分，低于合格线60分")

    def test_v8_uses_the_years_pass_line(self):
        self.assertEqual(codes(check_vetoes(veto_input(total=D(79), pass_line=D(80)))), ["V8"])

    def test_v9_manual_veto_with_its_reason(self):
        found = check_vetoes(veto_input("enterprise", manual_vetoes=("伪造培训台账", (77, "虚报隐患整改"))))
        self.assertEqual(
            found,
            [
                vetoes.Veto("V9", "弄虚作假", "弄虚作假：伪造培训台账", ()),
                vetoes.Veto("V9", "弄虚作假", "弄虚作假：虚报隐患整改", (77,)),
            ],
        )

    def test_v10_hazard_not_fixed(self):
        self.assertEqual(codes(check_vetoes(veto_input("district", hazard_ids=(501,)))), ["V10"])
        self.assertEqual(check_vetoes(veto_input("enterprise", hazard_ids=(501,))), [])

    def test_several_vetoes_in_rule_order(self):
        inp = veto_input(
            "district",
            especially_major=(1,),
            concealed_or_false=((1, ESPECIALLY_MAJOR),),
            deaths=40,
            death_cap=D(5),
            total=D(20),
            manual_vetoes=("伪造",),
        )
        self.assertEqual(codes(check_vetoes(inp)), ["V1", "V2", "V6", "V7", "V8", "V9"])

    def test_from_figures(self):
        figures = Figures(
            Period(date(2025, 1, 1), date(2025, 12, 31)),
            ids=(1, 2, 3),
            deaths=5,
            ids_by_grade={ORDINARY: (1,), LARGER: (2, 3), MAJOR: (), ESPECIALLY_MAJOR: ()},
            concealed_or_false_ids=(3,),
        )
        inp = VetoInput.from_figures("district", figures, death_cap=D(10), total=D(85))
        self.assertEqual(inp.concealed_or_false, ((3, LARGER),))
        self.assertEqual((inp.deaths, inp.death_cap), (5, D(10)))
        self.assertEqual(codes(check_vetoes(inp)), ["V3", "V6"])


class VetoConfigTests(SimpleTestCase):
    def test_defaults_without_config(self):
        self.assertEqual(rules_from_config({}), list(DEFAULT_RULES))
        self.assertEqual(rules_from_config(None), list(DEFAULT_RULES))

    def test_v3_raised_to_three_larger_accidents(self):
        rules = rules_from_config({"V3": {"enabled": True, "larger_count": 3}})
        self.assertEqual(check_vetoes(veto_input(larger=(1, 2)), rules), [])
        self.assertEqual(codes(check_vetoes(veto_input(larger=(1, 2, 3)), rules)), ["V3"])

    def test_disabled_rule_does_not_fire(self):
        rules = rules_from_config({"V8": {"enabled": False}})
        self.assertEqual(check_vetoes(veto_input(total=D(10)), rules), [])

    def test_death_cap_percent_and_kinds_configurable(self):
        rules = rules_from_config({"V7": {"death_cap_percent": 200, "applies_to": ["district"]}})
        self.assertEqual(check_vetoes(veto_input(deaths=7, death_cap=D(4)), rules), [])
        self.assertEqual(codes(check_vetoes(veto_input(deaths=8, death_cap=D(4)), rules)), ["V7"])
        self.assertEqual(check_vetoes(veto_input("enterprise", deaths=8, death_cap=D(4)), rules), [])

    def test_null_switches_a_threshold_off(self):
        rules = rules_from_config({"V5": {"larger_count": None}})
        self.assertEqual(check_vetoes(veto_input("enterprise", larger=(1, 2, 3)), rules), [])
        self.assertEqual(codes(check_vetoes(veto_input("enterprise", major=(1,)), rules)), ["V5"])

    def test_a_new_rule_for_enterprises(self):
        rules = rules_from_config(
            {
                "V6E": {
                    "name": "企业瞒报事故",
                    "trigger": "concealment",
                    "applies_to": ["enterprise"],
                    "concealed_grade": "ordinary",
                }
            }
        )
        found = check_vetoes(veto_input("enterprise", concealed_or_false=((4, ORDINARY),)), rules)
        self.assertEqual(found, [vetoes.Veto("V6E", "企业瞒报事故", "瞒报或谎报事故1起", (4,))])
        self.assertEqual(check_vetoes(veto_input("district", concealed_or_false=((4, ORDINARY),)), rules), [])

    def test_typos_are_errors(self):
        bad = [
            {"V3": {"larger_cnt": 3}},
            {"V3": {"larger_count": 0}},
            {"V3": {"larger_count": "2.5"}},
            {"V7": {"death_cap_percent": -1}},
            {"V2": {"applies_to": ["township"]}},
            {"V6": {"concealed_grade": "huge"}},
            {"V11": {"enabled": True}},
            {"V11": {"name": "x", "trigger": "weather"}},
        ]
        for config in bad:
            with self.subTest(config=config), self.assertRaises(ValueError):
                rules_from_config(config)

    def test_config_is_json_able(self):
        config = json.loads(
            '{"V3": {"enabled": true, "larger_count": 3}, "V7": {"death_cap_percent": "200"}}'
        )
        rules = {rule.code: rule for rule in rules_from_config(config)}
        self.assertEqual(rules["V3"].larger_count, 3)
        self.assertEqual(rules["V7"].death_cap_percent, D(200))


class YellowCardTests(SimpleTestCase):
    def test_district_one_larger_accident(self):
        cards = yellow_cards(veto_input("district", larger=(3,)))
        self.assertEqual(codes(cards), ["V3"])
        self.assertEqual(cards[0].record_ids, (3,))
        self.assertEqual(cards[0].name, "板块发生多起较大事故（黄牌）")
        self.assertEqual(cards[0].reason, "发生较大及以上事故1起（否决线2起），再发生1起即否决")

    def test_district_two_larger_when_the_rule_is_three(self):
        rules = rules_from_config({"V3": {"larger_count": 3}})
        self.assertEqual(yellow_cards(veto_input("district", larger=(3,)), rules), [])
        self.assertEqual(codes(yellow_cards(veto_input("district", larger=(3, 4)), rules)), ["V3"])

    def test_department_one_major_accident(self):
        self.assertEqual(codes(yellow_cards(veto_input("dept_professional", major=(6,)))), ["V4"])
        self.assertEqual(yellow_cards(veto_input("dept_professional", larger=(6,))), [])

    def test_enterprise_one_larger_accident(self):
        self.assertEqual(codes(yellow_cards(veto_input("enterprise", larger=(6,)))), ["V5"])

    def test_deaths_at_the_cap(self):
        self.assertEqual(yellow_cards(veto_input(deaths=3, death_cap=D(4))), [])
        cards = yellow_cards(veto_input(deaths=4, death_cap=D(4)))
        self.assertEqual(codes(cards), ["V7"])
        self.assertEqual(cards[0].reason, "死亡4人，已达控制数4人的100%，达到6人即否决")
        # a cap of 1: the veto line 1.5 is said as 2 people
        cards = yellow_cards(veto_input(deaths=1, death_cap=D(1)))
        self.assertEqual(cards[0].reason, "死亡1人，已达控制数1人的100%，达到2人即否决")
        self.assertEqual(codes(yellow_cards(veto_input(deaths=5, death_cap=D(4)))), ["V7"])
        self.assertEqual(yellow_cards(veto_input(deaths=0, death_cap=D(0))), [])
        self.assertEqual(yellow_cards(veto_input(deaths=9, death_cap=None)), [])

    def test_a_vetoed_unit_gets_no_yellow_card(self):
        self.assertEqual(yellow_cards(veto_input(deaths=6, death_cap=D(4))), [])
        self.assertEqual(yellow_cards(veto_input("district", larger=(1,), total=D(50))), [])

    def test_no_accidents_no_card(self):
        for kind in UnitKind.values:
            with self.subTest(kind=kind):
                self.assertEqual(yellow_cards(veto_input(kind, ordinary=(1, 2))), [])

    def test_yellow_cards_can_be_switched_off(self):
        rules = rules_from_config({"V3": {"yellow": False}, "V7": {"yellow_death_cap_percent": None}})
        self.assertEqual(
            yellow_cards(veto_input("district", larger=(1,), deaths=4, death_cap=D(4)), rules), []
        )


def entries(*rows, group="territory") -> list[Entry]:
    """(unit id, total) or (unit id, total, vetoed); sort_key follows the order given."""
    return [
        Entry(row[0], group, D(str(row[1])), vetoed=len(row) > 2 and row[2], sort_key=i)
        for i, row in enumerate(rows)
    ]


def ranks(ranked) -> list[tuple[int, int]]:
    return [(item.unit_id, item.rank) for item in ranked]


class RankingTests(SimpleTestCase):
    def test_ties_share_a_rank(self):
        ranked = rank(entries((1, 95), (2, 90), (3, 90), (4, 85)))
        self.assertEqual(ranks(ranked), [(1, 1), (2, 2), (3, 2), (4, 4)])

    def test_totals_compared_at_two_decimals(self):
        ranked = rank(entries((1, "90.004"), (2, "90.00"), (3, "90.005")))
        self.assertEqual(ranks(ranked), [(3, 1), (1, 2), (2, 2)])

    def test_equal_totals_in_city_order(self):
        rows = [
            Entry(10, "g", D(80), sort_key=3),
            Entry(11, "g", D(80), sort_key=1),
            Entry(12, "g", D(80), sort_key=2),
        ]
        self.assertEqual(ranks(rank(rows)), [(11, 1), (12, 1), (10, 1)])

    def test_vetoed_after_every_unvetoed_unit_even_with_a_higher_total(self):
        ranked = rank(entries((1, 98, True), (2, 70), (3, 65), (4, 40, True), (5, 98, True)))
        self.assertEqual(ranks(ranked), [(2, 1), (3, 2), (1, 3), (5, 3), (4, 5)])
        self.assertEqual([item.vetoed for item in ranked], [False, False, True, True, True])

    def test_vetoed_unit_never_ties_with_an_unvetoed_one(self):
        ranked = rank(entries((1, 80), (2, 80, True)))
        self.assertEqual(ranks(ranked), [(1, 1), (2, 2)])

    def test_groups_are_independent(self):
        rows = entries((1, 70), (2, 90), group="territory") + entries(
            (3, 60), (4, 99, True), group="enterprise"
        )
        ranked = rank(rows)
        self.assertEqual(ranks(ranked), [(2, 1), (1, 2), (3, 1), (4, 2)])
        self.assertEqual([item.group for item in ranked], ["territory"] * 2 + ["enterprise"] * 2)

    def test_empty(self):
        self.assertEqual(rank([]), [])
        self.assertEqual(tiers([]), {})


class TierTests(SimpleTestCase):
    def tiers_of(self, *rows, **kwargs) -> dict[int, str]:
        return tiers(rank(entries(*rows)), **kwargs)

    def test_thirty_forty_rest_of_ten(self):
        result = self.tiers_of(*[(n, 100 - n) for n in range(1, 11)])
        self.assertEqual(
            [result[n] for n in range(1, 11)], [FIRST_TIER] * 3 + [SECOND_TIER] * 4 + [THIRD_TIER] * 3
        )

    def test_rounded_half_up(self):
        # 5 units: 30 % is 1.5 → 2; 70 % is 3.5 → 4
        result = self.tiers_of(*[(n, 100 - n) for n in range(1, 6)])
        self.assertEqual(
            [result[n] for n in range(1, 6)], [FIRST_TIER] * 2 + [SECOND_TIER] * 2 + [THIRD_TIER]
        )

    def test_at_least_one_in_the_first_tier(self):
        self.assertEqual(self.tiers_of((1, 50)), {1: FIRST_TIER})
        result = self.tiers_of((1, 60), (2, 50))  # 30 % of 2 is 0.6 → 1
        self.assertEqual(result, {1: FIRST_TIER, 2: THIRD_TIER})

    def test_ties_at_a_boundary_all_get_the_better_tier(self):
        # 10 units, 3 places in the first tier; units 3, 4 and 5 tie for third
        rows = [(1, 99), (2, 98), (3, 95), (4, 95), (5, 95), (6, 90), (7, 89), (8, 88), (9, 87), (10, 80)]
        result = self.tiers_of(*rows)
        self.assertEqual([result[n] for n in range(1, 6)], [FIRST_TIER] * 5)
        self.assertEqual([result[n] for n in (6, 7)], [SECOND_TIER] * 2)
        self.assertEqual([result[n] for n in (8, 9, 10)], [THIRD_TIER] * 3)

    def test_ties_at_the_second_boundary(self):
        rows = [(1, 99), (2, 98), (3, 97), (4, 90), (5, 90), (6, 90), (7, 80), (8, 80), (9, 80), (10, 70)]
        result = self.tiers_of(*rows)
        self.assertEqual([result[n] for n in (7, 8, 9)], [SECOND_TIER] * 3)
        self.assertEqual(result[10], THIRD_TIER)

    def test_vetoed_units_always_third_and_not_counted(self):
        # 4 unvetoed: 30 % is 1.2 → 1; 70 % is 2.8 → 3
        rows = [(1, 99, True), (2, 90), (3, 85), (4, 80), (5, 75), (6, 98, True)]
        result = self.tiers_of(*rows)
        self.assertEqual(
            result,
            {2: FIRST_TIER, 3: SECOND_TIER, 4: SECOND_TIER, 5: THIRD_TIER, 1: THIRD_TIER, 6: THIRD_TIER},
        )

    def test_all_vetoed(self):
        self.assertEqual(self.tiers_of((1, 90, True), (2, 80, True)), {1: THIRD_TIER, 2: THIRD_TIER})

    def test_groups_are_tiered_separately(self):
        rows = entries((1, 60), group="a") + entries((2, 99), (3, 98), (4, 97), group="b")
        self.assertEqual(
            tiers(rank(rows)),
            {1: FIRST_TIER, 2: FIRST_TIER, 3: SECOND_TIER, 4: THIRD_TIER},
        )

    def test_other_proportions(self):
        result = self.tiers_of(*[(n, 100 - n) for n in range(1, 11)], proportions=(D("0.2"), D("0.5")))
        self.assertEqual(
            [result[n] for n in range(1, 11)], [FIRST_TIER] * 2 + [SECOND_TIER] * 5 + [THIRD_TIER] * 3
        )

    def test_tier_sizes_for_many_group_sizes(self):
        rng = random.Random(3)
        for n in range(1, 60):
            rows = [(i, rng.randint(50, 100), rng.random() < 0.2) for i in range(1, n + 1)]
            result = tiers(rank(entries(*rows)))
            with self.subTest(n=n):
                self.assertEqual(set(result), {row[0] for row in rows})
                unvetoed = [row for row in rows if not row[2]]
                if unvetoed:
                    self.assertGreaterEqual(list(result.values()).count(FIRST_TIER), 1)
                for unit_id, _, vetoed in rows:
                    if vetoed:
                        self.assertEqual(result[unit_id], THIRD_TIER)


class RankChangeTests(SimpleTestCase):
    def test_display(self):
        self.assertEqual(rank_change(3, 5), "▲2")
        self.assertEqual(rank_change(4, 3), "▼1")
        self.assertEqual(rank_change(2, 2), "—")
        self.assertEqual(rank_change(1, None), "新")
        self.assertEqual(rank_change(None, 4), "—")
        self.assertEqual(rank_change(None, None), "—")

    def test_by_unit(self):
        ranked = rank(entries((1, 90), (2, 95)))
        self.assertEqual(ranking.by_unit(ranked)[1].rank, 2)


class SectorOrderTests(SimpleTestCase):
    def test_sectors_read_in_the_registers_order_whatever_order_the_caps_come_in(self):
        from assessment.models import Industry
        from assessment.rules.scoring import SECTOR_ORDER, score_target

        self.assertEqual(SECTOR_ORDER, tuple(Industry.values))
        caps = {"fire": "1", "road": "3"}  # as PostgreSQL's jsonb may hand them back
        reason = score_target(
            "cap_deduction",
            weight=Decimal(4),
            params={"caps": caps, "labels": {"fire": "火灾", "road": "道路交通"}},
            actual={"road": 3, "fire": 0},
        ).reason
        self.assertTrue(reason.startswith("道路交通"), reason)


class ShownTests(SimpleTestCase):
    def test_a_veto_reads_as_its_rules_name_and_reason_never_its_code(self):
        (veto,) = check_vetoes(veto_input("district", larger=(1, 2)))
        self.assertEqual(veto.code, "V3")  # the code stays in the data
        self.assertEqual(veto.text, "板块发生多起较大事故：发生较大及以上事故2起（否决线2起）")
        (card,) = yellow_cards(veto_input("district", larger=(1,)))
        self.assertEqual(
            vetoes.shown(card), "板块发生多起较大事故：发生较大及以上事故1起（否决线2起），再发生1起即否决"
        )
        manual = check_vetoes(veto_input("district", manual_vetoes=("伪造记录",)))
        self.assertEqual(vetoes.shown_all(manual), "弄虚作假：伪造记录")


class MissingEnteredTests(SimpleTestCase):
    def test_a_missing_entered_value_scores_the_years_share_of_the_weight(self):
        self.assertEqual(
            scoring.score_missing_entered(D(12), D(0)),
            scoring.TargetScore(D("0.00"), "缺报，按本年度规则计0分"),
        )
        self.assertEqual(
            scoring.score_missing_entered(D(10), D(50)),
            scoring.TargetScore(D("5.00"), "缺报，按本年度规则计分值的50%，得5分"),
        )
        self.assertEqual(scoring.score_missing_entered(D(7), "33.3").points, D("2.33"))
        self.assertEqual(scoring.score_missing_entered(D(7), 100).points, D("7.00"))

    def test_a_share_outside_0_to_100_is_a_configuration_error(self):
        for bad in (D(-1), D("100.01")):
            with self.assertRaisesMessage(ValueError, "缺报项得分比例须在 0 至 100 之间"):
                scoring.score_missing_entered(D(10), bad)
