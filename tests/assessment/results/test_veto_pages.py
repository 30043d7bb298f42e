"""A year's 一票否决 rules page and the what-if, on the year worked out by hand in test_assess."""

from datetime import date

import time_machine
from django.test import TestCase
from django.urls import reverse

from assessment.models import Accident, AccidentExemption
from assessment.results import finalizing
from assessment.results.assessing import assess_year
from assessment.results.veto_forms import VetoRuleForm
from assessment.rules.vetoes import DEFAULT_RULES
from responsibility import roles
from responsibility.models import Year
from tests.assessment.results import test_assess
from tests.factories import make_office_user, make_user


def rule_data(**changes) -> dict:
    """The form as the page posts it with the default rules, with `changes` ({"V3-larger_count": 1})."""
    data = {}
    for rule in DEFAULT_RULES:
        form = VetoRuleForm(rule=rule)
        for name in form.fields:
            key, value = f"{rule.code}-{name}", form.initial.get(name)
            if name == "applies_to":
                data[key] = list(value)
            elif name in ("enabled", "yellow"):
                if value:
                    data[key] = "on"
            else:
                data[key] = "" if value is None else str(value)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@time_machine.travel(date(2027, 2, 1))
class VetoRulesPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)
        cls.url = reverse("assessment:veto_rules", args=[2026])

    def results(self):
        return {r.unit.code: r for r in assess_year(Year.objects.get(year=2026), provisional=False)}

    def test_the_unchanged_form_saves_nothing_but_the_defaults(self):
        self.client.force_login(self.office)
        response = self.client.post(self.url, rule_data())
        self.assertRedirects(response, self.url)
        self.assertEqual(Year.objects.get(year=2026).veto_rules, {})

    def test_a_stricter_threshold_vetoes_a_district_with_one_larger_accident(self):
        self.assertFalse(self.results()["xishan"].vetoed)
        self.client.force_login(self.office)
        self.client.post(self.url, rule_data(**{"V3-larger_count": "1"}))
        self.assertEqual(Year.objects.get(year=2026).veto_rules, {"V3": {"larger_count": 1}})
        self.assertEqual(self.results()["xishan"].veto_codes, ["V3"])
        ranking = self.client.get(reverse("assessment:ranking"), {"year": 2026})
        self.assertContains(ranking, "✗ 板块发生多起较大事故：发生较大及以上事故1起（否决线1起）")

    def test_switching_a_rule_off_and_narrowing_its_kinds(self):
        self.client.force_login(self.office)
        data = rule_data(**{"V6-enabled": None, "V7-applies_to": ["district"]})
        self.client.post(self.url, data)
        saved = Year.objects.get(year=2026).veto_rules
        self.assertEqual(saved, {"V6": {"enabled": False}, "V7": {"applies_to": ["district"]}})
        self.assertFalse(self.results()["huishan"].vetoed)
        self.assertEqual(self.results()["zhujian"].yellow_cards, ())  # V7 no longer for departments

    def test_bad_settings_are_refused_at_their_field_and_kept(self):
        self.client.force_login(self.office)
        data = rule_data(**{"V3-larger_count": "0", "V5-applies_to": None, "V7-death_cap_percent": ""})
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        forms = {row["rule"].code: row["form"] for row in response.context["rows"]}
        self.assertEqual(forms["V3"].errors["larger_count"], ["确保该值大于或等于1。"])
        self.assertEqual(forms["V5"].errors["applies_to"], ["启用的规则须至少适用于一类单位。"])
        self.assertEqual(forms["V7"].errors["death_cap_percent"], ["请填写比例，或停用此规则。"])
        self.assertContains(response, 'name="V3-larger_count" value="0"')
        self.assertEqual(Year.objects.get(year=2026).veto_rules, {})

    def test_leaders_read_the_rules_and_cannot_change_them(self):
        self.client.force_login(self.leader)
        response = self.client.get(self.url)
        self.assertContains(response, '<td class="text-nowrap">板块发生多起较大事故</td>', html=True)
        self.assertContains(response, "较大及以上事故（起）：2")
        self.assertNotContains(response, 'data-testid="veto-rules"')
        self.assertEqual(self.client.post(self.url, rule_data()).status_code, 403)

    def test_a_finalized_year_keeps_its_rules(self):
        finalizing.finalize(Year.objects.get(year=2026), user=self.office)
        self.client.force_login(self.office)
        response = self.client.post(self.url, rule_data(**{"V3-larger_count": "1"}), follow=True)
        self.assertContains(response, "已定稿，否决规则不能再改")
        self.assertEqual(Year.objects.get(year=2026).veto_rules, {})


@time_machine.travel(date(2027, 2, 1))
class WhatIfPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)
        cls.office = make_office_user()
        cls.url = reverse("assessment:what_if", args=[2026])

    def ask(self, *rows):
        data = {"c-TOTAL_FORMS": "3", "c-INITIAL_FORMS": "0"}
        for i, row in enumerate(rows):
            data |= {f"c-{i}-{key}": value for key, value in row.items()}
        self.client.force_login(self.office)
        return self.client.get(self.url, data)

    def test_exempting_the_concealing_district_lifts_its_veto_side_by_side_and_saves_nothing(self):
        grade_before = Accident.objects.get(pk=self.concealed.pk).grade
        response = self.ask({"accident": self.concealed.pk, "exempt_unit": self.u["huishan"].pk})
        self.assertEqual(response.status_code, 200)
        (label, changes), *_ = response.context["groups"]
        self.assertEqual(label, "板块")
        huishan = next(c for c in changes if c.unit.code == "huishan")
        self.assertEqual((huishan.now.vetoed, huishan.now.rank), (True, 4))
        self.assertEqual(huishan.then.vetoed, False)
        self.assertContains(response, "✓ 不再否决")
        self.assertContains(response, "✗ 瞒报谎报较大及以上事故：瞒报或谎报较大及以上事故1起")
        self.assertNotContains(response, "✗ V6")
        self.assertContains(response, "惠山区对")
        self.assertFalse(AccidentExemption.objects.filter(unit=self.u["huishan"]).exists())
        self.assertEqual(Accident.objects.get(pk=self.concealed.pk).grade, grade_before)

    def test_regrading_an_accident_to_ordinary_removes_a_yellow_card(self):
        response = self.ask({"accident": self.a2.pk, "grade": "ordinary"})
        changes = dict(response.context["groups"])
        xishan = next(c for c in changes["板块"] if c.unit.code == "xishan")
        self.assertEqual([c.code for c in xishan.now.yellow_cards], ["V3"])
        self.assertEqual(xishan.then.yellow_cards, ())
        self.assertGreater(xishan.then.score, xishan.now.score)  # A3 no longer loses 5 points

    def test_a_unit_without_responsibility_for_the_accident_is_refused_at_its_field(self):
        response = self.ask({"accident": self.a2.pk, "exempt_unit": self.u["liangxi"].pk})
        form = response.context["formset"].forms[0]
        self.assertEqual(form.errors["exempt_unit"], ["该单位不是这起事故的属地或监管部门，无需免责。"])
        self.assertNotIn("said", response.context)

    def test_nothing_asked_says_what_to_do(self):
        response = self.ask()
        self.assertContains(response, "请至少假设一项调整")
