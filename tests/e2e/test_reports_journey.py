"""A quarter filed, returned, corrected and approved, as the reporter and the 安委办 do it in a browser."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e

PDF = {"name": "整改台账.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%evidence\n"}
CODES = ["C1", "C2", "D1", "G1", "H1"]  # 梁溪区's targets filed by the unit


def row(tab: Page, code: str):
    return tab.page.locator(f"[data-testid=row-{code}]")


def test_a_quarter_is_filed_returned_corrected_and_approved(tab: Page, browser, demo_site):
    reporter = tab
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    reporter.page.click("nav >> text=季度填报")
    assert "梁溪区 · 2026年第4季度填报" in reporter.page.locator("h1").inner_text()

    # One wrong value first: the message is at its field and everything typed stays.
    for i, code in enumerate(CODES):
        row(reporter, code).locator("input[inputmode=decimal]").fill(str(80 + i))
        row(reporter, code).locator("textarea").fill(f"{code} 第四季度工作按计划推进")
    row(reporter, "C1").locator("input[inputmode=decimal]").fill("-80")
    reporter.page.click("text=提交审核")
    assert "累计值不能为负数" in row(reporter, "C1").inner_text()
    assert "须上传佐证材料" in row(reporter, "C2").inner_text()
    assert row(reporter, "C2").locator("input[inputmode=decimal]").input_value() == "81"
    reporter.screenshot("report-entry-errors")

    row(reporter, "C1").locator("input[inputmode=decimal]").fill("80")
    for code in CODES:
        row(reporter, code).locator("input[type=file]").set_input_files(files=[PDF])
    reporter.page.click("text=提交审核")
    assert "已提交2026年第4季度填报，等待市安委办审核。" in reporter.page.locator(".messages").inner_text()
    assert "已提交 5" in reporter.page.locator("[data-testid=summary]").inner_text()
    reporter.screenshot("report-entry-submitted")
    reporter.logout()

    # The 安委办 returns C2 with a comment and approves the rest of the quarter.
    office = Page(browser, demo_site)
    office.login("anweiban", DEMO_PASSWORD)
    office.goto("/review/?year=2026&quarter=4&q=梁溪")
    c2 = office.page.locator("tbody tr", has_text="C2")
    c2.locator("input[name=comment]").fill("请补充燃气整治台账")
    c2.locator("text=退回").click()
    assert "已退回 1 项" in office.page.locator(".messages").inner_text()
    office.goto("/overview/?year=2026&quarter=4")
    office.page.locator("tr", has_text="梁溪区").locator("text=通过 4 项").click()
    assert "已通过 4 项" in office.page.locator(".messages").inner_text()
    office.screenshot("quarter-overview")

    # The reporter sees the comment beside the item, corrects it and submits again.
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    reporter.goto(reporter.page.url if "/reports/" in reporter.page.url else "/reports/")
    assert "退回意见：请补充燃气整治台账" in row(reporter, "C2").inner_text()
    assert "已通过" in row(reporter, "C1").inner_text()
    assert row(reporter, "C1").locator("input").count() == 0  # approved values are read-only
    row(reporter, "C2").locator("input[inputmode=decimal]").fill("85")
    reporter.page.click("text=提交审核")
    assert "已提交" in reporter.page.locator(".messages").inner_text()
    reporter.screenshot("report-entry-corrected")

    office.goto("/review/?year=2026&quarter=4&q=梁溪")
    office.page.locator("tbody tr", has_text="C2").locator("text=通过").click()
    assert "已通过 1 项" in office.page.locator(".messages").inner_text()
    office.screenshot("review-queue")
    office.check_clean()
    office.close()
    reporter.check_clean()
