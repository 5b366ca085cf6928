"""Writing the neutral structures back as WooCommerce's CSV loses nothing they hold."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from catalog.woocommerce import (
    Attribute,
    Product,
    Variant,
    parse_products,
    products_csv,
    read_products,
    write_products,
)

TRICKY = (
    Product(
        sku="walker", name="Trail Walker, \"2\"", type="variable", woo_id=10,
        short_description="=SUM(A1)", description="Line one\nline two, with a comma",
        categories=(("Footwear", "Walking shoes"), ("Sale, autumn",)), tags=("trail", "a,b"),
        images=("walker.jpg",), upsells=("insole",), cross_sells=("insole-2",),
        attributes=(
            Attribute("Colour", ("Black", "Blue, navy"), visible=True, is_global=True, default="Black"),
            Attribute("Shoe size", ("UK 8", "UK 9"), visible=False),
            Attribute("Material", ("Leather",), visible=True),
        ),
        variants=(
            Variant(sku="walker-1", regular_price=Decimal("99.50"), sale_price=Decimal("79.00"),
                    sale_starts=dt.date(2026, 5, 1), sale_ends=dt.datetime(2026, 5, 31, 23, 59, 59),
                    stock=3, options=(("Colour", "Blue, navy"), ("Shoe size", "UK 8")),
                    name="Trail Walker - Blue", position=1, woo_id=11),
            Variant(sku="walker-2", regular_price=Decimal("99.50"), stock_status="onbackorder",
                    stock=-2, options=(("Colour", "Black"), ("Shoe size", "")), enabled=False,
                    images=("black.jpg",), position=2),
        ),
    ),
    Product(sku="insole", name="-Insole", type="simple", published=0, visibility="hidden",
            variants=(Variant(sku="insole", regular_price=Decimal(29), stock_status="outofstock",
                              name="-Insole", enabled=False),)),
    Product(sku="insole-2", name="Insole 2", type="simple", published=-1, visibility="search",
            variants=(Variant(sku="insole-2", regular_price=Decimal("0.00"), name="Insole 2",
                              enabled=False),)),
)  # fmt: skip


def test_neutral_structures_survive_a_write_and_a_read():
    text = products_csv(TRICKY)
    assert parse_products(text).products == TRICKY
    assert products_csv(parse_products(text).products) == text


def test_formulas_are_guarded_like_woocommerce_does():
    rows = list(csv.DictReader(io.StringIO(products_csv(TRICKY))))
    assert rows[0]["Short description"] == "'=SUM(A1)"
    assert rows[3]["Name"] == "'-Insole"


def test_the_sample_catalog_reads_back_the_same_after_export(shared_data, tmp_path):
    path = shared_data / "woocommerce" / "sample_products.csv"
    if not path.is_file():
        pytest.skip(f"WooCommerce's sample catalog is not at {path}")
    imported = read_products(path).products
    write_products(tmp_path / "export.csv", imported)
    assert (tmp_path / "export.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    reimported = read_products(tmp_path / "export.csv").products
    assert reimported == imported
    write_products(tmp_path / "again.csv", reimported)
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "export.csv").read_bytes()
