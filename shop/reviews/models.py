"""Reviews of products by the accounts that bought them, and their "helpful" votes.

The product's ``rating``/``rating_count`` columns are no longer typed in: they are a cache of
the published reviews' average and count, rewritten by ``shop.reviews.service`` in the same
transaction as every review change, so the listing's "Top rated" sort stays one indexed read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Base


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Review(Base):
    """One account's review of one product; ``status`` is "published" or "pending" moderation."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("product_id", "user_id", name="uq_reviews_product_user"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_one_to_five"),
        Index("ix_reviews_product_status", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    size_fit: Mapped[str | None] = mapped_column(String(10))  # small / true / large
    width_fit: Mapped[str | None] = mapped_column(String(10))  # narrow / true / wide
    status: Mapped[str] = mapped_column(String(20), default="published")
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)


class ReviewVote(Base):
    """ "This review was helpful", at most once per account and review (the primary key)."""

    __tablename__ = "review_votes"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
