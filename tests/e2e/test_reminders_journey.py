"""A reporter finds a reminder behind the bell, follows it to the quarter's entry, and clears the inbox."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from responsibility.demo import DEMO_PASSWORD
from responsibility.models import Year

from . import steps
from .conftest import Page

pytestmark = pytest.mark.e2e


def test_a_reporter_reads_a_reminder_from_the_bell(tab: Page, browser, demo_site):
    # The ladder as of a week before the next quarter's deadline: 梁溪区 has filed nothing for it.
    today = timezone.localdate()
    year = Year.objects.current(today)
    quarter, deadline = year.next_deadline(today)
    call_command("send_reminders", "--date", f"{deadline - timedelta(days=7):%Y-%m-%d}", stdout=io.StringIO())
    label = f"{year.year}年第{'一二三四'[quarter - 1]}季度"

    tab.login("liangxi_tb", DEMO_PASSWORD)
    # The reminder, and whatever the demo's circulars left unread.
    unread = steps.follow_report_reminder(
        tab, unit="梁溪区", year=year.year, quarter=quarter, deadline=deadline
    )

    tab.page.click("[data-testid=bell]")
    notice = tab.page.locator("[data-testid=notice]", has_text=f"{label}填报还有7天截止")
    assert "已读于" in notice.inner_text()
    assert "标为已读" not in notice.inner_text()
    tab.page.click(".nav-tabs >> text=未读")
    assert tab.page.locator("[data-testid=notice]", has_text=f"{label}填报还有7天截止").count() == 0
    remaining = unread - 1
    if remaining:  # the demo's circulars: one marked read here, the rest all at once
        tab.page.locator("[data-testid=notice]").first.locator("button", has_text="标为已读").click()
        remaining -= 1
        assert steps.bell_count(tab) == remaining
    if remaining:
        tab.page.click("[data-testid=read-all]")
        assert f"已将 {remaining} 条提醒标为已读。" in tab.message()
    assert steps.bell_count(tab) == 0
    tab.page.click(".nav-tabs >> text=全部")
    assert tab.page.locator(".notice-unread").count() == 0
    tab.screenshot("inbox-read")
    tab.check_clean()

    # On a phone the bell stays in the header, outside the collapsed menu.
    phone = Page(browser, demo_site, viewport={"width": 390, "height": 844})
    phone.login("liangxi_tb", DEMO_PASSWORD)
    assert phone.page.locator("[data-testid=bell]").is_visible()
    phone.goto("/inbox/")
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the inbox scrolls sideways by {overflow}px on a phone"
    phone.screenshot("inbox-phone")
    phone.check_clean()
    phone.close()
