"""Two people issuing letters at the same moment never get the same 文号 (PostgreSQL row locks)."""

import threading
import unittest
from datetime import date

from django.db import connection, connections
from django.test import TransactionTestCase

from responsibility import services
from responsibility.models import ResponsibilityLetter
from tests.factories import make_indicator, make_unit, make_year


@unittest.skipUnless(connection.vendor == "postgresql", "needs real row locks: CI runs this on PostgreSQL")
class ConcurrentIssueTests(TransactionTestCase):
    def test_two_issuers_at_once_get_consecutive_numbers_without_gaps_or_repeats(self):
        year = make_year(2026)
        make_indicator(code="A1", weights={"district": "100.00"})
        for i in range(20):
            make_unit(name=f"区{i:02d}", code=f"d{i:02d}", sort_order=i)
        services.create_letters(year, services.plan_letters(year))
        ids = list(ResponsibilityLetter.objects.order_by("unit__sort_order").values_list("pk", flat=True))
        halves = [ids[0::2], ids[1::2]]
        start = threading.Barrier(2)
        errors = []

        def issue(letter_ids):
            try:
                start.wait()
                services.issue_letters(year, letter_ids, issued_on=date(2026, 2, 1), issuer_name="市长")
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=issue, args=(half,)) for half in halves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        self.assertEqual(errors, [])
        numbers = sorted(ResponsibilityLetter.objects.values_list("doc_seq", flat=True))
        self.assertEqual(numbers, list(range(1, 21)))
        self.assertEqual(len(set(ResponsibilityLetter.objects.values_list("doc_number", flat=True))), 20)
