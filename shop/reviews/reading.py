"""What shoppers read: the rating summary (histogram, fit) and pages of published reviews."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from .models import Review
from .service import PUBLISHED, average

SORTS = {
    "helpful": (Review.helpful_count.desc(), Review.created_at.desc(), Review.id.desc()),
    "newest": (Review.created_at.desc(), Review.id.desc()),
    "highest": (Review.rating.desc(), Review.created_at.desc(), Review.id.desc()),
    "lowest": (Review.rating.asc(), Review.created_at.desc(), Review.id.desc()),
}
SORT_LABELS = {
    "helpful": "Most helpful",
    "newest": "Newest",
    "highest": "Highest rated",
    "lowest": "Lowest rated",
}
SIZE_FIT_LABELS = {"small": "runs small", "true": "true to size", "large": "runs large"}
WIDTH_FIT_LABELS = {"narrow": "narrow", "true": "true to width", "wide": "wide"}


@dataclass(frozen=True)
class FitSummary:
    """How the reviewers who answered say a shoe fits; ``verdict`` is one readable sentence."""

    counts: dict[str, int]
    answered: int
    verdict: str | None

    def share(self, code: str) -> float:
        return self.counts.get(code, 0) / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class RatingSummary:
    average: Decimal | None
    count: int
    histogram: dict[int, int]  # stars (5 to 1) -> published reviews
    size_fit: FitSummary
    width_fit: FitSummary = field(default_factory=lambda: FitSummary({}, 0, None))

    def percent(self, stars: int) -> int:
        return round(100 * self.histogram.get(stars, 0) / self.count) if self.count else 0


def _fit(values: list[str], labels: dict[str, str], what: str) -> FitSummary:
    counts = Counter(v for v in values if v in labels)
    answered = sum(counts.values())
    if not answered:
        return FitSummary({}, 0, None)
    code, top = counts.most_common(1)[0]
    if top * 2 > answered:
        verdict = f"Most reviewers say {labels[code]}"
    else:
        verdict = f"Reviewers are divided on {what}"
    return FitSummary(dict(counts), answered, verdict)


def rating_summary(session: Session, product_id: int) -> RatingSummary:
    rows = session.execute(
        select(Review.rating, Review.size_fit, Review.width_fit).where(
            Review.product_id == product_id, Review.status == PUBLISHED
        )
    ).all()
    histogram = {stars: 0 for stars in range(5, 0, -1)}
    for row in rows:
        histogram[row.rating] += 1
    return RatingSummary(
        average=average(sum(r.rating for r in rows), len(rows)),
        count=len(rows),
        histogram=histogram,
        size_fit=_fit([r.size_fit for r in rows], SIZE_FIT_LABELS, "size"),
        width_fit=_fit([r.width_fit for r in rows], WIDTH_FIT_LABELS, "width"),
    )


@dataclass(frozen=True)
class ReviewPage:
    items: list[Review]
    authors: dict[int, str]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def author_name(name: str | None) -> str:
    """A reviewer shown by first name only (their e-mail never)."""
    first = (name or "").strip().split(" ")[0]
    return first[:40] or "A verified buyer"


def list_reviews(
    session: Session,
    product_id: int,
    *,
    sort: str = "helpful",
    stars: int | None = None,
    page: int = 1,
    per_page: int = 10,
) -> ReviewPage:
    where = [Review.product_id == product_id, Review.status == PUBLISHED]
    if stars is not None:
        where.append(Review.rating == stars)
    total = session.scalar(select(func.count(Review.id)).where(*where))
    items = list(
        session.scalars(
            select(Review)
            .where(*where)
            .order_by(*SORTS[sort])
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    ids = {r.user_id for r in items}
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return ReviewPage(
        items, {uid: author_name(n) for uid, n in names.items()}, total, page, per_page
    )
