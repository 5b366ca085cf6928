"""``/footwear/size-guide``: the size chart (EU, UK, US men's and women's, foot length), the
widths explained and how to measure a foot; with ``?foot_cm=`` it also names the size.

Everything printed comes from ``catalog.sizes``, the chart the catalog and the profile form
convert with, so the guide can never disagree with a variant's label.
"""

from __future__ import annotations

from flask import render_template, request
from marshmallow import Schema, ValidationError, fields, validate

from catalog import sizes

from . import bp


class FootLengthQuery(Schema):
    foot_cm = fields.Float(allow_nan=False, validate=validate.Range(sizes.MIN_FOOT_CM, sizes.MAX_FOOT_CM))


def _foot_length() -> tuple[float | None, str | None]:
    """(foot length, error) from ``?foot_cm=`` ("26.4" or "26,4"); both None when not asked."""
    raw = request.args.get("foot_cm", "").strip().replace(",", ".")
    if not raw:
        return None, None
    try:
        return FootLengthQuery().load({"foot_cm": raw})["foot_cm"], None
    except ValidationError:
        return None, (f"Enter your foot length in centimetres, between {sizes.MIN_FOOT_CM:g} and "
                      f"{sizes.MAX_FOOT_CM:g}, like 26.4.")


@bp.get("/size-guide")
def size_guide():
    foot_cm, error = _foot_length()
    yours = sizes.size_row(sizes.eu_for_foot_length(foot_cm)) if foot_cm is not None else None
    return render_template(
        "footwear/size_guide.html", chart=sizes.chart(), widths=sizes.WIDTHS, foot_cm=foot_cm,
        yours=yours, error=error, raw=request.args.get("foot_cm", ""),
        min_foot=sizes.MIN_FOOT_CM, max_foot=sizes.MAX_FOOT_CM,
    ), 400 if error else 200
