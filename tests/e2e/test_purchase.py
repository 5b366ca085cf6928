"""The whole purchase in a real browser: article → Related Products → shoe → size → cart → order."""

from __future__ import annotations

import re

from browser_steps import (
    WALKING_ARTICLE,
    choose_size,
    minicart_count,
    related_products,
    unlabelled_controls,
)
from playwright.sync_api import Page, expect


def open_a_related_shoe(page: Page) -> str:
    """Click the first Related Product that is footwear; returns its name."""
    links = related_products(page).locator(".product-card h3 a")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:
        related_products(page).locator(f'a[href="{href}"]').click()
        breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
        expect(breadcrumb).to_be_visible()
        if "Footwear" in breadcrumb.inner_text():
            return page.get_by_role("heading", level=1).inner_text()
        page.go_back()
    raise AssertionError(f"no walking shoe among the Related Products: {hrefs}")


def test_read_article_add_a_shoe_in_my_size_and_check_out(page: Page, shot):
    page.goto(WALKING_ARTICLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("walking", ignore_case=True)
    shot("1-article")
    related = related_products(page)
    related.scroll_into_view_if_needed()
    page.mouse.wheel(0, -260)  # keep the end of the article in the picture
    expect(related.locator(".product-card").first).to_be_in_viewport()
    shot("2-related-products")

    name = open_a_related_shoe(page)
    expect(minicart_count(page)).to_have_text("0")
    size = choose_size(page)
    variant = size.split(" (only")[0]  # the option text without the stock note
    shot("3-product-size-chosen")
    page.get_by_role("button", name="Add to cart").click()

    # The header mini-cart updates in place.
    expect(minicart_count(page)).to_have_text("1")
    expect(page.locator("[data-add-status]")).to_have_text("Added to your cart.")
    page.locator("[data-minicart] summary").click()
    drawer = page.locator("[data-minicart-drawer]")
    expect(drawer).to_contain_text(name)
    expect(drawer).to_contain_text(variant)
    shot("4-minicart")

    drawer.get_by_role("link", name="View cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    line = page.locator("table.cart-lines tbody tr")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(name)
    expect(line).to_contain_text(variant)
    expect(page.get_by_label(re.compile(r"^Quantity of "))).to_have_value("1")
    assert unlabelled_controls(page) == []
    shot("5-cart")

    page.get_by_role("main").get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    expect(page.get_by_role("complementary", name="Your order")).to_contain_text(name)
    page.get_by_label("Full name").fill("Alex Example")
    page.get_by_label("E-mail address").fill("alex@example.com")
    page.get_by_label("Address line 1").fill("1 Test Street")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS1 4AP")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("group", name="Delivery", exact=True).get_by_role(
        "radio", name=re.compile(r"^Express delivery")
    ).check()
    assert unlabelled_controls(page) == []
    shot("6-checkout", full_page=True)
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is placed")
    number = page.locator(".order-number strong")
    expect(number).to_have_text(re.compile(r"^BC-[A-Z0-9]{4,}$"))
    order_number = number.inner_text()
    expect(page).to_have_url(re.compile(rf"/orders/{order_number}$"))
    order = page.locator("table.order-lines")
    expect(order).to_contain_text(name)
    expect(order).to_contain_text(variant)
    expect(page.locator("main")).to_contain_text("alex@example.com")
    expect(page.locator("main")).to_contain_text("Express delivery")
    expect(minicart_count(page)).to_have_text("0")  # the cart became the order
    shot("7-confirmation")

    # The order is in the shopper's history, and the cart is empty again.
    page.get_by_role("link", name="Your orders").click()
    expect(page.locator("main")).to_contain_text(order_number)
    page.goto("/cart")
    expect(page.locator("main .cart-empty")).to_have_text("No products in the cart.")
