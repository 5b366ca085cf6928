"""The ``images`` field of catalog files: validated, stored, exported and imported back."""

from __future__ import annotations

import json

import pytest
from PIL import Image
from sqlalchemy import select
from test_import import shoe, write_json

from catalog.images import FILE_NAME
from catalog.images_model import ProductImage
from catalog.io import CatalogFileError, export_catalog, import_catalog, read_catalog
from catalog.models import Product


def picture(path, colour, size=(700, 500)):
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


@pytest.fixture
def pictures(tmp_path):
    folder = tmp_path / "pics"
    folder.mkdir()
    return [picture(folder / "side.png", (20, 90, 160)), picture(folder / "sole.png", (200, 80, 40))]


def gallery(session, slug="test-walker"):
    product = session.scalar(select(Product).where(Product.slug == slug))
    return [(image.position, image.alt, image.hash, image.width, image.height) for image in product.images]


def test_json_images_by_relative_path_and_file_url_are_stored_in_order(session, tmp_path, pictures):
    media = tmp_path / "media"
    product = shoe(images=[{"path": "pics/side.png", "alt": "Side view"}, pictures[1].as_uri()])
    import_catalog(session, read_catalog(write_json(tmp_path, [product])), media)

    rows = gallery(session)
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [(0, "Side view", 700, 500), (1, "", 700, 500)]
    assert rows[0][2] != rows[1][2]
    names = {p.name for p in media.iterdir()}
    assert {f"{rows[0][2]}-640.webp", f"{rows[0][2]}-640.jpg", f"{rows[1][2]}.png"} <= names
    assert all(FILE_NAME.fullmatch(name) for name in names)


def test_a_bad_image_stops_the_whole_import_with_its_location(session, tmp_path, pictures):
    (tmp_path / "pics" / "fake.jpg").write_text("not a picture")
    products = [shoe(images=["pics/side.png"]), shoe("second", "SE", images=["pics/fake.jpg", "pics/none.png"])]
    with pytest.raises(CatalogFileError) as caught:
        import_catalog(session, read_catalog(write_json(tmp_path, products)), tmp_path / "media")
    located = {(e.location, e.field) for e in caught.value.errors}
    assert located == {("products[1]", "images[0]"), ("products[1]", "images[1]")}
    assert "not an image" in str(caught.value)
    assert session.scalar(select(Product)) is None


@pytest.mark.parametrize("images, message", [
    (["http://example.com/shoe.jpg"], "nothing is downloaded"),
    ([{"alt": "no path"}], "Missing data"),
    ([42], "Expected a path"),
    (["pics/side.png"] * 21, "Longer than maximum"),
])  # fmt: skip
def test_image_references_are_validated(session, tmp_path, pictures, images, message):
    with pytest.raises(CatalogFileError, match=message):
        import_catalog(session, read_catalog(write_json(tmp_path, [shoe(images=images)])), tmp_path / "media")


def test_reimport_replaces_the_gallery_and_keeps_unchanged_rows(session, tmp_path, pictures):
    media = tmp_path / "media"
    import_catalog(
        session, read_catalog(write_json(tmp_path, [shoe(images=["pics/side.png", "pics/sole.png"])])), media
    )
    first = {image.hash: image.id for image in session.scalar(select(Product)).images}
    import_catalog(session, read_catalog(write_json(tmp_path, [shoe(images=["pics/sole.png"])])), media)
    (only,) = session.scalar(select(Product)).images
    assert only.id == first[only.hash] and only.position == 0
    assert len(session.scalars(select(ProductImage)).all()) == 1
    # without a media folder the galleries are left alone
    import_catalog(session, read_catalog(write_json(tmp_path, [shoe()])))
    assert len(session.scalar(select(Product)).images) == 1


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_export_and_import_back_keeps_the_images(session, tmp_path, pictures, suffix):
    media = tmp_path / "media"
    product = shoe(images=[{"path": "pics/side.png", "alt": "" if suffix == ".csv" else "Side"}, "pics/sole.png"])
    import_catalog(session, read_catalog(write_json(tmp_path, [product])), media)
    before = gallery(session)

    out = tmp_path / "out"
    out.mkdir()
    export_catalog(session, out / f"first{suffix}", media)
    assert sorted(p.name for p in (out / "first-images").iterdir()) == sorted(f"{r[2]}.png" for r in before)
    session.delete(session.scalar(select(Product)))
    session.commit()
    import_catalog(session, read_catalog(out / f"first{suffix}"), tmp_path / "elsewhere")
    assert [r[1:] for r in gallery(session)] == [r[1:] for r in before]

    export_catalog(session, out / f"second{suffix}", tmp_path / "elsewhere")
    first = (out / f"first{suffix}").read_text().replace("first-images", "X")
    assert first == (out / f"second{suffix}").read_text().replace("second-images", "X")
    if suffix == ".json":
        exported = json.loads((out / "first.json").read_text())["products"][0]["images"]
        assert exported == [
            {"path": f"first-images/{before[0][2]}.png", "alt": "Side"},
            f"first-images/{before[1][2]}.png",
        ]


def test_csv_images_column_is_a_bar_separated_list(session, tmp_path, pictures):
    header = "slug,name,brand,price,category,created_at,images,sku,stock\n"
    rows = "csv-shoe,CSV Shoe,Brand,10.00,walking-shoes,2026-01-01,pics/side.png|pics/sole.png,CS-1,2\n"
    (tmp_path / "c.csv").write_text(header + rows)
    import_catalog(session, read_catalog(write_json(tmp_path, [shoe()])))  # the categories
    import_catalog(session, read_catalog(tmp_path / "c.csv"), tmp_path / "media")
    assert len(gallery(session, "csv-shoe")) == 2


def test_the_demo_catalog_brings_an_image_for_every_product(session, media_dir):
    from catalog.demo import seed_demo

    seed_demo(session, media_dir)
    products = session.scalars(select(Product)).all()
    assert len(products) == 75 and all(product.images for product in products)
    assert all(image.alt for product in products for image in product.images)
    hashes = [product.images[0].hash for product in products]
    assert len(set(hashes)) == 75  # every product drawn in its own colourway
    with Image.open(media_dir / f"{hashes[0]}-320.webp") as image:
        assert image.format == "WEBP"
