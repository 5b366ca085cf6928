"""The cart API: ``/api/cart`` and ``/api/cart/items``; JSON only, problem details on errors."""

from __future__ import annotations

import pytest
from shopping import DRIFT, HALO, deactivate, seed_tiny_catalog
from sqlalchemy import select

from shop.models import Event

PROBLEM = "application/problem+json"


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def add(client, sku=HALO, quantity=1, **extra):
    return client.post("/api/cart/items", json={"sku": sku, "quantity": quantity, **extra})


def events_of(session, kind):
    session.expire_all()
    return [
        (e.item_id, e.context) for e in session.scalars(select(Event).where(Event.kind == kind))
    ]


def test_an_empty_cart_says_so(client, stocked):
    response = client.get("/api/cart")
    assert response.status_code == 200
    assert response.json == {
        "items": [],
        "item_count": 0,
        "subtotal": "0.00",
        "discount_code": None,
        "discount": "0.00",
        "discount_problem": None,
        "total": "0.00",
        "message": "No products in the cart.",
        "problems": [],
        "fingerprint": "e3b0c44298fc1c14",  # of no lines: sha256 of the empty string
    }


def test_reading_the_cart_sets_no_cookie(client, stocked):
    assert "Set-Cookie" not in client.get("/api/cart").headers


def test_adding_an_item_creates_the_cart_with_decimal_strings(client, stocked):
    response = add(client, quantity=2)
    assert response.status_code == 201
    body = response.json
    assert body["item_count"] == 2 and body["subtotal"] == "279.90" and body["message"] is None
    [line] = body["items"]
    assert line["sku"] == HALO and line["product_slug"] == "velmora-halo-walk"
    assert (line["unit_price"], line["line_total"], line["quantity"]) == ("139.95", "279.90", 2)
    assert client.get("/api/cart").json == body


def test_the_guest_cart_cookie_lasts_30_days(client, stocked):
    response = add(client)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    import datetime as dt
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    days = (expires - dt.datetime.now(dt.UTC)).days
    assert 29 <= days <= 30


def test_adding_the_same_sku_again_answers_200_with_the_sum(client, stocked):
    add(client)
    response = add(client, quantity=2)
    assert response.status_code == 200
    assert response.json["items"][0]["quantity"] == 3


def test_quantity_defaults_to_one(client, stocked):
    response = client.post("/api/cart/items", json={"sku": HALO})
    assert response.status_code == 201 and response.json["item_count"] == 1


def test_adding_records_a_cart_event(client, stocked, session):
    add(client)
    assert events_of(session, "cart") == [("velmora-halo-walk", HALO)]


def test_unknown_sku_is_404_problem(client, stocked):
    response = add(client, sku="NOPE-1")
    assert response.status_code == 404 and response.mimetype == PROBLEM
    assert response.json["detail"] == "There is no product with SKU 'NOPE-1'."


def test_inactive_product_is_422_problem(client, stocked, session):
    deactivate(session, "velmora-halo-walk")
    response = add(client)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert response.json["detail"] == "Halo Walk is no longer sold."


def test_more_than_in_stock_is_409_and_nothing_is_added(client, stocked):
    response = add(client, quantity=6)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert (
        response.json["detail"]
        == "Sorry, only 5 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular."
    )
    assert client.get("/api/cart").json["item_count"] == 0


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({}, "sku", "Missing data for required field."),
        ({"sku": ""}, "sku", "Must be 1 to 60 characters."),
        ({"sku": "X" * 61}, "sku", "Must be 1 to 60 characters."),
        ({"sku": 12}, "sku", "Not a valid string."),
        ({"sku": HALO, "quantity": 0}, "quantity", "Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": 100}, "quantity", "Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": -3}, "quantity", "Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": "2"}, "quantity", "Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": 1.5}, "quantity", "Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": None}, "quantity", "Field may not be null."),
        ({"sku": HALO, "price": "0.01"}, "price", "Unknown field."),
    ],
)
def test_add_validation_messages(client, stocked, body, name, reason):
    response = client.post("/api/cart/items", json=body)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert {"name": name, "reason": reason} in response.json["invalid_params"]


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({}, "quantity", "Missing data for required field."),
        ({"quantity": 0}, "quantity", "Must be a whole number from 1 to 99."),
        ({"quantity": 100}, "quantity", "Must be a whole number from 1 to 99."),
        ({"quantity": "three"}, "quantity", "Must be a whole number from 1 to 99."),
        ({"quantity": 2, "sku": HALO}, "sku", "Unknown field."),
    ],
)
def test_patch_validation_messages(client, stocked, body, name, reason):
    line_id = add(client).json["items"][0]["id"]
    response = client.patch(f"/api/cart/items/{line_id}", json=body)
    assert response.status_code == 422
    assert {"name": name, "reason": reason} in response.json["invalid_params"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/cart/items"), ("patch", "/api/cart/items/1")],
)
@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "sku=VM-HW-39-R&quantity=1"),
        ("text/plain", '{"sku": "VM-HW-39-R", "quantity": 1}'),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, None),
    ],
)
def test_writes_accept_only_json(client, stocked, method, path, content_type, data):
    kwargs = {"data": data} if data is not None else {}
    if content_type:
        kwargs["content_type"] = content_type
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 415 and response.mimetype == PROBLEM
    assert response.json["detail"] == "Send a JSON body with Content-Type: application/json."


def test_malformed_json_is_a_400_problem(client, stocked):
    response = client.post("/api/cart/items", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.json["invalid_params"] == [{"name": "body", "reason": "Invalid JSON body."}]


def test_patch_changes_the_quantity(client, stocked):
    line_id = add(client).json["items"][0]["id"]
    response = client.patch(f"/api/cart/items/{line_id}", json={"quantity": 4})
    assert response.status_code == 200
    assert response.json["item_count"] == 4 and response.json["subtotal"] == "559.80"


def test_patch_above_stock_is_409(client, stocked):
    line_id = add(client).json["items"][0]["id"]
    response = client.patch(f"/api/cart/items/{line_id}", json={"quantity": 9})
    assert response.status_code == 409
    assert (
        response.json["detail"]
        == "Sorry, only 5 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular."
    )
    assert client.get("/api/cart").json["item_count"] == 1


def test_delete_removes_the_line_and_records_uncart(client, stocked, session):
    add(client, sku=DRIFT)
    line_id = add(client).json["items"][1]["id"]
    response = client.delete(f"/api/cart/items/{line_id}")
    assert response.status_code == 200
    assert [line["sku"] for line in response.json["items"]] == [DRIFT]
    assert events_of(session, "uncart") == [("velmora-halo-walk", HALO)]


def test_deleting_the_last_line_leaves_the_empty_message(client, stocked):
    line_id = add(client).json["items"][0]["id"]
    body = client.delete(f"/api/cart/items/{line_id}").json
    assert body["items"] == [] and body["message"] == "No products in the cart."


def test_delete_cart_empties_it(client, stocked):
    add(client)
    add(client, sku=DRIFT)
    body = client.delete("/api/cart").json
    assert body["item_count"] == 0 and body["message"] == "No products in the cart."


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_another_visitors_line_is_404(app, client, stocked, method):
    line_id = add(client).json["items"][0]["id"]
    stranger = app.test_client()
    add(stranger, sku=DRIFT)  # the stranger has a cart of their own
    kwargs = {"json": {"quantity": 2}} if method == "patch" else {}
    response = getattr(stranger, method)(f"/api/cart/items/{line_id}", **kwargs)
    assert response.status_code == 404 and response.mimetype == PROBLEM
    assert response.json["detail"] == "That line is not in your cart."
    assert client.get("/api/cart").json["items"][0]["quantity"] == 1


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_line_without_any_cart_is_404(client, stocked, method):
    kwargs = {"json": {"quantity": 2}} if method == "patch" else {}
    response = getattr(client, method)("/api/cart/items/12345", **kwargs)
    assert response.status_code == 404


def test_the_api_is_documented(client, stocked):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"/api/cart", "/api/cart/items", "/api/cart/items/{item_id}"} <= set(paths)
