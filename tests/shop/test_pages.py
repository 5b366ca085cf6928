"""Storefront pages render, filter, and fail kindly."""

from __future__ import annotations

import pytest


def test_home_page(client, demo):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Walking shoes" in html and "Latest articles" in html


def test_product_listing_with_filters_and_facet_counts(client, demo):
    html = client.get("/products?category=footwear&arch_support=high").get_data(as_text=True)
    assert "Filter products" in html
    assert 'name="arch_support" value="high" checked' in html
    assert "(" in html and "products" in html


def test_listing_search_and_pagination_links(client, demo):
    html = client.get("/products?per_page=5").get_data(as_text=True)
    assert 'rel="next"' in html
    assert "page=2" in html


@pytest.mark.parametrize("query", ["min_price=abc", "sort=sideways", "size=99", "page=-1", "arch_support=mega"])
def test_bad_listing_parameters_give_a_friendly_400_page(client, demo, query):
    response = client.get(f"/products?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Please check" in response.get_data(as_text=True) or "Invalid value" in response.get_data(as_text=True)


def test_unknown_tracking_parameters_are_ignored_on_pages(client, demo):
    assert client.get("/products?utm_source=newsletter").status_code == 200


def test_product_page_shows_sizes_widths_and_stock(client, demo):
    slug = client.get("/api/products?category=footwear&per_page=1").get_json()["items"][0]["slug"]
    html = client.get(f"/products/{slug}").get_data(as_text=True)
    assert "EU " in html and "UK " in html and "US " in html
    assert "Sizes and stock" in html


def test_waterproof_is_a_filter_with_a_count_and_shown_on_the_product_page(client, demo):
    html = client.get("/products?category=trail-walking-shoes").get_data(as_text=True)
    assert "<legend>Waterproof</legend>" in html
    # Ridgeback Waterproof, Fellside Mid, Trailguard Stability and Countryside Wide.
    assert 'name="waterproof" value="true" > Waterproof only <span class="count">(4)</span>' in html
    ticked = client.get("/products?category=trail-walking-shoes&waterproof=true").get_data(as_text=True)
    assert 'name="waterproof" value="true" checked>' in ticked and "4 products" in ticked
    page = client.get("/products/tarnfield-ridgeback-waterproof").get_data(as_text=True)
    assert '<tr><th scope="row">Waterproof</th><td>Yes</td></tr>' in page
    assert '<tr><th scope="row">Terrain</th><td>Trail, Hills</td></tr>' in page  # labels, not codes
    sandal = client.get("/products/velmora-restore-slide").get_data(as_text=True)
    assert "Waterproof</th>" not in sandal


def test_article_page_renders_markdown_and_related_products(client, demo):
    html = client.get("/articles/walking-for-back-pain").get_data(as_text=True)
    assert "<h2" in html
    assert "Related Products" in html
    assert 'class="card product-card"' in html


def test_article_list(client, demo):
    html = client.get("/articles").get_data(as_text=True)
    assert "walking-for-back-pain" in html


@pytest.mark.parametrize(
    "url", ["/products/no-such-shoe", "/articles/no-such-article", "/nowhere", "/products?category=nope"]
)
def test_unknown_pages_are_friendly_404s(client, demo, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Back to the shop" in response.get_data(as_text=True)


def test_pages_send_security_headers(client, demo):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_views_reads_and_searches_are_logged(app, client, demo):
    from sqlalchemy import select

    from shop.extensions import db
    from shop.models import Event

    slug = client.get("/api/products?per_page=1").get_json()["items"][0]["slug"]
    client.get(f"/products/{slug}")
    client.get("/articles/walking-for-back-pain")
    client.get("/products?q=insole")
    with app.app_context():
        events = [
            (e.kind, e.item_id, e.context)
            for e in db.session.scalars(
                select(Event).where(Event.kind.in_(["view", "read", "search"])).order_by(Event.id)
            )
        ]
    assert events == [("view", slug, None), ("read", "article:walking-for-back-pain", None), ("search", None, "insole")]


def test_blank_filter_boxes_mean_not_given(client, demo):
    response = client.get("/products?category=footwear&min_price=&max_price=&size=&width=wide")
    assert response.status_code == 200
    assert 'name="width" value="wide" checked' in response.get_data(as_text=True)


def test_article_body_does_not_repeat_the_title(client, demo):
    html = client.get("/articles/walking-for-back-pain").get_data(as_text=True)
    assert html.count("Step up to pain relief: how walking eases back pain</") == 1
