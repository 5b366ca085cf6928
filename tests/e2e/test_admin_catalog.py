"""A merchandiser edits the catalog in the back office and the shop shows it at once.

She logs in through the shop's own log-in page, finds a product by name, changes its price
and one variant's stock, and the storefront's product page shows the new price and "only 2
left". The edit page is photographed at desktop and phone width for the README
(docs/screenshots/admin-product-edit.png, admin-product-edit-phone.png).
"""

from __future__ import annotations

from pathlib import Path

from browser_steps import make_staff
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
EMAIL, PASSWORD = "merch@example.com", "merchandiser-password-1"
SKU = "VM-HW-39-R"  # Halo Walk, EU 39 regular




def test_a_merchandiser_changes_a_price_and_a_stock_and_the_shop_shows_them(page: Page, live_server):
    make_staff(live_server, EMAIL, "merchandiser", PASSWORD)
    page.goto("/account/login?next=/admin/catalog")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Products", exact=True)).to_be_visible()

    page.get_by_label("Name or SKU").fill("Halo Walk")
    page.locator("#main").get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Halo Walk", exact=True).click()
    expect(page.get_by_role("heading", name="Halo Walk", exact=True)).to_be_visible()

    page.get_by_label("Price (£)").fill("124.50")
    page.get_by_role("button", name="Save product").click()
    expect(page.locator(".flash")).to_contain_text("Halo Walk was saved.")

    row = page.locator("tr", has=page.locator(f"input[value='{SKU}']"))
    row.get_by_label("Stock").fill("2")
    row.get_by_role("button", name=f"Save {SKU}").click()
    expect(page.locator(".flash")).to_contain_text(f"Variant {SKU} was saved.")
    expect(page.locator("tr", has=page.locator(f"input[value='{SKU}']")).get_by_label("Stock")).to_have_value("2")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-product-edit.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the edit page scrolls sideways by {overflow} px at phone width"
    page.screenshot(path=str(SCREENSHOTS / "admin-product-edit-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="see it in the shop").click()
    expect(page.locator(".product-detail, main").first).to_contain_text("£124.50")
    expect(page.locator(f"option[value='{SKU}']")).to_contain_text("only 2 left")
