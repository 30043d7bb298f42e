"""Two people publishing circulars at the same moment never get the same 文号 (PostgreSQL row locks)."""

import threading
import unittest
from unittest import mock

from django.db import connection, connections
from django.test import TransactionTestCase

from assessment.circulars import services as circular_services
from assessment.models import Circular, CircularKind
from tests.factories import make_office_user, make_year


@unittest.skipUnless(connection.vendor == "postgresql", "needs real row locks: CI runs this on PostgreSQL")
class ConcurrentPublishTests(TransactionTestCase):
    def test_publishing_at_once_gives_consecutive_numbers_and_one_publish_per_draft(self):
        year = make_year(2026)
        office = make_office_user()
        drafts = [
            Circular.objects.create(
                year=year, period=3, kind=CircularKind.SITUATION, title=f"通报{i}", body="正文"
            )
            for i in range(6)
        ]
        # Each draft is published twice at once (two people pressing 发布): one wins, one is refused.
        jobs = [draft for draft in drafts for _ in range(2)]
        start = threading.Barrier(len(jobs))
        refused, errors = [], []

        def publish(draft):
            try:
                start.wait()
                circular_services.publish_circular(draft, user=office, version=1)
            except circular_services.ValidationError:
                refused.append(draft.pk)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connections.close_all()

        with mock.patch.object(circular_services, "enqueue_notices"):
            threads = [threading.Thread(target=publish, args=(draft,)) for draft in jobs]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)

        self.assertEqual(errors, [])
        self.assertEqual(sorted(refused), sorted(d.pk for d in drafts))
        numbers = sorted(Circular.objects.values_list("doc_seq", flat=True))
        self.assertEqual(numbers, list(range(1, 7)))
        self.assertEqual(len(set(Circular.objects.values_list("doc_number", flat=True))), 6)
