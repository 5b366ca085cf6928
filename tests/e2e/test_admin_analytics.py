"""The analytics and model pages in a real browser: charts under the strict CSP, retrain now.

A merchandiser clicks a recommendation on the home page as a shopper would, then reads it on
/admin/analytics (SVG charts, no CSP violation) and retrains the model from /admin/model,
whose page follows the run until it has succeeded. Screenshots: docs/screenshots/admin-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

from browser_steps import make_staff
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
EMAIL, PASSWORD = "merch-e2e@example.com", "merchandiser-e2e-1"




def _log_in(page: Page) -> None:
    page.goto("/account/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Back office")).to_be_visible()


def test_analytics_and_retrain_in_the_browser(page: Page, live_server, browser_problems):
    make_staff(live_server, EMAIL, "merchandiser", PASSWORD)
    # The event log ignores headless browsers (as bots); this journey stands for a person.
    page.context.set_extra_http_headers({"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"})
    _log_in(page)
    page.goto("/")
    page.locator('a[href*="?rec=trending"]').first.click()
    expect(page).to_have_url(re.compile(r"\?rec=trending"))

    page.goto("/admin/analytics")
    expect(page.get_by_role("heading", name="Recommendation analytics")).to_be_visible()
    expect(page.get_by_role("img", name="Impressions and clicks per day")).to_be_visible()
    trending = page.locator(".analytics-table tbody tr", has=page.get_by_role("rowheader", name="trending"))
    expect(trending.locator("td").nth(1)).to_have_text("1")  # the click just made
    page.screenshot(path=str(SCREENSHOTS / "admin-analytics.png"), full_page=True)

    page.goto("/admin/model")
    expect(page.locator(".model-serving-model")).to_contain_text("Model")
    page.get_by_role("button", name="Retrain now").click()
    expect(page.locator(".run-succeeded").first).to_be_visible(timeout=180_000)  # the page refreshes itself
    page.screenshot(path=str(SCREENSHOTS / "admin-model.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.goto("/admin/analytics")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(SCREENSHOTS / "phone-admin-analytics.png"), full_page=False)
    assert browser_problems.csp_violations == [] and browser_problems.page_errors == []
