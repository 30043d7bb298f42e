"""Preparing and issuing a year's letters: carry-over, preview, idempotence and 文号 in sequence."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from responsibility import services
from responsibility.issuing import lower_cap
from responsibility.models import LetterStatus, ResponsibilityLetter, Target, UnitKind
from tests.factories import make_indicator, make_letter, make_target, make_unit, make_year

D = Decimal


class LowerCapTests(SimpleTestCase):
    def test_five_percent_lower_rounded_down_never_below_zero(self):
        cases = {D(5): D(4), D(20): D(19), D(100): D(95), D(1): D(0), D(0): D(0), D(40): D(38)}
        for cap, expected in cases.items():
            with self.subTest(cap=cap):
                self.assertEqual(lower_cap(cap, D(5)), expected)

    def test_no_change_keeps_the_cap_and_no_cap_stays_none(self):
        self.assertEqual(lower_cap(D(7), D(0)), D(7))
        self.assertIsNone(lower_cap(None, D(5)))

    def test_a_cap_above_100_percent_lower_is_zero(self):
        self.assertEqual(lower_cap(D(7), D(150)), D(0))


class PrepareLettersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.y2025 = make_year(2025)
        cls.y2026 = make_year(2026)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", kind=UnitKind.DISTRICT, leader_name="王建国")
        cls.zhujian = make_unit(name="市住房城乡建设局", code="zhujian", kind=UnitKind.DEPT_PROFESSIONAL)
        make_unit(name="已撤销单位", code="gone", active=False)
        cls.deaths = make_indicator(
            code="A1",
            rule="cap_deduction",
            source="derived",
            weights={"district": "60.00", "dept_professional": "50.00"},
            params={"per_unit": "1"},
        )
        cls.tasks = make_indicator(code="C2", weights={"district": "40.00", "dept_professional": "50.00"})
        # Last year: 梁溪区 had a death cap of 20 and a task target of 90.
        last = make_letter(cls.y2025, cls.liangxi, status=LetterStatus.DRAFT)
        make_target(last, cls.deaths, weight=D(60), target_value=D(20), wording="死亡不超过20人")
        make_target(last, cls.tasks, weight=D(30), target_value=D(90), wording="完成90%")

    def test_the_preview_writes_nothing(self):
        before = (ResponsibilityLetter.objects.count(), Target.objects.count())
        plans = services.plan_letters(self.y2026, cap_change_pct=D(5))
        self.assertEqual([p.unit.name for p in plans], ["梁溪区", "市住房城乡建设局"])
        self.assertEqual((ResponsibilityLetter.objects.count(), Target.objects.count()), before)

    def test_caps_carry_over_lowered_and_other_targets_unchanged(self):
        plan = services.plan_letters(self.y2026, cap_change_pct=D(5))[0]
        targets = {t.indicator.code: t for t in plan.targets}
        self.assertEqual(targets["A1"].target_value, D(19))
        self.assertEqual(targets["A1"].wording, "死亡不超过20人")
        self.assertEqual(targets["C2"].target_value, D(90))
        self.assertEqual(targets["C2"].changes(), ["分值 30.00 → 40.00"])
        self.assertEqual(targets["A1"].changes(), ["目标值 20 → 19"])
        self.assertEqual(plan.total_weight, D(100))

    def test_a_unit_without_last_years_letter_gets_the_catalog(self):
        plan = services.plan_letters(self.y2026, cap_change_pct=D(5))[1]
        self.assertEqual(
            [(t.indicator.code, t.weight, t.target_value) for t in plan.targets],
            [
                ("A1", D(50), None),
                ("C2", D(50), None),
            ],
        )
        self.assertEqual(plan.targets[0].changes(), ["新增指标"])

    def test_creating_writes_drafts_and_a_second_run_writes_nothing(self):
        letters = services.create_letters(self.y2026, services.plan_letters(self.y2026, cap_change_pct=D(5)))
        self.assertEqual(len(letters), 2)
        letter = ResponsibilityLetter.objects.get(year=self.y2026, unit=self.liangxi)
        self.assertEqual(letter.status, LetterStatus.DRAFT)
        self.assertEqual(letter.leader_name, "王建国")
        self.assertEqual(letter.targets.get(indicator=self.deaths).target_value, D(19))
        self.assertEqual(letter.history.count(), 1)
        again = services.create_letters(self.y2026, services.plan_letters(self.y2026, cap_change_pct=D(5)))
        self.assertEqual(again, [])
        self.assertEqual(ResponsibilityLetter.objects.filter(year=self.y2026).count(), 2)
        self.assertEqual(Target.objects.filter(letter__year=self.y2026).count(), 4)

    def test_an_issued_letter_is_never_touched(self):
        services.create_letters(self.y2026, services.plan_letters(self.y2026))
        issued = services.issue_letters(
            self.y2026,
            [ResponsibilityLetter.objects.get(year=self.y2026, unit=self.liangxi).pk],
            issued_on=date(2026, 2, 1),
            issuer_name="市长",
        )[0]
        self.deaths.weights = {"district": "70.00", "dept_professional": "50.00"}
        self.deaths.save()
        services.create_letters(self.y2026, services.plan_letters(self.y2026))
        issued.refresh_from_db()
        self.assertEqual(issued.status, LetterStatus.ISSUED)
        self.assertEqual(issued.targets.get(indicator=self.deaths).weight, D(60))

    def test_queries_do_not_grow_with_units(self):
        def count():
            ResponsibilityLetter.objects.filter(year=self.y2026).delete()
            with CaptureQueriesContext(connection) as queries:
                services.create_letters(self.y2026, services.plan_letters(self.y2026, cap_change_pct=D(5)))
            return len(queries)

        small = count()
        for i in range(40):
            make_unit(name=f"部门{i}", code=f"dept{i}", kind=UnitKind.DEPT_PROFESSIONAL)
        self.assertEqual(count(), small)


class IssueLettersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.units = [make_unit(name=f"单位{i}", code=f"u{i}", sort_order=i) for i in range(3)]
        make_indicator(code="A1", weights={"district": "100.00"})

    def setUp(self):
        services.create_letters(self.year, services.plan_letters(self.year))
        self.letters = list(ResponsibilityLetter.objects.order_by("unit__sort_order"))

    def issue(self, letters):
        return services.issue_letters(
            self.year, [letter.pk for letter in letters], issued_on=date(2026, 2, 1), issuer_name="市长"
        )

    def test_numbers_follow_the_city_order_and_continue_without_gaps(self):
        self.issue(self.letters[1:])
        self.issue(self.letters[:1])
        numbers = dict(ResponsibilityLetter.objects.values_list("unit__name", "doc_number"))
        self.assertEqual(
            numbers,
            {"单位1": "锡安委〔2026〕1号", "单位2": "锡安委〔2026〕2号", "单位0": "锡安委〔2026〕3号"},
        )

    def test_issuing_again_does_not_renumber(self):
        self.issue(self.letters)
        self.assertEqual(self.issue(self.letters), [])
        self.assertEqual(sorted(ResponsibilityLetter.objects.values_list("doc_seq", flat=True)), [1, 2, 3])

    def test_a_letter_not_totalling_100_is_refused_and_nothing_is_issued(self):
        target = self.letters[0].targets.get()
        target.weight = D(90)
        target.save()
        with self.assertRaisesMessage(ValidationError, "单位0（90.00 分）"):
            self.issue(self.letters)
        self.assertFalse(ResponsibilityLetter.objects.exclude(status=LetterStatus.DRAFT).exists())
