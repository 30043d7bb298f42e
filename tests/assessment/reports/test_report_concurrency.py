"""Two people saving the same report at the same moment on PostgreSQL: one wins, one is told."""

import threading
import unittest
from datetime import date
from decimal import Decimal

from django.db import connection, connections
from django.test import TransactionTestCase

from assessment.models import Report
from assessment.reports import services as report_services
from responsibility import services
from responsibility.models import LetterStatus, ResponsibilityLetter
from tests.factories import make_indicator, make_unit, make_user, make_year


@unittest.skipUnless(connection.vendor == "postgresql", "needs real row locks: CI runs this on PostgreSQL")
class ConcurrentSaveTests(TransactionTestCase):
    def test_two_saves_on_the_same_version_one_wins_the_other_gets_the_conflict(self):
        year = make_year(2026)
        unit = make_unit(name="梁溪区", code="liangxi")
        make_indicator(code="C2", source="entered", weights={"district": "100.00"})
        services.create_letters(year, services.plan_letters(year))
        ResponsibilityLetter.objects.update(
            status=LetterStatus.SIGNED, issued_on=date(2026, 2, 1), doc_seq=1, signed_on=date(2026, 2, 2)
        )
        target = ResponsibilityLetter.objects.get().targets.get()
        first, second = make_user(unit=unit, name="甲"), make_user(unit=unit, name="乙")
        report_services.save_reports(
            unit,
            year,
            3,
            [report_services.RowInput(target, Decimal(1), "", None, [])],
            user=first,
            submit=False,
            today=date(2026, 10, 5),
        )
        version = Report.objects.get().version
        start = threading.Barrier(2)
        results = {}

        def save(user, value):
            try:
                start.wait()
                results[user.name] = report_services.save_reports(
                    unit,
                    year,
                    3,
                    [report_services.RowInput(target, Decimal(value), "", version, [])],
                    user=user,
                    submit=False,
                    today=date(2026, 10, 5),
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=args) for args in ((first, 70), (second, 80))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        outcomes = sorted(len(conflicts) for conflicts in results.values())
        self.assertEqual(outcomes, [0, 1], "exactly one save wins")
        loser = next(conflicts for conflicts in results.values() if conflicts)[0]
        stored = Report.objects.get()
        self.assertEqual(stored.version, version + 1)
        self.assertEqual(loser.stored.value, stored.value)  # the loser is shown what is stored now
        self.assertNotEqual(loser.typed.value, stored.value)  # and keeps what they typed
