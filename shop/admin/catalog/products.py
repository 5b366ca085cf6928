"""Products for staff: list and search, create, edit, delete; each change audited.

Plain functions on a session (no Flask). A change goes through the ORM, so what depends on a
product is refreshed exactly as after an import: the search index rewrites its documents on
flush (``catalog.search_index``) and the recommender's eligibility snapshots are dropped on
commit (``shop.recommendations.eligibility.watch_commits``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.models import Category, Product, ProductLabel, Variant
from catalog.vocabulary import ATTRIBUTES, COLUMN_ATTRIBUTES, LABEL_ATTRIBUTES, PRODUCT_ATTRIBUTES

from ...models import OrderLine, User
from ...reviews.models import Review
from .. import audit


class CatalogError(ValueError):
    """A change that cannot be made; ``errors`` names the field(s), for a form or problem JSON."""

    def __init__(self, errors: dict[str, str], status: int = 422):
        self.errors, self.status = errors, status
        super().__init__(" ".join(errors.values()))


def slugify(text: str, limit: int = 100) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:limit].strip("-")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Sale:
    price: Decimal | None
    starts: dt.datetime | None
    ends: dt.datetime | None
    mixed: bool = False  # the variants have sales of their own (a WooCommerce import)


def sale_of(product: Product) -> Sale | None:
    """The product's sale as one setting over its variants (None: no sale on any)."""
    sales = {(v.sale_price, v.sale_starts, v.sale_ends) for v in product.variants}
    if not sales or sales == {(None, None, None)}:
        return None
    if len(sales) > 1:
        return Sale(None, None, None, mixed=True)
    return Sale(*sales.pop())


def state(product: Product) -> dict:
    """What the audit log keeps of a product."""
    sale = sale_of(product)
    return {
        "slug": product.slug, "name": product.name, "brand": product.brand,
        "description": product.description, "price": f"{product.price:.2f}",
        "sale_price": None if sale is None or sale.price is None else f"{sale.price:.2f}",
        "sale_starts": sale.starts if sale else None, "sale_ends": sale.ends if sale else None,
        "category": product.category.slug if product.category else None, "active": product.active,
        **{name: product.attributes.get(name) for name in PRODUCT_ATTRIBUTES},
    }


@dataclass
class ProductList:
    items: list[Product]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_products(session: Session, *, q: str | None = None, category: str | None = None,
                  status: str | None = None, page: int = 1, per_page: int = 25) -> ProductList:
    """Every product (drafts too), by name; ``q`` matches the name, brand or a variant's SKU."""
    stmt = select(Product)
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        sku = select(Variant.id).where(Variant.product_id == Product.id, func.lower(Variant.sku).like(like))
        stmt = stmt.where(or_(func.lower(Product.name).like(like), func.lower(Product.brand).like(like),
                              func.lower(Product.slug).like(like), sku.exists()))
    if category:
        stmt = stmt.join(Category, Category.id == Product.category_id).where(Category.slug == category)
    if status:
        stmt = stmt.where(Product.active.is_(status == "active"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = session.scalars(stmt.options(selectinload(Product.variants), selectinload(Product.labels))
                            .order_by(Product.name, Product.id).limit(per_page).offset((page - 1) * per_page))
    return ProductList(list(items), total, page, per_page)


def get_product(session: Session, product_id: int) -> Product | None:
    return session.get(Product, product_id)


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.name)))


def _category(session: Session, slug: str) -> Category:
    category = session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise CatalogError({"category": f"There is no category {slug!r}."})
    return category


def _apply(session: Session, product: Product, data: dict) -> None:
    product.name, product.brand = data["name"].strip(), data["brand"].strip()
    product.description, product.price = data["description"], data["price"]
    product.category = _category(session, data["category"])
    product.active = data["active"]
    for name in COLUMN_ATTRIBUTES:
        setattr(product, name, data.get(name, False if ATTRIBUTES[name].type == "flag" else None))
    wanted = [("tag", label.value) for label in product.labels if label.kind == "tag"]
    for name in LABEL_ATTRIBUTES:
        wanted += [(ATTRIBUTES[name].label_kind, value) for value in data.get(name) or []]
    current = {(label.kind, label.value): label for label in product.labels}
    product.labels = []
    for position, (kind, value) in enumerate(dict.fromkeys(wanted)):
        label = current.get((kind, value)) or ProductLabel(kind=kind, value=value)
        label.position = position
        product.labels.append(label)
    if not (sale_of(product) or Sale(None, None, None)).mixed or data.get("sale_price") is not None:
        for variant in product.variants:
            variant.sale_price = data.get("sale_price")
            variant.sale_starts = data.get("sale_starts") if variant.sale_price is not None else None
            variant.sale_ends = data.get("sale_ends") if variant.sale_price is not None else None


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    """Sale times are stored as naive UTC."""
    if value is not None and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def create_product(session: Session, actor: User | None, data: dict) -> Product:
    """A new product (no variants yet: add them next). Commits."""
    data = {**data, "sale_starts": _naive(data.get("sale_starts")), "sale_ends": _naive(data.get("sale_ends"))}
    slug = data.get("slug") or slugify(data["name"]) or "product"
    if session.scalar(select(Product.id).where(Product.slug == slug)) is not None:
        raise CatalogError({"slug": f"The address {slug!r} is taken: give another slug."})
    product = Product(slug=slug, created_at=_now().date(), option_names=[], image_refs=[])
    with session.no_autoflush:
        _apply(session, product, data)
    session.add(product)
    session.flush()
    audit.record(session, actor, "product.create", "product", product.id, after=state(product))
    session.commit()
    return product


def update_product(session: Session, actor: User | None, product: Product, data: dict) -> Product:
    """Change a product's fields (the slug stays: links and history name it). Commits."""
    data = {**data, "sale_starts": _naive(data.get("sale_starts")), "sale_ends": _naive(data.get("sale_ends"))}
    before = state(product)
    try:
        with session.no_autoflush:
            _apply(session, product, data)
    except CatalogError:
        session.rollback()
        raise
    old, new = audit.changes(before, state(product))
    if new:
        audit.record(session, actor, "product.update", "product", product.id, before=old, after=new)
    session.commit()
    return product


def delete_product(session: Session, actor: User | None, product: Product) -> None:
    """Delete a product nobody ordered or reviewed; otherwise it stays (make it a draft)."""
    ordered = session.scalar(select(func.count()).select_from(OrderLine).where(
        OrderLine.variant_id.in_([v.id for v in product.variants]) | (OrderLine.product_slug == product.slug)))
    reviewed = session.scalar(select(func.count()).select_from(Review).where(Review.product_id == product.id))
    if ordered or reviewed:
        raise CatalogError({"product": f"{product.name} has orders or reviews, so it stays: "
                                       "make it a draft to take it out of the shop."}, status=409)
    from ...models import CartItem

    before = state(product)
    variant_ids = [v.id for v in product.variants]
    if variant_ids:
        session.query(CartItem).filter(CartItem.variant_id.in_(variant_ids)).delete(synchronize_session=False)
    audit.record(session, actor, "product.delete", "product", product.id, before=before)
    session.delete(product)
    session.commit()
