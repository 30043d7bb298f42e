"""The inbox and the bell: each person sees and clears only their own notices, in fixed queries."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Notification, NotificationKind
from assessment.notices.backends import InboxModelBackend
from responsibility import roles
from tests.factories import make_unit, make_user

INBOX = reverse("assessment:inbox")


def make_notice(user, n: int, *, read: bool = False, link: str = "/reports/", **fields) -> Notification:
    fields.setdefault("kind", NotificationKind.REPORT_DUE)
    fields.setdefault("title", f"提醒{n}")
    fields.setdefault("text", f"梁溪区：第{n}条提醒。")
    return Notification.objects.create(
        recipient=user,
        key=f"test:{user.pk}:{n}",
        link=link,
        created_at=timezone.now() - timedelta(minutes=100 - n),
        read_at=timezone.now() if read else None,
        **fields,
    )


class InboxPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        unit = make_unit(name="梁溪区", code="liangxi")
        cls.reporter = make_user(username="liangxi_tb", unit=unit)
        cls.other = make_user(username="xishan_tb", unit=make_unit(name="锡山区", code="xishan"))
        cls.office = make_user(city_role=roles.OFFICE)
        cls.old = make_notice(cls.reporter, 1, read=True, title="已读的提醒")
        cls.new = make_notice(cls.reporter, 2, title="新的提醒", kind=NotificationKind.REPORT_OVERDUE)
        cls.others = make_notice(cls.other, 3, title="锡山区的提醒")
        cls.office_notice = make_notice(cls.office, 4, title="安委办的提醒")

    def setUp(self):
        self.client.force_login(self.reporter)

    def test_the_inbox_lists_only_the_users_own_notices_newest_first(self):
        response = self.client.get(INBOX)
        self.assertEqual([n.title for n in response.context["page"]], ["新的提醒", "已读的提醒"])
        self.assertNotContains(response, "锡山区的提醒")
        self.assertNotContains(response, "安委办的提醒")  # the 安委办 too keeps its inbox to itself
        self.assertContains(response, "填报逾期")  # the kind, as a badge
        self.assertContains(
            response, "未读", count=3
        )  # the tab, its count's label… and the one unread notice

    def test_unread_only(self):
        response = self.client.get(INBOX, {"show": "unread"})
        self.assertEqual([n.title for n in response.context["page"]], ["新的提醒"])

    def test_an_empty_inbox_says_what_will_arrive(self):
        self.client.force_login(make_user())
        response = self.client.get(INBOX)
        self.assertContains(response, "暂无提醒。")
        self.assertContains(response, "季度填报截止前 7 天、3 天、1 天和逾期后")

    def test_opening_a_notice_marks_it_read_and_follows_its_link(self):
        response = self.client.get(reverse("assessment:inbox_open", args=[self.new.pk]))
        self.assertRedirects(response, "/reports/", fetch_redirect_response=False)
        self.new.refresh_from_db()
        self.assertIsNotNone(self.new.read_at)
        first_read = self.new.read_at
        self.client.get(reverse("assessment:inbox_open", args=[self.new.pk]))
        self.new.refresh_from_db()
        self.assertEqual(self.new.read_at, first_read)  # read once: the first time stays

    def test_a_link_off_the_site_is_not_followed(self):
        notice = make_notice(self.reporter, 9, link="https://evil.example/")
        response = self.client.get(reverse("assessment:inbox_open", args=[notice.pk]))
        self.assertRedirects(response, INBOX)

    def test_another_persons_notice_is_a_404(self):
        for name in ("inbox_open", "inbox_read"):
            with self.subTest(name):
                method = self.client.get if name == "inbox_open" else self.client.post
                self.assertEqual(
                    method(reverse(f"assessment:{name}", args=[self.others.pk])).status_code, 404
                )
        self.others.refresh_from_db()
        self.assertIsNone(self.others.read_at)

    def test_marking_one_read_returns_to_the_page_it_was_on(self):
        url = reverse("assessment:inbox_read", args=[self.new.pk])
        response = self.client.post(url, {"next": f"{INBOX}?show=unread"})
        self.assertRedirects(response, f"{INBOX}?show=unread")
        self.new.refresh_from_db()
        self.assertIsNotNone(self.new.read_at)
        response = self.client.post(url, {"next": "https://evil.example/"})
        self.assertRedirects(response, INBOX)

    def test_marking_all_read_touches_only_the_users_own(self):
        make_notice(self.reporter, 5)
        response = self.client.post(reverse("assessment:inbox_read_all"), follow=True)
        self.assertContains(response, "已将 2 条提醒标为已读。")
        self.assertFalse(Notification.objects.filter(recipient=self.reporter, read_at__isnull=True).exists())
        self.others.refresh_from_db()
        self.assertIsNone(self.others.read_at)
        response = self.client.post(reverse("assessment:inbox_read_all"), follow=True)
        self.assertContains(response, "没有未读的提醒。")

    def test_pages_of_twenty(self):
        for n in range(10, 35):
            make_notice(self.reporter, n)
        first = self.client.get(INBOX)
        self.assertEqual(len(first.context["page"]), 20)
        self.assertContains(first, "第 1 / 2 页，共 27 条")
        second = self.client.get(INBOX, {"page": 2})
        self.assertEqual(len(second.context["page"]), 7)
        self.assertEqual(second.context["page"][6].title, "已读的提醒")


class BellTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reporter = make_user(username="liangxi_tb", password="Secret-pass-123")
        cls.other = make_user()
        for n in range(3):
            make_notice(cls.reporter, n)
        make_notice(cls.reporter, 3, read=True)
        make_notice(cls.other, 4)

    def test_every_page_shows_the_unread_count_on_the_bell(self):
        self.client.force_login(self.reporter)
        for url in (reverse("home"), reverse("responsibility:unit_list"), INBOX):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, 'data-testid="bell-count">3</span>', html=False)
                self.assertContains(response, 'aria-label="站内提醒，3 条未读"')

    def test_no_badge_when_everything_is_read(self):
        self.client.force_login(self.reporter)
        self.client.post(reverse("assessment:inbox_read_all"))
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'data-testid="bell"')
        self.assertNotContains(response, "bell-count")

    def test_more_than_99_shows_99_plus(self):
        user = make_user()
        Notification.objects.bulk_create(
            Notification(recipient=user, kind="report_due", key=f"many:{n}", title="t", text="x")
            for n in range(120)
        )
        self.client.force_login(user)
        self.assertContains(
            self.client.get(reverse("home")), 'data-testid="bell-count">99+</span>', html=False
        )

    def test_logging_in_with_a_password_goes_through_the_inbox_backend(self):
        response = self.client.post(
            reverse("login"), {"username": "liangxi_tb", "password": "Secret-pass-123"}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.client.session["_auth_user_backend"], "assessment.notices.backends.InboxModelBackend"
        )
        self.assertEqual(response.context["user"].unread_notifications, 3)
        self.assertEqual(settings.AUTHENTICATION_BACKENDS[0], "axes.backends.AxesStandaloneBackend")

    def test_the_backend_loads_the_user_with_the_count_in_one_query(self):
        with self.assertNumQueries(1):
            user = InboxModelBackend().get_user(self.reporter.pk)
        self.assertEqual(user.unread_notifications, 3)
        self.assertEqual(InboxModelBackend().get_user(self.other.pk).unread_notifications, 1)
        self.assertEqual(InboxModelBackend().get_user(make_user().pk).unread_notifications, 0)
        self.assertIsNone(InboxModelBackend().get_user(999999))
        self.assertIsNone(InboxModelBackend().get_user(make_user(is_active=False).pk))

    def test_the_request_user_carries_the_count(self):
        self.client.force_login(self.reporter)
        request = RequestFactory().get("/")
        request.session = self.client.session
        self.assertEqual(request.session[SESSION_KEY], str(self.reporter.pk))
        self.assertEqual(get_user(request).unread_notifications, 3)


class InboxQueryTests(TestCase):
    """Pinned like tests/responsibility/test_queries.py: the frame of 4 for a unit's reporter
    (session, user with the unread count, permissions with groups, memberships), plus the page's own."""

    @classmethod
    def setUpTestData(cls):
        cls.reporter = make_user(unit=make_unit())

    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_the_inbox_costs_the_same_for_3_notices_and_for_60(self):
        self.client.force_login(self.reporter)
        for n in range(3):
            make_notice(self.reporter, n)
        # frame (session, user with the unread count, permissions with groups, memberships); count; page
        small = {url: self.count(url) for url in (INBOX, f"{INBOX}?show=unread")}
        for n in range(3, 60):
            make_notice(self.reporter, n, read=n % 2 == 0)
        large = {url: self.count(url) for url in (INBOX, f"{INBOX}?show=unread", f"{INBOX}?page=2")}
        self.assertEqual(small, {INBOX: 4 + 2, f"{INBOX}?show=unread": 4 + 2})
        self.assertEqual(large, small | {f"{INBOX}?page=2": 4 + 2})

    def test_the_bell_adds_no_query_to_a_page(self):
        self.client.force_login(self.reporter)
        before = self.count(reverse("responsibility:unit_list"))
        for n in range(30):
            make_notice(self.reporter, n)
        self.assertEqual(self.count(reverse("responsibility:unit_list")), before)

    def test_marking_read(self):
        self.client.force_login(self.reporter)
        notice = make_notice(self.reporter, 1)
        for n in range(2, 40):
            make_notice(self.reporter, n)
        with CaptureQueriesContext(connection) as read_one:
            self.client.post(reverse("assessment:inbox_read", args=[notice.pk]))
        with CaptureQueriesContext(connection) as read_all:
            self.client.post(reverse("assessment:inbox_read_all"))
        # the frame before the view (session, user); the notice; its update (no session save)
        self.assertEqual(len(read_one), 4)
        # the frame; one update (the message rides in a cookie, and the session is not saved)
        self.assertEqual(len(read_all), 3)
