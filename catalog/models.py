"""Typed SQLAlchemy 2 models of the catalog: categories, products, variants, articles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, query_expression, relationship

from .vocabulary import ATTRIBUTES, PRODUCT_ATTRIBUTES, eu_to_uk, eu_to_us

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by the catalog and the shop's own tables."""

    metadata = MetaData(naming_convention=NAMING)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )

    @property
    def path(self) -> list[str]:
        """Slugs from the root down to this category."""
        node, slugs = self, []
        while node is not None:
            slugs.append(node.slug)
            node = node.parent
        return slugs[::-1]


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("price >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(120), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    # The published reviews' average and count: a cache kept by the shop's reviews (never
    # imported), so the "Top rated" sort is one column read.
    rating: Mapped[Decimal | None] = mapped_column(Numeric(2, 1))
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[dt.date] = mapped_column(Date)
    # Single-valued attributes: NULL where they do not apply to the product.
    arch_support: Mapped[str | None] = mapped_column(String(20), index=True)
    cushioning: Mapped[str | None] = mapped_column(String(20), index=True)
    stability: Mapped[str | None] = mapped_column(String(20), index=True)
    drop_mm: Mapped[int | None] = mapped_column(Integer)
    weight_g: Mapped[int | None] = mapped_column(Integer)
    consumable: Mapped[bool] = mapped_column(default=False)
    waterproof: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The options a shopper picks a variant by, in order (``["Colour", "size_eu"]``); each
    #: variant's ``options`` holds its value of each. Empty for size/width-only products.
    option_names: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    short_description: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Listed in the shop's listings; a hidden product keeps its page (WooCommerce's
    #: "search"/"hidden" visibility).
    listed: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Image paths or URLs as a WooCommerce file gave them, kept for a lossless export back
    #: (the shop's own pictures are ``images``, rows of ``product_images``).
    image_refs: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    #: The product's own SKU where its source has one (a WooCommerce parent row's).
    sku: Mapped[str | None] = mapped_column(String(60), unique=True)
    #: Where the row came from (``woocommerce:741``), so a re-import updates it.
    source_ref: Mapped[str | None] = mapped_column(String(80), unique=True)

    category: Mapped[Category] = relationship(lazy="joined")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="(Variant.size_eu, Variant.width, Variant.id)",
    )
    labels: Mapped[list[ProductLabel]] = relationship(
        cascade="all, delete-orphan", order_by="(ProductLabel.kind, ProductLabel.position)"
    )
    plain_attributes: Mapped[list[ProductAttribute]] = relationship(
        cascade="all, delete-orphan", order_by="ProductAttribute.position"
    )
    category_rows: Mapped[list[ProductCategory]] = relationship(
        cascade="all, delete-orphan", order_by="ProductCategory.position"
    )
    links: Mapped[list[ProductLink]] = relationship(
        cascade="all, delete-orphan",
        order_by="(ProductLink.kind, ProductLink.position)",
        foreign_keys="ProductLink.product_id",
    )
    #: "Some variant is in stock", when a query loaded it (``with_expression``, see
    #: ``queries.product_cards``) instead of the variants; None otherwise.
    any_in_stock: Mapped[bool | None] = query_expression()

    def _labels(self, kind: str) -> list[str]:
        return [label.value for label in self.labels if label.kind == kind]

    @property
    def tags(self) -> list[str]:
        return self._labels("tag")

    @property
    def terrain(self) -> list[str]:
        return self._labels("terrain")

    @property
    def conditions(self) -> list[str]:
        return self._labels("condition")

    @property
    def attributes(self) -> dict:
        """The product's attributes as in the data files (registry order); absent ones, empty
        lists and false flags are left out."""
        attrs = {}
        for name in PRODUCT_ATTRIBUTES:
            spec = ATTRIBUTES[name]
            value = self._labels(spec.label_kind) if spec.stored == "label" else getattr(self, name)
            if value is not None and value is not False and value != []:
                attrs[name] = value
        return attrs

    @property
    def in_stock(self) -> bool:
        if self.any_in_stock is not None:
            return bool(self.any_in_stock)
        return any(variant.stock > 0 for variant in self.variants)

    @property
    def sized(self) -> bool:
        return any(variant.size_eu is not None for variant in self.variants)

    @property
    def categories(self) -> list[Category]:
        """Every category the product is in, the main one first."""
        extra = [row.category for row in self.category_rows if row.category is not self.category]
        return [self.category, *extra]

    def linked(self, kind: str) -> list[Product]:
        return [link.linked for link in self.links if link.kind == kind]


class ProductAttribute(Base):
    """An attribute no mapping claimed (WooCommerce's "Material: Cotton"), shown on the page."""

    __tablename__ = "product_attributes"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    values: Mapped[list] = mapped_column(JSON, default=list)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)


class ProductCategory(Base):
    """One of several categories of a product; ``products.category_id`` stays the main one."""

    __tablename__ = "product_categories"
    __table_args__ = (UniqueConstraint("product_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    category: Mapped[Category] = relationship(lazy="joined")


#: Kinds of hand-set links: WooCommerce's upsells and cross-sells.
LINK_KINDS = ("upsell", "cross_sell")


class ProductLink(Base):
    """A hand-set "Frequently bought together" item, shown before the recommender's."""

    __tablename__ = "product_links"
    __table_args__ = (
        UniqueConstraint("product_id", "kind", "linked_product_id"),
        CheckConstraint("kind IN ('upsell', 'cross_sell')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    linked_product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)

    linked: Mapped[Product] = relationship(foreign_keys=[linked_product_id], lazy="joined")


class ProductLabel(Base):
    """One value of a multi-valued attribute: a tag, a terrain or a condition."""

    __tablename__ = "product_labels"
    __table_args__ = (
        UniqueConstraint("product_id", "kind", "value"),
        Index("ix_product_labels_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Variant(Base):
    """A purchasable size/width (or any named options) of a product, with its own stock.

    ``price`` is the variant's own regular price (NULL: the product's); a sale price applies
    between ``sale_starts`` and ``sale_ends`` (UTC, either may be open). ``price_now`` is
    the one place that decides what a shopper pays, for the page and for checkout alike.
    """

    __tablename__ = "variants"
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    size_eu: Mapped[Decimal | None] = mapped_column(Numeric(3, 1), index=True)
    width: Mapped[str | None] = mapped_column(String(20), index=True)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    #: This variant's value of each of the product's ``option_names``.
    options: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    sale_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    sale_starts: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sale_ends: Mapped[dt.datetime | None] = mapped_column(DateTime)
    source_ref: Mapped[str | None] = mapped_column(String(80), unique=True)

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def regular_price(self) -> Decimal:
        return self.product.price if self.price is None else self.price

    def on_sale(self, now: dt.datetime | None = None) -> bool:
        if self.sale_price is None:
            return False
        now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        started = self.sale_starts is None or self.sale_starts <= now
        return started and (self.sale_ends is None or now <= self.sale_ends)

    @property
    def price_now(self) -> Decimal:
        """What the variant costs at this moment: the sale price while the sale runs."""
        return self.sale_price if self.on_sale() else self.regular_price

    @property
    def size_uk(self) -> float | None:
        return None if self.size_eu is None else eu_to_uk(float(self.size_eu))

    @property
    def size_us(self) -> float | None:
        return None if self.size_eu is None else eu_to_us(float(self.size_eu))

    def option(self, name: str) -> str:
        """This variant's value of option ``name``; size and width from their typed columns."""
        if name == "size_eu" and self.size_eu is not None:
            return f"{self.size_eu.normalize():f}"
        if name == "width" and self.width:
            return self.width
        return str((self.options or {}).get(name, ""))

    def _size_text(self) -> str:
        eu = f"{self.size_eu.normalize():f}"
        return f"EU {eu} (UK {self.size_uk:g} / US {self.size_us:g})"

    @property
    def label(self) -> str:
        """What a shopper reads in a picker and the cart: "EU 42 (UK 8.5 / US 9.5), wide", or
        the named options in the product's order, "Colour: Blue, Size: Large"."""
        parts = []
        if self.size_eu is not None:
            parts.append(self._size_text())
        if self.width:
            parts.append(self.width)
        options = self.options or {}
        for name in self.product.option_names or list(options):
            if name not in ("size_eu", "width") and name in options:
                parts.append(f"{name}: {options[name]}")
        return ", ".join(parts) or "One size"


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(250))
    author: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[dt.date] = mapped_column(Date, index=True)
    #: A draft is seen only in the back office: no page, no listing, no search hit.
    draft: Mapped[bool] = mapped_column(default=False, server_default=false())

    topic_rows: Mapped[list[ArticleTopic]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTopic.position", lazy="selectin"
    )

    @property
    def topics(self) -> list[str]:
        return [row.topic for row in self.topic_rows]


class ArticleTopic(Base):
    __tablename__ = "article_topics"
    __table_args__ = (UniqueConstraint("article_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(60), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SearchDocument(Base):
    """One product's or article's searchable text, rewritten by ``catalog.search_index`` when
    the product or article changes; the full-text index (FTS5 or tsvector) is built over it."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "ref_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)  # never reused: the vocabulary cache key
    kind: Mapped[str] = mapped_column(String(20))  # "product" or "article"
    ref_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


from . import images_model  # noqa: E402,F401  (ProductImage and Product.images)
