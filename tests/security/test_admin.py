"""The Django admin (/admin/) is for staff only, and its login is throttled like the site's."""

from django.test import TestCase

from responsibility import roles
from tests.factories import make_unit, make_user

ADMIN_LOGIN = "/admin/login/"


class AdminAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        unit = make_unit(name="梁溪区", code="liangxi")
        cls.people = {
            "reporter": make_user(unit=unit, unit_role="reporter"),
            "head": make_user(unit=unit, unit_role="head"),
            "inspector": make_user(city_role=roles.INSPECTOR),
            "leader": make_user(city_role=roles.LEADER),
            "office": make_user(city_role=roles.OFFICE),
        }
        cls.staff = make_user(username="houtai", password="Houtai-Admin-2026", is_staff=True)
        cls.superuser = make_user(is_staff=True, is_superuser=True)

    def test_anonymous_and_every_role_without_staff_go_to_the_admin_login(self):
        # Django's admin sends anyone who is not active staff to its own login page (302), which
        # then says the account may not enter; it never shows the admin's pages.
        for path in ["/admin/", "/admin/responsibility/unit/", "/admin/assessment/accident/"]:
            for role, user in [("anonymous", None), *self.people.items()]:
                with self.subTest(path=path, role=role):
                    self.client.logout()
                    if user:
                        self.client.force_login(user)
                    response = self.client.get(path)
                    self.assertRedirects(
                        response, f"{ADMIN_LOGIN}?next={path}", fetch_redirect_response=False
                    )

    def test_a_non_staff_account_cannot_log_in_to_the_admin_with_its_right_password(self):
        make_user(username="liangxi_tb", password="Right-pass-2026")
        response = self.client.post(ADMIN_LOGIN, {"username": "liangxi_tb", "password": "Right-pass-2026"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "工作人员")  # "请输入一个正确的 工作人员 帐号和密码"
        self.assertRedirects(self.client.get("/admin/"), f"{ADMIN_LOGIN}?next=/admin/")

    def test_staff_see_the_admin_and_only_the_models_they_have_permissions_for(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertEqual(self.client.get("/admin/responsibility/unit/").status_code, 403)
        self.client.force_login(self.superuser)
        self.assertEqual(self.client.get("/admin/responsibility/unit/").status_code, 200)

    def test_the_admin_login_locks_after_five_wrong_passwords(self):
        def attempt(password):
            return self.client.post(ADMIN_LOGIN, {"username": "houtai", "password": password})

        self.assertEqual([attempt("wrong").status_code for _ in range(5)], [200, 200, 200, 200, 429])
        locked = attempt("Houtai-Admin-2026")
        self.assertContains(locked, "锁定 15 分钟", status_code=429)
        self.assertRedirects(self.client.get("/admin/"), f"{ADMIN_LOGIN}?next=/admin/")

    def test_the_site_login_and_the_admin_login_share_one_count(self):
        for _ in range(3):
            self.client.post("/accounts/login/", {"username": "houtai", "password": "wrong"})
        codes = [
            self.client.post(ADMIN_LOGIN, {"username": "houtai", "password": "wrong"}).status_code
            for _ in range(2)
        ]
        self.assertEqual(codes, [200, 429])
