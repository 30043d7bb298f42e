"""Logging in and out: the Chinese login page, lockout after five failures, one-time passwords, idle expiry."""

from datetime import timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_unit, make_user

LOGIN = "/accounts/login/"


class LoginTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = make_unit(name="梁溪区")
        cls.user = make_user(username="liangxi_tb", password="Right-pass-2026", unit=cls.unit)

    def _login(self, password, username="liangxi_tb"):
        return self.client.post(LOGIN, {"username": username, "password": password})

    def test_login_page_is_in_chinese(self):
        response = self.client.get(LOGIN)
        self.assertContains(response, "用户名")
        self.assertContains(response, "密码")
        self.assertContains(response, '<html lang="zh-CN">')

    def test_wrong_password_says_so_in_chinese_and_keeps_the_username(self):
        response = self._login("wrong")
        self.assertContains(response, "用户名或密码不正确")
        self.assertContains(response, 'value="liangxi_tb"')

    def test_right_password_lands_on_the_home_page(self):
        response = self._login("Right-pass-2026")
        self.assertRedirects(response, reverse("home"))

    def test_five_failures_lock_that_username_at_that_address_for_fifteen_minutes(self):
        codes = [self._login("wrong").status_code for _ in range(5)]
        self.assertEqual(codes, [200, 200, 200, 200, 429])
        locked = self._login("Right-pass-2026")
        self.assertContains(locked, "锁定 15 分钟", status_code=429)
        # Another user at the same address is not locked out.
        make_user(username="other", password="Other-pass-2026")
        self.assertEqual(self._login("Other-pass-2026", username="other").status_code, 302)
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            self.assertRedirects(self._login("Right-pass-2026"), reverse("home"))

    def test_four_failures_then_success_resets_the_count(self):
        for _ in range(4):
            self._login("wrong")
        self.assertEqual(self._login("Right-pass-2026").status_code, 302)
        self.client.logout()
        self.assertEqual([self._login("wrong").status_code for _ in range(4)], [200] * 4)

    def test_logout_ends_the_session(self):
        self.client.force_login(self.user)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, LOGIN)
        self.assertRedirects(self.client.get(reverse("home")), f"{LOGIN}?next=/")

    def test_a_working_day_idle_ends_the_session_but_activity_keeps_it(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.client.force_login(self.user)
        with time_machine.travel(start + timedelta(hours=7), tick=False):
            self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        with time_machine.travel(start + timedelta(hours=14), tick=False):
            # Seven hours after the last request: still inside the idle limit.
            self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        with time_machine.travel(start + timedelta(hours=22, minutes=1), tick=False):
            self.assertRedirects(self.client.get(reverse("home")), f"{LOGIN}?next=/")


class OneTimePasswordTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user(username="new_tb", password="Temp-pass-1", must_change_password=True)

    def setUp(self):
        self.client.force_login(self.user)

    def test_every_page_leads_to_the_password_change_until_it_is_done(self):
        for url in [
            reverse("home"),
            reverse("responsibility:unit_list"),
            reverse("responsibility:year_list"),
        ]:
            self.assertRedirects(self.client.get(url), reverse("password_change"))
        response = self.client.get(reverse("password_change"))
        self.assertContains(response, "一次性密码")

    def test_a_weak_new_password_is_refused_in_chinese(self):
        response = self.client.post(
            reverse("password_change"), {"new_password1": "12345678", "new_password2": "12345678"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "密码")
        self.assertContains(response, "is-invalid")
        self.user.refresh_from_db()
        self.assertTrue(self.user.must_change_password)

    def test_changing_it_clears_the_flag_and_keeps_the_user_logged_in(self):
        response = self.client.post(
            reverse("password_change"),
            {"new_password1": "Liangxi-Anquan-77", "new_password2": "Liangxi-Anquan-77"},
            follow=True,
        )
        self.assertRedirects(response, reverse("home"))
        self.assertContains(response, "密码已修改")
        self.user.refresh_from_db()
        self.assertFalse(self.user.must_change_password)
        self.assertTrue(self.user.check_password("Liangxi-Anquan-77"))

    def test_logout_is_allowed_before_changing(self):
        self.assertRedirects(self.client.post(reverse("logout")), LOGIN)


class LanguageTests(TestCase):
    def test_pages_are_chinese_even_for_an_english_browser(self):
        user = make_user(city_role="安委办")
        for i in range(30):
            make_unit(name=f"单位{i}", code=f"lang{i}")
        self.client.force_login(user)
        response = self.client.get(reverse("responsibility:unit_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, "下一页")
        self.assertNotContains(response, ">next<")
