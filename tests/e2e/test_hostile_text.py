"""Hostile text in a real browser: nothing a person typed runs as a script, on any page showing it.

Two districts of the demo get names that would run if a page, a chart's tooltip or a print view
inserted them as markup; an accident and a finding get such a title and problem. A leader, the
安委办 and the district's reporter open the pages that show them, hovering over the 驾驶舱's
charts so that ECharts draws its tooltips; no alert() dialog may open.
"""

import pytest

from assessment.models import Accident, Finding
from responsibility.demo import DEMO_PASSWORD
from responsibility.models import Unit

from .conftest import Page

pytestmark = pytest.mark.e2e

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = '"><img src=x onerror=alert(2)>'


def visit(tab: Page, path: str) -> None:
    response = tab.goto(path)
    assert response.status == 200, (path, response.status)
    tab.page.wait_for_load_state("networkidle")


def test_no_alert_fires_on_pages_showing_hostile_names(tab: Page):
    Unit.objects.filter(code="liangxi").update(name=SCRIPT_NAME)
    Unit.objects.filter(code="xishan").update(name=IMG_NAME)
    accident = Accident.objects.filter(unit__code="liangxi").order_by("pk").first()
    Accident.objects.filter(pk=accident.pk).update(title=f"{IMG_NAME}事故")
    finding = Finding.objects.filter(unit__code="liangxi").order_by("pk").first()
    Finding.objects.filter(pk=finding.pk).update(problem=f"{SCRIPT_NAME}问题")
    dialogs = []
    tab.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    tab.login("lingdao", DEMO_PASSWORD)
    visit(tab, "/dashboard/")
    for chart in ["#chart-trend", "#chart-months", "#chart-group-0"]:
        tab.page.wait_for_selector(f"{chart} svg")
    group_chart = tab.page.locator("#chart-group-0")
    group_chart.scroll_into_view_if_needed()
    box = group_chart.bounding_box()
    tooltips = set()
    for step in range(1, 20):  # down the bars: ECharts' tooltip names each unit in turn
        tab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * step / 20)
        tooltip = group_chart.locator(":scope > div").last  # the tooltip, beside the chart's own <div>
        text = tooltip.inner_text() if tooltip.is_visible() else ""
        if SCRIPT_NAME in text and not any(SCRIPT_NAME in seen for seen in tooltips):
            tab.screenshot("hostile-dashboard-tooltip", full_page=False)
        tooltips.add(text)
    assert any(SCRIPT_NAME in text for text in tooltips), tooltips  # drawn as the text it is
    for path in ["/ranking/", "/ranking/print/", "/units/", "/accidents/", accident.get_absolute_url()]:
        visit(tab, path)
    assert tab.page.locator("h1").inner_text() == f"{IMG_NAME}事故"  # the accident's page
    tab.screenshot("hostile-accident")
    tab.logout()

    tab.login("anweiban", DEMO_PASSWORD)
    for path in ["/", "/letters/", "/findings/", finding.get_absolute_url(), "/overview/", "/units/"]:
        visit(tab, path)
    assert SCRIPT_NAME in tab.page.locator("tbody").inner_text()  # shown as the text it is
    tab.screenshot("hostile-units")
    tab.logout()

    tab.login("liangxi_tb", DEMO_PASSWORD)
    for path in ["/", "/letters/", "/reports/", "/findings/", finding.get_absolute_url()]:
        visit(tab, path)
    assert SCRIPT_NAME in tab.page.locator("main").inner_text()

    assert dialogs == []
    tab.page.evaluate("() => alert('对照')")  # the control: a dialog that does open is caught
    assert dialogs == ["对照"]
    tab.check_clean()
