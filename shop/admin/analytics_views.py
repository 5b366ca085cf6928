"""``/admin/analytics`` and ``GET /api/admin/analytics``: what the recommendation slots earn.

The figures come from :mod:`shop.recommendations.analytics` (the same as
``shop recommender report``); the page draws them as server-side SVG charts and a table.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError

from ..accounts.forms import field_errors
from ..extensions import db
from ..recommendations import analytics, registry
from ..schemas import load_args
from . import charts
from .access import protect, protect_api
from .analytics_schemas import AnalyticsQuerySchema, AnalyticsSchema
from .roles import CATALOG

pages = protect(Blueprint("admin_analytics", __name__, url_prefix="/admin/analytics"), CATALOG)
api = protect_api(ApiBlueprint("admin_analytics_api", __name__, url_prefix="/api/admin/analytics",
                               description="Recommendation analytics per slot and day (admin, merchandiser)."),
                  CATALOG)


def _report(data: dict) -> analytics.Report:
    return analytics.report(db.session, data["since"], data["until"], slot=data.get("slot"),
                            window_days=int(current_app.config.get("ATTRIBUTION_WINDOW_DAYS", 7)))


def _charts(report: analytics.Report) -> list[tuple[str, object]]:
    """(caption, SVG) of each chart: daily lines, then bars per slot."""
    days = [day.isoformat() for day in report.days]
    by_day = list(report.by_day.values())
    slots = report.slots
    specs = [
        ("Impressions and clicks per day", lambda cid, title: charts.line_chart(cid, title, days, {
            "Impressions": [f.impressions for f in by_day], "Clicks": [f.clicks for f in by_day]})),
        ("Revenue per day", lambda cid, title: charts.line_chart(cid, title, days, {
            "Through recommendations": [f.revenue for f in by_day],
            "All orders": [f.shop_revenue for f in by_day]})),
        ("Clicks per slot", lambda cid, title: charts.bar_chart(
            cid, title, slots, [report.by_slot[name].clicks for name in slots])),
        ("Revenue through each slot", lambda cid, title: charts.bar_chart(
            cid, title, slots, [report.by_slot[name].revenue for name in slots])),
    ]
    return [(title, draw(f"chart-{n}", title)) for n, (title, draw) in enumerate(specs, 1)]


@pages.route("", endpoint="show")
def show():
    try:
        data = load_args(AnalyticsQuerySchema(), request.args)
    except ValidationError as exc:
        return render_template("admin/analytics.html", report=None, charts=[], args=request.args,
                               slots=registry.NAMES, errors=field_errors(exc.messages)), 400
    report = _report(data)
    return render_template("admin/analytics.html", report=report, charts=_charts(report), args=request.args,
                           slots=registry.NAMES, errors={}, since=data["since"], until=data["until"])


@api.route("", methods=["GET"])
@api.arguments(AnalyticsQuerySchema, location="query", error_status_code=400)
@api.response(200, AnalyticsSchema)
def api_report(data):
    """Impressions, clicks, CTR, add-to-carts, attributed orders and revenue, and the share of
    revenue through recommendations: in total, per slot, per day and per slot and day (UTC days).

    An order line counts for a slot when the visitor or account that placed the order clicked
    its product there within `attribution_window_days` before the order (the latest click wins).
    """
    return _report(data).as_dict()
