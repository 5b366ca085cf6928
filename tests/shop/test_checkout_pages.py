"""The checkout form: labelled fields, per-field messages, double submit, conflicts, CSRF."""

from __future__ import annotations

import re

import pytest
from shopping import HALO, INSOLE, csrf_token_from, seed_tiny_catalog, set_stock, stock_of
from sqlalchemy import func, select

from shop.models import Order

FORM = {
    "name": "Ann Walker", "email": "ann@example.com", "line1": "1 High Street", "line2": "",
    "city": "York", "postal_code": "YO1 7HH", "country": "GB", "delivery": "standard",
}  # fmt: skip


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def add(client, sku=HALO, quantity=1):
    client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})


def text(response) -> str:
    return response.get_data(as_text=True)


def key_from(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def place(client, key="key-1", **changes):
    return client.post("/checkout", data={**FORM, "idempotency_key": key, **changes})


def orders_in(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Order.id)))


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, stocked):
    response = client.get("/checkout")
    assert response.status_code == 303 and response.headers["Location"] == "/cart"


def test_the_form_has_labelled_fields_delivery_prices_and_hidden_keys(client, stocked):
    add(client, sku=INSOLE)
    html = text(client.get("/checkout"))
    for field, label in [
        ("name", "Full name"),
        ("email", "E-mail address"),
        ("line1", "Address line 1"),
        ("city", "Town or city"),
        ("postal_code", "Postcode"),
        ("country", "Country"),
    ]:
        assert (
            f'<label for="f-{field}">{label}' in html and f'id="f-{field}" name="{field}"' in html
        )
    assert "Standard delivery (3–5 working days): <strong>£4.95</strong>" in html
    assert "Express delivery (next working day): <strong>£9.95</strong>" in html
    assert 'name="csrf_token"' in html and len(key_from(html)) >= 20
    assert "Gel Insole" in html and "£19.50" in html


def test_standard_delivery_reads_free_over_75(client, stocked):
    add(client)
    assert "Standard delivery (3–5 working days): <strong>Free</strong>" in text(
        client.get("/checkout")
    )


def test_each_visit_of_the_form_gets_a_new_key(client, stocked):
    add(client)
    assert key_from(text(client.get("/checkout"))) != key_from(text(client.get("/checkout")))


def test_the_form_is_prefilled_for_an_account(client, stocked):
    from shop.models import User

    user = User(email="ann@example.com", name="Ann Walker", password_hash="x")
    stocked.add(user)
    stocked.commit()
    with client.session_transaction() as sess:
        sess["user_id"] = user.id
    add(client)
    html = text(client.get("/checkout"))
    assert 'name="name" type="text" value="Ann Walker"' in html
    assert 'name="email" type="email" value="ann@example.com"' in html


def test_placing_the_order_shows_the_confirmation(client, stocked):
    add(client, quantity=2)
    response = place(client)
    assert response.status_code == 303
    number = stocked.scalar(select(Order.number))
    assert response.headers["Location"] == f"/orders/{number}"
    html = text(client.get(response.headers["Location"]))
    assert f"Order number: <strong>{number}</strong>" in html
    assert '<td class="order-total"><strong>£279.90</strong></td>' in html
    assert "Payment: <strong>pending</strong>" in html and "York YO1 7HH" in html
    assert stock_of(stocked, HALO) == 3
    assert "data-minicart-count>0<" in html


def test_a_double_submit_creates_one_order(client, stocked):
    add(client)
    first = place(client, key="same-key")
    second = place(client, key="same-key")
    assert first.headers["Location"] == second.headers["Location"]
    assert orders_in(stocked) == 1 and stock_of(stocked, HALO) == 4


def test_a_form_without_its_key_is_refused(client, stocked):
    add(client)
    response = client.post("/checkout", data=FORM)
    assert response.status_code == 400
    assert "please reload the page" in text(response)
    assert orders_in(stocked) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name (up to 120 characters)."),
        ({"email": "ann-at-example"}, "email", "Enter an e-mail address like name@example.com."),
        ({"line1": ""}, "line1", "Enter the first line of the address (up to 100 characters)."),
        ({"line2": "x" * 101}, "line2", "Use up to 100 characters."),
        ({"city": ""}, "city", "Enter the town or city (up to 60 characters)."),
        ({"postal_code": "#"}, "postal_code", "Enter a valid postcode."),
        (
            {"country": "XX"},
            "country",
            (
                "We deliver to United Kingdom (GB), Ireland (IE), France (FR), "
                "Germany (DE), Netherlands (NL), Belgium (BE)."
            ),
        ),
        ({"delivery": "pigeon"}, "delivery", "Choose standard or express."),
    ],
)
def test_form_validation_messages_sit_by_their_fields(client, stocked, changes, field, message):
    add(client)
    response = place(client, **changes)
    assert response.status_code == 422
    html = text(response)
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in html
    assert orders_in(stocked) == 0
    assert 'name="idempotency_key" value="key-1"' in html  # the retry keeps its key


def test_a_rejected_form_keeps_what_was_typed(client, stocked):
    add(client)
    html = text(place(client, email="nope"))
    assert (
        'value="1 High Street"' in html and 'value="nope"' in html and 'aria-invalid="true"' in html
    )


def test_an_unknown_form_field_is_refused(client, stocked):
    add(client)
    response = place(client, total="0.01")
    assert response.status_code == 422 and "Unknown field." in text(response)


def test_running_out_of_stock_flashes_and_returns_to_the_cart(client, stocked):
    add(client, quantity=3)
    set_stock(stocked, HALO, 1)
    response = place(client)
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    html = text(client.get("/cart"))
    assert (
        "Only 1 left of Halo Walk, EU 39 (UK 5.5 / US 6.5), regular; please lower the quantity."
        in html
    )
    assert orders_in(stocked) == 0


def test_the_cart_links_to_checkout(client, stocked):
    add(client)
    html = text(client.get("/cart"))
    assert '<a class="button" href="/checkout">Checkout</a>' in html


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(app_config, stocked):
    from shop import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    assert client.post("/api/cart/items", json={"sku": HALO, "quantity": 1}).status_code == 201
    yield client
    app.extensions["database"].engine.dispose()


def test_the_checkout_form_without_a_csrf_token_is_refused(csrf_client, stocked):
    response = csrf_client.post("/checkout", data={**FORM, "idempotency_key": "k-1"})
    assert response.status_code == 400 and "CSRF" in text(response)
    assert orders_in(stocked) == 0 and stock_of(stocked, HALO) == 5


def test_the_checkout_form_with_a_wrong_csrf_token_is_refused(csrf_client, stocked):
    response = csrf_client.post(
        "/checkout", data={**FORM, "idempotency_key": "k-1", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert orders_in(stocked) == 0


def test_the_checkout_form_with_its_csrf_token_places_the_order(csrf_client, stocked):
    html = text(csrf_client.get("/checkout"))
    data = {**FORM, "idempotency_key": key_from(html), "csrf_token": csrf_token_from(html)}
    response = csrf_client.post("/checkout", data=data)
    assert response.status_code == 303 and response.headers["Location"].startswith("/orders/BC-")
    assert orders_in(stocked) == 1
