"""What a merchandising rule may say: checked field by field before it is saved."""

from __future__ import annotations

import datetime as dt

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from ..recommendations import registry
from ..recommendations.merchandising import ACTIONS, TARGET_KINDS
from ..schemas import Text, UtcDateTime

EVERYWHERE = ""


def _naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


class RuleInputSchema(Schema):
    class Meta:
        unknown = RAISE

    action = Text(required=True, validate=validate.OneOf(ACTIONS, error="Choose pin, boost, bury or exclude."),
                  error_messages={"required": "Choose what the rule does."})
    target_kind = Text(required=True, validate=validate.OneOf(TARGET_KINDS, error="Choose product, brand or category."),
                       error_messages={"required": "Choose what the rule targets."})
    target = Text(required=True, validate=validate.Length(min=1, max=120, error="Name the product, brand or category."),
                  error_messages={"required": "Name the product, brand or category."})
    slot = Text(load_default=None, allow_none=True,
                validate=validate.OneOf((EVERYWHERE, *registry.NAMES), error="Choose a slot, or every slot."),
                metadata={"description": "A slot name; empty or null: every slot."})
    position = fields.Integer(load_default=1, validate=validate.Range(min=1, max=24, error="Use a place from 1 to 24."))
    strength = fields.Float(load_default=1.0, validate=validate.Range(
        min=0, max=10, min_inclusive=False, error="Use a boost above 0 and at most 10."))
    starts_at = fields.DateTime(load_default=None, allow_none=True, metadata={"description": "UTC; empty: now."})
    ends_at = fields.DateTime(load_default=None, allow_none=True,
                              metadata={"description": "UTC, exclusive; empty: open."})
    enabled = fields.Boolean(load_default=True)
    note = Text(load_default="", validate=validate.Length(max=200))

    @validates_schema(skip_on_field_errors=False)
    def _dates_in_order(self, data, **_kwargs):
        starts, ends = _naive_utc(data.get("starts_at")), _naive_utc(data.get("ends_at"))
        if starts and ends and ends <= starts:
            raise ValidationError("End after the start.", "ends_at")

    @post_load
    def _normalise(self, data, **_kwargs):
        data["slot"] = data.get("slot") or None
        data["starts_at"] = _naive_utc(data.get("starts_at"))
        data["ends_at"] = _naive_utc(data.get("ends_at"))
        data["target"] = data["target"].strip()
        return data


class RuleSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    target_kind = fields.String()
    target = fields.String()
    slot = fields.String(allow_none=True)
    position = fields.Integer()
    strength = fields.Float()
    starts_at = UtcDateTime(allow_none=True)
    ends_at = UtcDateTime(allow_none=True)
    enabled = fields.Boolean()
    note = fields.String()
    state = fields.String(metadata={"description": "live, scheduled, ended or disabled"})


class EffectItemSchema(Schema):
    slug = fields.String()
    name = fields.String()
    reasons = fields.List(fields.String())


class EffectSchema(Schema):
    slot = fields.String()
    title = fields.String()
    anchor = fields.String(allow_none=True)
    rules = fields.List(fields.Integer())
    before = fields.List(fields.Nested(EffectItemSchema))
    after = fields.List(fields.Nested(EffectItemSchema))
