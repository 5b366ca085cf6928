"""Why an order was not placed, as domain errors (no HTTP status: the web layer picks one)."""

from __future__ import annotations


class CheckoutError(Exception):
    """The order was not placed and nothing was written; ``message`` is for the shopper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EmptyCart(CheckoutError):
    """There is nothing in the cart to order."""


class CartNotBuyable(CheckoutError):
    """A line is no longer sold, or asks for more than is in stock (seen before writing)."""


class OutOfStock(CheckoutError):
    """Lost the race: someone else took the last units between reading the cart and buying."""


class CartChanged(CheckoutError):
    """The cart changed (or was checked out) by another request while this one was placing it."""


class ShopBusy(CheckoutError):
    """Gave up waiting for a database lock; the shopper may simply try again."""


class CartMismatch(CheckoutError):
    """The cart is not the one the shopper confirmed (changed in another tab): nothing placed.

    ``summary`` is the cart as it is now, to show the shopper for a fresh confirmation.
    """

    def __init__(self, message: str, summary):
        super().__init__(message)
        self.summary = summary


class IdempotencyKeyReused(CheckoutError):
    """The idempotency key already placed an order from a different request body."""


class DiscountInvalid(CheckoutError):
    """The applied discount code stopped applying (expired, used up, below its minimum spend)."""
