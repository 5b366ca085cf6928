"""Eligibility to be offered at all, checked against the data itself: active, in stock, and
for the sized category's tree, in the asked size and width."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from catalog.eligibility import eligible_slugs
from catalog.models import Product, Variant


def expected(session, size=None, width=None, sized="footwear") -> frozenset[str]:
    """The rule, written plainly in Python."""
    out = set()
    for product in session.scalars(select(Product).options(selectinload(Product.variants))):
        in_stock = [v for v in product.variants if v.stock > 0]
        if product.active and sized in product.category.path:
            in_stock = [
                v
                for v in in_stock
                if (size is None or abs(v.size_eu - Decimal(str(size))) <= Decimal("0.5"))
                and (not width or v.width == width)
            ]
        if product.active and in_stock:
            out.add(product.slug)
    return frozenset(out)


@pytest.mark.parametrize(("size", "width"), [(None, None), (42, None), (None, "wide"), (42, "regular"), (38.5, "wide")])
def test_eligible_products_are_active_in_stock_and_in_the_fit(demo, session, size, width):
    assert eligible_slugs(session, size, width) == expected(session, size, width)


def test_an_unsized_product_is_not_held_to_the_shoe_size(demo, session):
    everything, sized = eligible_slugs(session), eligible_slugs(session, 42, "regular")
    unsized = {p.slug for p in session.scalars(select(Product)) if "footwear" not in p.category.path}
    assert unsized & everything and unsized & everything <= sized
    assert sized < everything  # some shoes are not in EU 42 regular


def test_sold_out_and_inactive_products_are_not_eligible(demo, session):
    sold_out, retired = sorted(eligible_slugs(session))[:2]
    session.execute(
        update(Variant)
        .where(Variant.product_id == select(Product.id).where(Product.slug == sold_out).scalar_subquery())
        .values(stock=0)
    )
    session.execute(update(Product).where(Product.slug == retired).values(active=False))
    session.commit()
    assert not {sold_out, retired} & eligible_slugs(session)


def test_another_sized_category(demo, session):
    assert eligible_slugs(session, 42, "regular", sized_category="no-such-category") == eligible_slugs(session)


def test_a_half_size_matches_the_sizes_a_fitter_would_try(demo, session):
    """UK 9 becomes EU 42.5: the shoes made in EU 42 and 43 fit it, and EU 42 takes 41.5-42.5."""
    half = eligible_slugs(session, 42.5, "regular")
    shoes = {p.slug for p in session.scalars(select(Product)) if "footwear" in p.category.path}
    exact = {
        v.product.slug
        for v in session.scalars(select(Variant))
        if v.stock > 0 and v.width == "regular" and v.size_eu in (Decimal(42), Decimal(43))
    }
    assert exact & shoes <= half
    assert len(half & shoes) >= 10
    # Never more than half a size away.
    near = {
        v.product.slug
        for v in session.scalars(select(Variant))
        if v.stock > 0 and v.width == "regular" and abs(v.size_eu - Decimal("42.5")) <= Decimal("0.5")
    }
    assert (half & shoes) == (near & shoes)
    assert shoes - half  # shoes only in sizes further away are not offered
