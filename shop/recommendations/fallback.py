"""Popularity from the database: what the shop serves when no trained model can be used.

A missing, stale or corrupt model must never cost a shopper a page. This fallback implements
the same :class:`recommender.types.Recommender` protocol as the trained hybrid
(``eligible_mask``, ``recommend``, ``similar_items``, ``bought_together``, ``popular``, each
with ``eligible`` and ``exclude=``) from what shoppers did lately (one aggregate query) and
the catalog's ratings, with a little context: an article's topics, a product's category,
footwear on the footwear finder. Rebuilt at most once a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from catalog.models import Article, ArticleTopic, Product, ProductLabel
from recommender.types import Eligible, Recommendation, VisitorContext

from ..models import Event, utcnow
from .bridge import ARTICLE_PREFIX, category_paths

VERSION = "popularity-fallback"
POPULAR = "Popular with other shoppers"
TOP_RATED = "Highly rated by our customers"
RANGE = "From our back-care range"
#: How much each event says about a product's popularity.
KIND_WEIGHTS = {"view": 1.0, "cart": 3.0, "purchase": 5.0}


@dataclass(frozen=True)
class _Item:
    slug: str
    name: str
    leaf: str
    root: str
    footwear: bool
    consumable: bool
    labels: frozenset[str]
    popularity: float  # 0..1
    rating: float  # 0..1


class PopularityFallback:
    """Recent popularity and ratings, shaped a little by the page's context."""

    version = VERSION

    def __init__(self, items: list[_Item], article_topics: dict[str, frozenset[str]]):
        self.items = items
        self.by_slug = {item.slug: item for item in items}
        self.position = {item.slug: i for i, item in enumerate(items)}
        self.article_topics = article_topics

    @classmethod
    def from_database(cls, session: Session, days: int = 30) -> PopularityFallback:
        since = utcnow() - dt.timedelta(days=days)
        weight = case(*((Event.kind == k, w) for k, w in KIND_WEIGHTS.items()), else_=0.0)
        counts = dict(
            session.execute(
                select(Event.item_id, func.sum(weight * Event.weight))
                .where(Event.kind.in_(tuple(KIND_WEIGHTS)), Event.created_at >= since)
                .group_by(Event.item_id)
            ).all()
        )
        labels: dict[int, set[str]] = {}
        for product_id, value in session.execute(select(ProductLabel.product_id, ProductLabel.value)):
            labels.setdefault(product_id, set()).add(value)
        paths = category_paths(session)
        rows = session.execute(
            select(Product.id, Product.slug, Product.name, Product.category_id, Product.consumable,
                   Product.rating, Product.rating_count).where(Product.active.is_(True))
        ).all()
        top = max((float(counts.get(r.slug) or 0) for r in rows), default=0.0) or 1.0
        items = []
        for r in rows:
            path = paths.get(r.category_id, ("",))
            # Rating shrunk towards 3 stars for products with few reviews.
            rating = ((float(r.rating or 0) * r.rating_count) + 3.0 * 20) / (r.rating_count + 20)
            items.append(_Item(r.slug, r.name, path[-1], path[0], "footwear" in path, bool(r.consumable),
                               frozenset(labels.get(r.id, ())), float(counts.get(r.slug) or 0) / top,
                               max(0.0, (rating - 1.0) / 4.0)))
        topics: dict[str, set[str]] = {}
        for slug, topic in session.execute(
            select(Article.slug, ArticleTopic.topic).join(ArticleTopic, ArticleTopic.article_id == Article.id)
        ):
            topics.setdefault(ARTICLE_PREFIX + slug, set()).add(topic)
        return cls(items, {k: frozenset(v) for k, v in topics.items()})

    # ------------------------------------------------------------------ the model API
    def eligible_mask(self, item_ids: Iterable[str] | None) -> np.ndarray:
        """Boolean mask over ``items`` (this fallback's own order) for some slugs; unknown
        slugs ignored, ``None`` allows every product."""
        if item_ids is None:
            return np.ones(len(self.items), dtype=bool)
        mask = np.zeros(len(self.items), dtype=bool)
        rows = [self.position[slug] for slug in item_ids if slug in self.position]
        mask[rows] = True
        return mask

    def recommend(self, context: VisitorContext, n: int = 10, eligible: Eligible = None, *,
                  exclude: Collection[str] = ()) -> list[Recommendation]:
        drop = {context.anchor_id, *context.cart, *exclude}
        drop |= {s for s in context.purchased if s in self.by_slug and not self.by_slug[s].consumable}
        topics = self.article_topics.get(context.anchor_id or "", frozenset())
        anchor = self.by_slug.get(context.anchor_id or "")

        def boost(item: _Item) -> tuple[float, str | None]:
            if context.kind == "footwear" and not item.footwear:
                return -1.0, None
            if topics and item.labels & topics:
                return 0.5 * len(item.labels & topics) / len(topics), "Matches the topics of this article"
            if anchor is not None and item.leaf == anchor.leaf:
                return 0.5, f"Like *{anchor.name}*"
            return 0.0, None

        return self._rank(n, eligible, drop, boost)

    def similar_items(self, item_id: str, n: int = 10, eligible: Eligible = None, *,
                      exclude: Collection[str] = ()) -> list[Recommendation]:
        anchor = self.by_slug.get(item_id)
        if anchor is None:
            return []

        def boost(item: _Item) -> tuple[float, str | None]:
            if item.leaf == anchor.leaf:
                return 1.0, f"Like *{anchor.name}*"
            if item.root == anchor.root:
                return 0.5, f"Like *{anchor.name}*"
            return 0.0, None

        return self._rank(n, eligible, {item_id, *exclude}, boost)

    def bought_together(self, item_id: str, n: int = 10, eligible: Eligible = None, *,
                        exclude: Collection[str] = ()) -> list[Recommendation]:
        anchor = self.by_slug.get(item_id)
        if anchor is None:
            return []

        def boost(item: _Item) -> tuple[float, str | None]:
            if item.root != anchor.root:
                return 0.5, f"Goes well with *{anchor.name}*"
            return 0.0, None

        return self._rank(n, eligible, {item_id, *exclude}, boost)

    def popular(self, n: int = 10, eligible: Eligible = None, *,
                exclude: Collection[str] = ()) -> list[Recommendation]:
        return self._rank(n, eligible, set(exclude), lambda item: (0.0, None))

    # ------------------------------------------------------------------ internals
    def _allowed(self, eligible: Eligible) -> np.ndarray | None:
        """``eligible`` as a mask over ``items`` (``None``: every product)."""
        if eligible is None:
            return None
        if isinstance(eligible, np.ndarray) and eligible.dtype == bool:
            if eligible.shape != (len(self.items),):
                raise ValueError(f"an eligible mask must have shape ({len(self.items)},)")
            return eligible
        return self.eligible_mask(eligible)

    def _rank(self, n, eligible, exclude, boost) -> list[Recommendation]:
        allowed = self._allowed(eligible)
        scored = []
        for row, item in enumerate(self.items):
            if item.slug in exclude or (allowed is not None and not allowed[row]):
                continue
            extra, reason = boost(item)
            if extra < 0:
                continue
            base = 0.7 * item.popularity + 0.3 * item.rating
            scored.append((extra + base, item, reason, base))
        scored.sort(key=lambda t: (-t[0], t[1].slug))
        out = []
        for score, item, reason, base in scored[: max(0, n)]:
            reasons = [reason] if reason else []
            if item.popularity >= 0.1:
                reasons.append(POPULAR)
            elif item.rating >= 0.75:
                reasons.append(TOP_RATED)
            out.append(Recommendation(item.slug, float(score), reasons[:2] or [RANGE],
                                      {"content": 0.0, "collaborative": 0.0, "profile": 0.0,
                                       "popularity": float(base)}))
        return out
