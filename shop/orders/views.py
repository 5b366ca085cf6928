"""Checkout form, order confirmation and order history pages; thin over ``service``."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..cart.context import current_owner, minicart
from ..cart.summary import CartSummary
from ..extensions import db
from ..models import User
from . import bp, service
from .carriers import tracking_url
from .checkout import place_for_current_shopper
from .delivery import DEFAULT_DELIVERY, DELIVERY_METHODS
from .schemas import COUNTRIES, IDEMPOTENCY_KEY, CheckoutSchema

ADDRESS_FIELDS = ("line1", "line2", "city", "postal_code", "country")
PER_PAGE = 20


def _see(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _prefill() -> dict:
    owner = current_owner()
    user = db.session.get(User, owner.user_id) if owner.user_id is not None else None
    return {"name": user.name, "email": user.email} if user else {}


def _render_form(values: dict, errors: dict, key: str, status: int = 200, *,
                 cart: CartSummary | None = None, changed: str | None = None):
    """The form beside the cart it orders; ``changed`` says why the cart needs confirming again."""
    cart = minicart() if cart is None else cart
    options = [
        (option, option.price_for(cart.subtotal)) for option in DELIVERY_METHODS.values()
    ]
    return render_template(
        "checkout/checkout.html",
        cart=cart,
        values=values,
        errors=errors,
        key=key,
        options=options,
        countries=COUNTRIES,
        changed=changed,
    ), status


def _field_errors(messages: dict) -> dict[str, str]:
    """``{"address": {"city": [...]}}`` → ``{"city": "..."}``: one message per form field."""
    errors = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            errors.update(_field_errors(value))
        else:
            errors[name] = " ".join(value) if isinstance(value, list) else str(value)
    return errors


@bp.app_template_global("order_tracking_url")
def order_tracking_url(order) -> str | None:
    """The carrier's page for the order's parcel (None until shipped, or for an unknown carrier)."""
    return tracking_url(order.carrier, order.tracking_number)


@bp.get("/checkout")
def checkout():
    if minicart().empty:
        flash("Your cart is empty, so there is nothing to check out yet.", "info")
        return _see("cart.show")
    values = {"country": "GB", "delivery": DEFAULT_DELIVERY, **_prefill()}
    return _render_form(values, {}, secrets.token_urlsafe(18))


@bp.post("/checkout")
def place():
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    key = form.pop("idempotency_key", "")
    try:
        IDEMPOTENCY_KEY(key)
    except ValidationError:
        abort(
            400,
            description="The checkout form is incomplete; please reload the page and try again.",
        )
    payload = {name: form.pop(name) for name in list(form) if name not in ADDRESS_FIELDS}
    payload["address"] = form
    try:
        data = CheckoutSchema().load(payload)
    except ValidationError as exc:
        values = {**request.form.to_dict()}
        return _render_form(values, _field_errors(exc.messages), key, 422)
    try:
        placed = place_for_current_shopper(data, key)
    except service.CartMismatch as exc:
        values = {**request.form.to_dict()}
        return _render_form(values, {}, key, 409, cart=exc.summary, changed=exc.message)
    except service.CheckoutError as exc:
        flash(exc.message, "error")
        return _see("cart.show")
    order = placed.order
    if placed.payment is not None and placed.payment.redirect_url:
        return redirect(placed.payment.redirect_url, code=303)
    return _see("orders.confirmation", number=order.number)


@bp.get("/orders/<number>")
def confirmation(number: str):
    order = service.get_order(db.session, current_owner(), number)
    if order is None:
        abort(404, description="We could not find that order.")
    return render_template(
        "orders/confirmation.html",
        order=order,
        delivery=DELIVERY_METHODS.get(order.delivery),
        countries=COUNTRIES,
    )


@bp.get("/orders")
def history():
    owner = current_owner()
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 10000)
    orders = service.list_orders(db.session, owner, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    total = service.count_orders(db.session, owner)
    return render_template(
        "orders/history.html",
        orders=orders,
        page=page,
        total=total,
        pages=max(1, -(-total // PER_PAGE)),
        logged_in=owner.user_id is not None,
    )
