"""Search in a real browser: suggestions by keyboard, a misspelled search that still finds."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_search_suggestions_by_keyboard(page: Page, shot):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search products")
    box.press_sequentially("insol", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Insole")
    shot("suggestions")

    box.press("ArrowDown")
    first_id = options.first.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")  # reopens the list
    expect(listbox).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")  # opens the active suggestion, a product
    expect(page).to_have_url(re.compile(r"/products/[a-z0-9-]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Insole")


def test_a_misspelled_search_still_finds_the_shoe(page: Page, shot):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search products")
    box.fill("stabilty shoe")
    box.press("Enter")
    expect(page.locator(".search-correction")).to_contain_text("Showing results for stability shoe")
    expect(page.locator(".results .product-card").first).to_be_visible()
    shot("corrected")


def test_a_search_with_no_results_offers_the_finder(page: Page, shot):
    page.goto("/products?q=qqqqqqqq")
    expect(page.locator(".no-results")).to_contain_text("We found no products")
    expect(page.get_by_role("link", name="Find your footwear in a few questions")).to_be_visible()
    shot("no-results")
