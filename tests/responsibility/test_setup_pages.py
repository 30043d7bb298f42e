"""The 安委办's setup pages, through the real URLs: bad input is refused at the field in plain
Chinese, what was typed stays in the form, and nothing is saved; good input is saved and
leaves a change record naming the editor."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from responsibility.models import Indicator, Membership, Unit, User, Year
from tests.factories import make_indicator, make_office_user, make_unit, make_user, make_year


def field_error(field: str, message: str) -> str:
    """The error line the form template renders under a field."""
    return f'<div class="invalid-feedback d-block" data-field-error="{field}">✗ {message}</div>'


def input_value(name: str, value: str) -> re.Pattern:
    """An <input name=... value=...> as re-rendered from what was posted."""
    return re.compile(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="{re.escape(value)}"')


class SetupPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.office = make_office_user(username="anweiban", name="安委办张三")

    def setUp(self):
        self.client.force_login(self.office)

    def assertFieldError(self, response, field: str, message: str, status_code: int = 200):
        self.assertContains(response, field_error(field, message), status_code=status_code)

    def assertTyped(self, response, name: str, value: str):
        self.assertRegex(response.content.decode(), input_value(name, value))


# --- units -----------------------------------------------------------------------------


class UnitFormPageTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liangxi = make_unit(code="liangxi", name="梁溪区", leader_name="王建国")
        cls.reporter = make_user(unit=cls.liangxi, unit_role="reporter")

    def post_unit(self, url, **overrides):
        data = {"code": "xinwu", "name": "新吴区", "kind": "district", "sort_order": "20"} | overrides
        return self.client.post(url, data)

    def test_duplicate_code_is_refused_at_the_field_and_kept_in_the_form(self):
        response = self.post_unit(reverse("responsibility:unit_create"), code="liangxi", name="新吴区")

        self.assertEqual(response.status_code, 200)
        self.assertFieldError(response, "code", "代码已被其他单位使用。")
        self.assertTyped(response, "code", "liangxi")
        self.assertTyped(response, "name", "新吴区")
        self.assertFalse(Unit.objects.filter(name="新吴区").exists())
        self.assertEqual(Unit.objects.count(), 1)

    def test_duplicate_name_is_refused_at_the_field(self):
        response = self.post_unit(reverse("responsibility:unit_create"), code="liangxi2", name="梁溪区")

        self.assertEqual(response.status_code, 200)
        self.assertFieldError(response, "name", "已有同名单位。")
        self.assertTyped(response, "code", "liangxi2")
        self.assertTyped(response, "name", "梁溪区")
        self.assertFalse(Unit.objects.filter(code="liangxi2").exists())

    def test_missing_name_is_refused_at_the_field(self):
        response = self.post_unit(reverse("responsibility:unit_create"), name="", leader_name="赵六")

        self.assertEqual(response.status_code, 200)
        self.assertFieldError(response, "name", "请填写单位名称。")
        self.assertTyped(response, "code", "xinwu")
        self.assertTyped(response, "leader_name", "赵六")
        self.assertFalse(Unit.objects.filter(code="xinwu").exists())

    def test_valid_unit_is_created(self):
        response = self.post_unit(reverse("responsibility:unit_create"))

        unit = Unit.objects.get(code="xinwu")
        self.assertRedirects(response, unit.get_absolute_url())
        self.assertEqual((unit.name, unit.kind, unit.sort_order), ("新吴区", "district", 20))

    def test_edit_page_shows_the_code_disabled(self):
        response = self.client.get(reverse("responsibility:unit_edit", args=[self.liangxi.pk]))

        self.assertRegex(
            response.content.decode(), r'<input[^>]*name="code"[^>]*value="liangxi"[^>]*disabled'
        )

    def test_code_cannot_be_changed_on_edit(self):
        url = reverse("responsibility:unit_edit", args=[self.liangxi.pk])
        response = self.post_unit(url, code="hacked", name="梁溪区", leader_name="李四")

        self.assertRedirects(response, self.liangxi.get_absolute_url())
        unit = Unit.objects.get(pk=self.liangxi.pk)
        self.assertEqual(unit.code, "liangxi")
        self.assertEqual(unit.leader_name, "李四")
        self.assertFalse(Unit.objects.filter(code="hacked").exists())

    def test_edit_with_missing_name_saves_nothing(self):
        url = reverse("responsibility:unit_edit", args=[self.liangxi.pk])
        response = self.post_unit(url, name="", leader_name="李四")

        self.assertFieldError(response, "name", "请填写单位名称。")
        self.assertTyped(response, "leader_name", "李四")
        unit = Unit.objects.get(pk=self.liangxi.pk)
        self.assertEqual((unit.name, unit.leader_name), ("梁溪区", "王建国"))


class UnitDeactivationTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.active_unit = make_unit(code="xishan", name="锡山区")
        cls.unit = make_unit(code="huishan", name="惠山区")
        cls.member = make_user(unit=cls.unit, unit_role="head")

    def deactivate(self):
        # Follow the redirect, so the success message (which names the unit) is shown and used up.
        return self.client.post(
            reverse("responsibility:unit_set_active", args=[self.unit.pk]), {"active": "0"}, follow=True
        )

    def unit_list(self, query: str = ""):
        return self.client.get(reverse("responsibility:unit_list") + query)

    def test_deactivating_keeps_the_row_and_its_memberships(self):
        response = self.deactivate()

        self.assertRedirects(response, self.unit.get_absolute_url())
        self.assertContains(response, "已停用惠山区；其历史记录全部保留。")
        unit = Unit.objects.get(pk=self.unit.pk)
        self.assertFalse(unit.active)
        self.assertTrue(Membership.objects.filter(unit=unit, user=self.member, role="head").exists())
        page = self.client.get(unit.get_absolute_url())
        self.assertContains(page, "已停用")
        self.assertContains(page, str(self.member))

    def test_deactivation_only_by_post(self):
        response = self.client.get(reverse("responsibility:unit_set_active", args=[self.unit.pk]))

        self.assertEqual(response.status_code, 405)
        self.assertTrue(Unit.objects.get(pk=self.unit.pk).active)

    def test_deactivated_unit_is_listed_with_active_0_filter(self):
        self.deactivate()

        stopped = self.unit_list("?active=0")
        self.assertContains(stopped, "惠山区")
        self.assertNotContains(stopped, "锡山区")
        working = self.unit_list("?active=1")
        self.assertNotContains(working, "惠山区")
        self.assertContains(working, "锡山区")

    def test_deactivated_unit_is_hidden_from_the_default_unit_list(self):
        self.deactivate()

        response = self.unit_list()
        self.assertContains(response, "锡山区")
        self.assertNotContains(response, "惠山区")

    def test_all_filter_lists_active_and_deactivated_units(self):
        self.deactivate()

        response = self.unit_list("?active=all")
        self.assertContains(response, "锡山区")
        self.assertContains(response, "惠山区")

    def test_reactivation_brings_it_back(self):
        self.deactivate()
        response = self.client.post(
            reverse("responsibility:unit_set_active", args=[self.unit.pk]), {"active": "1"}, follow=True
        )

        self.assertContains(response, "已重新启用惠山区。")
        self.assertTrue(Unit.objects.get(pk=self.unit.pk).active)
        self.assertContains(self.unit_list("?active=1"), "惠山区")
        self.assertNotContains(self.unit_list("?active=0"), "惠山区")
        self.assertEqual(Membership.objects.filter(unit=self.unit).count(), 1)


# --- years -----------------------------------------------------------------------------


def year_data(year: int = 2027, **overrides) -> dict:
    data = {
        "year": str(year),
        "status": "planning",
        "q1_deadline": f"{year}-04-10",
        "q2_deadline": f"{year}-07-10",
        "q3_deadline": f"{year}-10-10",
        "q4_deadline": f"{year + 1}-01-10",
        "accident_window_start": f"{year}-01-01",
        "accident_window_end": f"{year}-12-31",
        "excellent_min": "90",
        "good_min": "80",
        "pass_min": "60",
        "bonus_cap": "5",
        "first_tier_percent": "30",
        "second_tier_percent": "40",
    }
    return data | overrides


class YearFormPageTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.existing = make_year(2026)

    def create(self, **overrides):
        return self.client.post(reverse("responsibility:year_create"), year_data(**overrides))

    def assertNoNewYear(self):
        self.assertEqual(list(Year.objects.values_list("year", flat=True)), [2026])

    def test_quarter_deadlines_out_of_order(self):
        response = self.create(q2_deadline="2027-03-31")

        self.assertEqual(response.status_code, 200)
        self.assertFieldError(response, "q2_deadline", "二季度截止日须晚于一季度截止日（2027-04-10）。")
        self.assertTyped(response, "q2_deadline", "2027-03-31")
        self.assertTyped(response, "q1_deadline", "2027-04-10")
        self.assertNoNewYear()

    def test_q4_deadline_not_after_q3(self):
        response = self.create(q4_deadline="2027-10-10")

        self.assertFieldError(response, "q4_deadline", "四季度截止日须晚于三季度截止日（2027-10-10）。")
        self.assertNoNewYear()

    def test_accident_window_end_before_start(self):
        response = self.create(accident_window_start="2027-06-01", accident_window_end="2027-05-31")

        self.assertFieldError(response, "accident_window_end", "事故统计截止日须晚于起始日。")
        self.assertTyped(response, "accident_window_start", "2027-06-01")
        self.assertTyped(response, "accident_window_end", "2027-05-31")
        self.assertNoNewYear()

    def test_good_band_not_below_excellent(self):
        response = self.create(excellent_min="85", good_min="85")

        self.assertContains(response, 'data-field-error="good_min">✗ 良好分数线须低于优秀分数线')
        self.assertFieldError(response, "good_min", "良好分数线须低于优秀分数线（85）。")
        self.assertTyped(response, "good_min", "85")
        self.assertNoNewYear()

    def test_pass_band_not_below_good(self):
        response = self.create(good_min="70", pass_min="75")

        self.assertFieldError(response, "pass_min", "合格分数线须低于良好分数线（70）。")
        self.assertTyped(response, "pass_min", "75")
        self.assertNoNewYear()

    def test_year_outside_2000_to_2100(self):
        for bad in (1999, 2101):
            with self.subTest(year=bad):
                response = self.create(year=bad)

                self.assertFieldError(response, "year", "请填写 2000 至 2100 之间的年份。")
                self.assertTyped(response, "year", str(bad))
                self.assertNoNewYear()

    def test_duplicate_year(self):
        response = self.create(year=2026)

        self.assertFieldError(response, "year", "该年度已存在。")
        self.assertTyped(response, "year", "2026")
        self.assertEqual(Year.objects.count(), 1)

    def test_tier_percents_over_100_refused_at_the_second(self):
        response = self.create(first_tier_percent="60", second_tier_percent="50")

        self.assertFieldError(
            response, "second_tier_percent", "第一、第二等次比例合计不能超过 100（现为 110）。"
        )
        self.assertTyped(response, "first_tier_percent", "60")
        self.assertNoNewYear()

    def test_the_message_names_the_status_given(self):
        response = self.client.post(
            reverse("responsibility:year_create"), year_data(status="open"), follow=True
        )

        self.assertContains(response, "已新增2027年度，状态为执行中。")

    def test_tier_percents_are_saved(self):
        self.create(first_tier_percent="20", second_tier_percent="50")

        year = Year.objects.get(year=2027)
        self.assertEqual((year.first_tier_percent, year.second_tier_percent), (20, 50))

    def test_blank_dates_get_the_defaults(self):
        blanks = {
            name: ""
            for name in [
                "q1_deadline",
                "q2_deadline",
                "q3_deadline",
                "q4_deadline",
                "accident_window_start",
                "accident_window_end",
            ]
        }
        response = self.create(year=2030, **blanks)

        year = Year.objects.get(year=2030)
        self.assertRedirects(response, year.get_absolute_url())
        self.assertEqual(
            year.deadlines(),
            [(1, date(2030, 4, 10)), (2, date(2030, 7, 10)), (3, date(2030, 10, 10)), (4, date(2031, 1, 10))],
        )
        self.assertEqual(
            (year.accident_window_start, year.accident_window_end), (date(2030, 1, 1), date(2030, 12, 31))
        )
        self.assertEqual(year.status, "planning")

    def test_edit_refuses_bad_deadlines_and_keeps_the_old_ones(self):
        url = reverse("responsibility:year_edit", args=[2026])
        response = self.client.post(url, year_data(2026, q3_deadline="2026-07-01"))

        self.assertFieldError(response, "q3_deadline", "三季度截止日须晚于二季度截止日（2026-07-10）。")
        self.assertTyped(response, "q3_deadline", "2026-07-01")
        self.existing.refresh_from_db()
        self.assertEqual(self.existing.q3_deadline, date(2026, 10, 10))


class YearModelValidationTests(TestCase):
    def year(self, **overrides) -> Year:
        fields = {
            "year": 2027,
            "q1_deadline": date(2027, 4, 10),
            "q2_deadline": date(2027, 7, 10),
            "q3_deadline": date(2027, 10, 10),
            "q4_deadline": date(2028, 1, 10),
            "accident_window_start": date(2027, 1, 1),
            "accident_window_end": date(2027, 12, 31),
        } | overrides
        return Year(**fields)

    def test_a_good_year_is_clean(self):
        self.year().clean()

    def test_clean_raises_for_each_bad_setting(self):
        cases = [
            (
                {"q2_deadline": date(2027, 4, 1)},
                "q2_deadline",
                "二季度截止日须晚于一季度截止日（2027-04-10）。",
            ),
            (
                {"q3_deadline": date(2027, 7, 10)},
                "q3_deadline",
                "三季度截止日须晚于二季度截止日（2027-07-10）。",
            ),
            (
                {"q4_deadline": date(2027, 9, 30)},
                "q4_deadline",
                "四季度截止日须晚于三季度截止日（2027-10-10）。",
            ),
            (
                {"accident_window_end": date(2027, 1, 1)},
                "accident_window_end",
                "事故统计截止日须晚于起始日。",
            ),
            ({"good_min": Decimal(90)}, "good_min", "良好分数线须低于优秀分数线（90）。"),
            ({"pass_min": Decimal(85)}, "pass_min", "合格分数线须低于良好分数线（80）。"),
            (
                {"excellent_min": Decimal(101), "good_min": Decimal(80)},
                "excellent_min",
                "分数线不能超过 100 分。",
            ),
            ({"pass_min": Decimal(0)}, "pass_min", "合格分数线须大于 0。"),
            ({"bonus_cap": Decimal(-1)}, "bonus_cap", "加分上限不能为负数。"),
        ]
        for overrides, field, message in cases:
            with self.subTest(field=field, overrides=overrides):
                with self.assertRaises(ValidationError) as raised:
                    self.year(**overrides).clean()
                self.assertEqual(raised.exception.message_dict[field], [message])

    def test_db_rejects_quarter_deadlines_out_of_order(self):
        for bad in (
            {"q2_deadline": date(2027, 4, 1)},
            {"q3_deadline": date(2027, 7, 10)},
            {"q4_deadline": date(2027, 10, 9)},
        ):
            with self.subTest(**bad):
                with self.assertRaises(IntegrityError) as raised, transaction.atomic():
                    self.year(**bad).save()
                # Both SQLite and PostgreSQL name the failing CHECK constraint.
                self.assertIn("quarter_deadlines_in_order", str(raised.exception))
                self.assertFalse(Year.objects.filter(year=2027).exists())

    def test_db_accepts_deadlines_in_order(self):
        with transaction.atomic():
            self.year().save()
        self.assertTrue(Year.objects.filter(year=2027).exists())


# --- indicator catalog -----------------------------------------------------------------


class IndicatorFormPageTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a1 = make_indicator(code="A1", name="生产安全事故死亡人数", rule="cap_deduction")

    def create(self, **overrides):
        data = {
            "code": "B7",
            "name": "较大事故起数",
            "category": "事故控制",
            "rule": "count_deduction",
            "source": "entered",
            "per_unit": "2",
            "description": "",
            "sort_order": "100",
            "active": "on",
        } | overrides
        return self.client.post(reverse("responsibility:indicator_create"), data)

    def test_duplicate_code(self):
        response = self.create(code="A1", name="另一个指标")

        self.assertEqual(response.status_code, 200)
        self.assertFieldError(response, "code", "该指标代码已存在。")
        self.assertTyped(response, "code", "A1")
        self.assertTyped(response, "name", "另一个指标")
        self.assertEqual(Indicator.objects.count(), 1)

    def test_duplicate_code_in_lower_case(self):
        response = self.create(code="a1")

        self.assertFieldError(response, "code", "该指标代码已存在。")
        self.assertEqual(Indicator.objects.count(), 1)

    def test_deduction_rule_needs_per_unit(self):
        response = self.create(rule="cap_deduction", per_unit="")

        self.assertFieldError(response, "per_unit", "该评分规则须填写扣分标准。")
        self.assertTyped(response, "code", "B7")
        self.assertContains(response, '<option value="cap_deduction" selected>')
        self.assertFalse(Indicator.objects.filter(code="B7").exists())

    def test_negative_per_unit(self):
        response = self.create(per_unit="-1.5")

        self.assertFieldError(response, "per_unit", "扣分标准不能为负数。")
        self.assertTyped(response, "per_unit", "-1.5")
        self.assertFalse(Indicator.objects.filter(code="B7").exists())

    def test_valid_indicator_is_created_with_per_unit_in_params(self):
        response = self.create(code="b7")

        self.assertRedirects(response, reverse("responsibility:indicator_list"))
        indicator = Indicator.objects.get(code="B7")
        self.assertEqual(indicator.params, {"per_unit": "2"})
        self.assertEqual(indicator.weights, {})


class WeightsPageTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a1 = make_indicator(code="A1", weights={"district": "60.00", "enterprise": "50.00"})
        cls.a2 = make_indicator(code="A2", weights={"district": "40.00"})
        cls.a3 = make_indicator(code="A3", weights={})

    url = staticmethod(lambda: reverse("responsibility:indicator_weights", kwargs={"kind": "district"}))

    def post(self, a1: str, a2: str, a3: str = ""):
        return self.client.post(
            self.url(), {f"w_{self.a1.pk}": a1, f"w_{self.a2.pk}": a2, f"w_{self.a3.pk}": a3}
        )

    def weights(self) -> dict[str, dict]:
        return dict(Indicator.objects.values_list("code", "weights"))

    def assertUnchanged(self):
        self.assertEqual(
            self.weights(),
            {"A1": {"district": "60.00", "enterprise": "50.00"}, "A2": {"district": "40.00"}, "A3": {}},
        )

    def test_total_other_than_100_is_refused(self):
        response = self.post("60", "35")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "区的指标分值合计为 95.00 分，应为 100.00 分，请增加 5.00 分。")
        self.assertTyped(response, f"w_{self.a1.pk}", "60")
        self.assertTyped(response, f"w_{self.a2.pk}", "35")
        self.assertUnchanged()

    def test_total_over_100_is_refused(self):
        response = self.post("60", "40", "10")

        self.assertContains(response, "合计为 110.00 分，应为 100.00 分，请减少 10.00 分。")
        self.assertUnchanged()

    def test_weight_below_half_a_point_is_refused_at_its_field(self):
        response = self.post("60", "39.6", "0.4")

        self.assertContains(response, "✗ 分值至少 0.5 分；不适用请留空。")
        content = response.content.decode()
        row = content[content.index(f'for="id_w_{self.a3.pk}"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("分值至少 0.5 分；不适用请留空。", row)
        self.assertRegex(row, input_value(f"w_{self.a3.pk}", "0.4"))
        self.assertUnchanged()

    def test_valid_total_is_saved_and_blank_means_not_applicable(self):
        response = self.post("70", "", "30")

        self.assertRedirects(
            response, reverse("responsibility:indicator_list") + "#weights", fetch_redirect_response=False
        )
        self.assertEqual(
            self.weights(),
            {
                "A1": {"district": "70.00", "enterprise": "50.00"},
                "A2": {},
                "A3": {"district": "30.00"},
            },
        )
        self.assertEqual(list(Indicator.objects.for_kind("district").order_by("code")), [self.a1, self.a3])

    def test_page_shows_current_weights(self):
        response = self.client.get(self.url())

        self.assertTyped(response, f"w_{self.a1.pk}", "60.00")
        self.assertTyped(response, f"w_{self.a2.pk}", "40.00")

    def test_unknown_kind_is_404(self):
        response = self.client.get(reverse("responsibility:indicator_weights", kwargs={"kind": "planet"}))

        self.assertEqual(response.status_code, 404)


# --- people ----------------------------------------------------------------------------


ONE_TIME_PASSWORD = re.compile(r"一次性密码：(\S+) ")


class PersonPageTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit = make_unit(code="jiangyin", name="江阴市")
        cls.other_unit = make_unit(code="yixing", name="宜兴市")
        cls.existing = make_user(username="lisi", name="李四", unit=cls.unit)

    def create(self, **overrides):
        data = {
            "username": "wangwu",
            "name": "王五",
            "email": "wangwu@example.gov.cn",
            "phone": "0510-12345678",
            "unit": str(self.unit.pk),
            "unit_role": "reporter",
        } | overrides
        return self.client.post(reverse("responsibility:person_create"), data, follow=True)

    def log_in_fresh(self, username: str, password: str):
        """Log in through the real login page (the axes backend needs the request)."""
        self.client.logout()
        return self.client.post(reverse("login"), {"username": username, "password": password})

    def test_create_person_in_unit_with_one_time_password(self):
        response = self.create()

        person = User.objects.get(username="wangwu")
        self.assertRedirects(response, person.get_absolute_url())
        self.assertTrue(person.must_change_password)
        self.assertEqual(person.name, "王五")
        self.assertEqual(
            list(Membership.objects.filter(user=person).values_list("unit__code", "role")),
            [("jiangyin", "reporter")],
        )
        match = ONE_TIME_PASSWORD.search(response.content.decode())
        self.assertIsNotNone(match, "the success message shows the one-time password")
        password = match.group(1)
        self.assertGreaterEqual(len(password), 10)
        self.assertTrue(person.check_password(password))

        login = self.log_in_fresh("wangwu", password)
        self.assertRedirects(login, reverse("home"), fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), person.pk)
        # The one-time password only opens the password page.
        self.assertRedirects(self.client.get(reverse("home")), reverse("password_change"))

    def test_create_person_with_city_role_only(self):
        response = self.create(username="zhaoliu", name="赵六", unit="", unit_role="", city_roles=["督查员"])

        person = User.objects.get(username="zhaoliu")
        self.assertRedirects(response, person.get_absolute_url())
        self.assertEqual(list(person.groups.values_list("name", flat=True)), ["督查员"])
        self.assertFalse(person.memberships.exists())

    def test_missing_name(self):
        response = self.create(name="")

        self.assertFieldError(response, "name", "请填写姓名。")
        self.assertTyped(response, "username", "wangwu")
        self.assertTyped(response, "email", "wangwu@example.gov.cn")
        self.assertFalse(User.objects.filter(username="wangwu").exists())

    def test_duplicate_username(self):
        response = self.create(username="lisi", name="另一个李四")

        self.assertFieldError(response, "username", "该登录名已被使用。")
        self.assertTyped(response, "username", "lisi")
        self.assertTyped(response, "name", "另一个李四")
        self.assertEqual(User.objects.filter(username="lisi").count(), 1)
        self.assertFalse(User.objects.filter(name="另一个李四").exists())

    def test_unit_without_role(self):
        response = self.create(unit_role="")

        self.assertFieldError(response, "unit_role", "请选择此人在单位中的角色。")
        self.assertContains(response, f'<option value="{self.unit.pk}" selected>')
        self.assertFalse(User.objects.filter(username="wangwu").exists())
        self.assertFalse(Membership.objects.filter(user__username="wangwu").exists())

    def test_neither_unit_nor_city_role(self):
        response = self.create(unit="", unit_role="")

        self.assertFieldError(response, "unit", "请选择所属单位，或勾选一个市级角色。")
        self.assertTyped(response, "username", "wangwu")
        self.assertFalse(User.objects.filter(username="wangwu").exists())

    def test_duplicate_membership(self):
        url = reverse("responsibility:membership_add", args=[self.existing.pk])
        response = self.client.post(url, {"unit": str(self.unit.pk), "role": "head"})

        self.assertEqual(response.status_code, 200)
        self.assertFieldError(response, "unit", "此人已是江阴市的成员。")
        self.assertEqual(
            list(Membership.objects.filter(user=self.existing).values_list("unit__code", "role")),
            [("jiangyin", "reporter")],
        )

    def test_membership_add_to_another_unit(self):
        url = reverse("responsibility:membership_add", args=[self.existing.pk])
        response = self.client.post(url, {"unit": str(self.other_unit.pk), "role": "head"})

        self.assertRedirects(response, self.existing.get_absolute_url())
        self.assertEqual(
            set(Membership.objects.filter(user=self.existing).values_list("unit__code", "role")),
            {("jiangyin", "reporter"), ("yixing", "head")},
        )

    def test_reset_password(self):
        old_hash = self.existing.password
        self.assertFalse(self.existing.must_change_password)

        response = self.client.post(
            reverse("responsibility:person_reset_password", args=[self.existing.pk]), follow=True
        )

        person = User.objects.get(pk=self.existing.pk)
        self.assertTrue(person.must_change_password)
        self.assertNotEqual(person.password, old_hash)
        self.assertFalse(person.check_password("Secret-pass-123"))
        password = ONE_TIME_PASSWORD.search(response.content.decode()).group(1)
        self.assertTrue(person.check_password(password))

    def test_office_user_cannot_deactivate_themselves(self):
        response = self.client.post(
            reverse("responsibility:person_set_active", args=[self.office.pk]), {"active": "0"}, follow=True
        )

        self.assertContains(response, "不能停用自己的账号。")
        self.assertTrue(User.objects.get(pk=self.office.pk).is_active)

    def test_office_user_can_deactivate_someone_else(self):
        self.client.post(
            reverse("responsibility:person_set_active", args=[self.existing.pk]), {"active": "0"}
        )

        self.assertFalse(User.objects.get(pk=self.existing.pk).is_active)
        self.assertTrue(Membership.objects.filter(user=self.existing).exists())


# --- change history --------------------------------------------------------------------


class HistoryTests(SetupPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit = make_unit(code="binhu", name="滨湖区", leader_name="王建国", sort_order=10)
        cls.other_unit = make_unit(code="jingkai", name="经开区")
        cls.person = make_user(username="qianqi", name="钱七", unit=cls.unit)
        cls.year = make_year(2026)
        cls.a1 = make_indicator(code="A1", name="事故死亡人数", weights={"district": "100.00"})

    def assertEditedByOffice(self, obj, history_type: str = "~"):
        record = obj.history.first()
        self.assertEqual(record.history_type, history_type)
        self.assertEqual(record.history_user, self.office)
        return record

    def test_unit_edit_is_recorded_and_shown_on_the_detail_page(self):
        response = self.client.post(
            reverse("responsibility:unit_edit", args=[self.unit.pk]),
            {"name": "滨湖区", "kind": "district", "leader_name": "李四", "sort_order": "10"},
        )
        self.assertRedirects(response, self.unit.get_absolute_url())

        record = self.assertEditedByOffice(self.unit)
        self.assertEqual(record.leader_name, "李四")
        page = self.client.get(self.unit.get_absolute_url())
        self.assertContains(page, "主要负责人：王建国 → 李四")
        self.assertContains(page, f"<td>修改</td><td>{self.office}</td>", html=False)

    def test_unit_deactivation_is_recorded(self):
        self.client.post(reverse("responsibility:unit_set_active", args=[self.unit.pk]), {"active": "0"})

        record = self.assertEditedByOffice(self.unit)
        self.assertFalse(record.active)
        self.assertContains(self.client.get(self.unit.get_absolute_url()), "启用：是 → 否")

    def test_membership_add_and_remove_are_recorded(self):
        self.client.post(
            reverse("responsibility:membership_add", args=[self.person.pk]),
            {"unit": str(self.other_unit.pk), "role": "head"},
        )
        membership = Membership.objects.get(user=self.person, unit=self.other_unit)
        added = Membership.history.get(id=membership.pk, history_type="+")
        self.assertEqual(added.history_user, self.office)
        self.assertEqual(added.role, "head")

        self.client.post(reverse("responsibility:membership_remove", args=[self.person.pk, membership.pk]))
        self.assertFalse(Membership.objects.filter(pk=membership.pk).exists())
        removed = Membership.history.get(id=membership.pk, history_type="-")
        self.assertEqual(removed.history_user, self.office)

        page = self.client.get(self.person.get_absolute_url())
        self.assertContains(page, "经开区 · 单位负责人")
        self.assertContains(page, "<td>删除</td>", html=False)

    def test_year_edit_is_recorded(self):
        response = self.client.post(
            reverse("responsibility:year_edit", args=[2026]), year_data(2026, pass_min="65")
        )
        self.assertRedirects(response, self.year.get_absolute_url())

        record = self.assertEditedByOffice(self.year)
        self.assertEqual(record.pass_min, Decimal(65))
        self.assertContains(self.client.get(self.year.get_absolute_url()), "合格分数线：60.00 → 65.00")

    def test_indicator_edit_is_recorded(self):
        response = self.client.post(
            reverse("responsibility:indicator_edit", args=[self.a1.pk]),
            {
                "name": "生产安全事故死亡人数",
                "category": "事故控制",
                "rule": "completion",
                "source": "entered",
                "sort_order": "100",
                "active": "on",
            },
        )
        self.assertRedirects(response, reverse("responsibility:indicator_list"))

        record = self.assertEditedByOffice(self.a1)
        self.assertEqual(record.name, "生产安全事故死亡人数")
        self.assertEqual(record.code, "A1")

    def test_weights_change_is_recorded_on_the_indicator(self):
        a2 = make_indicator(code="A2")
        history_before = self.a1.history.count()

        response = self.client.post(
            reverse("responsibility:indicator_weights", kwargs={"kind": "district"}),
            {f"w_{self.a1.pk}": "80", f"w_{a2.pk}": "20"},
        )
        self.assertEqual(response.status_code, 302)

        self.assertEqual(self.a1.history.count(), history_before + 1)
        record = self.assertEditedByOffice(self.a1)
        self.assertEqual(record.weights, {"district": "80.00"})
        record2 = self.assertEditedByOffice(a2)
        self.assertEqual(record2.weights, {"district": "20.00"})
