"""Folding a guest's cart into the account's cart at log-in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Cart, CartItem
from .lookup import find_cart, touch
from .summary import MAX_QUANTITY, Owner, describe


def merge_guest_cart(session: Session, visitor_id: str, user_id: int) -> list[str]:
    """On log-in, fold the guest's cart into the account's cart; commits.

    Quantities of the same variant add up, capped by stock (and by the per-line maximum) with a
    message for each cap; lines no longer sold are dropped with a message. The guest cart row is
    deleted, or simply handed to the account when the account has no cart yet. Returns the
    messages for the shopper (empty when nothing needed saying).
    """
    guest = find_cart(session, Owner(visitor_id=visitor_id))
    if guest is None:
        return []
    account = find_cart(session, Owner(visitor_id=None, user_id=user_id))
    messages: list[str] = []
    if account is None:
        guest.visitor_id, guest.user_id = None, user_id
        account, lines = guest, []
        for item in list(guest.items):
            messages.extend(_fit_line(guest, item, item.quantity))
    else:
        lines = [(item.variant, item.quantity) for item in guest.items]
        session.delete(guest)
        session.flush()  # free the visitor's unique slot and the guest lines first
    by_variant = {item.variant_id: item for item in account.items}
    for variant, quantity in lines:
        item = by_variant.get(variant.id)
        if item is None:
            item = CartItem(variant=variant, quantity=quantity)
            account.items.append(item)
            by_variant[variant.id] = item
            messages.extend(_fit_line(account, item, quantity))
        else:
            messages.extend(_fit_line(account, item, item.quantity + quantity))
    touch(account)
    session.commit()
    return messages


def _fit_line(cart: Cart, item: CartItem, wanted: int) -> list[str]:
    """Set a merged line to ``wanted`` or as many as can be had; say so when capped."""
    variant = item.variant
    if not variant.product.active:
        cart.items.remove(item)
        return [f"{variant.product.name} is no longer sold and was removed from your cart."]
    limit = min(variant.stock, MAX_QUANTITY)
    if limit <= 0:
        cart.items.remove(item)
        return [f"{describe(variant)} is sold out and was removed from your cart."]
    if wanted > limit:
        item.quantity = limit
        return [
            (
                f"Your cart now has {limit} of {describe(variant)} (you had {wanted} in total, "
                f"but only {limit} can be ordered)."
            )
        ]
    item.quantity = wanted
    return []
