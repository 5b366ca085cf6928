"""The profile form in a real browser, then the footwear finder tailored to it."""

from __future__ import annotations

import re

from browser_steps import unlabelled_controls
from playwright.sync_api import Page, expect


def fill_profile(page: Page) -> None:
    """Flat feet that roll inwards, EU 42 wide, lower-back pain, walks on pavement."""
    page.goto("/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your walking and comfort profile")
    form = page.locator("form.profile-form")
    form.get_by_label("Age", exact=True).select_option("60-74")
    form.get_by_label("Height (cm)").fill("172")
    form.get_by_label("Weight (kg)").fill("78.5")
    form.get_by_role("group", name="How active are you?").get_by_label("Regular").check()
    form.get_by_role("group", name="What would you like to achieve?").get_by_label("Walk every day").check()
    form.get_by_role("group", name="Arch", exact=True).get_by_label("Flat (low arch)").check()
    form.get_by_role("group", name=re.compile("overpronation")).get_by_label("Yes", exact=True).check()
    form.get_by_label("Shoe size", exact=True).fill("42")
    form.get_by_role("group", name="Size system").get_by_label("EU", exact=True).check()
    form.get_by_label("Foot width").select_option("wide")
    form.get_by_role("group", name="Where do you have pain?").get_by_label("Lower back").check()
    form.get_by_role("group", name="Where do you walk?").get_by_label("Pavement").check()
    form.get_by_label("Walks per week").fill("5")
    form.get_by_label("Minutes per walk").fill("30")


def test_profile_then_footwear_finder_shows_tailored_shoes_with_reasons(page: Page, shot):
    fill_profile(page)
    assert unlabelled_controls(page) == []
    shot("profile-filled", full_page=True)
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved")
    # The answers are kept.
    expect(page.get_by_label("Shoe size", exact=True)).to_have_value("42")
    expect(page.get_by_label("Foot width")).to_have_value("wide")
    expect(page.get_by_role("group", name="Arch", exact=True).get_by_label("Flat (low arch)")).to_be_checked()
    shot("profile-saved")

    page.goto("/footwear")
    # The profile answered every finder question: straight to the shoes.
    expect(page.get_by_role("heading", level=1)).to_have_text("Walking shoes for you")
    summary = page.locator(".finder-summary")
    expect(summary).to_contain_text("size EU 42")
    expect(summary).to_contain_text("wide width")
    expect(summary).to_contain_text("flat arches")

    shoes = page.get_by_role("region", name="Suggested footwear")
    expect(shoes).to_be_visible()
    cards = shoes.locator(".product-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 3, f"only {cards.count()} shoes suggested"
    for index in range(cards.count()):
        reasons = cards.nth(index).locator(".reasons li")
        assert reasons.count() >= 1, f"shoe {cards.nth(index).locator('h3').inner_text()!r} has no reason"
    all_reasons = " ".join(shoes.locator(".reasons li").all_inner_texts()).lower()
    assert re.search(r"flat|arch|wide|size|overpronat|roll|stab|pavement|back", all_reasons), all_reasons
    shot("footwear-finder")

    # The first suggestion is in the visitor's size and width.
    cards.first.locator("h3 a").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Sizes and stock")).to_contain_text(re.compile(r"EU 42\b.*wide"))


def test_footwear_finder_asks_what_the_profile_does_not_say(page: Page, shot):
    page.goto("/footwear")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find walking shoes that suit you")
    form = page.locator("form.finder-form")
    form.get_by_role("group", name="What are your arches like?").get_by_label("High arch").check()
    form.get_by_label("Shoe size", exact=True).fill("8")
    form.get_by_role("group", name="Size system").get_by_label("UK", exact=True).check()
    form.get_by_label("Foot width").select_option("regular")
    assert unlabelled_controls(page) == []
    shot("questions", full_page=True)
    form.get_by_role("button", name="Show my shoes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Walking shoes for you")
    expect(page.locator(".finder-summary")).to_contain_text("high arches")
    shoes = page.get_by_role("region", name="Suggested footwear")
    expect(shoes.locator(".product-card .reasons li").first).to_be_visible()
    shot("results")
