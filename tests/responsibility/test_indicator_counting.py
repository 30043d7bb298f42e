"""指标库: what a derived indicator counts, set and validated on the indicator's form, previewed for a
unit and year, and set on old catalogs by migration 0004."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase
from django.urls import reverse

from assessment.models import AccidentGrade, Industry
from responsibility import forms
from responsibility.models import Indicator
from tests.assessment.factories import make_accident
from tests.factories import make_indicator, make_office_user, make_unit, make_user, make_year


class CountingFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_office_user()
        cls.cap = make_indicator(
            code="X-DEATHS",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            is_death_cap=True,
            weights={"district": "12"},
            params={"per_unit": "1"},
        )

    def setUp(self):
        self.client.force_login(self.user)

    def post(self, indicator=None, **overrides):
        data = {
            "code": "Q9",
            "name": "行业死亡人数",
            "category": "事故控制",
            "rule": "cap_deduction",
            "source": "derived",
            "per_unit": "1",
            "measure": "deaths",
            "link": "both",
            "sort_order": "100",
            "active": "on",
        } | overrides
        data = {key: value for key, value in data.items() if value is not None}
        url = (
            reverse("responsibility:indicator_edit", args=[indicator.pk])
            if indicator
            else reverse("responsibility:indicator_create")
        )
        return self.client.post(url, data)

    def assertError(self, response, field, message):
        self.assertEqual(response.status_code, 200)
        self.assertIn(message, response.context["form"].errors.get(field, []))
        self.assertContains(response, f"✗ {message}")

    def test_the_counting_fields_are_only_for_derived_indicators(self):
        response = self.post(source="entered", rule="completion", industries=["road"], measure="deaths")
        self.assertError(response, "measure", "仅“系统计算”的指标可设置计算口径。")
        self.assertError(response, "industries", "仅“系统计算”的指标可设置计入行业领域。")
        self.assertFalse(Indicator.objects.filter(code="Q9").exists())

    def test_a_derived_count_needs_a_measure(self):
        response = self.post(rule="count_deduction", measure="")
        self.assertError(response, "measure", "系统计算的该类指标须选择计算口径（事故起数、死亡人数等）。")

    def test_the_death_cap_is_only_a_cap_on_deaths(self):
        response = self.post(measure="accidents", is_death_cap="on")
        self.assertError(
            response, "is_death_cap", "仅“控制数扣分”、由系统按死亡人数计算的指标可作为死亡人数控制数。"
        )

    def test_one_death_cap_per_unit_kind(self):
        other = make_indicator(
            code="Q9",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            weights={"district": "4", "dev_zone": "4"},
            params={"per_unit": "1"},
        )
        response = self.post(other, is_death_cap="on")
        self.assertError(response, "is_death_cap", "区已有死亡人数控制数指标 X-DEATHS，每类单位至多一项。")
        other.refresh_from_db()
        self.assertFalse(other.is_death_cap)

    def test_the_admin_gives_no_unit_kind_a_second_death_cap_either(self):
        admin = make_user(username="root", is_staff=True, is_superuser=True)
        other = make_indicator(
            code="Q9", rule="cap_deduction", source="derived", measure="deaths", weights={"district": "4"}
        )
        self.client.force_login(admin)
        url = reverse("admin:responsibility_indicator_change", args=[other.pk])
        form = self.client.get(url).context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None}
        data |= {"weights": '{"district": "4"}', "params": "{}", "grades": "[]", "industries": "[]"}
        response = self.client.post(url, data | {"is_death_cap": "on"})
        self.assertContains(response, "区已有死亡人数控制数指标 X-DEATHS，每类单位至多一项。")
        other.refresh_from_db()
        self.assertFalse(other.is_death_cap)

    def test_a_sector_indicator_is_saved_with_its_grades_and_industries(self):
        response = self.post(
            measure="deaths",
            industries=["road", "industry_trade", "fire"],
            grades=["larger"],
            link="territory",
        )
        self.assertRedirects(response, reverse("responsibility:indicator_list"))
        saved = Indicator.objects.get(code="Q9")
        self.assertEqual(
            (saved.measure, saved.industries, saved.grades, saved.link, saved.is_death_cap),
            ("deaths", ["road", "industry_trade", "fire"], ["larger"], "territory", False),
        )

    def test_the_weights_page_gives_no_unit_kind_a_second_death_cap(self):
        second = make_indicator(
            code="Q9", rule="cap_deduction", source="derived", measure="deaths", is_death_cap=True
        )
        response = self.client.post(
            reverse("responsibility:indicator_weights", kwargs={"kind": "district"}),
            {f"w_{self.cap.pk}": "50", f"w_{second.pk}": "50"},
        )
        # in catalog order (Q9 before X-DEATHS), the second is refused at its field
        self.assertContains(response, "✗ 区已有死亡人数控制数指标 Q9，每类单位至多一项。")
        second.refresh_from_db()
        self.assertEqual(second.weights, {})

    def test_the_choices_are_the_registers(self):
        self.assertEqual(forms.ACCIDENT_GRADES, AccidentGrade.choices)
        self.assertEqual(forms.INDUSTRIES, Industry.choices)


class PreviewPageTests(TestCase):
    def test_the_preview_says_what_the_indicator_counts_for_the_chosen_unit_and_year(self):
        make_year(2026)
        liangxi = make_unit(code="liangxi", name="梁溪区", kind="district")
        for industry, deaths in (("road", 2), ("fire", 1), ("fire", 2), ("construction", 2)):
            make_accident(unit=liangxi, industry=industry, deaths=deaths)
        a4 = make_indicator(
            code="A4",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            industries=["road", "industry_trade", "fire"],
            params={"per_unit": "0.5"},
        )
        self.client.force_login(make_office_user())
        edit = self.client.get(reverse("responsibility:indicator_edit", args=[a4.pk]))
        url = reverse("assessment:indicator_counting", args=[a4.pk])
        self.assertContains(edit, f'href="{url}"')
        response = self.client.get(url, {"unit": liangxi.pk, "year": 2026})
        self.assertContains(response, "梁溪区2026年计入：3起、死亡5人")
        self.assertContains(response, "道路交通、工矿商贸、火灾")


class CountingMigrationTests(TransactionTestCase):
    """0004 sets the counting fields on a catalog written before it, from what the engine did by code."""

    before = [("responsibility", "0003_year_tiers_and_veto_rules")]
    after = [("responsibility", "0004_indicator_counting")]

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        super().tearDown()

    def test_an_old_catalog_gets_the_fields_the_engine_read_from_its_codes(self):
        old_apps = self.migrate(self.before)
        Old = old_apps.get_model("responsibility", "Indicator")
        for code, name, rule, source in (
            ("A1", "生产安全事故死亡人数控制在控制数以内", "cap_deduction", "derived"),
            ("A2", "双下降", "yoy_decrease", "derived"),
            ("A3", "不发生较大及以上生产安全事故", "count_deduction", "derived"),
            ("A4", "分行业死亡人数（道路交通、工矿商贸、火灾）控制在控制数以内", "cap_deduction", "derived"),
            ("B2", "巡查发现问题按期整改", "item_deduction", "derived"),
            ("C1", "重大事故隐患挂牌督办", "completion", "entered"),
            ("DA1", "行业领域死亡人数控制在控制数以内", "cap_deduction", "derived"),
            ("DA2", "行业领域不发生较大及以上事故", "boolean", "derived"),
        ):
            Old.objects.create(code=code, name=name, category="事故控制", rule=rule, source=source)
        new_apps = self.migrate(self.after)
        fields = ("code", "measure", "grades", "industries", "link", "is_death_cap")
        rows = {
            row[0]: row[1:]
            for row in new_apps.get_model("responsibility", "Indicator").objects.values_list(*fields)
        }
        larger = ["larger", "major", "especially_major"]
        self.assertEqual(
            rows,
            {
                "A1": ("deaths", [], [], "both", True),
                "A2": ("", [], [], "both", False),
                "A3": ("accidents", larger, [], "both", False),
                "A4": ("deaths", [], ["road", "industry_trade", "fire"], "both", False),
                "B2": ("", [], [], "both", False),
                "C1": ("", [], [], "both", False),
                "DA1": ("deaths", [], [], "both", True),
                "DA2": ("accidents", larger, [], "both", False),
            },
        )
