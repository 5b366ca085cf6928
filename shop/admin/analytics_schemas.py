"""What ``/api/admin/analytics`` and ``/api/admin/model`` accept and answer."""

from __future__ import annotations

import datetime as dt

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..recommendations import analytics, registry
from ..schemas import Text, UtcDateTime

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
DEFAULT_DAYS = 30


def _day(description: str) -> fields.Date:
    return fields.Date(validate=validate.Range(min=FIRST_DAY, max=LAST_DAY,
                                               error="Choose a day from 2000-01-01 to 2100-12-31."),
                       error_messages={"invalid": "Enter a day as YYYY-MM-DD."},
                       metadata={"description": description})


class AnalyticsQuerySchema(Schema):
    """The range (UTC days, both included; the last 30 days by default) and an optional slot."""

    class Meta:
        unknown = RAISE

    since = _day("First day, YYYY-MM-DD (default: 29 days before `until`).")
    until = _day("Last day, included, YYYY-MM-DD (default: today, UTC).")
    slot = Text(validate=validate.OneOf(registry.NAMES, error="Choose one of the slots: "
                                        + ", ".join(registry.NAMES) + "."),
                metadata={"description": "Only this slot (default: every slot)."})

    @validates_schema
    def _range(self, data, **_kwargs):
        until = data.get("until") or dt.datetime.now(dt.UTC).date()
        since = data.get("since") or until - dt.timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise ValidationError("The first day must not be after the last day.", "since")
        if (until - since).days + 1 > analytics.MAX_DAYS:
            raise ValidationError(f"Choose at most {analytics.MAX_DAYS} days.", "since")
        data["since"], data["until"] = since, until


def _figure_fields() -> dict:
    money = {"as_string": True, "places": 2}
    return {
        "impressions": fields.Integer(metadata={"description": "Times the slot was shown."}),
        "clicks": fields.Integer(metadata={"description": "Visits through the slot's links."}),
        "ctr": fields.Float(metadata={"description": "clicks / impressions (0 without impressions)."}),
        "add_to_carts": fields.Integer(metadata={"description": "Add-to-carts of a product clicked in the slot "
                                                                "within the attribution window."}),
        "add_to_cart_rate": fields.Float(metadata={"description": "add_to_carts / impressions."}),
        "orders": fields.Integer(metadata={"description": "Orders with at least one attributed line."}),
        "revenue": fields.Decimal(**money, metadata={"description": "Attributed line totals."}),
        "shop_revenue": fields.Decimal(**money, metadata={"description": "Line totals of every order in the "
                                                                          "same days (the base of the share)."}),
        "revenue_share": fields.Float(metadata={"description": "revenue / shop_revenue."}),
    }


FiguresSchema = Schema.from_dict(_figure_fields(), name="AnalyticsFigures")
SlotFiguresSchema = Schema.from_dict({"slot": fields.String(), "title": fields.String(), **_figure_fields()},
                                     name="AnalyticsSlot")
DayFiguresSchema = Schema.from_dict({"day": fields.Date(), **_figure_fields()}, name="AnalyticsDay")
CellSchema = Schema.from_dict({"day": fields.Date(), "slot": fields.String(), **_figure_fields()},
                              name="AnalyticsCell")


class AnalyticsSchema(Schema):
    since = fields.Date()
    until = fields.Date(metadata={"description": "Included."})
    slot = fields.String(allow_none=True)
    attribution_window_days = fields.Integer()
    totals = fields.Nested(FiguresSchema)
    slots = fields.List(fields.Nested(SlotFiguresSchema), metadata={"description": "Per slot, over the range."})
    days = fields.List(fields.Nested(DayFiguresSchema), metadata={"description": "Per day, the slots together."})
    cells = fields.List(fields.Nested(CellSchema), metadata={"description": "Per slot and day."})


# ------------------------------------------------------------------ the model page
class TrainingRunSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, succeeded or failed."})
    progress = fields.Integer(metadata={"description": "0 to 100."})
    stage = fields.String(metadata={"description": "The training step under way or last done."})
    message = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True, metadata={"description": "The model the run saved."})
    requested_by = fields.String(allow_none=True)
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)


class ModelSchema(Schema):
    serving = fields.String(metadata={"description": "`model`, or `popularity fallback`."})
    problem = fields.String(allow_none=True, metadata={"description": "Why the fallback is served."})
    model_version = fields.String(allow_none=True)
    trained_at = fields.String(allow_none=True, metadata={"description": "ISO 8601, UTC."})
    trained_on = fields.Dict(metadata={"description": "events, shoppers, products, articles, first and last event."})
    evaluation = fields.Dict(allow_none=True, metadata={
        "description": "The collaborative model training chose and its validation scores."})
    latest_run = fields.Nested(TrainingRunSchema, allow_none=True)


class RetrainSchema(Schema):
    class Meta:
        unknown = RAISE

    since_days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=3650),
                                metadata={"description": "Learn only from events of the last N days."})
