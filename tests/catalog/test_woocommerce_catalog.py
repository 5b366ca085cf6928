"""WooCommerce's product CSV into the catalog's tables and back (``catalog.woocommerce_import``
and ``catalog.woocommerce_export``), on a database of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from woocommerce_rows import INSOLE, csv_text, row, variation

import shop.models  # noqa: F401  (every table on the metadata)
from catalog import queries
from catalog.demo import seed_demo
from catalog.models import Base, Product, Variant
from catalog.woocommerce import WooCommerceFileError, parse_mapping
from catalog.woocommerce_export import export_woocommerce
from catalog.woocommerce_import import import_woocommerce

MAPPING = """
attributes:
  Shoe size: {to: size_eu, sizes: uk}
  Fit: {to: width}
  Arch support: {to: arch_support, values: {Firm: high}}
"""


def shoe_csv() -> str:
    parent = row(ID=10, Type="variable", SKU="walker", Name="Trail Walker", Published=1,
                 Visibility_in_catalog="visible", Categories="Footwear > Walking shoes, Sale",
                 Attribute_1_name="Colour", Attribute_1_value="Black, Blue", Attribute_1_visible=1,
                 Attribute_2_name="Shoe size", Attribute_2_value="8, 9", Attribute_2_visible=1)  # fmt: skip
    return csv_text(
        parent,
        variation(
            11,
            "w-black-8",
            "Black",
            "8",
            Sale_price="79.00",
            Date_sale_price_starts="2026-05-01",
            Date_sale_price_ends="2026-05-31",
        ),
        variation(12, "w-blue", "Blue", ""),  # Any shoe size
        INSOLE,
    )


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def fresh_session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine)


def test_shoe_sizes_land_in_the_typed_columns_and_the_options(session, tmp_path):
    path = tmp_path / "shoes.csv"
    path.write_text(shoe_csv())
    report = import_woocommerce(session, path, parse_mapping(MAPPING), brand="Trailco")
    assert sorted(report.created) == ["arch-insole", "trail-walker"]
    walker = session.scalar(select(Product).where(Product.slug == "trail-walker"))
    assert walker.option_names == ["Colour", "size_eu"] and walker.brand == "Trailco"
    rows = sorted((v.sku, v.size_eu, v.options["Colour"]) for v in walker.variants)
    assert rows == [("w-black-8", Decimal("41.5"), "Black"), ("w-blue-8", Decimal("41.5"), "Blue"),
                    ("w-blue-9", Decimal("42.5"), "Blue")]  # fmt: skip
    # The finder and the filters query the typed size: they find the imported shoe.
    page = queries.search_products(session, queries.ProductQuery(size=Decimal("42.5")))
    assert [p.slug for p in page.items] == ["trail-walker"]
    black = next(v for v in walker.variants if v.sku == "w-black-8")
    assert black.label == "EU 41.5 (UK 8 / US 9), Colour: Black"
    # Sales run from the start of their first day to the end of their last.
    assert black.sale_starts == dt.datetime(2026, 5, 1)
    assert black.sale_ends == dt.datetime(2026, 5, 31, 23, 59, 59)
    assert black.on_sale(dt.datetime(2026, 5, 31, 23, 0)) and not black.on_sale(
        dt.datetime(2026, 6, 1)
    )
    assert not black.on_sale(dt.datetime(2026, 4, 30, 23, 59))
    # Hidden in WooCommerce: the page stays, the listings leave it out.
    insole = session.scalar(select(Product).where(Product.slug == "arch-insole"))
    assert insole.listed is False and insole.active is True
    assert "arch-insole" not in [
        p.slug for p in queries.search_products(session, queries.ProductQuery()).items
    ]


def test_the_round_trip_through_woocommerce_gives_the_same_file(session, tmp_path):
    source, first, second = tmp_path / "shoes.csv", tmp_path / "first.csv", tmp_path / "second.csv"
    source.write_text(shoe_csv())
    import_woocommerce(session, source, parse_mapping(MAPPING))
    export_woocommerce(session, first)
    with fresh_session() as empty:
        report = import_woocommerce(empty, first)  # no mapping: the catalog's own names
        assert len(report.created) == 2
        walker = empty.scalar(select(Product).where(Product.sku == "walker"))
        assert sorted(v.size_eu for v in walker.variants) == [
            Decimal("41.5"),
            Decimal("41.5"),
            Decimal("42.5"),
        ]
        export_woocommerce(empty, second)
    assert second.read_bytes() == first.read_bytes()


def test_the_demo_catalog_leaves_for_woocommerce_and_comes_back(session, tmp_path):
    seed_demo(session)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert export_woocommerce(session, first) == 75
    with fresh_session() as empty:
        report = import_woocommerce(empty, first)
        assert len(report.created) == 75 and report.skipped == []
        halo = empty.scalar(select(Product).where(Product.sku == "velmora-halo-walk"))
        demo = session.scalar(select(Product).where(Product.slug == "velmora-halo-walk"))
        assert halo.attributes == demo.attributes
        assert [(v.sku, v.size_eu, v.width, v.stock) for v in halo.variants] == [
            (v.sku, v.size_eu, v.width, v.stock) for v in demo.variants
        ]
        export_woocommerce(empty, second)
    assert second.read_bytes() == first.read_bytes()


def test_a_dry_run_writes_nothing(session, tmp_path):
    path = tmp_path / "shoes.csv"
    path.write_text(shoe_csv())
    report = import_woocommerce(session, path, parse_mapping(MAPPING), dry_run=True)
    assert report.dry_run and len(report.created) == 2
    assert session.scalar(select(Variant.id)) is None


def test_values_longer_than_the_catalog_holds_are_reported_by_line(session, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(csv_text(row(ID=1, Type="simple", SKU="s" * 61, Name="N" * 201, Published=1,
                                 In_stock=1, Regular_price="5")))  # fmt: skip
    with pytest.raises(WooCommerceFileError) as caught:
        import_woocommerce(session, path)
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "Name"), (2, "SKU")]
    assert session.scalar(select(Product.id)) is None
