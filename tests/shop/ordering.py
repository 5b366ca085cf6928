"""Test helpers of the order workflow tests: orders placed through the real checkout."""

from __future__ import annotations

from sqlalchemy import select

from shop.models import Order

CHECKOUT = {
    "name": "Ann Walker",
    "email": "ann@example.com",
    "address": {"line1": "1 High Street", "line2": "", "city": "York", "postal_code": "YO1 7HH",
                "country": "GB"},
    "delivery": "standard",
}


def place(client, sku: str, quantity: int = 1, **details) -> dict:
    """Put ``quantity`` of ``sku`` in the client's cart and check out; the order as JSON."""
    added = client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})
    assert added.status_code == 201, added.get_json()
    response = client.post("/api/checkout", json={**CHECKOUT, **details})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def order_id(session, number: str) -> int:
    session.expire_all()
    return session.scalar(select(Order.id).where(Order.number == number))
