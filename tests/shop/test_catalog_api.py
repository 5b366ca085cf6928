"""The catalog's JSON API: shapes, filters, and problem details for every bad parameter."""

from __future__ import annotations

import pytest

PRODUCT_KEYS = {"slug", "name", "brand", "price", "category", "category_path", "attributes", "tags", "variants"}


def test_product_list_has_items_totals_and_facets(client, demo):
    body = client.get("/api/products?per_page=5").get_json()
    assert set(body) >= {"items", "total", "page", "per_page", "facets"}
    assert len(body["items"]) == 5 and body["total"] >= 60
    item = body["items"][0]
    assert PRODUCT_KEYS <= set(item)
    assert isinstance(item["price"], str) and "." in item["price"]
    assert {"sku", "size_eu", "width", "stock"} <= set(item["variants"][0])
    assert item["category_path"][-1] == item["category"]


def test_category_filter_includes_subcategories(client, demo):
    body = client.get("/api/products?category=footwear&per_page=60").get_json()
    assert body["total"] > 0
    assert all(item["category_path"][0] == "footwear" for item in body["items"])
    assert len({item["category"] for item in body["items"]}) > 1


def test_list_filters_accept_repeats_and_commas(client, demo):
    repeated = client.get("/api/products?arch_support=high&arch_support=medium&per_page=60").get_json()
    commas = client.get("/api/products?arch_support=high,medium&per_page=60").get_json()
    assert repeated["total"] == commas["total"] > 0
    assert {i["attributes"]["arch_support"] for i in commas["items"]} == {"high", "medium"}


def test_size_width_and_stock_apply_to_one_variant(client, demo):
    body = client.get("/api/products?size=42&width=wide&in_stock=true&per_page=60").get_json()
    assert body["total"] > 0
    for item in body["items"]:
        assert any(v["size_eu"] == 42 and v["width"] == "wide" and v["stock"] > 0 for v in item["variants"])


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("min_price=cheap", "min_price"),
        ("max_price=-5", "max_price"),
        ("min_price=50&max_price=10", "max_price"),
        ("arch_support=extreme", "arch_support.0"),
        ("stability=wobbly", "stability.0"),
        ("width=huge", "width.0"),
        ("size=12", "size"),
        ("size=abc", "size"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("in_stock=maybe", "in_stock"),
        ("condition=broken-leg", "condition.0"),
        ("colour=red", "colour"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_bad_parameters_are_problem_details_naming_the_parameter(client, demo, query, param):
    response = client.get(f"/api/products?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["title"] == "Bad Request"
    assert param in [p["name"] for p in problem["invalid_params"]]


def test_unknown_category_is_404(client, demo):
    response = client.get("/api/products?category=spaceships")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_product_detail_and_404(client, demo):
    slug = client.get("/api/products?per_page=1").get_json()["items"][0]["slug"]
    body = client.get(f"/api/products/{slug}").get_json()
    assert body["slug"] == slug and "description" in body
    missing = client.get("/api/products/no-such-shoe")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_categories_are_a_tree(client, demo):
    items = client.get("/api/categories").get_json()["items"]
    assert {c["slug"] for c in items} == {
        "footwear",
        "insoles-and-orthotics",
        "back-and-posture",
        "walking-accessories",
    }
    assert all(c["children"] for c in items)
    assert all(child["parent"] == c["slug"] for c in items for child in c["children"])


def test_articles_list_filter_and_detail(client, demo):
    body = client.get("/api/articles").get_json()
    assert body["total"] >= 8
    walking = client.get("/api/articles?topic=walking").get_json()
    assert walking["items"] and all("walking" in a["topics"] for a in walking["items"])
    article = client.get("/api/articles/walking-for-back-pain").get_json()
    assert "Lancet" in article["body"]
    assert article["related_products"]
    assert client.get("/api/articles/nope").status_code == 404
    assert client.get("/api/articles?topic=Bad Topic").status_code == 400


def test_waterproof_filter_and_its_facet(client, demo):
    body = client.get("/api/products?waterproof=true&per_page=60").get_json()
    assert body["total"] == 6 and all(item["attributes"]["waterproof"] for item in body["items"])
    assert body["facets"]["waterproof"] == {"true": 6}
    everything = client.get("/api/products?category=trail-walking-shoes").get_json()
    assert (
        everything["facets"]["waterproof"]["true"]
        == client.get("/api/products?category=trail-walking-shoes&waterproof=true").get_json()["total"]
    )
    bad = client.get("/api/products?waterproof=maybe")
    assert bad.status_code == 400 and bad.get_json()["invalid_params"][0]["name"] == "waterproof"


def test_openapi_document_describes_the_waterproof_filter(client):
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/products"]["get"]["parameters"]}
    assert params["waterproof"]["schema"]["type"] == "boolean"
    assert params["waterproof"]["in"] == "query"
    assert "waterproof" in spec["components"]["schemas"]["ProductAttributes"]["properties"]


def test_openapi_document_describes_the_endpoints(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/products", "/api/products/{slug}", "/api/categories", "/api/articles"} <= set(spec["paths"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.data
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_unknown_api_path_is_problem_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
