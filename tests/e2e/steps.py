"""Steps that more than one journey takes, as the people take them in the browser.

Each step starts where the person would start it (a menu, a list, the page they were sent to),
asserts what the person would check, screenshots the pages it passes (named by the tab's `shots`
prefix) and leaves the tab on the page it ends on. Journeys pass the names, years and texts; the
steps know the selectors.
"""

import io
from datetime import date
from pathlib import Path

import openpyxl

from .conftest import Page

PDF = {"name": "整改台账.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%evidence\n"}
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NOT_A_SCAN = {"name": "签字盖章页.exe", "mimeType": "application/pdf", "buffer": b"MZ\x90"}
QUARTER_NAMES = "一二三四"


# --- 考核年度 and 责任书 ---------------------------------------------------------------------


def add_year(office: Page, year: int) -> None:
    """A new year with the default deadlines (筹备中)."""
    office.goto("/years/new/")
    office.page.fill("input[name=year]", str(year))
    office.screenshot("year-form")
    office.page.click("main button[type=submit]")
    assert f"已新增{year}年度" in office.message()


def open_year(office: Page, year: int) -> None:
    """From its page: 编辑设置, 状态 执行中."""
    office.goto(f"/years/{year}/")
    office.page.click("text=编辑设置")
    office.page.select_option("select[name=status]", label="执行中")
    office.screenshot("year-edit")
    office.page.click("main button[type=submit]")
    assert f"已保存{year}年度的设置" in office.message()
    assert "执行中" in office.page.locator("h1").inner_text()
    office.screenshot("year-opened")


def issue_letters(
    office: Page, year: int, *, cap_change_pct: int, unit: str, cap: tuple, count: int, issuer: str
) -> str:
    """Prepare the year's letters with death caps `cap_change_pct` % lower (`unit`'s A1 cap goes
    from cap[0] to cap[1]), check the preview, confirm the drafts, issue them all. The message."""
    office.goto("/letters/prepare/")
    office.page.select_option("select[name=year]", str(year))
    office.page.fill("input[name=cap_change_pct]", str(cap_change_pct))
    office.page.click("main form[method=get] button[type=submit]")
    preview = office.page.locator("[data-testid=preview]")
    assert unit in preview.inner_text()
    plan = preview.locator(
        ".accordion-item", has=office.page.locator("button.accordion-button", has_text=unit)
    )
    plan.locator("button.accordion-button").click()
    assert f"目标值 {cap[0]} → {cap[1]}" in plan.locator(".accordion-collapse").inner_text()
    office.screenshot("letters-prepare-preview")
    office.page.click(f"text=确认生成 {count} 份草稿")
    assert f"已生成 {count} 份{year}年度责任书草稿" in office.message()
    office.screenshot("letters-drafted")

    # Every draft at once: 文号 in the city's order.
    office.page.fill("#issuer_all", issuer)
    office.page.click("text=按单位顺序编文号并下发")
    message = office.message()
    assert f"已下发 {count} 份{year}年度责任书" in message, message
    office.screenshot("letters-issued")
    return message


def sign_letter(reporter: Page, year: int, *, doc_number: str) -> None:
    """The reporter finds the unit's letter, downloads the PDF and uploads the signed scan (a file
    that is no PDF first: refused at the field)."""
    reporter.goto(f"/letters/?year={year}")
    rows = reporter.page.locator("table tbody tr")
    assert rows.count() == 1, "a reporter sees only the unit's own letter"
    reporter.screenshot("letters")
    rows.first.locator("a").first.click()
    assert doc_number in reporter.page.locator("main").inner_text()
    with reporter.page.expect_download() as download:
        reporter.page.click("text=下载 PDF")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    reporter.screenshot("letter-to-sign")
    reporter.page.set_input_files("input[name=scan]", files=[NOT_A_SCAN])
    reporter.page.click("text=上传并登记签订")
    assert "不是 PDF、JPEG 或 PNG 文件" in reporter.page.locator("[data-field-error=scan]").inner_text()
    reporter.page.set_input_files(
        "input[name=scan]", files=[{"name": "签字盖章页.pdf", "mimeType": "application/pdf", "buffer": SCAN}]
    )
    reporter.page.click("text=上传并登记签订")
    assert "已登记签订" in reporter.message()
    assert "✓ 已签订" in reporter.page.locator("main").inner_text()
    assert reporter.page.locator("text=签订扫描件").is_visible()
    reporter.screenshot("letter-signed")


# --- 季度填报 and 审核 -----------------------------------------------------------------------


def report_row(tab: Page, code: str):
    return tab.page.locator(f"[data-testid=row-{code}]")


def fill_report_row(tab: Page, code: str, value, progress: str, *, evidence: bool = True) -> None:
    row = report_row(tab, code)
    row.locator("input[inputmode=decimal]").fill(str(value))
    row.locator("textarea").fill(progress)
    if evidence:
        row.locator("input[type=file]").set_input_files(files=[PDF])


def file_quarter(reporter: Page, codes: list[str], *, year: int, quarter: int) -> None:
    """On the quarter's entry page: every target filled, one with a wrong value and without the
    evidence first (the messages are at their fields and everything typed stays), then fixed."""
    for i, code in enumerate(codes):
        fill_report_row(
            reporter, code, 80 + i, f"{code} 第{QUARTER_NAMES[quarter - 1]}季度工作按计划推进", evidence=False
        )
    first, second = codes[0], codes[1]
    report_row(reporter, first).locator("input[inputmode=decimal]").fill("-80")
    reporter.page.click("text=提交审核")
    assert "累计值不能为负数" in report_row(reporter, first).inner_text()
    assert "须上传佐证材料" in report_row(reporter, second).inner_text()
    assert report_row(reporter, second).locator("input[inputmode=decimal]").input_value() == "81"
    reporter.screenshot("report-entry-errors")

    report_row(reporter, first).locator("input[inputmode=decimal]").fill("80")
    for code in codes:
        report_row(reporter, code).locator("input[type=file]").set_input_files(files=[PDF])
    reporter.page.click("text=提交审核")
    assert f"已提交{year}年第{quarter}季度填报，等待市安委办审核。" in reporter.message()
    assert f"已提交 {len(codes)}" in reporter.page.locator("[data-testid=summary]").inner_text()
    reporter.screenshot("report-entry-submitted")


def review(office: Page, *, year: int, quarter: int, unit: str, code: str, comment: str = "") -> None:
    """In the review queue, filtered to the unit: 退回 with `comment`, or 通过 without one."""
    office.goto(f"/review/?year={year}&quarter={quarter}&q={unit}")
    row = office.page.locator("tbody tr", has_text=code)
    if comment:
        row.locator("input[name=comment]").fill(comment)
        row.locator("text=退回").click()
        assert "已退回 1 项" in office.message()
    else:
        row.locator("text=通过").click()
        assert "已通过 1 项" in office.message()


def answer_return(reporter: Page, code: str, *, comment: str, value) -> None:
    """On the entry page: the 安委办's comment beside the item; the value corrected."""
    assert f"退回意见：{comment}" in report_row(reporter, code).inner_text()
    report_row(reporter, code).locator("input[inputmode=decimal]").fill(str(value))


# --- 通报 ------------------------------------------------------------------------------------


def draft_circular(office: Page, *, year: int, quarter: int) -> str:
    """A 情况通报 of the quarter drafted from the data; its default title."""
    office.page.click("nav >> text=通报")
    office.page.click("[data-testid=circular-new]")
    office.page.check("input[value=situation]")
    office.page.select_option("select[name=year]", str(year))
    office.page.select_option("select[name=period]", str(quarter))
    office.screenshot("circular-create")
    office.page.click("text=按数据生成草稿")
    assert "已根据当前数据起草通报" in office.message()
    office.screenshot("circular-draft")
    title = office.page.locator("input[name=title]").input_value()
    assert title == f"关于{year}年第{QUARTER_NAMES[quarter - 1]}季度安全生产责任目标落实情况的通报"
    assert "一、目标任务填报情况" in office.page.locator("textarea[name=body]").input_value()
    return title


def edit_circular(office: Page, *, added: str, title: str) -> None:
    """A paragraph added to the body; an empty title refused at the field with the body kept."""
    body = office.page.locator("textarea[name=body]")
    body.fill(body.input_value() + "\n\n" + added)
    office.page.locator("input[name=title]").fill("")
    office.page.click("text=保存修改")
    assert "请填写标题。" in office.page.locator("[data-field-error=title]").inner_text()
    assert added in office.page.locator("textarea[name=body]").input_value()
    office.page.locator("input[name=title]").fill(title)
    office.page.click("text=保存修改")
    assert "已保存通报正文" in office.message()
    office.screenshot("circular-edit")


def publish_circular(office: Page, *, year: int, added: str) -> str:
    """Published with the year's next 文号; the number."""
    office.page.click("[data-testid=circular-publish]")
    number = office.page.locator("[data-testid=next-number]").inner_text()
    assert number.startswith(f"锡安办〔{year}〕")
    office.screenshot("circular-publish")
    office.page.click("text=确认发布")
    assert f"已发布通报 {number}" in office.message()
    assert office.page.locator("[data-testid=doc-number]").inner_text() == number
    assert added in office.page.locator("[data-testid=circular-body]").inner_text()
    assert office.page.locator("[data-testid=circular-chart] svg").count() == 1
    office.screenshot("circular-published")
    return number


def read_circular(reader: Page, *, number: str, link_text: str, added: str) -> str:
    """From the 通报 list, where it is unread, to the circular (no receipts for a unit); read
    afterwards. The circular's address."""
    reader.page.click("nav >> text=通报")
    row = reader.page.locator("tbody tr", has_text=number)
    assert "未读" in row.inner_text()
    reader.screenshot("circulars")
    row.locator("a", has_text=link_text).click()
    assert reader.page.locator("[data-testid=doc-number]").inner_text() == number
    assert added in reader.page.locator("[data-testid=circular-body]").inner_text()
    assert reader.page.locator("[data-testid=circular-receipts]").count() == 0
    reader.screenshot("circular-read")
    url = reader.page.url
    reader.page.click("nav >> text=通报")
    assert "已读" in reader.page.locator("tbody tr", has_text=number).inner_text()
    return url


# --- 督查 and 问题整改 -------------------------------------------------------------------------


def record_inspection(
    inspector: Page,
    *,
    on: date,
    deadline: date,
    team: str,
    summary: str,
    findings: list[tuple[str, str, bool]],
    photo: dict,
) -> None:
    """From 督查 › 录入督查: an 暗访 of the findings' units with `findings` (unit, problem, major
    hazard), the first with a photo. A major hazard's listing level is forgotten first: refused at
    its row, with everything typed kept (but the photo: browsers never keep files)."""
    page = inspector.page
    page.click("nav >> text=督查")
    page.click("text=＋ 录入督查")
    page.select_option("select[name=kind]", label="暗访")
    page.fill("input[name=date]", on.isoformat())
    page.fill("input[name=team]", team)
    for unit in dict.fromkeys(unit for unit, _, _ in findings):
        page.get_by_label(unit, exact=True).check()
    page.fill("textarea[name=summary]", summary)
    for i, (unit, problem, major) in enumerate(findings):
        if i:
            page.click("text=＋ 再加一个问题")
        page.select_option(f"select[name=findings-{i}-unit]", label=unit)
        page.fill(f"input[name=findings-{i}-deadline]", deadline.isoformat())
        page.fill(f"textarea[name=findings-{i}-problem]", problem)
        if major:
            page.check(f"input[name=findings-{i}-major_hazard]")
    page.set_input_files("input[name=findings-0-photos]", files=[photo])
    page.click("text=保存并通知责任单位")
    majors = [i for i, (_, _, major) in enumerate(findings) if major]
    for i in majors:
        assert (
            "重大事故隐患须选择挂牌督办级别。"
            in page.locator("[data-testid=finding-row]").nth(i).inner_text()
        )
    assert page.input_value("textarea[name=findings-0-problem]") == findings[0][1]  # nothing typed is lost
    assert page.input_value("input[name=team]") == team
    inspector.screenshot("inspection-form-errors")
    for i in majors:
        page.select_option(f"select[name=findings-{i}-listing_level]", label="市级挂牌督办")
    page.set_input_files("input[name=findings-0-photos]", files=[photo])
    page.click("text=保存并通知责任单位")
    assert f"发现问题 {len(findings)} 项，已通知责任单位按期整改。" in inspector.message()
    for _, problem, _ in findings:
        assert problem in page.locator("[data-testid=findings]").inner_text()
    inspector.screenshot("inspection-detail")


def rectify_finding(unit: Page, *, text: str, files: list[dict]) -> None:
    """On the finding's page: what was done, with evidence, sent for checking."""
    unit.page.fill("textarea[name=rectification]", text)
    unit.page.set_input_files("input[name=files]", files=files)
    unit.page.click("text=报送整改，等待核查")
    assert "已报送整改情况，等待督查组核查。" in unit.message()
    assert "已报整改，待核查" in unit.page.locator("[data-testid=status]").inner_text()


def verify_finding(inspector: Page) -> None:
    """On the finding's page: 核查通过, and the finding is done."""
    inspector.page.click("text=✓ 核查通过")
    assert "已核查通过，该问题整改办结。" in inspector.message()
    assert "✓ 已核查" in inspector.page.locator("[data-testid=status]").inner_text()
    history = inspector.page.locator("[data-testid=history]").inner_text()
    for step in ("核查通过", "报送整改", "录入"):
        assert step in history


# --- 站内提醒 ----------------------------------------------------------------------------------


def bell_count(tab: Page) -> int:
    badge = tab.page.locator("[data-testid=bell-count]")
    return int(badge.inner_text()) if badge.count() else 0


def follow_report_reminder(tab: Page, *, unit: str, year: int, quarter: int, deadline: date) -> int:
    """Behind the bell, the unread 7-day reminder of the quarter's deadline; 去办理 leads to the
    quarter's entry and reads it. The unread count before it was read."""
    label = f"{year}年第{QUARTER_NAMES[quarter - 1]}季度"
    unread = bell_count(tab)
    assert unread >= 1
    tab.page.click("[data-testid=bell]")
    assert tab.page.locator("h1").inner_text() == "站内提醒"
    notice = tab.page.locator("[data-testid=notice]", has_text=f"{label}填报还有7天截止")
    assert "未读" in notice.inner_text()
    assert f"{unit}：{label}目标完成情况尚有" in notice.inner_text()
    assert f"填报截止日为{deadline:%Y-%m-%d}（还有7天）" in notice.inner_text()
    tab.screenshot("inbox-unread")
    notice.locator("text=去办理").click()
    tab.page.wait_for_url(f"**/reports/*/{year}/q{quarter}/")
    assert f"{unit} · {year}年第{quarter}季度填报" in tab.page.locator("h1").inner_text()
    assert bell_count(tab) == unread - 1  # opened, so read
    return unread


# --- 驾驶舱 and 排名 ---------------------------------------------------------------------------


def read_dashboard(tab: Page) -> None:
    """The 驾驶舱: ECharts (vendored, SVG renderer) drew every chart."""
    tab.page.click("nav >> text=驾驶舱")
    assert "驾驶舱" in tab.page.locator("h1").inner_text()
    for chart in ["#chart-trend", "#chart-months", "#chart-group-0"]:
        tab.page.wait_for_selector(f"{chart} svg")
    assert "事故起数" in tab.page.locator("[data-testid=count]").inner_text()
    tab.screenshot("dashboard-leader")


def sort_and_export_ranking(tab: Page) -> None:
    """排名: sorted by 总分 (ascending), exported to Excel with the per-target breakdown."""
    tab.page.click("nav >> text=排名")
    headers = tab.page.locator("thead th").all_inner_texts()
    assert "较上季度" in headers, headers
    score_column = headers.index("总分") + 1
    tab.page.click("th >> text=总分")
    cells = tab.page.locator(f"tbody tr td:nth-child({score_column})").all_inner_texts()
    # The demo's 新吴区 has not signed: listed as 未签订, with no score to sort by.
    assert "未签订" in cells, cells
    scores = [float(s.split()[0]) for s in cells if s != "未签订"]  # "81.80 缺报 2 项" too
    assert scores == sorted(scores), scores
    tab.screenshot("ranking-leader")
    with tab.page.expect_download() as download:
        tab.page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook.sheetnames[1] == "明细", workbook.sheetnames
    assert any(str(h).startswith("A1 ") for h in next(workbook.worksheets[0].iter_rows(values_only=True)))


def print_ranking(tab: Page) -> bytes:
    """From the ranking: the group's ranking on one A4 landscape page for the meeting, its PDF
    downloaded, back to the ranking. The PDF."""
    tab.page.click("text=打印（A4横版）")
    assert "年度安全生产目标责任考核排名（板块）" in tab.page.locator("h1").inner_text()
    assert tab.page.locator(".chart svg g.bar").count() == tab.page.locator("tbody tr").count() > 0
    tab.screenshot("ranking-print")
    with tab.page.expect_download() as download:
        tab.page.click("text=下载PDF")
    assert download.value.suggested_filename.endswith("考核排名-板块.pdf"), download.value.suggested_filename
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    tab.page.click("text=返回")
    return pdf
