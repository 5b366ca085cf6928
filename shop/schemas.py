"""Query-string and field schemas shared by the storefront pages and the JSON API.

Neutral ground: pages (``shop.storefront``, ``shop.orders``) and the API (``shop.api``) both import
from here, so neither has to import the other.
"""

from __future__ import annotations

import datetime as dt
import re

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

#: Never text: NUL and the other C0 controls (tab, line feed and carriage return aside) and DEL.
#: PostgreSQL refuses a NUL in a string (a 500 if it gets that far); the rest only hide or garble.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Line breaks: text only where several lines make sense (none of the shop's fields so far).
LINE_BREAKS = re.compile(r"[\r\n]")
#: Invisible characters that reorder or disguise what is shown: the bidi embeddings, overrides
#: and isolates (U+202A-U+202E, U+2066-U+2069) and the byte-order mark U+FEFF. Stripped from
#: names and addresses, where they can only spoof what an order or a label reads.
INVISIBLE_FORMATTING = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff]")
CONTROL_MESSAGE = "Must not contain control characters."


def has_control_characters(text: str, *, multiline: bool = True) -> bool:
    """The one text rule of every boundary (fields, path, query, form and JSON body)."""
    return bool(CONTROL_CHARACTERS.search(text) or (not multiline and LINE_BREAKS.search(text)))


class Text(fields.String):
    """A string from outside: no control characters, and no bidi overrides or BOMs.

    ``multiline=False`` (the default) also refuses line breaks. Use it (not ``fields.String``)
    for every string a request sends, so nothing the database or a page would choke on or be
    fooled by gets past the schema.
    """

    default_error_messages = {"control": CONTROL_MESSAGE}

    def __init__(self, *args, multiline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_control_characters(text, multiline=self.multiline):
            raise self.make_error("control")
        return INVISIBLE_FORMATTING.sub("", text)


class FullMatch(validate.Regexp):
    """A pattern the whole value must match: ``re.match`` with ``$`` lets ``"home\\n"`` through.

    The pattern keeps its ``^...$`` for the OpenAPI document (JSON Schema has no ``\\Z``).
    """

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class BoundedDecimal(fields.Decimal):
    """A decimal checked against its bounds as sent, then rounded to ``places``.

    ``100000.00000000001`` is above a maximum of 100000 although it rounds to it: the bounds the
    OpenAPI document states hold for the number the client sent.
    """

    def __init__(self, low, high, *, places: int, **kwargs):
        self.bounds = validate.Range(min=low, max=high)
        super().__init__(places=places, validate=self.bounds, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        exact = fields.Decimal()._deserialize(value, attr, data, **kwargs)
        self.bounds(exact)
        return super()._deserialize(value, attr, data, **kwargs)


class ChoiceList(fields.List):
    """Repeated parameters or one comma-separated value: ``a=x&a=y`` or ``a=x,y``."""

    is_multiple = True

    def __init__(self, choices, **kwargs):
        super().__init__(Text(validate=validate.OneOf(choices)), load_default=list, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        parts = [p.strip() for item in value for p in str(item).split(",") if p.strip()]
        return super()._deserialize(parts, attr, data, **kwargs)


def _filter_field(spec: Attribute) -> fields.Field:
    """A registry attribute as a query parameter: a flag is ``true``, words are a ChoiceList."""
    if spec.type == "flag":
        return fields.Boolean(
            load_default=False, metadata={"description": f"Only products that are {spec.label.lower()}."}
        )
    return ChoiceList(spec.codes)


_SIZES = ATTRIBUTES["size_eu"]


class _ProductQueryArgs(Schema):
    """The fixed parameters; the attribute filters are added from the registry below."""

    class Meta:
        unknown = RAISE

    q = Text(validate=validate.Length(max=100), load_default=None)
    category = Text(validate=FullMatch(r"^[a-z0-9-]{1,80}$"), load_default=None)
    min_price = BoundedDecimal(0, 100000, places=2, load_default=None)
    max_price = BoundedDecimal(0, 100000, places=2, load_default=None)
    size = BoundedDecimal(_SIZES.minimum, _SIZES.maximum, places=1, load_default=None)
    width = ChoiceList(ATTRIBUTES["width"].codes)
    in_stock = fields.Boolean(load_default=False)
    sort = Text(validate=validate.OneOf(SORTS), load_default="relevance")
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

    topic = Text(validate=FullMatch(r"^[a-z0-9-]{1,60}$"), load_default=None)


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
