"""Marshmallow schemas of the cart: requests in (API and forms), the cart out."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..schemas import Text
from .service import MAX_QUANTITY

QUANTITY_MESSAGE = f"Must be a whole number from 1 to {MAX_QUANTITY}."
SKU_MESSAGE = "Must be 1 to 60 characters."


def _quantity(strict: bool, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=strict,
        validate=validate.Range(min=1, max=MAX_QUANTITY, error=QUANTITY_MESSAGE),
        error_messages={"invalid": QUANTITY_MESSAGE},
        **kwargs,
    )


class AddItemSchema(Schema):
    """``POST /api/cart/items``: a variant by SKU and how many (1 when left out)."""

    class Meta:
        unknown = RAISE

    sku = Text(required=True, validate=validate.Length(min=1, max=60, error=SKU_MESSAGE))
    quantity = _quantity(strict=True, load_default=1)


class QuantitySchema(Schema):
    """``PATCH /api/cart/items/<id>``: the line's new quantity."""

    class Meta:
        unknown = RAISE

    quantity = _quantity(strict=True, required=True)


class AddItemFormSchema(AddItemSchema):
    """The product page's form: the same rules; numbers arrive as text, the CSRF token is let by."""

    class Meta:
        unknown = RAISE

    quantity = _quantity(strict=False, load_default=1)
    csrf_token = fields.String(load_only=True)


class QuantityFormSchema(QuantitySchema):
    class Meta:
        unknown = RAISE

    quantity = _quantity(strict=False, required=True)
    csrf_token = fields.String(load_only=True)


class LineSchema(Schema):
    """What a cart line and an order line both show."""

    sku = fields.String()
    product_slug = fields.String()
    product_name = fields.String()
    variant_label = fields.String()
    unit_price = fields.Decimal(as_string=True, places=2)
    quantity = fields.Integer()
    line_total = fields.Decimal(as_string=True, places=2)


class CartLineSchema(LineSchema):
    id = fields.Integer()
    stock = fields.Integer()
    problem = fields.String(allow_none=True)


class CartSchema(Schema):
    """The cart as the API answers it; ``message`` reads "No products in the cart." when empty."""

    items = fields.List(fields.Nested(CartLineSchema), attribute="lines")
    item_count = fields.Integer()
    subtotal = fields.Decimal(as_string=True, places=2)
    discount_code = fields.String(allow_none=True, metadata={
        "description": "The applied code (null without one)."})
    discount = fields.Decimal(as_string=True, places=2, metadata={
        "description": "Money the code takes off now (0.00 when it does not apply)."})
    discount_problem = fields.String(allow_none=True, metadata={
        "description": "Why the applied code does not apply now (null when it does)."})
    total = fields.Decimal(as_string=True, places=2, metadata={
        "description": "Subtotal less discount; delivery is added at checkout."})
    message = fields.String(allow_none=True)
    problems = fields.List(fields.String())
    fingerprint = fields.String(metadata={
        "description": "The lines and prices as shown: send it as `cart_fingerprint` to "
                       "`POST /api/checkout` to order exactly this cart."})


class DiscountCodeSchema(Schema):
    """``POST /api/cart/discount``: the code to apply (case and surrounding spaces ignored)."""

    class Meta:
        unknown = RAISE

    code = Text(
        required=True, validate=validate.Length(min=1, max=40, error="Must be 1 to 40 characters.")
    )


class DiscountCodeFormSchema(DiscountCodeSchema):
    class Meta:
        unknown = RAISE

    csrf_token = fields.String(load_only=True)
