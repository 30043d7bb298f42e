"""The 安委办 sets up a new unit and its reporter in the browser; the reporter logs in for the first time."""

import re

import pytest

from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e


def test_office_adds_a_unit_and_a_reporter_who_must_change_the_password(tab: Page, browser, demo_site):
    tab.login("anweiban", DEMO_PASSWORD)

    # A new unit: a duplicate code first, refused at the field with what was typed kept.
    tab.goto("/units/new/")
    tab.page.fill("input[name=code]", "liangxi")
    tab.page.fill("input[name=name]", "无锡太湖新城")
    tab.page.select_option("select[name=kind]", "dev_zone")
    tab.page.fill("input[name=leader_name]", "马明")
    tab.page.click("main button[type=submit]")
    assert "代码已被其他单位使用" in tab.page.locator("[data-field-error=code]").inner_text()
    assert tab.page.input_value("input[name=name]") == "无锡太湖新城"
    tab.screenshot("unit-form-error")
    tab.page.fill("input[name=code]", "taihu")
    tab.page.click("main button[type=submit]")
    assert "已新增责任单位：无锡太湖新城" in tab.page.locator(".messages").inner_text()

    # Its reporter, with a one-time password shown once.
    tab.goto("/people/new/")
    tab.page.fill("input[name=username]", "taihu_tb")
    tab.page.fill("input[name=name]", "陆静")
    tab.page.select_option("select[name=unit]", label="无锡太湖新城")
    tab.page.select_option("select[name=unit_role]", "reporter")
    tab.page.click("main button[type=submit]")
    message = tab.page.locator(".messages").inner_text()
    password = re.search(r"一次性密码：(\S+) ", message).group(1)
    tab.screenshot("person-created")
    tab.logout()
    tab.check_clean()

    # The reporter logs in and is sent to change the password before anything else.
    reporter = Page(browser, demo_site)
    reporter.login("taihu_tb", password)
    assert reporter.page.url.endswith("/accounts/password/")
    reporter.goto("/units/")
    assert reporter.page.url.endswith("/accounts/password/")
    reporter.screenshot("password-change-forced")
    reporter.page.fill("input[name=new_password1]", "Taihu-Xincheng-2026")
    reporter.page.fill("input[name=new_password2]", "Taihu-Xincheng-2026")
    reporter.page.click("main button[type=submit]")
    main = reporter.page.locator("main").inner_text()
    assert "密码已修改" in main
    assert "无锡太湖新城" in main
    reporter.screenshot("home-new-reporter")
    reporter.check_clean()
    reporter.close()


def test_office_fixes_the_district_weights_with_a_live_total(tab: Page):
    tab.login("anweiban", DEMO_PASSWORD)
    tab.goto("/catalog/weights/district/")
    assert "✓ 100.00" in tab.page.locator("[data-testid=weights-total]").inner_text()
    a1 = tab.page.locator("tr", has_text="生产安全事故死亡人数控制在控制数以内").locator("input")
    a2 = tab.page.locator("tr", has_text="事故起数、死亡人数同比").locator("input")
    a1.fill("7")  # A1: 12 → 7, the total drops to 95
    assert "✗ 95.00" in tab.page.locator("[data-testid=weights-total]").inner_text()
    tab.page.click("main button[type=submit]")
    assert "合计为 95.00 分，应为 100.00 分" in tab.page.locator("[data-testid=form-errors]").inner_text()
    assert a1.input_value() == "7"
    tab.screenshot("weights-error")
    a2.fill("9")  # A2: 4 → 9, back to 100
    tab.page.click("main button[type=submit]")
    assert "已保存区的指标分值" in tab.page.locator(".messages").inner_text()
    tab.check_clean()
