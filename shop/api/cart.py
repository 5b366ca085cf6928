"""Cart endpoints: the visitor's (or account's) cart and its lines.

Writes accept only ``application/json``: with the session cookie as the only credential, that is
what keeps a cross-site form from posting here (such a form cannot send JSON without a CORS
preflight), so these endpoints can be exempt from the form CSRF token.
"""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import RAISE

from .. import events
from ..cart import service
from ..cart.context import current_owner
from ..cart.schemas import AddItemSchema, CartSchema, DiscountCodeSchema, QuantitySchema
from ..discounts import service as discounts
from ..discounts.rules import DiscountError
from ..errors import abort_with, http_status
from ..extensions import csrf, db

blp = Blueprint("cart_api", __name__, url_prefix="/api", description="The shopper's cart")
csrf.exempt(blp)

WRITE_METHODS = {"POST", "PUT", "PATCH"}


def require_json() -> None:
    """415 for a write whose body is not declared as JSON (shared by the orders API)."""
    if request.method in WRITE_METHODS and not request.is_json:
        abort_with(415, "Send a JSON body with Content-Type: application/json.")


blp.before_request(require_json)


#: OpenAPI links: a line of the cart an add answers can be changed or removed next (the
#: stateful fuzzing in tests/hardening walks them: add -> change -> checkout -> order).
LINE = "#/paths/~1api~1cart~1items~1{item_id}/"
FIRST_LINE = {"item_id": "$response.body#/items/0/id"}
LINE_LINKS = {
    "ChangeLine": {"operationRef": LINE + "patch", "parameters": FIRST_LINE,
                   "description": "Set the quantity of the cart's first line."},
    "RemoveLine": {"operationRef": LINE + "delete", "parameters": FIRST_LINE,
                   "description": "Remove the cart's first line."},
}


def _summary():
    return service.get_summary(db.session, current_owner())


@blp.route("/cart")
@blp.response(200, CartSchema)
def get_cart():
    """The cart: lines, item count, subtotal; ``message`` says when it is empty."""
    return _summary()


@blp.route("/cart", methods=["DELETE"])
@blp.response(200, CartSchema)
def empty_cart():
    """Remove every line."""
    for change in service.clear(db.session, current_owner()):
        events.record("uncart", change.product_slug, context=change.sku)
    return _summary()


@blp.route("/cart/items", methods=["POST"])
@blp.arguments(AddItemSchema, error_status_code=422, unknown=RAISE)
@blp.response(201, CartSchema)
@blp.alt_response(
    200, schema=CartSchema, description="The SKU was already in the cart: quantity added."
)
@blp.alt_response(404, description="No variant with that SKU.")
@blp.alt_response(
    409, description="Not enough stock for the quantity asked for (nothing was added)."
)
@blp.alt_response(415, description="The body is not JSON.")
@blp.alt_response(422, description="Invalid body, or the product is no longer sold.")
@blp.doc(responses={201: {"links": LINE_LINKS}, 200: {"links": LINE_LINKS}})
def add_item(data):
    """Put a variant (by SKU) in the cart; the guest cart is made on first add."""
    try:
        change = service.add_item(
            db.session, current_owner(create=True), data["sku"], data["quantity"]
        )
    except service.CartError as exc:
        abort_with(http_status(exc), exc.message)
    events.record("cart", change.product_slug, context=change.sku)
    return _summary(), 201 if change.created else 200


@blp.route("/cart/items/<int:item_id>", methods=["PATCH"])
@blp.arguments(QuantitySchema, error_status_code=422, unknown=RAISE)
@blp.response(200, CartSchema)
@blp.alt_response(404, description="No such line in this cart.")
@blp.alt_response(409, description="Not enough stock.")
def update_item(data, item_id: int):
    """Set a line's quantity."""
    try:
        service.set_quantity(db.session, current_owner(), item_id, data["quantity"])
    except service.CartError as exc:
        abort_with(http_status(exc), exc.message)
    return _summary()


@blp.route("/cart/items/<int:item_id>", methods=["DELETE"])
@blp.response(200, CartSchema)
@blp.alt_response(404, description="No such line in this cart.")
def delete_item(item_id: int):
    """Remove a line."""
    try:
        change = service.remove_item(db.session, current_owner(), item_id)
    except service.CartError as exc:
        abort_with(http_status(exc), exc.message)
    events.record("uncart", change.product_slug, context=change.sku)
    return _summary()


@blp.route("/cart/discount", methods=["POST"])
@blp.arguments(DiscountCodeSchema, error_status_code=422, unknown=RAISE)
@blp.response(200, CartSchema)
@blp.alt_response(415, description="The body is not JSON.")
@blp.alt_response(
    422, description="Unknown code, not valid yet, expired, used up, or the cart is below the "
    "code's minimum spend (the detail says which; the cart is unchanged)."
)
def apply_discount(data):
    """Apply a discount code to the cart (replacing any code applied before)."""
    try:
        return discounts.apply_code(db.session, current_owner(create=True), data["code"])
    except DiscountError as exc:
        abort_with(422, exc.message)


@blp.route("/cart/discount", methods=["DELETE"])
@blp.response(200, CartSchema)
def remove_discount():
    """Take the discount code off the cart."""
    return discounts.remove_code(db.session, current_owner())
