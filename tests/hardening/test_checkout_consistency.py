"""Checkout orders the cart the shopper saw (issue 10, finding 5), and keys are not reused.

The attack: the checkout page showed one cart, the cart changed in another tab, and submitting
the old form placed an order for the new cart. The form and the API now carry the cart's
fingerprint (lines, quantities, unit prices); a mismatch places nothing and shows the current
cart to confirm (a 409 page, or a 409 problem with the cart in ``cart``). An idempotency key sent
again with a different body is a 422 problem, not a replay of the first order.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from catalog.models import Product, Variant
from shop.models import Order

PROBLEM_JSON = "application/problem+json"
SKU = "VM-HW-39-R"
ADDRESS = {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"}
CHECKOUT = {"name": "Ann Example", "email": "ann@example.com", "delivery": "standard",
            "address": ADDRESS}
FORM = {"name": "Ann Example", "email": "ann@example.com", "line1": "1 High Street",
        "city": "York", "postal_code": "YO1 7HH", "country": "GB", "delivery": "standard"}


@pytest.fixture
def shop_client(small_demo):
    return small_demo.test_client()


@pytest.fixture
def other_sku(small_demo):
    """A second in-stock variant of another product, for the cart to change to."""
    from shop.extensions import db

    with small_demo.app_context():
        return db.session.scalar(
            select(Variant.sku).join(Variant.product)
            .where(Variant.stock >= 5, Product.active, Variant.sku != SKU,
                   Product.slug != "velmora-halo-walk")
            .order_by(Variant.id)
        )


def _orders(app) -> int:
    from shop.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)))


def _add(client, sku, quantity=1):
    response = client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


# ---------------------------------------------------------------- the API


def test_the_cart_answers_its_fingerprint_and_it_follows_lines_quantities_and_prices(
        shop_client, small_demo, other_sku):
    first = _add(shop_client, SKU)["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert shop_client.get("/api/cart").get_json()["fingerprint"] == first
    more = _add(shop_client, SKU)["fingerprint"]
    other = _add(shop_client, other_sku)["fingerprint"]
    assert len({first, more, other}) == 3
    from shop.extensions import db

    with small_demo.app_context():
        db.session.execute(update(Product).where(Product.slug == "velmora-halo-walk")
                           .values(price=Product.price + 1))
        db.session.commit()
    assert shop_client.get("/api/cart").get_json()["fingerprint"] not in (first, more, other)


def test_a_checkout_of_a_cart_changed_in_another_tab_is_a_409_with_the_cart_now(
        shop_client, small_demo, other_sku):
    seen = _add(shop_client, SKU)
    _add(shop_client, other_sku, 3)  # the other tab
    response = shop_client.post("/api/checkout",
                                json={**CHECKOUT, "cart_fingerprint": seen["fingerprint"]})
    assert response.status_code == 409 and response.mimetype == PROBLEM_JSON
    problem = response.get_json()
    now = shop_client.get("/api/cart").get_json()
    assert problem["status"] == 409 and "changed" in problem["detail"]
    assert problem["cart"] == now and problem["cart"]["subtotal"] != seen["subtotal"]
    assert _orders(small_demo) == 0
    confirmed = shop_client.post("/api/checkout",
                                 json={**CHECKOUT, "cart_fingerprint": now["fingerprint"]})
    assert confirmed.status_code == 201, confirmed.get_json()
    assert confirmed.get_json()["subtotal"] == now["subtotal"]


def test_a_price_changed_since_the_cart_was_seen_is_a_409(shop_client, small_demo):
    seen = _add(shop_client, SKU)
    from shop.extensions import db

    with small_demo.app_context():
        db.session.execute(update(Product).where(Product.slug == "velmora-halo-walk")
                           .values(price=Product.price * 4))
        db.session.commit()
    response = shop_client.post("/api/checkout",
                                json={**CHECKOUT, "cart_fingerprint": seen["fingerprint"]})
    assert response.status_code == 409
    assert response.get_json()["cart"]["subtotal"] != seen["subtotal"]
    assert _orders(small_demo) == 0


def test_the_fingerprint_is_optional_and_checked_for_form(shop_client, small_demo):
    _add(shop_client, SKU)
    bad = shop_client.post("/api/checkout", json={**CHECKOUT, "cart_fingerprint": "not-hex"})
    assert bad.status_code == 422
    assert bad.get_json()["invalid_params"][0]["name"] == "cart_fingerprint"
    assert shop_client.post("/api/checkout", json=CHECKOUT).status_code == 201


def test_an_idempotency_key_reused_with_another_body_is_a_422_not_a_replay(shop_client, small_demo):
    _add(shop_client, SKU)
    headers = {"Idempotency-Key": "key-1"}
    first = shop_client.post("/api/checkout", json=CHECKOUT, headers=headers)
    assert first.status_code == 201
    again = shop_client.post("/api/checkout", json=CHECKOUT, headers=headers)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["number"] == first.get_json()["number"]
    _add(shop_client, SKU)
    other = {**CHECKOUT, "address": {**ADDRESS, "city": "Leeds"}}
    reused = shop_client.post("/api/checkout", json=other, headers=headers)
    assert reused.status_code == 422 and reused.mimetype == PROBLEM_JSON
    assert "Idempotency-Key" in reused.get_json()["detail"]
    assert _orders(small_demo) == 1
    assert shop_client.get("/api/cart").get_json()["item_count"] == 1  # nothing was placed


def test_the_same_body_with_its_defaults_spelled_out_is_still_a_replay(shop_client):
    _add(shop_client, SKU)
    headers = {"Idempotency-Key": "key-2"}
    body = {key: value for key, value in CHECKOUT.items() if key != "delivery"}
    assert shop_client.post("/api/checkout", json=body, headers=headers).status_code == 201
    spelled = {**CHECKOUT, "name": "  Ann Example "}  # stripped, and delivery is the default
    assert shop_client.post("/api/checkout", json=spelled, headers=headers).status_code == 200


# ---------------------------------------------------------------- the page


def test_the_old_checkout_form_shows_the_changed_cart_to_confirm(shop_client, small_demo,
                                                                other_sku):
    _add(shop_client, SKU)
    page = shop_client.get("/checkout").get_data(as_text=True)
    key, fingerprint = _hidden(page, "idempotency_key"), _hidden(page, "cart_fingerprint")
    shown = re.search(r'summary-subtotal">.*?<strong>([^<]+)</strong>', page).group(1)
    now = _add(shop_client, other_sku, 3)  # the other tab
    response = shop_client.post("/checkout", data={**FORM, "idempotency_key": key,
                                                   "cart_fingerprint": fingerprint})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Your cart has changed" in html and "No order was placed" in html
    resubmit = _hidden(html, "cart_fingerprint")
    assert resubmit == now["fingerprint"] != fingerprint
    assert shown not in re.search(r'summary-subtotal">.*?</p>', html).group(0)
    assert _hidden(html, "idempotency_key") == key and 'value="York"' in html
    assert _orders(small_demo) == 0
    placed = shop_client.post("/checkout", data={**FORM, "idempotency_key": key,
                                                 "cart_fingerprint": resubmit})
    assert placed.status_code == 303 and "/orders/" in placed.headers["Location"]
    order = shop_client.get("/api/orders").get_json()["items"][0]
    assert order["subtotal"] == now["subtotal"]
