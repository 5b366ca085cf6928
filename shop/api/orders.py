"""Checkout and orders: ``POST /api/checkout``, ``GET /api/orders``, ``GET /api/orders/<number>``.

A repeated ``POST /api/checkout`` with the same ``Idempotency-Key`` header returns the order the
first one placed (200 with ``Idempotent-Replayed: true``) instead of placing another; the same key
with a different body is a 422. With ``cart_fingerprint`` (recommended) a cart changed since the
shopper saw it is a 409 whose problem carries the cart as it is now (``cart``).
"""

from __future__ import annotations

import re

from flask import request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE

from ..cart.context import current_owner
from ..cart.schemas import CartSchema
from ..errors import abort_with, error_response, http_status
from ..extensions import csrf, db
from ..orders import service
from ..orders.checkout import place_for_current_shopper
from ..orders.schemas import CheckoutSchema, OrderListArgs, OrderListSchema, OrderSchema
from .cart import require_json

blp = Blueprint("orders_api", __name__, url_prefix="/api", description="Checkout and orders")
csrf.exempt(blp)
blp.before_request(require_json)

KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,100}")  # used with fullmatch


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        abort_with(400, "The Idempotency-Key header must be 1 to 100 visible ASCII characters.")
    return key


#: OpenAPI link: the order a checkout answers can be read back (walked by the stateful fuzzing).
ORDER_LINKS = {"GetOrder": {"operationRef": "#/paths/~1api~1orders~1{number}/get",
                            "parameters": {"number": "$response.body#/number"},
                            "description": "The order just placed (or replayed)."}}


@blp.route("/checkout", methods=["POST"])
@blp.arguments(CheckoutSchema, error_status_code=422, unknown=RAISE)
@blp.response(201, OrderSchema)
@blp.alt_response(
    200, schema=OrderSchema, description="Replay: the order this Idempotency-Key placed."
)
@blp.alt_response(400, description="A malformed Idempotency-Key header.")
@blp.alt_response(
    409, description="Empty cart, a line not buyable, the last units were just sold, or the cart "
    "is not the one `cart_fingerprint` names (the problem's `cart` is the cart as it is now)."
)
@blp.alt_response(415, description="The body is not JSON.")
@blp.alt_response(
    422, description="Invalid name, e-mail, address or delivery (problem details name each), or "
    "an Idempotency-Key already used with a different body."
)
@blp.alt_response(503, description="The shop is too busy to place the order now; retry.")
@blp.doc(responses={201: {"links": ORDER_LINKS}, 200: {"links": ORDER_LINKS}})
def checkout(data):
    """Place an order from the cart; payment is not taken (it stays ``pending``)."""
    key = idempotency_key()
    try:
        placed = place_for_current_shopper(data, key)
    except service.CartMismatch as exc:
        return error_response(409, exc.message, cart=CartSchema().dump(exc.summary))
    except service.CheckoutError as exc:
        status = http_status(exc)
        abort_with(status, exc.message, headers={"Retry-After": "2"} if status == 503 else None)
    order = placed.order
    headers = {"Location": url_for("orders_api.get_order", number=order.number)}
    if not placed.created:
        return order, 200, {**headers, "Idempotent-Replayed": "true"}
    return order, 201, headers


@blp.route("/orders")
@blp.arguments(OrderListArgs, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, OrderListSchema)
def list_orders(args):
    """The shopper's orders, newest first (the account's, and this browser's guest orders)."""
    owner = current_owner()
    page, per_page = args["page"], args["per_page"]
    return {
        "items": service.list_orders(
            db.session, owner, limit=per_page, offset=(page - 1) * per_page
        ),
        "total": service.count_orders(db.session, owner),
        "page": page,
        "per_page": per_page,
    }


@blp.route("/orders/<number>")
@blp.response(200, OrderSchema)
@blp.alt_response(404, description="No such order, or not yours.")
def get_order(number: str):
    order = service.get_order(db.session, current_owner(), number)
    if order is None:
        abort_with(404, "There is no order with that number.")
    return order
