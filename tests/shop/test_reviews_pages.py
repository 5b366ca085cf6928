"""The product page's reviews: summary, histogram, fit, sorting, the buyer's form, JSON-LD."""

from __future__ import annotations

import json
import re

import pytest
from reviewing import buyer, log_in, make_user
from shopping import seed_tiny_catalog

HALO = "velmora-halo-walk"
PAGE = f"/products/{HALO}"
FORM = f"/products/{HALO}/review"


@pytest.fixture
def shop(session):
    seed_tiny_catalog(session)
    return session


def write(client, **fields):
    data = {
        "rating": "5",
        "title": "Great",
        "body": "Comfortable all day.",
        "size_fit": "true",
        "width_fit": "",
        **fields,
    }
    return client.post(FORM, data=data)


def json_ld(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_a_buyer_writes_a_review_and_the_page_shows_it(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO, name="Ann Walker")
    assert "Write a review" in client.get(PAGE).get_data(as_text=True)
    response = write(client)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{PAGE}#reviews")
    html = app.test_client().get(PAGE).get_data(as_text=True)
    assert "Comfortable all day." in html and "Ann · Verified buyer" in html
    assert "5.0</strong> out of 5 from 1 review" in html
    assert "Size: Most reviewers say true to size (1 answered)" in html


def test_form_errors_are_shown_per_field(shop, client):
    buyer(shop, client, "ann@example.com", HALO)
    response = write(client, rating="", title="", size_fit="tiny")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, message in [
        ("rating", "Choose from 1 to 5 stars."),
        ("title", "Give your review a title"),
        ("size_fit", "Choose runs small, true to size or runs large."),
    ]:
        assert f'id="f-{field}-error">{message}' in html, field


def test_a_non_buyer_gets_a_clear_403_and_a_guest_is_sent_to_log_in(shop, client, app):
    log_in(client, make_user(shop, "bob@example.com"))
    response = client.get(FORM)
    assert (
        response.status_code == 403
        and "Only shoppers who bought this product" in response.get_data(as_text=True)
    )
    assert write(client).status_code == 403
    assert "Write a review" not in client.get(PAGE).get_data(as_text=True)
    guest = app.test_client().post(FORM, data={"rating": "5"})
    assert guest.status_code == 303 and "/account/login" in guest.headers["Location"]


def test_the_author_edits_and_deletes_and_nobody_else_can(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO)
    write(client)
    assert 'value="Great"' in client.get(FORM).get_data(as_text=True)  # the edit form, filled in
    write(client, rating="2", title="Worse after a month")
    html = app.test_client().get(PAGE).get_data(as_text=True)
    assert "Worse after a month" in html and "2.0</strong> out of 5 from 1 review" in html
    from shop.reviews.models import Review

    review_id = shop.query(Review).one().id
    stranger = app.test_client()
    log_in(stranger, make_user(shop, "bob@example.com"))
    assert stranger.post(f"/reviews/{review_id}/delete").status_code == 404
    assert client.post(f"/reviews/{review_id}/delete").status_code == 303
    assert "No reviews yet." in app.test_client().get(PAGE).get_data(as_text=True)


def test_a_pending_review_is_shown_to_its_author_only(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO)
    write(client, body="Cheaper on www.elsewhere.example")
    assert "waiting for a moderator" in client.get(PAGE).get_data(as_text=True)
    assert "No reviews yet." in app.test_client().get(PAGE).get_data(as_text=True)


def test_a_rejected_review_tells_its_author_and_an_edit_asks_again(shop, client, app):
    from shop.admin.review_moderation import moderate
    from shop.reviews.models import Review

    buyer(shop, client, "ann@example.com", HALO)
    write(client, body="Cheaper on www.elsewhere.example")
    moderate(shop, None, shop.query(Review).one().id, "reject")
    assert "a moderator declined it" in client.get(PAGE).get_data(as_text=True)
    write(client, body="Plain words this time.")
    html = client.get(PAGE).get_data(as_text=True)
    assert "waiting for a moderator" in html and "declined" not in html
    assert "No reviews yet." in app.test_client().get(PAGE).get_data(as_text=True)


def test_helpful_button_counts_once(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO)
    write(client)
    from shop.reviews.models import Review

    review_id = shop.query(Review).one().id
    voter = app.test_client()
    log_in(voter, make_user(shop, "bob@example.com"))
    assert voter.post(f"/reviews/{review_id}/helpful").status_code == 303
    assert (
        voter.post(f"/reviews/{review_id}/helpful").status_code == 303
    )  # a second click: no change
    assert "1 found this helpful" in voter.get(PAGE).get_data(as_text=True)
    assert client.post(f"/reviews/{review_id}/helpful").status_code == 403  # one's own


def test_sorting_filtering_and_pages_through_the_page_parameters(shop, app):
    for i, stars in enumerate([5, 1, 4, 3, 5, 2, 4]):
        client = app.test_client()
        buyer(shop, client, f"u{i}@example.com", HALO)
        write(client, rating=str(stars), title=f"Title number {i}")
    reader = app.test_client()
    lowest = reader.get(f"{PAGE}?review_sort=lowest").get_data(as_text=True)
    assert (
        lowest.index("Title number 1")
        < lowest.index("Title number 5")
        < lowest.index("Title number 3")
    )
    assert "Page 1 of 2" in lowest and "Title number 4" not in lowest  # 5 a page
    fives = reader.get(f"{PAGE}?review_stars=5").get_data(as_text=True)
    assert re.findall(r"<h3>(Title number \d)</h3>", fives) == ["Title number 4", "Title number 0"]
    assert "Title number 4" in reader.get(f"{PAGE}?review_sort=lowest&review_page=2").get_data(
        as_text=True
    )
    bad = reader.get(f"{PAGE}?review_page=0")
    assert bad.status_code == 400 and "review_page" in bad.get_data(as_text=True)


def test_json_ld_is_valid_json_with_the_right_numbers(shop, app):
    for i, stars in enumerate([5, 4, 4]):  # 13 / 3 = 4.33 -> 4.3
        client = app.test_client()
        buyer(shop, client, f"u{i}@example.com", HALO, name=f"Reviewer{i}")
        write(client, rating=str(stars), title=f"T{i}", body="Says </script><b>hi</b>")
    document = json_ld(app.test_client().get(PAGE).get_data(as_text=True))
    assert document["@type"] == "Product" and document["name"] == "Halo Walk"
    assert document["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.3",
        "reviewCount": 3,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert sorted(r["reviewRating"]["ratingValue"] for r in document["review"]) == [4, 4, 5]
    assert (
        document["review"][0]["reviewBody"] == "Says </script><b>hi</b>"
    )  # escaped in HTML, intact as data
    assert document["offers"]["price"] == "139.95"


def test_a_product_without_reviews_has_json_ld_without_a_rating(shop, client):
    document = json_ld(client.get(PAGE).get_data(as_text=True))
    assert "aggregateRating" not in document and "review" not in document
