"""A 情况通报 drafted from the data, edited and published by the office; a reporter reads it from
the list and from the notice in the inbox; the office sees the receipt."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e

ADDED = "请各单位于11月底前将整改情况报市安委办。"


def test_a_circular_is_drafted_edited_published_read_and_receipted(tab: Page, browser, demo_site):
    office = tab
    office.login("anweiban", DEMO_PASSWORD)
    office.page.click("nav >> text=通报")
    office.page.click("[data-testid=circular-new]")
    office.page.check("input[value=situation]")
    office.page.select_option("select[name=year]", "2026")
    office.page.select_option("select[name=period]", "3")
    office.page.click("text=按数据生成草稿")
    assert "已根据当前数据起草通报" in office.page.locator(".messages").inner_text()
    title = office.page.locator("input[name=title]")
    assert title.input_value() == "关于2026年第三季度安全生产责任目标落实情况的通报"
    body = office.page.locator("textarea[name=body]")
    assert "一、目标任务填报情况" in body.input_value()
    assert office.page.locator("[data-testid=table-reporting] tr[data-unit=梁溪区]").count() == 1

    # An empty title is refused at the field, and the body typed so far stays.
    body.fill(body.input_value() + "\n\n" + ADDED)
    title.fill("")
    office.page.click("text=保存修改")
    assert "请填写标题。" in office.page.locator("[data-field-error=title]").inner_text()
    assert ADDED in office.page.locator("textarea[name=body]").input_value()
    office.page.locator("input[name=title]").fill(
        "关于2026年第三季度安全生产责任目标落实情况的通报（第二期）"
    )
    office.page.click("text=保存修改")
    assert "已保存通报正文" in office.page.locator(".messages").inner_text()
    office.screenshot("circular-edit")

    office.page.click("[data-testid=circular-publish]")
    number = office.page.locator("[data-testid=next-number]").inner_text()
    assert number.startswith("锡安办〔2026〕")
    office.page.click("text=确认发布")
    assert f"已发布通报 {number}" in office.page.locator(".messages").inner_text()
    assert office.page.locator("[data-testid=doc-number]").inner_text() == number
    assert ADDED in office.page.locator("[data-testid=circular-body]").inner_text()
    assert office.page.locator("[data-testid=circular-chart] svg").count() == 1
    office.screenshot("circular-published")
    circular_url = office.page.url
    office.logout()

    # The reporter finds it in the list, unread, and opens it.
    reporter = Page(browser, demo_site)
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    reporter.page.click("nav >> text=通报")
    row = reporter.page.locator("tbody tr", has_text=number)
    assert "未读" in row.inner_text()
    row.locator("a", has_text="第二期").click()
    assert reporter.page.locator("[data-testid=doc-number]").inner_text() == number
    assert ADDED in reporter.page.locator("[data-testid=circular-body]").inner_text()
    assert reporter.page.locator("[data-testid=circular-receipts]").count() == 0
    reporter.screenshot("circular-read")
    reporter.page.click("nav >> text=通报")
    assert "已读" in reporter.page.locator("tbody tr", has_text=number).inner_text()

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
