"""The API's own schemas: facet counts and RFC 9457 problem details.

Query arguments shared with the pages live in ``shop.schemas``.
"""

from __future__ import annotations

from decimal import Decimal

from apispec import BasePlugin
from marshmallow import INCLUDE, Schema, fields

from catalog.vocabulary import FILTERS

from ..errors import PROBLEM_JSON


def _counts() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer())


#: Products per value of each filter (a flag's count is under ``"true"``).
FacetsSchema = Schema.from_dict(
    {name: _counts() for name in ("category", *(spec.filter for spec in FILTERS), "size", "width", "in_stock")},
    name="FacetsSchema",
)


class InvalidParamSchema(Schema):
    name = fields.String(
        required=True, metadata={"description": "The parameter or body field, dotted."}
    )
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
    cart = fields.Dict(metadata={  # not Nested: Problem is documented before Decimal is fixed
        "description": "A checkout refused because the cart changed: the cart as it is now, "
                       "as `GET /api/cart` answers it (the `Cart` schema)."})


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
                if not _is_error_status(status) or not isinstance(response, dict):
                    continue
                if "$ref" in response:
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
    return {
        key: float(value) if isinstance(value, (Decimal, str)) else value
        for key, value in bounds.items()
    }
