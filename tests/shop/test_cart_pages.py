"""The cart in HTML: the product page's form, the /cart page, the header mini-cart, CSRF."""

from __future__ import annotations

import re

import pytest
from shopping import DRIFT, HALO, csrf_token_from, deactivate, seed_tiny_catalog

EMPTY = "No products in the cart."


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def add(client, sku=HALO, quantity="1", **extra):
    return client.post("/cart/items", data={"sku": sku, "quantity": quantity, **extra})


def text(response) -> str:
    return response.get_data(as_text=True)


def minicart(html: str) -> str:
    return html[html.index('<details class="minicart"') : html.index("</details>")]


def line_ids(html: str) -> list[str]:
    return re.findall(r'action="/cart/items/(\d+)"', html)


# ---------------------------------------------------------------- the product page form


def test_the_product_page_has_a_labelled_size_and_quantity_form(client, stocked):
    html = text(client.get("/products/velmora-halo-walk"))
    form = html[html.index('<form class="add-to-cart') :]
    form = form[: form.index("</form>")]
    assert 'action="/cart/items"' in form and 'method="post"' in form
    assert '<label for="add-sku">Size and width</label>' in form
    assert '<label for="add-quantity">Quantity</label>' in form
    assert f'value="{HALO}"' in form and "EU 39 (UK 5.5 / US 6.5), regular" in form
    assert 'name="csrf_token"' in form


def test_sold_out_sizes_are_disabled_in_the_picker(client, stocked):
    from shopping import set_stock

    set_stock(stocked, HALO, 0)
    html = text(client.get("/products/velmora-halo-walk"))
    option = re.search(rf'<option value="{HALO}"[^>]*>', html).group(0)
    assert "disabled" in option


# ---------------------------------------------------------------- the cart page


def test_an_empty_cart_page_reads_exactly_no_products(client, stocked):
    html = text(client.get("/cart"))
    assert f'<p class="cart-empty">{EMPTY}</p>' in html


def test_adding_redirects_to_the_cart_with_a_message(client, stocked):
    response = add(client, quantity="2")
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    html = text(client.get("/cart"))
    assert "Added 2 items of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular to your cart." in html
    assert "£279.90" in html and "2 items" in html and EMPTY not in html.split("<main")[1]


def test_the_cart_page_shows_line_totals_and_subtotal(client, stocked):
    add(client, quantity="2")
    add(client, sku=DRIFT)
    html = text(client.get("/cart"))
    main = html.split("<main")[1]
    assert main.count("£279.90") == 1 and "£124.00" in main
    assert '<td class="cart-subtotal">£403.90</td>' in main
    assert '<td class="cart-count">3 items</td>' in main


def test_changing_a_quantity_from_the_page(client, stocked):
    add(client)
    [line_id] = line_ids(text(client.get("/cart")))[:1]
    response = client.post(f"/cart/items/{line_id}", data={"quantity": "3"})
    assert response.status_code == 303
    assert '<td class="cart-count">3 items</td>' in text(client.get("/cart"))


def test_removing_a_line_from_the_page(client, stocked):
    add(client)
    line_id = line_ids(text(client.get("/cart")))[0]
    client.post(f"/cart/items/{line_id}/remove")
    html = text(client.get("/cart"))
    assert "Removed Halo Walk" in html and f'<p class="cart-empty">{EMPTY}</p>' in html


def test_emptying_the_cart_from_the_page(client, stocked):
    add(client)
    add(client, sku=DRIFT)
    client.post("/cart/clear")
    html = text(client.get("/cart"))
    assert "Your cart is now empty." in html and f'<p class="cart-empty">{EMPTY}</p>' in html


def test_too_many_goes_back_to_the_product_page_with_the_reason(client, stocked):
    response = add(client, quantity="9", product="velmora-halo-walk")
    assert response.status_code == 303
    assert response.headers["Location"] == "/products/velmora-halo-walk"
    html = text(client.get("/products/velmora-halo-walk"))
    assert "Sorry, only 5 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular." in html
    assert minicart(html).count("data-minicart-count>0<") == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"sku": HALO, "quantity": "0"}, "Quantity: Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": "100"}, "Quantity: Must be a whole number from 1 to 99."),
        ({"sku": HALO, "quantity": "two"}, "Quantity: Must be a whole number from 1 to 99."),
        ({"quantity": "1"}, "Sku: Missing data for required field."),
        ({"sku": "", "quantity": "1"}, "Sku: Must be 1 to 60 characters."),
        ({"sku": HALO, "quantity": "1", "price": "1"}, "Price: Unknown field."),
    ],
)
def test_form_validation_messages(client, stocked, form, message):
    response = client.post("/cart/items", data=form)
    assert response.status_code == 303
    assert message in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"quantity": "0"}, "Quantity: Must be a whole number from 1 to 99."),
        ({"quantity": "abc"}, "Quantity: Must be a whole number from 1 to 99."),
        ({}, "Quantity: Missing data for required field."),
        ({"quantity": "9"}, "Sorry, only 5 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular."),
    ],
)
def test_quantity_form_messages(client, stocked, form, message):
    add(client)
    line_id = line_ids(text(client.get("/cart")))[0]
    response = client.post(f"/cart/items/{line_id}", data=form)
    assert response.status_code == 303
    html = text(client.get("/cart"))
    assert message in html and '<td class="cart-count">1 item</td>' in html


def test_an_unknown_sku_from_the_form_is_a_404_page(client, stocked):
    response = add(client, sku="NOPE-1")
    assert response.status_code == 404
    assert "There is no product with SKU &#39;NOPE-1&#39;." in text(response)


def test_an_inactive_product_from_the_form_is_a_422_page(client, stocked):
    deactivate(stocked, "velmora-halo-walk")
    response = add(client)
    assert response.status_code == 422 and "Halo Walk is no longer sold." in text(response)


@pytest.mark.parametrize("action", ["/cart/items/{id}", "/cart/items/{id}/remove"])
def test_another_visitors_line_is_a_404_page(app, client, stocked, action):
    add(client)
    line_id = line_ids(text(client.get("/cart")))[0]
    stranger = app.test_client()
    add(stranger, sku=DRIFT)
    response = stranger.post(action.format(id=line_id), data={"quantity": "2"})
    assert response.status_code == 404 and "That line is not in your cart." in text(response)


# ---------------------------------------------------------------- the mini-cart


def test_the_minicart_is_on_every_page_and_empty_at_first(client, stocked):
    for path in ("/", "/products", "/products/velmora-halo-walk", "/cart"):
        drawer = minicart(text(client.get(path)))
        assert "data-minicart-count>0<" in drawer and "£0.00" in drawer
        assert f"data-minicart-empty>{EMPTY}</p>" in drawer


def test_the_minicart_shows_count_subtotal_and_lines(client, stocked):
    add(client, quantity="2")
    add(client, sku=DRIFT)
    drawer = minicart(text(client.get("/")))
    assert "data-minicart-count>3<" in drawer and "£403.90" in drawer
    assert 'aria-label="Cart: 3 items, £403.90"' in drawer
    assert "Halo Walk" in drawer and "× 2" in drawer and "Drift Cushion" in drawer
    assert f"data-minicart-empty hidden>{EMPTY}</p>" in drawer


def test_pages_use_no_inline_script(client, stocked):
    add(client)
    for path in ("/cart", "/products/velmora-halo-walk"):
        html = text(client.get(path))
        # (a JSON-LD block is data, never run: allowed)
        assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>', html)
        assert not re.search(r"\son[a-z]+=", html)


def test_viewing_pages_does_not_start_a_visitor_session(client, stocked):
    assert "Set-Cookie" not in client.get("/cart").headers


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(app_config, stocked):
    from shop import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield app.test_client()
    app.extensions["database"].engine.dispose()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/cart/items", {"sku": HALO, "quantity": "1"}),
        ("/cart/items/1", {"quantity": "2"}),
        ("/cart/items/1/remove", {}),
        ("/cart/clear", {}),
    ],
)
def test_cart_forms_without_a_csrf_token_are_refused(csrf_client, path, data):
    response = csrf_client.post(path, data=data)
    assert response.status_code == 400
    assert "CSRF" in text(response)
    assert csrf_client.get("/api/cart").json["item_count"] == 0


def test_cart_forms_with_the_pages_csrf_token_work(csrf_client):
    token = csrf_token_from(text(csrf_client.get("/products/velmora-halo-walk")))
    response = csrf_client.post(
        "/cart/items", data={"sku": HALO, "quantity": "1", "csrf_token": token}
    )
    assert response.status_code == 303
    assert csrf_client.get("/api/cart").json["item_count"] == 1


def test_the_json_api_needs_no_csrf_token(csrf_client):
    response = csrf_client.post("/api/cart/items", json={"sku": HALO, "quantity": 1})
    assert response.status_code == 201
