"""A 情况通报 drafted from the data, edited and published by the office; a reporter reads it from
the list and from the notice in the inbox; the office sees the receipt."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from . import steps
from .conftest import Page

pytestmark = pytest.mark.e2e

ADDED = "请各单位于11月底前将整改情况报市安委办。"


def test_a_circular_is_drafted_edited_published_read_and_receipted(tab: Page, browser, demo_site):
    office = tab
    office.login("anweiban", DEMO_PASSWORD)
    steps.draft_circular(office, year=2026, quarter=3)
    assert office.page.locator("[data-testid=table-reporting] tr[data-unit=梁溪区]").count() == 1
    steps.edit_circular(
        office, added=ADDED, title="关于2026年第三季度安全生产责任目标落实情况的通报（第二期）"
    )
    number = steps.publish_circular(office, year=2026, added=ADDED)
    circular_url = office.page.url
    office.logout()

    # The reporter finds it in the list, unread, and opens it.
    reporter = Page(browser, demo_site)
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    assert steps.read_circular(reporter, number=number, link_text="第二期", added=ADDED) == circular_url

    # The notice of it is in the inbox, read already, and leads to the same circular.
    reporter.page.click("[data-testid=bell]")
    notice = reporter.page.locator("[data-testid=notice]", has_text=number)
    assert notice.count() == 1
    notice.locator(".notice-title").click()
    assert reporter.page.url == circular_url
    reporter.check_clean()
    reporter.close()

    # The office sees 梁溪区 has read it, and who.
    office.login("anweiban", DEMO_PASSWORD)
    office.goto(circular_url.removeprefix(demo_site))
    office.page.click("[data-testid=circular-receipts]")
    liangxi = office.page.locator("tbody tr[data-unit=梁溪区]")
    assert "已阅" in liangxi.inner_text()
    assert "孙丽" in liangxi.inner_text()
    assert "未阅" in office.page.locator("tbody tr[data-unit=锡山区]").inner_text()
    office.screenshot("circular-receipts")
    office.check_clean()
