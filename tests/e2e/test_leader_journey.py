"""A leader before a meeting: the 驾驶舱 with its charts, then a ranking sorted, exported and printed."""

import io
from pathlib import Path

import openpyxl
import pytest

from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e


def test_a_leader_reads_the_dashboard_and_a_ranking(tab: Page):
    tab.login("lingdao", DEMO_PASSWORD)
    tab.page.click("nav >> text=驾驶舱")
    assert "驾驶舱" in tab.page.locator("h1").inner_text()
    # ECharts (vendored, SVG renderer) drew every chart.
    for chart in ["#chart-trend", "#chart-months", "#chart-group-0"]:
        tab.page.wait_for_selector(f"{chart} svg")
    assert "事故起数" in tab.page.locator("[data-testid=count]").inner_text()
    tab.screenshot("dashboard-leader")

    tab.page.click("nav >> text=排名")
    headers = tab.page.locator("thead th").all_inner_texts()
    assert "较上季度" in headers, headers
    score_column = headers.index("总分") + 1
    tab.page.click("th >> text=总分")
    scores = [float(s) for s in tab.page.locator(f"tbody tr td:nth-child({score_column})").all_inner_texts()]
    assert scores == sorted(scores), scores
    tab.screenshot("ranking-leader")
    with tab.page.expect_download() as download:
        tab.page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(
        io.BytesIO(Path(download.value.path()).read_bytes())
    )  # with the breakdown
    assert workbook.sheetnames[1] == "明细", workbook.sheetnames
    assert any(str(h).startswith("A1 ") for h in next(workbook.worksheets[0].iter_rows(values_only=True)))

    # The group's ranking on one A4 landscape page for the meeting, and its PDF.
    tab.page.click("text=打印（A4横版）")
    assert "年度安全生产目标责任考核排名（板块）" in tab.page.locator("h1").inner_text()
    assert tab.page.locator(".chart svg g.bar").count() == tab.page.locator("tbody tr").count() > 0
    tab.screenshot("ranking-print")
    with tab.page.expect_download() as download:
        tab.page.click("text=下载PDF")
    assert download.value.suggested_filename.endswith("考核排名-板块.pdf"), download.value.suggested_filename
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    tab.page.click("text=返回")

    tab.page.locator("tbody a").first.click()
    assert "年度考核" in tab.page.locator("h1").inner_text()
    tab.screenshot("unit-assessment")
    tab.check_clean()
