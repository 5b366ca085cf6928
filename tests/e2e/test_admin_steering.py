"""Steering the recommender from the back office in a real browser.

A merchandiser pins a product into "Trending" and a shopper sees it first, marked "Staff pick";
an admin starts an A/B experiment on the home page's recommendations, a shopper's visit is
counted, and the admin reads the result. Screenshots for the README:
docs/screenshots/admin-rules.png and admin-experiment.png.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from browser_steps import make_staff
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "staff-password-for-e2e"
DESKTOP_CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36")




def log_in(page: Page, email: str, next_url: str) -> None:
    page.goto(f"/account/login?next={next_url}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def trending(page: Page) -> list[str]:
    return re.findall(r'/products/([a-z0-9-]+)\?rec=trending"', page.content())


def test_a_merchandiser_pins_a_product_and_shoppers_see_it_first(page: Page, live_server, browser):
    shopper = browser.new_context(base_url=live_server.url).new_page()
    shopper.goto("/")
    before = trending(shopper)
    assert before, "the home page shows Trending"
    pick = next(slug for slug in ("quillby-groundwork", "velmora-softstep-max", "hollin-reed-city-comfort")
                if slug not in before)

    make_staff(live_server, "merch@example.com", "merchandiser", PASSWORD)
    log_in(page, "merch@example.com", "/admin/rules")
    expect(page.get_by_role("heading", name="Merchandising rules")).to_be_visible()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Does").select_option("pin")
    page.get_by_label("Targets a").select_option("product")
    page.get_by_label("Product slug, brand or category slug").fill(pick)
    page.get_by_label("Slot").select_option("trending")
    page.get_by_label("Place (pins)").fill("1")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".flash")).to_contain_text("live")
    expect(page.locator(".rule-effect")).to_contain_text("Staff pick")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-rules.png"), full_page=True)

    shopper.goto("/")
    assert trending(shopper)[0] == pick
    expect(shopper.locator(f'a[href*="/products/{pick}?rec=trending"]').first).to_be_visible()
    expect(shopper.locator("main")).to_contain_text("Staff pick")


def test_an_admin_starts_an_experiment_and_reads_its_result(page: Page, live_server, browser):
    make_staff(live_server, "boss@example.com", "admin", PASSWORD)
    log_in(page, "boss@example.com", "/admin/experiments")
    page.get_by_role("link", name="New experiment").click()
    page.get_by_label("Name", exact=True).fill("Home: hybrid vs popularity")
    page.get_by_label("Recommended for you (home)").check()
    page.get_by_label("Minimum visitors per variant before a winner").fill("1")
    page.get_by_label("Variant 2 name").fill("popular")
    page.locator("#f-v1_strategy").select_option("popularity")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Home: hybrid vs popularity")).to_be_visible()
    page.get_by_role("button", name="Start experiment").click()
    expect(page.locator(".flash")).to_contain_text("Started.")

    time.sleep(5.5)  # every gunicorn worker re-reads the running experiments within 5 s
    for _ in range(4):  # a few shoppers see the home page (each lands in one variant)
        # (headless Chromium says so in its user agent, and the shop logs no events of bots)
        visitor = browser.new_context(base_url=live_server.url, user_agent=DESKTOP_CHROME).new_page()
        visitor.goto("/products")  # a first page: from now on the visitor is known by its cookie,
        visitor.goto("/")  # not rate-limited with everyone else on this address
        visitor.context.close()

    page.reload()
    rows = page.locator("table.admin-table tbody tr")
    expect(rows).to_have_count(2)
    visitors = sum(int(rows.nth(i).locator("td").first.inner_text()) for i in range(2))
    assert visitors == 4, visitors
    expect(page.locator("main")).to_contain_text("Revenue per visitor")
    page.screenshot(path=str(SCREENSHOTS / "admin-experiment.png"), full_page=True)
    page.get_by_label("Winner").select_option("control")
    page.get_by_role("button", name="Declare winner and stop").click()
    expect(page.locator(".flash")).to_contain_text("Winner: control.")
