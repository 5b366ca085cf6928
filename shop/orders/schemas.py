"""Checkout input (API body and HTML form alike) and orders out."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from ..cart.schemas import LineSchema
from ..schemas import FullMatch, Text, UtcDateTime
from .carriers import tracking_url
from .delivery import DEFAULT_DELIVERY, DELIVERY_METHODS

COUNTRIES = {
    "GB": "United Kingdom", "IE": "Ireland", "FR": "France", "DE": "Germany",
    "NL": "Netherlands", "BE": "Belgium",
}  # fmt: skip
MESSAGES = {
    "name": "Enter your name (up to 120 characters).",
    "email": "Enter an e-mail address like name@example.com.",
    "line1": "Enter the first line of the address (up to 100 characters).",
    "line2": "Use up to 100 characters.",
    "city": "Enter the town or city (up to 60 characters).",
    "postal_code": "Enter a valid postcode.",
    "country": "We deliver to "
    + ", ".join(f"{name} ({code})" for code, name in COUNTRIES.items())
    + ".",
    "delivery": "Choose " + " or ".join(DELIVERY_METHODS) + ".",
    "address": "Must be an object with line1, line2, city, postal_code and country.",
    "cart_fingerprint": "Use the fingerprint GET /api/cart answers (16 hexadecimal digits).",
}
IDEMPOTENCY_KEY = FullMatch(r"^[\x21-\x7e]{1,100}$")


class _Stripped(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _strip(self, data, **_kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


def _text(name: str, maximum: int, minimum: int = 1, **kwargs) -> Text:
    return Text(
        validate=validate.Length(min=minimum, max=maximum, error=MESSAGES[name]), **kwargs
    )


class AddressSchema(_Stripped):
    line1 = _text("line1", 100, required=True)
    line2 = _text("line2", 100, minimum=0, load_default="")
    city = _text("city", 60, required=True)
    postal_code = Text(
        required=True,
        validate=FullMatch(
            r"^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$", error=MESSAGES["postal_code"]
        ),
    )
    country = Text(
        required=True, validate=validate.OneOf(COUNTRIES, error=MESSAGES["country"])
    )

    @pre_load
    def _upper(self, data, **_kwargs):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("country", "postal_code"):
                if isinstance(data.get(key), str):
                    data[key] = data[key].upper()
        return data


class _Address(fields.Nested):
    """The address object; anything else is refused under the name ``address`` itself."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError(MESSAGES["address"])
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class CheckoutSchema(_Stripped):
    """``POST /api/checkout``: who, where to, and how fast (``standard`` when left out)."""

    name = _text("name", 120, required=True)
    email = fields.Email(
        required=True,
        validate=validate.Length(max=254, error=MESSAGES["email"]),
        error_messages={"invalid": MESSAGES["email"]},
    )
    address = _Address(AddressSchema, required=True)
    delivery = Text(
        load_default=DEFAULT_DELIVERY,
        validate=validate.OneOf(DELIVERY_METHODS, error=MESSAGES["delivery"]),
    )
    cart_fingerprint = Text(
        load_default=None,
        validate=FullMatch(r"^[0-9a-f]{16}$", error=MESSAGES["cart_fingerprint"]),
        metadata={"description": "Recommended: the `fingerprint` of the cart the shopper "
                  "confirmed (from `GET /api/cart`). When the cart has changed since, nothing "
                  "is placed and the answer is 409 with the cart as it is now (`cart`)."},
    )


class OrderLineSchema(LineSchema):
    """A snapshot line: the cart line's fields as they were when the order was placed."""


class OrderAddressSchema(Schema):
    line1 = fields.String()
    line2 = fields.String()
    city = fields.String()
    postal_code = fields.String()
    country = fields.String()


class ShopperRefundSchema(Schema):
    amount = fields.Decimal(as_string=True, places=2)
    reason = fields.String()
    created_at = UtcDateTime()


class OrderSchema(Schema):
    number = fields.String()
    status = fields.String()
    payment_status = fields.String()
    name = fields.String()
    email = fields.String()
    address = fields.Nested(OrderAddressSchema)
    delivery = fields.String()
    subtotal = fields.Decimal(as_string=True, places=2)
    shipping = fields.Decimal(as_string=True, places=2)
    discount_code = fields.String(allow_none=True)
    discount = fields.Decimal(as_string=True, places=2)
    total = fields.Decimal(as_string=True, places=2)
    created_at = UtcDateTime()
    carrier = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    tracking_url = fields.Function(lambda order: tracking_url(order.carrier, order.tracking_number),
                                   metadata={"type": "string", "nullable": True,
                                             "description": "The carrier's tracking page, for a known carrier."})
    shipped_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    refunded = fields.Decimal(as_string=True, places=2)
    refunds = fields.List(fields.Nested(ShopperRefundSchema))
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderListSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class OrderListArgs(Schema):
    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))
