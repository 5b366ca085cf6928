"""Catalog files: validated row by row, imported all-or-nothing, exported losslessly."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import delete, func, select

from catalog.demo import DEMO_DIR
from catalog.io import CatalogFileError, export_catalog, import_catalog, read_catalog
from catalog.models import Category, Product, Variant

CATEGORIES = [
    {"slug": "footwear", "name": "Footwear", "parent": None},
    {"slug": "walking-shoes", "name": "Walking shoes", "parent": "footwear"},
]


def shoe(slug="test-walker", sku_prefix="TW", **overrides) -> dict:
    product = {
        "slug": slug,
        "name": "Test Walker",
        "brand": "Testbrand",
        "description": "A supportive shoe.",
        "price": "99.50",
        "category": "walking-shoes",
        "tags": ["walking", "arch-support"],
        "created_at": "2026-01-02",
        "attributes": {
            "arch_support": "high",
            "cushioning": "high",
            "stability": "stability",
            "drop_mm": 8,
            "terrain": ["pavement"],
            "conditions": ["lower-back-pain"],
        },
        "variants": [
            {"sku": f"{sku_prefix}-42-R", "size_eu": 42, "width": "regular", "stock": 3},
            {"sku": f"{sku_prefix}-42.5-W", "size_eu": 42.5, "width": "wide", "stock": 0},
        ],
    }
    product.update(overrides)
    return product


def write_json(tmp_path, products, categories=CATEGORIES, name="catalog.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"categories": categories, "products": products}))
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_json_import_creates_categories_products_and_variants(session, tmp_path):
    report = import_catalog(session, read_catalog(write_json(tmp_path, [shoe()])))

    assert (report.categories_created, report.products_created, report.variants_created) == (2, 1, 2)
    product = session.scalar(select(Product).where(Product.slug == "test-walker"))
    assert str(product.price) == "99.50"
    assert product.category.path == ["footwear", "walking-shoes"]
    assert product.attributes["conditions"] == ["lower-back-pain"]
    assert "cushioning" in product.attributes and "weight_g" not in product.attributes
    assert [v.sku for v in product.variants] == ["TW-42-R", "TW-42.5-W"]


def test_import_upserts_by_slug_and_sku(session, tmp_path):
    import_catalog(session, read_catalog(write_json(tmp_path, [shoe()])))
    changed = shoe(name="Test Walker 2", price="89.00")
    changed["variants"][0]["stock"] = 7
    report = import_catalog(session, read_catalog(write_json(tmp_path, [changed])))

    assert (report.products_created, report.products_updated) == (0, 1)
    assert (report.variants_created, report.variants_updated) == (0, 2)
    assert count(session, Product) == 1
    product = session.scalar(select(Product))
    assert product.name == "Test Walker 2" and str(product.price) == "89.00"
    assert session.scalar(select(Variant.stock).where(Variant.sku == "TW-42-R")) == 7


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "abc"}, "price"),
        ({"slug": "Bad Slug"}, "slug"),
        ({"category": "no-such-category"}, "category"),
        ({"rating": 4.5}, "rating"),  # ratings come from reviews, never from the catalog file
        ({"attributes": {"arch_support": "extreme"}}, "attributes.arch_support"),
        ({"attributes": {"terrain": ["beach"]}}, "attributes.terrain.0"),
        ({"variants": []}, "variants"),
        ({"variants": [{"sku": "TW-1", "size_eu": 42.3, "width": "regular", "stock": 1}]}, "variants.0.size_eu"),
        ({"variants": [{"sku": "TW-1", "size_eu": 42, "width": "huge", "stock": 1}]}, "variants.0.width"),
        ({"variants": [{"sku": "TW-1", "size_eu": 42, "width": "wide", "stock": -2}]}, "variants.0.stock"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_one_bad_row_means_nothing_is_written(session, tmp_path, change, field):
    products = [shoe("good-one", "G1"), {**shoe("bad-one", "B1"), **change}]
    with pytest.raises(CatalogFileError) as caught:
        import_catalog(session, read_catalog(write_json(tmp_path, products)))

    assert any(e.location == "products[1]" and e.field == field for e in caught.value.errors), caught.value
    assert count(session, Product) == 0
    assert count(session, Category) == 0


def test_csv_errors_name_the_line_and_field(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(
        "slug,name,brand,price,category,created_at,sku,size_eu,width,stock\n"
        "walker,Walker,B,10.00,walking-shoes,2026-01-01,W-1,42,regular,1\n"
        "walker,Walker,B,10.00,walking-shoes,2026-01-01,W-2,43,sideways,1\n"
    )
    with pytest.raises(CatalogFileError) as caught:
        read_catalog(path)
    assert [str(e) for e in caught.value.errors] == [
        "line 2: variants.1.width: Must be one of: narrow, regular, wide, extra-wide."
    ]


def test_csv_rows_of_one_product_must_agree(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(
        "slug,name,brand,price,category,created_at,sku,size_eu,width,stock\n"
        "walker,Walker,B,10.00,walking-shoes,2026-01-01,W-1,42,regular,1\n"
        "walker,Walker,B,12.00,walking-shoes,2026-01-01,W-2,43,regular,1\n"
    )
    with pytest.raises(CatalogFileError) as caught:
        read_catalog(path)
    assert caught.value.errors[0].location == "line 3"
    assert caught.value.errors[0].field == "price"


def test_duplicate_sku_across_products_is_refused(session, tmp_path):
    with pytest.raises(CatalogFileError) as caught:
        read_catalog(write_json(tmp_path, [shoe("one", "SAME"), shoe("two", "SAME")]))
    assert caught.value.errors[0].field == "variants.sku"


def test_a_sku_owned_by_another_product_is_refused_and_nothing_written(session, tmp_path):
    import_catalog(session, read_catalog(write_json(tmp_path, [shoe("first", "X")])))
    with pytest.raises(CatalogFileError):
        import_catalog(session, read_catalog(write_json(tmp_path, [shoe("brand-new", "OK"), shoe("second", "X")])))
    assert session.scalar(select(Product.slug).where(Product.slug == "brand-new")) is None


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_export_then_import_is_lossless(session, tmp_path, suffix):
    original = read_catalog(DEMO_DIR / "catalog.json")
    import_catalog(session, original)
    first = tmp_path / f"first.{suffix}"
    export_catalog(session, first)
    session.execute(delete(Product))
    session.commit()
    session.expunge_all()
    import_catalog(session, read_catalog(first))
    second = tmp_path / f"second.{suffix}"
    export_catalog(session, second)

    assert first.read_text() == second.read_text()
    assert count(session, Product) == len(original.products)
    reread = {p["slug"]: p for p in read_catalog(second).products}
    for product in original.products:
        again = reread[product["slug"]]
        for key in ("name", "price", "category", "tags", "attributes", "variants", "active"):
            assert again[key] == product[key], (product["slug"], key)
    assert reread["tarnfield-ridgeback-waterproof"]["attributes"]["waterproof"] is True
    assert "waterproof" not in reread["velmora-restore-slide"]["attributes"]
    header = second.read_text().splitlines()[0]
    assert (
        ("waterproof" in header.split(",")) if suffix == "csv" else '"waterproof": true' in header + second.read_text()
    )


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text("{not json")
    with pytest.raises(CatalogFileError) as caught:
        read_catalog(path)
    assert caught.value.errors[0].location == "line 1"
    with pytest.raises(CatalogFileError):
        read_catalog(tmp_path / "catalog.xml")


def test_the_demo_catalog_is_substantial_and_valid():
    data = read_catalog(DEMO_DIR / "catalog.json")
    roots = {c["slug"] for c in data.categories if c["parent"] is None}
    assert roots == {"footwear", "insoles-and-orthotics", "back-and-posture", "walking-accessories"}
    assert len(data.products) >= 60
    footwear_leaves = {c["slug"] for c in data.categories if c["parent"] == "footwear"}
    shoes = [p for p in data.products if p["category"] in footwear_leaves]
    assert len(shoes) >= 20
    assert all(len(p["variants"]) >= 3 for p in shoes)
    assert {v["width"] for p in shoes for v in p["variants"]} >= {"regular", "wide"}
    assert "fictional" in (DEMO_DIR / "README.md").read_text().lower()


def test_demo_seed_is_idempotent(session):
    from catalog.demo import seed_demo

    seed_demo(session)
    products, variants = count(session, Product), count(session, Variant)
    report, articles = seed_demo(session)
    assert report.products_created == 0
    assert (count(session, Product), count(session, Variant)) == (products, variants)
    assert articles >= 8


def test_copy_of_demo_row_is_not_mutated_by_loading():
    data = read_catalog(DEMO_DIR / "catalog.json")
    before = copy.deepcopy(data.products[0])
    read_catalog(DEMO_DIR / "catalog.json")
    assert data.products[0] == before
