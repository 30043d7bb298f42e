from decimal import Decimal

from django.test import SimpleTestCase

from assessment.rules.guardrails import report_warnings

D = Decimal


class ReportWarningTests(SimpleTestCase):
    def test_a_value_lower_than_last_quarter(self):
        self.assertEqual(report_warnings(D(40), D(50)), ["累计值 40 低于上季度的 50"])

    def test_a_jump_of_more_than_three_times(self):
        self.assertEqual(report_warnings(D(31), D(10)), ["累计值 31 是上季度 10 的 3.1 倍"])
        self.assertEqual(report_warnings(D(30), D(10)), [])

    def test_zero_deaths_reported_while_the_register_has_deaths(self):
        self.assertEqual(
            report_warnings(D(0), None, counts_deaths=True, register_deaths=2),
            ["填报死亡 0 人，但事故台账记录本年已有 2 人死亡"],
        )
        self.assertEqual(report_warnings(D(2), None, counts_deaths=True, register_deaths=2), [])
        self.assertEqual(report_warnings(D(0), None, counts_deaths=False, register_deaths=2), [])

    def test_nothing_to_say(self):
        self.assertEqual(report_warnings(None, D(5)), [])
        self.assertEqual(report_warnings(D(60), D(50)), [])
        self.assertEqual(report_warnings(D(5), D(0)), [])

    def test_a_completion_over_100_percent_of_its_target(self):
        self.assertEqual(
            report_warnings(D(120), None, completion_target=D(100)),
            ["完成率 120.0% 超过 100%（累计值 120，目标值 100），请核对"],
        )
        self.assertEqual(
            report_warnings(D(13), D(12), completion_target=D(12)),
            ["完成率 108.3% 超过 100%（累计值 13，目标值 12），请核对"],
        )
        self.assertEqual(report_warnings(D(100), D(80), completion_target=D(100)), [])
        self.assertEqual(report_warnings(D(120), None, completion_target=None), [])  # not a completion rule
        self.assertEqual(report_warnings(D(120), None, completion_target=D(0)), [])  # no target set
