"""Accident grades by 国务院令第493号: each bound, the highest criterion winning, and the saved grade."""

from decimal import Decimal

from django.test import SimpleTestCase, TestCase

from assessment.models import AccidentGrade
from assessment.rules import grading
from assessment.rules.grading import ESPECIALLY_MAJOR, LARGER, MAJOR, ORDINARY, accident_grade
from tests.assessment.factories import make_accident


def grade(deaths: int = 0, injuries: int = 0, loss: str = "0") -> str:
    return accident_grade(deaths, injuries, Decimal(loss))


class GradeBoundaryTests(SimpleTestCase):
    def test_deaths_bounds_include_the_lower_bound(self):
        cases = {0: ORDINARY, 2: ORDINARY, 3: LARGER, 9: LARGER, 10: MAJOR, 29: MAJOR, 30: ESPECIALLY_MAJOR}
        for deaths, expected in cases.items():
            with self.subTest(deaths=deaths):
                self.assertEqual(grade(deaths=deaths), expected)

    def test_serious_injury_bounds(self):
        cases = {9: ORDINARY, 10: LARGER, 49: LARGER, 50: MAJOR, 99: MAJOR, 100: ESPECIALLY_MAJOR}
        for injuries, expected in cases.items():
            with self.subTest(injuries=injuries):
                self.assertEqual(grade(injuries=injuries), expected)

    def test_direct_loss_bounds_in_wan_yuan(self):
        cases = {
            "999.99": ORDINARY,
            "1000": LARGER,
            "1000.00": LARGER,
            "4999.99": LARGER,
            "5000": MAJOR,
            "9999.99": MAJOR,
            "10000": ESPECIALLY_MAJOR,
        }
        for loss, expected in cases.items():
            with self.subTest(loss=loss):
                self.assertEqual(grade(loss=loss), expected)

    def test_the_highest_criterion_wins(self):
        cases = [
            ((2, 10, "0"), LARGER),  # few deaths, but 10 serious injuries
            ((3, 50, "0"), MAJOR),  # 较大 by deaths, 重大 by injuries
            ((1, 0, "10000"), ESPECIALLY_MAJOR),  # one death, 1 亿元 of loss
            ((30, 0, "999.99"), ESPECIALLY_MAJOR),
            ((9, 49, "4999.99"), LARGER),  # each just under 重大
            ((2, 9, "999.99"), ORDINARY),  # each just under 较大
            ((10, 9, "1000"), MAJOR),
        ]
        for (deaths, injuries, loss), expected in cases:
            with self.subTest(deaths=deaths, injuries=injuries, loss=loss):
                self.assertEqual(grade(deaths, injuries, loss), expected)

    def test_at_least_orders_the_grades(self):
        self.assertTrue(grading.at_least(MAJOR, LARGER))
        self.assertTrue(grading.at_least(LARGER, LARGER))
        self.assertFalse(grading.at_least(ORDINARY, LARGER))


class SavedGradeTests(TestCase):
    def test_saving_sets_the_grade_from_the_figures(self):
        accident = make_accident(deaths=3, serious_injuries=0, direct_loss=Decimal("5"))
        accident.refresh_from_db()
        self.assertEqual(accident.grade, AccidentGrade.LARGER)

    def test_saving_again_recomputes_the_grade(self):
        accident = make_accident(deaths=2)
        self.assertEqual(accident.grade, AccidentGrade.ORDINARY)

        accident.deaths = 10
        accident.save()
        accident.refresh_from_db()
        self.assertEqual(accident.grade, AccidentGrade.MAJOR)

        accident.deaths = 0
        accident.direct_loss = Decimal("10000.00")
        accident.save(update_fields=["deaths", "direct_loss"])  # the grade is written with them
        accident.refresh_from_db()
        self.assertEqual(accident.grade, AccidentGrade.ESPECIALLY_MAJOR)

    def test_a_typed_grade_is_overwritten(self):
        accident = make_accident(deaths=0, grade=AccidentGrade.MAJOR)
        accident.refresh_from_db()
        self.assertEqual(accident.grade, AccidentGrade.ORDINARY)
