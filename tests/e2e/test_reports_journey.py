"""A quarter filed, returned, corrected and approved, as the reporter and the 安委办 do it in a browser."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from . import steps
from .conftest import Page

pytestmark = pytest.mark.e2e

CODES = ["C1", "C2", "D1", "G1", "H1"]  # 梁溪区's targets filed by the unit


def test_a_quarter_is_filed_returned_corrected_and_approved(tab: Page, browser, demo_site):
    reporter = tab
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    reporter.page.click("nav >> text=季度填报")
    assert "梁溪区 · 2026年第4季度填报" in reporter.page.locator("h1").inner_text()
    steps.file_quarter(reporter, CODES, year=2026, quarter=4)
    reporter.logout()

    # The 安委办 returns C2 with a comment and approves the rest of the quarter.
    office = Page(browser, demo_site)
    office.login("anweiban", DEMO_PASSWORD)
    steps.review(office, year=2026, quarter=4, unit="梁溪", code="C2", comment="请补充燃气整治台账")
    office.goto("/overview/?year=2026&quarter=4")
    office.page.locator("tr", has_text="梁溪区").locator("text=通过 4 项").click()
    assert "已通过 4 项" in office.message()
    office.screenshot("quarter-overview")

    # The reporter sees the comment beside the item, corrects it and submits again.
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    reporter.goto(reporter.page.url if "/reports/" in reporter.page.url else "/reports/")
    assert "已通过" in steps.report_row(reporter, "C1").inner_text()
    assert steps.report_row(reporter, "C1").locator("input").count() == 0  # approved values are read-only
    steps.answer_return(reporter, "C2", comment="请补充燃气整治台账", value=85)
    reporter.page.click("text=提交审核")
    assert "已提交" in reporter.message()
    reporter.screenshot("report-entry-corrected")

    steps.review(office, year=2026, quarter=4, unit="梁溪", code="C2")
    office.screenshot("review-queue")
    office.check_clean()
    office.close()
    reporter.check_clean()
