"""Query-string and field schemas shared by the storefront pages and the JSON API.

Neutral ground: pages (``shop.storefront``, ``shop.orders``) and the API (``shop.api``) both import
from here, so neither has to import the other.
"""

from __future__ import annotations

import datetime as dt

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from catalog.queries import ProductQuery
from catalog.vocabulary import (
    CONDITIONS,
    LEVELS,
    MAX_SIZE_EU,
    MIN_SIZE_EU,
    SORTS,
    STABILITY,
    WIDTHS,
)


class ChoiceList(fields.List):
    """Repeated parameters or one comma-separated value: ``a=x&a=y`` or ``a=x,y``."""

    is_multiple = True

    def __init__(self, choices, **kwargs):
        item = fields.String(validate=validate.OneOf(choices))
        super().__init__(item, load_default=list, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        parts = [p.strip() for item in value for p in str(item).split(",") if p.strip()]
        return super()._deserialize(parts, attr, data, **kwargs)


PRICE_RANGE = validate.Range(min=0, max=100000)


class ProductQueryArgs(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(validate=validate.Length(max=100), load_default=None)
    category = fields.String(validate=validate.Regexp(r"^[a-z0-9-]{1,80}$"), load_default=None)
    min_price = fields.Decimal(validate=PRICE_RANGE, load_default=None, places=2)
    max_price = fields.Decimal(validate=PRICE_RANGE, load_default=None, places=2)
    arch_support = ChoiceList(LEVELS)
    cushioning = ChoiceList(LEVELS)
    stability = ChoiceList(STABILITY)
    condition = ChoiceList(CONDITIONS)
    size = fields.Decimal(
        validate=validate.Range(min=MIN_SIZE_EU, max=MAX_SIZE_EU), load_default=None, places=1
    )
    width = ChoiceList(WIDTHS)
    in_stock = fields.Boolean(load_default=False)
    sort = fields.String(validate=validate.OneOf(SORTS), load_default="relevance")
    page = fields.Integer(validate=validate.Range(min=1, max=10000), load_default=1)
    per_page = fields.Integer(validate=validate.Range(min=1, max=60), load_default=12)

    @validates_schema
    def _price_range(self, data, **_kwargs):
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise ValidationError("Must not be below min_price.", "max_price")

    @post_load
    def _to_query(self, data, **_kwargs) -> ProductQuery:
        if data.get("q") is not None:
            data["q"] = data["q"].strip() or None
        return ProductQuery(**data)


class PageProductQueryArgs(ProductQueryArgs):
    """The storefront ignores parameters it does not know (tracking tags and the like)."""

    class Meta:
        unknown = EXCLUDE


class ArticleQueryArgs(Schema):
    class Meta:
        unknown = RAISE

    topic = fields.String(validate=validate.Regexp(r"^[a-z0-9-]{1,60}$"), load_default=None)


def load_args(schema: Schema, args) -> object:
    """Load a MultiDict of query parameters, repeated keys kept for list fields.

    An empty value means "not given": a submitted filter form sends its blank boxes.
    """
    data = {}
    for key in args:
        field = schema.fields.get(key)
        values = [value for value in args.getlist(key) if value.strip()]
        if values:
            data[key] = values if isinstance(field, fields.List) else values[-1]
    return schema.load(data)


class UtcDateTime(fields.DateTime):
    """A timestamp the shop stores as naive UTC, sent with its offset as RFC 3339 requires."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)
