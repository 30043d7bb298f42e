"""Notices are written once per key and e-mailed once; people without e-mail get the inbox only."""

from django.core import mail
from django.test import TestCase

from assessment.models import Notification
from assessment.notices.services import Notice, deliver_pending, notify
from tests.factories import make_user


class NotifyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = make_user(email="alice@wuxi.gov.cn", name="王丽")
        cls.bob = make_user(email="")

    def notices(self, rung="7d"):
        return [
            Notice(
                user.pk,
                "report_due",
                f"report_due:2026-3:{rung}:{user.pk}",
                "三季度填报将于7天后截止",
                "请填报",
                "/reports/",
            )
            for user in (self.alice, self.bob)
        ]

    def test_a_key_is_written_once(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            self.assertEqual(notify(self.notices()), 2)
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(notify(self.notices()), 0)
        self.assertEqual(notify(self.notices(rung="3d")), 2)  # the next rung is another notice
        self.assertEqual(Notification.objects.count(), 4)

    def test_each_notice_is_emailed_once_and_only_to_people_with_an_address(self):
        with self.captureOnCommitCallbacks(execute=True):
            notify(self.notices())
        self.assertEqual(len(mail.outbox), 1)  # the eager task ran after the commit
        message = mail.outbox[0]
        self.assertEqual(message.to, ["alice@wuxi.gov.cn"])
        self.assertIn("王丽", message.body)
        opened = Notification.objects.get(recipient=self.alice)
        self.assertIn(f"http://127.0.0.1:8000/inbox/{opened.pk}/open/", message.body)
        self.assertEqual(Notification.objects.filter(emailed_at__isnull=True).count(), 0)
        self.assertEqual(deliver_pending(), 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_without_email_the_notice_waits_in_the_inbox_for_the_next_delivery(self):
        notify(self.notices(), email=False)
        self.assertEqual(len(mail.outbox), 0)
        self.assertEqual(deliver_pending(), 2)
        self.assertEqual(len(mail.outbox), 1)
