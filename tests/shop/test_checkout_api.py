"""``POST /api/checkout``: JSON only, validated, problem details, idempotent, events."""

from __future__ import annotations

import pytest
from shopping import DRIFT, HALO, INSOLE, seed_tiny_catalog, set_stock, stock_of
from sqlalchemy import func, select

from shop.models import Event, Order
from shop.orders.payment import PaymentProvider, PaymentStart

PROBLEM = "application/problem+json"
ADDRESS = {
    "line1": "1 High Street",
    "line2": "Flat 2",
    "city": "York",
    "postal_code": "YO1 7HH",
    "country": "GB",
}
BODY = {
    "name": "Ann Walker",
    "email": "ann@example.com",
    "address": ADDRESS,
    "delivery": "standard",
}


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def add(client, sku=HALO, quantity=1):
    response = client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})
    assert response.status_code in (200, 201), response.json
    return response


def checkout(client, body=None, **headers):
    return client.post("/api/checkout", json=BODY if body is None else body, headers=headers)


def orders_in(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Order.id)))


def test_checkout_places_the_order(client, stocked):
    add(client, quantity=2)
    add(client, sku=INSOLE)
    response = checkout(client)
    assert response.status_code == 201
    order = response.json
    assert response.headers["Location"] == f"/api/orders/{order['number']}"
    assert order["status"] == "pending" and order["payment_status"] == "pending"
    assert (order["subtotal"], order["shipping"], order["total"]) == ("299.40", "0.00", "299.40")
    assert order["address"] == ADDRESS and order["delivery"] == "standard"
    lines = [(li["sku"], li["quantity"], li["unit_price"], li["line_total"]) 
             for li in order["lines"]]
    assert lines == [
        (HALO, 2, "139.95", "279.90"), (INSOLE, 1, "19.50", "19.50"),
    ]  # fmt: skip
    assert stock_of(stocked, HALO) == 3 and stock_of(stocked, INSOLE) == 4
    assert client.get("/api/cart").json["message"] == "No products in the cart."


def test_checkout_records_purchase_events(client, stocked):
    add(client, quantity=2)
    add(client, sku=DRIFT)
    number = checkout(client).json["number"]
    stocked.expire_all()
    events = stocked.scalars(select(Event).where(Event.kind == "purchase").order_by(Event.id)).all()
    assert [(e.item_id, e.context, e.weight) for e in events] == [
        ("velmora-halo-walk", number, 2.0), ("velmora-drift-cushion", number, 1.0),
    ]  # fmt: skip


def test_delivery_defaults_to_standard_and_is_charged_below_75(client, stocked):
    add(client, sku=INSOLE)
    body = {key: value for key, value in BODY.items() if key != "delivery"}
    order = checkout(client, body).json
    assert (order["delivery"], order["shipping"], order["total"]) == ("standard", "4.95", "24.45")


def test_express_delivery(client, stocked):
    add(client)
    order = checkout(client, {**BODY, "delivery": "express"}).json
    assert (order["shipping"], order["total"]) == ("9.95", "149.90")


def test_an_empty_cart_is_409(client, stocked):
    response = checkout(client)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert response.json["detail"] == "No products in the cart."


def test_not_enough_stock_is_409_and_nothing_is_written(client, stocked):
    add(client, quantity=3)
    set_stock(stocked, HALO, 2)
    response = checkout(client)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert response.json["detail"] == (
        "Only 2 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular; please lower the quantity."
    )
    assert orders_in(stocked) == 0 and stock_of(stocked, HALO) == 2
    assert client.get("/api/cart").json["item_count"] == 3


def test_a_busy_database_is_503_with_retry_after(client, stocked, monkeypatch):
    from shop.orders import service

    def busy(*_args, **_kwargs):
        raise service.ShopBusy("The shop is very busy right now and your order was not placed.")

    monkeypatch.setattr(service, "place_order", busy)
    add(client)
    response = checkout(client)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert response.json["detail"].startswith("The shop is very busy")


# ---------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_places_one_order(client, stocked):
    add(client)
    first = checkout(client, **{"Idempotency-Key": "3f1c2a"})
    second = checkout(client, **{"Idempotency-Key": "3f1c2a"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json == first.json
    assert orders_in(stocked) == 1 and stock_of(stocked, HALO) == 4


def test_without_a_key_a_second_submit_finds_the_cart_empty(client, stocked):
    add(client)
    assert checkout(client).status_code == 201
    assert checkout(client).status_code == 409
    assert orders_in(stocked) == 1


@pytest.mark.parametrize("key", ["", "x" * 101, "has space", "ünïcode"])
def test_a_malformed_idempotency_key_is_400(client, stocked, key):
    add(client)
    response = client.post(
        "/api/checkout", json=BODY, headers=[("Idempotency-Key", key.encode().decode("latin-1"))]
    )
    assert response.status_code == 400
    assert (
        response.json["detail"]
        == "The Idempotency-Key header must be 1 to 100 visible ASCII characters."
    )
    assert orders_in(stocked) == 0


# ---------------------------------------------------------------- validation


NAME = "Enter your name (up to 120 characters)."
EMAIL = "Enter an e-mail address like name@example.com."
COUNTRY = (
    "We deliver to United Kingdom (GB), Ireland (IE), France (FR), Germany (DE), "
    "Netherlands (NL), Belgium (BE)."
)


def with_address(**changes):
    address = {**ADDRESS, **changes}
    return {**BODY, "address": {k: v for k, v in address.items() if v is not None}}


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({**BODY, "name": ""}, "name", NAME),
        ({**BODY, "name": "   "}, "name", NAME),
        ({**BODY, "name": "x" * 121}, "name", NAME),
        (
            {k: v for k, v in BODY.items() if k != "name"},
            "name",
            "Missing data for required field.",
        ),
        ({**BODY, "email": "ann"}, "email", EMAIL),
        ({**BODY, "email": "ann@"}, "email", EMAIL),
        ({**BODY, "email": 42}, "email", EMAIL),
        (
            {k: v for k, v in BODY.items() if k != "email"},
            "email",
            "Missing data for required field.",
        ),
        (
            {k: v for k, v in BODY.items() if k != "address"},
            "address",
            "Missing data for required field.",
        ),
        (
            {**BODY, "address": "1 High St"},
            "address",
            "Must be an object with line1, line2, city, postal_code and country.",
        ),
        ({**BODY, "address": None}, "address", "Field may not be null."),
        (
            with_address(line1=""),
            "address.line1",
            "Enter the first line of the address (up to 100 characters).",
        ),
        (with_address(line1=None), "address.line1", "Missing data for required field."),
        (with_address(line2="x" * 101), "address.line2", "Use up to 100 characters."),
        (with_address(city=""), "address.city", "Enter the town or city (up to 60 characters)."),
        (
            with_address(city="x" * 61),
            "address.city",
            "Enter the town or city (up to 60 characters).",
        ),
        (with_address(postal_code="!"), "address.postal_code", "Enter a valid postcode."),
        (with_address(postal_code="Y" * 12), "address.postal_code", "Enter a valid postcode."),
        (with_address(country="US"), "address.country", COUNTRY),
        (with_address(country=None), "address.country", "Missing data for required field."),
        (with_address(county="Yorks"), "address.county", "Unknown field."),
        ({**BODY, "delivery": "drone"}, "delivery", "Choose standard or express."),
        ({**BODY, "total": "0.01"}, "total", "Unknown field."),
    ],
)
def test_checkout_validation_messages(client, stocked, body, name, reason):
    add(client)
    response = checkout(client, body)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert {"name": name, "reason": reason} in response.json["invalid_params"]
    assert orders_in(stocked) == 0


def test_addresses_are_tidied(client, stocked):
    add(client)
    order = checkout(
        client, with_address(postal_code=" yo1 7hh ", country="gb", line1="  1 High St ")
    ).json
    assert (
        order["address"]["postal_code"],
        order["address"]["country"],
        order["address"]["line1"],
    ) == ("YO1 7HH", "GB", "1 High St")


@pytest.mark.parametrize(
    ("content_type", "data"),
    [("application/x-www-form-urlencoded", "name=Ann"), ("text/plain", "{}"), (None, None)],
)
def test_checkout_accepts_only_json(client, stocked, content_type, data):
    add(client)
    kwargs = {"data": data} if data is not None else {}
    if content_type:
        kwargs["content_type"] = content_type
    response = client.post("/api/checkout", **kwargs)
    assert response.status_code == 415 and response.mimetype == PROBLEM
    assert orders_in(stocked) == 0


# ---------------------------------------------------------------- payment provider


class Redirecting(PaymentProvider):
    name = "hosted"

    def start(self, order):
        return PaymentStart(status="pending", redirect_url=f"https://pay.example/{order.number}")


def test_the_configured_payment_provider_is_used(app, client, stocked):
    app.config["PAYMENT_PROVIDER"] = Redirecting()
    add(client)
    order = checkout(client).json
    assert order["payment_status"] == "pending"
    response = client.post("/api/cart/items", json={"sku": DRIFT, "quantity": 1})
    assert response.status_code == 201
    page = client.post("/checkout", data={
        "name": "Ann", "email": "ann@example.com", "line1": "1 High St", "city": "York",
        "postal_code": "YO1 7HH", "country": "GB", "delivery": "standard", "idempotency_key": "k-1",
    })  # fmt: skip
    assert page.status_code == 303 and page.headers["Location"].startswith(
        "https://pay.example/BC-"
    )
