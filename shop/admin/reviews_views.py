"""``/admin/reviews`` and ``/api/admin/reviews``: publish or reject the reviews held for a person."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import RAISE, Schema, fields, validate

from ..errors import abort_with
from ..extensions import db
from ..schemas import Text, UtcDateTime
from .access import current_staff, protect, protect_api
from .review_moderation import DECISIONS, UnknownReviewId, moderate, queue
from .roles import Role

#: Who moderates reviews: the catalog people and the support desk (and admins).
REVIEW_MODERATORS = (Role.ADMIN, Role.MERCHANDISER, Role.SUPPORT)

pages = protect(Blueprint("admin_reviews", __name__, url_prefix="/admin/reviews"), REVIEW_MODERATORS)
api = protect_api(ApiBlueprint("admin_reviews_api", __name__, url_prefix="/api/admin/reviews",
                               description="Review moderation (admin, merchandiser, support)."),
                  REVIEW_MODERATORS)


class DecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    decision = Text(required=True, validate=validate.OneOf(tuple(DECISIONS), error="Choose publish or reject."))


class ModeratedReviewSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    rating = fields.Integer()
    title = fields.String()
    body = fields.String()
    created_at = UtcDateTime()


class QueueEntrySchema(ModeratedReviewSchema):
    product_slug = fields.String()
    product_name = fields.String()
    author_email = fields.String()


class QueueSchema(Schema):
    pending = fields.List(fields.Nested(QueueEntrySchema))
    recent = fields.List(fields.Nested(QueueEntrySchema))


def _entry(row) -> dict:
    review, product, user = row
    return {"id": review.id, "status": review.status, "rating": review.rating, "title": review.title,
            "body": review.body, "created_at": review.created_at, "product_slug": product.slug,
            "product_name": product.name, "author_email": user.email}


@pages.route("", endpoint="list_reviews")
def list_reviews():
    pending, recent = queue(db.session)
    return render_template("admin/reviews.html", pending=[_entry(r) for r in pending],
                           recent=[_entry(r) for r in recent])


@pages.route("/<int:review_id>/decision", methods=["POST"], endpoint="decide")
def decide(review_id: int):
    decision = request.form.get("decision", "")
    if decision not in DECISIONS:
        abort(400, description="Choose publish or reject.")
    try:
        review = moderate(db.session, current_staff(), review_id, decision)
    except UnknownReviewId:
        abort(404, description="There is no such review.")
    flash(f"Review “{review.title}” is {review.status}.", "info")
    return redirect(url_for("admin_reviews.list_reviews"), code=303)


@api.route("", methods=["GET"])
@api.response(200, QueueSchema)
def api_queue():
    """The reviews waiting for a person (oldest first) and the latest decided ones."""
    pending, recent = queue(db.session)
    return {"pending": [_entry(r) for r in pending], "recent": [_entry(r) for r in recent]}


@api.route("/<int:review_id>/decision", methods=["POST"])
@api.arguments(DecisionSchema, error_status_code=422)
@api.response(200, ModeratedReviewSchema)
@api.alt_response(404, description="No review with that id.")
def api_decide(data, review_id: int):
    """Publish (counts in the product's rating from now on) or reject (shown to nobody)."""
    try:
        return moderate(db.session, current_staff(), review_id, data["decision"])
    except UnknownReviewId:
        abort_with(404, "There is no such review.")
