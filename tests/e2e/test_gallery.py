"""The product gallery in a real browser: pictures load, thumbnails, arrow keys and swipe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PRODUCT = "/products/strideline-comfort-walker"


def test_gallery_switches_pictures_by_thumbnail_and_arrow_keys(page: Page, shot):
    page.goto(PRODUCT)
    gallery = page.get_by_role("region", name="Pictures of Comfort Walker")
    slides = gallery.locator("[data-gallery-slide]")
    expect(slides).to_have_count(2)
    expect(slides.nth(0)).to_be_visible()
    expect(slides.nth(1)).to_be_hidden()
    first = slides.nth(0).locator("img")
    assert first.evaluate("img => img.complete && img.naturalWidth > 0")
    assert first.evaluate("img => img.currentSrc.includes('/media/')")
    shot("gallery")

    gallery.get_by_role("link", name="Show picture 2 of 2").click()
    expect(slides.nth(1)).to_be_visible()
    expect(slides.nth(0)).to_be_hidden()

    gallery.locator("[data-gallery-stage]").focus()
    page.keyboard.press("ArrowRight")  # wraps round to the first
    expect(slides.nth(0)).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(slides.nth(1)).to_be_visible()
    expect(gallery.get_by_role("link", name="Show picture 2 of 2")).to_have_attribute("aria-current", "true")


def test_product_cards_show_loaded_pictures(page: Page):
    page.goto("/products?category=footwear")
    card_image = page.locator(".product-card picture img").first
    card_image.scroll_into_view_if_needed()
    expect(card_image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=card_image.element_handle())
