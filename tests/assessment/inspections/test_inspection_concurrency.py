"""An inspector verifying and the 安委办 rejecting the same rectification at the same moment, on
PostgreSQL: one wins, the other is told, and nothing is half-written."""

import threading
import unittest
from datetime import date

from django.db import connection, connections
from django.test import TransactionTestCase

from assessment.inspections import services
from assessment.models import Finding, FindingStatus, Notification, NotificationKind
from responsibility import roles
from tests.assessment.inspections.test_inspections import finding_input, record, upload
from tests.factories import make_unit, make_user, make_year


@unittest.skipUnless(connection.vendor == "postgresql", "needs real row locks: CI runs this on PostgreSQL")
class ConcurrentStepTests(TransactionTestCase):
    def test_verify_and_reject_on_the_same_version_one_wins_the_other_gets_the_conflict(self):
        make_year(2026)
        unit = make_unit(name="梁溪区", code="liangxi")
        reporter = make_user(unit=unit)
        inspector = make_user(city_role=roles.INSPECTOR, name="钱立")
        office = make_user(city_role=roles.OFFICE, name="赵安平")
        finding = record(inspector, [unit], [finding_input(unit, deadline=date(2026, 12, 31))]).findings.get()
        services.report_rectification(
            finding, by=reporter, text="已整改", files=[upload("e.pdf", b"%PDF-1.4", "pdf")], version=1
        )
        version = Finding.objects.get(pk=finding.pk).version
        start = threading.Barrier(2)
        outcomes = {}

        def act(name, step):
            try:
                start.wait()
                step()
                outcomes[name] = "done"
            except services.StaleFindingError as error:
                outcomes[name] = error.messages[0]
            finally:
                connections.close_all()

        steps = {
            "verify": lambda: services.verify_finding(finding, by=inspector, version=version),
            "reject": lambda: services.reject_rectification(
                finding, by=office, reason="不合格", version=version
            ),
        }
        threads = [threading.Thread(target=act, args=item) for item in steps.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        self.assertEqual(sorted(o == "done" for o in outcomes.values()), [False, True], outcomes)
        stored = Finding.objects.get(pk=finding.pk)
        self.assertEqual(stored.version, version + 1)
        if outcomes["verify"] == "done":
            self.assertEqual(stored.status, FindingStatus.VERIFIED)
            self.assertIn("钱立已于", outcomes["reject"])
            self.assertFalse(Notification.objects.filter(kind=NotificationKind.FINDING_REJECTED).exists())
        else:
            self.assertEqual((stored.status, stored.rejection_reason), (FindingStatus.OPEN, "不合格"))
            self.assertIn("赵安平已于", outcomes["verify"])
