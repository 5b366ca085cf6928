"""Moving in from WooCommerce through the CLI and the storefront: its product CSV into the
catalog, its order history into the event log, the imported products on sale."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.models import Base, Category, Product, ProductLink, Variant
from shop.models import Event, Order, User

ORDERS = Path(__file__).resolve().parents[1] / "data" / "woocommerce"
HEADER = (
    "ID,Type,SKU,Name,Published,Visibility in catalog,Short description,Description,"
    "Date sale price starts,Date sale price ends,In stock?,Stock,Sale price,Regular price,"
    "Categories,Tags,Images,Parent,Upsells,Cross-sells,Position,"
    "Attribute 1 name,Attribute 1 value(s),Attribute 1 visible,Attribute 1 global,"
    "Attribute 2 name,Attribute 2 value(s),Attribute 2 visible,Attribute 2 global"
)
# The order file's products (tests/data/woocommerce): a hoodie by colour and logo, a T-shirt
# whose size is "Any", and simple products. The red hoodie is on sale until the end of 2099.
ROWS = [
    '742,variable,cc-hoodie,Hoodie,1,visible,,Warm.,,,1,,,,Clothing > Hoodies,,hoodie.jpg,,,cc-sunglasses,0,Color,"Red, Blue",1,1,Logo,"Yes, No",1,0',  # noqa: E501
    '758,variation,cc-hoodie-red,,1,,,,2020-01-01,2099-12-31,1,5,42,45,,,,cc-hoodie,,,1,Color,Red,,1,Logo,No,,0',
    '894,variation,cc-hoodie-red-logo,,1,,,,,,1,5,,45,,,,cc-hoodie,,,2,Color,Red,,1,Logo,Yes,,0',
    '895,variation,cc-hoodie-blue-logo,,1,,,,,,0,0,,45,,,,cc-hoodie,,,3,Color,Blue,,1,Logo,Yes,,0',
    '741,variable,cc-tee,T-Shirt,1,visible,,,,,1,,,,"Clothing > Tshirts, Sale",,,,,,0,Color,Blue,1,1,Size,"Large, Small",1,0',  # noqa: E501
    '883,variation,cc-t-shirt-blue,,1,,,,,,1,,,25,,,,cc-tee,,,1,Color,Blue,,1,Size,,,0',
    '748,simple,cc-sunglasses,Sunglasses,1,visible,,,,,1,7,,90,Clothing > Accessories,,,,,,0,Material,Plastic,1,0,,,,',
    '745,simple,cc-beanie,Beanie,1,visible,,,,,1,3,18,20,Clothing > Accessories,,,,,,0,,,,,,,,',
    '761,simple,cc-tshirt-logo,T-Shirt with Logo,1,visible,,,,,1,3,,18,Clothing > Tshirts,,,,,,0,,,,,,,,',
]  # fmt: skip
SHOP_CSV = "\n".join([HEADER, *ROWS, ""])


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def write(tmp_path, text: str | bytes, name: str = "products.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def woo_import(runner, path, *extra):
    return runner.invoke(args=["catalog", "import", "--from", "woocommerce", str(path), *extra])


@pytest.fixture
def moved_in(runner, session, tmp_path):
    result = woo_import(runner, write(tmp_path, SHOP_CSV), "--brand", "Classic")
    assert result.exit_code == 0, result.output
    return session


# ---------------------------------------------------------------- products


def test_the_sample_catalog_imports_with_only_unsellable_rows_skipped(runner, session, shared_data):
    path = shared_data / "woocommerce" / "sample_products.csv"
    result = woo_import(runner, path, "--no-images")  # its pictures are on woocommerce.com
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if "skipped:" in line]
    assert len(skipped) == 4
    assert sum("downloadable" in line for line in skipped) == 2
    assert sum("grouped" in line for line in skipped) == 1
    assert sum("external" in line for line in skipped) == 1
    assert "11 products created" in result.output and "none fetched" in result.output
    tee = session.scalar(select(Product).where(Product.sku == "cc-tee"))
    assert tee.option_names == ["Color", "Size"]
    assert {(v.options["Color"], v.options["Size"]) for v in tee.variants} == {
        (c, s) for c in ("Blue", "Green", "Red") for s in ("Large", "Medium", "Small")
    }
    hoodie = session.scalar(select(Product).where(Product.sku == "cc-hoodie"))
    assert {v.options["Color"] for v in hoodie.variants} == {"Blue", "Green", "Red"}
    assert [c.path for c in tee.categories] == [["clothing", "tshirts"]]
    assert len(tee.image_refs) == 3

    again = woo_import(runner, path, "--no-images")
    assert "0 products created, 0 updated, 11 unchanged" in again.output


def test_a_re_import_changes_nothing(runner, moved_in, tmp_path):
    before = {t: count(moved_in, t) for t in (Product, Variant, Category, ProductLink)}
    again = woo_import(runner, write(tmp_path, SHOP_CSV))
    assert again.exit_code == 0, again.output
    assert "0 products created, 0 updated, 5 unchanged" in again.output
    assert {t: count(moved_in, t) for t in before} == before


def test_a_changed_row_updates_its_product_only(runner, moved_in, tmp_path):
    changed = SHOP_CSV.replace("Sunglasses,1,visible,,,,,1,7,,90", "Sunglasses,1,visible,,,,,1,7,,95")
    result = woo_import(runner, write(tmp_path, changed))
    assert "0 products created, 1 updated, 4 unchanged" in result.output
    assert "updated: sunglasses" in result.output
    price = moved_in.scalar(select(Variant.price).where(Variant.sku == "cc-sunglasses"))
    assert price == Decimal("95.00")


def test_dry_run_reports_and_writes_nothing(runner, session, tmp_path):
    result = woo_import(runner, write(tmp_path, SHOP_CSV), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would import" in result.output and "5 products created" in result.output
    assert "created: hoodie" in result.output and "Dry run: nothing was written." in result.output
    assert count(session, Product) == 0 and count(session, Category) == 0


def test_the_imported_shape(moved_in):
    hoodie = moved_in.scalar(select(Product).where(Product.slug == "hoodie"))
    assert hoodie.brand == "Classic" and hoodie.source_ref == "woocommerce:742"
    assert hoodie.option_names == ["Color", "Logo"] and hoodie.image_refs == ["hoodie.jpg"]
    red = next(v for v in hoodie.variants if v.sku == "cc-hoodie-red")
    assert red.options == {"Color": "Red", "Logo": "No"} and red.label == "Color: Red, Logo: No"
    assert red.sale_price == Decimal("42.00") and red.price_now == Decimal("42.00")
    assert red.sale_ends == dt.datetime(2099, 12, 31, 23, 59, 59)
    assert [p.slug for p in hoodie.linked("cross_sell")] == ["sunglasses"]
    tee = moved_in.scalar(select(Product).where(Product.slug == "t-shirt"))
    assert sorted(v.sku for v in tee.variants) == ["cc-t-shirt-blue-large", "cc-t-shirt-blue-small"]
    assert [c.name for c in tee.categories] == ["Tshirts", "Sale"]
    sunglasses = moved_in.scalar(select(Product).where(Product.slug == "sunglasses"))
    assert [(a.name, a.values) for a in sunglasses.plain_attributes] == [("Material", ["Plastic"])]
    # No Stock cell but in stock: the shop counts stock, so it gets a number to sell from.
    assert all(v.stock == 100 for v in tee.variants)


def test_a_product_in_a_second_category_is_listed_there(moved_in, client):
    html = client.get("/products?category=sale").get_data(as_text=True)
    assert "T-Shirt" in html and "Sunglasses" not in html


BAD_FILES = {
    "not CSV": (b"\x89PNG\r\n\x1a\n\x00\x00binary", "line 1: not UTF-8 text"),
    "missing parent": (
        SHOP_CSV.replace(
            "758,variation,cc-hoodie-red,,1,,,,2020-01-01,2099-12-31,1,5,42,45,,,,cc-hoodie",
            "758,variation,cc-hoodie-red,,1,,,,2020-01-01,2099-12-31,1,5,42,45,,,,id:99",
        ),
        "line 3, column \"Parent\": the parent 'id:99' is not in the file",
    ),
    "price not a number": (
        SHOP_CSV.replace("Sunglasses,1,visible,,,,,1,7,,90", "Sunglasses,1,visible,,,,,1,7,,90 EUR"),
        "line 8, column \"Regular price\": not a number: '90 EUR'",
    ),
    "control byte": (
        SHOP_CSV.replace("Beanie,1,visible", "Bea\x1fnie,1,visible"),
        'line 9, column "Name": control character 0x1F is not allowed',
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_name_their_lines_and_import_nothing(runner, session, tmp_path, case):
    text, expected = BAD_FILES[case]
    result = woo_import(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert "Nothing imported" in result.output and expected in result.output
    assert count(session, Product) == 0 and count(session, Category) == 0


def test_a_sku_of_another_product_stops_the_import(runner, moved_in, tmp_path):
    other = f"{HEADER}\n9745,simple,cc-beanie,Other Beanie,1,visible,,,,,1,3,,20,Hats,,,,,,0,,,,,,,,\n"
    result = woo_import(runner, write(tmp_path, other))
    assert result.exit_code == 1
    assert "line 2, column \"SKU\": 'cc-beanie' is the SKU of beanie, another product" in result.output
    assert count(moved_in, Product) == 5


def test_export_import_export_gives_the_same_file(runner, moved_in, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    exported = runner.invoke(args=["catalog", "export", "--to", "woocommerce", str(first)])
    assert exported.exit_code == 0 and "Exported 5 products" in exported.output
    for table in reversed(Base.metadata.sorted_tables):  # an empty shop
        moved_in.execute(table.delete())
    moved_in.commit()
    moved_in.expunge_all()
    result = woo_import(runner, first)
    assert result.exit_code == 0 and "5 products created" in result.output, result.output
    assert runner.invoke(args=["catalog", "export", "--to", "woocommerce", str(second)]).exit_code == 0
    assert second.read_text(encoding="utf-8-sig") == first.read_text(encoding="utf-8-sig")
    assert "cc-hoodie-red,,1," not in first.read_text()  # variations carry their names


# ---------------------------------------------------------------- orders


def test_order_history_becomes_purchase_events_and_customers(runner, moved_in, tmp_path, app):
    pages = [str(ORDERS / "orders_page1.json"), str(ORDERS / "orders_page2.json")]
    result = runner.invoke(args=["orders", "import", "--from", "woocommerce", *pages])
    assert result.exit_code == 0, result.output
    assert "(no SKU, product 999): 1 line(s)" in result.output
    events = moved_in.scalars(select(Event).order_by(Event.created_at, Event.id)).all()
    assert {e.kind for e in events} == {"purchase"}
    first = events[0]
    assert first.created_at == dt.datetime(2026, 3, 2, 16, 28, 2)
    assert {e.item_id for e in events if e.context == "woocommerce-order:1021"} == {
        "hoodie",
        "sunglasses",
    }
    anna = moved_in.scalar(select(User).where(User.email == "anna.berg@example.com"))
    assert anna.password_hash == "" and first.user_id == anna.id
    # The T-shirt line names an "Any size" variation: matched exactly by its product ID.
    assert any(e.item_id == "t-shirt" and e.weight == 2.0 for e in events)
    assert count(moved_in, Order) == 0  # history, not orders to fulfil

    again = runner.invoke(args=["orders", "import", "--from", "woocommerce", *pages])
    assert "Imported 0 orders" in again.output and count(moved_in, Event) == len(events)

    trained = runner.invoke(args=["recommender", "train"])
    assert trained.exit_code == 0, trained.output
    assert f"{len(events)} events ({len(events)} on known items)" in trained.output
    assert "events from 2026-03-02T16:28:02" in trained.output


def test_a_customer_from_the_history_claims_the_account_through_the_emailed_link(
        runner, moved_in, client, app):
    """Signing up with the address takes over nothing (anyone can type it): it e-mails the
    address a link to choose the password, and following it verifies the address too."""
    from shop.mail.models import OutboxMail

    pages = [str(ORDERS / "orders_page1.json")]
    assert runner.invoke(args=["orders", "import", "--from", "woocommerce", *pages]).exit_code == 0
    anna = moved_in.scalar(select(User.id).where(User.email == "anna.berg@example.com"))
    refused = client.post("/account/login", data={"email": "anna.berg@example.com", "password": ""})
    assert refused.status_code in (400, 401, 422)
    response = client.post("/account/register", data={
        "email": "Anna.Berg@example.com", "name": "Anna", "password": "a long enough password"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    assert client.get("/api/account").status_code == 401  # not logged in to the history
    moved_in.expire_all()
    assert moved_in.scalar(select(User.password_hash).where(User.id == anna)) == ""
    assert app.test_client().post("/account/login", data={
        "email": "anna.berg@example.com", "password": "a long enough password"}).status_code == 401

    [mail] = moved_in.scalars(select(OutboxMail).where(OutboxMail.recipient == "anna.berg@example.com"))
    assert mail.kind == "account_claim" and "order history" in mail.text
    token = mail.text.split("/account/reset?token=", 1)[1].split()[0]
    chosen = client.post("/account/reset", data={"token": token, "password": "her own password"})
    assert chosen.status_code == 302
    moved_in.expire_all()
    owner = moved_in.get(User, anna)
    assert owner.password_hash.startswith("scrypt:") and owner.email_verified_at is not None
    logged_in = app.test_client()
    assert logged_in.post("/account/login", data={
        "email": "anna.berg@example.com", "password": "her own password"}).status_code == 302
    assert logged_in.get("/api/account").json["id"] == anna
    assert client.post("/account/reset", data={"token": token, "password": "a second try!"}
                       ).status_code == 400  # the link worked once


# ---------------------------------------------------------------- storefront


def page(client, slug: str) -> str:
    response = client.get(f"/products/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def buy_form(html: str) -> str:
    form = html[html.index('<form class="add-to-cart') :]
    return form[: form.index("</form>")]


def test_the_product_page_offers_a_selector_per_option(moved_in, client):
    html = page(client, "hoodie")
    form = buy_form(html)
    assert '<label for="option-1">Color</label>' in form and 'data-option="Color"' in form
    assert '<label for="option-2">Logo</label>' in form and 'data-option="Logo"' in form
    # The only blue hoodie is sold out: Blue cannot be chosen.
    assert re.search(r'<option value="Blue" disabled>Blue \(unavailable\)</option>', form)
    assert re.search(r'<option value="Red" selected>Red</option>', form)
    assert re.search(r'<option value="No" selected>No</option>', form)
    assert re.search(r'<option value="Yes">Yes</option>', form)
    # The posted SKU: every variant, with its options for the script; sold out disabled.
    assert re.search(r'<option value="cc-hoodie-blue-logo" disabled', form)
    assert 'data-options="{&#34;Color&#34;: &#34;Red&#34;, &#34;Logo&#34;: &#34;Yes&#34;}"' in form
    assert "js/options.js" in html
    # No inline script (CSP): the JSON-LD data block is never executed.
    assert re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>", html) == []


def test_a_value_is_disabled_when_no_variant_has_it_with_the_earlier_choices(moved_in, client):
    moved_in.execute(Variant.__table__.update().where(Variant.sku == "cc-hoodie-red-logo").values(stock=0))
    moved_in.commit()
    moved_in.expire_all()
    form = buy_form(page(client, "hoodie"))
    assert re.search(r'<option value="Yes" disabled>Yes \(unavailable\)</option>', form)


def test_the_page_shows_the_was_price_and_the_sale_end(moved_in, client):
    html = page(client, "hoodie")
    assert '<del aria-label="Was" data-was>£45.00</del> <span data-price-now>£42.00</span>' in html
    assert '<p class="sale-ends" data-sale-ends>Sale ends 31 December 2099</p>' in html
    # Each variant carries its own price texts, for the script to show when it is chosen.
    assert 'data-price="£42.00" data-was="£45.00"' in html
    assert 'data-price="£45.00" data-was=""' in html
    assert "Color: Red, Logo: No" in html


def test_a_sale_that_ended_charges_and_shows_the_regular_price(moved_in, client):
    moved_in.execute(Variant.__table__.update().where(Variant.sku == "cc-hoodie-red")
                     .values(sale_ends=dt.datetime(2020, 6, 1)))  # fmt: skip
    moved_in.commit()
    moved_in.expire_all()
    html = page(client, "hoodie")
    assert '<del aria-label="Was" data-was hidden></del><span data-price-now>£45.00</span>' in html
    assert "Sale ends" not in html and '<del aria-label="Was">' not in html
    client.post("/api/cart/items", json={"sku": "cc-hoodie-red", "quantity": 1})
    assert client.get("/api/cart").get_json()["items"][0]["unit_price"] == "45.00"


def test_unmapped_attributes_are_shown_on_the_page(moved_in, client):
    html = page(client, "sunglasses")
    assert '<th scope="row">Material</th><td>Plastic</td>' in html


def test_the_chosen_variant_goes_to_the_cart_and_checkout_charges_the_sale_price(moved_in, client):
    added = client.post("/cart/items", data={"sku": "cc-hoodie-red", "quantity": "2", "product": "hoodie"})
    assert added.status_code in (302, 303)
    cart = client.get("/cart").get_data(as_text=True)
    assert "Hoodie" in cart and "Color: Red, Logo: No" in cart and "£84.00" in cart
    form = client.get("/checkout").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    placed = client.post("/checkout", data={
        "name": "Ann Walker", "email": "ann@example.com", "line1": "1 High Street", "line2": "",
        "city": "York", "postal_code": "YO1 7HH", "country": "GB", "delivery": "standard",
        "idempotency_key": key})  # fmt: skip
    assert placed.status_code == 303, placed.get_data(as_text=True)
    order = moved_in.scalar(select(Order))
    assert order.subtotal == Decimal("84.00")
    assert [(line.sku, line.unit_price, line.variant_label) for line in order.lines] == [
        ("cc-hoodie-red", Decimal("42.00"), "Color: Red, Logo: No")
    ]


def test_hand_set_links_come_first_and_are_not_asked_of_the_model(moved_in, client, monkeypatch):
    from shop.recommendations import slots

    asked = {}
    real = slots.service.bought_together

    def spy(anchor, n=4, exclude=()):
        asked["exclude"] = set(exclude)
        return real(anchor, n, exclude)

    monkeypatch.setattr(slots.service, "bought_together", spy)
    html = page(client, "hoodie")
    section = html[html.index('data-slot="bought-together"') :]
    section = section[: section.index("</section>")]
    cards = re.findall(r'href="/products/([a-z0-9-]+)\?rec=bought-together"', section)
    assert cards and cards[0] == "sunglasses" and cards.count("sunglasses") == 1
    assert "Picked by the shop to go with this" in section
    assert "sunglasses" in asked["exclude"]


def test_a_mapping_file_maps_attributes_and_a_bad_one_stops_the_import(runner, session, tmp_path):
    csv_path = write(tmp_path, SHOP_CSV)
    bad = write(tmp_path, "attributes:\n  Logo:\n    to: logo_size\n", "bad.yaml")
    refused = woo_import(runner, csv_path, "--mapping", str(bad))
    assert refused.exit_code == 1 and "bad.yaml, line 2, attributes.Logo" in refused.output
    assert count(session, Product) == 0
    good = write(tmp_path, "attributes:\n  Color:\n    label: Colour\n", "good.yaml")
    result = woo_import(runner, csv_path, "--mapping", str(good))
    assert result.exit_code == 0, result.output
    hoodie = session.scalar(select(Product).where(Product.slug == "hoodie"))
    assert hoodie.option_names == ["Colour", "Logo"]
