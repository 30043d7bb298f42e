"""An inspector records a finding and the unit answers it: recorded with photos, rectified with
evidence, rejected with a reason, rectified again and verified, as the people do it in a browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.demo import demo_png
from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e

PHOTO = {"name": "消防通道.png", "mimeType": "image/png", "buffer": demo_png(64, 48)}
EVIDENCE = {"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%rectified\n"}
PROBLEM = "某商场消防通道堆放杂物，安全出口指示灯损坏"


def messages(tab: Page) -> str:
    return tab.page.locator(".messages").inner_text()


def test_an_inspector_records_a_finding_and_the_unit_answers_it(tab: Page, browser, demo_site):
    today = timezone.localdate()
    deadline = today + timedelta(days=10)
    inspector = tab
    inspector.login("ducha", DEMO_PASSWORD)
    inspector.page.click("nav >> text=督查")
    inspector.page.click("text=＋ 录入督查")
    page = inspector.page
    page.select_option("select[name=kind]", label="暗访")
    page.fill("input[name=date]", today.isoformat())
    page.fill("input[name=team]", "第四暗访组 周明（组长）、吴静")
    page.get_by_label("梁溪区", exact=True).check()
    page.get_by_label("锡山区", exact=True).check()
    page.fill("textarea[name=summary]", "暗访商场和危化品企业消防安全")
    page.select_option("select[name=findings-0-unit]", label="梁溪区")
    page.fill("input[name=findings-0-deadline]", deadline.isoformat())
    page.fill("textarea[name=findings-0-problem]", PROBLEM)
    page.set_input_files("input[name=findings-0-photos]", files=[PHOTO])
    # A second finding, added in the page: a 重大事故隐患 whose listing level is forgotten.
    page.click("text=＋ 再加一个问题")
    page.select_option("select[name=findings-1-unit]", label="锡山区")
    page.fill("input[name=findings-1-deadline]", deadline.isoformat())
    page.fill("textarea[name=findings-1-problem]", "危化品仓库超量储存")
    page.check("input[name=findings-1-major_hazard]")
    page.click("text=保存并通知责任单位")
    assert "重大事故隐患须选择挂牌督办级别。" in page.locator("[data-testid=finding-row]").nth(1).inner_text()
    assert page.input_value("textarea[name=findings-0-problem]") == PROBLEM  # nothing typed is lost
    assert page.input_value("input[name=team]") == "第四暗访组 周明（组长）、吴静"
    inspector.screenshot("inspection-form-errors")
    page.select_option("select[name=findings-1-listing_level]", label="市级挂牌督办")
    page.set_input_files("input[name=findings-0-photos]", files=[PHOTO])  # browsers never keep files
    page.click("text=保存并通知责任单位")
    assert "发现问题 2 项，已通知责任单位按期整改。" in messages(inspector)
    assert PROBLEM in page.locator("[data-testid=findings]").inner_text()
    inspector.screenshot("inspection-detail")
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
    unit.page.fill("textarea[name=rectification]", "已清理消防通道杂物，更换安全出口指示灯")
    unit.page.set_input_files("input[name=files]", files=[EVIDENCE])
    unit.page.click("text=报送整改，等待核查")
    assert "已报送整改情况，等待督查组核查。" in messages(unit)
    assert "已报整改，待核查" in unit.page.locator("[data-testid=status]").inner_text()
    unit.screenshot("finding-submitted")
    finding_url = unit.page.url

    # The inspector rejects it with a reason ...
    inspector.login("ducha", DEMO_PASSWORD)
    inspector.page.goto(finding_url)
    inspector.page.click("text=✗ 退回整改")
    assert "退回时请填写退回理由" in inspector.page.locator("[data-testid=check]").inner_text()
    inspector.page.fill("textarea[name=reason]", "安全出口指示灯更换记录不全，请补充照片")
    inspector.page.click("text=✗ 退回整改")
    assert "已退回整改，梁溪区会收到退回理由。" in messages(inspector)

    # ... the unit reads it, answers again, and the inspector verifies.
    unit.page.goto(finding_url)
    assert "安全出口指示灯更换记录不全" in unit.page.locator("[data-testid=rejection]").inner_text()
    unit.screenshot("finding-rejected")
    unit.page.fill("textarea[name=rectification]", "已补充指示灯更换前后照片")
    unit.page.set_input_files("input[name=files]", files=[{**PHOTO, "name": "更换后.png"}])
    unit.page.click("text=报送整改，等待核查")
    assert "已报送整改情况" in messages(unit)
    unit.check_clean()
    unit.close()

    inspector.page.goto(finding_url)
    inspector.page.click("text=✓ 核查通过")
    assert "已核查通过，该问题整改办结。" in messages(inspector)
    assert "✓ 已核查" in inspector.page.locator("[data-testid=status]").inner_text()
    history = inspector.page.locator("[data-testid=history]").inner_text()
    for step in ("核查通过", "退回整改", "报送整改", "录入"):
        assert step in history
    inspector.screenshot("finding-verified")
    inspector.check_clean()
