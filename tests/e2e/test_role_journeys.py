"""Every role's journey through the demo city, in one story, against the app as it is deployed.

On PostgreSQL the app is gunicorn with a Celery worker on Redis (tests/e2e/stack.py); on SQLite,
the live server with eager tasks. The journeys share the city and follow each other in one test,
each continuing from what the one before left:

1. The 安委办 opens next year and issues its letters with death caps 5 % lower, locks the last
   quarter due, records a 较大 accident in 梁溪区 and sees the provisional assessment take it in,
   then drafts and publishes a 情况通报 about it (its notices go out through the worker).
2. 梁溪区's reporter follows the morning's reminder (the ladder, run by the worker) to the
   quarter due and files it (a wrong value first), rectifies a finding that was sent back, reads
   the circular and signs next year's letter with a scan.
3. The 安委办 as reviewer returns one of those reports and approves the others; the 督查员
   records an 暗访 with findings and verifies the reporter's rectification. The reporter answers
   the returned report (the rest of the reporter's journey) and the reviewer approves it.
4. The 市领导 reads the 驾驶舱, sorts and exports a ranking, opens 梁溪区's assessment (the
   accident is there) and prints the group's ranking as a one-page PDF.

One test, not four: the journeys continue each other, and the test database is emptied after a
test (`transactional_db`). The demo is built relative to today and so are the journeys (a date
cannot be frozen across processes): "the quarter due" is the next quarterly deadline from today.
Each journey saves its pages as var/screenshots/journey-<role>-<step>.png and checks after each
step that no request left 127.0.0.1 and the console showed no error.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pypdf
import pytest
from django.utils import timezone

from assessment.demo import demo_png
from assessment.models import Finding, FindingStatus, Notification, NotificationKind, Report, ReportStatus
from assessment.reports.services import entered_targets
from responsibility.demo import DEMO_PASSWORD
from responsibility.issuing import lower_cap
from responsibility.models import ResponsibilityLetter, Target, Unit, Year

from . import steps
from .conftest import Page
from .stack import start_stack

pytestmark = pytest.mark.e2e

UNIT = "梁溪区"
REPORTER = "liangxi_tb"
PHOTO = {"name": "危化品仓库.png", "mimeType": "image/png", "buffer": demo_png(64, 48)}
EVIDENCE = {"name": "整改完成报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%rectified\n"}
RETURN_COMMENT = "专项整治台账与累计值对不上，请核对后重新提交"


@dataclass
class Story:
    """The city as the journeys find it, and what each journey leaves for the next."""

    today: date
    year: Year  # the year under way
    quarter: int  # the next quarter due, and its deadline
    deadline: date
    unit: Unit
    codes: list[str]  # the targets 梁溪区 files each quarter
    circular_number: str = ""
    circular_added: str = ""
    rectified: str = ""  # the address of the finding the reporter rectified

    @classmethod
    def of_today(cls) -> "Story":
        today = timezone.localdate()
        year = Year.objects.current(today)
        quarter, deadline = year.next_deadline(today)
        assert quarter >= 2, f"{year.year} has no quarter due before Q{quarter} to lock and report on"
        unit = Unit.objects.get(name=UNIT)
        codes = [t.indicator.code for t in entered_targets(unit, year)]
        return cls(today=today, year=year, quarter=quarter, deadline=deadline, unit=unit, codes=codes)

    @property
    def next_year(self) -> int:
        return self.year.year + 1

    @property
    def last_due(self) -> int:
        """The last quarter whose deadline has passed."""
        return self.quarter - 1

    @property
    def returned(self) -> str:
        """The target whose report the reviewer returns."""
        return self.codes[1]


@pytest.fixture
def stack(request, browser, transactional_db):
    """The app, with the demo committed in the test database (emptied again afterwards)."""
    stack = start_stack(request)
    yield stack
    stack.close()


@pytest.fixture
def tabs(browser, stack):
    """Opens a logged-in tab for a role (screenshots journey-<role>-…); all closed at the end."""
    opened: list[Page] = []

    def open_tab(role: str, username: str) -> Page:
        tab = Page(browser, stack.url, shots=f"journey-{role}-")
        opened.append(tab)
        tab.login(username, DEMO_PASSWORD)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


def test_every_role_through_one_story(stack, tabs):
    story = Story.of_today()
    admin_journey(stack, story, tabs)
    reporter = reporter_journey(stack, story, tabs)
    reviewer_and_inspector_journey(story, tabs, reporter)
    leader_journey(story, tabs)


def item(tab: Page, code: str) -> tuple[float, str]:
    """A target's points and reason on a unit's assessment page."""
    cells = (
        tab.page.locator("[data-testid=items] tbody tr", has_text=code).first.locator("td").all_inner_texts()
    )
    return float(cells[3]), cells[4]


def admin_journey(stack, story: Story, tabs):
    y, next_year = story.year.year, story.next_year
    admin = tabs("admin", "anweiban")
    assert "工作台" in admin.page.locator("h1").inner_text()
    admin.screenshot("home")
    admin.check_clean()

    # Next year: added, opened, its letters prepared with death caps 5 % lower and issued.
    steps.add_year(admin, next_year)
    steps.open_year(admin, next_year)
    admin.check_clean()
    cap = Target.objects.get(
        letter__year=story.year, letter__unit=story.unit, indicator__code="A1"
    ).target_value
    units = Unit.objects.filter(active=True).count()
    message = steps.issue_letters(
        admin,
        next_year,
        cap_change_pct=5,
        unit=UNIT,
        cap=(f"{cap.normalize():f}", f"{lower_cap(cap, 5).normalize():f}"),
        count=units,
        issuer="张建华",
    )
    assert f"（锡安委〔{next_year}〕1号 至 锡安委〔{next_year}〕{units}号）" in message
    admin.check_clean()

    # The last quarter due, past its deadline: locked, units can no longer file it.
    locked = story.last_due
    admin.page.click("nav >> text=季度总览")
    admin.goto(f"/overview/?year={y}&quarter={locked}")
    admin.screenshot("quarter-overview")
    admin.page.click("button[name=action][value=lock]")
    assert f"已锁定{y}年第{locked}季度，单位不能再填报。" in admin.message()
    assert "已锁定" in admin.page.locator("h1").inner_text()
    admin.screenshot("quarter-locked")
    admin.check_clean()

    # 梁溪区's provisional standing, then a 较大 accident recorded there ...
    admin.goto(f"/assessment/{y}/units/{story.unit.pk}/")
    a3_before, _ = item(admin, "A3")
    admin.screenshot("unit-assessment-before")
    when = timezone.localtime() - timedelta(hours=1)
    title = f"{UNIT}“{when:%m·%d}”塔式起重机倒塌事故"
    admin.page.click("nav >> text=事故")
    admin.screenshot("accidents")
    admin.page.click("text=＋ 登记事故")
    form = admin.page.locator("[data-testid=accident-form]")
    form.locator("input[name=occurred_at]").fill(f"{when:%Y-%m-%dT%H:%M}")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=place]").fill(f"{UNIT}某在建住宅项目工地")
    form.locator("select[name=industry]").select_option(label="建筑施工")
    form.locator("select[name=unit]").select_option(label=UNIT)
    form.get_by_label("市住房城乡建设局", exact=True).check()
    form.locator("input[name=deaths]").fill("3")
    form.locator("input[name=serious_injuries]").fill("1")
    form.locator("input[name=direct_loss]").fill("460")
    admin.screenshot("accident-form")
    form.locator("button[type=submit]").click()
    assert f"已登记事故：{title}（较大事故）。" in admin.message()
    assert admin.page.locator("[data-testid=grade]").inner_text() == "较大事故"
    assert UNIT in admin.page.locator("[data-testid=counted]").inner_text()
    admin.screenshot("accident-recorded")
    admin.check_clean()

    # ... and the provisional assessment, run again, takes it in: A3 loses 5 points, a 黄牌 or a veto.
    admin.page.click("nav >> text=排名")
    assert "预估 · 截至今天" in admin.page.locator("h1").inner_text()
    assert "暂定" in admin.page.locator("[data-testid=assessment-state]").inner_text()
    row = admin.page.locator("tbody tr", has_text=UNIT)
    assert "较大" in row.inner_text()  # ▲ 黄牌 (one 较大) or ✗ 一票否决 (two)
    admin.screenshot("ranking-provisional")
    row.locator("a", has_text=UNIT).click()
    a3_after, reason = item(admin, "A3")
    assert a3_after == max(a3_before - 5, 0), (a3_before, a3_after, reason)
    assert "较大" in admin.page.locator("[data-testid=vetoes]").inner_text()
    admin.screenshot("unit-assessment")
    admin.check_clean()

    # A 情况通报 of the last quarter due, with a paragraph on the accident, published.
    added = f"{when:%-m月%-d日}，{UNIT}发生一起塔式起重机倒塌较大事故。各单位要举一反三，立即开展建筑起重机械安全专项检查。"
    default_title = steps.draft_circular(admin, year=y, quarter=story.last_due)
    steps.edit_circular(
        admin, added=added, title=default_title.removesuffix("的通报") + "和一起较大事故的通报"
    )
    number = steps.publish_circular(admin, year=y, added=added)
    admin.check_clean()
    # Its notices are written, and e-mailed, by the worker.
    stack.settle(
        lambda: Notification.objects.filter(
            recipient__username=REPORTER,
            kind=NotificationKind.CIRCULAR,
            title__contains=number,
            emailed_at__isnull=False,
        ).exists(),
        what=f"the notice of {number} to {REPORTER}, e-mailed",
    )
    story.circular_number, story.circular_added = number, added


def reporter_journey(stack, story: Story, tabs) -> Page:
    """The reporter's journey up to the review; the tab, for the answer to it."""
    y = story.year.year
    # The morning's reminders (beat's job, here sent by hand): a week before the quarter's deadline.
    stack.run_task("assessment.send_reminders", f"{story.deadline - timedelta(days=7):%Y-%m-%d}")

    reporter = tabs("reporter", REPORTER)
    quarter_card = reporter.page.locator("[data-testid=my-quarter]").inner_text()
    assert f"本季度还需填报 {len(story.codes)} 项" in quarter_card, quarter_card
    assert "待整改" in reporter.page.locator("[data-testid=my-findings]").inner_text()
    reporter.screenshot("home")
    reporter.check_clean()

    # The reminder leads to the quarter's entry: filed, a wrong value first.
    steps.follow_report_reminder(reporter, unit=UNIT, year=y, quarter=story.quarter, deadline=story.deadline)
    reporter.check_clean()
    steps.file_quarter(reporter, story.codes, year=y, quarter=story.quarter)
    reporter.check_clean()

    # A finding whose rectification the 督查组 sent back: from its notice, answered with evidence.
    sent_back = Finding.objects.filter(unit=story.unit, status=FindingStatus.OPEN).exclude(
        rejection_reason=""
    )
    finding = sent_back.order_by("deadline").first()
    assert finding is not None, f"the demo has no rectification of {UNIT} sent back"
    reporter.page.click("[data-testid=bell]")
    reporter.screenshot("inbox")
    notice = reporter.page.locator("[data-testid=notice]", has_text=f"整改被退回：{finding.problem[:20]}")
    notice.locator("text=去办理").click()
    assert finding.rejection_reason in reporter.page.locator("[data-testid=rejection]").inner_text()
    reporter.screenshot("finding-sent-back")
    steps.rectify_finding(
        reporter, text="已委托第三方监测单位补测并出具监测报告，按规定频次上报", files=[EVIDENCE]
    )
    reporter.screenshot("finding-rectified")
    reporter.check_clean()
    story.rectified = reporter.page.url

    # The circular about the accident, unread in the list until opened.
    steps.read_circular(
        reporter, number=story.circular_number, link_text="一起较大事故", added=story.circular_added
    )
    reporter.check_clean()

    # Next year's letter, signed with a scan.
    doc_number = ResponsibilityLetter.objects.get(year__year=story.next_year, unit=story.unit).doc_number
    steps.sign_letter(reporter, story.next_year, doc_number=doc_number)
    reporter.check_clean()
    return reporter


def reviewer_and_inspector_journey(story: Story, tabs, reporter: Page):
    y, quarter, code = story.year.year, story.quarter, story.returned
    reviewer = tabs("reviewer", "anweiban")
    assert "待审核" in reviewer.page.locator("[data-testid=waiting]").inner_text()
    reviewer.page.click("nav >> text=审核")
    reviewer.screenshot("queue")
    reviewer.check_clean()

    # One report returned with a comment, the rest of the unit's quarter approved at once.
    steps.review(reviewer, year=y, quarter=quarter, unit=UNIT, code=code, comment=RETURN_COMMENT)
    reviewer.screenshot("returned")
    reviewer.page.click("nav >> text=季度总览")
    reviewer.goto(f"/overview/?year={y}&quarter={quarter}")
    rest = len(story.codes) - 1
    reviewer.page.locator("tr", has_text=UNIT).locator(f"text=通过 {rest} 项").click()
    assert f"已通过 {rest} 项" in reviewer.message()
    reviewer.screenshot("approved")
    reviewer.check_clean()

    inspector = tabs("inspector", "ducha")
    assert "整改待核查" in inspector.page.locator("[data-testid=findings-waiting]").inner_text()
    inspector.screenshot("home")
    steps.record_inspection(
        inspector,
        on=story.today,
        deadline=story.today + timedelta(days=10),
        team="市安委办第五暗访组 周明（组长）、吴静",
        summary="以“四不两直”方式暗访建筑工地起重机械和危化品仓储",
        findings=[
            (UNIT, "某在建工地塔式起重机基础积水，未设置排水设施", False),
            ("锡山区", "危化品仓库超量储存，防火间距不足", True),
        ],
        photo=PHOTO,
    )
    inspector.check_clean()

    # The reporter's rectification, found from his home page: verified.
    inspector.page.click("nav >> text=首页")
    inspector.page.locator("[data-testid=findings-waiting]").locator("text=去核查").click()
    inspector.screenshot("findings-to-check")
    inspector.page.locator(
        f"tbody a[href='{story.rectified.removeprefix(inspector.base_url)}']"
    ).first.click()
    assert inspector.page.url == story.rectified
    inspector.screenshot("finding-to-check")
    steps.verify_finding(inspector)
    inspector.screenshot("finding-verified")
    inspector.check_clean()

    # The reporter answers the returned report from the home page; the reviewer approves it.
    reporter.page.click("nav >> text=我的任务")
    reporter.screenshot("home-returned")
    returned = Report.objects.filter(unit=story.unit, year=story.year, status=ReportStatus.RETURNED).count()
    assert returned >= 1  # this one, and any the demo's earlier quarters left returned
    assert f"退回待修改 {returned} 项" in reporter.page.locator("[data-testid=my-quarter]").inner_text()
    reporter.page.locator("[data-testid=my-quarter]").locator("text=去填报").click()
    assert "已通过" in steps.report_row(reporter, story.codes[0]).inner_text()
    assert steps.report_row(reporter, story.codes[0]).locator("input").count() == 0  # approved: read-only
    steps.answer_return(reporter, code, comment=RETURN_COMMENT, value=85)
    reporter.screenshot("report-answer")
    reporter.page.click("text=提交审核")
    assert f"已提交{y}年第{quarter}季度填报，等待市安委办审核。" in reporter.message()
    assert "退回 0" in reporter.page.locator("[data-testid=summary]").inner_text()
    reporter.screenshot("report-answered")
    reporter.check_clean()

    steps.review(reviewer, year=y, quarter=quarter, unit=UNIT, code=code)
    reviewer.screenshot("approved-answer")
    reviewer.check_clean()


def leader_journey(story: Story, tabs):
    leader = tabs("leader", "lingdao")
    leader.screenshot("home")
    steps.read_dashboard(leader)
    leader.check_clean()
    steps.sort_and_export_ranking(leader)
    leader.check_clean()

    # 梁溪区's assessment: the 较大 accident the office recorded, in A3 and with the vetoes.
    leader.page.locator("tbody a", has_text=UNIT).click()
    assert f"{UNIT} · {story.year.year}年度考核" in leader.page.locator("h1").inner_text()
    _, reason = item(leader, "A3")
    assert "较大" in reason, reason
    assert "较大" in leader.page.locator("[data-testid=vetoes]").inner_text()
    assert leader.page.locator("text=录入扣分").count() == 0  # read-only for a leader
    leader.screenshot("unit-assessment")
    leader.check_clean()

    leader.page.click("nav >> text=排名")
    pdf = steps.print_ranking(leader)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    leader.check_clean()
