"""Finding a shopper's cart (and making it on first need)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from catalog.models import Variant

from ..models import Cart, CartItem, utcnow
from .summary import CartSummary, Owner, summarize


def _owner_clause(owner: Owner):
    if owner.user_id is not None:
        return Cart.user_id == owner.user_id
    return Cart.visitor_id == owner.visitor_id


def find_cart(session: Session, owner: Owner, *, fresh: bool = False) -> Cart | None:
    """The owner's cart with its lines, variants and products loaded (None if there is none)."""
    if not owner.known:
        return None
    stmt = (
        select(Cart)
        .where(_owner_clause(owner))
        .options(joinedload(Cart.items).joinedload(CartItem.variant).joinedload(Variant.product))
    )
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalars(stmt).unique().first()


def get_summary(session: Session, owner: Owner) -> CartSummary:
    return summarize(find_cart(session, owner))


def get_or_create_cart(session: Session, owner: Owner) -> Cart:
    """The owner's cart, made on first need (two racing first adds end with one cart)."""
    if not owner.known:
        raise ValueError("a cart needs a visitor or an account")
    cart = find_cart(session, owner)
    if cart is not None:
        return cart
    if owner.user_id is not None:
        cart = Cart(user_id=owner.user_id)
    else:
        cart = Cart(visitor_id=owner.visitor_id)
    session.add(cart)
    try:
        session.commit()
    except IntegrityError:  # the same visitor's other request made it first
        session.rollback()
        cart = find_cart(session, owner)
        if cart is None:
            raise
    return cart


def touch(cart: Cart) -> None:
    cart.updated_at = utcnow()
