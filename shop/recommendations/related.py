"""Related Products for an article: the recommender's pick, or the topic match without one.

The recommender ranks by the article's content, the visitor's profile and history (see
``shop.recommendations.slots.article_related``); should it fail outright, the article's
topics matched against product tags keep the section filled.
"""

from __future__ import annotations

import logging

from catalog import queries
from catalog.models import Article, Product

from ..extensions import db
from . import reason_html, registry
from .slots import article_related

log = logging.getLogger(__name__)
TOPIC_REASON = "Matches the topics of this article"


def related_suggestions(article: Article, limit: int | None = None, *,
                        log_impressions: bool = True) -> tuple[list[Product], dict[str, list[str]]]:
    """(products, reasons by product slug) for an article's Related Products (the registry's
    number of them unless ``limit`` is given)."""
    limit = limit or registry.get("article").size
    try:
        shown = article_related(article, limit, log_impressions=log_impressions)
    except Exception:  # noqa: BLE001 - the article must render even if the recommender fails
        log.warning("Related Products: recommender failed; using the topic match", exc_info=True)
        db.session.rollback()
        products = queries.products_for_topics(db.session, article.topics, limit)
        return products, {p.slug: [TOPIC_REASON] for p in products}
    return [s.product for s in shown], {s.product.slug: [reason_html(r) for r in s.reasons] for s in shown}


def related_products(article: Article, limit: int | None = None) -> list[Product]:
    """Just the products (for the JSON article); logs no impression."""
    return related_suggestions(article, limit, log_impressions=False)[0]
