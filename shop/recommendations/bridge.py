"""Database rows → the recommender's plain inputs (items, articles, interactions).

The recommender library knows nothing of SQLAlchemy; this module is the only place that
reads catalog and event rows for it. Everything is read in a few set-based queries so a
training run over a large event log stays a matter of seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.models import Article, Category, Product
from recommender.hybrid import Document, ItemInfo
from recommender.interactions import Interactions

from ..models import Event
from ..reviews.signals import review_attributes

#: Events the model learns from; impressions, clicks and un-carts are measurement, not taste.
TRAINING_EVENTS = ("read", "view", "cart", "purchase")
ARTICLE_PREFIX = "article:"


def user_key(user_id: int | None, visitor_id: str) -> str:
    """One id per person: the account when known (``u<id>``), else the guest visitor id."""
    return f"u{user_id}" if user_id is not None else visitor_id


def category_paths(session: Session) -> dict[int, tuple[str, ...]]:
    """Every category's path of slugs from the root, from one query."""
    rows = session.execute(select(Category.id, Category.slug, Category.parent_id)).all()
    parent = {row.id: row.parent_id for row in rows}
    slug = {row.id: row.slug for row in rows}
    paths: dict[int, tuple[str, ...]] = {}
    for cid in slug:
        path, node, seen = [], cid, set()
        while node is not None and node not in seen:
            seen.add(node)
            path.append(slug[node])
            node = parent.get(node)
        paths[cid] = tuple(reversed(path))
    return paths


def _words(values) -> str:
    return " ".join(str(v).replace("-", " ") for v in values)


def product_text(product: Product) -> str:
    """Brand, description, tags and conditions as words (the model adds name, attributes, category)."""
    parts = [product.brand, product.description, _words(product.tags), _words(product.conditions)]
    if product.cushioning:  # the shop's own wording: "Cushioning / shock absorption"
        parts.append(f"{product.cushioning} shock absorption")
    return ". ".join(p for p in parts if p)


def load_items(session: Session) -> list[ItemInfo]:
    """Active products as :class:`ItemInfo`, in slug order (stable across runs); the
    attributes carry what the reviews say (``shop.reviews.signals``)."""
    paths = category_paths(session)
    reviews = review_attributes(session)
    products = session.scalars(
        select(Product)
        .where(Product.active.is_(True))
        .order_by(Product.slug)
        .options(selectinload(Product.labels), selectinload(Product.variants))
    ).all()
    return [
        ItemInfo(
            item_id=p.slug,
            title=p.name,
            text=product_text(p),
            category_path=paths.get(p.category_id, ()),
            attributes={**p.attributes, **reviews.get(p.slug, {})},
            widths=tuple(sorted({v.width for v in p.variants if v.width})),
            consumable=bool(p.consumable),
        )
        for p in products
    ]


def load_documents(session: Session) -> list[Document]:
    """Articles as :class:`Document` (``article:<slug>``): title, summary, body and topics."""
    articles = session.scalars(select(Article).order_by(Article.slug)).all()
    return [
        Document(
            doc_id=ARTICLE_PREFIX + a.slug,
            title=a.title,
            text=". ".join(p for p in (a.summary, a.body, _words(a.topics)) if p),
        )
        for a in articles
    ]


def _unix(stamp: dt.datetime) -> float:
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()


def load_interactions(session: Session, since: dt.datetime | None = None,
                      batch_size: int = 50_000) -> Interactions:
    """The event log's taste signals as columnar :class:`Interactions` (streamed in batches)."""
    stmt = (
        select(Event.visitor_id, Event.user_id, Event.item_id, Event.kind, Event.weight, Event.created_at)
        .where(Event.kind.in_(TRAINING_EVENTS), Event.item_id.is_not(None))
        .order_by(Event.id)
        .execution_options(yield_per=batch_size)
    )
    if since is not None:
        stmt = stmt.where(Event.created_at >= since)
    users: list[str] = []
    items: list[str] = []
    kinds: list[str] = []
    weights: list[float] = []
    stamps: list[float] = []
    for visitor, account, item, kind, weight, created in session.execute(stmt):
        users.append(user_key(account, visitor))
        items.append(item)
        kinds.append(kind)
        weights.append(1.0 if weight is None else float(weight))
        stamps.append(_unix(created))
    return Interactions(
        np.asarray(users, dtype=object),
        np.asarray(items, dtype=object),
        np.asarray(weights, dtype=np.float64),
        np.asarray(stamps, dtype=np.float64),
        np.asarray(kinds, dtype=object),
    )
