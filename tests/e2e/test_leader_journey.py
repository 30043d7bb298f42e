"""A leader before a meeting: the 驾驶舱 with its charts, then a ranking sorted and exported."""

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
    tab.page.click("th >> text=总分")
    scores = [float(s) for s in tab.page.locator("tbody tr td:nth-child(4)").all_inner_texts()]
    assert scores == sorted(scores), scores
    with tab.page.expect_download() as download:
        tab.page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    tab.page.locator("tbody a").first.click()
    assert "年度考核" in tab.page.locator("h1").inner_text()
    tab.screenshot("unit-assessment")
    tab.check_clean()
