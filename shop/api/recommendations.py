"""``GET /api/recommendations``: the recommender's suggestions for a context, with reasons."""

from __future__ import annotations

import re

from flask import abort
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, post_load, validate

from catalog import queries
from catalog.schemas import ProductSummarySchema

from ..extensions import csrf, db
from ..recommendations import reason_text, service
from ..recommendations.slots import for_api
from ..schemas import FullMatch, Text

blp = Blueprint("recommendations_api", __name__, url_prefix="/api",
                description="Personal product suggestions with their reasons")
csrf.exempt(blp)

CONTEXT_PATTERN = re.compile(r"^(home|cart|footwear|(article|product):[a-z0-9][a-z0-9-]{0,119})$")
CONTEXT_HELP = "Use home, cart, footwear, article:<slug> or product:<slug>."


class RecommendationArgs(Schema):
    class Meta:
        unknown = RAISE

    context = Text(required=True, validate=FullMatch(CONTEXT_PATTERN, error=CONTEXT_HELP),
                            metadata={"description": CONTEXT_HELP})
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))

    @post_load
    def _split(self, data, **_kwargs):
        kind, _, slug = data["context"].partition(":")
        data["kind"], data["slug"] = kind, slug or None
        return data


class RecommendedItemSchema(Schema):
    product = fields.Nested(ProductSummarySchema)
    score = fields.Float(metadata={"description": "Blended relevance in [0, 1]; higher is better."})
    reasons = fields.List(fields.String(), metadata={"description": "Why this product, in plain words."})


class RecommendationsSchema(Schema):
    context = fields.String()
    model_version = fields.String(metadata={"description": "Trained model version, or popularity-fallback."})
    items = fields.List(fields.Nested(RecommendedItemSchema))


@blp.route("/recommendations")
@blp.arguments(RecommendationArgs, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, RecommendationsSchema)
@blp.alt_response(400, description="A bad context or limit (problem details name it).")
@blp.alt_response(404, description="The article or product of the context does not exist.")
def recommendations(args):
    """Suggestions for the visitor in a context, best first, each with its reasons."""
    kind, slug, limit = args["kind"], args["slug"], args["limit"]
    anchor = None
    if kind == "article":
        article = queries.get_article(db.session, slug)
        if article is None:
            abort(404, description=f"No article {slug!r}.")
        anchor = f"article:{slug}"
    elif kind == "product":
        if queries.get_product(db.session, slug) is None:
            abort(404, description=f"No product {slug!r}.")
        anchor = slug
    shown = for_api(kind, anchor, limit)
    return {
        "context": args["context"],
        "model_version": service.model_version(),
        "items": [{"product": s.product, "score": round(s.score, 4),
                   "reasons": [reason_text(r) for r in s.reasons]} for s in shown],
    }


