"""Discount codes: the money (Decimal, half-up, capped), refusals, cart, checkout, CLI, races."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from shopping import DRIFT, HALO, INSOLE, seed_tiny_catalog
from sqlalchemy import select

from shop.cart import service as carts
from shop.cart.service import Owner
from shop.discounts import service as discounts
from shop.discounts.models import DiscountCode
from shop.discounts.rules import amount_off
from shop.models import Order

BODY = {
    "name": "Ann Walker", "email": "ann@example.com", "delivery": "standard",
    "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH",
                "country": "GB"},
}  # fmt: skip
NOW = dt.datetime(2026, 12, 1, 12, 0)


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def code(session, name="TEN", **kwargs) -> DiscountCode:
    if "amount" not in kwargs:
        kwargs.setdefault("percent", Decimal("10"))
    return discounts.create_code(session, name, **kwargs)


def add(client, sku=HALO, quantity=1):
    response = client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})
    assert response.status_code in (200, 201), response.json
    return response.json


# ---------------------------------------------------------------- the money


@pytest.mark.parametrize(("kind", "value", "subtotal", "off"), [
    ("percent", "10", "139.95", "14.00"),   # 13.995 rounds half-up to 14.00
    ("percent", "12.5", "0.20", "0.03"),    # 0.025 -> 0.03 (half-up, not banker's 0.02)
    ("percent", "100", "19.50", "19.50"),
    ("amount", "5.00", "19.50", "5.00"),
    ("amount", "25.00", "19.50", "19.50"),  # never below zero
])  # fmt: skip
def test_amount_off_is_decimal_half_up_and_capped(kind, value, subtotal, off):
    row = DiscountCode(code="X", kind=kind, value=Decimal(value), min_spend=Decimal("0"))
    result = amount_off(row, Decimal(subtotal))
    assert isinstance(result, Decimal) and result == Decimal(off)
    assert str(result) == off


# ---------------------------------------------------------------- the cart


def test_applying_a_code_shows_discount_and_total(client, stocked):
    code(stocked, "ten")
    add(client, HALO)
    response = client.post("/api/cart/discount", json={"code": " Ten "})
    assert response.status_code == 200, response.json
    cart = response.json
    assert cart["discount_code"] == "TEN"
    assert (cart["subtotal"], cart["discount"], cart["total"]) == ("139.95", "14.00", "125.95")
    assert client.get("/api/cart").json["total"] == "125.95"
    removed = client.delete("/api/cart/discount").json
    assert removed["discount_code"] is None and removed["discount"] == "0.00"
    assert removed["total"] == "139.95"


@pytest.mark.parametrize(("kwargs", "typed", "words"), [
    ({}, "NOPE", "no discount code"),
    ({"ends_at": dt.datetime(2020, 1, 1)}, "TEN", "expired"),
    ({"starts_at": dt.datetime(2099, 1, 1)}, "TEN", "not valid yet"),
    ({"min_spend": Decimal("200.00")}, "TEN", "at least £200.00"),
])  # fmt: skip
def test_a_code_that_does_not_apply_is_a_clear_422(client, stocked, kwargs, typed, words):
    code(stocked, **kwargs)
    add(client, HALO)
    response = client.post("/api/cart/discount", json={"code": typed})
    assert response.status_code == 422
    assert words in response.json["detail"]
    assert client.get("/api/cart").json["discount_code"] is None


def test_a_used_up_code_is_refused(client, stocked):
    row = code(stocked, max_uses=1)
    row.uses = 1
    stocked.commit()
    add(client, HALO)
    response = client.post("/api/cart/discount", json={"code": "TEN"})
    assert response.status_code == 422 and "used up" in response.json["detail"]


def test_a_bad_body_is_422(client, stocked):
    assert client.post("/api/cart/discount", json={"code": ""}).status_code == 422
    assert client.post("/api/cart/discount", json={"code": "A", "x": 1}).status_code == 422
    assert client.post("/api/cart/discount", data="code=A").status_code == 415


def test_the_fingerprint_includes_the_discount(client, stocked):
    code(stocked)
    before = add(client, HALO)["fingerprint"]
    after = client.post("/api/cart/discount", json={"code": "TEN"}).json["fingerprint"]
    assert before != after
    assert client.delete("/api/cart/discount").json["fingerprint"] == before


def test_dropping_below_the_minimum_keeps_the_code_but_takes_nothing_off(client, stocked):
    code(stocked, min_spend=Decimal("100.00"))
    add(client, HALO)
    cart = client.post("/api/cart/discount", json={"code": "TEN"}).json
    line = cart["items"][0]["id"]
    client.delete(f"/api/cart/items/{line}")
    cart = add(client, INSOLE)
    assert cart["discount_code"] == "TEN" and cart["discount"] == "0.00"
    assert "at least £100.00" in cart["discount_problem"]


def test_the_cart_page_form_applies_and_explains(client, stocked):
    code(stocked, amount=Decimal("5.00"))
    client.post("/cart/items", data={"sku": HALO, "quantity": "1"})
    page = client.post("/cart/discount", data={"code": "ten"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Discount code TEN applied." in html and "£134.95" in html
    page = client.post("/cart/discount", data={"code": "WRONG"}, follow_redirects=True)
    assert "There is no discount code" in page.get_data(as_text=True)
    page = client.post("/cart/discount/remove", follow_redirects=True)
    assert "Discount code removed." in page.get_data(as_text=True)


# ---------------------------------------------------------------- checkout


def test_the_order_records_code_and_discount_and_delivery_is_not_discounted(client, stocked):
    row = code(stocked, amount=Decimal("5.00"), max_uses=3)
    add(client, INSOLE)  # £19.50, below free delivery
    cart = client.post("/api/cart/discount", json={"code": "TEN"}).json
    response = client.post("/api/checkout", json={**BODY, "cart_fingerprint": cart["fingerprint"]})
    assert response.status_code == 201, response.json
    order = response.json
    assert order["discount_code"] == "TEN" and order["discount"] == "5.00"
    shipping = Decimal(order["shipping"])
    assert shipping > 0
    assert Decimal(order["total"]) == Decimal("14.50") + shipping
    stocked.expire_all()
    assert stocked.get(DiscountCode, row.id).uses == 1
    saved = stocked.scalar(select(Order))
    assert saved.discount == Decimal("5.00") and saved.discount_code == "TEN"


def test_a_code_that_expired_before_placing_is_refused_with_409(client, stocked):
    row = code(stocked)
    add(client, HALO)
    client.post("/api/cart/discount", json={"code": "TEN"})
    row.ends_at = dt.datetime(2020, 1, 1)
    stocked.commit()
    response = client.post("/api/checkout", json=BODY)
    assert response.status_code == 409
    assert "expired" in response.json["detail"]
    stocked.expire_all()
    assert stocked.scalar(select(Order)) is None


def test_racing_checkouts_never_exceed_the_usage_limit(app, stocked):
    row = code(stocked, max_uses=1)
    visitors = ["disc-a", "disc-b", "disc-c"]
    for visitor in visitors:
        carts.add_item(stocked, Owner(visitor_id=visitor), DRIFT, 1)
        discounts.apply_code(stocked, Owner(visitor_id=visitor), "TEN")
    clients = []
    for visitor in visitors:
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["visitor_id"] = visitor
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i, client):
        barrier.wait(timeout=60)
        results[i] = client.post("/api/checkout", json=BODY).status_code

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [201, 409, 409], results
    stocked.expire_all()
    assert stocked.get(DiscountCode, row.id).uses == 1
    assert len(stocked.scalars(select(Order).where(Order.discount_code == "TEN")).all()) == 1


def test_redeem_is_a_conditional_update_that_refuses_past_the_limit(stocked):
    """What a checkout that read the code before a racing one counted its use runs into."""
    from shop.discounts.rules import CodeUsedUp

    row = code(stocked, max_uses=2)
    discounts.redeem(stocked, row.id)
    discounts.redeem(stocked, row.id)
    with pytest.raises(CodeUsedUp):
        discounts.redeem(stocked, row.id)
    stocked.commit()
    stocked.expire_all()
    assert stocked.get(DiscountCode, row.id).uses == 2


# ---------------------------------------------------------------- the CLI


def test_cli_creates_codes_and_refuses_bad_ones(app, runner, session):
    result = runner.invoke(args=["discounts", "create", "spring", "--percent", "15",
                                 "--min-spend", "50", "--starts", "2026-03-01",
                                 "--ends", "2026-06-01", "--max-uses", "100"])
    assert result.exit_code == 0, result.output
    assert "Created SPRING: 15% off, 100 uses" in result.output
    row = session.scalar(select(DiscountCode).where(DiscountCode.code == "SPRING"))
    assert row.kind == "percent" and row.min_spend == Decimal("50.00")
    assert row.starts_at == dt.datetime(2026, 3, 1) and row.max_uses == 100
    assert runner.invoke(args=["discounts", "create", "FIVER", "--amount", "5.00"]).exit_code == 0
    for bad in (["X"], ["X", "--percent", "10", "--amount", "5"], ["X", "--percent", "150"],
                ["X", "--amount", "1.234"], ["SPRING", "--percent", "5"],
                ["X", "--percent", "5", "--starts", "2026-06-01", "--ends", "2026-05-01"]):
        result = runner.invoke(args=["discounts", "create", *bad])
        assert result.exit_code == 2, (bad, result.output)
