"""What an experiment may say (checked field by field), and how its results are answered."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..recommendations.experiments import STRATEGIES
from ..schemas import Text, UtcDateTime
from .experiments import SIGNALS, SLOTS


class ExperimentVariantInputSchema(Schema):
    class Meta:
        unknown = RAISE

    name = Text(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$",
                error="Use 1-40 lower-case letters, digits and dashes."))
    strategy = Text(required=True, validate=validate.OneOf(STRATEGIES, error="Choose " + ", ".join(STRATEGIES) + "."))
    weights = fields.Dict(
        keys=Text(validate=validate.OneOf(SIGNALS, error="Weights are for: " + ", ".join(SIGNALS))),
        values=fields.Float(validate=validate.Range(min=0, max=10, error="Use weights from 0 to 10.")),
        load_default=None, allow_none=True)
    traffic = fields.Integer(required=True, validate=validate.Range(min=1, max=99, error="Use 1 to 99 percent."))

    @validates_schema(skip_on_field_errors=False)
    def _weights_for_weights(self, data, **_kwargs):
        if data.get("strategy") == "weights" and not data.get("weights"):
            raise ValidationError("Give the signal weights of a 'weights' variant.", "weights")


class ExperimentInputSchema(Schema):
    class Meta:
        unknown = RAISE

    name = Text(required=True,
                validate=validate.Length(min=1, max=80, error="Name the experiment (80 characters at most)."))
    slots = fields.List(Text(validate=validate.OneOf(SLOTS, error="Choose from: " + ", ".join(SLOTS))), required=True,
                        validate=validate.Length(min=1, error="Choose at least one slot."))
    min_sample = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000_000))
    variants = fields.List(fields.Nested(ExperimentVariantInputSchema), required=True,
                           validate=validate.Length(min=2, max=4, error="Compare 2 to 4 variants."))

    @validates_schema
    def _split(self, data, **_kwargs):
        names = [v["name"] for v in data["variants"]]
        if len(set(names)) != len(names):
            raise ValidationError("Give every variant its own name.", "variants")
        if sum(v["traffic"] for v in data["variants"]) != 100:
            raise ValidationError("The traffic shares must add up to 100%.", "variants")


class WinnerSchema(Schema):
    class Meta:
        unknown = RAISE

    variant = Text(required=True)


class EstimateSchema(Schema):
    value = fields.Float()
    low = fields.Float()
    high = fields.Float()


class ComparisonSchema(Schema):
    difference = fields.Float()
    low = fields.Float()
    high = fields.Float()
    p_value = fields.Float()
    significant = fields.Function(lambda c: c.significant(), metadata={"type": "boolean"})


class VersusSchema(Schema):
    ctr = fields.Nested(ComparisonSchema)
    add_to_cart_rate = fields.Nested(ComparisonSchema)
    revenue_per_visitor = fields.Nested(ComparisonSchema)


class ExperimentVariantResultSchema(Schema):
    name = fields.String()
    strategy = fields.String()
    traffic = fields.Integer()
    visitors = fields.Integer()
    impressions = fields.Integer()
    clicks = fields.Integer()
    carted = fields.Integer()
    orders = fields.Integer()
    revenue = fields.Decimal(as_string=True)
    ctr = fields.Nested(EstimateSchema)
    add_to_cart_rate = fields.Nested(EstimateSchema)
    revenue_per_visitor = fields.Nested(EstimateSchema)
    vs_control = fields.Nested(VersusSchema)


class ExperimentResultsSchema(Schema):
    variants = fields.List(fields.Nested(ExperimentVariantResultSchema))
    min_sample = fields.Integer()
    may_declare = fields.Boolean()
    alpha = fields.Float()


class ExperimentVariantSchema(Schema):
    name = fields.String()
    strategy = fields.String()
    weights = fields.Dict(allow_none=True)
    traffic = fields.Integer()


class ExperimentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slots = fields.List(fields.String())
    status = fields.String()
    min_sample = fields.Integer()
    winner = fields.String(allow_none=True)
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    stopped_at = UtcDateTime(allow_none=True)
    variants = fields.List(fields.Nested(ExperimentVariantSchema))
    results = fields.Nested(ExperimentResultsSchema)
