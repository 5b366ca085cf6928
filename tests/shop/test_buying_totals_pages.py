"""Buying without surprises: the size picker starts on a choice, totals show before ordering."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from shopping import HALO, seed_tiny_catalog


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def text(response) -> str:
    return response.get_data(as_text=True)


def sku_select(html: str) -> str:
    start = html.index('<select id="add-sku"')
    return html[start : html.index("</select>", start)]


def test_the_size_picker_starts_on_choose_your_size_not_the_smallest(client, stocked):
    select = sku_select(text(client.get("/products/velmora-halo-walk")))
    assert re.search(r'<option value="">Choose your size</option>', select)
    assert " selected" not in select  # the browser shows the placeholder
    assert select.startswith('<select id="add-sku" name="sku" required>')  # no blank post


def test_the_cart_shows_delivery_and_the_order_total(client, stocked):
    client.post("/cart/items", data={"sku": HALO, "quantity": "1"})
    html = text(client.get("/cart"))
    subtotal = re.search(r'class="cart-subtotal">£([\d.,]+)<', html).group(1)
    delivery = re.search(r'class="cart-delivery">(Free|£[\d.,]+)<', html).group(1)
    total = re.search(r'class="cart-total"><strong>£([\d.,]+)<', html).group(1)
    shipping = Decimal(0) if delivery == "Free" else Decimal(delivery[1:].replace(",", ""))
    assert Decimal(total.replace(",", "")) == Decimal(subtotal.replace(",", "")) + shipping


def test_checkout_shows_delivery_and_the_total_before_place_order(client, stocked):
    client.post("/cart/items", data={"sku": HALO, "quantity": "1"})
    html = text(client.get("/checkout"))
    assert "Delivery (" in html and "Order total:" in html
    assert re.search(r'data-order-total="£[\d.,]+"', html)


def test_the_minicart_always_offers_checkout(client, stocked):
    html = text(client.get("/"))
    drawer = html[html.index('<details class="minicart"') : html.index("</details>")]
    assert 'href="/checkout"' in drawer


def test_the_size_picker_starts_on_the_profiles_size(client, stocked):
    html = text(client.get("/products/velmora-halo-walk"))
    sizes = re.findall(r'<option value="([^"]+)"[^>]*>\s*EU (\d+(?:\.5)?) ', sku_select(html))
    sku, size = sizes[-1]
    assert client.post("/profile", data={"size_system": "eu", "shoe_size": size}).status_code == 302
    select = sku_select(text(client.get("/products/velmora-halo-walk")))
    assert re.search(rf'<option value="{re.escape(sku)}" selected', select), select[:600]
