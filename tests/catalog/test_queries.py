"""Filtering, facets, search, sorting and pagination, checked against the data itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog import queries
from catalog.models import Product
from catalog.queries import ProductQuery


@pytest.fixture
def products(demo, session) -> list[Product]:
    return list(session.scalars(select(Product).options(selectinload(Product.variants), selectinload(Product.labels))))


def matches(product: Product, q: ProductQuery, skip: str | None = None) -> bool:
    """The filter semantics, written plainly in Python."""
    if not product.active:
        return False
    if q.category and skip != "category" and q.category not in product.category.path:
        return False
    if q.min_price is not None and product.price < q.min_price:
        return False
    if q.max_price is not None and product.price > q.max_price:
        return False
    for name in ("arch_support", "cushioning", "stability"):
        if getattr(q, name) and skip != name and getattr(product, name) not in getattr(q, name):
            return False
    if q.condition and skip != "condition" and not set(product.conditions) & set(q.condition):
        return False
    if q.waterproof and skip != "waterproof" and not product.waterproof:
        return False
    return any(variant_matches(v, q, skip) for v in product.variants) if has_variant_filter(q, skip) else True


def has_variant_filter(q, skip):
    return (
        (q.size is not None and skip != "size") or (q.width and skip != "width") or (q.in_stock and skip != "in_stock")
    )


def variant_matches(v, q, skip=None) -> bool:
    return (
        (q.size is None or skip == "size" or v.size_eu == q.size)
        and (not q.width or skip == "width" or v.width in q.width)
        and (not q.in_stock or skip == "in_stock" or v.stock > 0)
    )


QUERIES = [
    ProductQuery(),
    ProductQuery(category="footwear"),
    ProductQuery(category="footwear", arch_support=["high"]),
    ProductQuery(category="footwear", stability=["stability", "motion-control"], size=Decimal("42")),
    ProductQuery(width=["wide", "extra-wide"], in_stock=True),
    ProductQuery(condition=["lower-back-pain"], cushioning=["high"], max_price=Decimal("150")),
    ProductQuery(min_price=Decimal("20"), max_price=Decimal("60"), condition=["plantar-fasciitis", "flat-feet"]),
    ProductQuery(size=Decimal("40.5"), width=["regular"], in_stock=True),
    ProductQuery(waterproof=True, category="footwear", stability=["stability"]),
]


@pytest.mark.parametrize(
    "query",
    QUERIES,
    ids=lambda q: repr({k: v for k, v in vars(q).items() if v not in (None, [], False, "relevance", 1, 12)}),
)
def test_filters_return_exactly_the_matching_products(session, products, query):
    query.per_page = 60
    page = queries.search_products(session, query)
    expected = {p.slug for p in products if matches(p, query)}
    assert page.total == len(expected)
    assert {p.slug for p in page.items} == expected if len(expected) <= 60 else len(page.items) == 60


@pytest.mark.parametrize("query", QUERIES[1:], ids=str)
def test_facet_counts_ignore_their_own_filter(session, products, query):
    facets = queries.facet_counts(session, query)
    for name in ("arch_support", "cushioning", "stability"):
        expected: dict[str, int] = {}
        for p in products:
            if matches(p, query, skip=name) and getattr(p, name):
                expected[getattr(p, name)] = expected.get(getattr(p, name), 0) + 1
        assert facets[name] == expected, name
    conditions: dict[str, int] = {}
    for p in products:
        if matches(p, query, skip="condition"):
            for c in p.conditions:
                conditions[c] = conditions.get(c, 0) + 1
    assert facets["condition"] == conditions
    widths: dict[str, int] = {}
    for p in products:
        if matches(p, query, skip="width"):
            for w in {v.width for v in p.variants if v.width and variant_matches(v, query, "width")}:
                widths[w] = widths.get(w, 0) + 1
    assert facets["width"] == widths
    in_stock = sum(
        1
        for p in products
        if matches(p, query, skip="in_stock")
        and any(v.stock > 0 and variant_matches(v, query, "in_stock") for v in p.variants)
    )
    assert facets["in_stock"] == {"true": in_stock}
    waterproof = sum(1 for p in products if matches(p, query, skip="waterproof") and p.waterproof)
    assert facets["waterproof"] == {"true": waterproof}


def test_waterproof_filter_and_facet_count_on_the_demo_catalog(session, products):
    page = queries.search_products(session, ProductQuery(waterproof=True, per_page=60))
    slugs = {p.slug for p in page.items}
    assert slugs == {p.slug for p in products if p.waterproof and p.active}
    assert {"tarnfield-ridgeback-waterproof", "velmora-aurelia-waterproof"} <= slugs
    assert not any(p.category.slug == "recovery-sandals" for p in page.items)
    # The count next to the box is what ticking it gives, within the other filters.
    trail = ProductQuery(category="trail-walking-shoes")
    assert queries.facet_counts(session, trail)["waterproof"] == {
        "true": queries.search_products(session, ProductQuery(category="trail-walking-shoes", waterproof=True)).total
    }


def test_category_facet_counts_roll_up_to_parents(session, products):
    facets = queries.facet_counts(session, ProductQuery())
    assert facets["category"]["footwear"] == sum(1 for p in products if "footwear" in p.category.path)
    assert facets["category"]["footwear"] == sum(
        count
        for slug, count in facets["category"].items()
        if slug != "footwear" and any(p.category.slug == slug and p.category.path[0] == "footwear" for p in products)
    )


def test_unknown_category_is_reported(session, demo):
    with pytest.raises(queries.UnknownCategory):
        queries.search_products(session, ProductQuery(category="no-such-thing"))


def test_text_search_needs_every_word(session, products):
    page = queries.search_products(session, ProductQuery(q="walk wide", per_page=60))
    assert page.total > 0
    for product in page.items:
        text = " ".join([product.name, product.brand, product.description, *product.tags]).lower()
        assert "walk" in text and "wide" in text


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("price_asc", lambda p: p.price, False),
        ("price_desc", lambda p: p.price, True),
        ("newest", lambda p: p.created_at, True),
        ("rating", lambda p: p.rating or 0, True),
        ("name", lambda p: p.name, False),
    ],
)
def test_sorting(session, products, sort, key, reverse):
    page = queries.search_products(session, ProductQuery(sort=sort, per_page=60))
    values = [key(p) for p in page.items]
    assert values == sorted(values, reverse=reverse)


def test_pagination_covers_every_product_once(session, products):
    seen = []
    for number in range(1, 100):
        page = queries.search_products(session, ProductQuery(page=number, per_page=7, sort="name"), with_facets=False)
        if not page.items:
            break
        seen += [p.slug for p in page.items]
    assert sorted(seen) == sorted(p.slug for p in products if p.active)
    assert page.pages == -(-len(seen) // 7)


def test_inactive_products_are_hidden(session, products):
    products[0].active = False
    session.commit()
    assert queries.get_product(session, products[0].slug) is None
    page = queries.search_products(session, ProductQuery(per_page=60), with_facets=False)
    assert products[0].slug not in {p.slug for p in page.items}


def test_topic_match_prefers_products_sharing_more_topics(session, products):
    related = queries.products_for_topics(session, ["walking", "lower-back-pain", "arch-support"], limit=5)
    assert related
    shared = [len({*p.tags, *p.conditions} & {"walking", "lower-back-pain", "arch-support"}) for p in related]
    assert shared == sorted(shared, reverse=True)
