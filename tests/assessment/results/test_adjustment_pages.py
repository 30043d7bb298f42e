"""The 安委办's pages for the year-end inputs (加减分, 考核扣分) and its 定稿 / 发布 / 重新打开 buttons,
on the year worked out by hand in test_assess (liangxi 102.00 with its bonus capped, xishan 81.80)."""

from datetime import date
from decimal import Decimal

import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Adjustment, Assessment, Deduction
from assessment.results import finalizing
from responsibility import roles
from responsibility.models import UnitKind, YearStatus
from tests.assessment.results import test_assess
from tests.assessment.results.test_assess import target
from tests.factories import make_office_user, make_unit, make_user

D = Decimal


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class PagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)  # the year worked out by hand
        cls.office = make_office_user(name="王主任")
        cls.leader = make_user(city_role=roles.LEADER)
        cls.liangxi_reporter = make_user(unit=cls.u["liangxi"])

    def setUp(self):
        self.client.force_login(self.office)

    def ranking_row(self, code: str, group: str = "territory") -> dict:
        response = self.client.get(reverse("assessment:ranking"), {"year": 2026, "group": group})
        self.assertEqual(response.status_code, 200)
        name = self.u[code].name
        return next(row for row in response.context["table"].data if row["name"] == name)

    def finalize(self):
        return finalizing.finalize(self.year, user=self.office)


@time_machine.travel(date(2027, 2, 1))
class AdjustmentPageTests(PagesTestCase):
    url = reverse("assessment:adjustment_list", args=[2026])

    def add(self, **data):
        return self.client.post(self.url, {"unit": self.u["xishan"].pk, "kind": "bonus", **data})

    def test_the_list_shows_every_adjustment_with_who_and_the_veto_flag(self):
        response = self.client.get(self.url)
        self.assertContains(response, "安全生产工作获国务院安委会表扬")
        self.assertContains(response, "+4.00")
        self.assertContains(response, "−2.00")
        self.assertContains(response, "✗ 弄虚作假")
        self.assertEqual(response.context["table"].paginator.count, 5)
        self.assertContains(response, "录入加减分")

    def test_a_bonus_raises_the_units_score_on_the_ranking(self):
        self.assertEqual(self.ranking_row("xishan")["score"], D("81.80"))
        response = self.add(points="3", reason="企业安全生产标准化达标率全市第一", basis="锡安委〔2026〕9号")
        self.assertRedirects(response, self.url)
        self.assertIn("已录入锡山区+3.00 分：企业安全生产标准化达标率全市第一", messages_of(response))
        adjustment = Adjustment.objects.get(reason="企业安全生产标准化达标率全市第一")
        self.assertEqual((adjustment.points, adjustment.created_by), (D(3), self.office))
        row = self.ranking_row("xishan")
        self.assertEqual((row["bonus"], row["score"]), (D("3.00"), D("84.80")))

    def test_a_penalty_is_typed_positive_and_taken_off(self):
        self.add(kind="penalty", points="1.5", reason="被市安委会通报批评")
        self.assertEqual(Adjustment.objects.get(reason="被市安委会通报批评").points, D("-1.5"))
        row = self.ranking_row("xishan")
        self.assertEqual((row["penalty"], row["score"]), (D("3.50"), D("80.30")))

    def test_a_manual_veto_vetoes_the_unit_on_the_ranking(self):
        unit = self.u["zhujian"]
        response = self.client.post(self.url, {"unit": unit.pk, "kind": "veto", "reason": "伪造隐患整改台账"})
        self.assertIn("已录入住房城乡建设局的弄虚作假一票否决", messages_of(response)[0])
        self.assertTrue(Adjustment.objects.get(unit=unit).manual_veto)
        row = self.ranking_row("zhujian", group="professional")
        self.assertTrue(row["vetoed"])
        self.assertEqual(row["vetoes"], "弄虚作假：伪造隐患整改台账")
        self.assertEqual(row["grade"], "不合格")
        page = self.client.get(reverse("assessment:assessment_detail", args=[2026, unit.pk]))
        entered = timezone.localdate(Adjustment.objects.get(unit=unit).created_at)
        self.assertContains(page, f"认定记录（{entered:%Y-%m-%d}）</a>")
        self.assertNotContains(page, "加减分#")

    def test_a_bonus_over_the_cap_is_saved_with_a_warning(self):
        # 梁溪区 already has +3 and +4; the cap is 5.
        response = self.client.post(
            self.url,
            {"unit": self.u["liangxi"].pk, "kind": "bonus", "points": "1", "reason": "先进集体"},
            follow=True,
        )
        self.assertTrue(Adjustment.objects.filter(reason="先进集体").exists())
        self.assertContains(response, "梁溪区2026年度加分合计 8.00 分，超过加分上限 5.00 分")
        self.assertContains(response, "计入总分的加分按 5.00 分计")
        self.assertContains(response, "梁溪区（8.00 分）")  # and on the list, until it is fixed
        self.assertEqual(self.ranking_row("liangxi")["bonus"], D("5.00"))

    def test_errors_are_shown_at_the_field_and_what_was_typed_is_kept(self):
        cases = [
            ({"kind": "bonus", "points": ""}, "points", "请填写加分分值（正数，如 2）。"),
            ({"kind": "penalty", "points": "-2"}, "points", "减分请填正数：扣 2 分就填 2。"),
            ({"kind": "bonus", "points": "-2"}, "points", "加分分值须大于 0；要减分请选择“减分”。"),
            ({"kind": "bonus", "points": "0"}, "points", "分值须大于 0"),
            ({"kind": "bonus", "points": "abc"}, "points", "分值须为数字。"),
            ({"kind": "bonus", "points": "150"}, "points", "分值不能超过 100 分，请核对。"),
            ({"kind": "veto", "points": "3"}, "points", "弄虚作假一票否决不计分值，请把分值留空。"),
            ({"kind": "bonus", "points": "2", "reason": "  "}, "reason", "请填写事由。"),
            ({"kind": "bonus", "points": "2", "unit": ""}, "unit", "请填写责任单位。"),
        ]
        for data, field, message in cases:
            with self.subTest(data=data):
                response = self.add(
                    **{"reason": "市级文明单位创建成绩突出", "basis": "锡政发〔2026〕12号", **data}
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, " ".join(response.context["form"].errors[field]))
                self.assertContains(response, f'data-field-error="{field}"')
                self.assertContains(response, "锡政发〔2026〕12号")
                if field != "reason":
                    self.assertContains(response, "市级文明单位创建成绩突出")
        self.assertEqual(Adjustment.objects.count(), 5)

    def test_delete_takes_it_off_and_history_keeps_it(self):
        adjustment = Adjustment.objects.get(unit=self.u["xishan"])
        response = self.client.post(reverse("assessment:adjustment_delete", args=[adjustment.pk]))
        self.assertRedirects(response, self.url)
        self.assertIn("已删除锡山区的−2.00 分：被省安委办通报批评", messages_of(response)[0])
        self.assertFalse(Adjustment.objects.filter(pk=adjustment.pk).exists())
        deleted = Adjustment.history.get(id=adjustment.pk, history_type="-")
        self.assertEqual(deleted.history_user, self.office)
        self.assertEqual(self.ranking_row("xishan")["score"], D("83.80"))
        page = self.client.get(self.url)
        self.assertContains(page, "删除")
        self.assertEqual([r.action for r in page.context["history"]][0], "删除")

    def test_delete_goes_back_to_the_filtered_list(self):
        adjustment = Adjustment.objects.get(unit=self.u["xishan"])
        back = f"{self.url}?unit={self.u['xishan'].pk}"
        response = self.client.post(
            reverse("assessment:adjustment_delete", args=[adjustment.pk]), {"next": back}
        )
        self.assertRedirects(response, back)
        elsewhere = self.client.post(
            reverse("assessment:adjustment_delete", args=[self.fraud.pk]), {"next": "https://example.com/"}
        )
        self.assertRedirects(elsewhere, self.url)

    def test_nothing_changes_once_the_year_is_finalized(self):
        self.finalize()
        page = self.client.get(self.url)
        self.assertContains(page, "已定稿，加减分和考核扣分不能再修改")
        self.assertContains(page, "请先在考核排名页说明原因重新打开")
        self.assertIsNone(page.context["form"])
        self.assertNotContains(page, reverse("assessment:adjustment_delete", args=[self.fraud.pk]))

        response = self.add(points="3", reason="迟到的表扬")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请先在考核排名页说明原因重新打开")
        self.assertContains(response, "迟到的表扬")  # kept for after reopening
        response = self.client.post(
            reverse("assessment:adjustment_delete", args=[self.fraud.pk]), follow=True
        )
        self.assertContains(response, "不能再修改")
        self.assertEqual(Adjustment.objects.count(), 5)

    def test_filter_by_unit_and_kind_and_the_add_form_follows_the_unit(self):
        xishan = self.u["xishan"]
        response = self.client.get(self.url, {"unit": xishan.pk})
        self.assertEqual([a.unit for a in response.context["table"].data], [xishan])
        self.assertEqual(response.context["form"].initial["unit"], xishan)
        bonuses = self.client.get(self.url, {"kind": "bonus"}).context["table"].data
        self.assertEqual(len(bonuses), 3)
        vetoes = self.client.get(self.url, {"kind": "veto"}).context["table"].data
        self.assertEqual([a.reason for a in vetoes], ["伪造执法检查记录"])

    def test_export(self):
        response = self.client.get(self.url, {"_export": "csv"})
        text = response.content.decode("utf-8")
        self.assertIn("交通运输局", text)
        self.assertIn("弄虚作假", text)
        self.assertNotIn("删除", text)
        self.assertEqual(self.client.get(self.url, {"_export": "xlsx"}).status_code, 200)

    def test_leaders_read_but_do_not_write(self):
        self.client.force_login(self.leader)
        page = self.client.get(self.url)
        self.assertContains(page, "伪造执法检查记录")
        self.assertIsNone(page.context["form"])
        self.assertNotContains(page, "录入加减分")
        self.assertEqual(self.add(points="3", reason="表扬").status_code, 403)
        self.assertEqual(
            self.client.post(reverse("assessment:adjustment_delete", args=[self.fraud.pk])).status_code, 403
        )

    def test_a_unit_member_cannot_reach_them(self):
        self.client.force_login(self.liangxi_reporter)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.add(points="3", reason="自己给自己加分").status_code, 403)
        own = Adjustment.objects.filter(unit=self.u["liangxi"]).first()
        self.assertEqual(
            self.client.post(reverse("assessment:adjustment_delete", args=[own.pk])).status_code, 403
        )
        other = self.client.post(reverse("assessment:adjustment_delete", args=[self.fraud.pk]))
        self.assertEqual(other.status_code, 404)
        self.assertEqual(Adjustment.objects.count(), 5)

    def test_unknown_year_is_404(self):
        self.assertEqual(self.client.get(reverse("assessment:adjustment_list", args=[1999])).status_code, 404)


@time_machine.travel(date(2027, 2, 1))
class DeductionPageTests(PagesTestCase):
    def url(self, code="liangxi"):
        return reverse("assessment:deduction_list", args=[2026, self.u[code].pk])

    def test_the_page_lists_the_assessed_targets_with_their_deductions_and_what_is_left(self):
        response = self.client.get(self.url())
        (row,) = response.context["rows"]
        self.assertEqual(row.target.indicator.code, "B1")
        self.assertEqual((row.target.weight, row.deducted, row.remaining), (D(20), D("1.5"), D("18.5")))
        self.assertContains(response, "安委会未按季度研究安全生产工作")
        self.assertContains(response, "剩余")
        self.assertContains(response, "18.50")
        self.assertContains(response, "录入扣分")

    def test_a_deduction_lowers_the_units_score(self):
        self.assertEqual(self.ranking_row("xishan")["base"], D("83.80"))
        b1 = target(self.u["xishan"], "B1")
        response = self.client.post(
            self.url("xishan"), {"target": b1.pk, "points": "2", "reason": "应急预案未演练"}
        )
        self.assertRedirects(response, f"{self.url('xishan')}?target={b1.pk}")  # the next one too
        self.assertEqual(self.client.get(response.url).context["form"]["target"].value(), str(b1.pk))
        self.assertIn("已录入 B1 扣 2.00 分；该项已扣 2.00 分，剩余 18.00 分。", messages_of(response))
        deduction = Deduction.objects.get(reason="应急预案未演练")
        self.assertEqual((deduction.target, deduction.points, deduction.created_by), (b1, D(2), self.office))
        row = self.ranking_row("xishan")
        self.assertEqual((row["base"], row["score"]), (D("81.80"), D("79.80")))

    def test_deductions_may_exceed_the_weight_and_the_item_floors_at_0(self):
        db1 = target(self.u["guolian"], "DB1")  # 20 points, 22 already deducted
        page = self.client.get(self.url("guolian"))
        self.assertContains(page, "已超过分值 20.00 分")
        self.assertEqual(page.context["rows"][0].remaining, D(0))
        response = self.client.post(
            self.url("guolian"), {"target": db1.pk, "points": "1", "reason": "培训记录缺失"}, follow=True
        )
        self.assertContains(response, "扣分合计 23.00 分，已超过分值 20.00 分：该项按 0 分计")

    def test_errors_are_shown_at_the_field_and_what_was_typed_is_kept(self):
        b1 = target(self.u["liangxi"], "B1")
        other = target(self.u["xishan"], "B1")
        cases = [
            ({"points": "0"}, "points", "扣分须大于 0，如 0.5。"),
            ({"points": "-1"}, "points", "扣分须大于 0"),
            ({"points": ""}, "points", "请填写扣分。"),
            ({"points": "0.555"}, "points", "扣分最多两位小数。"),
            ({"points": "1", "reason": ""}, "reason", "请填写扣分理由。"),
            ({"points": "1", "target": other.pk}, "target", "请选择本单位的考核指标。"),
        ]
        for data, field, message in cases:
            with self.subTest(data=data):
                response = self.client.post(
                    self.url(), {"target": b1.pk, "reason": "隐患排查台账不全", **data}
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, " ".join(response.context["form"].errors[field]))
                self.assertContains(response, f'data-field-error="{field}"')
                if field != "reason":
                    self.assertContains(response, "隐患排查台账不全")
        self.assertEqual(Deduction.objects.count(), 7)

    def test_delete(self):
        deduction = Deduction.objects.get(reason="责任书未签订到全部镇街")
        response = self.client.post(reverse("assessment:deduction_delete", args=[deduction.pk]))
        self.assertRedirects(response, self.url())
        self.assertIn("已删除 B1 的扣分（1.00 分：责任书未签订到全部镇街）", messages_of(response)[0])
        self.assertFalse(Deduction.objects.filter(pk=deduction.pk).exists())
        self.assertEqual(Deduction.history.get(id=deduction.pk, history_type="-").history_user, self.office)
        self.assertEqual(self.ranking_row("liangxi")["base"], D("98.00"))
        self.assertEqual(self.client.get(self.url()).context["history"][0].action, "删除")

    def test_nothing_changes_once_the_year_is_finalized(self):
        self.finalize()
        page = self.client.get(self.url())
        self.assertContains(page, "请先在考核排名页说明原因重新打开")
        self.assertIsNone(page.context["form"])
        b1 = target(self.u["liangxi"], "B1")
        response = self.client.post(self.url(), {"target": b1.pk, "points": "1", "reason": "迟到的扣分"})
        self.assertContains(response, "不能再修改")
        self.assertContains(response, "迟到的扣分")
        deduction = Deduction.objects.filter(target=b1).first()
        self.client.post(reverse("assessment:deduction_delete", args=[deduction.pk]))
        self.assertEqual(Deduction.objects.count(), 7)
        finalizing.reopen(self.year, user=self.office, reason="补录扣分")
        self.client.post(self.url(), {"target": b1.pk, "points": "1", "reason": "迟到的扣分"})
        self.assertEqual(Deduction.objects.count(), 8)

    def test_a_target_scored_by_another_rule_is_listed_but_takes_no_deduction(self):
        # An assessed indicator scored by completion: `assessing` reads no deductions for it.
        c1 = target(self.u["liangxi"], "C1")
        c1.indicator.source = "assessed"
        c1.indicator.save(update_fields=["source"])
        response = self.client.get(self.url())
        self.assertEqual([row.target.indicator.code for row in response.context["rows"]], ["B1", "C1"])
        self.assertContains(response, "不读取逐项扣分")
        response = self.client.post(self.url(), {"target": c1.pk, "points": "1", "reason": "不计分"})
        self.assertIn("请选择本单位的考核指标。", response.context["form"].errors["target"])

    def test_leaders_read_and_units_cannot_reach_it(self):
        self.client.force_login(self.leader)
        page = self.client.get(self.url())
        self.assertContains(page, "安委会未按季度研究安全生产工作")
        self.assertIsNone(page.context["form"])
        self.assertEqual(self.client.post(self.url(), {}).status_code, 403)
        self.client.force_login(self.liangxi_reporter)
        self.assertEqual(self.client.get(self.url()).status_code, 403)  # its own unit
        self.assertEqual(self.client.get(self.url("xishan")).status_code, 404)  # another unit
        own = Deduction.objects.filter(target__letter__unit=self.u["liangxi"]).first()
        other = Deduction.objects.filter(target__letter__unit=self.u["binhu"]).first()
        self.assertEqual(
            self.client.post(reverse("assessment:deduction_delete", args=[own.pk])).status_code, 403
        )
        self.assertEqual(
            self.client.post(reverse("assessment:deduction_delete", args=[other.pk])).status_code, 404
        )
        self.assertEqual(Deduction.objects.count(), 7)

    def test_the_units_page_links_here_for_the_office_only(self):
        url = reverse("assessment:assessment_detail", args=[2026, self.u["liangxi"].pk])
        page = self.client.get(url)
        self.assertContains(page, self.url())
        self.assertContains(page, "录入扣分")
        self.assertContains(
            page, f"{reverse('assessment:adjustment_list', args=[2026])}?unit={self.u['liangxi'].pk}"
        )
        self.client.force_login(self.leader)
        self.assertNotContains(self.client.get(url), "录入扣分")


@time_machine.travel(date(2027, 2, 1))
class FinalizeButtonTests(PagesTestCase):
    ranking = reverse("assessment:ranking")
    back = f"{ranking}?year=2026&group=professional"

    def post(self, action: str, data=None, **kwargs):
        url = reverse(f"assessment:assessment_{action}", args=[2026])
        return self.client.post(f"{url}?group=professional", data or {}, **kwargs)

    def panel(self):
        response = self.client.get(self.ranking, {"year": 2026, "group": "professional"})
        return response, response.content.decode()

    def test_the_office_sees_the_years_state_and_the_leaders_do_not(self):
        response, html = self.panel()
        self.assertContains(response, "暂定（预估，尚未定稿）")
        self.assertContains(response, "定稿后分数不再随填报和事故变化")
        self.assertContains(response, reverse("assessment:assessment_finalize", args=[2026]))
        self.assertContains(response, reverse("assessment:adjustment_list", args=[2026]))
        self.assertContains(response, reverse("assessment:deduction_list", args=[2026, self.u["zhujian"].pk]))
        self.assertNotContains(response, reverse("assessment:assessment_publish", args=[2026]))
        self.assertNotContains(response, reverse("assessment:assessment_reopen", args=[2026]))
        self.client.force_login(self.leader)
        response, _ = self.panel()
        self.assertNotContains(response, 'data-testid="assessment-panel"')

    def test_finalize_publish_and_reopen_through_the_buttons(self):
        response = self.post("finalize")
        self.assertRedirects(response, self.back)
        self.assertIn(
            "已定稿2026年度年终考核：8 个单位的考核结果（总分、等级和名次，未签订单位及其原因）已锁定",
            messages_of(response)[0],
        )
        self.assertEqual(Assessment.objects.count(), 8)  # 7 ranked and xinwu, 未签订
        page, _ = self.panel()
        self.assertContains(page, "✓ 已定稿")
        self.assertContains(page, reverse("assessment:assessment_publish", args=[2026]))
        self.assertContains(page, reverse("assessment:assessment_reopen", args=[2026]))
        self.assertNotContains(page, reverse("assessment:assessment_finalize", args=[2026]))

        response = self.post("finalize")  # twice: refused, nothing written
        self.assertIn("已定稿；如需重新计算，请先说明原因重新打开", messages_of(response)[0])

        response = self.post("publish")
        self.assertRedirects(response, self.back)
        self.assertIn(
            "已发布2026年度年终考核结果：8 个单位现在可以查看本单位的考核结果。", messages_of(response)
        )
        self.year.refresh_from_db()
        self.assertEqual(self.year.status, YearStatus.PUBLISHED)
        page, _ = self.panel()
        self.assertContains(page, "✓ 已发布")
        self.assertNotContains(page, reverse("assessment:assessment_publish", args=[2026]))
        self.assertContains(page, reverse("assessment:assessment_reopen", args=[2026]))
        self.client.force_login(self.liangxi_reporter)
        own = reverse("assessment:assessment_detail", args=[2026, self.u["liangxi"].pk])
        self.assertEqual(self.client.get(own).status_code, 200)

        self.client.force_login(self.office)
        response = self.post("reopen", {"reason": "   "})
        self.assertRedirects(response, f"{self.back}#assessment-panel", fetch_redirect_response=False)
        self.assertIn("未重新打开：请在“重新打开”下说明原因。", messages_of(response))
        self.assertEqual(Assessment.objects.count(), 8)  # 7 ranked and xinwu, 未签订
        page, _ = self.panel()  # the refused form, at its field, once
        self.assertContains(page, "未重新打开")
        self.assertContains(page, 'data-field-error="reason"')
        self.assertContains(page, "请填写重新打开的原因。")
        self.assertContains(page, '<details open data-testid="reopen">')
        page, _ = self.panel()
        self.assertNotContains(page, "请填写重新打开的原因。")

        response = self.post("reopen", {"reason": "滨湖区第四季度数据有误"})
        self.assertRedirects(response, self.back)
        self.assertIn("撤回 8 个单位的定稿结果", messages_of(response)[0])
        self.assertEqual(Assessment.objects.count(), 0)
        self.assertEqual(
            Assessment.history.filter(history_type="-").first().history_change_reason,
            "滨湖区第四季度数据有误",
        )
        page, _ = self.panel()
        self.assertContains(page, "暂定（预估，尚未定稿）")

    def test_finalizing_before_the_q4_deadline_is_warned_about(self):
        _, html = self.panel()
        self.assertNotIn('data-testid="q4-warning"', html)  # 2027-02-01: Q4 was due 2027-01-10
        with time_machine.travel(date(2026, 12, 20)):
            _, html = self.panel()
        self.assertIn("第四季度填报截止日为 2027-01-10，尚未截止", html)

    def test_a_too_long_reason_is_refused_at_the_field_and_kept(self):
        self.finalize()
        reason = "原因" * 60
        response = self.post("reopen", {"reason": reason}, follow=True)
        self.assertContains(response, "原因请控制在 100 字以内。")
        self.assertContains(response, reason)  # kept, to be shortened
        self.assertEqual(Assessment.objects.count(), 8)  # 7 ranked and xinwu, 未签订

    def test_publishing_or_reopening_a_year_not_finalized_is_refused(self):
        response = self.post("publish")
        self.assertRedirects(response, self.back)
        self.assertIn("2026年度的年终考核尚未定稿，不能发布。", messages_of(response))
        response = self.post("reopen", {"reason": "试试"})
        self.assertIn("2026年度的年终考核尚未定稿，无需重新打开。", messages_of(response))
        self.year.refresh_from_db()
        self.assertEqual(self.year.status, YearStatus.PLANNING)

    def test_a_year_without_signed_letters_is_not_finalized(self):
        empty = test_assess.make_year(2027)
        response = self.client.post(reverse("assessment:assessment_finalize", args=[2027]))
        self.assertRedirects(response, f"{self.ranking}?year=2027")
        self.assertIn("2027年度还没有已签订责任书的单位", messages_of(response)[0])
        empty.refresh_from_db()
        self.assertEqual(empty.status, YearStatus.PLANNING)

    def test_a_unit_member_or_a_leader_cannot_press_them(self):
        for user in (self.liangxi_reporter, self.leader):
            self.client.force_login(user)
            for action in ("finalize", "publish", "reopen"):
                with self.subTest(user=user, action=action):
                    self.assertEqual(self.post(action, {"reason": "x"}).status_code, 403)
                    url = reverse(f"assessment:assessment_{action}", args=[2026])
                    self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(Assessment.objects.count(), 0)


@time_machine.travel(date(2027, 2, 1))
class QueryCountTests(PagesTestCase):
    """The two input pages cost the same number of queries with 10 more units, adjustments and deductions."""

    def count(self, url: str) -> int:
        self.client.get(url)  # a page that shows the kept assessment brings it up to date first
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def grow(self, n: int) -> None:
        for i in range(n):
            unit = make_unit(name=f"新增区{i}", code=f"more{i}", kind=UnitKind.DISTRICT, sort_order=100 + i)
            Adjustment.objects.create(
                year=self.year, unit=unit, points=D(1), reason=f"表扬{i}", created_by=self.office
            )
            Deduction.objects.create(
                target=target(self.u["liangxi"], "B1"), points=D("0.5"), reason=f"问题{i}"
            )

    def test_the_adjustment_list(self):
        url = reverse("assessment:adjustment_list", args=[2026])
        # frame (session, user, permissions with groups); the year;
        # finalized?; bonus totals; the units over the cap (梁溪区); history; count; page of
        # adjustments with their units and who entered them; the years; the filter's units; the
        # add form's units
        self.assertEqual(self.count(url), 3 + 10)
        self.grow(10)
        self.assertEqual(self.count(url), 3 + 10)

    def test_the_deductions_page(self):
        url = reverse("assessment:deduction_list", args=[2026, self.u["liangxi"].pk])
        # frame; the unit; the year; finalized?; the assessed targets; their deductions with who
        # entered them; letter signed?; history; the group's units (to switch)
        self.assertEqual(self.count(url), 3 + 8)
        self.grow(10)
        self.assertEqual(self.count(url), 3 + 8)

    def test_the_ranking_with_the_office_panel(self):
        url = f"{reverse('assessment:ranking')}?year=2026"
        before = self.count(url)
        self.grow(10)
        self.assertEqual(self.count(url), before)
