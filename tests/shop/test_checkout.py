"""Placing an order as plain functions: snapshot, stock, empty cart, one transaction, replays."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from shopping import DRIFT, HALO, INSOLE, deactivate, seed_tiny_catalog, set_stock, stock_of
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from catalog.models import Product, Variant
from shop.cart import service as carts
from shop.cart.service import Owner
from shop.errors import http_status
from shop.models import CartItem, Order, OrderLine
from shop.orders import service
from shop.orders.payment import PaymentProvider, PaymentStart, PendingPayment

EU_39 = "EU 39 (UK 5.5 / US 6.5), regular"
ANN = Owner(visitor_id="visitor-ann")
BOB = Owner(visitor_id="visitor-bob")
DETAILS = service.CheckoutDetails(
    name="Ann Walker", email="ann@example.com",
    address={"line1": "1 High Street", "line2": "", "city": "York", "postal_code": "YO1 7HH",
             "country": "GB"},
    delivery="standard",
)  # fmt: skip


@pytest.fixture
def shop(session):
    seed_tiny_catalog(session, stock=5)
    return session


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_placing_an_order_snapshots_the_lines(shop):
    carts.add_item(shop, ANN, HALO, 2)
    carts.add_item(shop, ANN, DRIFT, 1)
    placed = service.place_order(shop, ANN, DETAILS)
    order = placed.order
    assert placed.created
    assert [(line.product_name, line.sku, line.variant_label, line.unit_price, line.quantity,
             line.line_total) for line in order.lines] == [
        ("Halo Walk", HALO, EU_39, Decimal("139.95"), 2, Decimal("279.90")),
        ("Drift Cushion", DRIFT, EU_39, Decimal("124.00"), 1, Decimal("124.00")),
    ]  # fmt: skip
    assert (order.subtotal, order.shipping, order.total) == (
        Decimal("403.90"),
        Decimal("0.00"),
        Decimal("403.90"),
    )
    assert (order.name, order.email, order.address["city"]) == (
        "Ann Walker",
        "ann@example.com",
        "York",
    )
    assert (order.status, order.payment_status, order.visitor_id) == (
        "pending",
        "pending",
        "visitor-ann",
    )


def test_later_catalog_changes_do_not_touch_placed_orders(shop):
    carts.add_item(shop, ANN, HALO, 1)
    number = service.place_order(shop, ANN, DETAILS).order.number
    shop.execute(
        update(Product).where(Product.slug == "velmora-halo-walk").values(name="Renamed", price=1)
    )
    shop.commit()
    shop.expire_all()
    line = shop.scalar(select(OrderLine).join(Order).where(Order.number == number))
    assert (line.product_name, line.unit_price) == ("Halo Walk", Decimal("139.95"))


def test_placing_an_order_takes_the_stock_and_empties_the_cart(shop):
    carts.add_item(shop, ANN, HALO, 2)
    service.place_order(shop, ANN, DETAILS)
    assert stock_of(shop, HALO) == 3
    assert count(shop, CartItem) == 0
    assert carts.get_summary(shop, ANN).message == "No products in the cart."


@pytest.mark.parametrize(
    ("sku", "quantity", "delivery", "shipping"),
    [
        (INSOLE, 1, "standard", "4.95"),  # £19.50: below £75
        (INSOLE, 3, "standard", "4.95"),  # £58.50
        (INSOLE, 4, "standard", "0.00"),  # £78.00: free from £75
        (HALO, 1, "standard", "0.00"),
        (INSOLE, 1, "express", "9.95"),
        (HALO, 1, "express", "9.95"),  # express is never free
    ],
)
def test_delivery_prices(shop, sku, quantity, delivery, shipping):
    carts.add_item(shop, ANN, sku, quantity)
    order = service.place_order(
        shop, ANN, service.CheckoutDetails(**{**DETAILS.__dict__, "delivery": delivery})
    ).order
    assert order.shipping == Decimal(shipping)
    assert order.total == order.subtotal + Decimal(shipping)


def test_free_delivery_starts_exactly_at_75():
    standard = service.DELIVERY_OPTIONS["standard"]
    assert standard.price_for(Decimal("74.99")) == Decimal("4.95")
    assert standard.price_for(Decimal("75.00")) == Decimal("0.00")


def test_order_numbers_are_bc_and_ten_base32_characters():
    numbers = {service.new_order_number() for _ in range(2000)}
    assert len(numbers) == 2000
    assert all(re.fullmatch(r"BC-[0-9A-HJKMNP-TV-Z]{10}", number) for number in numbers)


# ---------------------------------------------------------------- refusals write nothing


def assert_nothing_written(session, stock=5):
    session.expire_all()
    assert count(session, Order) == 0 and count(session, OrderLine) == 0
    assert stock_of(session, HALO) == stock and stock_of(session, DRIFT) == 5


def test_an_empty_cart_cannot_be_checked_out(shop):
    with pytest.raises(service.EmptyCart) as caught:
        service.place_order(shop, ANN, DETAILS)
    assert http_status(caught.value) == 409 and caught.value.message == "No products in the cart."
    assert_nothing_written(shop)


def test_a_line_above_the_stock_left_is_refused_before_writing(shop):
    carts.add_item(shop, ANN, HALO, 4)
    set_stock(shop, HALO, 3)
    with pytest.raises(service.CartNotBuyable) as caught:
        service.place_order(shop, ANN, DETAILS)
    assert caught.value.message == (
        "Only 3 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular; please lower the quantity."
    )
    assert_nothing_written(shop, stock=3)
    assert carts.get_summary(shop, ANN).item_count == 4


def test_a_product_no_longer_sold_is_refused(shop):
    carts.add_item(shop, ANN, HALO, 1)
    deactivate(shop, "velmora-halo-walk")
    with pytest.raises(
        service.CartNotBuyable, match="Halo Walk is no longer sold; please remove it."
    ):
        service.place_order(shop, ANN, DETAILS)
    assert_nothing_written(shop)


def test_losing_the_stock_race_mid_order_rolls_everything_back(shop, monkeypatch):
    """The cart looked fine, but Drift Cushion's conditional UPDATE finds no stock."""
    carts.add_item(shop, ANN, HALO, 2)
    carts.add_item(shop, ANN, DRIFT, 1)
    real_take = service._take_stock

    def take_after_a_rival(session, lines):
        # a rival's purchase, simulated inside the same transaction (so it is rolled back too)
        session.execute(update(Variant).where(Variant.sku == DRIFT).values(stock=0))
        real_take(session, lines)

    monkeypatch.setattr(service, "_take_stock", take_after_a_rival)
    with pytest.raises(service.OutOfStock) as caught:
        service.place_order(shop, ANN, DETAILS)
    assert http_status(caught.value) == 409
    assert caught.value.message.startswith("Sorry, someone else was quicker:")
    assert caught.value.message.endswith("No order was placed; please review your cart.")
    assert_nothing_written(shop)  # Halo Walk's decrement was rolled back too
    assert carts.get_summary(shop, ANN).item_count == 3


def test_a_cart_changed_meanwhile_rolls_back(shop, monkeypatch):
    carts.add_item(shop, ANN, HALO, 2)
    real_delete = carts.delete_lines

    def delete_after_a_change(session, cart_id, quantities):
        session.execute(update(CartItem).values(quantity=1))  # another tab lowered it
        return real_delete(session, cart_id, quantities)

    monkeypatch.setattr(carts, "delete_lines", delete_after_a_change)
    with pytest.raises(
        service.CartChanged, match="Your cart changed while the order was being placed"
    ):
        service.place_order(shop, ANN, DETAILS)
    assert_nothing_written(shop)
    assert carts.get_summary(shop, ANN).item_count == 2


def test_a_lock_timeout_becomes_a_busy_refusal(shop, monkeypatch):
    carts.add_item(shop, ANN, HALO, 1)

    def locked(_session):
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "_begin_write", locked)
    with pytest.raises(service.ShopBusy) as caught:
        service.place_order(shop, ANN, DETAILS)
    assert http_status(caught.value) == 503
    assert "very busy" in caught.value.message and "not placed" in caught.value.message
    assert_nothing_written(shop)


# ---------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_returns_the_same_order(shop):
    carts.add_item(shop, ANN, HALO, 1)
    first = service.place_order(shop, ANN, DETAILS, idempotency_key="key-1")
    carts.add_item(shop, ANN, DRIFT, 1)  # even with a new cart, a replay places nothing
    second = service.place_order(shop, ANN, DETAILS, idempotency_key="key-1")
    assert first.created and not second.created
    assert second.order.number == first.order.number
    assert count(shop, Order) == 1 and stock_of(shop, DRIFT) == 5


def test_idempotency_keys_are_per_shopper(shop):
    carts.add_item(shop, ANN, HALO, 1)
    carts.add_item(shop, BOB, HALO, 1)
    anns = service.place_order(shop, ANN, DETAILS, idempotency_key="same")
    bobs = service.place_order(shop, BOB, DETAILS, idempotency_key="same")
    assert bobs.created and anns.order.number != bobs.order.number
    assert anns.order.idempotency_key != "same"  # stored hashed with the shopper


# ---------------------------------------------------------------- payment


class Authorizing(PaymentProvider):
    name = "test"

    def __init__(self):
        self.seen = []

    def start(self, order):
        self.seen.append(order.number)
        return PaymentStart(status="authorized", reference="ref-1")


class Broken(PaymentProvider):
    def start(self, order):
        raise RuntimeError("provider down")


def test_the_default_payment_leaves_orders_pending(shop):
    carts.add_item(shop, ANN, HALO, 1)
    placed = service.place_order(shop, ANN, DETAILS, payment=PendingPayment())
    assert placed.payment.status == "pending" and placed.order.payment_status == "pending"


def test_a_provider_plugs_in_behind_the_interface(shop):
    provider = Authorizing()
    carts.add_item(shop, ANN, HALO, 1)
    placed = service.place_order(shop, ANN, DETAILS, payment=provider)
    assert provider.seen == [placed.order.number]
    shop.expire_all()
    assert shop.scalar(select(Order.payment_status)) == "authorized"


def test_a_failing_provider_does_not_unplace_the_order(shop, caplog):
    carts.add_item(shop, ANN, HALO, 1)
    placed = service.place_order(shop, ANN, DETAILS, payment=Broken())
    assert placed.created and placed.payment is None
    assert placed.order.payment_status == "pending" and stock_of(shop, HALO) == 4
    assert "failed to start order" in caplog.text


def test_payment_start_rejects_unknown_statuses():
    with pytest.raises(ValueError):
        PaymentStart(status="maybe")


# ---------------------------------------------------------------- who sees which order


def test_orders_are_visible_to_their_shopper_only(shop):
    carts.add_item(shop, ANN, HALO, 1)
    number = service.place_order(shop, ANN, DETAILS).order.number
    assert service.get_order(shop, ANN, number).number == number
    assert service.get_order(shop, BOB, number) is None
    assert service.get_order(shop, Owner(None, None), number) is None
    assert [o.number for o in service.list_orders(shop, ANN)] == [number]
    assert service.list_orders(shop, BOB) == []
