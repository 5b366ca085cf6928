"""Query-string schemas shared by the JSON API and the storefront pages; the API's problem details."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apispec import BasePlugin
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from catalog.queries import ProductQuery
from catalog.vocabulary import ATTRIBUTES, FILTERS, SORTS, Attribute

from ..errors import PROBLEM_JSON


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


def _counts() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer())


#: Products per value of each filter (a flag's count is under ``"true"``).
FacetsSchema = Schema.from_dict(
    {name: _counts() for name in ("category", *(spec.filter for spec in FILTERS), "size", "width", "in_stock")},
    name="FacetsSchema",
)


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


class InvalidParamSchema(Schema):
    name = fields.String(required=True, metadata={"description": "The parameter or body field, dotted."})
    reason = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details: the body of every API error (``application/problem+json``)."""

    class Meta:
        unknown = INCLUDE  # documented as open: a problem may carry extension members

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Not Found"})
    status = fields.Integer(required=True, metadata={"example": 404})
    detail = fields.String(metadata={"example": "No product 'trail-walker-9'."})
    invalid_params = fields.List(fields.Nested(InvalidParamSchema))


class ProblemResponsesPlugin(BasePlugin):
    """Document every error response of every operation as problem details.

    An ``alt_response`` without a schema gets the ``Problem`` schema; one documented as
    ``application/json`` is moved to ``application/problem+json``, the type the API answers with.
    """

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if not _is_error_status(status) or not isinstance(response, dict) or "$ref" in response:
                    continue
                content = response.setdefault("content", {})
                if "application/json" in content and PROBLEM_JSON not in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
                content.setdefault(PROBLEM_JSON, {"schema": "Problem"})


def _is_error_status(status) -> bool:
    return str(status) == "default" or (str(status).isdigit() and int(status) >= 400)


def decimal2properties(self, field, ret, **_kwargs) -> dict:
    """apispec attribute function: a ``Decimal`` documented as it travels.

    apispec calls every Decimal a number and writes its range bounds through the field, so
    ``Range(min=0)`` with ``places=2`` became the string ``"0.00"`` (not valid OpenAPI), and money
    sent as a string (``as_string=True``) was documented as a number. Bounds become numbers; a
    string decimal is a string with a pattern (its bounds kept as ``x-minimum``/``x-maximum``).
    """
    if not isinstance(field, fields.Decimal):
        return {}
    bounds = {key: ret.pop(key) for key in ("minimum", "maximum") if key in ret}
    if field.as_string:
        return {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
                **{f"x-{key}": str(value) for key, value in bounds.items()}}
    return {key: float(value) if isinstance(value, (Decimal, str)) else value for key, value in bounds.items()}


class UtcDateTime(fields.DateTime):
    """A timestamp the shop stores as naive UTC, sent with its offset as RFC 3339 requires."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)
