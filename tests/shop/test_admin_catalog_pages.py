"""The catalog back office (issue 13): merchandisers and admins edit products, variants,
pictures, categories and articles, import and export the catalog file; every change audited,
every mistake answered per field."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest
from admin_helpers import staff_client
from PIL import Image
from sqlalchemy import select

from catalog.io import import_catalog, parse_json
from catalog.models import Article, Category, Product, SearchDocument, Variant
from shop.admin.models import AuditEntry
from shop.extensions import db

CATALOG = {
    "categories": [
        {"slug": "footwear", "name": "Footwear"},
        {"slug": "walking-shoes", "name": "Walking shoes", "parent": "footwear"},
        {"slug": "insoles", "name": "Insoles"},
    ],
    "products": [
        {"slug": "trail-walker", "name": "Trail Walker", "brand": "Velmora", "price": "100.00",
         "category": "walking-shoes", "created_at": "2026-01-01", "description": "A sturdy shoe.",
         "attributes": {"arch_support": "high", "terrain": ["trail"]},
         "variants": [{"sku": "TW-42-R", "size_eu": 42, "width": "regular", "stock": 5},
                      {"sku": "TW-43-R", "size_eu": 43, "width": "regular", "stock": 2}]},
        {"slug": "gel-insole", "name": "Gel Insole", "brand": "Sola", "price": "20.00",
         "category": "insoles", "created_at": "2026-01-01", "variants": [{"sku": "GI-1", "stock": 1}]},
    ],
}


@pytest.fixture
def shop(app):
    with app.app_context():
        import_catalog(db.session, parse_json(json.dumps(CATALOG)))
    return app


@pytest.fixture
def merch(shop):
    return staff_client(shop, "merchandiser")


def product(app, slug) -> Product:
    return db.session.scalar(select(Product).where(Product.slug == slug))


def product_id(app, slug) -> int:
    with app.app_context():
        return product(app, slug).id


def entries(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def form(**changes) -> dict:
    base = {"name": "Trail Walker", "brand": "Velmora", "price": "100.00", "category": "walking-shoes",
            "description": "A sturdy shoe.", "active": "on", "arch_support": "high", "terrain": "trail"}
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def picture(color="red", size=(64, 48), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


# ---------------------------------------------------------------- products


def test_the_product_list_searches_by_name_and_sku_and_filters(merch):
    page = merch.get("/admin/catalog?q=gi-1").get_data(as_text=True)
    assert "Gel Insole" in page and "Trail Walker" not in page
    page = merch.get("/admin/catalog?category=walking-shoes").get_data(as_text=True)
    assert "Trail Walker" in page and "Gel Insole" not in page
    assert merch.get("/admin/catalog?status=archived").status_code == 400
    listing = merch.get("/api/admin/products?q=walker").get_json()
    assert listing["total"] == 1 and listing["items"][0]["variants"][0]["sku"] == "TW-42-R"


def test_editing_a_product_changes_the_shop_search_and_audit(shop, merch):
    pid = product_id(shop, "trail-walker")
    response = merch.post(f"/admin/catalog/products/{pid}", data=form(name="Trail Walker Pro", price="89.50",
                                                                    cushioning="medium", waterproof="on"))
    assert response.status_code == 302
    page = shop.test_client().get("/products/trail-walker").get_data(as_text=True)
    assert "Trail Walker Pro" in page and "£89.50" in page
    with shop.app_context():
        saved = product(shop, "trail-walker")
        assert saved.cushioning == "medium" and saved.waterproof is True and saved.terrain == ["trail"]
        document = db.session.scalar(select(SearchDocument).where(SearchDocument.ref_id == pid,
                                                                   SearchDocument.kind == "product"))
        assert document.title == "Trail Walker Pro"
    [entry] = entries(shop, "product.update")
    assert entry.before["price"] == "100.00" and entry.after["price"] == "89.50"
    assert entry.actor_email == "merchandiser@example.com" and "description" not in entry.after


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"price": "abc"}, "price", "Enter a price like 89.00."),
    ({"price": "-1"}, "price", "Enter an amount from 0 to 100000."),
    ({"name": ""}, "name", "Enter a name"),
    ({"sale_price": "120.00"}, "sale_price", "The sale price must be below the price."),
    ({"arch_support": "extreme"}, "arch_support", "Choose one of: Low, Medium, High."),
    ({"drop_mm": "99"}, "drop_mm", "Enter a whole number from 0 to 20 mm."),
    ({"category": "no-such"}, "category", "There is no category 'no-such'."),
])
def test_bad_product_input_is_a_422_with_the_message_by_its_field(shop, merch, changes, field, message):
    pid = product_id(shop, "trail-walker")
    response = merch.post(f"/admin/catalog/products/{pid}", data=form(**changes))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert f'id="f-{field}-error"' in page and message in page
    with shop.app_context():
        assert product(shop, "trail-walker").price == 100
    assert entries(shop, "product.update") == []


def test_a_sale_price_applies_to_every_variant_and_the_page_charges_it(shop, merch):
    pid = product_id(shop, "trail-walker")
    assert merch.post(f"/admin/catalog/products/{pid}", data=form(sale_price="75.00")).status_code == 302
    with shop.app_context():
        assert {v.price_now for v in product(shop, "trail-walker").variants} == {75}
    assert "£75.00" in shop.test_client().get("/products/trail-walker").get_data(as_text=True)
    assert merch.post(f"/admin/catalog/products/{pid}", data=form(sale_price="")).status_code == 302
    with shop.app_context():
        assert {v.sale_price for v in product(shop, "trail-walker").variants} == {None}


def test_a_new_product_starts_as_a_draft_nobody_sees(shop, merch):
    response = merch.post("/admin/catalog/products/new", data=form(name="Cloud Step", active=None))
    assert response.status_code == 302
    with shop.app_context():
        created = product(shop, "cloud-step")
        assert created is not None and created.active is False
    assert shop.test_client().get("/products/cloud-step").status_code == 404
    duplicate = merch.post("/admin/catalog/products/new", data=form(name="Cloud Step"))
    assert duplicate.status_code == 422 and "is taken" in duplicate.get_data(as_text=True)
    assert len(entries(shop, "product.create")) == 1


def test_a_product_can_be_deleted_until_someone_orders_it(shop, merch):
    pid = product_id(shop, "gel-insole")
    assert merch.post(f"/admin/catalog/products/{pid}/delete").status_code == 302
    with shop.app_context():
        assert product(shop, "gel-insole") is None
    assert len(entries(shop, "product.delete")) == 1
    assert merch.post(f"/admin/catalog/products/{pid}/delete").status_code == 404


# ---------------------------------------------------------------- variants


def variant(app, sku) -> Variant | None:
    with app.app_context():
        found = db.session.scalar(select(Variant).where(Variant.sku == sku))
        if found is not None:
            db.session.expunge(found)
        return found


def test_variants_are_added_edited_and_their_sku_is_unique(shop, merch):
    pid = product_id(shop, "trail-walker")
    added = merch.post(f"/admin/catalog/products/{pid}/variants",
                       data={"sku": "tw-44-w", "size_eu": "44", "width": "wide", "stock": "3"})
    assert added.status_code == 302
    assert variant(shop, "TW-44-W").stock == 3  # SKUs are stored in capitals
    taken = merch.post(f"/admin/catalog/products/{pid}/variants",
                       data={"sku": "GI-1", "size_eu": "45", "width": "wide", "stock": "1"})
    assert taken.status_code == 422
    assert "SKU GI-1 is already used by Gel Insole" in taken.get_data(as_text=True)
    half = merch.post(f"/admin/catalog/products/{pid}/variants",
                      data={"sku": "TW-X", "size_eu": "44.3", "stock": "-2"})
    page = half.get_data(as_text=True)
    assert half.status_code == 422 and "Sizes go in whole or half steps." in page and "Enter a stock from 0" in page
    v = variant(shop, "TW-42-R")
    edited = merch.post(f"/admin/catalog/products/{pid}/variants/{v.id}",
                        data={"sku": "TW-42-R", "size_eu": "42", "width": "regular", "stock": "11"})
    assert edited.status_code == 302 and variant(shop, "TW-42-R").stock == 11
    [entry] = entries(shop, "variant.update")
    assert entry.before == {"stock": 5} and entry.after == {"stock": 11}
    assert len(entries(shop, "variant.create")) == 1


def test_an_ordered_variant_is_kept_at_zero_stock_and_an_unordered_one_removed(shop, merch):
    from shop.models import Order, OrderLine

    pid = product_id(shop, "trail-walker")
    ordered, spare = variant(shop, "TW-42-R"), variant(shop, "TW-43-R")
    with shop.app_context():
        order = Order(number="BC-TEST1", email="a@example.com", name="A", address={}, delivery="standard",
                      subtotal=100, shipping=0, total=100, visitor_id="v")
        order.lines.append(OrderLine(variant_id=ordered.id, product_slug="trail-walker", product_name="Trail Walker",
                                     sku="TW-42-R", unit_price=100, quantity=1, line_total=100))
        db.session.add(order)
        db.session.commit()
    merch.post(f"/admin/catalog/products/{pid}/variants/{ordered.id}/remove")
    merch.post(f"/admin/catalog/products/{pid}/variants/{spare.id}/remove")
    assert variant(shop, "TW-42-R").stock == 0 and variant(shop, "TW-43-R") is None
    assert len(entries(shop, "variant.deactivate")) == 1 and len(entries(shop, "variant.delete")) == 1
    refused = merch.post(f"/admin/catalog/products/{pid}/delete", follow_redirects=True)
    assert "has orders or reviews" in refused.get_data(as_text=True)


def test_the_low_stock_list_and_inline_restock(shop, merch):
    shop.config["LOW_STOCK_THRESHOLD"] = 2
    page = merch.get("/admin/catalog/low-stock").get_data(as_text=True)
    assert "<td>TW-43-R</td>" in page and "<td>GI-1</td>" in page and "<td>TW-42-R</td>" not in page
    v = variant(shop, "GI-1")
    assert merch.post(f"/admin/catalog/low-stock/{v.id}", data={"stock": "x"}).status_code == 422
    assert merch.post(f"/admin/catalog/low-stock/{v.id}", data={"stock": "40"}).status_code == 302
    assert "<td>GI-1</td>" not in merch.get("/admin/catalog/low-stock").get_data(as_text=True)
    [entry] = entries(shop, "variant.restock")
    assert entry.before["stock"] == 1 and entry.after["stock"] == 40
    api = merch.get("/api/admin/products/low-stock?threshold=5").get_json()
    assert {item["sku"] for item in api["items"]} == {"TW-42-R", "TW-43-R"}


def test_a_restock_makes_the_product_recommendable_again(shop, merch):
    """The recommender's eligibility snapshot is dropped on the commit, as after an import."""
    from shop.recommendations.eligibility import eligible_cache

    with shop.test_request_context():
        cache = eligible_cache()
        before = cache.generation
    v = variant(shop, "GI-1")
    merch.post(f"/admin/catalog/low-stock/{v.id}", data={"stock": "9"})
    assert cache.generation > before


# ---------------------------------------------------------------- pictures


def test_pictures_are_uploaded_through_the_pipeline_ordered_and_deleted(shop, merch):
    pid = product_id(shop, "trail-walker")
    for color in ("red", "blue"):
        response = merch.post(f"/admin/catalog/products/{pid}/images",
                              data={"file": (io.BytesIO(picture(color)), "shoe.png"), "alt": f"A {color} shoe"},
                              content_type="multipart/form-data")
        assert response.status_code == 302
    with shop.app_context():
        gallery = product(shop, "trail-walker").images
        assert [image.alt for image in gallery] == ["A red shoe", "A blue shoe"]
        blue = gallery[1]
        assert all((Path(shop.config["MEDIA_DIR"]) / name).exists() for name in blue.stored.files)
    merch.post(f"/admin/catalog/products/{pid}/images/{blue.id}", data={"move": "main"})
    merch.post(f"/admin/catalog/products/{pid}/images/{blue.id}", data={"alt": "Blue, from the side"})
    with shop.app_context():
        assert [image.alt for image in product(shop, "trail-walker").images] == ["Blue, from the side", "A red shoe"]
    fake = merch.post(f"/admin/catalog/products/{pid}/images",
                      data={"file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")},
                      content_type="multipart/form-data")
    assert fake.status_code == 422 and "not an image the shop accepts" in fake.get_data(as_text=True)
    merch.post(f"/admin/catalog/products/{pid}/images/{blue.id}/delete")
    with shop.app_context():
        assert [image.alt for image in product(shop, "trail-walker").images] == ["A red shoe"]
    assert [len(entries(shop, a)) for a in ("image.create", "image.update", "image.delete")] == [2, 2, 1]


def test_an_upload_may_exceed_the_shops_body_limit_but_not_the_pictures(shop, merch):
    pid = product_id(shop, "trail-walker")
    big = picture(size=(1400, 1000), fmt="BMP")  # ~4 MB: over the 1 MiB of other requests
    assert len(big) > shop.config["MAX_CONTENT_LENGTH"]
    response = merch.post(f"/admin/catalog/products/{pid}/images",
                          data={"file": (io.BytesIO(big), "big.bmp")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "not an image the shop accepts" in response.get_data(as_text=True)


# ---------------------------------------------------------------- categories


def test_categories_are_created_renamed_moved_and_deleted_only_when_empty(shop, merch):
    assert merch.post("/admin/catalog/categories", data={"name": "Sandals", "parent": "footwear"}).status_code == 302
    with shop.app_context():
        sandals = db.session.scalar(select(Category).where(Category.slug == "sandals"))
        footwear = db.session.scalar(select(Category).where(Category.slug == "footwear"))
        assert sandals.parent.slug == "footwear"
        sandals_id, footwear_id = sandals.id, footwear.id
    loop = merch.post(f"/admin/catalog/categories/{footwear_id}", data={"name": "Footwear", "parent": "sandals"})
    assert loop.status_code == 422 and "cannot go under itself" in loop.get_data(as_text=True)
    assert merch.post(f"/admin/catalog/categories/{sandals_id}", data={"name": "Summer sandals"}).status_code == 302
    refused = merch.post(f"/admin/catalog/categories/{footwear_id}/delete", follow_redirects=True)
    assert "still has" in refused.get_data(as_text=True)
    assert merch.post(f"/admin/catalog/categories/{sandals_id}/delete").status_code == 302
    assert [len(entries(shop, f"category.{verb}")) for verb in ("create", "update", "delete")] == [1, 1, 1]
    api = merch.get("/api/admin/categories").get_json()
    assert {c["slug"] for c in api} == {"footwear", "walking-shoes", "insoles"}


# ---------------------------------------------------------------- articles


ARTICLE = {"title": "Walk it off", "author": "Dr Ann", "published": "2026-02-01", "topics": "walking, lower-back-pain",
           "summary": "Why walking helps.", "body": "## Start slowly\n\nTen minutes a day. <script>alert(1)</script>"}


def test_an_article_is_previewed_sanitised_without_saving_then_saved(shop, merch):
    preview = merch.post("/admin/catalog/articles/new", data={**ARTICLE, "preview": "1"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<h2>Start slowly</h2>" in page and "<script>alert" not in page
    with shop.app_context():
        assert db.session.scalar(select(Article)) is None
    saved = merch.post("/admin/catalog/articles/new", data=ARTICLE)
    assert saved.status_code == 302
    public = shop.test_client().get("/articles/walk-it-off").get_data(as_text=True)
    assert "<h2>Start slowly</h2>" in public and "<script>alert" not in public
    with shop.app_context():
        assert db.session.scalar(select(Article)).topics == ["walking", "lower-back-pain"]
    assert len(entries(shop, "article.create")) == 1


def test_a_draft_article_is_not_in_the_shop(shop, merch):
    merch.post("/admin/catalog/articles/new", data={**ARTICLE, "draft": "on"})
    visitor = shop.test_client()
    assert visitor.get("/articles/walk-it-off").status_code == 404
    assert "Walk it off" not in visitor.get("/articles").get_data(as_text=True)
    assert visitor.get("/api/articles").get_json()["total"] == 0
    assert "Walk it off" in merch.get("/admin/catalog/articles").get_data(as_text=True)


def test_bad_article_input_is_named_by_field(merch):
    response = merch.post("/admin/catalog/articles/new", data={**ARTICLE, "published": "yesterday", "body": "",
                                                               "topics": "Not A Word"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a date like 2026-03-01." in page and 'id="f-body-error"' in page and 'id="f-topics-error"' in page


# ---------------------------------------------------------------- import and export


def upload(client, content: str, name: str, dry_run: bool):
    data = {"file": (io.BytesIO(content.encode()), name)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/admin/catalog/import", data=data, content_type="multipart/form-data")


def test_import_shows_the_importers_line_and_field_errors_and_writes_nothing(shop, merch):
    csv_text = ("slug,name,brand,price,category,created_at,sku,stock\n"
                "new-shoe,New Shoe,Velmora,12.00,walking-shoes,2026-01-01,NS-1,3\n"
                "bad-shoe,Bad Shoe,Velmora,cheap,walking-shoes,2026-01-01,BS-1,x\n")
    response = upload(merch, csv_text, "catalog.csv", dry_run=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing imported" in page
    assert re.search(r"<td>line 3</td><td><code>price</code></td>", page)
    with shop.app_context():
        assert product(shop, "new-shoe") is None
    assert entries(shop, "catalog.import") == []


def test_a_dry_run_reports_and_writes_nothing_then_the_import_writes_and_is_audited(shop, merch):
    csv_text = ("slug,name,brand,price,category,created_at,sku,stock\n"
                "new-shoe,New Shoe,Velmora,12.00,walking-shoes,2026-01-01,NS-1,3\n")
    dry = upload(merch, csv_text, "catalog.csv", dry_run=True)
    assert dry.status_code == 200 and "nothing was written" in dry.get_data(as_text=True)
    with shop.app_context():
        assert product(shop, "new-shoe") is None
    real = upload(merch, csv_text, "catalog.csv", dry_run=False)
    assert real.status_code == 200 and "1 products created" in real.get_data(as_text=True)
    with shop.app_context():
        assert product(shop, "new-shoe").variants[0].sku == "NS-1"
    [entry] = entries(shop, "catalog.import")
    assert entry.after["products_created"] == 1


def test_the_export_downloads_a_file_that_imports_back(shop, merch):
    exported = merch.get("/admin/catalog/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    document = json.loads(exported.get_data(as_text=True))
    assert {p["slug"] for p in document["products"]} == {"trail-walker", "gel-insole"}
    again = upload(merch, exported.get_data(as_text=True), "catalog.json", dry_run=True)
    assert again.status_code == 200 and "2 updated" in again.get_data(as_text=True)
    assert merch.get("/admin/catalog/export.csv").get_data(as_text=True).startswith("slug,name,brand")
    wrong = upload(merch, "hello", "catalog.txt", dry_run=True)
    assert wrong.status_code == 422 and "Use a .json or .csv catalog file." in wrong.get_data(as_text=True)


def test_support_staff_cannot_touch_the_catalog(shop):
    support = staff_client(shop, "support")
    assert support.get("/admin/catalog").status_code == 403
    assert support.get("/api/admin/products").status_code == 403
