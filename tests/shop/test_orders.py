"""Orders: who may see which (404 for anyone else), the API list and detail, the history page."""

from __future__ import annotations

import pytest
from shopping import DRIFT, HALO, seed_tiny_catalog

from shop.models import User

BODY = {
    "name": "Ann Walker", "email": "ann@example.com", "delivery": "standard",
    "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH",
                "country": "GB"},
}  # fmt: skip


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=20)
    return session


def buy(client, sku=HALO, quantity=1) -> str:
    assert client.post("/api/cart/items", json={"sku": sku, "quantity": quantity}).status_code in (
        200,
        201,
    )
    response = client.post("/api/checkout", json=BODY)
    assert response.status_code == 201, response.json
    return response.json["number"]


def log_in(client, user_id: int) -> None:
    """As ``shop.visitor.log_in`` does: the account id next to the browser's visitor id."""
    with client.session_transaction() as sess:
        sess["user_id"] = user_id


def make_user(session, email="ann@example.com") -> int:
    user = User(email=email, name="Ann", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def test_the_shopper_reads_their_order(client, stocked):
    number = buy(client, quantity=2)
    response = client.get(f"/api/orders/{number}")
    assert response.status_code == 200
    assert response.json["number"] == number and response.json["total"] == "279.90"


def test_another_visitors_order_is_404(app, client, stocked):
    number = buy(client)
    stranger = app.test_client()
    buy(stranger, sku=DRIFT)  # the stranger has orders of their own
    for path in (f"/api/orders/{number}", f"/orders/{number}"):
        response = stranger.get(path)
        assert response.status_code == 404
    assert (
        stranger.get(f"/api/orders/{number}").json["detail"]
        == "There is no order with that number."
    )


def test_an_unknown_number_is_404(client, stocked):
    buy(client)
    assert client.get("/api/orders/BC-0000000000").status_code == 404
    assert client.get("/orders/BC-0000000000").status_code == 404


def test_a_new_visitor_has_no_orders(client, stocked):
    assert client.get("/api/orders").json == {"items": [], "total": 0, "page": 1, "per_page": 20}


def test_the_list_holds_only_the_shoppers_orders_newest_first(app, client, stocked):
    first, second = buy(client), buy(client, sku=DRIFT)
    buy(app.test_client())
    body = client.get("/api/orders").json
    assert [order["number"] for order in body["items"]] == [second, first]
    assert body["total"] == 2


def test_the_list_is_paged_and_capped(client, stocked):
    numbers = [buy(client) for _ in range(3)]
    body = client.get("/api/orders?per_page=2&page=2").json
    assert [order["number"] for order in body["items"]] == numbers[:1]
    assert (body["total"], body["page"], body["per_page"]) == (3, 2, 2)


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        (
            "per_page=51",
            "per_page",
            "Must be greater than or equal to 1 and less than or equal to 50.",
        ),
        (
            "per_page=0",
            "per_page",
            "Must be greater than or equal to 1 and less than or equal to 50.",
        ),
        ("page=0", "page", "Must be greater than or equal to 1 and less than or equal to 10000."),
        ("page=x", "page", "Not a valid integer."),
        ("sort=total", "sort", "Unknown field."),
    ],
)
def test_list_parameters_are_validated(client, stocked, query, name, reason):
    response = client.get(f"/api/orders?{query}")
    assert response.status_code == 400
    assert {"name": name, "reason": reason} in response.json["invalid_params"]


def test_an_accounts_orders_follow_it_to_another_browser(app, client, stocked):
    user_id = make_user(stocked)
    log_in(client, user_id)
    number = buy(client)
    elsewhere = app.test_client()
    log_in(elsewhere, user_id)
    assert elsewhere.get(f"/api/orders/{number}").status_code == 200
    assert [o["number"] for o in elsewhere.get("/api/orders").json["items"]] == [number]


def test_an_accounts_order_is_404_to_a_guest_and_to_another_account(app, client, stocked):
    log_in(client, make_user(stocked))
    number = buy(client)
    guest = app.test_client()
    assert guest.get(f"/api/orders/{number}").status_code == 404
    other = app.test_client()
    log_in(other, make_user(stocked, "bob@example.com"))
    assert other.get(f"/api/orders/{number}").status_code == 404
    assert other.get("/api/orders").json["items"] == []


def test_guest_orders_of_this_browser_stay_visible_after_log_in(client, stocked):
    number = buy(client)
    log_in(client, make_user(stocked))
    assert client.get(f"/api/orders/{number}").status_code == 200


# ---------------------------------------------------------------- pages


def test_the_history_page_lists_the_orders(client, stocked):
    log_in(client, make_user(stocked))
    numbers = [buy(client), buy(client, sku=DRIFT, quantity=2)]
    html = client.get("/orders").get_data(as_text=True)
    for number in numbers:
        assert f'<a href="/orders/{number}">{number}</a>' in html
    assert "£248.00" in html and "Log in" not in html.split("<main")[1]


def test_the_history_page_of_a_guest_invites_to_log_in(client, stocked):
    html = client.get("/orders").get_data(as_text=True)
    assert "You have not placed any orders yet." in html and "Log in</a> to see every order" in html


def test_the_account_page_links_to_the_history(app):
    assert "orders.history" in app.view_functions
