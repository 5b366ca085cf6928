"""Review rules without HTTP: who may write, moderation, votes, and the product's cached figures.

Every change ends in ``refresh_product`` inside the same transaction, so the product's
``rating``/``rating_count`` (what the listing sorts by) never disagree with the reviews.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.models import Product

from ..models import Order, OrderLine
from .errors import (
    AlreadyReviewed,
    AlreadyVoted,
    FitNotApplicable,
    NotABuyer,
    OwnReview,
    UnknownReview,
)
from .models import Review, ReviewVote, _utcnow
from .moderation import needs_moderation

PUBLISHED, PENDING = "published", "pending"
REJECTED = "rejected"  # by staff: kept, shown to nobody; the author's words are not silently deleted
FIT_FIELDS = ("size_fit", "width_fit")


def is_footwear(product: Product) -> bool:
    return "footwear" in product.category.path


def has_bought(session: Session, user_id: int | None, product: Product) -> bool:
    """An order line of the product in one of the account's orders."""
    if user_id is None:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    OrderLine.order_id == Order.id,
                    Order.user_id == user_id,
                    OrderLine.product_slug == product.slug,
                )
            )
        )
    )


def review_by(session: Session, user_id: int | None, product_id: int) -> Review | None:
    if user_id is None:
        return None
    return session.scalar(
        select(Review).where(Review.product_id == product_id, Review.user_id == user_id)
    )


def _status(data: dict) -> str:
    return PENDING if needs_moderation(data.get("title", ""), data.get("body", "")) else PUBLISHED


def _check_fit(product: Product, data: dict) -> None:
    if not is_footwear(product) and any(data.get(name) for name in FIT_FIELDS):
        raise FitNotApplicable("Size and width fit are asked of footwear only.")


def create_review(session: Session, user_id: int | None, product: Product, data: dict) -> Review:
    """The account's one review of a product it bought; pending when moderation flags it."""
    if not has_bought(session, user_id, product):
        raise NotABuyer("Only shoppers who bought this product can review it.")
    if review_by(session, user_id, product.id) is not None:
        raise AlreadyReviewed("You have already reviewed this product; edit your review instead.")
    _check_fit(product, data)
    review = Review(
        product_id=product.id,
        user_id=user_id,
        status=_status(data),
        **{k: data.get(k) for k in ("rating", "title", "body", *FIT_FIELDS)},
    )
    session.add(review)
    try:
        session.flush()
    except IntegrityError:  # a second request of the same account got there first
        session.rollback()
        raise AlreadyReviewed(
            "You have already reviewed this product; edit your review instead."
        ) from None
    refresh_product(session, product.id)
    session.commit()
    return review


def own_review(session: Session, user_id: int | None, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None or user_id is None or review.user_id != user_id:
        raise UnknownReview("There is no review of yours with that id.")
    return review


def update_review(session: Session, user_id: int | None, review_id: int, changes: dict) -> Review:
    """Change one's own review; the new words are moderated again.

    A review staff rejected goes back to the moderation queue whatever its new words: the
    word filter is not allowed to overrule a person's decision.
    """
    review = own_review(session, user_id, review_id)
    product = session.get(Product, review.product_id)
    merged = {k: getattr(review, k) for k in ("rating", "title", "body", *FIT_FIELDS)} | changes
    _check_fit(product, merged)
    for key, value in changes.items():
        setattr(review, key, value)
    review.status = PENDING if review.status == REJECTED else _status(merged)
    review.updated_at = _utcnow()
    refresh_product(session, review.product_id)
    session.commit()
    return review


def delete_review(session: Session, user_id: int | None, review_id: int) -> None:
    review = own_review(session, user_id, review_id)
    product_id = review.product_id
    session.delete(review)
    session.flush()
    refresh_product(session, product_id)
    session.commit()


def vote_helpful(session: Session, user_id: int | None, review_id: int) -> Review:
    """One "helpful" per account and published review, never on one's own."""
    review = session.get(Review, review_id)
    if review is None or review.status != PUBLISHED:
        raise UnknownReview("There is no published review with that id.")
    if user_id is None:
        raise OwnReview("Log in to mark a review as helpful.")
    if review.user_id == user_id:
        raise OwnReview("You cannot mark your own review as helpful.")
    session.add(ReviewVote(review_id=review.id, user_id=user_id))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlreadyVoted("You have already marked this review as helpful.") from None
    review.helpful_count = session.scalar(
        select(func.count()).select_from(ReviewVote).where(ReviewVote.review_id == review.id)
    )
    session.commit()
    return review


def refresh_product(session: Session, product_id: int) -> None:
    """The product's cached average and count, from its published reviews.

    The product row is locked first (PostgreSQL; SQLite already holds its write lock), so two
    reviews of one product committed at once cannot each count without the other.
    """
    session.execute(select(Product.id).where(Product.id == product_id).with_for_update())
    count, total = session.execute(
        select(func.count(Review.id), func.coalesce(func.sum(Review.rating), 0)).where(
            Review.product_id == product_id, Review.status == PUBLISHED
        )
    ).one()
    product = session.get(Product, product_id)
    product.rating_count = count
    product.rating = average(total, count)


def average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
