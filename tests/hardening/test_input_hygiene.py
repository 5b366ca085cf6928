"""Input that used to reach the database raw (issue 10, finding 4), refused at the boundary.

Each case was a 500 on PostgreSQL, or stored and echoed raw on SQLite: a NUL in a search, a slug,
a SKU, a name or an address; ``context=home%0A`` (a ``$`` that let a trailing newline through);
a JSON body nested ~1,000 deep (``RecursionError``); a cart line PATCHed or DELETEd while another
request deletes it (``StaleDataError``). Each is a 4xx problem (or page) on both databases.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from shop.models import CartItem, Order
from shop.request_checks import MAX_JSON_DEPTH, json_depth

PROBLEM_JSON = "application/problem+json"
SKU = "VM-HW-39-R"
SLUG = "velmora-halo-walk"
ADDRESS = {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"}
CHECKOUT = {"name": "Ann Example", "email": "ann@example.com", "delivery": "standard",
            "address": ADDRESS}


@pytest.fixture
def shop_client(small_demo):
    return small_demo.test_client()


def _problem(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == PROBLEM_JSON
    assert response.get_json()["status"] == response.status_code
    return response.get_json()


def _with_line(client):
    added = client.post("/api/cart/items", json={"sku": SKU, "quantity": 1})
    assert added.status_code == 201, added.get_json()
    return added.get_json()["items"][0]["id"]


# ---------------------------------------------------------------- NUL and other controls


@pytest.mark.parametrize("url", [
    "/api/products?q=walk%00",
    "/api/products?category=walking%00",
    "/api/products/velmora-halo-walk%00",
    "/api/products/%00/similar",
    "/api/articles/%00",
    "/api/orders/BC-%00",
    "/api/recommendations?context=product:velmora%00",
    "/api/products?q=%1b[31m",
])
def test_a_control_character_in_the_path_or_query_is_a_400_problem(shop_client, url):
    _problem(shop_client.get(url), 400)


@pytest.mark.parametrize("url", [
    "/products?q=walk%00", "/products/velmora-halo-walk%00", "/articles/%00", "/orders/BC-%00",
])
def test_a_control_character_in_a_page_url_is_a_400_page(shop_client, url):
    response = shop_client.get(url)
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_a_search_with_a_tab_or_newline_is_still_a_search(shop_client):
    assert shop_client.get("/api/products?q=halo%09walk").status_code == 200


@pytest.mark.parametrize("body", [
    {"sku": "VM-HW-39-R\u0000"},
    {"sku": "\u0000"},
    {"sku\u0000": "VM-HW-39-R"},
])
def test_a_nul_in_a_json_body_is_a_400_problem(shop_client, body):
    _problem(shop_client.post("/api/cart/items", json=body), 400)


@pytest.mark.parametrize("change", [
    {"name": "Ann\u0000Example"},
    {"address": {**ADDRESS, "line1": "1 High\u0000 Street"}},
    {"address": {**ADDRESS, "city": "York\u0007"}},
    {"email": "ann\u0000@example.com"},
])
def test_a_nul_or_control_in_the_checkout_is_refused_and_nothing_is_stored(shop_client, change):
    _with_line(shop_client)
    _problem(shop_client.post("/api/checkout", json={**CHECKOUT, **change}), 400, 422)
    with shop_client.application.app_context():
        from shop.extensions import db

        assert db.session.scalar(select(Order.id)) is None


@pytest.mark.parametrize("change", [
    {"name": "Ann\nExample"},
    {"address": {**ADDRESS, "line1": "1 High Street\r\nX-Injected: 1"}},
])
def test_a_line_break_in_a_one_line_field_names_the_field(shop_client, change):
    _with_line(shop_client)
    problem = _problem(shop_client.post("/api/checkout", json={**CHECKOUT, **change}), 422)
    assert any("control characters" in p["reason"] for p in problem["invalid_params"])


def test_the_checkout_form_refuses_a_nul_with_a_400_page(shop_client):
    _with_line(shop_client)
    form = {"name": "Ann\x00", "email": "ann@example.com", "line1": "1 High Street",
            "city": "York", "postal_code": "YO1 7HH", "country": "GB", "delivery": "standard",
            "idempotency_key": "k-1"}
    response = shop_client.post("/checkout", data=form)
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_bidi_overrides_and_byte_order_marks_are_stripped_from_names_and_addresses(shop_client):
    _with_line(shop_client)
    body = {**CHECKOUT, "name": "\ufeffAnn \u202eelpmaxE\u202c",
            "address": {**ADDRESS, "line1": "1 High\u2066 Street\u2069", "city": "Yo\u202ark"}}
    placed = shop_client.post("/api/checkout", json=body)
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    assert order["name"] == "Ann elpmaxE"
    assert order["address"]["line1"] == "1 High Street" and order["address"]["city"] == "York"


# ---------------------------------------------------------------- anchored patterns


@pytest.mark.parametrize("url", [
    "/api/recommendations?context=home%0A",
    "/api/recommendations?context=cart%0A",
    "/api/products?category=walking%0A",
    "/api/articles?topic=walking%0A",
])
def test_a_trailing_newline_does_not_pass_an_anchored_pattern(shop_client, url):
    problem = _problem(shop_client.get(url), 400)
    assert problem["invalid_params"], problem


def test_the_page_filters_refuse_a_trailing_newline_too(shop_client):
    assert shop_client.get("/articles?topic=walking%0A").status_code == 400


# ---------------------------------------------------------------- JSON nesting


@pytest.mark.parametrize("url", ["/api/cart/items", "/api/checkout", "/api/profile"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_a_400_problem(shop_client, url, depth):
    body = "[" * depth + "]" * depth
    response = shop_client.post(url, data=body, content_type="application/json")
    problem = _problem(response, 400)
    assert "nested" in problem["detail"]


def test_json_as_deep_as_the_limit_reaches_the_view(shop_client):
    body = '{"sku": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = shop_client.post("/api/cart/items", data=body, content_type="application/json")
    problem = _problem(response, 422)  # the schema refuses a list as a SKU
    assert problem["invalid_params"][0]["name"] == "sku"


@pytest.mark.parametrize(("text", "depth"), [
    ("{}", 1), ("[[], [[]]]", 3), ('{"a": "[[[[[["}', 1), (r'["\"[[[["]', 1), ("42", 0),
    ("[" * 50, MAX_JSON_DEPTH + 1),
])
def test_json_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


# ---------------------------------------------------------------- stale cart lines


@pytest.fixture
def line_deleted_meanwhile(monkeypatch):
    """The line is deleted (another tab, or a checkout) right after this request has read it."""
    from shop.cart import service
    from shop.extensions import db

    original = service._item

    def read_then_lose(cart, item_id):
        item = original(cart, item_id)
        db.session.execute(delete(CartItem).where(CartItem.id == item_id)
                           .execution_options(synchronize_session=False))
        db.session.commit()  # the other request is done
        return item

    monkeypatch.setattr(service, "_item", read_then_lose)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_line_deleted_while_it_is_changed_is_a_404_problem(shop_client, method,
                                                              line_deleted_meanwhile):
    line = _with_line(shop_client)
    response = shop_client.open(f"/api/cart/items/{line}", method=method, json={"quantity": 2})
    problem = _problem(response, 404)
    assert "not in your cart" in problem["detail"]
    assert shop_client.get("/api/cart").get_json()["items"] == []


def test_a_line_deleted_while_the_cart_page_changes_it_is_a_404_page(shop_client,
                                                                    line_deleted_meanwhile):
    line = _with_line(shop_client)
    response = shop_client.post(f"/cart/items/{line}", data={"quantity": "2"})
    assert response.status_code in (303, 404), response.status_code
