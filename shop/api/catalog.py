"""Catalog endpoints: products with filters and facets, categories, articles."""

from __future__ import annotations

from flask import abort
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields

from catalog import queries
from catalog.schemas import (
    ArticleSchema,
    ArticleSummarySchema,
    CategorySchema,
    ProductSchema,
)

from ..extensions import csrf, db
from ..schemas import ArticleQueryArgs, ProductQueryArgs
from ..search import visitor_preference
from .schemas import FacetsSchema

blp = Blueprint("catalog_api", __name__, url_prefix="/api", description="Products, categories and articles")
csrf.exempt(blp)


class ProductListSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    facets = fields.Nested(FacetsSchema)
    searched = fields.String(allow_none=True, metadata={"description": "The text searched for."})
    corrected_from = fields.String(allow_none=True, metadata={
        "description": "Set when ``q`` found nothing and its correction (``searched``) did."})


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


class ArticleListSchema(Schema):
    items = fields.List(fields.Nested(ArticleSummarySchema))
    total = fields.Integer()


@blp.route("/products")
@blp.arguments(ProductQueryArgs, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, ProductListSchema)
@blp.alt_response(400, description="A query parameter is invalid (problem details name it).")
def list_products(query):
    """Search and filter the catalog, with facet counts for the filter panel.

    ``q`` is a full-text search (stemmed; every word must match); ``sort=relevance`` ranks by
    it, ties going to products in the visitor's size and terrain (from their profile)."""
    query.prefer = visitor_preference()
    try:
        return queries.search_products(db.session, query)
    except queries.UnknownCategory:
        abort(404, description=f"No category {query.category!r}.")


@blp.route("/products/<slug>")
@blp.response(200, ProductSchema)
@blp.alt_response(404, description="No such product.")
def get_product(slug: str):
    product = queries.get_product(db.session, slug)
    if product is None:
        abort(404, description=f"No product {slug!r}.")
    return product


@blp.route("/categories")
@blp.response(200, CategoryListSchema)
def list_categories():
    """The category tree, roots first."""
    return {"items": queries.category_tree(db.session)}


@blp.route("/articles")
@blp.arguments(ArticleQueryArgs, location="query", error_status_code=400, unknown=RAISE, as_kwargs=True)
@blp.response(200, ArticleListSchema)
def list_articles(topic=None):
    items = queries.list_articles(db.session, topic)
    return {"items": items, "total": len(items)}


@blp.route("/articles/<slug>")
@blp.response(200, ArticleSchema)
@blp.alt_response(404, description="No such article.")
def get_article(slug: str):
    from ..recommendations.related import related_products

    article = queries.get_article(db.session, slug)
    if article is None:
        abort(404, description=f"No article {slug!r}.")
    article.related_products = related_products(article)
    return article
