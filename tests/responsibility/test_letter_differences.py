"""When the rules of a year whose letters are issued change, the 安委办 sees the letters that now say
something else, what each said and what the rules say, and amends them (signed) or rewords them
(issued, not yet signed). A signed text never changes under the signer."""

from datetime import date
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from responsibility import documents, services
from responsibility.models import LetterStatus, LetterVersion, ResponsibilityLetter, Target, UnitKind
from tests.assessment.results.test_veto_pages import rule_data
from tests.factories import make_indicator, make_office_user, make_unit, make_user, make_year

D = Decimal
URL = reverse("responsibility:letter_differences", args=[2030])


def load(letter_id):
    return (
        ResponsibilityLetter.objects.select_related("unit", "year")
        .prefetch_related("targets__indicator")
        .get(pk=letter_id)
    )


def issue_units(year, *units, signed=()):
    """Draft every unit's letter from the catalog with a cap of 5, issue them, sign `signed`."""
    services.create_letters(year, services.plan_letters(year))
    letters = ResponsibilityLetter.objects.filter(year=year, unit__in=units)
    Target.objects.filter(letter__in=letters, indicator__is_death_cap=True).update(target_value=D(5))
    services.issue_letters(
        year, list(letters.values_list("pk", flat=True)), issued_on=date(year.year, 2, 1), issuer_name="市长"
    )
    letters.filter(unit__in=signed).update(status=LetterStatus.SIGNED, signed_on=date(year.year, 2, 5))


class LetterDifferencesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2030)
        cls.cap = make_indicator(
            code="K1",
            name="亡人控制",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            grades=[],
            is_death_cap=True,
            params={"per_unit": "1"},
            weights={"district": "60.00"},
        )
        make_indicator(code="K2", name="年度任务", rule="completion", weights={"district": "40.00"})
        cls.signed_unit = make_unit(name="南湖区", code="nanhu", kind=UnitKind.DISTRICT)
        cls.issued_unit = make_unit(name="北塘区", code="beitang", kind=UnitKind.DISTRICT)
        cls.draft_unit = make_unit(name="西岭区", code="xiling", kind=UnitKind.DISTRICT)
        issue_units(cls.year, cls.signed_unit, cls.issued_unit, signed=[cls.signed_unit])
        cls.signed = ResponsibilityLetter.objects.get(unit=cls.signed_unit)
        cls.issued = ResponsibilityLetter.objects.get(unit=cls.issued_unit)
        cls.office = make_office_user()

    def setUp(self):
        self.client.force_login(self.office)

    def change_vetoes(self, **changes):
        return self.client.post(
            reverse("assessment:veto_rules", args=[2030]), rule_data(**changes), follow=True
        )

    def test_letters_that_say_what_the_rules_say_are_not_listed(self):
        response = self.client.get(URL)
        self.assertContains(response, "2030年度已下发的责任书表述均与现行规则一致")
        self.assertEqual(response.context["rows"], [])

    def test_saving_stricter_veto_rules_lists_the_issued_letters_with_what_they_said_and_now_say(self):
        response = self.change_vetoes(**{"V3-larger_count": "3"})
        self.assertContains(response, "2030年度有 2 份已下发的责任书与现行规则的表述不一致")
        self.assertContains(response, f'<a href="{URL}">逐份核对并修订</a>', html=True)

        page = self.client.get(URL)
        rows = {row["letter"].unit.name: row for row in page.context["rows"]}
        self.assertEqual(set(rows), {"南湖区", "北塘区"})
        veto, yellow = rows["南湖区"]["differences"]  # the 一票否决 clause and the 黄牌 sentence
        self.assertEqual((veto.where, yellow.where), ("正文第5段", "正文第6段"))
        self.assertIn("累计发生较大或更重等级生产安全事故 2 起及以上", veto.said)
        self.assertIn("累计发生较大或更重等级生产安全事故 3 起及以上", veto.says)
        self.assertIn("（达到 2 起即否决）", yellow.said)
        self.assertIn("（达到 3 起即否决）", yellow.says)
        self.assertNotContains(page, "西岭区")  # a draft always says today's words
        self.assertContains(page, "修订为第2版（须重新签订）")
        self.assertContains(page, "按现行规则更新表述")

    def test_the_signed_letter_still_prints_what_was_signed(self):
        before = documents.letter_document_context(load(self.signed.pk))["paragraphs"]
        self.change_vetoes(**{"V3-larger_count": "3"})
        self.assertEqual(documents.letter_document_context(load(self.signed.pk))["paragraphs"], before)

    def save_cap_indicator(self, **changes):
        data = {
            "name": "亡人控制",
            "category": "事故控制",
            "rule": "cap_deduction",
            "source": "derived",
            "per_unit": "1",
            "measure": "deaths",
            "link": "both",
            "is_death_cap": "on",
            "sort_order": "100",
            "active": "on",
        } | changes
        url = reverse("responsibility:indicator_edit", args=[self.cap.pk])
        return self.client.post(url, data, follow=True)

    def test_saving_what_an_indicator_counts_lists_each_changed_target(self):
        response = self.save_cap_indicator(industries=["fire"])
        self.assertContains(response, "已保存指标 K1")
        self.assertContains(response, "2030年度有 2 份已下发的责任书与现行规则的表述不一致")
        row = self.client.get(URL).context["rows"][0]
        (difference,) = row["differences"]
        self.assertEqual(difference.where, "目标 K1 亡人控制")
        self.assertEqual(difference.said, "全年死亡人数控制在 5 人以内，每超 1 人扣 1 分，扣完为止")
        self.assertEqual(difference.says, "全年火灾死亡人数控制在 5 人以内，每超 1 人扣 1 分，扣完为止")

    def test_an_indicators_deduction_changes_only_the_letters_whose_targets_do_not_set_their_own(self):
        # Prepared letters copy the catalog's params into each target, and the engine reads the
        # target's over the indicator's: the signed letter still deducts 1 a person, as it says.
        Target.objects.filter(letter=self.issued, indicator=self.cap).update(params={})
        response = self.save_cap_indicator(per_unit="2")
        self.assertContains(response, "2030年度有 1 份已下发的责任书与现行规则的表述不一致")
        (row,) = self.client.get(URL).context["rows"]
        self.assertEqual(row["letter"], self.issued)
        self.assertIn("每超 1 人扣 2 分", row["differences"][0].says)

    def test_saving_an_indicator_that_changes_no_letter_says_nothing_more(self):
        response = self.save_cap_indicator(name="亡人控制（新名称）")
        self.assertNotContains(response, "表述不一致")

    def test_a_targets_own_params_are_rules_too(self):
        Target.objects.filter(letter=self.signed, indicator=self.cap).update(params={"per_unit": "4"})
        (row,) = self.client.get(URL).context["rows"]
        self.assertEqual(row["letter"], self.signed)
        self.assertIn("每超 1 人扣 4 分", row["differences"][0].says)

    def test_amending_a_signed_letter_keeps_the_signed_words_and_issues_todays_for_re_signing(self):
        self.change_vetoes(**{"V3-larger_count": "3"})
        old_words = ResponsibilityLetter.objects.get(pk=self.signed.pk).words
        response = self.client.post(
            reverse("responsibility:letter_reword", args=[self.signed.pk]),
            {"reason": "否决线调整"},
            follow=True,
        )
        self.assertRedirects(response, URL)
        self.assertContains(response, "已生成南湖区第 2 版责任书，表述按现行规则；须由南湖区重新签订。")
        letter = ResponsibilityLetter.objects.get(pk=self.signed.pk)
        self.assertEqual((letter.status, letter.version), (LetterStatus.ISSUED, 2))
        self.assertIn("3 起及以上", "".join(letter.words["paragraphs"]))
        kept = LetterVersion.objects.get(letter=letter, version=1)
        self.assertEqual((kept.words, kept.reason), (old_words, "否决线调整"))
        self.assertEqual([row["letter"].unit.name for row in response.context["rows"]], ["北塘区"])

    def test_an_amendment_without_a_reason_is_refused_at_the_field_and_changes_nothing(self):
        self.change_vetoes(**{"V3-larger_count": "3"})
        response = self.client.post(
            reverse("responsibility:letter_reword", args=[self.signed.pk]), {"reason": ""}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "✗ 请填写修订原因")
        letter = ResponsibilityLetter.objects.get(pk=self.signed.pk)
        self.assertEqual((letter.status, letter.version), (LetterStatus.SIGNED, 1))
        self.assertFalse(LetterVersion.objects.exists())

    def test_rewording_an_issued_letter_not_yet_signed_keeps_no_version(self):
        self.change_vetoes(**{"V3-larger_count": "3"})
        response = self.client.post(
            reverse("responsibility:letter_reword", args=[self.issued.pk]), follow=True
        )
        self.assertContains(response, "北塘区的责任书表述已按现行规则更新，尚待其签订。")
        letter = ResponsibilityLetter.objects.get(pk=self.issued.pk)
        self.assertEqual((letter.status, letter.version), (LetterStatus.ISSUED, 1))
        self.assertIn("3 起及以上", "".join(letter.words["paragraphs"]))
        self.assertFalse(LetterVersion.objects.exists())

    def test_editing_an_issued_letters_targets_rewords_it(self):
        target = Target.objects.get(letter=self.issued, indicator=self.cap)
        data = {
            "targets-TOTAL_FORMS": "2",
            "targets-INITIAL_FORMS": "2",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
        }
        for i, t in enumerate(self.issued.targets.order_by("indicator__sort_order", "indicator__code")):
            value = "4" if t.pk == target.pk else ("" if t.target_value is None else str(t.target_value))
            data |= {
                f"targets-{i}-id": t.pk,
                f"targets-{i}-letter": self.issued.pk,
                f"targets-{i}-indicator": t.indicator_id,
                f"targets-{i}-weight": str(t.weight),
                f"targets-{i}-target_value": value,
                f"targets-{i}-wording": "",
            }
        response = self.client.post(reverse("responsibility:letter_targets", args=[self.issued.pk]), data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context.get("formset").errors,
        )
        words = ResponsibilityLetter.objects.get(pk=self.issued.pk).words
        self.assertEqual(words["targets"]["K1"], "全年死亡人数控制在 4 人以内，每超 1 人扣 1 分，扣完为止")

    def test_the_letter_page_shows_the_signed_words_and_tells_the_office_they_differ(self):
        Target.objects.filter(letter=self.signed, indicator=self.cap).update(params={"per_unit": "4"})
        page = self.client.get(self.signed.get_absolute_url())
        self.assertContains(page, "全年死亡人数控制在 5 人以内，每超 1 人扣 1 分，扣完为止")
        self.assertNotContains(page, "每超 1 人扣 4 分")
        self.assertContains(page, "此责任书的表述与现行考核规则不一致")
        self.assertNotContains(
            self.client.get(self.issued.get_absolute_url()), "此责任书的表述与现行考核规则不一致"
        )

    def test_only_the_office_opens_the_page(self):
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(URL).status_code, 403)


class LetterDifferencesQueryTests(TestCase):
    def test_the_page_runs_the_same_queries_however_many_letters_differ(self):
        year = make_year(2030)
        make_indicator(
            code="K1",
            rule="cap_deduction",
            source="derived",
            measure="deaths",
            is_death_cap=True,
            weights={"district": "100.00"},
        )
        units = [make_unit(kind=UnitKind.DISTRICT) for _ in range(6)]
        issue_units(year, *units[:2], signed=units[:1])
        year.veto_rules = {"V3": {"larger_count": 3}}
        year.save(update_fields=["veto_rules"])
        client = self.client
        client.force_login(make_office_user())
        client.get(URL)  # warm the session
        # session, user, permissions, year, letters with units, targets with indicators
        with self.assertNumQueries(6):
            few = client.get(URL)
        self.assertEqual(len(few.context["rows"]), 2)
        ResponsibilityLetter.objects.filter(year=year).delete()
        issue_units(year, *units, signed=units[:3])
        year.veto_rules = {"V3": {"larger_count": 4}}
        year.save(update_fields=["veto_rules"])
        with self.assertNumQueries(6):
            many = client.get(URL)
        self.assertEqual(len(many.context["rows"]), 6)
