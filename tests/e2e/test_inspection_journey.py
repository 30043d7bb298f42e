"""An inspector records a finding and the unit answers it: recorded with photos, rectified with
evidence, rejected with a reason, rectified again and verified, as the people do it in a browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.demo import demo_png
from responsibility.demo import DEMO_PASSWORD

from . import steps
from .conftest import Page

pytestmark = pytest.mark.e2e

PHOTO = {"name": "消防通道.png", "mimeType": "image/png", "buffer": demo_png(64, 48)}
EVIDENCE = {"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%rectified\n"}
PROBLEM = "某商场消防通道堆放杂物，安全出口指示灯损坏"


def test_an_inspector_records_a_finding_and_the_unit_answers_it(tab: Page, browser, demo_site):
    today = timezone.localdate()
    inspector = tab
    inspector.login("ducha", DEMO_PASSWORD)
    # Two findings, the second added in the page: a 重大事故隐患 whose listing level is forgotten.
    steps.record_inspection(
        inspector,
        on=today,
        deadline=today + timedelta(days=10),
        team="第四暗访组 周明（组长）、吴静",
        summary="暗访商场和危化品企业消防安全",
        findings=[("梁溪区", PROBLEM, False), ("锡山区", "危化品仓库超量储存", True)],
        photo=PHOTO,
    )
    inspector.check_clean()
    inspector.logout()

    # The unit: told on its home page, answers from its own list.
    unit = Page(browser, demo_site)
    unit.login("liangxi_tb", DEMO_PASSWORD)
    assert "待整改" in unit.page.locator("[data-testid=my-findings]").inner_text()
    unit.page.click("nav >> text=问题整改")
    assert "本单位问题隐患" in unit.page.locator("h1").inner_text()
    assert "危化品仓库超量储存" not in unit.page.content()  # 锡山区's, not ours
    unit.screenshot("finding-list-unit")
    unit.page.click(f"text={PROBLEM}")
    assert unit.page.locator("[data-testid=photos] img").count() == 1
    steps.rectify_finding(unit, text="已清理消防通道杂物，更换安全出口指示灯", files=[EVIDENCE])
    unit.screenshot("finding-submitted")
    finding_url = unit.page.url

    # The inspector rejects it with a reason ...
    inspector.login("ducha", DEMO_PASSWORD)
    inspector.page.goto(finding_url)
    inspector.page.click("text=✗ 退回整改")
    assert "退回时请填写退回理由" in inspector.page.locator("[data-testid=check]").inner_text()
    inspector.page.fill("textarea[name=reason]", "安全出口指示灯更换记录不全，请补充照片")
    inspector.page.click("text=✗ 退回整改")
    assert "已退回整改，梁溪区会收到退回理由。" in inspector.message()

    # ... the unit reads it, answers again, and the inspector verifies.
    unit.page.goto(finding_url)
    assert "安全出口指示灯更换记录不全" in unit.page.locator("[data-testid=rejection]").inner_text()
    unit.screenshot("finding-rejected")
    steps.rectify_finding(unit, text="已补充指示灯更换前后照片", files=[{**PHOTO, "name": "更换后.png"}])
    unit.check_clean()
    unit.close()

    inspector.page.goto(finding_url)
    steps.verify_finding(inspector)
    assert "退回整改" in inspector.page.locator("[data-testid=history]").inner_text()
    inspector.screenshot("finding-verified")
    inspector.check_clean()
