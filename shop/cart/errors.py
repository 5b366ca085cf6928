"""What the cart refuses, as domain errors (no HTTP status: the web layer picks one)."""

from __future__ import annotations


class CartError(Exception):
    """A request the cart refuses; ``message`` is for the shopper.

    No HTTP here: the pages and the API map each class to a status (``shop.errors.http_status``).
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownVariant(CartError):
    """No variant has that SKU."""


class UnknownLine(CartError):
    """The line is not in this shopper's cart."""


class ProductUnavailable(CartError):
    """The product is no longer sold."""


class NotEnoughStock(CartError):
    """More than is in stock was asked for; ``available`` says how many there are."""

    def __init__(self, message: str, available: int):
        super().__init__(message)
        self.available = available


class QuantityOutOfRange(CartError):
    """A quantity outside 1 to ``MAX_QUANTITY`` for one line."""


class CartBusy(CartError):
    """The same cart kept changing under this request (several tabs at once)."""
