"""The letter's words from the rules: each target's commitment and the 一票否决 and 黄牌 clauses, with
the thresholds the engine applies. Plain values, no database."""

import re
from decimal import Decimal

from django.test import SimpleTestCase

from assessment.rules import scoring, vetoes, wording
from assessment.rules.grading import LARGER, MAJOR, ORDINARY
from assessment.rules.vetoes import VetoInput, VetoRule, check_vetoes, rules_from_config, yellow_cards

D = Decimal
INDUSTRIES = {"road": "道路交通", "fire": "火灾", "other": "其他"}


class CommitmentTests(SimpleTestCase):
    def test_a_cap_states_the_cap_the_unit_and_the_deduction_per_unit(self):
        self.assertEqual(
            wording.target_commitment(
                "cap_deduction", weight=12, target_value=D("3.00"), params={"per_unit": 2}
            ),
            "全年死亡人数控制在 3 人以内，每超 1 人扣 2 分，扣完为止",
        )

    def test_a_cap_on_another_measure_says_its_unit(self):
        self.assertEqual(
            wording.target_commitment(
                "cap_deduction",
                weight=5,
                target_value=D(50),
                params={"per_unit": "0.5"},
                label="直接经济损失",
                unit="万元",
            ),
            "全年直接经济损失控制在 50 万元以内，每超 1 万元扣 0.5 分，扣完为止",
        )

    def test_the_params_own_label_and_unit_win_over_the_measures(self):
        text = wording.target_commitment(
            "cap_deduction",
            weight=5,
            target_value=D(4),
            params={"label": "重伤", "unit": "人"},
            label="死亡",
            unit="人",
        )
        self.assertEqual(text, "全年重伤人数控制在 4 人以内，每超 1 人扣 1 分，扣完为止")

    def test_sector_caps_are_listed_each_with_its_cap(self):
        text = wording.target_commitment(
            "cap_deduction",
            weight=4,
            params={
                "caps": {"road": 2, "fire": 1},
                "labels": {"road": "道路交通", "fire": "火灾"},
                "per_unit": "0.5",
            },
        )
        self.assertEqual(
            text, "分行业死亡人数分别控制在道路交通 2 人、火灾 1 人以内，合计每超 1 人扣 0.5 分，扣完为止"
        )

    def test_a_cap_without_a_value_says_it_scores_nothing(self):
        self.assertIn("控制数未定", wording.target_commitment("cap_deduction", weight=5, target_value=None))
        self.assertEqual(scoring.score_cap_deduction(5, None, 0).points, D(0))

    def test_a_count_ignores_the_target_value_as_the_engine_does(self):
        text = wording.target_commitment(
            "count_deduction",
            weight=5,
            target_value=D(2),
            params={"per_unit": 5},
            label="较大及以上事故",
            unit="起",
        )
        self.assertEqual(text, "全年不发生较大及以上事故，每发生 1 起扣 5 分，扣完为止")
        self.assertEqual(
            scoring.score_target(
                "count_deduction", weight=5, target_value=D(2), params={"per_unit": 5}, actual=1
            ).points,
            D(0),
        )

    def test_an_entered_count_without_a_measure(self):
        self.assertEqual(
            wording.target_commitment("count_deduction", weight=5, params={"per_unit": 2}),
            "按次扣分，每发生 1 次扣 2 分，扣完为止",
        )

    def test_yoy_says_half_the_weight_each(self):
        self.assertEqual(
            wording.target_commitment("yoy_decrease", weight=D(5)),
            "事故起数、死亡人数同比“双下降”，每下降一项得 2.5 分（连续两年为零视同下降）",
        )

    def test_completion_with_and_without_a_target(self):
        self.assertEqual(
            wording.target_commitment("completion", weight=8, target_value=D("100.00")),
            "完成率达到 100%，按完成比例得分",
        )
        self.assertEqual(
            wording.target_commitment("completion", weight=8, target_value=D(40), params={"unit": "次"}),
            "全年完成 40 次，按完成比例得分",
        )
        self.assertEqual(wording.target_commitment("completion", weight=8), "按要求完成，填报即得满分")

    def test_boolean_counted_or_entered(self):
        self.assertEqual(
            wording.target_commitment("boolean", weight=5, label="较大及以上事故", unit="起"),
            "全年不发生较大及以上事故，否则本项不得分",
        )
        self.assertEqual(wording.target_commitment("boolean", weight=5), "按要求全面完成，未完成不得分")

    def test_item_deduction_names_overdue_findings_when_derived(self):
        self.assertEqual(
            wording.target_commitment("item_deduction", weight=15), "按考核细则逐项扣分，扣完为止"
        )
        self.assertEqual(
            wording.target_commitment(
                "item_deduction", weight=5, params={"per_unit": "0.5"}, counts_findings=True
            ),
            "问题隐患逾期未整改的每项扣 0.5 分，并按考核细则逐项扣分，扣完为止",
        )

    def test_an_unknown_rule_is_an_error(self):
        with self.assertRaises(ValueError):
            wording.target_commitment("lottery", weight=1)

    def test_counted_label_lists_grades_and_industries(self):
        self.assertEqual(
            wording.counted_label("accidents", [LARGER, MAJOR, "especially_major"], [], INDUSTRIES),
            "较大及以上事故",
        )
        self.assertEqual(
            wording.counted_label("deaths", [], ["fire", "road"], INDUSTRIES), "道路交通、火灾死亡"
        )
        self.assertEqual(
            wording.counted_label("deaths", [ORDINARY, MAJOR], [], INDUSTRIES), "一般、重大事故死亡"
        )


def clause(rules, kind="district", cap=None, pass_line=60) -> str:
    return wording.veto_clause(
        rules, kind=kind, death_cap=None if cap is None else D(cap), pass_line=D(pass_line)
    )


class VetoClauseTests(SimpleTestCase):
    def test_the_default_rules_for_a_district(self):
        text = clause(vetoes.DEFAULT_RULES, cap=8)
        self.assertEqual(
            text,
            "乙方有下列情形之一的，年度考核实行一票否决，考核等级为不合格："
            "（一）发生特别重大生产安全事故；（二）发生重大或更重等级生产安全事故；"
            "（三）累计发生较大或更重等级生产安全事故 2 起及以上；（四）瞒报、谎报较大或更重等级生产安全事故；"
            "（五）生产安全事故死亡人数达到控制数（8 人）的 150%，即 12 人及以上；（六）年度考核总分低于 60 分；"
            "（七）弄虚作假；（八）挂牌督办重大隐患逾期未整改。",
        )
        self.assertIsNone(re.search(r"V\d", text))

    def test_an_enterprise_reads_its_own_rule_and_not_the_districts(self):
        text = clause(vetoes.DEFAULT_RULES, kind="enterprise")
        self.assertIn("发生重大或更重等级生产安全事故，或累计发生较大或更重等级生产安全事故 2 起及以上", text)
        self.assertNotIn("挂牌督办", text)

    def test_changed_settings_change_the_words(self):
        rules = rules_from_config(
            {
                "V3": {"larger_count": 3},
                "V6": {"concealed_grade": ORDINARY},
                "V7": {"death_cap_percent": 120},
                "V8": {"pass_line": 70},
                "V10": {"enabled": False},
            }
        )
        text = clause(rules, cap=7)
        self.assertIn("累计发生较大或更重等级生产安全事故 3 起及以上", text)
        self.assertIn("瞒报、谎报生产安全事故", text)
        self.assertIn("死亡人数达到控制数（7 人）的 120%，即 9 人及以上", text)
        self.assertIn("年度考核总分低于 70 分", text)
        self.assertNotIn("挂牌督办", text)

    def test_no_death_cap_no_death_cap_rule_and_a_cap_of_zero_is_the_first_death(self):
        self.assertNotIn("控制数", clause(vetoes.DEFAULT_RULES, cap=None))
        self.assertIn("即 1 人及以上", clause(vetoes.DEFAULT_RULES, cap=0))
        self.assertTrue(check_vetoes(VetoInput("district", deaths=1, death_cap=D(0))))

    def test_a_rule_a_city_adds_is_stated_by_its_name(self):
        rules = rules_from_config({"X1": {"name": "未按期完成整改约谈", "trigger": "manual"}})
        self.assertIn("未按期完成整改约谈", clause(rules))

    def test_no_rule_for_the_kind(self):
        rules = [
            VetoRule("Z", "只管企业", vetoes.ACCIDENTS, applies_to=frozenset({"enterprise"}), major_count=1)
        ]
        self.assertEqual(clause(rules), "本年度考核不实行一票否决。")

    def test_the_stated_death_line_is_where_the_engine_first_vetoes(self):
        for cap in (0, 1, 3, 7, 8, 13, 20):
            for percent in (100, 120, 150, 175, 200):
                with self.subTest(cap=cap, percent=percent):
                    rules = rules_from_config({"V7": {"death_cap_percent": percent}})
                    stated = int(re.search(r"即 (\d+) 人及以上", clause(rules, cap=cap)).group(1))
                    first = next(
                        n
                        for n in range(1, 100)
                        if check_vetoes(VetoInput("district", deaths=n, death_cap=D(cap)), [rules[6]])
                    )
                    self.assertEqual(stated, first)

    def test_the_stated_accident_count_is_where_the_engine_first_vetoes(self):
        for threshold in (1, 2, 3, 5):
            with self.subTest(threshold=threshold):
                rules = rules_from_config({"V3": {"larger_count": threshold}})
                text = clause([rules[2]])
                ids = tuple(range(1, threshold + 1))
                self.assertFalse(check_vetoes(VetoInput("district", {LARGER: ids[:-1]}), [rules[2]]))
                self.assertTrue(check_vetoes(VetoInput("district", {LARGER: ids}), [rules[2]]))
                expected = (
                    "发生较大或更重等级"
                    if threshold == 1
                    else f"累计发生较大或更重等级生产安全事故 {threshold} 起及以上"
                )
                self.assertIn(expected, text)


class YellowClauseTests(SimpleTestCase):
    def test_the_default_warnings_for_a_district(self):
        text = wording.yellow_clause(vetoes.DEFAULT_RULES, kind="district", death_cap=D(8))
        self.assertEqual(
            text,
            "尚未达到否决情形但有下列情形之一的，给予黄牌警示："
            "（一）发生较大或更重等级生产安全事故（达到 2 起即否决）；"
            "（二）生产安全事故死亡人数达到控制数的 100%，即 8 人及以上。",
        )
        self.assertTrue(yellow_cards(VetoInput("district", {LARGER: (1,)}), vetoes.DEFAULT_RULES))
        self.assertTrue(yellow_cards(VetoInput("district", deaths=8, death_cap=D(8)), vetoes.DEFAULT_RULES))
        self.assertFalse(yellow_cards(VetoInput("district", deaths=7, death_cap=D(8)), vetoes.DEFAULT_RULES))

    def test_rules_without_yellow_give_no_sentence(self):
        rules = rules_from_config({code: {"yellow": False} for code in ("V3", "V7")})
        self.assertEqual(wording.yellow_clause(rules, kind="district", death_cap=D(8)), "")
