"""Every `next` posted back goes only to this site's own paths: never to another host.

Review, review-by-unit, reopen, 标为已读 and the adjustment's delete carry the page to return to as
a hidden field, so anybody can post any value. A path of this site is followed; anything else (a
host, a scheme, a protocol-relative or backslashed URL, a control character) goes to the view's
own page.
"""

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from assessment.models import Notification, NotificationKind, ReportStatus
from responsibility.redirects import is_own_path
from tests.assessment.factories import make_report
from tests.factories import make_indicator, make_letter, make_office_user, make_unit, make_user, make_year

HOSTILE = [
    "https://evil.example/",
    "http://evil.example/assessment/review/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/review/\nLocation: https://evil.example/",
    " https://evil.example/",
    "",
]


class OwnPathTests(SimpleTestCase):
    def test_only_paths_of_this_site_are_followed(self):
        for url in HOSTILE:
            with self.subTest(url=url):
                self.assertFalse(is_own_path(url))
        for url in ["/", "/review/?status=submitted&page=2", "/assessment/2026/adjustments/#a1"]:
            with self.subTest(url=url):
                self.assertTrue(is_own_path(url))


class PostedNextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        year = make_year(2026)
        cls.unit = make_unit(name="临江区", code="linjiang")
        indicator = make_indicator(code="QX-01", name="隐患整改率")
        letter = make_letter(year, cls.unit, seq=1, indicators=[indicator])
        cls.target = letter.targets.get()
        cls.office = make_office_user(username="ajb")
        cls.reporter = make_user(username="linjiang_tb", unit=cls.unit)

    def setUp(self):
        self.client.force_login(self.office)

    def assertSentTo(self, response, url):
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], url)

    def test_review_reopen_and_review_by_unit_go_back_only_to_this_site(self):
        queue = reverse("assessment:review_queue")
        report = make_report(self.target, status=ReportStatus.SUBMITTED)
        posts = [
            (reverse("assessment:report_review", args=[report.pk]), {"action": "return", "comment": "补充"}),
            (
                reverse("assessment:report_review_unit", args=[self.unit.pk, 2026, 3]),
                {"action": "return", "comment": "补充"},
            ),
            (reverse("assessment:report_reopen", args=[report.pk]), {"reason": "数据有误"}),
        ]
        for url, data in posts:
            for hostile in HOSTILE:
                with self.subTest(url=url, next=hostile):
                    self.assertSentTo(self.client.post(url, data | {"next": hostile}), queue)
            with self.subTest(url=url, next="own"):
                own = f"{queue}?status=returned"
                self.assertSentTo(self.client.post(url, data | {"next": own}), own)

    def test_marking_a_notice_read_goes_back_only_to_this_site(self):
        notice = Notification.objects.create(
            recipient=self.reporter,
            key="test:redirect",
            kind=NotificationKind.REPORT_DUE,
            title="催报",
            text="请填报。",
            link="https://evil.example/",
        )
        self.client.force_login(self.reporter)
        inbox = reverse("assessment:inbox")
        for hostile in HOSTILE:
            with self.subTest(next=hostile):
                response = self.client.post(
                    reverse("assessment:inbox_read", args=[notice.pk]), {"next": hostile}
                )
                self.assertSentTo(response, inbox)
        self.assertSentTo(self.client.get(reverse("assessment:inbox_open", args=[notice.pk])), inbox)
