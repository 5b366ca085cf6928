"""A review in a real browser: sign up, buy a shoe, review it with stars, see it with its stars."""

from __future__ import annotations

import re
import uuid

from browser_steps import choose_size, minicart_count
from playwright.sync_api import Page, expect

SHOE = "/products/velmora-halo-walk"


def sign_up(page: Page, email: str) -> None:
    page.goto("/account/register")
    page.get_by_label("Name (optional)").fill("Robin Reviewer")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill("a long walk every morning")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Create an account")).to_have_count(0)


def buy(page: Page, email: str) -> None:
    """The shoe in an in-stock size, through cart and checkout, as any shopper buys."""
    page.goto(SHOE)
    choose_size(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(minicart_count(page)).to_have_text("1")
    page.goto("/cart")
    page.get_by_role("main").get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    page.get_by_label("Full name").fill("Robin Reviewer")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Address line 1").fill("2 Review Road")
    page.get_by_label("Town or city").fill("York")
    page.get_by_label("Postcode").fill("YO1 7HH")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("group", name="Delivery", exact=True).get_by_role("radio").first.check()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is placed")


def test_sign_up_buy_a_shoe_review_it_with_four_stars_and_see_them(page: Page, shot):
    email = f"robin-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, email)
    page.goto(SHOE)
    reviews = page.locator("#reviews")
    expect(reviews.get_by_text("Write a review")).to_have_count(0)  # not before buying it

    buy(page, email)
    page.goto(SHOE + "#reviews")
    write = reviews.locator("details.write-review")
    write.locator("summary").click()
    form = write.locator("form.review-form")
    form.get_by_role("group", name="Your rating").get_by_label("★★★★ 4 stars").check()
    title = f"Comfortable from the first walk {uuid.uuid4().hex[:6]}"
    form.get_by_label("Title").fill(title)
    form.get_by_label("Your review").fill("Good heel cushioning; my lower back is calmer after an hour.")
    shot("1-review-written")
    form.get_by_role("button", name="Post review").click()

    expect(page).to_have_url(re.compile(r"/products/velmora-halo-walk#reviews$"))
    expect(page.locator(".flash")).to_have_text("Thank you: your review is published.")
    mine = reviews.locator(".my-review")
    expect(mine.get_by_label("4 out of 5 stars")).to_have_text("★★★★☆")
    expect(mine).to_contain_text(title)

    # In the list too: newest 4-star reviews first, with its stars.
    reviews.get_by_label("Sort by").select_option("newest")
    reviews.get_by_label("Show").select_option("4")
    reviews.get_by_role("button", name="Show reviews").click()
    first = page.locator("#reviews .review-list > li.review").first
    expect(first.get_by_role("heading", level=3)).to_have_text(title)
    expect(first.locator(".review-stars")).to_have_attribute("aria-label", "4 out of 5 stars")
    expect(first.locator(".review-stars")).to_have_text("★★★★☆")
    expect(first).to_contain_text("Robin · Verified buyer")  # the first name only
    first.scroll_into_view_if_needed()
    shot("2-review-shown-with-stars")
