"""What the order and customer pages and ``/api/admin/orders`` accept and answer."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..orders.carriers import tracking_url
from ..orders.schemas import OrderAddressSchema, OrderLineSchema
from ..orders.statuses import ORDER_STATUSES
from ..orders.workflow import ACTIONS, available
from ..schemas import FullMatch, Text, UtcDateTime
from .schemas import AuditEntrySchema

MONEY = validate.Range(min=Decimal("0"), max=Decimal("99999999.99"), error="Enter an amount between 0 and 99999999.99.")


def _money(**kwargs) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, **kwargs)


class OrderQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    status = Text(validate=validate.OneOf(ORDER_STATUSES, error="Choose one of: " + ", ".join(ORDER_STATUSES) + "."))
    since = fields.Date(metadata={"description": "Placed on or after this day (YYYY-MM-DD, UTC)."},
                        error_messages={"invalid": "Enter a date like 2026-12-01."})
    until = fields.Date(metadata={"description": "Placed on or before this day (YYYY-MM-DD, UTC)."},
                        error_messages={"invalid": "Enter a date like 2026-12-01."})
    customer = Text(validate=validate.Length(max=254), metadata={"description": "Part of the e-mail or name."})
    total_min = _money(validate=MONEY, error_messages={"invalid": "Enter an amount like 25.00."})
    total_max = _money(validate=MONEY, error_messages={"invalid": "Enter an amount like 25.00."})
    q = Text(validate=validate.Length(max=32), metadata={"description": "Part of the order number."})
    page = fields.Integer(validate=validate.Range(min=1, max=100000), load_default=1)
    per_page = fields.Integer(validate=validate.Range(min=1, max=200), load_default=50)

    @validates_schema
    def _ranges(self, data, **_kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The end date is before the start date.", "until")
        if (data.get("total_min") is not None and data.get("total_max") is not None
                and data["total_min"] > data["total_max"]):
            raise ValidationError("The largest total is below the smallest.", "total_max")


class ExportQuerySchema(OrderQuerySchema):
    """The list's filters; paging is ignored (the export has every matching order)."""


class RefundSchema(Schema):
    id = fields.Integer(dump_only=True)
    amount = _money(required=True, validate=validate.Range(min=Decimal("0.01"), max=Decimal("99999999.99"),
                                                            error="Enter an amount of at least 0.01."),
                    error_messages={"required": "Enter the amount to refund.",
                                    "invalid": "Enter an amount like 12.50."})
    reason = Text(required=True, validate=validate.Length(min=3, max=500, error="Say why, in 3 to 500 characters."),
                  error_messages={"required": "Say why the money is given back."})
    staff_email = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)

    class Meta:
        unknown = RAISE


TRACKING = FullMatch(r"^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$",
                     error="Enter the tracking number: 4 to 40 letters, digits, spaces or dashes.")


class TransitionSchema(Schema):
    class Meta:
        unknown = RAISE

    action = Text(required=True, validate=validate.OneOf(ACTIONS, error="Choose one of: " + ", ".join(ACTIONS) + "."),
                  error_messages={"required": "Say what to do: " + ", ".join(ACTIONS) + "."})
    carrier = Text(load_default=None,
                   validate=validate.Length(min=2, max=40, error="Name the carrier (2 to 40 characters)."),
                   metadata={"description": "Shipping only."})
    tracking_number = Text(load_default=None, validate=TRACKING, metadata={"description": "Shipping only."})

    @validates_schema
    def _shipping_needs_tracking(self, data, **_kwargs):
        if data.get("action") != "ship":
            return
        errors = {}
        if not data.get("carrier"):
            errors["carrier"] = ["Name the carrier."]
        if not data.get("tracking_number"):
            errors["tracking_number"] = ["Enter the tracking number."]
        if errors:
            raise ValidationError(errors)


class AdminOrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    payment_status = fields.String()
    name = fields.String()
    email = fields.String()
    user_id = fields.Integer(allow_none=True)
    address = fields.Nested(OrderAddressSchema)
    delivery = fields.String()
    subtotal = _money()
    shipping = _money()
    discount_code = fields.String(allow_none=True)
    discount = _money()
    total = _money()
    refunded = _money()
    carrier = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    tracking_url = fields.Function(lambda o: tracking_url(o.carrier, o.tracking_number),
                                   metadata={"type": "string", "nullable": True})
    created_at = UtcDateTime()
    shipped_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    actions = fields.Function(lambda o: [step.action.value for step in available(o.status)],
                              metadata={"type": "array", "items": {"type": "string"}})
    lines = fields.List(fields.Nested(OrderLineSchema))
    refunds = fields.List(fields.Nested(RefundSchema))


class AdminOrderDetailSchema(AdminOrderSchema):
    history = fields.List(fields.Nested(AuditEntrySchema), metadata={"description": "The audit entries of this order."})


class AdminOrderPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    orders = fields.List(fields.Nested(AdminOrderSchema(exclude=("lines", "refunds"))))
