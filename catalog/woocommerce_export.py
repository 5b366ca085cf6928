"""The catalog as WooCommerce's product CSV: ``shop catalog export --to woocommerce``.

Each catalog product becomes the neutral ``woocommerce.Product`` the package's writer
already knows, so leaving the shop goes through the same tested code as moving in. What is
written is what the importer reads back into the same rows, so export -> import into an
empty shop -> export gives the same file. Catalog words go out under their own names
(``size_eu``, ``arch_support``): the importer maps an attribute of that name onto the word
without a mapping file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import woocommerce as woo
from .models import Product
from .vocabulary import ATTRIBUTES, PRODUCT_ATTRIBUTES

#: ``source_ref`` of rows that came from WooCommerce: ``woocommerce:<its ID>``.
REF_PREFIX = "woocommerce:"


def woo_id(source_ref: str | None) -> int | None:
    """The WooCommerce ID in ``woocommerce:741`` (None for other sources)."""
    if source_ref and source_ref.startswith(REF_PREFIX):
        rest = source_ref[len(REF_PREFIX) :]
        return int(rest) if rest.isdigit() else None
    return None


def product_sku(product: Product) -> str:
    return product.sku or product.slug


def option_names(product: Product) -> list[str]:
    """The options a shopper picks by; for products that never had named options, the typed
    size and width where the variants differ by them."""
    if product.option_names:
        return list(product.option_names)
    names = []
    if any(v.size_eu is not None for v in product.variants):
        names.append("size_eu")
    if any(v.width for v in product.variants):
        names.append("width")
    return names


def _attribute_words(product: Product) -> list[woo.Attribute]:
    """The product's catalog attributes, under their registry names."""
    attributes = []
    for name, value in product.attributes.items():
        if name not in PRODUCT_ATTRIBUTES:
            continue
        if ATTRIBUTES[name].type == "flag":
            values = ("yes",)
        elif isinstance(value, list):
            values = tuple(value)
        else:
            values = (str(value),)
        attributes.append(woo.Attribute(name, values, visible=True))
    return attributes


def neutral_product(product: Product) -> woo.Product:
    """The catalog product as WooCommerce sees it (the writer's input)."""
    names = option_names(product)
    variants = sorted(product.variants, key=lambda v: v.id or 0)
    options = [
        woo.Attribute(name, tuple(dict.fromkeys(v.option(name) for v in variants)))
        for name in names
    ]
    plain = [
        woo.Attribute(row.name, tuple(row.values), visible=row.visible)
        for row in product.plain_attributes
    ]
    neutral_variants = tuple(
        woo.Variant(
            sku=variant.sku,
            regular_price=Decimal(variant.regular_price),
            sale_price=variant.sale_price,
            sale_starts=variant.sale_starts,
            sale_ends=variant.sale_ends,
            stock_status="instock" if variant.stock > 0 else "outofstock",
            stock=variant.stock,
            options=tuple((name, variant.option(name)) for name in names),
            name=f"{product.name} - {variant.label}" if names else "",
            position=position if names else 0,
            woo_id=woo_id(variant.source_ref) if names else None,
        )
        for position, variant in enumerate(variants, start=1)
    )
    return woo.Product(
        sku=product_sku(product),
        name=product.name,
        type="variable" if names else "simple",
        variants=neutral_variants,
        published=1 if product.active else 0,
        visibility="visible" if product.listed else "hidden",
        short_description=product.short_description or "",
        description=product.description or "",
        categories=tuple(_names(category) for category in product.categories),
        tags=tuple(product.tags),
        images=tuple(product.image_refs or ()),
        upsells=tuple(product_sku(p) for p in product.linked("upsell")),
        cross_sells=tuple(product_sku(p) for p in product.linked("cross_sell")),
        attributes=(*options, *_attribute_words(product), *plain),
        woo_id=woo_id(product.source_ref),
    )


def _names(category) -> tuple[str, ...]:
    node, names = category, []
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


def catalog_products(session: Session) -> list[Product]:
    return list(
        session.scalars(
            select(Product)
            .options(
                selectinload(Product.variants),
                selectinload(Product.labels),
                selectinload(Product.plain_attributes),
                selectinload(Product.category_rows),
                selectinload(Product.links),
            )
            .order_by(Product.id)
        )
    )


def export_woocommerce(session: Session, path: str | Path) -> int:
    """Write every product as WooCommerce's product CSV; return how many."""
    products = [neutral_product(product) for product in catalog_products(session)]
    woo.write_products(path, products)
    return len(products)
