"""Full-text search in the catalog: the same tests on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from catalog import queries, search
from catalog.models import Article, Category, Product, ProductLabel, SearchDocument, Variant
from catalog.queries import Preference, ProductQuery
from catalog.search_index import reindex_all


def add_product(
    session,
    slug,
    name,
    description="A plain product.",
    *,
    category,
    brand="Acme",
    sizes=(),
    terrain=(),
    rating=None,
    **columns,
) -> Product:
    product = Product(
        slug=slug,
        name=name,
        brand=brand,
        description=description,
        price=Decimal("50.00"),
        category=category,
        created_at=dt.date(2026, 1, 1),
        rating=rating,
        **columns,
    )
    product.labels = [
        ProductLabel(kind="terrain", value=t, position=i) for i, t in enumerate(terrain)
    ]
    product.variants = [
        Variant(sku=f"{slug}-{size}", size_eu=Decimal(size), stock=5) for size in sizes
    ]
    session.add(product)
    return product


@pytest.fixture
def shelf(session):
    """A tiny catalog whose every word is known to the test."""
    shoes = Category(slug="shoes", name="Shoes")
    session.add(shoes)
    add_product(session, "walk-one", "Walk One", "Light and simple.", category=shoes)
    add_product(
        session,
        "trail-pro",
        "Trail Pro",
        "A sturdy shoe for walking on rough tracks.",
        category=shoes,
    )
    add_product(
        session,
        "city-cushion",
        "City Cushion",
        "Soft and quiet on pavements.",
        category=shoes,
        brand="Softstep",
        cushioning="high",
    )
    add_product(
        session,
        "stability-guide",
        "Stability Guide",
        "Keeps an overpronating foot in line.",
        category=shoes,
    )
    session.add(
        Article(
            slug="walking-guide",
            title="Why walking helps a sore back",
            author="Dr. Ada",
            summary="Short walks, often.",
            body="Walking strengthens the back muscles.",
            published=dt.date(2026, 1, 2),
        )
    )
    session.commit()
    return shoes


def names(page) -> list[str]:
    return [p.name for p in page.items]


def test_stemming_walking_finds_walk(session, shelf):
    page = queries.search_products(session, ProductQuery(q="walking"))
    assert {"Walk One", "Trail Pro"} <= set(names(page))
    assert "City Cushion" not in names(page)


def test_a_name_match_ranks_above_a_description_match(session, shelf):
    page = queries.search_products(session, ProductQuery(q="walk"))
    assert names(page)[:2] == ["Walk One", "Trail Pro"]


def test_every_word_must_match_and_brand_and_attributes_are_searched(session, shelf):
    assert names(queries.search_products(session, ProductQuery(q="walk rough"))) == ["Trail Pro"]
    assert names(queries.search_products(session, ProductQuery(q="softstep"))) == ["City Cushion"]
    assert names(queries.search_products(session, ProductQuery(q="high cushioning"))) == [
        "City Cushion"
    ]


def test_stop_words_and_punctuation_do_not_matter(session, shelf):
    page = queries.search_products(session, ProductQuery(q="a shoe for the rough!"))
    assert names(page) == ["Trail Pro"]
    assert queries.search_products(session, ProductQuery(q="the !!")).total == 0


def test_a_misspelling_is_corrected_and_still_finds_the_shoe(session, shelf):
    assert search.correct(session, "stabilty guide") == "stability guide"
    assert search.correct(session, "stability guide") is None
    page = queries.search_products(session, ProductQuery(q="stabilty guide"))
    assert names(page) == ["Stability Guide"]
    assert page.corrected_from == "stabilty guide" and page.searched == "stability guide"


def test_a_correct_search_is_not_corrected_and_nonsense_finds_nothing(session, shelf):
    page = queries.search_products(session, ProductQuery(q="trail"))
    assert page.corrected_from is None and names(page) == ["Trail Pro"]
    page = queries.search_products(session, ProductQuery(q="qqqqqq"))
    assert page.total == 0 and page.corrected_from is None


def test_closest_word_rules():
    known = search.Counter({"stability": 3, "stable": 1, "walk": 5, "walker": 2})
    assert search.closest_word("stabilty", known) == "stability"
    assert search.closest_word("tsability", known) == "stability"  # swapped first letters
    assert search.closest_word("walk", known) is None  # known
    assert search.closest_word("wak", known) is None  # too short to guess
    assert search.closest_word("xxxxxxx", known) is None


def test_articles_are_found(session, shelf):
    hits = search.search_articles(session, "walks back")
    assert [hit.slug for hit in hits] == ["walking-guide"]
    assert search.search_articles(session, "trail") == []


def test_the_index_follows_changes_to_products_labels_and_categories(session, shelf):
    product = session.scalar(select(Product).where(Product.slug == "walk-one"))
    product.name = "Breeze Runner"
    session.commit()
    assert names(queries.search_products(session, ProductQuery(q="breeze"))) == ["Breeze Runner"]
    assert "Breeze Runner" not in names(queries.search_products(session, ProductQuery(q="one")))

    product.labels.append(ProductLabel(kind="condition", value="plantar-fasciitis", position=9))
    session.commit()
    assert names(queries.search_products(session, ProductQuery(q="fasciitis"))) == ["Breeze Runner"]

    shelf.name = "Footwear"
    session.commit()
    assert queries.search_products(session, ProductQuery(q="footwear")).total == 4

    session.delete(product)
    session.commit()
    assert queries.search_products(session, ProductQuery(q="breeze")).total == 0
    assert (
        session.scalar(
            select(SearchDocument).where(
                SearchDocument.kind == "product", SearchDocument.ref_id == product.id
            )
        )
        is None
    )


def test_reindex_all_rebuilds_a_lost_index(session, shelf):
    session.execute(delete(SearchDocument))
    session.commit()
    assert queries.search_products(session, ProductQuery(q="trail")).total == 0
    reindex_all(session)
    session.commit()
    assert names(queries.search_products(session, ProductQuery(q="trail"))) == ["Trail Pro"]


def test_within_equal_relevance_the_visitors_size_and_terrain_come_first(session):
    shoes = Category(slug="shoes", name="Shoes")
    session.add(shoes)
    # Same words, same lengths: equally relevant. Only size and terrain tell them apart.
    add_product(
        session,
        "model-a",
        "Model A",
        "Road shoe.",
        category=shoes,
        sizes=("40",),
        rating=Decimal("4.9"),
    )
    add_product(
        session,
        "model-b",
        "Model B",
        "Road shoe.",
        category=shoes,
        sizes=("42",),
        rating=Decimal("4.1"),
    )
    add_product(
        session,
        "model-c",
        "Model C",
        "Road shoe.",
        category=shoes,
        sizes=("42",),
        terrain=("trail",),
        rating=Decimal("3.0"),
    )
    session.commit()
    plain = queries.search_products(session, ProductQuery(q="road shoe"))
    assert names(plain) == ["Model A", "Model B", "Model C"]  # rating breaks the tie
    fitted = queries.search_products(
        session,
        ProductQuery(q="road shoe", prefer=Preference(size_eu=Decimal("42"), terrain=("trail",))),
    )
    assert names(fitted) == ["Model C", "Model B", "Model A"]
    # A better text match still wins over fit.
    add_product(session, "road-master", "Road Master", "Road shoe.", category=shoes, sizes=("40",))
    session.commit()
    fitted = queries.search_products(
        session,
        ProductQuery(q="road", prefer=Preference(size_eu=Decimal("42"), terrain=("trail",))),
    )
    assert names(fitted)[0] == "Road Master"


def test_search_keeps_filters_facets_sorting_and_pagination(session, demo):
    everything = queries.search_products(session, ProductQuery(q="walking", per_page=100))
    assert everything.total > 10
    first = queries.search_products(session, ProductQuery(q="walking", per_page=5, page=1))
    second = queries.search_products(session, ProductQuery(q="walking", per_page=5, page=2))
    assert first.total == everything.total and first.pages == -(-everything.total // 5)
    assert not {p.slug for p in first.items} & {p.slug for p in second.items}
    assert [p.slug for p in first.items + second.items] == [p.slug for p in everything.items[:10]]

    filtered = queries.search_products(
        session, ProductQuery(q="walking", cushioning=["high"], per_page=100)
    )
    assert 0 < filtered.total < everything.total
    assert all(p.cushioning == "high" for p in filtered.items)
    assert filtered.facets["cushioning"] == {
        value: sum(1 for p in everything.items if p.cushioning == value)
        for value in {p.cushioning for p in everything.items if p.cushioning}
    }
    by_price = queries.search_products(
        session, ProductQuery(q="walking", sort="price_asc", per_page=100)
    )
    assert [p.price for p in by_price.items] == sorted(p.price for p in everything.items)


def test_demo_misspelling_finds_the_stability_shoes(session, demo):
    page = queries.search_products(session, ProductQuery(q="stabilty shoe"))
    assert page.corrected_from == "stabilty shoe" and page.searched == "stability shoe"
    assert page.total > 0 and any(p.stability == "stability" for p in page.items)


def test_suggestions_complete_the_last_word(session, demo):
    found = search.suggest(session, "insol")
    assert found.products and all("insole" in p.name.lower() for p in found.products)
    assert "insoles-and-orthotics" in [c.slug for c in found.categories]
    assert len(found.products) <= 5 and len(found.categories) <= 3 and len(found.articles) <= 3
    assert search.suggest(session, "lumbar").products[0].name.lower().count("lumbar") == 1
    typo = search.suggest(session, "stabilty")
    assert typo.products and "Stability walking shoes" in [c.name for c in typo.categories]
    assert search.suggest(session, "  ") == search.Suggestions()
    assert search.suggest(session, "walking").articles


def test_the_search_migration_indexes_the_products_already_there(tmp_path):
    """An existing shop upgraded to 0008_search finds its products (SQLite file of its own)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from shop.migrate import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002_waterproof")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO categories (id, slug, name, description, position) "
                                "VALUES (1, 'shoes', 'Shoes', '', 0)"))
        connection.execute(text(
            "INSERT INTO products (id, slug, name, brand, description, price, category_id, "
            "rating_count, active, created_at, consumable, waterproof) VALUES (1, 'old-faithful', "
            "'Old Faithful', 'Acme', 'Walks for ever.', 10, 1, 0, 1, '2020-01-01', 0, 1)"
        ))
    upgrade(engine)
    with Session(engine) as session:
        page = queries.search_products(session, ProductQuery(q="walking waterproof"))
        assert names(page) == ["Old Faithful"]


def test_inactive_products_are_neither_found_nor_suggested(session, shelf):
    product = session.scalar(select(Product).where(Product.slug == "trail-pro"))
    product.active = False
    session.commit()
    assert queries.search_products(session, ProductQuery(q="trail")).total == 0
    assert search.suggest(session, "trai").products == []
