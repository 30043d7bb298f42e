"""The ranking tables and a unit's assessment page, on the year worked out by hand in test_assess."""

from datetime import date

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import finalizing
from responsibility import roles
from tests.assessment import test_assess
from tests.factories import make_office_user, make_unit, make_user


@time_machine.travel(date(2027, 2, 1))
class RankingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)  # the year worked out by hand
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)
        cls.liangxi_reporter = make_user(unit=cls.u["liangxi"])

    def page(self, group="territory", **params):
        return self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": group, **params})

    def test_a_group_ranks_with_ties_and_the_vetoed_unit_last(self):
        self.client.force_login(self.leader)
        response = self.page()
        self.assertContains(response, "预估")
        names = [row["name"] for row in response.context["table"].data]
        self.assertEqual(names[-1], "惠山区")  # vetoed (V6) after every unvetoed unit
        ranks = [row["rank"] for row in response.context["table"].data]
        self.assertEqual(ranks, [1, 1, 3, 4])
        self.assertContains(response, "V6")
        self.assertContains(response, "黄牌")

    def test_the_finalized_snapshot_is_shown_once_there_is_one(self):
        finalizing.finalize(self.year, user=self.office)
        self.client.force_login(self.office)
        self.assertContains(self.page(), "已定稿")

    def test_export_and_sorting(self):
        self.client.force_login(self.office)
        self.assertEqual(self.page(sort="-score").status_code, 200)
        export = self.page(_export="csv")
        self.assertIn("梁溪区", export.content.decode("utf-8"))

    def test_units_cannot_see_the_ranking(self):
        self.client.force_login(self.liangxi_reporter)
        self.assertEqual(self.page().status_code, 403)

    def test_a_units_page_only_after_publishing_and_only_its_own(self):
        url = reverse("assessment:assessment_detail", args=[2026, self.u["liangxi"].pk])
        other = reverse("assessment:assessment_detail", args=[2026, self.u["xishan"].pk])
        self.client.force_login(self.liangxi_reporter)
        self.assertEqual(self.client.get(url).status_code, 404)  # not yet published
        finalizing.finalize(self.year, user=self.office)
        finalizing.publish(self.year, user=self.office)
        response = self.client.get(url)
        self.assertContains(response, "梁溪区 · 2026年度考核")
        self.assertContains(response, "102.00")
        self.assertEqual(self.client.get(other).status_code, 404)

    def test_leaders_see_every_units_page_with_vetoes_linked_to_their_records(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("assessment:assessment_detail", args=[2026, self.u["huishan"].pk]))
        self.assertContains(response, "V6")
        self.assertContains(response, reverse("assessment:accident_detail", args=[self.concealed.pk]))

    def test_the_ranking_costs_the_same_queries_with_more_units(self):
        self.client.force_login(self.leader)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.page().status_code, 200)
            return len(queries)

        before = count()
        for i in range(20):
            make_unit(name=f"区{i}", code=f"extra{i}")  # units without a signed letter are not assessed
        self.assertEqual(count(), before)
