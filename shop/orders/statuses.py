"""The states an order and its payment can be in, defined once for every feature.

``StrEnum``s: each member *is* its string, so the columns stay plain ``String(20)`` holding
these words, and JSON and templates see them. Which status may follow which is the transition
table in ``shop.orders.workflow``.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """Where the order is in its life: pending → paid → shipped → delivered, or cancelled."""

    PENDING = "pending"  # placed, not paid yet (where checkout starts every order)
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


ORDER_STATUSES: tuple[str, ...] = tuple(status.value for status in OrderStatus)


class PaymentStatus(StrEnum):
    """What the payment provider says (``shop.orders.payment``); "pending" until one is wired."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"


def initial_status(payment_status: str) -> OrderStatus:
    """The status a new order starts in: paid when the provider already says so."""
    return OrderStatus.PAID if payment_status == PaymentStatus.PAID else OrderStatus.PENDING
