"""The shop at phone width (390 × 844) and its accessibility (axe-core) on the main pages.

At phone width no page may scroll sideways, header links are tap targets of at least 44 px, the
filter panel is a drawer behind a "Filters" button with sort applied on change, the cart is
stacked lines with Remove on screen, and the mini-cart drawer stays on screen, offers Checkout
and closes with Escape. The screenshots land in docs/screenshots/phone-*.png (shown in README).
"""

from __future__ import annotations

from pathlib import Path

from browser_steps import WALKING_ARTICLE, choose_size
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BAD_IMPACTS = ("serious", "critical")


def _fill_cart(page: Page) -> str:
    """Put one pair of shoes in the cart from the product page; returns the product's path."""
    page.goto("/products?category=footwear")
    page.locator(".product-card h3 a").first.click()
    path = page.url.split("//", 1)[1].split("/", 1)[1]
    choose_size(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-add-status]")).to_have_text("Added to your cart.")
    return "/" + path.split("?")[0]


def _pages(product: str) -> dict[str, str]:
    return {"home": "/", "listing": "/products?category=footwear", "product": product,
            "article": WALKING_ARTICLE, "cart": "/cart", "checkout": "/checkout",
            "finder": "/footwear?show=1"}


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_every_page_fits_a_phone_with_44px_header_links(page: Page):
    page.set_viewport_size(PHONE)
    product = _fill_cart(page)
    for name, url in _pages(product).items():
        page.goto(url)
        assert _overflow(page) <= 0, f"{name} ({url}) scrolls sideways by {_overflow(page)} px"
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 80, f"{name}: the closed header takes {header['height']} px"
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        links = page.locator(".site-header nav a")
        expect(links.first).to_be_visible()
        for i in range(links.count()):
            link = links.nth(i)
            height = link.bounding_box()["height"]
            assert height >= 44, f"{name}: header link {link.inner_text()!r} is {height} px tall"
        assert _overflow(page) <= 0, f"{name} with the menu open scrolls sideways"


def test_phone_listing_drawer_cart_lines_and_minicart(page: Page):
    page.set_viewport_size(PHONE)
    product = _fill_cart(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-product.png"))

    page.goto("/products?category=footwear")
    first_card = page.locator(".product-card").first.bounding_box()
    assert first_card["y"] < 400, f"the first product starts {first_card['y']} px down"
    expect(page.locator("#product-filters")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / "phone-listing.png"))
    page.get_by_role("button", name="Filters").click()
    expect(page.locator("#product-filters")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#product-filters")).to_be_hidden()
    with page.expect_navigation():
        page.get_by_label("Sort by").select_option("price_asc")
    assert "sort=price_asc" in page.url

    page.goto(product)
    add = page.get_by_role("button", name="Add to cart").bounding_box()
    assert add["y"] + add["height"] <= 1000, f"Add to cart is {add['y']} px down the page"

    page.goto("/cart")
    remove = page.get_by_role("button", name="Remove").first.bounding_box()
    assert remove["x"] >= 0 and remove["x"] + remove["width"] <= PHONE["width"]
    expect(page.locator(".cart-total")).to_contain_text("£")
    page.screenshot(path=str(SCREENSHOTS / "phone-cart.png"), full_page=True)

    page.goto("/")
    page.screenshot(path=str(SCREENSHOTS / "phone-home.png"))
    page.locator("[data-minicart] summary").click()
    drawer = page.locator("[data-minicart-drawer]")
    expect(drawer).to_be_visible()
    box = drawer.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    expect(drawer.get_by_role("link", name="Checkout")).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    page.goto("/checkout")
    expect(page.locator(".summary-total")).to_contain_text("Order total")
    page.screenshot(path=str(SCREENSHOTS / "phone-checkout.png"), full_page=True)


def test_axe_finds_no_serious_or_critical_violation(page: Page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    product = _fill_cart(page)
    found = {}
    for width in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(width)
        for name, url in _pages(product).items():
            page.goto(url)
            violations = axe.run(page).response["violations"]
            bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                   for v in violations if v["impact"] in BAD_IMPACTS]
            if bad:
                found[f"{name}@{width['width']}"] = bad
    assert not found, found
