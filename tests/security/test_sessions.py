"""Sessions: a new key at login, gone at logout, ended everywhere when the password changes or the
account is stopped, and a cookie that scripts cannot read. (Idle expiry: tests/responsibility/test_auth.)"""

from django.conf import settings
from django.test import Client, TestCase
from django.urls import reverse

from responsibility import roles
from tests.factories import make_unit, make_user

LOGIN = reverse("login")
HOME = reverse("home")
PASSWORD = "Liangxi-Anquan-2026"


class SessionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = make_unit(name="梁溪区", code="liangxi")
        cls.user = make_user(username="liangxi_tb", password=PASSWORD, unit=cls.unit)
        cls.office = make_user(city_role=roles.OFFICE)

    def log_in(self, client: Client) -> Client:
        response = client.post(LOGIN, {"username": "liangxi_tb", "password": PASSWORD})
        self.assertRedirects(response, HOME)
        return client

    def assertLoggedOut(self, client: Client):
        self.assertRedirects(client.get(HOME), f"{LOGIN}?next=/")

    def test_logging_in_gives_a_new_session_key(self):
        # A session key planted before login (session fixation) is not the one that is logged in.
        self.client.get(LOGIN)
        session = self.client.session
        session["planted"] = True
        session.save()
        planted = session.session_key
        self.log_in(self.client)
        self.assertNotEqual(self.client.cookies[settings.SESSION_COOKIE_NAME].value, planted)

    def test_the_session_cookie_is_http_only_and_same_site(self):
        response = self.client.post(LOGIN, {"username": "liangxi_tb", "password": PASSWORD})
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")

    def test_logging_out_ends_the_session_for_good(self):
        self.log_in(self.client)
        key = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.client.post(reverse("logout"))
        stolen = Client()
        stolen.cookies[settings.SESSION_COOKIE_NAME] = key  # the old cookie, replayed
        self.assertLoggedOut(stolen)

    def test_changing_the_password_ends_the_other_sessions_but_not_this_one(self):
        here, elsewhere = self.log_in(Client()), self.log_in(Client())
        response = here.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Taihu-Xincheng-2026",
                "new_password2": "Taihu-Xincheng-2026",
            },
        )
        self.assertRedirects(response, HOME)
        self.assertEqual(here.get(HOME).status_code, 200)
        self.assertLoggedOut(elsewhere)

    def test_a_password_reset_by_the_office_ends_the_persons_sessions(self):
        person = self.log_in(Client())
        self.client.force_login(self.office)
        self.client.post(reverse("responsibility:person_reset_password", args=[self.user.pk]))
        self.assertLoggedOut(person)

    def test_a_stopped_account_is_logged_out_at_its_next_request(self):
        person = self.log_in(Client())
        self.client.force_login(self.office)
        self.client.post(reverse("responsibility:person_set_active", args=[self.user.pk]), {"active": "0"})
        self.assertLoggedOut(person)
        response = person.post(LOGIN, {"username": "liangxi_tb", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)  # and cannot log in again
