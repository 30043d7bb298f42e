"""The accident register in the browser's terms: who may do what, forms, import, register, queries."""

import io
from datetime import date

import openpyxl
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Accident, AccidentExemption, AccidentGrade, Industry
from responsibility import roles
from responsibility.models import UnitKind
from tests.assessment.factories import at, make_accident, make_exemption
from tests.factories import make_unit, make_user, make_year

from .test_accidents import row, xlsx

LIST = reverse("assessment:accident_list")
CREATE = reverse("assessment:accident_create")
IMPORT = reverse("assessment:accident_import")
CONFIRM = reverse("assessment:accident_import_confirm")
TEMPLATE = reverse("assessment:accident_import_template")


def form_data(**fields) -> dict:
    return {
        "occurred_at": "2026-05-20T09:30",
        "title": "某工地高处坠落事故",
        "place": "梁溪区某工地",
        "industry": Industry.CONSTRUCTION,
        "unit": "",
        "deaths": "1",
        "serious_injuries": "0",
        "direct_loss": "120.50",
    } | fields


@time_machine.travel(date(2026, 6, 1))
class AccidentPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        make_year(2025)
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", sort_order=2)
        cls.zhujian = make_unit(name="市住房城乡建设局", code="zhujian", kind=UnitKind.DEPT_PROFESSIONAL)
        cls.gongan = make_unit(name="市公安局", code="gongan", kind=UnitKind.DEPT_PROFESSIONAL)
        cls.office = make_user(city_role=roles.OFFICE, name="赵安平")
        cls.leader = make_user(city_role=roles.LEADER)
        cls.reporter = make_user(unit=cls.liangxi)
        cls.other_reporter = make_user(unit=cls.xishan)
        cls.department_reporter = make_user(unit=cls.zhujian)
        cls.accident = make_accident(
            unit=cls.liangxi,
            departments=[cls.zhujian],
            occurred_at=at(2026, 3, 5, 14, 20),
            title="梁溪区某工地坍塌事故",
            industry=Industry.CONSTRUCTION,
            deaths=1,
        )
        cls.xishan_accident = make_accident(
            unit=cls.xishan,
            occurred_at=at(2026, 4, 2),
            title="锡山区某车间火灾",
            industry=Industry.FIRE,
            deaths=2,
        )
        # Last year, same period: 梁溪区 had two accidents with two deaths.
        make_accident(unit=cls.liangxi, occurred_at=at(2025, 2, 1), title="去年一", deaths=1)
        make_accident(unit=cls.liangxi, occurred_at=at(2025, 5, 1), title="去年二", deaths=1)
        # Later last year: outside the same period.
        make_accident(unit=cls.xishan, occurred_at=at(2025, 9, 1), title="去年九月", deaths=4)

    def detail(self, accident=None) -> str:
        return reverse("assessment:accident_detail", args=[(accident or self.accident).pk])

    def edit(self, accident=None) -> str:
        return reverse("assessment:accident_edit", args=[(accident or self.accident).pk])


class AccidentAccessTests(AccidentPageTestCase):
    def status(self, user, url, method="get", data=None) -> int:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return getattr(self.client, method)(url, data or {}).status_code

    def test_office_leader_and_the_territorys_reporter_read_the_accident(self):
        for user in (self.office, self.leader, self.reporter, self.department_reporter):
            with self.subTest(user=user.username):
                self.assertEqual(self.status(user, LIST), 200)
                self.assertEqual(self.status(user, self.detail()), 200)

    def test_another_units_accident_is_not_found(self):
        self.client.force_login(self.other_reporter)
        for url in (self.detail(), self.edit()):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404)
            self.assertNotContains(response, "坍塌", status_code=404)
        exemption = make_exemption(self.accident, self.zhujian)
        url = reverse("assessment:accident_exemption_remove", args=[self.accident.pk, exemption.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(AccidentExemption.objects.filter(pk=exemption.pk).exists())

    def test_only_the_office_writes(self):
        for user in (self.leader, self.reporter, self.department_reporter):
            with self.subTest(user=user.username):
                self.assertEqual(self.status(user, self.edit()), 403)
                self.assertEqual(self.status(user, self.edit(), "post", form_data(unit=self.liangxi.pk)), 403)
                self.assertEqual(self.status(user, CREATE), 403)
                self.assertEqual(self.status(user, IMPORT), 403)
                self.assertEqual(self.status(user, TEMPLATE), 403)
                url = reverse("assessment:accident_exemption_add", args=[self.accident.pk])
                self.assertEqual(
                    self.status(user, url, "post", {"unit": self.zhujian.pk, "reason": "x"}), 403
                )
        self.assertFalse(AccidentExemption.objects.exists())
        for url in (self.edit(), CREATE, IMPORT, TEMPLATE):
            self.assertEqual(self.status(self.office, url), 200)

    def test_anonymous_users_go_to_the_login_page(self):
        for url in (LIST, self.detail(), self.edit(), CREATE, IMPORT):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"/accounts/login/?next={url}", fetch_redirect_response=False)

    def test_the_register_shows_a_reporter_only_its_territory_or_sector(self):
        self.client.force_login(self.reporter)
        response = self.client.get(LIST)
        self.assertContains(response, "梁溪区某工地坍塌事故")
        self.assertNotContains(response, "锡山区某车间火灾")
        self.assertEqual([row.unit for row in response.context["unit_rows"]], [self.liangxi])
        self.assertNotContains(response, "＋ 登记事故")
        self.client.force_login(self.department_reporter)
        response = self.client.get(LIST)
        self.assertContains(response, "梁溪区某工地坍塌事故")
        self.assertEqual([row.unit for row in response.context["unit_rows"]], [self.zhujian])


class AccidentFormTests(AccidentPageTestCase):
    def setUp(self):
        self.client.force_login(self.office)

    def test_the_office_records_an_accident_and_the_grade_is_computed(self):
        data = form_data(unit=self.liangxi.pk, departments=[self.zhujian.pk, self.gongan.pk], deaths="3")
        response = self.client.post(CREATE, data, follow=True)
        accident = Accident.objects.get(title="某工地高处坠落事故")
        self.assertRedirects(response, self.detail(accident))
        self.assertContains(response, "已登记事故：某工地高处坠落事故（较大事故）")
        self.assertEqual(accident.grade, AccidentGrade.LARGER)
        self.assertEqual(accident.occurred_at, at(2026, 5, 20, 9, 30))
        self.assertEqual(set(accident.departments.all()), {self.zhujian, self.gongan})
        self.assertEqual(accident.history.earliest().history_user, self.office)

    def test_bad_input_gets_chinese_messages_at_the_field_and_keeps_what_was_typed(self):
        data = form_data(
            unit=self.liangxi.pk,
            title="",
            place="梁溪区某某路 88 号",
            deaths="-1",
            serious_injuries="两人",
            direct_loss="1.234",
            occurred_at="2026-07-01T08:00",
        )
        response = self.client.post(CREATE, data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(errors["title"], ["请填写事故名称。"])
        self.assertEqual(errors["deaths"], ["死亡人数不能为负数。"])
        self.assertEqual(errors["serious_injuries"], ["重伤人数须为整数。"])
        self.assertEqual(errors["direct_loss"], ["直接经济损失最多两位小数。"])
        self.assertEqual(errors["occurred_at"], ["发生时间不能晚于现在。"])
        self.assertContains(response, 'data-field-error="deaths">✗ 死亡人数不能为负数。')
        self.assertContains(response, 'value="梁溪区某某路 88 号"')
        self.assertContains(response, 'value="两人"')
        self.assertFalse(Accident.objects.filter(place="梁溪区某某路 88 号").exists())

    def test_a_department_is_not_offered_nor_accepted_as_territorial_unit(self):
        response = self.client.get(CREATE)
        offered = list(response.context["form"].fields["unit"].queryset)
        self.assertEqual(offered, [self.liangxi, self.xishan])
        response = self.client.post(CREATE, form_data(unit=self.zhujian.pk, departments=[self.gongan.pk]))
        self.assertEqual(
            response.context["form"].errors["unit"], ["属地单位须为区、县级市或开发区；部门请填在监管部门。"]
        )
        self.assertContains(response, "部门请填在监管部门")
        self.assertFalse(Accident.objects.filter(title="某工地高处坠落事故").exists())

    def test_an_older_accident_with_a_department_as_territorial_unit_says_so_at_the_field(self):
        old = make_accident(unit=self.zhujian, occurred_at=at(2026, 2, 1), title="旧登记")
        response = self.client.post(
            self.edit(old), form_data(occurred_at="2026-02-01T10:00", title="旧登记", unit=self.zhujian.pk)
        )
        self.assertEqual(
            response.context["form"].errors["unit"],
            ["市住房城乡建设局是专业类部门：属地单位须为区、县级市或开发区；部门请填在监管部门。"],
        )
        old.refresh_from_db()
        self.assertEqual(old.unit, self.zhujian)

    def test_the_same_accident_is_not_recorded_twice(self):
        data = form_data(occurred_at="2026-03-05T14:20", title="梁溪区某工地坍塌事故", unit=self.liangxi.pk)
        response = self.client.post(CREATE, data)
        self.assertEqual(
            response.context["form"].non_field_errors(),
            ["梁溪区已登记过这起事故（2026-03-05 14:20 梁溪区某工地坍塌事故），请勿重复登记。"],
        )
        self.assertEqual(Accident.objects.filter(title="梁溪区某工地坍塌事故").count(), 1)

    def test_missing_unit_and_industry_say_what_to_fill_in(self):
        response = self.client.post(CREATE, form_data(industry=""))
        errors = response.context["form"].errors
        self.assertEqual(errors["unit"], ["请填写属地单位。"])
        self.assertEqual(errors["industry"], ["请填写行业领域。"])

    def test_a_late_revision_of_a_figure_needs_a_reason_at_that_field(self):
        data = form_data(
            occurred_at="2026-03-05T14:20",
            title=self.accident.title,
            unit=self.liangxi.pk,
            departments=[self.zhujian.pk],
            deaths="2",
        )
        response = self.client.post(self.edit(), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("修订期至 2026-04-04", response.context["form"].errors["revision_reason"][0])
        self.assertContains(response, 'data-field-error="revision_reason"')
        self.accident.refresh_from_db()
        self.assertEqual(self.accident.deaths, 1)

        response = self.client.post(
            self.edit(), data | {"revision_reason": "伤者经抢救无效死亡"}, follow=True
        )
        self.assertRedirects(response, self.detail())
        self.assertContains(response, "已保存修改")
        self.accident.refresh_from_db()
        self.assertEqual(self.accident.deaths, 2)
        history = response.context["history"]
        self.assertEqual(history[0].who, "赵安平")
        self.assertIn("死亡人数：1 → 2", history[0].changes)
        self.assertContains(response, "修改原因：— → 伤者经抢救无效死亡")
        self.assertContains(response, "最近修改原因")

    def test_a_revision_that_changes_the_grade_says_so(self):
        accident = make_accident(unit=self.liangxi, occurred_at=at(2026, 5, 25), deaths=1)
        data = form_data(occurred_at="2026-05-25T10:00", unit=self.liangxi.pk, deaths="10")
        response = self.client.post(self.edit(accident), data, follow=True)
        self.assertContains(response, "事故等级由一般变为重大")

    def test_the_edit_form_starts_with_a_blank_reason_and_the_current_values(self):
        response = self.client.get(self.edit())
        self.assertContains(response, 'value="2026-03-05T14:20"')
        self.assertContains(response, "修订期至 2026-04-04（事故后 30 天）")
        self.assertEqual(response.context["form"]["revision_reason"].value(), "")

    def test_exemptions_are_added_and_removed_on_the_detail_page(self):
        url = reverse("assessment:accident_exemption_add", args=[self.accident.pk])
        response = self.client.post(url, {"unit": self.zhujian.pk, "reason": "经调查已依法履职"}, follow=True)
        self.assertContains(response, "已登记市住房城乡建设局免责")
        exemption = AccidentExemption.objects.get()
        self.assertEqual(exemption.unit, self.zhujian)
        self.assertEqual([u.name for u in response.context["counted"]], ["梁溪区"])

        remove = reverse("assessment:accident_exemption_remove", args=[self.accident.pk, exemption.pk])
        response = self.client.post(remove, follow=True)
        self.assertContains(response, "已撤销市住房城乡建设局的免责")
        self.assertFalse(AccidentExemption.objects.exists())
        changes = [row.changes for row in response.context["history"]]
        self.assertIn("市住房城乡建设局免责：经调查已依法履职", changes)

    def test_an_exemption_without_a_reason_stays_on_the_page(self):
        url = reverse("assessment:accident_exemption_add", args=[self.accident.pk])
        response = self.client.post(url, {"unit": self.zhujian.pk, "reason": ""})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["exemption_form"].errors["reason"], ["请填写免责理由。"])
        response = self.client.post(url, {"unit": self.gongan.pk, "reason": "无关"})
        self.assertIn("unit", response.context["exemption_form"].errors)
        self.assertFalse(AccidentExemption.objects.exists())


class ImportPageTests(AccidentPageTestCase):
    def setUp(self):
        self.client.force_login(self.office)

    def upload(self, rows, **kwargs):
        return self.client.post(IMPORT, {"file": xlsx(rows, **kwargs)})

    def test_the_template_downloads_with_the_chinese_header_row(self):
        response = self.client.get(TEMPLATE)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        header = [cell.value for cell in workbook["事故登记"][1]]
        self.assertEqual(header[:3], ["发生时间", "地点", "事故名称"])
        self.assertEqual(header[-4:], ["直接经济损失（万元）", "迟报", "瞒报", "谎报"])
        self.assertIn("梁溪区", [cell.value for cell in workbook["单位名称"]["A"]])

    def test_upload_shows_a_preview_with_each_rows_errors_and_writes_nothing(self):
        before = Accident.objects.count()
        response = self.upload(
            [
                row(unit="梁溪区", departments="市公安局"),
                row(title="坏行", deaths="三人", unit="梁溪", departments=""),
            ]
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "✓ 1 行可以导入")
        self.assertContains(response, "✗ 1 行有错误，将被跳过")
        self.assertContains(response, "死亡人数须为整数，“三人”不是数字。")
        self.assertContains(response, "属地单位“梁溪”不是系统中的单位；是否为“梁溪区”？")
        self.assertContains(response, "确认导入 1 起事故")
        self.assertEqual(Accident.objects.count(), before)

    def test_confirm_writes_the_valid_rows_only(self):
        response = self.upload([row(departments="市公安局"), row(title="坏行", deaths=-1, departments="")])
        token = response.context["token"]
        response = self.client.post(CONFIRM, {"token": token}, follow=True)
        self.assertRedirects(response, LIST)
        self.assertContains(response, "已从「事故.xlsx」导入 1 起事故")
        imported = Accident.objects.get(title="某货车与电动车相撞事故")
        self.assertEqual(list(imported.departments.all()), [self.gongan])
        self.assertFalse(Accident.objects.filter(title="坏行").exists())

    def test_a_preview_is_confirmed_once(self):
        token = self.upload([row(departments="")]).context["token"]
        self.client.post(CONFIRM, {"token": token})
        response = self.client.post(CONFIRM, {"token": token}, follow=True)
        self.assertRedirects(response, IMPORT)
        self.assertContains(response, "预览已失效")
        self.assertEqual(Accident.objects.filter(title="某货车与电动车相撞事故").count(), 1)

    def test_a_new_upload_replaces_the_waiting_preview(self):
        first = self.upload([row(departments="")]).context["token"]
        self.upload([row(title="第二个文件", departments="")])
        self.client.post(CONFIRM, {"token": first})
        self.assertFalse(Accident.objects.filter(title="某货车与电动车相撞事故").exists())

    def test_file_problems_are_shown_at_the_file_field(self):
        cases = [
            ({"file": xlsx([row()], headers=["发生时间", "地点"])}, "表头不符"),
            ({"file": xlsx([row()], sheet="Sheet1", extra_sheets=["说明"])}, "没有“事故登记”工作表"),
            ({"file": xlsx([], name="事故.csv")}, "扩展名与内容不符"),
            ({}, "请选择要上传的文件。"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(IMPORT, data)
                self.assertEqual(response.status_code, 400)  # bad input, said at the field
                self.assertIn(message, response.context["form"].errors["file"][0])
                self.assertIsNone(response.context["preview"])


class RegisterPageTests(AccidentPageTestCase):
    def setUp(self):
        self.client.force_login(self.leader)

    def unit_row(self, response, unit):
        return next(row for row in response.context["unit_rows"] if row.unit == unit)

    def test_the_current_year_is_compared_with_the_same_period_last_year(self):
        response = self.client.get(LIST)
        self.assertEqual(response.context["year"], self.year)
        self.assertContains(response, "统计期 2026-01-01 至 2026-06-01（截至今天）")
        self.assertContains(response, "上年同期 2025-01-01 至 2025-06-01")
        liangxi = self.unit_row(response, self.liangxi)
        self.assertEqual((liangxi.count.current, liangxi.count.previous), (1, 2))
        self.assertEqual(liangxi.status, ("status-green", "✓ 双下降"))
        xishan = self.unit_row(response, self.xishan)
        self.assertEqual(
            (xishan.deaths.current, xishan.deaths.previous), (2, 0)
        )  # September is not the same period
        self.assertEqual(xishan.status, ("status-amber", "✗ 未双下降"))
        self.assertEqual(xishan.deaths.text, "▲ 2")
        self.assertEqual(liangxi.count.short, "▼ 1")
        self.assertEqual(liangxi.count.text, "▼ 1（50.0%）")
        self.assertContains(response, "✓ 双下降")
        self.assertEqual(self.unit_row(response, self.gongan).status[1], "✓ 均无事故")

    def test_a_finished_year_compares_whole_windows(self):
        response = self.client.get(LIST, {"year": 2025})
        self.assertContains(response, "统计期 2025-01-01 至 2025-12-31；")
        xishan = self.unit_row(response, self.xishan)
        self.assertEqual(xishan.deaths.current, 4)

    def test_months_run_from_the_window_start_to_today(self):
        response = self.client.get(LIST)
        months = response.context["month_rows"]
        self.assertEqual([m.month for m in months], [date(2026, m, 1) for m in range(1, 7)])
        march = months[2]
        self.assertEqual((march.count.current, march.count.previous), (1, 0))
        self.assertEqual((months[1].count.current, months[1].count.previous), (0, 1))
        self.assertEqual(response.context["total_count"].current, 2)
        self.assertEqual(response.context["total_deaths"].previous, 2)

    def test_filters_narrow_the_list_and_the_months(self):
        response = self.client.get(LIST, {"year": 2026, "industry": Industry.FIRE})
        self.assertNotContains(response, "梁溪区某工地坍塌事故")
        self.assertContains(response, "锡山区某车间火灾")
        self.assertEqual(response.context["total_count"].current, 1)
        response = self.client.get(LIST, {"year": 2026, "unit": self.zhujian.pk})
        self.assertContains(response, "梁溪区某工地坍塌事故")
        self.assertNotContains(response, "锡山区某车间火灾")
        self.assertEqual([row.unit for row in response.context["unit_rows"]], [self.zhujian])
        response = self.client.get(LIST, {"year": 2026, "grade": AccidentGrade.LARGER})
        self.assertEqual(response.context["table"].paginator.count, 0)

    def test_a_units_exempted_accidents_leave_its_figures(self):
        make_exemption(self.accident, self.zhujian)
        response = self.client.get(LIST, {"year": 2026, "unit": self.zhujian.pk})
        self.assertEqual(self.unit_row(response, self.zhujian).count.current, 0)
        self.assertEqual(response.context["total_count"].current, 0)

    def test_all_years_lists_everything_without_comparison(self):
        response = self.client.get(LIST, {"year": ""})
        self.assertEqual(response.context["table"].paginator.count, 5)
        self.assertNotIn("unit_rows", response.context)
        self.assertContains(response, "选择年度后显示")

    def test_the_register_exports_to_excel(self):
        response = self.client.get(LIST, {"year": 2026, "_export": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        self.assertEqual(rows[0][:3], ("发生时间", "事故名称", "属地"))
        titles = [r[1] for r in rows[1:]]
        self.assertEqual(titles, ["锡山区某车间火灾", "梁溪区某工地坍塌事故"])
        self.assertIn("市住房城乡建设局", rows[2])


class AccidentQueryCountTests(AccidentPageTestCase):
    """The register and the detail page: the same number of queries for 10 and for 100 rows."""

    def add(self, n: int) -> None:
        for i in range(n):
            unit = make_unit(kind=UnitKind.DISTRICT)
            department = make_unit(kind=UnitKind.DEPT_GENERAL)
            accident = make_accident(unit=unit, departments=[department], occurred_at=at(2026, 1 + i % 5, 2))
            make_exemption(accident, department)
            make_accident(unit=unit, occurred_at=at(2025, 1 + i % 12, 2))

    def count(self, url) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_register_does_not_grow_with_accidents_or_units(self):
        self.client.force_login(self.office)
        self.add(10)
        small = self.count(LIST)
        self.add(90)
        # 3 for the frame (session, user, permissions with groups), and:
        # the current year, the chosen year, the previous year's window; figures (accidents,
        # departments, exemptions, unit ids); the units for the per-unit rows; months; count;
        # page; its departments; year and unit choices rendered in the filter form.
        self.assertEqual(small, 3 + 14)
        self.assertEqual(self.count(LIST), small)

    def test_detail_does_not_grow_with_history(self):
        self.client.force_login(self.office)
        small = self.count(self.detail())
        for deaths in range(2, 12):
            self.accident.deaths = deaths
            self.accident.save()
            make_exemption(self.accident, self.zhujian).delete()
        self.assertEqual(self.count(self.detail()), small)
