"""Search in the shop: the suggest API, the listing's corrections and dead ends, the combobox."""

from __future__ import annotations

import re

import pytest


def test_suggest_api_contract(client, demo):
    response = client.get("/api/search/suggest", query_string={"q": "insol"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"products", "categories", "articles"}
    assert data["products"] and len(data["products"]) <= 5
    first = data["products"][0]
    assert set(first) == {"slug", "name", "brand", "price", "url"}
    assert "insole" in first["name"].lower() and first["url"] == f"/products/{first['slug']}"
    assert re.fullmatch(r"\d+\.\d\d", first["price"])
    assert {
        "slug": "insoles-and-orthotics",
        "name": "Insoles and orthotics",
        "url": "/products?category=insoles-and-orthotics",
    } in data["categories"]
    walking = client.get("/api/search/suggest", query_string={"q": "walking"}).get_json()
    assert walking["articles"] and all(
        a["url"] == f"/articles/{a['slug']}" for a in walking["articles"]
    )


def test_suggest_tolerates_typos_and_unfinished_words(client, demo):
    typo = client.get("/api/search/suggest", query_string={"q": "stabilty"}).get_json()
    assert any("Stability" in p["name"] for p in typo["products"])
    nothing = client.get("/api/search/suggest", query_string={"q": "zzzzzzzz"}).get_json()
    assert nothing == {"products": [], "categories": [], "articles": []}


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "shoe", "extra": "1"}])
def test_suggest_rejects_bad_input_with_problem_details(client, demo, query):
    response = client.get("/api/search/suggest", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_suggest_is_documented_in_openapi(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/search/suggest"]["get"]
    assert "200" in operation["responses"] and "400" in operation["responses"]
    assert any(p["name"] == "q" and p["required"] for p in operation["parameters"])


def test_a_misspelled_search_shows_the_corrected_results(client, demo):
    html = client.get("/products?q=stabilty+shoe").get_data(as_text=True)
    assert "Showing results for <strong>stability shoe</strong>" in html
    assert "Trailguard Stability" in html


def test_the_api_search_says_what_it_corrected(client, demo):
    data = client.get(
        "/api/products", query_string={"q": "stabilty shoe", "per_page": 3}
    ).get_json()
    assert data["corrected_from"] == "stabilty shoe" and data["searched"] == "stability shoe"
    assert data["total"] > 3 and len(data["items"]) == 3
    assert (
        client.get("/api/products", query_string={"q": "shoe"}).get_json()["corrected_from"] is None
    )


def test_a_search_with_no_results_offers_the_finder_and_popular_products(client, demo):
    response = client.get("/products?q=qqqqqqqq")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "We found no products for “qqqqqqqq”" in html
    assert 'href="/footwear"' in html
    popular = re.search(r'aria-label="Popular products">(.*?)</div>', html, re.S)
    assert popular and popular.group(1).count('class="card product-card"') == 4


def test_search_results_list_matching_articles(client, demo):
    html = client.get("/products?q=walking").get_data(as_text=True)
    assert 'id="search-articles-title"' in html
    assert 'href="/articles/walking-for-back-pain"' in html


def test_the_visitors_size_breaks_ties_in_the_listing(client, demo):
    # Identical relevance for all products with the brand in their keywords only.
    plain = client.get("/api/products", query_string={"q": "velmora", "per_page": 50}).get_json()[
        "items"
    ]
    client.put("/api/profile", json={"shoe_size_eu": 45})
    sized = client.get("/api/products", query_string={"q": "velmora", "per_page": 50}).get_json()[
        "items"
    ]
    assert sorted(p["slug"] for p in plain) == sorted(p["slug"] for p in sized)

    def fits(item):
        return any(v["size_eu"] == 45 and v["stock"] > 0 for v in item["variants"])

    assert any(fits(p) for p in sized) and not all(fits(p) for p in sized)
    flags = [fits(p) for p in sized]
    assert flags == sorted(flags, reverse=True), "products in size 45 come first among equals"
    assert [fits(p) for p in plain] != flags


def test_the_header_search_box_is_an_aria_combobox_with_an_external_script(client, demo):
    html = client.get("/").get_data(as_text=True)
    box = re.search(r'<input id="site-search"[^>]*>', html, re.S).group(0)
    for attribute in (
        'role="combobox"',
        'aria-expanded="false"',
        'aria-controls="site-search-list"',
        'aria-autocomplete="list"',
        'data-suggest-url="/api/search/suggest"',
    ):
        assert attribute in box
    assert re.search(r'<ul id="site-search-list"[^>]*role="listbox"', html)
    assert re.search(r'<script src="/static/js/search.js\?v=[0-9a-f]+" defer></script>', html)
    script = client.get("/static/js/search.js").get_data(as_text=True)
    for needle in ("aria-activedescendant", "ArrowDown", "ArrowUp", "Escape", "Enter", '"option"'):
        assert needle in script
