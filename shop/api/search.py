"""Search suggestions for the header search box, called on every keystroke."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from catalog import search

from ..extensions import csrf, db

blp = Blueprint("search_api", __name__, url_prefix="/api/search", description="Search suggestions")
csrf.exempt(blp)


class SuggestArgs(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "What has been typed so far; the last word may be unfinished."},
    )


class ProductSuggestionSchema(Schema):
    slug = fields.String()
    name = fields.String()
    brand = fields.String()
    price = fields.Decimal(as_string=True, places=2)
    url = fields.String()


class CategorySuggestionSchema(Schema):
    slug = fields.String()
    name = fields.String()
    url = fields.String()


class ArticleSuggestionSchema(Schema):
    slug = fields.String()
    title = fields.String()
    url = fields.String()


class SuggestionsSchema(Schema):
    products = fields.List(fields.Nested(ProductSuggestionSchema))
    categories = fields.List(fields.Nested(CategorySuggestionSchema))
    articles = fields.List(fields.Nested(ArticleSuggestionSchema))


@blp.route("/suggest")
@blp.arguments(SuggestArgs, location="query", error_status_code=400, unknown=RAISE, as_kwargs=True)
@blp.response(200, SuggestionsSchema)
@blp.alt_response(400, description="``q`` is missing, empty or longer than 100 characters.")
def suggest(q: str):
    """A handful of products, categories and articles for what is being typed (typos and
    unfinished words allowed), best first."""
    found = search.suggest(db.session, q)
    return {
        "products": [
            {
                "slug": p.slug,
                "name": p.name,
                "brand": p.brand,
                "price": p.price,
                "url": url_for("storefront.product_detail", slug=p.slug),
            }
            for p in found.products
        ],
        "categories": [
            {
                "slug": c.slug,
                "name": c.name,
                "url": url_for("storefront.product_list", category=c.slug),
            }
            for c in found.categories
        ],
        "articles": [
            {
                "slug": a.slug,
                "title": a.title,
                "url": url_for("storefront.article_detail", slug=a.slug),
            }
            for a in found.articles
        ],
    }
