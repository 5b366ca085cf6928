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
from catalog.vocabulary import ATTRIBUTES, FILTERS, SORTS, Attribute


class ChoiceList(fields.List):
    """Repeated parameters or one comma-separated value: ``a=x&a=y`` or ``a=x,y``."""

    is_multiple = True

    def __init__(self, choices, **kwargs):
        super().__init__(fields.String(validate=validate.OneOf(choices)), load_default=list, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        parts = [p.strip() for item in value for p in str(item).split(",") if p.strip()]
        return super()._deserialize(parts, attr, data, **kwargs)


def _filter_field(spec: Attribute) -> fields.Field:
    """A registry attribute as a query parameter: a flag is ``true``, words are a ChoiceList."""
    if spec.type == "flag":
        return fields.Boolean(load_default=False, metadata={"description": f"Only products that are {spec.label.lower()}."})
    return ChoiceList(spec.codes)


_SIZES = ATTRIBUTES["size_eu"]


class _ProductQueryArgs(Schema):
    """The fixed parameters; the attribute filters are added from the registry below."""

    class Meta:
        unknown = RAISE

    q = fields.String(validate=validate.Length(max=100), load_default=None)
    category = fields.String(validate=validate.Regexp(r"^[a-z0-9-]{1,80}$"), load_default=None)
    min_price = fields.Decimal(validate=validate.Range(min=0, max=100000), load_default=None, places=2)
    max_price = fields.Decimal(validate=validate.Range(min=0, max=100000), load_default=None, places=2)
    size = fields.Decimal(validate=validate.Range(min=_SIZES.minimum, max=_SIZES.maximum), load_default=None, places=1)
    width = ChoiceList(ATTRIBUTES["width"].codes)
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


ProductQueryArgs = _ProductQueryArgs.from_dict(
    {spec.filter: _filter_field(spec) for spec in FILTERS}, name="ProductQueryArgs"
)


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
