"""Which products may be offered at all: active, with a variant in stock, in the visitor's fit.

One SQL statement, kept here with the catalog's other queries because it only reads products,
variants and categories; callers (the shop's recommendations) decide how long to cache it.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, exists, literal, or_, select
from sqlalchemy.orm import Session, aliased

from .models import Category, Product, Variant

#: The category whose tree is held to the visitor's shoe size and width.
SIZED_CATEGORY = "footwear"
#: A fitter tries half a size either side: UK 9 converts to EU 42.5, and EU 42 and 43 fit
#: too. Sizes are stored in halves, so this is the neighbouring half sizes.
SIZE_TOLERANCE_EU = Decimal("0.5")


def _fit_clause(variant, size: float | None, width: str | None):
    clauses = []
    if size is not None:
        size = Decimal(str(size))
        clauses.append(variant.size_eu.between(size - SIZE_TOLERANCE_EU, size + SIZE_TOLERANCE_EU))
    if width:
        clauses.append(variant.width == width)
    return and_(*clauses) if clauses else literal(True)


def eligible_slugs(session: Session, size: float | None = None, width: str | None = None, *,
                   sized_category: str = SIZED_CATEGORY) -> frozenset[str]:
    """Slugs of active products with a variant in stock; in ``sized_category``'s tree, a variant
    in ``size`` (EU, give or take :data:`SIZE_TOLERANCE_EU`) and ``width`` when given.

    A recursive CTE finds the sized category tree. Products outside it (insoles, socks,
    one-size products) are not held to the shoe size: they stay eligible when in stock at all.
    """
    variant = aliased(Variant)
    if size is None and not width:
        fit = literal(True)
    else:
        tree = select(Category.id).where(Category.slug == sized_category).cte("sized", recursive=True)
        child = aliased(Category)
        tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
        fit = or_(Product.category_id.not_in(select(tree.c.id)), _fit_clause(variant, size, width))
    stmt = select(Product.slug).where(
        Product.active.is_(True),
        exists().where(variant.product_id == Product.id, variant.stock > 0, fit),
    )
    return frozenset(session.scalars(stmt))
