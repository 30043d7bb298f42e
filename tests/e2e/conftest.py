"""The browser harness: Playwright driving Debian's chromium against Django's live server.

Every journey fails if the browser asks anything of an address other than the live server
(no CDN: the city intranet has no internet) or if the page logs a console error.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
    # tests make around it are still plain synchronous code. Only while the browser lives.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


class Page:
    """A browser tab on the live server that records stray requests and console errors."""

    def __init__(self, browser, base_url: str, *, viewport=None, shots: str = ""):
        """`shots`: what the names of this tab's screenshots start with (e.g. "journey-admin-")."""
        self.base_url = base_url
        self.shots = shots
        self.context = browser.new_context(
            viewport=viewport or {"width": 1366, "height": 768}, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.stray_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("request", self._on_request)
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        # Every Content-Security-Policy violation, reported by the page itself (besides the
        # browser's own console line): a blocked script, style, image, font or connection.
        self.page.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => console.error("
            "'CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
        )

    def _on_request(self, request):
        url = request.url
        if not (url.startswith(self.base_url) or url.startswith("data:") or url.startswith("blob:")):
            self.stray_requests.append(url)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def login(self, username: str, password: str):
        response = self.goto("/accounts/login/")
        # The journeys run under the app's own Content-Security-Policy, as served.
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), response.headers
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def logout(self):
        self.page.click("[data-testid=user-menu]")
        self.page.click("text=退出登录")
        self.page.wait_for_url("**/accounts/login/")

    def screenshot(self, name: str, *, full_page: bool = True):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.shots}{name}.png"), full_page=full_page)

    def message(self) -> str:
        """The messages at the top of the page ("已提交…")."""
        return self.page.locator(".messages").inner_text()

    def check_clean(self):
        assert self.stray_requests == [], f"requests left 127.0.0.1: {self.stray_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"

    def close(self):
        self.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed journey on a stack of processes (test_role_journeys) shows the end of their logs."""
    report = yield
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.failed and stack is not None:
        for name, text in stack.logs().items():
            report.sections.append((f"{name} log", text))
    return report


@pytest.fixture
def demo_site(transactional_db, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def tab(browser, demo_site):
    page = Page(browser, demo_site)
    yield page
    page.close()
