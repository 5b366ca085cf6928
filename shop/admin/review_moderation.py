"""Review moderation: the held reviews (links, blocked words) are published or rejected by staff.

Publishing or rejecting recomputes the product's cached rating in the same transaction
(``shop.reviews.service.refresh_product``, as every review change does), with its audit entry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Product

from ..models import User
from ..reviews.models import Review, _utcnow
from ..reviews.service import PENDING, PUBLISHED, REJECTED, refresh_product
from . import audit

DECISIONS = {"publish": PUBLISHED, "reject": REJECTED}


class UnknownReviewId(LookupError):
    pass


Row = tuple[Review, Product, User]


def queue(session: Session, *, recent: int = 30) -> tuple[list[Row], list[Row]]:
    """The pending reviews (oldest first: they waited longest) and the most recent others."""
    base = (select(Review, Product, User).join(Product, Product.id == Review.product_id)
            .join(User, User.id == Review.user_id))
    pending = session.execute(base.where(Review.status == PENDING).order_by(Review.created_at, Review.id)).all()
    others = session.execute(base.where(Review.status != PENDING)
                             .order_by(Review.updated_at.desc(), Review.id.desc()).limit(recent)).all()
    return [tuple(row) for row in pending], [tuple(row) for row in others]


def moderate(session: Session, actor: User | None, review_id: int, decision: str) -> Review:
    """Publish or reject the review, refresh its product's rating, audit, commit."""
    status = DECISIONS[decision]
    review = session.get(Review, review_id)
    if review is None:
        raise UnknownReviewId(f"There is no review {review_id}.")
    before = review.status
    review.status = status
    review.updated_at = _utcnow()
    session.flush()
    refresh_product(session, review.product_id)
    audit.record(session, actor, f"review.{decision}", "review", review.id,
                 before={"status": before}, after={"status": status})
    session.commit()
    return review
