"""The cart page and its form posts; thin: parse, call the service, flash, redirect."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from .. import events
from ..discounts import service as discounts
from ..discounts.rules import DiscountError
from ..errors import abort_with, http_status
from ..extensions import db
from ..orders.delivery import DEFAULT_DELIVERY, DELIVERY_METHODS
from . import bp, service
from .context import current_owner, minicart
from .schemas import AddItemFormSchema, DiscountCodeFormSchema, QuantityFormSchema

PRODUCT_FIELD = "product"  # the product page's slug, to go back to it after a refusal


@bp.app_context_processor
def _inject_minicart():
    return {"minicart": minicart, "empty_cart_message": service.EMPTY_MESSAGE}


def _see(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _back(form) -> object:
    """Back to the product page the form came from, else to the cart (never to a foreign URL)."""
    slug = form.get(PRODUCT_FIELD, "")
    if slug and len(slug) <= 120 and slug.replace("-", "").isalnum():
        return _see("storefront.product_detail", slug=slug)
    return _see("cart.show")


def _form_errors(exc: ValidationError) -> str:
    parts = []
    for name, messages in exc.messages.items():
        text = " ".join(messages) if isinstance(messages, list) else str(messages)
        parts.append(f"{name.replace('_', ' ').capitalize()}: {text}")
    return " ".join(parts)


def _refuse(exc: service.CartError, form):
    """Unknown things are error pages (404/422); stock and quantity are a flash and a way back."""
    if isinstance(exc, (service.UnknownVariant, service.UnknownLine, service.ProductUnavailable)):
        abort_with(http_status(exc), exc.message)
    flash(exc.message, "error")
    return _back(form)


@bp.get("/cart")
def show():
    """The cart page reads the cart itself: an unavailable database is a 503 here, not "empty"."""
    owner = current_owner(create=False)
    cart = service.get_summary(db.session, owner) if owner.known else service.CartSummary()
    delivery = DELIVERY_METHODS[DEFAULT_DELIVERY]  # shown here so the total is no surprise later
    return render_template("cart/cart.html", cart=cart, delivery=delivery,
                           delivery_price=delivery.price_for(cart.subtotal))


@bp.post("/cart/items")
def add():
    form = request.form.to_dict()
    back = form.pop(PRODUCT_FIELD, None)
    try:
        data = AddItemFormSchema().load(form)
    except ValidationError as exc:
        flash(_form_errors(exc), "error")
        return _back({PRODUCT_FIELD: back or ""})
    try:
        change = service.add_item(
            db.session, current_owner(create=True), data["sku"], data["quantity"]
        )
    except service.CartError as exc:
        return _refuse(exc, {PRODUCT_FIELD: back or ""})
    events.record("cart", change.product_slug, context=change.sku)
    flash(change.message, "success")
    return _see("cart.show")


@bp.post("/cart/items/<int:item_id>")
def update(item_id: int):
    try:
        data = QuantityFormSchema().load(request.form.to_dict())
    except ValidationError as exc:
        flash(_form_errors(exc), "error")
        return _see("cart.show")
    try:
        change = service.set_quantity(db.session, current_owner(), item_id, data["quantity"])
    except service.CartError as exc:
        return _refuse(exc, {})
    flash(change.message, "success")
    return _see("cart.show")


@bp.post("/cart/items/<int:item_id>/remove")
def remove(item_id: int):
    try:
        change = service.remove_item(db.session, current_owner(), item_id)
    except service.CartError as exc:
        return _refuse(exc, {})
    events.record("uncart", change.product_slug, context=change.sku)
    flash(change.message, "success")
    return _see("cart.show")


@bp.post("/cart/clear")
def clear():
    changes = service.clear(db.session, current_owner())
    for change in changes:
        events.record("uncart", change.product_slug, context=change.sku)
    flash("Your cart is now empty." if changes else service.EMPTY_MESSAGE, "success")
    return _see("cart.show")


@bp.post("/cart/discount")
def apply_discount():
    try:
        data = DiscountCodeFormSchema().load(request.form.to_dict())
    except ValidationError as exc:
        flash(_form_errors(exc), "error")
        return _see("cart.show")
    try:
        summary = discounts.apply_code(db.session, current_owner(create=True), data["code"])
    except DiscountError as exc:
        flash(exc.message, "error")
        return _see("cart.show")
    flash(f"Discount code {summary.discount_code} applied.", "success")
    return _see("cart.show")


@bp.post("/cart/discount/remove")
def remove_discount():
    discounts.remove_code(db.session, current_owner())
    flash("Discount code removed.", "success")
    return _see("cart.show")
