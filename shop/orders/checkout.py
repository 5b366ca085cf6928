"""Placing the current shopper's order: shared by the checkout page and the JSON API."""

from __future__ import annotations

import hashlib
import json

from flask import current_app

from .. import events
from ..cart.context import current_owner
from ..extensions import db
from ..mail.service import confirming_new_orders
from ..recommendations import experiments
from . import service
from .payment import PaymentProvider, PendingPayment


def place_for_current_shopper(data: dict, idempotency_key: str | None) -> service.PlacedOrder:
    """Place the order (or return the one this key already made) and log the purchase events.

    ``data`` is the loaded :class:`~shop.orders.schemas.CheckoutSchema`, ``cart_fingerprint``
    included. Raises :class:`service.CheckoutError` like :func:`service.place_order`.
    """
    details = dict(data)
    fingerprint = details.pop("cart_fingerprint", None)
    with confirming_new_orders(db.session):  # the confirmation e-mail commits with the order
        placed = service.place_order(
            db.session,
            current_owner(),
            service.CheckoutDetails(**details),
            idempotency_key=idempotency_key,
            request_hash=request_hash(data),
            cart_fingerprint=fingerprint,
            payment=current_provider(),
        )
    if placed.created:
        order = placed.order
        for line in order.lines:
            events.record("purchase", line.product_slug, context=order.number, weight=line.quantity)
        experiments.note_order(order)
    return placed


def request_hash(data: dict) -> str:
    """The checkout request as loaded (defaults filled in, text normalised), hashed."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_provider() -> PaymentProvider:
    """``PAYMENT_PROVIDER`` from the app config (an instance), else :class:`PendingPayment`."""
    provider = current_app.config.get("PAYMENT_PROVIDER")
    return provider if isinstance(provider, PaymentProvider) else PendingPayment()
