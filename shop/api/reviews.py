"""Reviews: read a product's published reviews; write, edit, delete one's own; vote helpful.

Writes need a logged-in account that bought the product; someone else's review is a 404 on
edit and delete, as if it did not exist. Writes accept only JSON (the CSRF exemption's reason).
"""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import RAISE

from catalog import queries

from .. import visitor
from ..accounts import service as accounts
from ..errors import abort_with
from ..extensions import csrf, db
from ..reviews import reading, service
from ..reviews.documents import page_document, review_document
from ..reviews.errors import ReviewError
from ..reviews.models import Review
from ..reviews.schemas import (
    ReviewInSchema,
    ReviewListArgs,
    ReviewPageSchema,
    ReviewPatchSchema,
    ReviewSchema,
)
from .accounts import EmptySchema
from .cart import require_json

blp = Blueprint("reviews_api", __name__, url_prefix="/api", description="Product reviews")
csrf.exempt(blp)
blp.before_request(require_json)


def _product(slug: str):
    product = queries.get_product(db.session, slug)
    if product is None:
        abort_with(404, f"No product {slug!r}.")
    return product


def _account() -> int:
    user_id = visitor.user_id()
    if accounts.get_user(db.session, user_id) is None:
        abort_with(401, "Log in to write or vote on reviews.")
    return user_id


def _document(review: Review) -> dict:
    from catalog.models import Product

    product = db.session.get(Product, review.product_id)
    user = accounts.get_user(db.session, review.user_id)
    return review_document(review, product.slug, reading.author_name(user.name if user else ""))


def _fail(exc: ReviewError):
    abort_with(exc.status, exc.message)


@blp.route("/products/<slug>/reviews", methods=["GET"])
@blp.arguments(ReviewListArgs, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, ReviewPageSchema)
@blp.alt_response(400, description="A query parameter is invalid.")
@blp.alt_response(404, description="No such product.")
def list_reviews(args, slug: str):
    """Published reviews of a product with its rating summary (histogram and fit)."""
    product = _product(slug)
    page = reading.list_reviews(db.session, product.id, **args)
    return page_document(page, reading.rating_summary(db.session, product.id), product.slug)


@blp.route("/products/<slug>/reviews", methods=["POST"])
@blp.arguments(ReviewInSchema, error_status_code=422)
@blp.response(201, ReviewSchema)
@blp.alt_response(401, description="Not logged in.")
@blp.alt_response(403, description="The account has not bought this product.")
@blp.alt_response(404, description="No such product.")
@blp.alt_response(409, description="The account has already reviewed this product.")
@blp.alt_response(415, description="The body is not JSON.")
@blp.alt_response(422, description="Invalid stars, title, text or fit (problem details name each).")
def create_review(data, slug: str):
    """Review a product you bought; one with a link or a blocked word is held as ``pending``."""
    product = _product(slug)
    user_id = _account()
    try:
        review = service.create_review(db.session, user_id, product, data)
    except ReviewError as exc:
        _fail(exc)
    return (
        _document(review),
        201,
        {"Location": url_for("reviews_api.update_review", review_id=review.id)},
    )


@blp.route("/reviews/<int:review_id>", methods=["PATCH"])
@blp.arguments(ReviewPatchSchema(partial=True), error_status_code=422)
@blp.response(200, ReviewSchema)
@blp.alt_response(401, description="Not logged in.")
@blp.alt_response(404, description="No review of yours with that id.")
@blp.alt_response(415, description="The body is not JSON.")
@blp.alt_response(422, description="Invalid stars, title, text or fit.")
def update_review(data, review_id: int):
    """Change your own review (moderated again)."""
    user_id = _account()
    try:
        review = service.update_review(db.session, user_id, review_id, data)
    except ReviewError as exc:
        _fail(exc)
    return _document(review)


@blp.route("/reviews/<int:review_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(401, description="Not logged in.")
@blp.alt_response(404, description="No review of yours with that id.")
def delete_review(review_id: int):
    """Delete your own review."""
    user_id = _account()
    try:
        service.delete_review(db.session, user_id, review_id)
    except ReviewError as exc:
        _fail(exc)
    return ""


@blp.route("/reviews/<int:review_id>/helpful", methods=["POST"])
@blp.arguments(EmptySchema, description="An empty JSON object, {}.")
@blp.response(200, ReviewSchema)
@blp.alt_response(401, description="Not logged in.")
@blp.alt_response(403, description="Your own review.")
@blp.alt_response(404, description="No published review with that id.")
@blp.alt_response(409, description="You have already marked it helpful.")
@blp.alt_response(415, description="The body is not JSON.")
def mark_helpful(_body, review_id: int):
    """Mark someone else's review as helpful, once.

    Send ``{}`` as JSON: the content type is the CSRF defence.
    """
    user_id = _account()
    try:
        review = service.vote_helpful(db.session, user_id, review_id)
    except ReviewError as exc:
        _fail(exc)
    return _document(review)
