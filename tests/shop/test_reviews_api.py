"""The reviews JSON API: reading, writing as a verified buyer, authorization, votes, OpenAPI."""

from __future__ import annotations

import pytest
from reviewing import buyer, log_in, make_user
from shopping import seed_tiny_catalog

HALO = "velmora-halo-walk"
GOOD = {"rating": 4, "title": "Comfortable", "body": "Good on long walks.", "size_fit": "small"}


@pytest.fixture
def shop(session):
    seed_tiny_catalog(session)
    return session


def post(client, slug=HALO, body=GOOD):
    return client.post(f"/api/products/{slug}/reviews", json=body)


def test_a_verified_buyer_posts_and_everyone_reads_it(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO, name="Ann Walker")
    created = post(client)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "published" and created.json["author"] == "Ann"
    assert created.headers["Location"].endswith(f"/api/reviews/{created.json['id']}")
    listing = app.test_client().get(f"/api/products/{HALO}/reviews").json
    assert listing["total"] == 1 and listing["items"][0]["title"] == "Comfortable"
    assert listing["summary"]["average"] == "4.0" and listing["summary"]["histogram"]["4"] == 1
    assert listing["summary"]["size_fit"]["verdict"] == "Most reviewers say runs small"
    product = app.test_client().get(f"/api/products/{HALO}").json
    assert (product["rating"], product["rating_count"]) == ("4.0", 1)


def test_a_non_buyer_is_refused_with_a_clear_message(shop, client):
    log_in(client, make_user(shop, "bob@example.com"))
    response = post(client)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert "bought this product" in response.json["detail"]


def test_a_guest_must_log_in(shop, client):
    assert post(client).status_code == 401


def test_a_second_review_is_a_conflict(shop, client):
    buyer(shop, client, "ann@example.com", HALO)
    assert post(client).status_code == 201
    assert post(client).status_code == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({**GOOD, "rating": 6}, "rating"),
        ({**GOOD, "rating": "4"}, "rating"),
        ({**GOOD, "title": "  "}, "title"),
        ({**GOOD, "body": "x" * 4001}, "body"),
        ({**GOOD, "size_fit": "tiny"}, "size_fit"),
        ({**GOOD, "admin": True}, "admin"),
        ({"title": "t", "body": "b"}, "rating"),
    ],
)
def test_invalid_reviews_name_the_field(shop, client, body, field):
    buyer(shop, client, "ann@example.com", HALO)
    response = post(client, body=body)
    assert response.status_code == 422
    assert field in [p["name"] for p in response.json["invalid_params"]]


def test_a_link_holds_the_review_as_pending(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO)
    assert (
        post(client, body={**GOOD, "body": "Cheaper at https://elsewhere.example"}).json["status"]
        == "pending"
    )
    assert app.test_client().get(f"/api/products/{HALO}/reviews").json["total"] == 0


def test_someone_elses_review_is_a_404_on_edit_and_delete(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO)
    review_id = post(client).json["id"]
    other = app.test_client()
    buyer(shop, other, "bob@example.com", HALO)
    assert other.patch(f"/api/reviews/{review_id}", json={"rating": 1}).status_code == 404
    assert other.delete(f"/api/reviews/{review_id}").status_code == 404
    assert client.patch(f"/api/reviews/{review_id}", json={"rating": 2}).json["rating"] == 2
    assert client.delete(f"/api/reviews/{review_id}").status_code == 204
    assert client.delete(f"/api/reviews/{review_id}").status_code == 404


def test_helpful_once_and_not_on_ones_own(shop, client, app):
    buyer(shop, client, "ann@example.com", HALO)
    review_id = post(client).json["id"]
    assert client.post(f"/api/reviews/{review_id}/helpful", json={}).status_code == 403
    other = app.test_client()
    log_in(other, make_user(shop, "bob@example.com"))
    assert other.post(f"/api/reviews/{review_id}/helpful", json={}).json["helpful_count"] == 1
    assert other.post(f"/api/reviews/{review_id}/helpful", json={}).status_code == 409
    assert other.post(f"/api/reviews/{review_id + 9}/helpful", json={}).status_code == 404


def test_listing_sort_filter_and_bad_arguments(shop, app):
    for i, stars in enumerate([5, 2, 4]):
        client = app.test_client()
        buyer(shop, client, f"u{i}@example.com", HALO)
        post(client, body={**GOOD, "rating": stars, "title": f"t{i}"})
    reader = app.test_client()
    lowest = reader.get(f"/api/products/{HALO}/reviews?sort=lowest&per_page=2").json
    assert [r["rating"] for r in lowest["items"]] == [2, 4] and lowest["total"] == 3
    assert reader.get(f"/api/products/{HALO}/reviews?stars=5").json["total"] == 1
    assert reader.get(f"/api/products/{HALO}/reviews?sort=best").status_code == 400
    assert reader.get(f"/api/products/{HALO}/reviews?per_page=500").status_code == 400
    assert reader.get("/api/products/nope/reviews").status_code == 404


def test_the_openapi_document_lists_the_review_operations(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert set(paths["/api/products/{slug}/reviews"]) >= {"get", "post"}
    assert set(paths["/api/reviews/{review_id}"]) >= {"patch", "delete"}
    assert "post" in paths["/api/reviews/{review_id}/helpful"]
    assert (
        "application/problem+json"
        in paths["/api/reviews/{review_id}"]["patch"]["responses"]["404"]["content"]
    )
