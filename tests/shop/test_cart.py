"""The cart's rules, called as plain functions (no HTTP): lines, totals, stock, owners, merge."""

from __future__ import annotations

from decimal import Decimal

import pytest
from shopping import DRIFT, HALO, deactivate, seed_tiny_catalog, set_stock
from sqlalchemy import select

from shop.cart import service
from shop.cart.service import EMPTY_MESSAGE, Owner
from shop.errors import http_status
from shop.models import Cart, CartItem, User

ANN = Owner(visitor_id="visitor-ann")
BOB = Owner(visitor_id="visitor-bob")


def make_user(session, email: str = "ann@example.com") -> int:
    user = User(email=email, name="Ann", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


@pytest.fixture
def shop(session):
    """A tiny catalog with known stock: 5 of each variant."""
    seed_tiny_catalog(session, stock=5)
    return session


# ---------------------------------------------------------------- adding


def test_a_new_visitor_has_no_cart_and_an_empty_summary(shop):
    summary = service.get_summary(shop, ANN)
    assert summary.empty and summary.item_count == 0
    assert summary.subtotal == Decimal("0.00")
    assert summary.message == EMPTY_MESSAGE == "No products in the cart."
    assert shop.scalar(select(Cart)) is None


def test_the_first_add_makes_the_guest_cart(shop):
    change = service.add_item(shop, ANN, HALO, 2)
    cart = shop.scalar(select(Cart))
    assert cart.visitor_id == "visitor-ann" and cart.user_id is None
    assert [(i.variant.sku, i.quantity) for i in cart.items] == [(HALO, 2)]
    assert change.created and change.product_slug == "velmora-halo-walk" and change.sku == HALO
    assert "Added 2 items of Halo Walk" in change.message


def test_adding_the_same_variant_again_adds_to_its_line(shop):
    service.add_item(shop, ANN, HALO, 1)
    change = service.add_item(shop, ANN, HALO, 2)
    summary = service.get_summary(shop, ANN)
    assert not change.created
    assert [(line.sku, line.quantity) for line in summary.lines] == [(HALO, 3)]


def test_totals_are_decimal_line_totals_subtotal_and_item_count(shop):
    service.add_item(shop, ANN, HALO, 2)
    service.add_item(shop, ANN, DRIFT, 1)
    summary = service.get_summary(shop, ANN)
    assert [(line.unit_price, line.line_total) for line in summary.lines] == [
        (Decimal("139.95"), Decimal("279.90")),
        (Decimal("124.00"), Decimal("124.00")),
    ]
    assert summary.subtotal == Decimal("403.90") and isinstance(summary.subtotal, Decimal)
    assert summary.item_count == 3
    assert summary.message is None


def test_an_unknown_sku_is_refused_with_404(shop):
    with pytest.raises(service.UnknownVariant) as caught:
        service.add_item(shop, ANN, "NO-SUCH-SKU", 1)
    assert http_status(caught.value) == 404
    assert caught.value.message == "There is no product with SKU 'NO-SUCH-SKU'."


def test_a_product_no_longer_sold_is_refused_with_422(shop):
    deactivate(shop, "velmora-halo-walk")
    with pytest.raises(service.ProductUnavailable) as caught:
        service.add_item(shop, ANN, HALO, 1)
    assert http_status(caught.value) == 422
    assert caught.value.message == "Halo Walk is no longer sold."


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_quantities_outside_1_to_99_are_refused(shop, quantity):
    with pytest.raises(service.QuantityOutOfRange, match="between 1 and 99"):
        service.add_item(shop, ANN, HALO, quantity)


# ---------------------------------------------------------------- stock


def test_asking_for_more_than_in_stock_is_refused_not_capped(shop):
    with pytest.raises(service.NotEnoughStock) as caught:
        service.add_item(shop, ANN, HALO, 6)
    assert http_status(caught.value) == 409 and caught.value.available == 5
    assert (
        caught.value.message == "Sorry, only 5 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular."
    )
    assert service.get_summary(shop, ANN).empty


def test_stock_counts_what_is_already_in_the_cart(shop):
    service.add_item(shop, ANN, HALO, 4)
    with pytest.raises(service.NotEnoughStock) as caught:
        service.add_item(shop, ANN, HALO, 2)
    assert caught.value.message == (
        "Sorry, only 5 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular, "
        "and you already have 4 in your cart."
    )
    assert service.get_summary(shop, ANN).item_count == 4


def test_a_sold_out_variant_says_sold_out(shop):
    set_stock(shop, HALO, 0)
    with pytest.raises(service.NotEnoughStock, match=r"^Sorry, Halo Walk, .* is sold out\.$"):
        service.add_item(shop, ANN, HALO, 1)


def test_raising_a_quantity_above_stock_is_refused(shop):
    service.add_item(shop, ANN, HALO, 2)
    line = service.get_summary(shop, ANN).lines[0]
    with pytest.raises(service.NotEnoughStock):
        service.set_quantity(shop, ANN, line.id, 6)
    assert service.get_summary(shop, ANN).lines[0].quantity == 2


def test_a_line_that_lost_its_stock_reports_a_problem(shop):
    service.add_item(shop, ANN, HALO, 3)
    set_stock(shop, HALO, 1)
    shop.expire_all()
    summary = service.get_summary(shop, ANN)
    assert summary.problems == [
        "Only 1 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular; please lower the quantity."
    ]


# ---------------------------------------------------------------- changing, removing, emptying


def test_changing_the_quantity_of_a_line(shop):
    service.add_item(shop, ANN, HALO, 1)
    line = service.get_summary(shop, ANN).lines[0]
    service.set_quantity(shop, ANN, line.id, 4)
    summary = service.get_summary(shop, ANN)
    assert summary.item_count == 4 and summary.subtotal == Decimal("559.80")


def test_removing_a_line(shop):
    service.add_item(shop, ANN, HALO, 1)
    service.add_item(shop, ANN, DRIFT, 1)
    halo = service.get_summary(shop, ANN).lines[0]
    change = service.remove_item(shop, ANN, halo.id)
    assert change.sku == HALO and change.product_slug == "velmora-halo-walk"
    assert [line.sku for line in service.get_summary(shop, ANN).lines] == [DRIFT]
    assert shop.scalar(select(CartItem).where(CartItem.id == halo.id)) is None


def test_emptying_the_cart(shop):
    service.add_item(shop, ANN, HALO, 1)
    service.add_item(shop, ANN, DRIFT, 2)
    changes = service.clear(shop, ANN)
    assert sorted(c.sku for c in changes) == sorted([HALO, DRIFT])
    summary = service.get_summary(shop, ANN)
    assert summary.empty and summary.message == "No products in the cart."


def test_another_visitors_line_cannot_be_changed_or_removed(shop):
    service.add_item(shop, ANN, HALO, 1)
    service.add_item(shop, BOB, DRIFT, 1)
    anns_line = service.get_summary(shop, ANN).lines[0]
    with pytest.raises(service.UnknownLine) as caught:
        service.set_quantity(shop, BOB, anns_line.id, 2)
    assert http_status(caught.value) == 404
    with pytest.raises(service.UnknownLine):
        service.remove_item(shop, BOB, anns_line.id)
    assert service.get_summary(shop, ANN).lines[0].quantity == 1


def test_an_account_has_its_own_cart_apart_from_its_visitor_id(shop):
    user_id = make_user(shop)
    service.add_item(shop, ANN, HALO, 1)
    service.add_item(shop, Owner(visitor_id="visitor-ann", user_id=user_id), DRIFT, 1)
    assert [line.sku for line in service.get_summary(shop, ANN).lines] == [HALO]
    account = service.get_summary(shop, Owner(visitor_id=None, user_id=user_id))
    assert [line.sku for line in account.lines] == [DRIFT]


# ---------------------------------------------------------------- merge on log-in


def test_merge_hands_the_guest_cart_to_an_account_without_one(shop):
    user_id = make_user(shop)
    service.add_item(shop, ANN, HALO, 2)
    assert service.merge_guest_cart(shop, "visitor-ann", user_id) == []
    carts = shop.scalars(select(Cart)).all()
    assert [(c.visitor_id, c.user_id) for c in carts] == [(None, user_id)]
    assert [(i.variant.sku, i.quantity) for i in carts[0].items] == [(HALO, 2)]


def test_merge_adds_quantities_and_removes_the_guest_cart(shop):
    user_id = make_user(shop)
    account = Owner(visitor_id=None, user_id=user_id)
    service.add_item(shop, account, HALO, 1)
    service.add_item(shop, ANN, HALO, 2)
    service.add_item(shop, ANN, DRIFT, 1)
    assert service.merge_guest_cart(shop, "visitor-ann", user_id) == []
    assert shop.scalar(select(Cart).where(Cart.visitor_id == "visitor-ann")) is None
    summary = service.get_summary(shop, account)
    assert [(line.sku, line.quantity) for line in summary.lines] == [(HALO, 3), (DRIFT, 1)]


def test_merge_caps_by_stock_and_says_so(shop):
    user_id = make_user(shop)
    account = Owner(visitor_id=None, user_id=user_id)
    service.add_item(shop, account, HALO, 3)
    service.add_item(shop, ANN, HALO, 4)
    messages = service.merge_guest_cart(shop, "visitor-ann", user_id)
    assert messages == [
        (
            "Your cart now has 5 of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular "
            "(you had 7 in total, but only 5 can be ordered)."
        )
    ]
    assert service.get_summary(shop, account).lines[0].quantity == 5


def test_merge_drops_lines_sold_out_since_and_says_so(shop):
    user_id = make_user(shop)
    service.add_item(shop, ANN, HALO, 1)
    set_stock(shop, HALO, 0)
    shop.expire_all()
    messages = service.merge_guest_cart(shop, "visitor-ann", user_id)
    assert messages == [
        "Halo Walk, EU 39 (UK 5.5 / US 6.5), regular is sold out and was removed from your cart."
    ]
    assert service.get_summary(shop, Owner(None, user_id)).empty


def test_merge_without_a_guest_cart_does_nothing(shop):
    user_id = make_user(shop)
    assert service.merge_guest_cart(shop, "visitor-nobody", user_id) == []
    assert shop.scalar(select(Cart)) is None
