"""The review forms behind the product page: write or edit, delete, mark helpful. Thin."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from catalog import queries

from .. import visitor
from ..accounts.forms import field_errors, form_values
from ..extensions import db
from . import service
from .errors import ReviewError
from .models import Review
from .schemas import ReviewFormSchema

bp = Blueprint("reviews", __name__)


@bp.record_once
def _register_panel(state) -> None:
    from .panel import register

    register(state.app)


def _product_or_404(slug: str):
    product = queries.get_product(db.session, slug)
    if product is None:
        abort(404, description="We could not find that product. It may have been discontinued.")
    return product


def _back(product_slug: str):
    return redirect(url_for("storefront.product_detail", slug=product_slug) + "#reviews", code=303)


def _login_first(product_slug: str):
    flash("Log in with the account you bought it with to review this product.")
    return redirect(
        url_for("accounts.login", next=url_for("storefront.product_detail", slug=product_slug)),
        code=303,
    )


def _form_page(product, values: dict, errors: dict, status: int, review: Review | None = None):
    return render_template(
        "reviews/form.html",
        product=product,
        values=values,
        errors=errors,
        review=review,
        footwear=service.is_footwear(product),
    ), status


@bp.get("/products/<slug>/review")
def review_form(slug: str):
    """The form alone (write, or edit one's own), for shoppers who follow a link to it."""
    product = _product_or_404(slug)
    user_id = visitor.user_id()
    if user_id is None:
        return _login_first(product.slug)
    mine = service.review_by(db.session, user_id, product.id)
    if mine is None and not service.has_bought(db.session, user_id, product):
        abort(403, description="Only shoppers who bought this product can review it.")
    values = {k: getattr(mine, k) for k in ReviewFormSchema().fields} if mine else {}
    return _form_page(product, values, {}, 200, mine)


@bp.post("/products/<slug>/review")
def save_review(slug: str):
    """Write a review, or change one's own: the same form."""
    product = _product_or_404(slug)
    user_id = visitor.user_id()
    if user_id is None:
        return _login_first(product.slug)
    schema = ReviewFormSchema()
    values = form_values(schema, request.form)
    mine = service.review_by(db.session, user_id, product.id)
    try:
        data = schema.load(values)
    except ValidationError as exc:
        return _form_page(product, values, field_errors(exc.messages), 422, mine)
    try:
        if mine is None:
            review = service.create_review(db.session, user_id, product, data)
        else:
            review = service.update_review(db.session, user_id, mine.id, data)
    except ReviewError as exc:
        abort(exc.status, description=exc.message)
    flash(
        "Thank you: your review is waiting for a moderator before it is shown."
        if review.status == service.PENDING
        else "Thank you: your review is published."
    )
    return _back(product.slug)


@bp.post("/reviews/<int:review_id>/delete")
def delete_review(review_id: int):
    review = db.session.get(Review, review_id)
    slug = None
    if review is not None:
        from catalog.models import Product

        slug = db.session.get(Product, review.product_id).slug
    try:
        service.delete_review(db.session, visitor.user_id(), review_id)
    except ReviewError as exc:
        abort(exc.status, description=exc.message)
    flash("Your review is deleted.")
    return _back(slug)


@bp.post("/reviews/<int:review_id>/helpful")
def mark_helpful(review_id: int):
    user_id = visitor.user_id()
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404, description="There is no published review with that id.")
    from catalog.models import Product

    slug = db.session.get(Product, review.product_id).slug
    if user_id is None:
        return _login_first(slug)
    try:
        service.vote_helpful(db.session, user_id, review_id)
    except ReviewError as exc:
        if exc.status != 409:
            abort(exc.status, description=exc.message)
    flash("Thank you for your vote.")
    return _back(slug)
