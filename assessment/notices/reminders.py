"""The reminder ladder (催报): what is due or late on a day, and to whom.

    counts = send_reminders(date(2026, 10, 3))     # the notices written, by kind

The rungs, each sent once (the key names recipient, kind, object and rung):
- 7, 3 and 1 days before a quarter's deadline: the reporters of units with entered targets on a
  signed letter that have no submitted or approved report for the quarter;
- the day after: an overdue notice to those units' reporters and heads;
- three days after: the 安委办, with the late units and a draft 催报通报 to publish;
- a letter issued and not signed after SIGN_WITHIN_DAYS days: the unit's reporters and heads;
- a finding to rectify within 3 days: the unit's reporters; past its deadline: reporters and heads;
- reports waiting for review more than 2 working days: each 安委办 user, one summary a working day.

A rung missed (the job did not run that day) is sent by the next run within the rung's span: the
7-day rung 7–4 days before the deadline, the 3-day rung 3–2 days, the 1-day rung 1 day before and
on the day; after the deadline each rung for a week. A rung whose span has passed is not sent late.

Working days are Monday to Friday: the system does not know public holidays or 调休 days, so a
report submitted before a holiday is flagged to the 安委办 during it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from assessment.circulars.drafting import draft_circular
from assessment.models import (
    QUARTERS,
    Circular,
    CircularKind,
    Finding,
    FindingStatus,
    NotificationKind,
    QuarterLock,
    Report,
    ReportStatus,
)
from responsibility.models import (
    SIGN_WITHIN_DAYS,
    IndicatorSource,
    LetterStatus,
    Membership,
    MembershipRole,
    ResponsibilityLetter,
    Target,
    User,
    Year,
)
from responsibility.roles import MANAGE

from .services import Notice, notify

DUE_RUNGS = [(7, "7d"), (3, "3d"), (1, "1d")]  # days before the deadline → rung, widest first
OVERDUE_AFTER = 1  # days after the deadline: the units and their heads
OFFICE_AFTER = 3  # days after the deadline: the 安委办, with a draft 催报通报
CATCH_UP_DAYS = 7  # how long after its day a rung after the deadline is still sent
FINDING_DUE_DAYS = 3
REVIEW_WORKING_DAYS = 2
UNITS_NAMED = 20  # the 安委办's notice names this many late units, then "等 N 个单位"
QUARTER_NAMES = dict(QUARTERS)
LADDER_KINDS = [
    NotificationKind.REPORT_DUE,
    NotificationKind.REPORT_OVERDUE,
    NotificationKind.REPORT_LATE_UNITS,
    NotificationKind.LETTER_UNSIGNED,
    NotificationKind.FINDING_DUE,
    NotificationKind.FINDING_OVERDUE,
    NotificationKind.REVIEW_WAITING,
]
DONE_REPORTS = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


# --- the ladder: dates only ----------------------------------------------------------------


def due_rung(days_left: int) -> str | None:
    """The rung before a deadline `days_left` days away: 7d (7–4 days), 3d (3–2), 1d (1–0)."""
    rung = None
    for days, name in DUE_RUNGS:
        if 0 <= days_left <= days:
            rung = name
    return rung


def late_rungs(days_late: int) -> list[str]:
    """The rungs after a deadline passed `days_late` days ago: "overdue" and "office"."""
    return [
        name
        for name, first in (("overdue", OVERDUE_AFTER), ("office", OFFICE_AFTER))
        if first <= days_late < first + CATCH_UP_DAYS
    ]


@dataclass(frozen=True)
class QuarterRung:
    year_id: int
    year: int
    quarter: int
    deadline: date
    rung: str  # 7d, 3d, 1d, overdue or office

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}"


def quarter_rungs(years: Iterable[Year], today: date) -> list[QuarterRung]:
    """Every quarter deadline of `years` that is on a rung today."""
    found = []
    for year in years:
        for quarter, deadline in year.deadlines():
            days_left = (deadline - today).days
            names = [due_rung(days_left)] if days_left >= 0 else late_rungs(-days_left)
            found.extend(QuarterRung(year.pk, year.year, quarter, deadline, name) for name in names if name)
    return found


def finding_rung(deadline: date, today: date) -> str | None:
    """The finding's rung: due within FINDING_DUE_DAYS of its deadline, overdue once past it."""
    days_left = (deadline - today).days
    if days_left < 0:
        return "overdue"
    return "due" if days_left <= FINDING_DUE_DAYS else None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def review_cutoff(today: date) -> date | None:
    """Reports submitted before this day have waited more than REVIEW_WORKING_DAYS working days
    by the end of `today`; None on a weekend, when the 安委办 gets no summary."""
    if not is_working_day(today):
        return None
    day, counted = today, 1
    while counted <= REVIEW_WORKING_DAYS:
        day -= timedelta(days=1)
        counted += is_working_day(day)
    return day


def days_left_text(days_left: int) -> str:
    return "今天截止" if days_left == 0 else f"还有{days_left}天"


def unit_list_text(owed: list[tuple[int, str, int]]) -> str:
    """梁溪区（3项）、住房城乡建设局（4项）…, the first UNITS_NAMED units, then 等 N 个单位."""
    named = "、".join(f"{name}（{n}项）" for _, name, n in owed[:UNITS_NAMED])
    return named if len(owed) <= UNITS_NAMED else f"{named}等{len(owed)}个单位"


# --- the service -----------------------------------------------------------------------------


@dataclass
class Recipients:
    reporters: dict[int, list[int]]  # unit id → user ids
    heads: dict[int, list[int]]

    def of(self, unit_id: int, *, heads: bool) -> list[int]:
        return self.reporters.get(unit_id, []) + (self.heads.get(unit_id, []) if heads else [])


def _owed_units(year_id: int, quarter: int) -> list[tuple[int, str, int]]:
    """(unit id, name, targets owed) for each active unit owing reports for the quarter, one query."""
    done = Report.objects.filter(target=OuterRef("pk"), quarter=quarter, status__in=DONE_REPORTS)
    return list(
        Target.objects.filter(
            letter__year_id=year_id,
            letter__status=LetterStatus.SIGNED,
            letter__unit__active=True,
            indicator__source=IndicatorSource.ENTERED,
        )
        .exclude(Exists(done))
        .values_list("letter__unit_id", "letter__unit__name")
        .annotate(owed=Count("pk"))
        .order_by("letter__unit__sort_order", "letter__unit__name", "letter__unit_id")
    )


def _recipients(unit_ids: set[int]) -> Recipients:
    recipients = Recipients(defaultdict(list), defaultdict(list))
    if unit_ids:
        for unit_id, user_id, role in (
            Membership.objects.filter(unit_id__in=unit_ids, user__is_active=True)
            .order_by("user_id")
            .values_list("unit_id", "user_id", "role")
        ):
            by_role = recipients.heads if role == MembershipRole.HEAD else recipients.reporters
            by_role[unit_id].append(user_id)
    return recipients


def office_user_ids() -> list[int]:
    """Active users who may manage (the 安委办), through a group or their own permission."""
    app_label, codename = MANAGE.split(".")
    perms = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perms) | Q(user_permissions__in=perms))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def reminder_circular(rung: QuarterRung, today: date) -> tuple[Circular, bool]:
    """The quarter's 催报通报 (the latest, draft or published), else a new draft; and whether new.

    The year's row is locked first, so two runs at once draft it once.
    """
    with transaction.atomic():
        year = Year.objects.select_for_update().get(pk=rung.year_id)
        existing = (
            Circular.objects.filter(year=year, period=rung.quarter, kind=CircularKind.REMINDER)
            .order_by("-created_at", "-pk")
            .first()
        )
        if existing:
            return existing, False
        return draft_circular(year, rung.quarter, CircularKind.REMINDER, today=today), True


def _report_notices(rung: QuarterRung, owed, recipients: Recipients, today: date) -> list[Notice]:
    notices = []
    overdue = rung.rung == "overdue"
    kind = NotificationKind.REPORT_OVERDUE if overdue else NotificationKind.REPORT_DUE
    for unit_id, name, count in owed:
        link = reverse("assessment:report_entry", args=[unit_id, rung.year, rung.quarter])
        what = f"{name}：{rung.label}目标完成情况尚有{count}项未提交，"
        if overdue:
            late = (today - rung.deadline).days
            title = f"{rung.label}填报已逾期"
            text = f"{what}填报截止日{rung.deadline:%Y-%m-%d}已过（逾期{late}天），请尽快补报，补报计为迟报。"
        else:
            days_left = (rung.deadline - today).days
            title = f"{rung.label}填报{days_left_text(days_left)}" + ("" if days_left == 0 else "截止")
            text = f"{what}填报截止日为{rung.deadline:%Y-%m-%d}（{days_left_text(days_left)}）。"
        for user_id in recipients.of(unit_id, heads=overdue):
            key = f"{kind}:{rung.year}-{rung.quarter}:{rung.rung}:{unit_id}:{user_id}"
            notices.append(Notice(user_id, kind, key, title, text, link))
    return notices


def _office_notices(rung: QuarterRung, owed, office: list[int], circular: Circular) -> list[Notice]:
    kind = NotificationKind.REPORT_LATE_UNITS
    title = f"{rung.label}填报：{len(owed)}个单位逾期未报齐"
    text = (
        f"{rung.label}填报截止日{rung.deadline:%Y-%m-%d}已过{OFFICE_AFTER}天，"
        f"仍有{len(owed)}个单位未报齐：{unit_list_text(owed)}。"
        f"已起草《{circular.title}》，请审核后发布。"
    )
    link = circular.get_absolute_url()
    return [
        Notice(user_id, kind, f"{kind}:{rung.year}-{rung.quarter}:office:{user_id}", title, text, link)
        for user_id in office
    ]


def _letter_notices(letters, recipients: Recipients) -> list[Notice]:
    kind = NotificationKind.LETTER_UNSIGNED
    notices = []
    for pk, unit_id, name, year, doc_number, issued_on in letters:
        title = f"{year}年度安全生产责任书逾期未签订"
        number = f"（{doc_number}）" if doc_number else ""
        text = (
            f"{name}：{year}年度安全生产责任书{number}已于{issued_on:%Y-%m-%d}下发，"
            f"超过{SIGN_WITHIN_DAYS}天尚未签订，请尽快签订并上传签字盖章扫描件。"
        )
        link = reverse("responsibility:letter_detail", args=[pk]) + "#sign"
        for user_id in recipients.of(unit_id, heads=True):
            key = f"{kind}:{pk}:{issued_on:%Y-%m-%d}:{user_id}"
            notices.append(Notice(user_id, kind, key, title, text, link))
    return notices


def _finding_notices(findings, recipients: Recipients, today: date, rung: str) -> list[Notice]:
    overdue = rung == "overdue"
    kind = NotificationKind.FINDING_OVERDUE if overdue else NotificationKind.FINDING_DUE
    notices = []
    for pk, unit_id, name, problem, deadline, major in findings:
        if finding_rung(deadline, today) != rung:
            continue
        what = "重大事故隐患" if major else "督查发现的问题"
        short = problem if len(problem) <= 40 else f"{problem[:40]}…"
        if overdue:
            title = f"{what}整改已逾期"
            text = (
                f"{name}：{what}“{short}”整改期限{deadline:%Y-%m-%d}已过"
                f"（逾期{(today - deadline).days}天），尚未报送整改情况，请立即整改并报送。"
            )
        else:
            days_left = (deadline - today).days
            title = f"{what}整改{days_left_text(days_left)}" + ("" if days_left == 0 else "到期")
            text = (
                f"{name}：{what}“{short}”整改期限为{deadline:%Y-%m-%d}（{days_left_text(days_left)}），"
                "请按期整改并报送整改情况。"
            )
        link = reverse("assessment:finding_detail", args=[pk])
        for user_id in recipients.of(unit_id, heads=overdue):
            key = f"{kind}:{pk}:{deadline:%Y-%m-%d}:{user_id}"
            notices.append(Notice(user_id, kind, key, title, text, link))
    return notices


def _review_notices(today: date, office: list[int], waiting: dict) -> list[Notice]:
    kind = NotificationKind.REVIEW_WAITING
    count = waiting["count"]
    oldest = timezone.localdate(waiting["oldest"])
    title = f"{count}项季度填报待审核超过{REVIEW_WORKING_DAYS}个工作日"
    text = (
        f"截至{today:%Y-%m-%d}，有{count}项季度填报已提交超过{REVIEW_WORKING_DAYS}个工作日仍待审核，"
        f"涉及{waiting['units']}个单位，最早的于{oldest:%Y-%m-%d}提交。"
    )
    link = reverse("assessment:review_queue")
    return [
        Notice(user_id, kind, f"{kind}:{today:%Y-%m-%d}:{user_id}", title, text, link) for user_id in office
    ]


def send_reminders(today: date) -> dict[str, int]:
    """Write today's notices of the ladder; the number written by kind, and drafts made.

    Reads in a fixed number of queries whatever the number of units (one more per quarter on a
    rung). Each kind is written by one `notify` (its own transaction, e-mails after its commit):
    a notice whose key exists is skipped, so running again, twice at once or after a crash
    writes each notice once, and a crash loses nothing the next run does not send.
    """
    counts = dict.fromkeys(LADDER_KINDS, 0) | {"circulars_drafted": 0}
    rungs = quarter_rungs(Year.objects.all(), today)
    locked = set(QuarterLock.objects.values_list("year_id", "quarter")) if rungs else set()
    owed = {(r.year_id, r.quarter): [] for r in rungs}
    for year_id, quarter in owed:
        owed[year_id, quarter] = _owed_units(year_id, quarter)
    letters = list(
        ResponsibilityLetter.objects.overdue_to_sign(today)
        .filter(unit__active=True)
        .order_by("year__year", "unit__sort_order", "pk")
        .values_list("pk", "unit_id", "unit__name", "year__year", "doc_number", "issued_on")
    )
    findings = list(
        Finding.objects.filter(
            status=FindingStatus.OPEN,
            unit__active=True,
            deadline__lte=today + timedelta(days=FINDING_DUE_DAYS),
        )
        .order_by("deadline", "pk")
        .values_list("pk", "unit_id", "unit__name", "problem", "deadline", "major_hazard")
    )
    cutoff = review_cutoff(today)
    waiting = (
        Report.objects.filter(
            status=ReportStatus.SUBMITTED,
            submitted_at__lt=timezone.make_aware(datetime.combine(cutoff, datetime.min.time())),
        ).aggregate(count=Count("pk"), units=Count("unit", distinct=True), oldest=Min("submitted_at"))
        if cutoff
        else {"count": 0}
    )
    office_rungs = [r for r in rungs if r.rung == "office" and owed[r.year_id, r.quarter]]
    office = office_user_ids() if office_rungs or waiting["count"] else []
    unit_ids = {unit_id for rows in owed.values() for unit_id, _, _ in rows}
    unit_ids |= {row[1] for row in letters} | {row[1] for row in findings}
    recipients = _recipients(unit_ids)

    def batches():
        # Generated one at a time. The draft circular comes last: it is the heaviest step, and
        # should it fail, the other notices are out and the next run drafts it again.
        for rung in rungs:
            if rung.rung != "office" and (rung.year_id, rung.quarter) not in locked:
                yield _report_notices(rung, owed[rung.year_id, rung.quarter], recipients, today)
        yield _letter_notices(letters, recipients)
        yield _finding_notices(findings, recipients, today, "due")
        yield _finding_notices(findings, recipients, today, "overdue")
        if waiting["count"]:
            yield _review_notices(today, office, waiting)
        for rung in office_rungs:
            if office:
                circular, new = reminder_circular(rung, today)
                counts["circulars_drafted"] += new
                yield _office_notices(rung, owed[rung.year_id, rung.quarter], office, circular)

    for notices in batches():
        if not notices:
            continue
        written = notify(notices)
        counts[notices[0].kind] += written
    return counts
