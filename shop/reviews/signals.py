"""Reviews as the recommender's plain item attributes (see ``recommender.review_signals``).

Per product: the published reviews' ``rating`` and ``rating_count``, the ``fit_small_share``
of footwear reviewers who say it runs small, and ``rating_by_arch``: the average stars of the
reviewers whose saved profile names their arch (``{"flat": [4.8, 6]}``), so a visitor with
flat feet can be told how people like them rated it. One query over the published reviews.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Product

from ..models import Profile
from .models import Review
from .service import PUBLISHED

ARCHES = ("flat", "neutral", "high")


def review_attributes(session: Session) -> dict[str, dict]:
    rows = session.execute(
        select(Product.slug, Review.rating, Review.size_fit, Profile.data)
        .join(Product, Product.id == Review.product_id)
        .outerjoin(Profile, Profile.user_id == Review.user_id)
        .where(Review.status == PUBLISHED)
    ).all()
    stars: dict[str, list[int]] = defaultdict(list)
    fits: dict[str, list[str]] = defaultdict(list)
    by_arch: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for slug, rating, size_fit, profile in rows:
        stars[slug].append(rating)
        if size_fit:
            fits[slug].append(size_fit)
        arch = (profile or {}).get("arch") if isinstance(profile, dict) else None
        if arch in ARCHES:
            by_arch[slug][arch].append(rating)
    signals = {}
    for slug, ratings in stars.items():
        entry = {"rating": round(sum(ratings) / len(ratings), 2), "rating_count": len(ratings)}
        if fits[slug]:
            entry["fit_small_share"] = round(fits[slug].count("small") / len(fits[slug]), 3)
        if by_arch[slug]:
            entry["rating_by_arch"] = {
                arch: [round(sum(v) / len(v), 1), len(v)]
                for arch, v in sorted(by_arch[slug].items())
            }
        signals[slug] = entry
    return signals
