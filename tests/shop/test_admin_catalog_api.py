"""The catalog back office as JSON: the same rules as the pages, problem details per field."""

from __future__ import annotations

import base64
import io
import json

import pytest
from admin_helpers import staff_client
from PIL import Image
from sqlalchemy import select

from catalog.io import import_catalog, parse_json
from catalog.models import Product
from shop.admin.models import AuditEntry
from shop.extensions import db

CATALOG = {
    "categories": [{"slug": "footwear", "name": "Footwear"}, {"slug": "insoles", "name": "Insoles"}],
    "products": [
        {"slug": "comfort-walker", "name": "Comfort Walker", "brand": "Velmora", "price": "90.00",
         "category": "footwear", "created_at": "2026-01-01",
         "variants": [{"sku": "CW-42-R", "size_eu": 42, "width": "regular", "stock": 4}]},
    ],
}


@pytest.fixture
def api(app):
    with app.app_context():
        import_catalog(db.session, parse_json(json.dumps(CATALOG)))
    return staff_client(app, "merchandiser")


def first_id(client) -> int:
    return client.get("/api/admin/products").get_json()["items"][0]["id"]


def test_patch_changes_only_what_is_sent_and_checks_the_whole(app, api):
    pid = first_id(api)
    response = api.patch(f"/api/admin/products/{pid}", json={"price": "79.00", "cushioning": "high"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["price"] == "79.00" and body["attributes"]["cushioning"] == "high" and body["name"] == "Comfort Walker"
    bad = api.patch(f"/api/admin/products/{pid}", json={"sale_price": "80.00"})
    assert bad.status_code == 422
    assert bad.get_json()["invalid_params"] == [
        {"name": "sale_price", "reason": "The sale price must be below the price."}]
    assert api.patch(f"/api/admin/products/{pid}", json={"colour": "red"}).status_code == 422
    assert api.patch("/api/admin/products/999999", json={"price": "1.00"}).status_code == 404


def test_create_a_product_add_a_variant_and_restock_it(app, api):
    created = api.post("/api/admin/products", json={"name": "Arch Insole", "brand": "Sola", "price": "25.00",
                                                    "category": "insoles", "active": True})
    assert created.status_code == 201 and created.get_json()["slug"] == "arch-insole"
    pid = created.get_json()["id"]
    variant = api.post(f"/api/admin/products/{pid}/variants", json={"sku": "AI-1", "stock": 0})
    assert variant.status_code == 201
    taken = api.post(f"/api/admin/products/{pid}/variants", json={"sku": "CW-42-R", "stock": 1, "size_eu": "43"})
    assert taken.status_code == 422
    assert "already used by Comfort Walker" in taken.get_json()["invalid_params"][0]["reason"]
    vid = variant.get_json()["id"]
    assert api.get("/api/admin/products/low-stock").get_json()["items"][0]["sku"] == "AI-1"
    assert api.put(f"/api/admin/products/low-stock/{vid}", json={"stock": 12}).get_json()["stock"] == 12
    assert app.test_client().get("/api/products/arch-insole").get_json()["variants"][0]["stock"] == 12
    patched = api.patch(f"/api/admin/products/{pid}/variants/{vid}", json={"stock": 3})
    assert patched.status_code == 200 and patched.get_json()["sku"] == "AI-1"
    assert api.delete(f"/api/admin/products/{pid}/variants/{vid}").get_json() == {"deleted": True}


def test_a_picture_by_base64_and_a_fake_one(app, api):
    pid = first_id(api)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    ok = api.post(f"/api/admin/products/{pid}/images", json={"data": base64.b64encode(out.getvalue()).decode(),
                                                             "alt": "Green shoe"})
    assert ok.status_code == 201 and ok.get_json()["renditions"][0]["webp"].startswith("/media/")
    again = api.post(f"/api/admin/products/{pid}/images", json={"data": base64.b64encode(out.getvalue()).decode()})
    assert again.status_code == 409
    fake = api.post(f"/api/admin/products/{pid}/images", json={"data": base64.b64encode(b"GIF89a nope").decode()})
    assert fake.status_code == 422
    assert api.post(f"/api/admin/products/{pid}/images", json={"data": "%%%"}).status_code == 422
    image_id = ok.get_json()["id"]
    assert api.patch(f"/api/admin/products/{pid}/images/{image_id}", json={"alt": "Side"}).get_json()["alt"] == "Side"
    assert api.delete(f"/api/admin/products/{pid}/images/{image_id}").status_code == 204


def test_import_through_the_api_names_each_line_and_field(app, api):
    document = {"products": [{"slug": "x", "name": "X", "brand": "B", "price": "free", "category": "footwear",
                              "created_at": "2026-01-01", "variants": [{"sku": "X-1", "stock": 1}]}]}
    bad = api.post("/api/admin/products/import", json=document)
    assert bad.status_code == 422
    assert bad.get_json()["invalid_params"][0]["name"] == "products[0].price"
    document["products"][0]["price"] = "10.00"
    dry = api.post("/api/admin/products/import?dry_run=true", json=document)
    assert dry.get_json()["products_created"] == 1
    with app.app_context():
        assert db.session.scalar(select(Product).where(Product.slug == "x")) is None
    assert api.post("/api/admin/products/import", json=document).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Product).where(Product.slug == "x")) is not None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "catalog.import")) is not None
    exported = api.get("/api/admin/products/export?format=csv")
    assert exported.status_code == 200 and "X-1" in exported.get_data(as_text=True)
    assert api.get("/api/admin/products/export?format=xml").status_code == 400


def test_categories_and_articles(app, api):
    made = api.post("/api/admin/categories", json={"name": "Socks", "parent": "footwear"})
    assert made.status_code == 201 and made.get_json()["parent"] == "footwear"
    cid = made.get_json()["id"]
    assert api.patch(f"/api/admin/categories/{cid}", json={"parent": None}).get_json()["parent"] is None
    busy = next(c for c in api.get("/api/admin/categories").get_json() if c["slug"] == "footwear")
    assert busy["products"] == 1 and api.delete(f"/api/admin/categories/{busy['id']}").status_code == 409
    assert api.delete(f"/api/admin/categories/{cid}").status_code == 204
    article = api.post("/api/admin/articles", json={"title": "Sit less", "author": "Dr B", "published": "2026-01-02",
                                                    "body": "Stand up **often**.", "draft": True})
    assert article.status_code == 201
    aid = article.get_json()["id"]
    assert app.test_client().get("/api/articles/sit-less").status_code == 404
    assert api.patch(f"/api/admin/articles/{aid}", json={"draft": False}).get_json()["draft"] is False
    assert app.test_client().get("/api/articles/sit-less").status_code == 200
    preview = api.post("/api/admin/articles/preview", json={"body": "**hi** <img src=x onerror=alert(1)>"})
    assert preview.get_json()["html"] == "<p><strong>hi</strong> </p>"
