"""The kept assessment: a change recomputes only the units it touches, after it commits, in the
task; the pages read the kept rows and never compute. On an invented city (make_catalog's codes,
units named 测试单位…), so nothing here leans on Wuxi's data."""

import io
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import tasks
from assessment.accidents import services as accident_services
from assessment.kept import changes
from assessment.kept.models import TODAY, KeptMark, KeptResult, KeptYear
from assessment.models import AccidentGrade, Industry, Report, ReportStatus
from assessment.reports import services as report_services
from assessment.results import assessing, keeping
from responsibility import roles
from responsibility.models import UnitKind
from tests.assessment.factories import at
from tests.assessment.results.test_assess import add_assessed_units, make_catalog, target
from tests.factories import make_office_user, make_user, make_year

NOW = date(2026, 11, 28)  # Q3 has ended: 较上季度 compares with the end of Q3


def kept_row(unit, quarter=TODAY) -> KeptResult:
    return KeptResult.objects.get(unit=unit, quarter=quarter)


@time_machine.travel(NOW, tick=False)
class KeptCityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        make_catalog()
        # two units of each of three kinds, each with Q3 C1/DC1 = 80 approved and a 较大 accident
        cls.units = add_assessed_units(cls.year, 6, 1)
        cls.d1, cls.p1, cls.e1, cls.d2, cls.p2, cls.e2 = cls.units
        cls.office = make_office_user()
        cls.leader = make_user(city_role=roles.LEADER)

    def setUp(self):
        keeping.refresh(self.year.pk)  # every unit kept, as after the first refresh
        self.assertFalse(KeptMark.objects.exists())

    def spy(self):
        return mock.patch.object(assessing, "assess_year", wraps=assessing.assess_year)

    def submitted(self, unit, value, quarter=4) -> Report:
        code = "C1" if unit.kind == UnitKind.DISTRICT else "DC1"
        return Report.objects.create(
            target=target(unit, code), unit=unit, year=self.year, quarter=quarter,
            value=Decimal(value), status=ReportStatus.SUBMITTED,
        )  # fmt: skip

    def test_a_draft_save_changes_nothing_kept(self):
        before = list(KeptResult.objects.order_by("pk").values())
        row = report_services.RowInput(target(self.d1, "C1"), Decimal(100), "全部整改", None, [])
        with self.spy() as assess, self.captureOnCommitCallbacks(execute=True) as callbacks:
            report_services.save_reports(
                self.d1, self.year, 4, [row], user=self.office, submit=False, today=NOW
            )
            report_services.save_reports(self.d1, self.year, 4, [], user=self.office, submit=True, today=NOW)
        self.assertTrue(Report.objects.filter(unit=self.d1, quarter=4, status=ReportStatus.DRAFT).exists())
        self.assertEqual(callbacks, [])  # no refresh asked for
        self.assertEqual(assess.call_count, 0)
        self.assertFalse(KeptMark.objects.exists())
        self.assertEqual(list(KeptResult.objects.order_by("pk").values()), before)

    def test_an_approval_updates_its_units_row_and_its_groups_ranks(self):
        self.assertEqual((kept_row(self.d1).rank, kept_row(self.d2).rank), (1, 1))  # tied
        report = self.submitted(self.d1, 100)
        with self.spy() as assess, self.captureOnCommitCallbacks(execute=True) as callbacks:
            report_services.approve([report], user=self.office)
        self.assertEqual(len(callbacks), 1)  # one refresh, after the commit
        # only the approved report's unit was computed: today and at the end of Q3
        self.assertEqual([call.kwargs["units"] for call in assess.call_args_list], [{self.d1.pk}] * 2)
        d1, d2 = kept_row(self.d1), kept_row(self.d2)
        self.assertGreater(d1.total, d2.total)
        self.assertEqual((d1.rank, d2.rank), (1, 2))  # the group re-ranked: d2 moved down
        self.assertEqual(kept_row(self.p1).rank, 1)  # another group, untouched
        self.assertFalse(KeptMark.objects.exists())

    def test_reopening_an_approved_report_takes_its_value_back_out(self):
        report = self.submitted(self.d1, 100)
        with self.captureOnCommitCallbacks(execute=True):
            report_services.approve([report], user=self.office)
        raised = kept_row(self.d1).total
        with self.captureOnCommitCallbacks(execute=True):
            report_services.reopen(report, user=self.office, reason="数据有误")
        self.assertLess(kept_row(self.d1).total, raised)
        self.assertEqual(kept_row(self.d1).rank, 1)

    def test_an_accident_updates_its_territorys_and_its_supervising_departments_rows(self):
        before = {unit.pk: kept_row(unit).total for unit in self.units}
        with self.spy() as assess, self.captureOnCommitCallbacks(execute=True):
            accident_services.record_accident(
                by=self.office, departments=[self.p2], unit=self.d2, occurred_at=at(2026, 11, 20),
                place="某路口", title="一起较大事故", industry=Industry.ROAD, deaths=3,
                serious_injuries=0, direct_loss=Decimal("50"),
            )  # fmt: skip
        self.assertEqual(
            [call.kwargs["units"] for call in assess.call_args_list], [{self.d2.pk, self.p2.pk}] * 2
        )
        after = {unit.pk: kept_row(unit).total for unit in self.units}
        for unit in (self.d2, self.p2):  # three more deaths over their caps
            self.assertLess(after[unit.pk], before[unit.pk])
        for unit in (self.d1, self.p1, self.e1, self.e2):
            self.assertEqual(after[unit.pk], before[unit.pk])
        self.assertEqual((kept_row(self.d1).rank, kept_row(self.d2).rank), (1, 2))
        self.assertEqual((kept_row(self.p1).rank, kept_row(self.p2).rank), (1, 2))

    def test_revising_an_accident_marks_the_units_before_and_after(self):
        accident = accident_services.record_accident(
            by=self.office, unit=self.d1, occurred_at=at(2026, 11, 20), place="某地", title="事故",
            industry=Industry.ROAD, deaths=1, serious_injuries=0, direct_loss=Decimal("5"),
        )  # fmt: skip
        KeptMark.objects.all().delete()
        accident_services.revise_accident(accident, by=self.office, departments=[self.e1], unit=self.d2)
        self.assertEqual(
            set(KeptMark.objects.values_list("unit_id", flat=True)), {self.d1.pk, self.d2.pk, self.e1.pk}
        )
        self.assertEqual(accident.grade, AccidentGrade.ORDINARY)

    def test_logins_sessions_and_notices_mark_nothing(self):
        self.client.force_login(self.leader)
        self.client.get(reverse("assessment:inbox"))
        self.client.logout()
        self.assertFalse(KeptMark.objects.exists())

    def test_a_reader_never_computes_after_a_one_unit_change(self):
        self.client.force_login(self.leader)
        report = self.submitted(self.d1, 100)
        with self.captureOnCommitCallbacks(execute=True):
            report_services.approve([report], user=self.office)
        with self.spy() as assess:
            for page in (reverse("assessment:dashboard"), reverse("assessment:ranking")):
                self.assertEqual(self.client.get(page).status_code, 200)
        self.assertEqual(assess.call_count, 0)

    def test_a_reader_with_a_change_waiting_asks_for_the_refresh_and_shows_what_is_kept(self):
        self.client.force_login(self.leader)
        report = self.submitted(self.d1, 100)
        kept_total = kept_row(self.d1).total
        report_services.approve([report], user=self.office)  # its after-commit refresh is not run here
        with (
            mock.patch.object(tasks.refresh_kept, "delay") as delay,  # a real broker: queued, not run
            self.spy() as assess,
            CaptureQueriesContext(connection) as queries,
        ):
            response = self.client.get(reverse("assessment:ranking"), {"group": "territory"})
        delay.assert_called_once_with(self.year.pk)
        self.assertEqual(assess.call_count, 0)
        self.assertEqual(len(queries), 11)  # the same as when nothing waits (test_ranking_pages)
        self.assertContains(response, "正在更新…")
        self.assertContains(response, "截至 ")
        row = next(r for r in response.context["table"].data if r["name"] == self.d1.name)
        self.assertEqual(row["score"], kept_total)  # the kept result until the refresh has run

    def test_a_broker_that_is_down_costs_the_page_nothing(self):
        self.client.force_login(self.leader)
        report_services.approve([self.submitted(self.d1, 100)], user=self.office)
        with mock.patch.object(tasks.refresh_kept, "delay", side_effect=ConnectionError("broker down")):
            response = self.client.get(reverse("assessment:dashboard"))
        self.assertContains(response, "正在更新…")
        self.assertTrue(KeptMark.objects.filter(unit=self.d1).exists())  # for the beat's round

    def test_pages_say_when_the_results_were_computed(self):
        KeptYear.objects.filter(year=self.year).update(
            computed_at=at(2026, 11, 28, 10, 32) + timedelta(seconds=5)
        )
        self.client.force_login(self.leader)
        for page in (reverse("assessment:dashboard"), reverse("assessment:ranking")):
            response = self.client.get(page)
            self.assertContains(response, "考核结果截至 10:32:05")
            self.assertNotContains(response, "正在更新")

    def test_a_killed_refresh_leaves_its_marks_for_the_next(self):
        report = self.submitted(self.d1, 100)
        report_services.approve([report], user=self.office)
        before = kept_row(self.d1).total
        with (
            mock.patch.object(assessing, "assess_year", side_effect=SystemExit("worker killed")),
            self.assertRaises(SystemExit),
        ):
            keeping.refresh(self.year.pk)
        self.assertEqual(list(KeptMark.objects.values_list("unit_id", flat=True)), [self.d1.pk])
        self.assertEqual(kept_row(self.d1).total, before)  # the round rolled back
        self.assertEqual(tasks.refresh_due_kept(), {self.year.pk: 2})  # the beat's round: d1 today and at Q3
        self.assertGreater(kept_row(self.d1).total, before)
        self.assertFalse(KeptMark.objects.exists())

    def test_a_mark_made_during_a_round_is_picked_up_before_the_refresh_returns(self):
        changes.mark_stale(self.year, [self.d1], why="测试")
        calls, real = [], assessing.assess_year

        def assess_and_change(*args, **kwargs):
            if not calls:  # another change commits while the first round computes
                changes.mark_stale(self.year, [self.e2], why="测试")
            calls.append(kwargs["units"])
            return real(*args, **kwargs)

        with mock.patch.object(assessing, "assess_year", side_effect=assess_and_change):
            computed = keeping.refresh(self.year.pk)
        self.assertEqual(calls, [{self.d1.pk}, {self.d1.pk}, {self.e2.pk}, {self.e2.pk}])
        self.assertEqual(computed, 4)
        self.assertFalse(KeptMark.objects.exists())

    def test_a_second_refresh_returns_while_one_holds_the_year(self):
        changes.mark_stale(self.year, [self.d1], why="测试")
        held = KeptYear.objects.none()  # what select_for_update(skip_locked) finds when locked
        with (
            mock.patch.object(KeptYear.objects, "select_for_update", return_value=held),
            self.spy() as assess,
        ):
            self.assertEqual(keeping.refresh(self.year.pk), 0)
        self.assertEqual(assess.call_count, 0)
        self.assertTrue(KeptMark.objects.exists())  # left for the one running

    def test_a_new_day_recomputes_every_unit(self):
        with self.spy() as assess, time_machine.travel(NOW + timedelta(days=1), tick=False):
            keeping.refresh(self.year.pk)
        self.assertEqual([call.kwargs["units"] for call in assess.call_args_list], [None])  # Q3's end is kept
        self.assertEqual(KeptYear.objects.get(year=self.year).as_of, NOW + timedelta(days=1))

    def test_a_rule_change_recomputes_every_unit_in_the_background(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            changes.year_changed(self.year)
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(list(KeptMark.objects.values_list("unit_id", flat=True)), [None])
        with self.spy() as assess:
            callbacks[0]()
        self.assertEqual([call.kwargs["units"] for call in assess.call_args_list], [None, None])

    def test_the_end_of_the_quarter_is_kept_by_the_refresh(self):
        ranks = keeping.kept_quarter_ranks(self.year, 3)
        self.assertEqual(ranks, {u.pk: 1 for u in self.units})
        at_q3 = assessing.assess_year(self.year, today=NOW, through_quarter=3)
        self.assertEqual(ranks, {r.unit.id: r.rank for r in at_q3})

    def test_the_kept_rows_are_what_assess_year_gives(self):
        report = self.submitted(self.e2, 30)
        with self.captureOnCommitCallbacks(execute=True):
            report_services.approve([report], user=self.office)
        kept = keeping.kept_results(self.year, today=NOW)
        self.assertEqual(kept.results, assessing.assess_year(self.year, today=NOW))
        self.assertFalse(kept.updating)


@time_machine.travel(NOW, tick=False)
class RefreshCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        make_catalog()
        cls.units = add_assessed_units(cls.year, 3, 1)

    def run_command(self, *args) -> str:
        out = io.StringIO()
        call_command("refresh_kept", *args, stdout=out)
        return out.getvalue()

    def test_by_hand_it_refreshes_what_waits_then_nothing(self):
        self.assertEqual(self.run_command(), "2026年度：计算了 6 个单位结果。\n")  # today and at Q3's end
        self.assertEqual(self.run_command(), "没有需要更新的年度。\n")

    def test_all_recomputes_every_unit_of_a_year(self):
        self.run_command()
        self.assertEqual(self.run_command("--year", "2026", "--all"), "2026年度：计算了 6 个单位结果。\n")
        with self.assertRaisesMessage(CommandError, "没有2031年度"):
            self.run_command("--year", "2031")
