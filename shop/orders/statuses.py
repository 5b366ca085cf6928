"""The states an order and its payment can be in.

``StrEnum``s: each member *is* its string, so the columns stay plain ``String(20)`` holding the
same words as before ("placed", "pending", ...) and JSON and templates see those words.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """Where the order is in its life; today every order stays "placed" once made."""

    PLACED = "placed"


class PaymentStatus(StrEnum):
    """What the payment provider says (``shop.orders.payment``); "pending" until one is wired."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
