"""Read orders as WooCommerce's REST API v3 returns them (``GET /wp-json/wc/v3/orders``).

One or more saved pages, each a JSON array of orders. Only the fields a purchase history
needs are read (the API returns many more; they are ignored). Orders that were cancelled,
refunded or failed are not purchases; a status this reader does not know is an error
rather than a guess. All or nothing, like the product reader: every problem is reported
with its file and JSON position, and nothing is returned when there is one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from .types import OrderHistory, Problem, Purchase, PurchaseLine, WooCommerceFileError

PURCHASE_STATUSES = ("pending", "processing", "on-hold", "completed")
NOT_PURCHASE_STATUSES = ("cancelled", "refunded", "failed", "trash", "checkout-draft")


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class LineItemSchema(_Strict):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    variation_id = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    sku = fields.String(load_default="", allow_none=True)
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=100_000)
    )
    price = fields.Decimal(required=True, validate=validate.Range(min=0))

    @post_load
    def to_line(self, data, **kwargs) -> PurchaseLine:
        return PurchaseLine(
            product_id=data["product_id"],
            variation_id=data["variation_id"] or None,
            sku=(data["sku"] or "").strip() or None,
            quantity=data["quantity"],
            price=data["price"],
        )


def _email_or_blank(value: str | None) -> None:
    """Guest and imported orders may have no e-mail; one that is given must be one."""
    if value and value.strip():
        validate.Email(error="not an e-mail address: {input}")(value.strip())


class BillingSchema(_Strict):
    email = fields.String(load_default="", allow_none=True, validate=_email_or_blank)

    @post_load
    def to_email(self, data, **kwargs) -> str | None:
        return (data["email"] or "").strip() or None


class OrderSchema(_Strict):
    id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    status = fields.String(
        required=True, validate=validate.OneOf(PURCHASE_STATUSES + NOT_PURCHASE_STATUSES)
    )
    date_created_gmt = fields.NaiveDateTime(required=True)
    customer_id = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    billing = fields.Nested(BillingSchema, load_default=dict)
    line_items = fields.List(fields.Nested(LineItemSchema), required=True)

    @post_load
    def to_purchase(self, data, **kwargs) -> Purchase:
        billing = data["billing"]
        return Purchase(
            order_id=data["id"],
            status=data["status"],
            created_at=data["date_created_gmt"].replace(tzinfo=dt.UTC),
            customer_id=data["customer_id"] or None,
            email=billing if isinstance(billing, str) else None,
            lines=tuple(data["line_items"]),
        )


def read_orders(paths: Iterable[str | Path]) -> OrderHistory:
    """Read saved API pages in the order given; raise WooCommerceFileError on any problem."""
    pages = []
    for path in paths:
        try:
            pages.append((str(path), Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise WooCommerceFileError([Problem(None, "", str(exc), file=str(path))]) from exc
    return parse_orders(pages)


def parse_orders(pages: Iterable[tuple[str, str]]) -> OrderHistory:
    """``pages`` are (name, JSON text) pairs; problems name the page and the JSON path."""
    problems: list[Problem] = []
    orders: dict[int, tuple[str, Purchase]] = {}
    schema = OrderSchema()
    for name, text in pages:
        try:
            document = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            problems.append(Problem(exc.lineno, "", f"not JSON: {exc.msg}", file=name))
            continue
        if not isinstance(document, list):
            problems.append(
                Problem(None, "", "expected a JSON array of orders (one API page)", file=name)
            )
            continue
        for i, raw in enumerate(document):
            if not isinstance(raw, dict):
                problems.append(Problem(None, "", "not an object", file=name, path=f"[{i}]"))
                continue
            try:
                order = schema.load(raw)
            except ValidationError as exc:
                problems.extend(
                    Problem(None, "", message, file=name, path=f"[{i}].{path}")
                    for path, message in _flatten(exc.messages)
                )
                continue
            if order.order_id in orders:
                first = orders[order.order_id][0]
                problems.append(
                    Problem(
                        None,
                        "",
                        f"order {order.order_id} is also in {first}",
                        file=name,
                        path=f"[{i}].id",
                    )
                )
                continue
            orders[order.order_id] = (name, order)
    if problems:
        raise WooCommerceFileError(problems)
    kept = sorted((order for _, order in orders.values()), key=lambda o: (o.created_at, o.order_id))
    return OrderHistory(
        purchases=tuple(o for o in kept if o.status in PURCHASE_STATUSES),
        not_purchases=tuple(
            (o.order_id, o.status) for o in kept if o.status in NOT_PURCHASE_STATUSES
        ),
    )


def _flatten(messages, prefix="") -> list[tuple[str, str]]:
    """marshmallow's nested errors as ("line_items[1].quantity", message) pairs."""
    pairs = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(_flatten(value, name))
    elif isinstance(messages, list):
        for message in messages:
            pairs.extend(
                _flatten(message, prefix)
                if isinstance(message, (dict, list))
                else [(prefix, str(message))]
            )
    else:
        pairs.append((prefix, str(messages)))
    return pairs
