"""A leader before a meeting: the 驾驶舱 with its charts, then a ranking sorted, exported and printed."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from . import steps
from .conftest import Page

pytestmark = pytest.mark.e2e


def test_a_leader_reads_the_dashboard_and_a_ranking(tab: Page):
    tab.login("lingdao", DEMO_PASSWORD)
    steps.read_dashboard(tab)
    steps.sort_and_export_ranking(tab)
    steps.print_ranking(tab)  # the group's ranking on one A4 landscape page, and its PDF

    tab.page.locator("tbody a").first.click()
    assert "年度考核" in tab.page.locator("h1").inner_text()
    tab.screenshot("unit-assessment")
    tab.check_clean()
