"""Placing the current shopper's order: shared by the checkout page and the JSON API."""

from __future__ import annotations

from flask import current_app

from .. import events
from ..cart.context import current_owner
from ..extensions import db
from . import service
from .payment import PaymentProvider, PendingPayment


def place_for_current_shopper(data: dict, idempotency_key: str | None) -> service.PlacedOrder:
    """Place the order (or return the one this key already made) and log the purchase events.

    Raises :class:`service.CheckoutError` like :func:`service.place_order`.
    """
    placed = service.place_order(
        db.session,
        current_owner(),
        service.CheckoutDetails(**data),
        idempotency_key=idempotency_key,
        payment=current_provider(),
    )
    if placed.created:
        order = placed.order
        for line in order.lines:
            events.record("purchase", line.product_slug, context=order.number, weight=line.quantity)
    return placed


def current_provider() -> PaymentProvider:
    """``PAYMENT_PROVIDER`` from the app config (an instance), else :class:`PendingPayment`."""
    provider = current_app.config.get("PAYMENT_PROVIDER")
    return provider if isinstance(provider, PaymentProvider) else PendingPayment()
