"""Each role logs in, sees its own navigation and first page, and logs out."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from .conftest import Page

pytestmark = pytest.mark.e2e

# username → (what the navigation must show, what it must not show, what the first page says)
ROLES = {
    "anweiban": (["工作台", "责任单位", "用户", "考核年度", "指标库"], ["本单位"], "待处理的设置"),
    "lingdao": (["首页", "驾驶舱", "排名", "责任单位", "考核年度", "指标库"], ["用户", "本单位"], "责任单位"),
    "ducha": (["首页", "责任单位", "考核年度", "指标库"], ["用户", "本单位"], "责任单位"),
    "liangxi_tb": (["我的任务", "本单位", "考核年度", "指标库"], ["用户", "责任单位"], "梁溪区"),
    "liangxi_fz": (["我的任务", "本单位", "考核年度", "指标库"], ["用户", "责任单位"], "梁溪区"),
    "zhujian_tb": (["我的任务", "本单位", "考核年度", "指标库"], ["用户", "责任单位"], "市住房城乡建设局"),
}


@pytest.mark.parametrize("username", ROLES)
def test_each_role_sees_its_navigation(tab: Page, username):
    shown, hidden, first_page = ROLES[username]
    tab.login(username, DEMO_PASSWORD)
    nav = tab.page.locator("[data-testid=nav]").inner_text()
    for label in shown:
        assert label in nav, f"{username}: {label} missing from {nav!r}"
    for label in hidden:
        assert label not in nav, f"{username}: {label} should not be in {nav!r}"
    assert first_page in tab.page.locator("main").inner_text()
    tab.screenshot(f"home-{username}")
    tab.logout()
    assert "登录" in tab.page.locator("h1").inner_text()
    tab.check_clean()


def test_admin_pages_render_at_desktop_and_phone_width(browser, demo_site):
    for width, height, suffix in [(1366, 768, "desktop"), (390, 844, "phone")]:
        tab = Page(browser, demo_site, viewport={"width": width, "height": height})
        tab.login("anweiban", DEMO_PASSWORD)
        for path, name in [
            ("/units/", "units"),
            ("/people/", "people"),
            ("/years/", "years"),
            ("/catalog/", "catalog"),
            ("/catalog/weights/district/", "weights"),
        ]:
            response = tab.goto(path)
            assert response.status == 200, path
            tab.screenshot(f"{name}-{suffix}")
            # Nothing is wider than the screen, except inside tables that scroll on their own.
            overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} at {suffix} width scrolls sideways by {overflow}px"
        tab.check_clean()
        tab.close()


def test_pages_print_without_the_navigation(tab: Page):
    tab.login("anweiban", DEMO_PASSWORD)
    tab.goto("/catalog/")
    tab.page.emulate_media(media="print")
    assert not tab.page.locator("nav.site-nav").is_visible()
    assert not tab.page.locator("footer").is_visible()
    assert tab.page.locator("table").first.is_visible()
    tab.screenshot("catalog-print")
    tab.check_clean()
