"""Next year's letters: the 安委办 prepares and issues them; a reporter downloads, signs and uploads."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e

SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_office_issues_next_years_letters_and_a_reporter_signs(tab: Page, browser, demo_site):
    tab.login("anweiban", DEMO_PASSWORD)

    # A new year with the default deadlines.
    tab.goto("/years/new/")
    tab.page.fill("input[name=year]", "2027")
    tab.page.click("main button[type=submit]")
    assert "已新增2027年度" in tab.page.locator(".messages").inner_text()

    # Prepare: the preview first, with caps 5 % lower; nothing is written before confirming.
    tab.goto("/letters/prepare/")
    tab.page.select_option("select[name=year]", "2027")
    tab.page.fill("input[name=cap_change_pct]", "5")
    tab.page.click("main form[method=get] button[type=submit]")
    preview = tab.page.locator("[data-testid=preview]")
    assert "梁溪区" in preview.inner_text()
    tab.page.locator("button.accordion-button", has_text="梁溪区").click()
    assert "目标值 7 → 6" in tab.page.locator("#plan1").inner_text()  # 梁溪区: 7 deaths in 2026, 5 % lower
    tab.screenshot("letters-prepare-preview")
    tab.page.click("text=确认生成 37 份草稿")
    assert "已生成 37 份2027年度责任书草稿" in tab.page.locator(".messages").inner_text()

    # Issue every draft at once: 文号 in the city's order.
    tab.page.fill("#issuer_all", "张建华")
    tab.page.click("text=按单位顺序编文号并下发")
    message = tab.page.locator(".messages").inner_text()
    assert "已下发 37 份2027年度责任书（锡安委〔2027〕1号 至 锡安委〔2027〕37号）" in message
    tab.screenshot("letters-issued")
    tab.logout()
    tab.check_clean()

    # The reporter of 梁溪区 finds the letter, downloads the PDF, uploads the signed scan.
    reporter = Page(browser, demo_site)
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    reporter.goto("/letters/?year=2027")
    rows = reporter.page.locator("table tbody tr")
    assert rows.count() == 1, "a reporter sees only the unit's own letter"
    rows.first.locator("a").first.click()
    assert "锡安委〔2027〕1号" in reporter.page.locator("main").inner_text()
    with reporter.page.expect_download() as download:
        reporter.page.click("text=下载 PDF")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    reporter.screenshot("letter-to-sign")
    reporter.page.set_input_files(
        "input[name=scan]",
        files=[{"name": "签字盖章页.exe", "mimeType": "application/pdf", "buffer": b"MZ\x90"}],
    )
    reporter.page.click("text=上传并登记签订")
    assert "不是 PDF、JPEG 或 PNG 文件" in reporter.page.locator("[data-field-error=scan]").inner_text()
    reporter.page.set_input_files(
        "input[name=scan]", files=[{"name": "签字盖章页.pdf", "mimeType": "application/pdf", "buffer": SCAN}]
    )
    reporter.page.click("text=上传并登记签订")
    assert "已登记签订" in reporter.page.locator(".messages").inner_text()
    assert "✓ 已签订" in reporter.page.locator("main").inner_text()
    assert reporter.page.locator("text=签订扫描件").is_visible()
    reporter.screenshot("letter-signed")
    reporter.check_clean()
    reporter.close()
