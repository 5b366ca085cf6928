"""Variants for staff: add, edit (SKU, size, width, stock, options), remove, restock, and the
low-stock list. A SKU names one variant in the whole shop; a variant somebody ordered is never
deleted (the order keeps pointing at it): removing it only takes its stock to zero."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Product, Variant

from ...models import CartItem, OrderLine, User
from .. import audit
from .products import CatalogError, sale_of


def state(variant: Variant) -> dict:
    return {"sku": variant.sku, "size_eu": variant.size_eu, "width": variant.width,
            "stock": variant.stock, "options": dict(variant.options or {})}


def get_variant(session: Session, product: Product, variant_id: int) -> Variant | None:
    variant = session.get(Variant, variant_id)
    return variant if variant is not None and variant.product_id == product.id else None


def option_names(product: Product) -> list[str]:
    """The product's own named options (size and width have columns of their own)."""
    return [name for name in product.option_names or [] if name not in ("size_eu", "width")]


def _check(session: Session, product: Product, data: dict, variant: Variant | None) -> dict:
    sku = data["sku"].strip().upper()
    owner = session.scalar(select(Variant).where(Variant.sku == sku))
    if owner is not None and owner is not variant:
        raise CatalogError({"sku": f"SKU {sku} is already used by {owner.product.name}: choose another."})
    names = option_names(product)
    unknown = sorted(set(data.get("options") or {}) - set(names))
    if unknown:
        allowed = ", ".join(names) if names else "none"
        raise CatalogError({"options": f"{product.name} has no option {unknown[0]!r} (its options: {allowed})."})
    options = {name: value.strip() for name, value in (data.get("options") or {}).items() if value.strip()}
    key = (data.get("size_eu"), data.get("width"), tuple(sorted(options.items())))
    for other in product.variants:
        if other is not variant and (other.size_eu, other.width, tuple(sorted((other.options or {}).items()))) == key:
            raise CatalogError({"size_eu": f"{other.sku} already has this size, width and options."})
    return {"sku": sku, "size_eu": data.get("size_eu"), "width": data.get("width"), "stock": data["stock"],
            "options": options}


def add_variant(session: Session, actor: User | None, product: Product, data: dict) -> Variant:
    """A new variant; it joins the product's sale, if there is one for all variants. Commits."""
    values = _check(session, product, data, None)
    variant = Variant(**values)
    sale = sale_of(product)
    if sale is not None and not sale.mixed:
        variant.sale_price, variant.sale_starts, variant.sale_ends = sale.price, sale.starts, sale.ends
    product.variants.append(variant)
    session.flush()
    audit.record(session, actor, "variant.create", "variant", variant.id,
                 after={"product": product.slug, **state(variant)})
    session.commit()
    return variant


def update_variant(session: Session, actor: User | None, variant: Variant, data: dict) -> Variant:
    before = state(variant)
    values = _check(session, variant.product, data, variant)
    for key, value in values.items():
        setattr(variant, key, value)
    old, new = audit.changes(before, state(variant))
    if new:
        audit.record(session, actor, "variant.update", "variant", variant.id, before=old, after=new)
    session.commit()
    return variant


def remove_variant(session: Session, actor: User | None, variant: Variant) -> bool:
    """Delete a variant nobody ordered (True); an ordered one keeps its row and goes to zero
    stock (False), so no shopper can buy it and every order still finds it. Commits."""
    ordered = session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.variant_id == variant.id))
    if ordered:
        before = variant.stock
        variant.stock = 0
        audit.record(session, actor, "variant.deactivate", "variant", variant.id,
                     before={"sku": variant.sku, "stock": before}, after={"sku": variant.sku, "stock": 0})
        session.commit()
        return False
    session.query(CartItem).filter(CartItem.variant_id == variant.id).delete(synchronize_session=False)
    audit.record(session, actor, "variant.delete", "variant", variant.id,
                 before={"product": variant.product.slug, **state(variant)})
    variant.product.variants.remove(variant)
    session.commit()
    return True


def restock(session: Session, actor: User | None, variant: Variant, stock: int) -> Variant:
    before = variant.stock
    if before != stock:
        variant.stock = stock
        audit.record(session, actor, "variant.restock", "variant", variant.id,
                     before={"sku": variant.sku, "stock": before}, after={"sku": variant.sku, "stock": stock})
    session.commit()
    return variant


def low_stock(session: Session, threshold: int, limit: int = 500) -> list[Variant]:
    """Variants with ``threshold`` or fewer in stock, emptiest first (drafts left out)."""
    return list(session.scalars(
        select(Variant).join(Product, Product.id == Variant.product_id)
        .where(Variant.stock <= threshold, Product.active.is_(True))
        .options(joinedload(Variant.product))
        .order_by(Variant.stock, Product.name, Variant.size_eu, Variant.id).limit(limit)))
