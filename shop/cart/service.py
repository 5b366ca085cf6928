"""The cart's rules as plain functions over a SQLAlchemy session (no Flask, no HTTP).

A cart belongs to an :class:`Owner`: an account (``user_id``) or else a guest visitor
(``visitor_id``). Every write function commits its own unit of work. Stock is checked when a
quantity is asked for but never reserved: the checkout's conditional ``UPDATE`` is the only
place stock is taken.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from catalog.models import Variant

from ..models import Cart, CartItem
from .errors import (
    CartBusy,
    CartError,
    NotEnoughStock,
    ProductUnavailable,
    QuantityOutOfRange,
    UnknownLine,
    UnknownVariant,
)
from .lookup import find_cart, get_or_create_cart, get_summary, touch
from .merge import merge_guest_cart
from .summary import (
    CENT,
    EMPTY_MESSAGE,
    MAX_QUANTITY,
    CartLine,
    CartSummary,
    Owner,
    describe,
    summarize,
)

__all__ = [  # the cart's public face; the names from the modules above are re-exported here
    "CENT", "EMPTY_MESSAGE", "MAX_QUANTITY", "CartBusy", "CartError", "CartLine", "CartSummary",
    "Change", "NotEnoughStock", "Owner", "ProductUnavailable", "QuantityOutOfRange", "UnknownLine",
    "UnknownVariant", "add_item", "clear", "delete_lines", "describe", "find_cart",
    "get_or_create_cart", "get_summary", "merge_guest_cart", "remove_item", "set_quantity",
    "summarize",
]  # fmt: skip

#: Attempts of one add when the same cart is changed concurrently.
ADD_ATTEMPTS = 5


# ---------------------------------------------------------------- checks


def _variant_by_sku(session: Session, sku: str) -> Variant:
    variant = session.scalar(
        select(Variant).where(Variant.sku == sku).options(joinedload(Variant.product))
    )
    if variant is None:
        raise UnknownVariant(f"There is no product with SKU {sku!r}.")
    if not variant.product.active:
        raise ProductUnavailable(f"{variant.product.name} is no longer sold.")
    return variant


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise QuantityOutOfRange(f"The quantity must be between 1 and {MAX_QUANTITY}.")


def _check_stock(variant: Variant, wanted: int, in_cart: int = 0) -> None:
    if wanted <= variant.stock:
        return
    name = describe(variant)
    if variant.stock == 0:
        message = f"Sorry, {name} is sold out."
    elif in_cart:
        message = (
            f"Sorry, only {variant.stock} left of {name}, and you already have "
            f"{in_cart} in your cart."
        )
    else:
        message = f"Sorry, only {variant.stock} left of {name}."
    raise NotEnoughStock(message, variant.stock)


def _item(cart: Cart, item_id: int) -> CartItem:
    for item in cart.items:
        if item.id == item_id:
            return item
    raise UnknownLine("That line is not in your cart.")


# ---------------------------------------------------------------- writes


@dataclass(frozen=True)
class Change:
    """What a write did, for the views' flash message and event log."""

    message: str
    product_slug: str | None = None
    sku: str | None = None
    created: bool = False
    item_id: int | None = None


def add_item(session: Session, owner: Owner, sku: str, quantity: int) -> Change:
    """Put ``quantity`` of the variant ``sku`` in the cart (adding to a line already there).

    Two requests adding to the same cart at once both count: a line is created once (the
    unique constraint decides) and a quantity is only raised from the value that was checked,
    otherwise the add starts again from a fresh read.
    """
    _check_quantity(quantity)
    for _attempt in range(ADD_ATTEMPTS):
        try:
            return _add_item_once(session, owner, sku, quantity)
        except (IntegrityError, _StaleLine):
            session.rollback()
            session.expire_all()
    raise CartBusy("Your cart was changing at the same moment; please try again.")


class _StaleLine(Exception):
    """The line's quantity changed between our read and our write."""


def _add_item_once(session: Session, owner: Owner, sku: str, quantity: int) -> Change:
    variant = _variant_by_sku(session, sku)
    cart = get_or_create_cart(session, owner)
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    in_cart = item.quantity if item else 0
    if in_cart + quantity > MAX_QUANTITY:
        raise QuantityOutOfRange(
            f"You can have at most {MAX_QUANTITY} of one item; you already have {in_cart}."
        )
    _check_stock(variant, in_cart + quantity, in_cart)
    created = item is None
    if created:
        item = CartItem(variant=variant, quantity=quantity)
        cart.items.append(item)
    else:
        raised = session.execute(
            update(CartItem)
            .where(CartItem.id == item.id, CartItem.quantity == in_cart)
            .values(quantity=in_cart + quantity)
            .execution_options(synchronize_session=False)
        )
        if raised.rowcount != 1:
            raise _StaleLine
        set_committed_value(item, "quantity", in_cart + quantity)  # what the row now holds
    touch(cart)
    session.commit()
    unit = "item" if quantity == 1 else "items"
    return Change(
        f"Added {quantity} {unit} of {describe(variant)} to your cart.",
        variant.product.slug,
        variant.sku,
        created,
        item.id,
    )


GONE_MESSAGE = "That line is not in your cart (it was just removed or checked out)."


def set_quantity(session: Session, owner: Owner, item_id: int, quantity: int) -> Change:
    """Change a line's quantity; more than is in stock is refused, not capped."""
    _check_quantity(quantity)
    cart = find_cart(session, owner)
    if cart is None:
        raise UnknownLine("That line is not in your cart.")
    with _line_still_there(session):
        item = _item(cart, item_id)
        _check_stock(item.variant, quantity)
        change = Change(
            f"{describe(item.variant)}: quantity is now {quantity}.",
            item.variant.product.slug,
            item.variant.sku,
            item_id=item.id,
        )
        _write_line(session, update(CartItem).values(quantity=quantity), item_id, cart.id)
        set_committed_value(item, "quantity", quantity)  # what the row now holds
        touch(cart)
        session.commit()
    return change


def remove_item(session: Session, owner: Owner, item_id: int) -> Change:
    cart = find_cart(session, owner)
    if cart is None:
        raise UnknownLine("That line is not in your cart.")
    with _line_still_there(session):
        item = _item(cart, item_id)
        change = Change(
            f"Removed {describe(item.variant)} from your cart.",
            item.variant.product.slug,
            item.variant.sku,
            item_id=item.id,
        )
        _write_line(session, delete(CartItem), item_id, cart.id)
        set_committed_value(cart, "items", [line for line in cart.items if line is not item])
        touch(cart)
        session.commit()
    return change


def _write_line(session: Session, statement, item_id: int, cart_id: int) -> None:
    """Update or delete one line of the cart; :class:`_LineGone` when it is not there any more."""
    result = session.execute(
        statement.where(CartItem.id == item_id, CartItem.cart_id == cart_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _LineGone


class _LineGone(Exception):
    """The line was deleted (another tab, a checkout) between our read and our write."""


@contextmanager
def _line_still_there(session: Session):
    """A line (or its cart) deleted by a concurrent request is an :class:`UnknownLine`.

    The write is a conditional statement with a row-count check; a row the ORM finds gone at
    flush (``StaleDataError``) or on load (``ObjectDeletedError``) means the same.
    """
    try:
        yield
    except (_LineGone, StaleDataError, ObjectDeletedError):
        session.rollback()
        raise UnknownLine(GONE_MESSAGE) from None


def clear(session: Session, owner: Owner) -> list[Change]:
    """Empty the cart; one change per removed line (for the event log)."""
    cart = find_cart(session, owner)
    if cart is None or not cart.items:
        return []
    changes = [Change("", i.variant.product.slug, i.variant.sku, item_id=i.id) for i in cart.items]
    cart.items.clear()
    touch(cart)
    session.commit()
    return changes


def delete_lines(session: Session, cart_id: int, item_quantities: dict[int, int]) -> bool:
    """Delete exactly these lines at these quantities; False when the cart changed meanwhile.

    Used inside the checkout transaction (does not commit).
    """
    for item_id, quantity in item_quantities.items():
        result = session.execute(
            delete(CartItem)
            .where(
                CartItem.id == item_id, CartItem.cart_id == cart_id, CartItem.quantity == quantity
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
    return True
