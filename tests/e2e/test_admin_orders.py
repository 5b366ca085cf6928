"""The support desk in a real browser: ship one order (carrier + tracking), cancel another.

A shopper places two orders; a support person logs in, ships the first and cancels the second
(after the confirmation step); the cancelled order's stock is back (read from the product API)
and the shopper's order history shows "shipped" with the tracking number.
"""

from __future__ import annotations

import re

from browser_steps import choose_size, make_staff
from conftest import ROOT, VIEWPORT
from playwright.sync_api import Page, expect

SCREENSHOTS = ROOT / "docs" / "screenshots"
PRODUCT = "/products/velmora-halo-walk"
SUPPORT_EMAIL, SUPPORT_PASSWORD = "desk@example.com", "support-desk-password"
CHECKOUT = {"name": "Sam Shopper", "email": "sam@example.com", "delivery": "standard",
            "address": {"line1": "2 Mill Lane", "line2": "", "city": "Leeds", "postal_code": "LS1 4AP",
                        "country": "GB"}}
TRACKING = "JD014600003828"




def stock_of(page: Page, sku: str) -> int:
    product = page.request.get(f"/api{PRODUCT}").json()
    return next(v["stock"] for v in product["variants"] if v["sku"] == sku)


def order_one(page: Page) -> tuple[str, str]:
    """Add a size of the Halo Walk in the browser and check out through the API; (number, sku)."""
    page.goto(PRODUCT)
    label = choose_size(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-add-status]")).to_have_text("Added to your cart.")
    cart = page.request.get("/api/cart").json()
    placed = page.request.post("/api/checkout", data=CHECKOUT)
    assert placed.status == 201, (label, placed.text())
    return placed.json()["number"], cart["items"][0]["sku"]


def test_support_ships_one_order_and_cancels_another(page: Page, browser, live_server, shot):
    make_staff(live_server, SUPPORT_EMAIL, "support", SUPPORT_PASSWORD, name="Desk")
    shipped_number, _sku = order_one(page)
    cancelled_number, cancelled_sku = order_one(page)
    stock_before_cancel = stock_of(page, cancelled_sku)

    desk = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB")
    support = desk.new_page()
    support.goto("/account/login?next=/admin/orders")
    support.get_by_label("E-mail").fill(SUPPORT_EMAIL)
    support.get_by_label("Password").fill(SUPPORT_PASSWORD)
    support.get_by_role("button", name="Log in").click()
    expect(support.get_by_role("heading", level=1)).to_have_text("Orders")

    support.get_by_label("Order number").fill(shipped_number)
    support.get_by_role("button", name="Filter").click()
    support.get_by_role("link", name=shipped_number).click()
    expect(support.get_by_role("heading", level=1)).to_have_text(f"Order {shipped_number}")
    support.get_by_role("button", name="Mark paid").click()
    expect(support.locator(".admin-facts")).to_contain_text("paid")
    support.get_by_label("Carrier").fill("Royal Mail")
    support.get_by_label("Tracking number").fill(TRACKING)
    support.screenshot(path=str(SCREENSHOTS / "admin-order.png"), animations="disabled")
    support.get_by_role("button", name="Ship").click()
    expect(support.locator(".admin-facts")).to_contain_text(TRACKING)
    expect(support.locator(".admin-history")).to_contain_text("order.ship")

    support.goto("/admin/orders")
    support.get_by_role("link", name=cancelled_number).click()
    support.get_by_role("link", name="Cancel order…").click()
    expect(support.get_by_role("heading", level=1)).to_have_text(f"Cancel order {cancelled_number}?")
    support.get_by_role("button", name="Yes, cancel the order").click()
    expect(support.locator(".admin-facts")).to_contain_text("cancelled")
    assert stock_of(page, cancelled_sku) == stock_before_cancel + 1

    support.set_viewport_size({"width": 390, "height": 844})
    support.goto("/admin/orders")
    expect(support.get_by_role("link", name=shipped_number)).to_be_visible()
    support.screenshot(path=str(SCREENSHOTS / "admin-orders-phone.png"), animations="disabled")
    desk.close()

    page.goto("/orders")
    row = page.locator("tr", has=page.get_by_role("link", name=shipped_number))
    expect(row).to_contain_text("shipped")
    expect(row.get_by_role("link", name=TRACKING)).to_have_attribute("href", re.compile(TRACKING))
    expect(page.locator("tr", has=page.get_by_role("link", name=cancelled_number))).to_contain_text("cancelled")
    shot("shopper-history")
