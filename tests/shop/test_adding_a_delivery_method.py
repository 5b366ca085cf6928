"""Adding a delivery method is one row in ``shop.orders.delivery.DELIVERY_METHODS``: the
checkout page offers it, the API accepts it and the order is priced by it, with no other file
changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from shopping import HALO, seed_tiny_catalog

from shop.orders.delivery import DELIVERY_METHODS, DeliveryMethod

COLLECT = DeliveryMethod("collect", "Collect from our York shop", Decimal("1.50"))


@pytest.fixture
def collect(monkeypatch, session):
    seed_tiny_catalog(session, stock=5)
    monkeypatch.setitem(DELIVERY_METHODS, COLLECT.code, COLLECT)


def test_the_checkout_page_offers_the_new_method(client, collect):
    client.post("/api/cart/items", json={"sku": HALO, "quantity": 1})
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="collect"' in page and "Collect from our York shop" in page


def test_the_api_accepts_it_and_prices_the_order_by_it(client, collect):
    client.post("/api/cart/items", json={"sku": HALO, "quantity": 1})
    body = {"name": "Ann Walker", "email": "ann@example.com", "delivery": "collect",
            "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH",
                        "country": "GB"}}
    response = client.post("/api/checkout", json=body)
    assert response.status_code == 201, response.json
    order = response.json
    assert order["delivery"] == "collect"
    expected = Decimal("1.50")
    assert Decimal(order["shipping"]) == expected
    assert Decimal(order["total"]) == Decimal(order["subtotal"]) + expected
