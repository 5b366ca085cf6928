"""The orders domain as data: statuses, delivery methods, and errors that carry no HTTP status."""

from __future__ import annotations

from decimal import Decimal

import pytest
from shopping import HALO, seed_tiny_catalog
from sqlalchemy import select, text

from shop.cart import errors as cart_errors
from shop.cart import service as carts
from shop.cart.service import Owner
from shop.errors import domain_statuses, http_status
from shop.models import Order
from shop.orders import errors as order_errors
from shop.orders import service
from shop.orders.delivery import DEFAULT_DELIVERY, DELIVERY_METHODS
from shop.orders.payment import PaymentStart
from shop.orders.schemas import CheckoutSchema
from shop.orders.statuses import OrderStatus, PaymentStatus

ANN = Owner(visitor_id="visitor-ann")
DETAILS = service.CheckoutDetails(
    name="Ann Walker", email="ann@example.com",
    address={"line1": "1 High Street", "line2": "", "city": "York", "postal_code": "YO1 7HH",
             "country": "GB"},
)  # fmt: skip


def test_statuses_are_the_words_stored_before():
    assert [str(status) for status in OrderStatus] == [
        "pending", "paid", "shipped", "delivered", "cancelled",
    ]  # fmt: skip
    assert [str(status) for status in PaymentStatus] == [
        "pending", "authorized", "paid", "failed", "refunded",
    ]  # fmt: skip


def test_an_order_is_stored_with_plain_status_strings(session):
    seed_tiny_catalog(session, stock=5)
    carts.add_item(session, ANN, HALO, 1)
    number = service.place_order(session, ANN, DETAILS).order.number
    row = session.execute(
        text("SELECT status, payment_status, delivery FROM orders WHERE number = :n"), {"n": number}
    ).one()
    assert tuple(row) == ("pending", "pending", DEFAULT_DELIVERY)
    order = session.scalar(select(Order).where(Order.number == number))
    assert order.status == OrderStatus.PENDING and order.payment_status == PaymentStatus.PENDING


def test_a_payment_start_knows_only_the_payment_statuses():
    assert PaymentStart(status="paid").status is PaymentStatus.PAID
    with pytest.raises(ValueError, match="unknown payment status 'shipped'"):
        PaymentStart(status="shipped")


def test_delivery_methods_as_data_with_money_formatting():
    assert {code: (m.price, m.free_from) for code, m in DELIVERY_METHODS.items()} == {
        "standard": (Decimal("4.95"), Decimal("75.00")),
        "express": (Decimal("9.95"), None),
    }
    assert DELIVERY_METHODS["standard"].description == (
        "Standard delivery (3–5 working days): £4.95, free on orders of £75.00 or more"
    )
    assert DELIVERY_METHODS["express"].description == "Express delivery (next working day): £9.95"
    assert service.DELIVERY_OPTIONS is DELIVERY_METHODS  # the earlier name still works


def test_the_checkout_schema_accepts_exactly_the_delivery_methods():
    body = {"name": "Ann", "email": "ann@example.com", "address": dict(DETAILS.address)}
    for code in DELIVERY_METHODS:
        assert CheckoutSchema().load({**body, "delivery": code})["delivery"] == code
    errors = CheckoutSchema().validate({**body, "delivery": "drone"})
    assert errors["delivery"] == ["Choose standard or express."]


@pytest.mark.parametrize("module", [cart_errors, order_errors])
def test_domain_errors_carry_no_http_status(module):
    errors = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert errors
    for error in errors:
        assert not hasattr(error, "status"), error


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (cart_errors.UnknownVariant("x"), 404),
        (cart_errors.UnknownLine("x"), 404),
        (cart_errors.ProductUnavailable("x"), 422),
        (cart_errors.QuantityOutOfRange("x"), 422),
        (cart_errors.NotEnoughStock("x", 2), 409),
        (cart_errors.CartBusy("x"), 409),
        (order_errors.EmptyCart("x"), 409),
        (order_errors.CartNotBuyable("x"), 409),
        (order_errors.OutOfStock("x"), 409),
        (order_errors.CartChanged("x"), 409),
        (order_errors.ShopBusy("x"), 503),
        (ValueError("not a domain error"), 500),
    ],
)
def test_the_web_layer_maps_each_domain_error_to_its_status(error, status):
    assert http_status(error) == status
    assert all(400 <= code < 600 for code in domain_statuses().values())
