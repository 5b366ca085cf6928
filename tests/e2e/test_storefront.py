"""Browsing in a real browser: the walking article, the listing, the empty cart, the keyboard."""

from __future__ import annotations

import re

from browser_steps import (
    EMPTY_CART,
    WALKING_ARTICLE,
    choose_size,
    focus_is_visible,
    minicart_count,
    related_products,
    unlabelled_controls,
)
from playwright.sync_api import Page, expect


def test_walking_article_shows_related_products(page: Page, shot):
    page.goto(WALKING_ARTICLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("walking", ignore_case=True)
    shot("article")

    related = related_products(page)
    expect(related).to_be_visible()
    expect(related.get_by_role("heading", name="Related Products")).to_be_visible()
    links = related.locator(".product-card h3 a")
    expect(links.first).to_be_visible()
    assert links.count() >= 1
    related.scroll_into_view_if_needed()
    shot("related-products")

    name = links.first.inner_text()
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("button", name="Add to cart")).to_be_visible()
    shot("product")


def test_listing_filters_by_width_and_opens_a_product(page: Page, shot):
    page.goto("/products?category=footwear")
    expect(page.get_by_role("heading", level=1)).to_have_text("Footwear")
    total = int(re.match(r"\d+", page.locator(".result-count").inner_text()).group())
    assert total > 0
    shot("footwear")

    filters = page.get_by_role("form", name="Filter products")
    wide = filters.get_by_role("group", name="Width").get_by_role("checkbox", name=re.compile(r"^Wide\b"))
    wide.check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"width=wide"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Footwear", timeout=2000)
    expect(wide).to_be_checked()
    narrowed = int(re.match(r"\d+", page.locator(".result-count").inner_text()).group())
    assert 0 < narrowed <= total
    shot("wide")

    page.locator(".results .product-card h3 a").first.click()
    expect(page.get_by_role("table", name="Sizes and stock")).to_contain_text("wide")


def test_search_from_the_header(page: Page, shot):
    page.goto("/")
    page.get_by_label("Search products").fill("insole")
    page.get_by_label("Search products").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("insole")
    expect(page.locator(".results .product-card").first).to_be_visible()
    shot("results")


def test_empty_cart_reads_no_products_in_the_cart(page: Page, shot):
    page.goto("/cart")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    expect(page.locator("main .cart-empty")).to_have_text(EMPTY_CART)
    expect(page.locator("main").get_by_text(EMPTY_CART, exact=True)).to_be_visible()
    expect(minicart_count(page)).to_have_text("0")
    shot("cart")

    # The header drawer says the same.
    page.locator("[data-minicart] summary").click()
    expect(page.locator("[data-minicart-empty]")).to_have_text(EMPTY_CART)
    expect(page.locator("[data-minicart-empty]")).to_be_visible()
    shot("minicart")


# ------------------------------------------------------------------ keyboard


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : null;
            return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || '').trim(),
                    href: el.getAttribute('href'), label, inNav: !!el.closest('nav[aria-label=Main]'),
                    visible: el.getBoundingClientRect().width > 0};
        }"""
    )


def _tab_until(page: Page, predicate, limit: int = 60) -> list[dict]:
    """Press Tab until ``predicate(focused)``; returns everything focused on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focus_is_visible(page), f"no visible focus indicator on {focused}"
        seen.append(focused)
        if predicate(focused):
            return seen
    raise AssertionError(f"not reached with {limit} Tabs; focused: {[f['text'] or f['id'] for f in seen]}")


def test_keyboard_reaches_skip_link_nav_and_search(page: Page, shot):
    page.goto("/")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Skip to content" and first["href"] == "#main", first
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    shot("skip-link")

    # The skip link moves focus to the main content.
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    page.goto("/")
    seen = _tab_until(page, lambda f: f["id"] == "site-search")
    nav_texts = [f["text"] for f in seen if f["inNav"]]
    for name in ("Shop", "Walking shoes", "Articles"):
        assert name in nav_texts, f"{name!r} not reached by Tab; nav focus order: {nav_texts}"
    assert all(f["visible"] for f in seen), "Tab stopped on an invisible element"
    expect(page.get_by_label("Search products")).to_be_focused()
    assert unlabelled_controls(page) == []
    page.keyboard.type("lumbar")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("lumbar")


def test_add_to_cart_form_is_labelled_and_works_by_keyboard(page: Page, shot):
    page.goto(WALKING_ARTICLE)
    related_products(page).locator(".product-card h3 a").first.click()

    assert unlabelled_controls(page) == []
    size = page.get_by_label("Size and width", exact=True)
    quantity = page.get_by_label("Quantity", exact=True)
    add = page.get_by_role("button", name="Add to cart")
    for control in (size, quantity, add):
        expect(control).to_be_visible()
        expect(control).to_be_enabled()

    seen = _tab_until(page, lambda f: f["id"] == "add-sku")
    assert seen[-1]["label"] == "Size and width"
    label = choose_size(page)
    expect(size).to_be_focused()
    page.keyboard.press("Tab")  # the size guide's link sits right under the size picker
    expect(page.get_by_role("link", name="Size guide: EU, UK, US and foot length")).to_be_focused()
    page.keyboard.press("Tab")
    expect(quantity).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    expect(add).to_be_focused()
    shot("focus-add-to-cart")
    page.keyboard.press("Enter")

    expect(minicart_count(page)).to_have_text("2")
    expect(page.get_by_role("status").filter(has_text="Added")).to_be_visible()
    summary = page.locator("[data-minicart] summary")
    expect(summary).to_have_attribute("aria-label", re.compile(r"^Cart: 2 items, £"))
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-minicart-lines]")).to_contain_text(label.split(" (only")[0].split(",")[0])
    shot("minicart-open")


def test_pages_fit_a_phone_screen(page: Page, shot):
    """At 390 px wide nothing scrolls sideways: header, article, product and cart reflow."""
    page.set_viewport_size({"width": 390, "height": 844})
    for step, path in (("home", "/"), ("article", WALKING_ARTICLE), ("listing", "/products?category=footwear"),
                       ("cart", "/cart")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shot(f"phone-{step}")
        assert overflow <= 1, f"{path} is {overflow}px wider than a 390px screen"
