"""The reminder ladder: each rung on its day, to the right people, with the right words, once."""

import io
from datetime import date, datetime
from unittest import mock

import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment import tasks
from assessment.models import (
    Circular,
    CircularKind,
    CircularStatus,
    Finding,
    FindingStatus,
    Inspection,
    Notification,
    NotificationKind,
    QuarterLock,
    Report,
    ReportStatus,
)
from assessment.notices.reminders import (
    due_rung,
    finding_rung,
    late_rungs,
    quarter_rungs,
    review_cutoff,
    send_reminders,
    unit_list_text,
)
from responsibility import roles
from responsibility.models import LetterStatus, ResponsibilityLetter, Year, default_deadlines
from tests.assessment.factories import make_report
from tests.factories import make_indicator, make_letter, make_unit, make_user, make_year


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def report(letter, code: str, status: str, *, quarter: int = 3, submitted_on: date | None = None) -> Report:
    target = letter.targets.get(indicator__code=code)
    return make_report(
        target,
        quarter=quarter,
        value=1,
        status=status,
        submitted_at=at(submitted_on) if submitted_on else None,
    )


def make_finding(unit, year, deadline: date, *, status=FindingStatus.OPEN, problem="消防通道堵塞") -> Finding:
    inspection = Inspection.objects.create(year=year, date=date(year.year, 9, 1), team="第一督查组")
    inspection.units.add(unit)
    return Finding.objects.create(
        inspection=inspection, unit=unit, problem=problem, deadline=deadline, status=status
    )


def notices(**filters) -> list[tuple[str, str]]:
    """(username, kind) of the notices matching, in a stable order."""
    return sorted(
        Notification.objects.filter(**filters).values_list("recipient__username", "kind").order_by()
    )


# --- the ladder, dates only ----------------------------------------------------------------


class LadderDateTests(SimpleTestCase):
    def test_the_rung_before_a_deadline_with_catch_up(self):
        expected = {8: None, 7: "7d", 6: "7d", 4: "7d", 3: "3d", 2: "3d", 1: "1d", 0: "1d", -1: None}
        self.assertEqual({days: due_rung(days) for days in expected}, expected)

    def test_the_rungs_after_a_deadline_last_a_week(self):
        self.assertEqual(late_rungs(0), [])
        self.assertEqual(late_rungs(1), ["overdue"])
        self.assertEqual(late_rungs(2), ["overdue"])
        self.assertEqual(late_rungs(3), ["overdue", "office"])
        self.assertEqual(late_rungs(7), ["overdue", "office"])
        self.assertEqual(late_rungs(8), ["office"])
        self.assertEqual(late_rungs(10), [])

    def test_quarter_rungs_name_the_quarter_of_each_year(self):
        y2026 = Year(pk=1, year=2026, **default_deadlines(2026))
        y2027 = Year(pk=2, year=2027, **default_deadlines(2027))
        rungs = quarter_rungs([y2026, y2027], date(2027, 1, 3))  # Q4 2026 is due on 10 January 2027
        self.assertEqual(
            [(r.year, r.quarter, r.rung, r.label) for r in rungs], [(2026, 4, "7d", "2026年第四季度")]
        )
        self.assertEqual(quarter_rungs([y2026], date(2026, 10, 13))[0].rung, "overdue")
        self.assertEqual([r.rung for r in quarter_rungs([y2026], date(2026, 10, 13))], ["overdue", "office"])
        self.assertEqual(quarter_rungs([y2026], date(2026, 8, 1)), [])

    def test_a_finding_is_due_three_days_ahead_and_overdue_after(self):
        deadline = date(2026, 5, 10)
        self.assertIsNone(finding_rung(deadline, date(2026, 5, 6)))
        self.assertEqual(finding_rung(deadline, date(2026, 5, 7)), "due")
        self.assertEqual(finding_rung(deadline, date(2026, 5, 10)), "due")
        self.assertEqual(finding_rung(deadline, date(2026, 5, 11)), "overdue")

    def test_reviews_wait_more_than_two_working_days(self):
        # 2026-10-05 is a Monday: reports submitted before the returned day are flagged.
        self.assertEqual(review_cutoff(date(2026, 10, 8)), date(2026, 10, 6))  # Thu: Monday's
        self.assertEqual(review_cutoff(date(2026, 10, 7)), date(2026, 10, 5))  # Wed: last week's
        self.assertEqual(review_cutoff(date(2026, 10, 5)), date(2026, 10, 1))  # Mon: Wed's and before
        self.assertEqual(review_cutoff(date(2026, 10, 6)), date(2026, 10, 2))  # Tue: Thu's and before
        self.assertIsNone(review_cutoff(date(2026, 10, 10)))  # Saturday: no summary
        self.assertIsNone(review_cutoff(date(2026, 10, 11)))

    def test_the_office_notice_names_twenty_units_then_counts(self):
        owed = [(i, f"单位{i}", 1) for i in range(25)]
        text = unit_list_text(owed)
        self.assertTrue(text.startswith("单位0（1项）、单位1（1项）"))
        self.assertIn("单位19（1项）等25个单位", text)
        self.assertNotIn("单位20", text)
        self.assertEqual(unit_list_text(owed[:2]), "单位0（1项）、单位1（1项）")


# --- the service, rung by rung ----------------------------------------------------------------


class LadderTests(TestCase):
    """梁溪区 owes two of its three entered targets for 2026 Q3; 锡山区 owes nothing; 惠山区 has
    not signed its letter; 停用单位 owes but is inactive."""

    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        entered = [make_indicator(code=code, weights={"district": "10"}) for code in ("E1", "E2", "E3")]
        derived = make_indicator(code="D1", source="derived", weights={"district": "10"})
        cls.liangxi = make_unit(name="梁溪区", code="liangxi", sort_order=1)
        cls.xishan = make_unit(name="锡山区", code="xishan", sort_order=2)
        cls.huishan = make_unit(name="惠山区", code="huishan", sort_order=3)
        cls.closed = make_unit(name="停用单位", code="closed", sort_order=4, active=False)
        cls.letter_a = make_letter(cls.year, cls.liangxi, seq=1, indicators=[*entered, derived], weight=10)
        report(cls.letter_a, "E1", ReportStatus.SUBMITTED, submitted_on=date(2026, 10, 1))
        report(cls.letter_a, "E2", ReportStatus.DRAFT)
        cls.letter_b = make_letter(cls.year, cls.xishan, seq=2, indicators=entered, weight=10)
        report(cls.letter_b, "E1", ReportStatus.APPROVED)
        report(cls.letter_b, "E2", ReportStatus.APPROVED)
        report(cls.letter_b, "E3", ReportStatus.SUBMITTED, submitted_on=date(2026, 10, 9))
        make_letter(cls.year, cls.closed, seq=4, indicators=entered, weight=10)
        cls.letter_c = make_letter(
            cls.year, cls.huishan, status=LetterStatus.ISSUED, seq=3, issued_on=date(2026, 2, 16)
        )
        cls.reporter_a = make_user(username="liangxi_tb", email="tb@liangxi.gov.cn", unit=cls.liangxi)
        cls.head_a = make_user(username="liangxi_fz", unit=cls.liangxi, unit_role="head")
        make_user(username="liangxi_old", unit=cls.liangxi, is_active=False)
        make_user(username="xishan_tb", unit=cls.xishan)
        make_user(username="huishan_tb", unit=cls.huishan)
        make_user(username="huishan_fz", unit=cls.huishan, unit_role="head")
        make_user(username="closed_tb", unit=cls.closed)
        cls.office = make_user(username="anweiban", email="aqb@wuxi.gov.cn", city_role=roles.OFFICE)
        make_user(username="lingdao", city_role=roles.LEADER)
        make_user(username="ducha", city_role=roles.INSPECTOR)

    def run_ladder(self, day: date) -> dict[str, int]:
        with time_machine.travel(at(day, 8), tick=False):
            return send_reminders(day)

    def test_seven_days_before_the_reporters_of_owing_units_are_told(self):
        counts = self.run_ladder(date(2026, 10, 3))
        self.assertEqual(counts[NotificationKind.REPORT_DUE], 1)
        self.assertEqual(notices(kind=NotificationKind.REPORT_DUE), [("liangxi_tb", "report_due")])
        notice = Notification.objects.get(kind=NotificationKind.REPORT_DUE)
        self.assertEqual(notice.title, "2026年第三季度填报还有7天截止")
        self.assertEqual(
            notice.text,
            "梁溪区：2026年第三季度目标完成情况尚有2项未提交，填报截止日为2026-10-10（还有7天）。",
        )
        self.assertEqual(notice.link, f"/reports/{self.liangxi.pk}/2026/q3/")
        self.assertEqual(notice.key, f"report_due:2026-3:7d:{self.liangxi.pk}:{self.reporter_a.pk}")

    def test_three_days_and_one_day_before_are_their_own_rungs(self):
        self.run_ladder(date(2026, 10, 3))
        self.assertEqual(self.run_ladder(date(2026, 10, 5))[NotificationKind.REPORT_DUE], 0)  # still 7d
        self.assertEqual(self.run_ladder(date(2026, 10, 7))[NotificationKind.REPORT_DUE], 1)
        self.assertEqual(self.run_ladder(date(2026, 10, 9))[NotificationKind.REPORT_DUE], 1)
        self.assertEqual(self.run_ladder(date(2026, 10, 10))[NotificationKind.REPORT_DUE], 0)  # 1d sent
        titles = list(
            Notification.objects.filter(kind=NotificationKind.REPORT_DUE)
            .order_by("pk")
            .values_list("title", flat=True)
        )
        self.assertEqual(
            titles,
            [
                "2026年第三季度填报还有7天截止",
                "2026年第三季度填报还有3天截止",
                "2026年第三季度填报还有1天截止",
            ],
        )

    def test_a_missed_rung_is_sent_by_the_next_run_within_its_span(self):
        counts = self.run_ladder(date(2026, 10, 10))  # the job did not run before the deadline day
        self.assertEqual(counts[NotificationKind.REPORT_DUE], 1)
        notice = Notification.objects.get(kind=NotificationKind.REPORT_DUE)
        self.assertEqual(notice.title, "2026年第三季度填报今天截止")
        self.assertIn("填报截止日为2026-10-10（今天截止）", notice.text)
        self.assertTrue(notice.key.startswith("report_due:2026-3:1d:"))

    def test_the_day_after_the_reporters_and_the_head_hear_it_is_overdue(self):
        counts = self.run_ladder(date(2026, 10, 11))
        self.assertEqual(counts[NotificationKind.REPORT_OVERDUE], 2)
        self.assertEqual(
            notices(kind=NotificationKind.REPORT_OVERDUE),
            [("liangxi_fz", "report_overdue"), ("liangxi_tb", "report_overdue")],
        )
        notice = Notification.objects.filter(kind=NotificationKind.REPORT_OVERDUE).first()
        self.assertEqual(
            notice.text,
            "梁溪区：2026年第三季度目标完成情况尚有2项未提交，填报截止日2026-10-10已过（逾期1天），请尽快补报，补报计为迟报。",
        )
        self.assertEqual(self.run_ladder(date(2026, 10, 12))[NotificationKind.REPORT_OVERDUE], 0)
        self.assertEqual(self.run_ladder(date(2026, 10, 11)), dict.fromkeys(counts, 0))

    def test_three_days_after_the_office_gets_the_late_units_and_a_draft_circular(self):
        counts = self.run_ladder(date(2026, 10, 13))
        self.assertEqual(counts[NotificationKind.REPORT_LATE_UNITS], 1)
        self.assertEqual(counts["circulars_drafted"], 1)
        circular = Circular.objects.get()
        self.assertEqual(
            (circular.kind, circular.period, circular.status),
            (CircularKind.REMINDER, 3, CircularStatus.DRAFT),
        )
        notice = Notification.objects.get(kind=NotificationKind.REPORT_LATE_UNITS)
        self.assertEqual(notice.recipient, self.office)  # not the leader, nor the inspector
        self.assertEqual(notice.title, "2026年第三季度填报：1个单位逾期未报齐")
        self.assertIn("截止日2026-10-10已过3天，仍有1个单位未报齐：梁溪区（2项）。", notice.text)
        self.assertIn(f"已起草《{circular.title}》，请审核后发布。", notice.text)
        self.assertEqual(notice.link, circular.get_absolute_url())
        again = self.run_ladder(date(2026, 10, 14))
        self.assertEqual((again[NotificationKind.REPORT_LATE_UNITS], again["circulars_drafted"]), (0, 0))
        self.assertEqual(Circular.objects.count(), 1)

    def test_a_circular_already_written_for_the_quarter_is_linked_not_drafted_again(self):
        circular = Circular.objects.create(
            year=self.year, period=3, kind=CircularKind.REMINDER, title="已有的催报通报", body="正文"
        )
        counts = self.run_ladder(date(2026, 10, 13))
        self.assertEqual(counts["circulars_drafted"], 0)
        self.assertEqual(
            Notification.objects.get(kind=NotificationKind.REPORT_LATE_UNITS).link,
            circular.get_absolute_url(),
        )

    def test_a_draft_that_fails_leaves_the_other_notices_out_and_is_tried_again(self):
        failing = mock.patch(
            "assessment.notices.reminders.draft_circular", side_effect=RuntimeError("数据有误")
        )
        with failing, self.assertRaisesMessage(RuntimeError, "数据有误"):
            self.run_ladder(date(2026, 10, 13))
        self.assertEqual(len(notices(kind=NotificationKind.REPORT_OVERDUE)), 2)
        self.assertEqual(len(notices(kind=NotificationKind.REVIEW_WAITING)), 1)
        self.assertEqual(notices(kind=NotificationKind.REPORT_LATE_UNITS), [])
        counts = self.run_ladder(date(2026, 10, 14))
        self.assertEqual((counts[NotificationKind.REPORT_LATE_UNITS], counts["circulars_drafted"]), (1, 1))

    def test_no_late_units_no_office_notice_and_no_draft(self):
        report(self.letter_a, "E3", ReportStatus.SUBMITTED, submitted_on=date(2026, 10, 12))
        Report.objects.filter(target__letter=self.letter_a, target__indicator__code="E2").update(
            status=ReportStatus.SUBMITTED, submitted_at=at(date(2026, 10, 12))
        )
        counts = self.run_ladder(date(2026, 10, 13))
        self.assertEqual(counts[NotificationKind.REPORT_LATE_UNITS], 0)
        self.assertEqual(counts[NotificationKind.REPORT_OVERDUE], 0)
        self.assertFalse(Circular.objects.exists())

    def test_a_locked_quarter_sends_the_units_nothing(self):
        QuarterLock.objects.create(year=self.year, quarter=3)
        counts = self.run_ladder(date(2026, 10, 13))
        self.assertEqual(counts[NotificationKind.REPORT_OVERDUE], 0)
        self.assertEqual(counts[NotificationKind.REPORT_LATE_UNITS], 1)  # the office still hears of them

    def test_a_letter_unsigned_ten_days_after_issue_reaches_reporters_and_head(self):
        self.assertEqual(self.run_ladder(date(2026, 2, 26))[NotificationKind.LETTER_UNSIGNED], 0)  # day 10
        counts = self.run_ladder(date(2026, 2, 27))
        self.assertEqual(counts[NotificationKind.LETTER_UNSIGNED], 2)
        self.assertEqual(
            notices(kind=NotificationKind.LETTER_UNSIGNED),
            [("huishan_fz", "letter_unsigned"), ("huishan_tb", "letter_unsigned")],
        )
        notice = Notification.objects.filter(kind=NotificationKind.LETTER_UNSIGNED).first()
        self.assertEqual(
            notice.text,
            "惠山区：2026年度安全生产责任书（锡安委〔2026〕3号）已于2026-02-16下发，超过10天尚未签订，请尽快签订并上传签字盖章扫描件。",
        )
        self.assertEqual(notice.link, f"/letters/{self.letter_c.pk}/#sign")
        self.assertEqual(self.run_ladder(date(2026, 3, 20))[NotificationKind.LETTER_UNSIGNED], 0)

    def test_a_letter_issued_again_is_a_new_notice(self):
        self.run_ladder(date(2026, 2, 27))
        ResponsibilityLetter.objects.filter(pk=self.letter_c.pk).update(issued_on=date(2026, 3, 1))
        self.assertEqual(self.run_ladder(date(2026, 3, 12))[NotificationKind.LETTER_UNSIGNED], 2)

    def test_findings_due_in_three_days_and_overdue(self):
        due = make_finding(self.liangxi, self.year, date(2026, 6, 5), problem="配电室未配置灭火器")
        overdue = make_finding(self.liangxi, self.year, date(2026, 5, 30), problem="安全出口锁闭")
        make_finding(self.liangxi, self.year, date(2026, 6, 4), status=FindingStatus.SUBMITTED)
        make_finding(self.liangxi, self.year, date(2026, 5, 20), status=FindingStatus.VERIFIED)
        make_finding(self.liangxi, self.year, date(2026, 6, 9))  # not yet within three days
        counts = self.run_ladder(date(2026, 6, 2))
        self.assertEqual(counts[NotificationKind.FINDING_DUE], 1)
        self.assertEqual(counts[NotificationKind.FINDING_OVERDUE], 2)
        self.assertEqual(notices(kind=NotificationKind.FINDING_DUE), [("liangxi_tb", "finding_due")])
        self.assertEqual(
            notices(kind=NotificationKind.FINDING_OVERDUE),
            [("liangxi_fz", "finding_overdue"), ("liangxi_tb", "finding_overdue")],
        )
        due_notice = Notification.objects.get(kind=NotificationKind.FINDING_DUE)
        self.assertEqual(
            due_notice.text,
            "梁溪区：督查发现的问题“配电室未配置灭火器”整改期限为2026-06-05（还有3天），请按期整改并报送整改情况。",
        )
        self.assertEqual(due_notice.link, due.get_absolute_url())
        overdue_notice = Notification.objects.filter(kind=NotificationKind.FINDING_OVERDUE).first()
        self.assertIn("“安全出口锁闭”整改期限2026-05-30已过（逾期3天）", overdue_notice.text)
        self.assertEqual(overdue_notice.link, overdue.get_absolute_url())
        # Once per finding: the next days send nothing more, until the due one turns overdue.
        self.assertEqual(self.run_ladder(date(2026, 6, 3))[NotificationKind.FINDING_OVERDUE], 0)
        self.assertEqual(self.run_ladder(date(2026, 6, 6))[NotificationKind.FINDING_OVERDUE], 2)

    def test_a_major_hazard_is_named_as_such(self):
        finding = make_finding(self.liangxi, self.year, date(2026, 6, 3), problem="液氨储罐区未设置泄漏报警")
        Finding.objects.filter(pk=finding.pk).update(major_hazard=True, listing_level="city")
        self.run_ladder(date(2026, 6, 2))
        notice = Notification.objects.get(kind=NotificationKind.FINDING_DUE)
        self.assertEqual(notice.title, "重大事故隐患整改还有1天到期")
        self.assertIn("重大事故隐患“液氨储罐区未设置泄漏报警”", notice.text)

    def test_reports_waiting_more_than_two_working_days_reach_the_office_once_a_day(self):
        # Submitted Thursday 1 October (梁溪区 E1) and Friday 9 October (锡山区 E3).
        self.assertEqual(self.run_ladder(date(2026, 10, 10))[NotificationKind.REVIEW_WAITING], 0)  # Saturday
        counts = self.run_ladder(date(2026, 10, 12))  # Monday: 1 October's has waited 7 working days
        self.assertEqual(counts[NotificationKind.REVIEW_WAITING], 1)
        notice = Notification.objects.get(kind=NotificationKind.REVIEW_WAITING)
        self.assertEqual(notice.recipient, self.office)
        self.assertEqual(notice.title, "1项季度填报待审核超过2个工作日")
        self.assertEqual(
            notice.text,
            "截至2026-10-12，有1项季度填报已提交超过2个工作日仍待审核，涉及1个单位，最早的于2026-10-01提交。",
        )
        self.assertEqual(notice.link, "/review/")
        self.assertEqual(self.run_ladder(date(2026, 10, 12))[NotificationKind.REVIEW_WAITING], 0)
        self.assertEqual(
            self.run_ladder(date(2026, 10, 13))[NotificationKind.REVIEW_WAITING], 1
        )  # Friday's: 2 days
        self.assertIn("有1项", Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING).first().text)
        self.run_ladder(date(2026, 10, 14))  # Wednesday: Friday's has waited three
        self.assertIn("有2项", Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING).first().text)

    def test_running_twice_sends_nothing_new(self):
        with self.captureOnCommitCallbacks(execute=True):
            first = self.run_ladder(date(2026, 10, 13))
        sent = len(mail.outbox)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            second = self.run_ladder(date(2026, 10, 13))
        self.assertGreater(sum(first.values()), 3)
        self.assertEqual(second, dict.fromkeys(first, 0))
        self.assertEqual(callbacks, [])  # nothing written, so no e-mail job queued
        self.assertEqual(len(mail.outbox), sent)

    def test_each_email_names_the_unit_what_is_due_when_and_the_link(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.run_ladder(date(2026, 10, 3))
        (message,) = [m for m in mail.outbox if m.to == ["tb@liangxi.gov.cn"]]
        self.assertEqual(message.subject, "【安全生产责任考核】2026年第三季度填报还有7天截止")
        self.assertIn(
            "梁溪区：2026年第三季度目标完成情况尚有2项未提交，填报截止日为2026-10-10（还有7天）。",
            message.body,
        )
        notice = Notification.objects.get(recipient__email="tb@liangxi.gov.cn", kind="report_due")
        self.assertIn(f"http://127.0.0.1:8000/inbox/{notice.pk}/open/", message.body)  # marks it read
        self.assertEqual(notice.link, f"/reports/{self.liangxi.pk}/2026/q3/")
        self.assertEqual(Notification.objects.filter(emailed_at__isnull=True).count(), 0)


class LadderQueryTests(TestCase):
    """The ladder reads in a fixed number of queries: the same for 3 units as for 23."""

    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        cls.indicators = [make_indicator(code=f"E{i}", weights={"district": "10"}) for i in range(3)]
        make_user(city_role=roles.OFFICE)
        cls.add_units(3)

    @classmethod
    def add_units(cls, n: int, start: int = 0):
        for i in range(start, start + n):
            unit = make_unit(name=f"单位{i:03d}", code=f"u{i:03d}")
            make_letter(cls.year, unit, seq=i + 1, indicators=cls.indicators, weight=10)
            make_user(unit=unit)
            make_user(unit=unit, unit_role="head")
            make_finding(unit, cls.year, date(2026, 10, 1))

    def count(self, day: date) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            counts = send_reminders(day)
        return len(queries), counts

    def test_the_number_of_queries_does_not_grow_with_the_units(self):
        # Tuesday 6 October (7d rung) and Thursday 8 October (3d rung): the same kinds are written.
        small, small_counts = self.count(date(2026, 10, 6))
        self.add_units(20, start=3)
        large, large_counts = self.count(date(2026, 10, 8))
        self.assertEqual(small_counts[NotificationKind.REPORT_DUE], 3)
        self.assertEqual(large_counts[NotificationKind.REPORT_DUE], 23)
        self.assertEqual(large_counts[NotificationKind.FINDING_OVERDUE], 40)
        # years, locks, the owing units, letters, findings, reviews waiting, members; then two kinds
        # written, each: keys that exist, savepoint, insert, release, count.
        self.assertEqual(small, 7 + 2 * 5)
        self.assertEqual(large, small)


class CommandAndTaskTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        year = make_year(2026)
        indicator = make_indicator(code="E1", weights={"district": "10"})
        unit = make_unit(name="梁溪区", code="liangxi")
        make_letter(year, unit, seq=1, indicators=[indicator], weight=10)
        make_user(username="liangxi_tb", unit=unit)

    @time_machine.travel(at(date(2026, 10, 3), 8), tick=False)
    def test_the_command_runs_as_of_today_and_says_what_it_sent(self):
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
        self.assertEqual(out.getvalue(), "2026-10-03 提醒已发送：新增 1 条。\n  填报即将截止：1 条\n")
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
        self.assertEqual(out.getvalue(), "2026-10-03 提醒已发送：新增 0 条。\n")

    @time_machine.travel(at(date(2026, 11, 28), 8), tick=False)
    def test_the_command_takes_a_date(self):
        out = io.StringIO()
        call_command("send_reminders", "--date", "2026-10-09", stdout=out)
        self.assertIn("2026-10-09 提醒已发送：新增 1 条。", out.getvalue())
        self.assertTrue(Notification.objects.get().key.startswith("report_due:2026-3:1d:"))
        with self.assertRaisesMessage(CommandError, "日期格式应为 YYYY-MM-DD"):
            call_command("send_reminders", "--date", "2026-10-32")

    @time_machine.travel(at(date(2026, 10, 7), 8), tick=False)
    def test_the_task_calls_the_service(self):
        self.assertEqual(tasks.send_reminders.delay().get()[NotificationKind.REPORT_DUE], 1)  # today: 3d
        self.assertEqual(tasks.send_reminders.delay("2026-10-03").get()[NotificationKind.REPORT_DUE], 1)
        self.assertEqual(tasks.send_reminders.delay("2026-10-03").get()[NotificationKind.REPORT_DUE], 0)

    def test_beat_runs_the_ladder_at_half_past_eight_in_shanghai(self):
        from wuxisafety import celery_app

        entry = celery_app.conf.beat_schedule["send-reminders"]
        self.assertEqual(entry["task"], "assessment.send_reminders")
        schedule = entry["schedule"]
        self.assertEqual((schedule.hour, schedule.minute), ({8}, {30}))
        self.assertEqual(celery_app.conf.timezone, "Asia/Shanghai")
        self.assertIn("assessment.send_reminders", celery_app.tasks)
        self.assertEqual(str(schedule.tz), "Asia/Shanghai")
