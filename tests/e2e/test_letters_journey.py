"""Next year's letters: the 安委办 prepares and issues them; a reporter downloads, signs and uploads."""

import pytest

from responsibility.demo import DEMO_PASSWORD

from . import steps
from .conftest import Page

pytestmark = pytest.mark.e2e


def test_office_issues_next_years_letters_and_a_reporter_signs(tab: Page, browser, demo_site):
    tab.login("anweiban", DEMO_PASSWORD)

    # A new year with the default deadlines; the preview first, with caps 5 % lower (梁溪区: 7
    # deaths in 2026), nothing written before confirming; every draft issued at once.
    steps.add_year(tab, 2027)
    message = steps.issue_letters(
        tab, 2027, cap_change_pct=5, unit="梁溪区", cap=(7, 6), count=37, issuer="张建华"
    )
    assert "已下发 37 份2027年度责任书（锡安委〔2027〕1号 至 锡安委〔2027〕37号）" in message
    tab.logout()
    tab.check_clean()

    # The reporter of 梁溪区 finds the letter, downloads the PDF, uploads the signed scan.
    reporter = Page(browser, demo_site)
    reporter.login("liangxi_tb", DEMO_PASSWORD)
    steps.sign_letter(reporter, 2027, doc_number="锡安委〔2027〕1号")
    reporter.check_clean()
    reporter.close()
