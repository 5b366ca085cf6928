"""``/admin/catalog``: categories, articles (Markdown with a server-side preview) and bulk
import/export of the catalog file (admin and merchandiser)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from catalog.io import CatalogFileError
from catalog.models import Article, Category

from ...accounts.forms import field_errors
from ...extensions import db
from ...rendering import render_markdown
from ..access import current_staff, protect
from ..roles import CATALOG
from . import content, forms, transfer
from .products import CatalogError
from .schemas import ArticleInSchema, CategoryInSchema

pages = protect(Blueprint("admin_catalog_content", __name__, url_prefix="/admin/catalog"), CATALOG)


def _get_or_404(model, id_: int, what: str):
    found = db.session.get(model, id_)
    if found is None:
        abort(404, description=f"There is no {what} with that id.")
    return found


# ---------------------------------------------------------------- categories


def _render_categories(errors=None, values=None, editing=None, status=200):
    return render_template("admin/catalog/categories.html", categories=content.list_categories(db.session),
                           errors=errors or {}, values=values or {}, editing=editing), status


@pages.route("/categories", endpoint="categories")
def categories():
    return _render_categories()


def _save_category(category: Category | None):
    schema = CategoryInSchema()
    values = forms.read(schema, request.form)
    try:
        data = schema.load(values)
        if category is None:
            saved = content.create_category(db.session, current_staff(), data)
        else:
            saved = content.update_category(db.session, current_staff(), category, data)
    except (ValidationError, CatalogError) as exc:
        db.session.rollback()
        errors = field_errors(exc.messages) if isinstance(exc, ValidationError) else exc.errors
        return _render_categories(errors, values, category.id if category else None, 422)
    flash(f"Category {saved.name} was saved.", "info")
    return redirect(url_for("admin_catalog_content.categories"))


@pages.route("/categories", methods=["POST"], endpoint="create_category")
def create_category():
    return _save_category(None)


@pages.route("/categories/<int:category_id>", methods=["POST"], endpoint="update_category")
def update_category(category_id: int):
    return _save_category(_get_or_404(Category, category_id, "category"))


@pages.route("/categories/<int:category_id>/delete", methods=["POST"], endpoint="delete_category")
def delete_category(category_id: int):
    category = _get_or_404(Category, category_id, "category")
    name = category.name
    try:
        content.delete_category(db.session, current_staff(), category)
    except CatalogError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Category {name} was deleted.", "info")
    return redirect(url_for("admin_catalog_content.categories"))


# ---------------------------------------------------------------- articles


@pages.route("/articles", endpoint="articles")
def articles():
    q = request.args.get("q", "")[:100]
    return render_template("admin/catalog/articles.html", articles=content.list_articles(db.session, q), q=q)


def _render_article(article, values, errors=None, preview=None, status=200):
    related = []
    if article is not None and not article.draft:
        from ...recommendations.related import related_products

        related = related_products(article)
    return render_template("admin/catalog/article.html", article=article, values=values, errors=errors or {},
                           preview=preview, related=related), status


def _article_form(article: Article | None):
    if request.method == "GET":
        values = forms.article_values(article) if article else {"draft": True}
        return _render_article(article, values)
    schema = ArticleInSchema()
    values = forms.read(schema, request.form)
    if article is not None:
        values["slug"] = article.slug
    if "preview" in request.form:  # show it rendered, save nothing
        return _render_article(article, values, preview=render_markdown(values.get("body") or ""))
    try:
        data = schema.load(values)
        if article is None:
            saved = content.create_article(db.session, current_staff(), data)
        else:
            saved = content.update_article(db.session, current_staff(), article, data)
    except (ValidationError, CatalogError) as exc:
        db.session.rollback()
        errors = field_errors(exc.messages) if isinstance(exc, ValidationError) else exc.errors
        return _render_article(article, values, errors, status=422)
    flash(f"{saved.title} was saved{' as a draft' if saved.draft else ''}.", "info")
    return redirect(url_for("admin_catalog_content.article", article_id=saved.id))


@pages.route("/articles/new", methods=["GET", "POST"], endpoint="new_article")
def new_article():
    return _article_form(None)


@pages.route("/articles/<int:article_id>", methods=["GET", "POST"], endpoint="article")
def article(article_id: int):
    return _article_form(_get_or_404(Article, article_id, "article"))


@pages.route("/articles/<int:article_id>/delete", methods=["POST"], endpoint="delete_article")
def delete_article(article_id: int):
    found = _get_or_404(Article, article_id, "article")
    title = found.title
    content.delete_article(db.session, current_staff(), found)
    flash(f"{title} was deleted.", "info")
    return redirect(url_for("admin_catalog_content.articles"))


# ---------------------------------------------------------------- import and export


@pages.route("/import", methods=["GET", "POST"], endpoint="import_page")
def import_page():
    if request.method == "GET":
        return render_template("admin/catalog/import.html", report=None, problems=[], errors={})
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") in ("on", "true", "1")
    if upload is None or not upload.filename:
        return render_template("admin/catalog/import.html", report=None, problems=[],
                               errors={"file": "Choose a .json or .csv catalog file."}), 422
    try:
        report, skipped_images = transfer.import_upload(db.session, current_staff(), upload.filename,
                                                        upload.read(), dry_run=dry_run)
    except CatalogFileError as exc:
        db.session.rollback()
        return render_template("admin/catalog/import.html", report=None, problems=exc.errors, filename=upload.filename,
                               dry_run=dry_run, errors={}), 422
    return render_template("admin/catalog/import.html", report=report, problems=[], filename=upload.filename,
                           dry_run=dry_run, skipped_images=skipped_images, errors={})


@pages.route("/export.json", endpoint="export_json")
def export_json():
    return _download("json")


@pages.route("/export.csv", endpoint="export_csv")
def export_csv():
    return _download("csv")


def _download(kind: str) -> Response:
    return Response(transfer.export_file(db.session, kind), mimetype=transfer.FORMATS[f".{kind}"],
                    headers={"Content-Disposition": f'attachment; filename="catalog.{kind}"'})
