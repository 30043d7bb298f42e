"""Two reminder runs at the same moment send each notice, each e-mail and the draft once (PostgreSQL)."""

import threading
import unittest
from collections import Counter
from datetime import date

from django.core import mail
from django.db import connection, connections
from django.test import TransactionTestCase

from assessment.models import Circular, Notification, NotificationKind
from assessment.notices.reminders import send_reminders
from responsibility import roles
from tests.factories import make_indicator, make_letter, make_unit, make_user, make_year

UNITS = 30


@unittest.skipUnless(connection.vendor == "postgresql", "needs real concurrency: CI runs this on PostgreSQL")
class ConcurrentRemindersTests(TransactionTestCase):
    def test_two_runs_at_once_send_each_notice_once(self):
        year = make_year(2026)
        indicators = [make_indicator(code=f"E{i}", weights={"district": "10"}) for i in range(2)]
        for i in range(UNITS):
            unit = make_unit(name=f"单位{i:02d}", code=f"u{i:02d}", sort_order=i)
            make_letter(year, unit, seq=i + 1, indicators=indicators, weight=10)
            make_user(unit=unit, email=f"r{i}@example.gov.cn")
            make_user(unit=unit, unit_role="head", email=f"h{i}@example.gov.cn")
        for n in range(2):
            make_user(city_role=roles.OFFICE, email=f"office{n}@example.gov.cn")
        start = threading.Barrier(2)
        results, errors = [], []

        def run():
            try:
                start.wait()
                # 13 October: overdue to units and heads, and the late units to the 安委办 with a draft.
                results.append(send_reminders(date(2026, 10, 13)))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        self.assertEqual(errors, [])
        expected = {NotificationKind.REPORT_OVERDUE: 2 * UNITS, NotificationKind.REPORT_LATE_UNITS: 2}
        written = Counter(Notification.objects.values_list("kind", flat=True))
        self.assertEqual(dict(written), expected)
        # What the two runs say they wrote adds up to what is there: nothing counted twice.
        for kind, n in expected.items():
            self.assertEqual(sum(result[kind] for result in results), n)
        self.assertEqual(Circular.objects.count(), 1)
        self.assertEqual(sum(result["circulars_drafted"] for result in results), 1)
        # Each e-mail once (the delivery locks the rows it sends), and every notice marked e-mailed.
        recipients = Counter(address for message in mail.outbox for address in message.to)
        self.assertEqual(len(recipients), 2 * UNITS + 2)
        self.assertEqual(set(recipients.values()), {1})
        self.assertFalse(Notification.objects.filter(emailed_at__isnull=True).exists())
