"""Password rules on the change-password page: refused in Chinese at the field, nothing saved.

The rules are AUTH_PASSWORD_VALIDATORS: at least 8 characters, not all digits, not a common
password, not like the username or e-mail address. Changing a password one chose oneself also asks
for the current one; the one-time password handed out by the 安委办 was proven by logging in.
"""

from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_unit, make_user

URL = reverse("password_change")
CURRENT = "Liangxi-Anquan-2026"

REFUSED = {
    "short": ("Ab1!xyz", "密码太短，至少需要 8 个字符。"),
    "numeric only": ("20262026202620", "密码只包含数字。"),
    "common": ("password123", "这个密码太常见了。"),
    "common, keyboard": ("qwertyuiop", "这个密码太常见了。"),
    "like the username": ("liangxi_tb1", "密码跟 用户名 太相似了。"),
    "the username in capitals": ("LIANGXI_TB", "密码跟 用户名 太相似了。"),
    "like the e-mail address": ("sunli.liangxi", "密码跟 电子邮件地址 太相似了。"),
}


class PasswordRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        unit = make_unit(name="梁溪区", code="liangxi")
        cls.user = make_user(
            username="liangxi_tb",
            name="孙丽",
            email="sunli.liangxi@example.invalid",
            password=CURRENT,
            unit=unit,
        )

    def setUp(self):
        self.client.force_login(self.user)

    def change(self, new: str, *, current: str = CURRENT, again: str | None = None):
        data = {
            "old_password": current,
            "new_password1": new,
            "new_password2": new if again is None else again,
        }
        return self.client.post(URL, data)

    def assertUnchanged(self):
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password(CURRENT))

    def test_the_rules_in_force_are_the_four_validators(self):
        names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
        self.assertEqual(
            names,
            [
                "UserAttributeSimilarityValidator",
                "MinimumLengthValidator",
                "CommonPasswordValidator",
                "NumericPasswordValidator",
            ],
        )

    def test_the_rules_address_the_person_as_nin(self):
        response = self.client.get(URL)
        self.assertContains(response, "您的密码必须包含至少 8 个字符。")
        self.assertContains(response, "您的密码不能全都是数字。")
        self.assertNotContains(response, "你")

    def test_each_weak_password_is_refused_in_chinese_at_the_field(self):
        for case, (password, message) in REFUSED.items():
            with self.subTest(case):
                response = self.change(password)
                self.assertEqual(response.status_code, 200)
                self.assertContains(
                    response,
                    f'<div class="invalid-feedback d-block" data-field-error="new_password2">✗ {message}</div>',
                    html=True,
                )
                self.assertNotContains(response, "This password")
                self.assertContains(response, "is-invalid")
                self.assertUnchanged()

    def test_a_short_password_names_every_rule_it_breaks(self):
        response = self.change("12345")
        form = response.context["form"]
        self.assertEqual(
            form.errors["new_password2"],
            ["密码太短，至少需要 8 个字符。", "这个密码太常见了。", "密码只包含数字。"],
        )

    def test_the_rules_are_listed_in_chinese_beside_the_new_password(self):
        response = self.client.get(URL)
        for text in ("必须包含至少 8 个字符", "不能是一个常见密码", "不能全都是数字", "个人信息太相似"):
            self.assertContains(response, text)

    def test_two_different_new_passwords_are_refused(self):
        response = self.change("Taihu-Xincheng-2026", again="Taihu-Xincheng-2027")
        self.assertContains(response, "输入的两个密码不一致。")
        self.assertUnchanged()

    def test_the_current_password_is_asked_for_and_checked(self):
        response = self.change("Taihu-Xincheng-2026", current="")
        self.assertContains(response, "请填写当前密码。")
        response = self.change("Taihu-Xincheng-2026", current="not-my-password")
        self.assertContains(response, "当前密码不正确，请重新输入。")
        self.assertUnchanged()

    def test_a_good_password_with_the_current_one_is_saved(self):
        response = self.change("Taihu-Xincheng-2026")
        self.assertRedirects(response, reverse("home"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password("Taihu-Xincheng-2026"))

    def test_a_one_time_password_is_changed_without_typing_it_again(self):
        newcomer = make_user(
            username="xinwu_tb", name="钱新", password="Temp-pass-1", must_change_password=True
        )
        self.client.force_login(newcomer)
        self.assertNotContains(self.client.get(URL), 'name="old_password"')
        response = self.client.post(URL, {"new_password1": "12345678", "new_password2": "12345678"})
        self.assertContains(response, "这个密码太常见了。")
        response = self.client.post(
            URL, {"new_password1": "Taihu-Xincheng-2026", "new_password2": "Taihu-Xincheng-2026"}
        )
        self.assertRedirects(response, reverse("home"))


class PersonalPasswordTests(TestCase):
    """The person's own 姓名 and unit are no password, nor is the current one; guessing it locks out."""

    @classmethod
    def setUpTestData(cls):
        unit = make_unit(name="临江区", code="linjiang")
        cls.user = make_user(username="tb_0371", name="孙立", password=CURRENT, unit=unit)

    def setUp(self):
        self.client.force_login(self.user)

    def change(self, new: str, *, current: str = CURRENT):
        return self.client.post(URL, {"old_password": current, "new_password1": new, "new_password2": new})

    def assertUnchanged(self):
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password(CURRENT))

    def test_a_password_made_of_the_name_or_the_unit_is_refused(self):
        for password, what in [
            ("孙立孙立2026", "姓名"),
            ("孙立@20261231", "姓名"),
            ("临江区2026!!", "单位"),
            ("Linjiang2026", "单位"),
        ]:
            with self.subTest(password):
                response = self.change(password)
                self.assertContains(response, f"密码跟 {what} 太相似了。")
                self.assertUnchanged()

    def test_the_name_inside_a_longer_password_is_allowed(self):
        self.assertRedirects(self.change("孙立爱太湖-Xincheng"), reverse("home"))

    def test_the_current_password_is_not_a_new_one(self):
        response = self.change(CURRENT)
        self.assertContains(
            response,
            '<div class="invalid-feedback d-block" data-field-error="new_password1">✗ 新密码不能与当前密码相同。</div>',
            html=True,
        )

    def test_a_one_time_password_is_not_kept_as_the_new_one(self):
        newcomer = make_user(
            username="xinwu_tb", name="钱新", password="Temp-pass-1x", must_change_password=True
        )
        self.client.force_login(newcomer)
        response = self.client.post(URL, {"new_password1": "Temp-pass-1x", "new_password2": "Temp-pass-1x"})
        self.assertContains(response, "新密码不能与当前密码相同。")

    def test_wrong_current_passwords_count_toward_the_lockout(self):
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            with self.subTest(attempt=attempt):
                self.assertContains(
                    self.change("Taihu-Xincheng-2026", current=f"guess-{attempt}"), "当前密码不正确"
                )
        response = self.change("Taihu-Xincheng-2026", current="guess-last")
        self.assertContains(response, "登录已暂时锁定", status_code=429)
        self.assertUnchanged()
        # The session is over, and the right password does not let the guesser back in for now.
        self.assertRedirects(self.client.get(URL), f"{reverse('login')}?next={URL}")
        login = self.client.post(reverse("login"), {"username": "tb_0371", "password": CURRENT})
        self.assertContains(login, "登录已暂时锁定", status_code=429)
