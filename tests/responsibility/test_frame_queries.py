"""The frame every logged-in page pays before its own queries, pinned; and the two things that make
it small kept honest: permissions from one query answer as Django's ModelBackend does, and the
session is written every few minutes instead of on every request, with idle expiry kept."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Notification, NotificationKind
from assessment.notices.backends import InboxModelBackend
from responsibility import roles
from responsibility.context_processors import site
from responsibility.models import Membership, User
from tests.factories import make_unit, make_user

INBOX = reverse("assessment:inbox")
HOME = reverse("home")
LOGIN = reverse("login")
PASSWORD = "Liangxi-Anquan-2026"

# session; the user with its unread count and whether it has memberships; permissions + groups
CITY_FRAME = 3
# … and the memberships, for the navigation
UNIT_FRAME = 4
# the inbox's own: the count of the user's notices, the page of them
INBOX_OWN = 2
# a session write inside the test's transaction: savepoint, UPDATE django_session, release
SESSION_WRITE = 3


def add_notice(user) -> None:
    Notification.objects.create(
        recipient=user, kind=NotificationKind.REPORT_DUE, key=f"frame:{user.pk}", title="提醒", text="x"
    )


class FrameQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = make_unit(name="梁溪区", code="liangxi")
        cls.leader = make_user(city_role=roles.LEADER, name="王市长")
        cls.office = make_user(city_role=roles.OFFICE)
        cls.inspector = make_user(city_role=roles.INSPECTOR)
        cls.reporter = make_user(unit=cls.unit, name="张填报")
        for user in (cls.leader, cls.office, cls.inspector, cls.reporter):
            add_notice(user)

    def count(self, url: str):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries), response

    def test_a_city_users_page_pays_three_queries_of_frame(self):
        for user in (self.leader, self.office, self.inspector):
            with self.subTest(user.groups.get().name):
                self.client.force_login(user)
                n, response = self.count(INBOX)
                self.assertEqual(n, CITY_FRAME + INBOX_OWN)
                self.assertEqual(response.context["nav_memberships"], [])
                self.assertEqual(response.context["nav_city_roles"], [user.groups.get().name])
                self.assertTrue(response.context["nav_sees_all"])

    def test_the_leaders_header_names_the_role_and_the_navigation_has_the_city_pages(self):
        self.client.force_login(self.leader)
        n, response = self.count(INBOX)
        self.assertEqual(n, CITY_FRAME + INBOX_OWN)
        self.assertContains(response, "王市长")
        self.assertContains(response, roles.LEADER)
        self.assertContains(response, "驾驶舱")
        self.assertNotContains(response, "本单位")
        self.assertFalse(response.context["nav_can_manage"])

    def test_a_unit_reporters_page_pays_four_and_shows_the_unit(self):
        self.client.force_login(self.reporter)
        n, response = self.count(INBOX)
        self.assertEqual(n, UNIT_FRAME + INBOX_OWN)
        self.assertEqual([m.unit for m in response.context["nav_memberships"]], [self.unit])
        self.assertEqual(response.context["nav_city_roles"], [])
        self.assertFalse(response.context["nav_sees_all"])
        self.assertContains(response, "梁溪区填报员")
        self.assertContains(response, self.unit.get_absolute_url())

    def test_the_frame_does_not_grow_with_roles_or_memberships(self):
        both = make_user(city_role=roles.INSPECTOR, unit=self.unit)
        both.groups.add(Group.objects.get(name=roles.OFFICE))
        make_user(unit=make_unit(name="锡山区", code="xishan"))  # someone else's membership
        Membership.objects.create(user=both, unit=make_unit(name="惠山区", code="huishan"), role="head")
        add_notice(both)
        self.client.force_login(both)
        n, response = self.count(INBOX)
        self.assertEqual(n, UNIT_FRAME + INBOX_OWN)
        self.assertEqual(response.context["nav_city_roles"], [roles.OFFICE, roles.INSPECTOR])
        self.assertEqual({m.unit.name for m in response.context["nav_memberships"]}, {"梁溪区", "惠山区"})

    def test_after_the_refresh_period_the_page_also_writes_the_session(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.leader)
        with time_machine.travel(start + timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1), tick=False):
            n, _ = self.count(INBOX)
        self.assertEqual(n, CITY_FRAME + INBOX_OWN + SESSION_WRITE)

    def test_a_user_loaded_without_the_backends_annotation_still_gets_the_navigation(self):
        # Not knowing whether there are memberships (no has_memberships), the navigation asks.
        for user, units in ((self.reporter, [self.unit]), (self.leader, [])):
            request = RequestFactory().get(INBOX)
            request.user = User.objects.get(pk=user.pk)
            with self.assertNumQueries(2):  # permissions with group names; memberships
                nav = site(request)
            self.assertEqual([m.unit for m in nav["nav_memberships"]], units)


class PermissionParityTests(TestCase):
    """The one-query permissions answer exactly as Django's ModelBackend, for every kind of user."""

    @classmethod
    def setUpTestData(cls):
        unit = make_unit()
        cls.users = {
            "office": make_user(city_role=roles.OFFICE),
            "leader": make_user(city_role=roles.LEADER),
            "inspector": make_user(city_role=roles.INSPECTOR),
            "reporter": make_user(unit=unit),
            "head": make_user(unit=unit, unit_role="head"),
            "superuser": make_user(is_superuser=True, is_staff=True),
            "inactive": make_user(city_role=roles.OFFICE, is_active=False),
            "direct": make_user(),
            "empty_group": make_user(),
            "leader_and_empty_group": make_user(city_role=roles.LEADER),
        }
        cls.direct_perm = Permission.objects.get(codename="change_unit")
        cls.users["direct"].user_permissions.add(cls.direct_perm)
        cls.users["superuser"].groups.add(Group.objects.get(name=roles.INSPECTOR))
        empty = Group.objects.create(name="临时组")
        cls.users["empty_group"].groups.add(empty)
        cls.users["leader_and_empty_group"].groups.add(empty)
        cls.perms = [
            roles.MANAGE,
            roles.VIEW_ALL_UNITS,
            roles.INSPECT,
            "responsibility.change_unit",
            "auth.view_group",
        ]

    def fresh(self, name: str):
        """The user as each request loads it, through the login backend."""
        user = self.users[name]
        if not user.is_active:  # the backend does not load a stopped account: take the row
            return type(user).objects.get(pk=user.pk)
        return InboxModelBackend().get_user(user.pk)

    def backend_answers(self, backend, user) -> dict:
        return {
            "all": backend.get_all_permissions(user),
            "user": backend.get_user_permissions(user),
            "group": backend.get_group_permissions(user),
            "has": {perm: backend.has_perm(user, perm) for perm in self.perms},
            "module": {app: backend.has_module_perms(user, app) for app in ("responsibility", "auth")},
        }

    def user_answers(self, user) -> dict:
        """What the views, the admin and the templates ask: the user's own methods, and the roles."""
        return {
            "all": user.get_all_permissions(),
            "user": user.get_user_permissions(),
            "group": user.get_group_permissions(),
            "has": {perm: user.has_perm(perm) for perm in self.perms},
            "has_all": user.has_perms(self.perms[:2]),
            "module": {app: user.has_module_perms(app) for app in ("responsibility", "auth")},
            "roles": (roles.can_manage(user), roles.sees_all_units(user), roles.can_inspect(user)),
            "city_roles": roles.city_roles(user),
        }

    def test_the_backend_answers_as_model_backend_for_every_kind_of_user(self):
        for name in self.users:
            with self.subTest(name):
                self.assertEqual(
                    self.backend_answers(InboxModelBackend(), self.fresh(name)),
                    self.backend_answers(ModelBackend(), self.fresh(name)),
                )

    def test_the_user_answers_as_with_model_backend_for_every_kind_of_user(self):
        with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]):
            django = {name: self.user_answers(self.fresh(name)) for name in self.users}
        ours = {name: self.user_answers(self.fresh(name)) for name in self.users}
        for name in self.users:
            with self.subTest(name):
                self.assertEqual(ours[name], django[name])

    def test_the_answers_are_the_ones_the_roles_promise(self):
        answers = {name: self.user_answers(self.fresh(name))["has"] for name in self.users}
        self.assertEqual(
            {name: sorted(p for p, yes in has.items() if yes) for name, has in answers.items()},
            {
                "office": sorted([roles.MANAGE, roles.VIEW_ALL_UNITS, roles.INSPECT]),
                "leader": [roles.VIEW_ALL_UNITS],
                "inspector": sorted([roles.VIEW_ALL_UNITS, roles.INSPECT]),
                "reporter": [],
                "head": [],
                "superuser": sorted(self.perms),
                "inactive": [],
                "direct": ["responsibility.change_unit"],
                "empty_group": [],
                "leader_and_empty_group": [roles.VIEW_ALL_UNITS],
            },
        )

    def test_permissions_and_group_names_come_in_one_query_and_are_kept_for_the_request(self):
        for name in ("office", "leader", "inspector", "reporter", "direct", "empty_group", "superuser"):
            with self.subTest(name):
                user = self.fresh(name)
                with self.assertNumQueries(1):
                    InboxModelBackend().get_all_permissions(user)
                with self.assertNumQueries(0):
                    for perm in self.perms:
                        InboxModelBackend().has_perm(user, perm)
                    InboxModelBackend().get_user_permissions(user)
                    InboxModelBackend().get_group_permissions(user)
                    roles.city_roles(user)

    def test_city_roles_are_the_users_groups_with_or_without_the_cache(self):
        for name in self.users:
            with self.subTest(name):
                uncached = roles.city_roles(self.fresh(name))  # from user.groups, as before
                user = self.fresh(name)
                InboxModelBackend().get_all_permissions(user)
                self.assertEqual(roles.city_roles(user), uncached)
        self.assertEqual(roles.city_roles(self.fresh("superuser")), [roles.INSPECTOR])
        self.assertEqual(roles.city_roles(self.fresh("leader_and_empty_group")), [roles.LEADER])
        self.assertEqual(roles.city_roles(self.fresh("reporter")), [])

    def test_a_group_without_permissions_still_counts_as_the_users_group(self):
        Group.objects.get(name=roles.INSPECTOR).permissions.clear()
        user = self.fresh("inspector")
        self.assertEqual(InboxModelBackend().get_all_permissions(user), set())
        self.assertEqual(user._group_names_cache, {roles.INSPECTOR})
        self.assertEqual(roles.city_roles(user), [roles.INSPECTOR])
        self.assertFalse(user.has_perm(roles.VIEW_ALL_UNITS))
        other = self.fresh("empty_group")
        InboxModelBackend().get_all_permissions(other)
        self.assertEqual(other._group_names_cache, {"临时组"})

    def test_object_permissions_and_anonymous_users_get_none(self):
        office = self.fresh("office")
        backend = InboxModelBackend()
        self.assertEqual(backend.get_all_permissions(office, obj=object()), set())
        self.assertEqual(backend.get_group_permissions(office, obj=object()), set())
        self.assertFalse(backend.has_perm(office, roles.MANAGE, obj=object()))
        self.assertEqual(backend.get_all_permissions(AnonymousUser()), set())
        self.assertEqual(roles.city_roles(AnonymousUser()), [])


class SessionRefreshTests(TestCase):
    """The session is saved at most every SESSION_REFRESH_SECONDS; idle expiry stays a working day."""

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user(username="liangxi_tb", password=PASSWORD, unit=make_unit())

    def expire_date(self):
        key = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        return Session.objects.get(session_key=key).expire_date

    def session_writes(self, url: str = HOME) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return sum("django_session" in q["sql"] and not q["sql"].startswith("SELECT") for q in queries)

    def test_within_the_refresh_period_no_request_writes_the_session(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.assertRedirects(
                self.client.post(LOGIN, {"username": "liangxi_tb", "password": PASSWORD}), HOME
            )
            logged_in_until = self.expire_date()
            self.assertEqual(logged_in_until, start + timedelta(seconds=settings.SESSION_COOKIE_AGE))
            self.assertEqual(self.session_writes(), 0)  # the first page after logging in, too
        with time_machine.travel(start + timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 1), tick=False):
            self.assertEqual(self.session_writes(), 0)
            self.assertEqual(self.session_writes(INBOX), 0)
        self.assertEqual(self.expire_date(), logged_in_until)

    def test_after_the_refresh_period_a_request_pushes_the_expiry_back_once(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.user)
            logged_in_until = self.expire_date()
        later = start + timedelta(seconds=settings.SESSION_REFRESH_SECONDS)
        with time_machine.travel(later, tick=False):
            self.assertEqual(self.session_writes(), 1)
            self.assertEqual(self.session_writes(), 0)  # and the next request does not again
        self.assertEqual(self.expire_date(), later + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        self.assertGreater(self.expire_date(), logged_in_until)
        # The cookie, too, now lasts a working day from the refresh.
        self.assertEqual(
            self.client.cookies[settings.SESSION_COOKIE_NAME]["max-age"], settings.SESSION_COOKIE_AGE
        )

    def test_idle_for_a_working_day_logs_out_even_when_the_last_requests_wrote_nothing(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.user)
        last = start + timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 10)
        with time_machine.travel(last, tick=False):
            self.assertEqual(self.session_writes(), 0)  # active, but inside the refresh period
        # Idle since `last`: the session ends a working day after its last save, which is less than
        # SESSION_REFRESH_SECONDS short of a working day after the last request.
        with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1), tick=False):
            self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next=/")

    def test_a_session_from_before_the_refresh_stamp_is_written_once(self):
        self.client.force_login(self.user)
        session = self.client.session
        del session["_refreshed_at"]  # as a session saved before this middleware existed
        session.save()
        self.assertEqual(self.session_writes(), 1)
        self.assertEqual(self.session_writes(), 0)

    def test_logging_out_leaves_no_session_behind(self):
        self.client.force_login(self.user)
        key = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.client.post(reverse("logout"))
        self.assertFalse(Session.objects.filter(session_key=key).exists())
        self.assertFalse(Session.objects.exists())
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next=/")
        self.assertFalse(Session.objects.exists())  # an anonymous visit creates none
