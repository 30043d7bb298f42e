"""generate_load: a small big city on the test database, refused twice, rebuilt with --replace."""

import io
from collections import Counter
from datetime import date
from decimal import Decimal

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.test import TestCase

from assessment.models import Accident, Report, ReportStatus
from assessment.rules.grading import accident_grade
from responsibility.models import (
    GROUP_OF_KIND,
    Indicator,
    LetterStatus,
    Membership,
    MembershipRole,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitGroup,
    User,
    Year,
    weight_totals,
)
from tests.factories import make_indicator, make_unit

UNITS, YEARS = 6, 2


def run(**options) -> str:
    out = io.StringIO()
    call_command("generate_load", units=UNITS, years=YEARS, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Unit, User, Membership, Indicator, Year, ResponsibilityLetter, Target, Report, Accident)
    return {model.__name__: model.objects.count() for model in models} | {
        "departments": Accident.departments.through.objects.count()
    }


@time_machine.travel(date(2026, 11, 28))
class GenerateLoadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = run()

    def test_says_what_it_wrote_and_that_history_is_not_written(self):
        self.assertIn("history rows are not written", self.output)
        self.assertIn("720", self.output)  # 6 units × 60 targets × 2 years = 720 targets
        self.assertIn("2880 reports", self.output)

    def test_unit_mix_codes_names_and_people(self):
        units = Unit.objects.filter(code__startswith="load").order_by("sort_order")
        self.assertEqual(units.count(), UNITS)
        self.assertEqual(units.first().name, "负载单位001")
        groups = Counter(GROUP_OF_KIND[unit.kind] for unit in units)
        self.assertEqual(
            groups,
            {
                UnitGroup.TERRITORY: 1,
                UnitGroup.PROFESSIONAL: 3,
                UnitGroup.GENERAL: 1,
                UnitGroup.ENTERPRISE: 1,
            },
        )
        for unit in units:
            roles = set(Membership.objects.filter(unit=unit).values_list("role", flat=True))
            self.assertEqual(roles, {MembershipRole.REPORTER, MembershipRole.HEAD})
            self.assertEqual(Membership.objects.filter(unit=unit).count(), 5)
        users = User.objects.filter(username__startswith="load")
        self.assertFalse(User.objects.exclude(username__startswith="load").exists())
        self.assertEqual(len(set(users.values_list("password", flat=True))), 1)  # one hash, computed once
        self.assertTrue(users.get(username="load001_r1").check_password("Load-pass-2026"))

    def test_sixty_indicators_of_one_hundred_points_for_every_kind_in_use(self):
        indicators = Indicator.objects.filter(code__startswith="L")
        self.assertEqual(
            sorted(indicators.values_list("code", flat=True)), [f"L{n:02d}" for n in range(1, 61)]
        )
        self.assertEqual(set(indicators.values_list("source", flat=True)), {"entered"})
        self.assertGreaterEqual(len(set(indicators.values_list("rule", flat=True))), 4)
        totals = weight_totals(indicators.filter(active=True))
        for kind in set(Unit.objects.values_list("kind", flat=True)):
            self.assertEqual(totals[kind], Decimal(100), kind)

    def test_a_signed_letter_of_sixty_targets_per_unit_and_year(self):
        years = list(Year.objects.order_by("year").values_list("year", flat=True))
        self.assertEqual(years, [2025, 2026])
        letters = ResponsibilityLetter.objects.annotate(n=Count("targets"))
        self.assertEqual(letters.count(), UNITS * YEARS)
        for letter in letters:
            self.assertEqual(letter.status, LetterStatus.SIGNED)
            self.assertEqual(letter.n, 60)
            self.assertTrue(letter.doc_number and letter.signed_on)
        for letter in ResponsibilityLetter.objects.all():
            self.assertEqual(sum(t.weight for t in letter.targets.all()), Decimal(100))
        self.assertEqual(
            ResponsibilityLetter.objects.values("unit", "year").distinct().count(), UNITS * YEARS
        )

    def test_four_approved_reports_per_target_and_year(self):
        reports = Report.objects.all()
        self.assertEqual(reports.count(), UNITS * 60 * 4 * YEARS)
        self.assertEqual(set(reports.values_list("status", flat=True)), {ReportStatus.APPROVED})
        per_target = set(reports.values("target").annotate(n=Count("pk")).values_list("n", flat=True))
        self.assertEqual(per_target, {4})
        # the denormalised unit and year agree with the letter
        self.assertFalse(reports.exclude(unit=F("target__letter__unit")).exists())
        self.assertFalse(reports.exclude(year=F("target__letter__year")).exists())
        # cumulative values never fall from one quarter to the next
        values = {(r.target_id, r.quarter): r.value for r in reports}
        for (target, quarter), value in values.items():
            if quarter > 1:
                self.assertGreaterEqual(value, values[target, quarter - 1])
        self.assertFalse(reports.filter(submitted_by=None).exists())
        self.assertFalse(reports.filter(reviewed_at=None).exists())

    def test_accidents_each_year_with_departments_and_computed_grades(self):
        for year in (2025, 2026):
            self.assertTrue(Accident.objects.filter(occurred_at__year=year).exists(), year)
        territorial = {UnitGroup.TERRITORY}
        for accident in Accident.objects.prefetch_related("departments"):
            self.assertEqual(
                accident.grade,
                accident_grade(accident.deaths, accident.serious_injuries, accident.direct_loss),
            )
            self.assertIn(GROUP_OF_KIND[accident.unit.kind], territorial)
            self.assertTrue(accident.departments.all())

    def test_a_second_run_refuses_and_writes_nothing(self):
        before = counts()
        with self.assertRaisesMessage(CommandError, "--replace"):
            run()
        self.assertEqual(counts(), before)

    def test_replace_rebuilds_the_same_counts(self):
        before = counts()
        output = run(replace=True)
        self.assertIn("delete previous load data", output)
        self.assertEqual(counts(), before)
        self.assertEqual(
            sorted(Unit.objects.values_list("code", flat=True)), [f"load{n:03d}" for n in range(1, 7)]
        )

    def test_other_data_is_left_alone_and_its_catalog_keeps_its_totals(self):
        unit = make_unit(code="liangxi", name="梁溪区")
        indicator = make_indicator(code="A1", weights={"district": "100"})
        run(replace=True)
        self.assertTrue(Unit.objects.filter(pk=unit.pk).exists())
        self.assertTrue(Indicator.objects.filter(pk=indicator.pk, active=True).exists())
        # a second active catalog would give every kind 200 points: the load catalog stays inactive
        self.assertFalse(Indicator.objects.filter(code__startswith="L", active=True).exists())
        self.assertEqual(weight_totals(Indicator.objects.active())["district"], Decimal(100))
        self.assertEqual(Report.objects.count(), UNITS * 60 * 4 * YEARS)
