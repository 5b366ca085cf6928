"""``/api/admin/categories`` and ``/api/admin/articles``: categories and Markdown articles as
JSON (admin and merchandiser), on the same rules as the pages."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint as ApiBlueprint

from catalog.models import Article, Category

from ...errors import abort_with
from ...extensions import db
from ...rendering import render_markdown
from ..access import current_staff, protect_api
from ..roles import CATALOG
from . import content, forms
from .products import CatalogError
from .products_api import _fail, _merged
from .schemas import (
    AdminArticleSchema,
    AdminCategorySchema,
    ArticleInSchema,
    ArticlePatchSchema,
    ArticlePreviewInSchema,
    ArticlePreviewSchema,
    CategoryInSchema,
    CategoryPatchSchema,
)

api = protect_api(ApiBlueprint("admin_content_api", __name__, url_prefix="/api/admin",
                               description="Categories and articles (admin and merchandiser)."), CATALOG)
categories_api = articles_api = api  # one blueprint, two kinds of thing


# ---------------------------------------------------------------- categories


def _category(category_id: int) -> Category:
    found = db.session.get(Category, category_id)
    if found is None:
        abort_with(404, "There is no category with that id.")
    return found


@categories_api.route("/categories", methods=["GET"])
@categories_api.response(200, AdminCategorySchema(many=True))
def list_categories():
    """Every category in tree order, with its number of products."""
    return content.list_categories(db.session)


@categories_api.route("/categories", methods=["POST"])
@categories_api.arguments(CategoryInSchema, error_status_code=422)
@categories_api.response(201, AdminCategorySchema)
@categories_api.alt_response(422, description="A field is invalid, the parent unknown or the slug taken.")
def create_category(data):
    try:
        return content.create_category(db.session, current_staff(), data)
    except CatalogError as exc:
        _fail(exc)


@categories_api.route("/categories/<int:category_id>", methods=["PATCH"])
@categories_api.arguments(CategoryPatchSchema(partial=True), error_status_code=422)
@categories_api.response(200, AdminCategorySchema)
@categories_api.alt_response(404, description="No such category.")
@categories_api.alt_response(422, description="A field is invalid, or the move would put it under itself.")
def update_category(_data, category_id: int):
    """Rename, describe or move (``parent``: a slug, null for the top level)."""
    category = _category(category_id)
    current = {"name": category.name, "description": category.description,
               "parent": category.parent.slug if category.parent else None}
    data = _merged(CategoryInSchema(), current, {k: v for k, v in (request.get_json() or {}).items() if k != "slug"})
    try:
        return content.update_category(db.session, current_staff(), category, data)
    except CatalogError as exc:
        _fail(exc)


@categories_api.route("/categories/<int:category_id>", methods=["DELETE"])
@categories_api.response(204)
@categories_api.alt_response(404, description="No such category.")
@categories_api.alt_response(409, description="It still has products or sub-categories.")
def delete_category(category_id: int):
    try:
        content.delete_category(db.session, current_staff(), _category(category_id))
    except CatalogError as exc:
        _fail(exc)


# ---------------------------------------------------------------- articles


def _article(article_id: int) -> Article:
    found = db.session.get(Article, article_id)
    if found is None:
        abort_with(404, "There is no article with that id.")
    return found


@articles_api.route("/articles", methods=["GET"])
@articles_api.response(200, AdminArticleSchema(many=True))
def list_articles():
    """Every article, drafts too, newest first."""
    return content.list_articles(db.session)


@articles_api.route("/articles", methods=["POST"])
@articles_api.arguments(ArticleInSchema, error_status_code=422)
@articles_api.response(201, AdminArticleSchema)
@articles_api.alt_response(422, description="A field is invalid or the slug taken.")
def create_article(data):
    try:
        return content.create_article(db.session, current_staff(), data)
    except CatalogError as exc:
        _fail(exc)


@articles_api.route("/articles/preview", methods=["POST"])
@articles_api.arguments(ArticlePreviewInSchema, error_status_code=422)
@articles_api.response(200, ArticlePreviewSchema)
def preview_article(data):
    """The Markdown ``body`` as the article page would show it (rendered, sanitised); saves nothing."""
    return {"html": str(render_markdown(data["body"]))}


@articles_api.route("/articles/<int:article_id>", methods=["GET"])
@articles_api.response(200, AdminArticleSchema)
@articles_api.alt_response(404, description="No such article.")
def get_article(article_id: int):
    return _article(article_id)


@articles_api.route("/articles/<int:article_id>", methods=["PATCH"])
@articles_api.arguments(ArticlePatchSchema(partial=True), error_status_code=422)
@articles_api.response(200, AdminArticleSchema)
@articles_api.alt_response(404, description="No such article.")
@articles_api.alt_response(422, description="A field is invalid.")
def update_article(_data, article_id: int):
    article = _article(article_id)
    data = _merged(ArticleInSchema(), forms.article_values(article),
                   {k: v for k, v in (request.get_json() or {}).items() if k != "slug"})
    return content.update_article(db.session, current_staff(), article, data)


@articles_api.route("/articles/<int:article_id>", methods=["DELETE"])
@articles_api.response(204)
@articles_api.alt_response(404, description="No such article.")
def delete_article(article_id: int):
    content.delete_article(db.session, current_staff(), _article(article_id))
