"""Related Products for an article: the recommender's pick, or the topic match without one."""

from __future__ import annotations

from catalog import queries
from catalog.models import Article, Product

from .extensions import db


def related_products(article: Article, limit: int = 6) -> list[Product]:
    return queries.products_for_topics(db.session, article.topics, limit)
