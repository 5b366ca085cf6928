"""Orders as WooCommerce's REST API v3 returns them, read into purchases."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.woocommerce import WooCommerceFileError, parse_orders, read_orders

PAGES = [
    Path(__file__).parents[1] / "data" / "woocommerce" / f"orders_page{n}.json" for n in (1, 2)
]


def test_saved_api_pages_become_purchases_in_time_order():
    history = read_orders(PAGES)

    assert [p.order_id for p in history.purchases] == [1021, 1022, 1025]
    assert history.not_purchases == ((1023, "cancelled"), (1024, "refunded"), (1026, "failed"))
    first, guest, on_hold = history.purchases
    assert (first.customer_id, first.email, first.status) == (
        26,
        "anna.berg@example.com",
        "completed",
    )
    assert first.created_at == dt.datetime(2026, 3, 2, 16, 28, 2, tzinfo=dt.UTC)
    hoodie, sunglasses = first.lines
    assert (hoodie.product_id, hoodie.variation_id, hoodie.sku, hoodie.quantity, hoodie.price) == (
        742,
        758,
        "cc-hoodie-red",
        1,
        Decimal(42),
    )
    assert (sunglasses.variation_id, sunglasses.price) == (None, Decimal("45.0"))
    assert (guest.customer_id, guest.email, guest.lines[0].quantity) == (
        None,
        "guest@example.org",
        2,
    )
    assert on_hold.lines[1].sku is None  # an empty SKU is kept as unknown, never guessed


def page(orders) -> list[tuple[str, str]]:
    return [("page.json", json.dumps(orders))]


def an_order() -> dict:
    return json.loads(PAGES[0].read_text())[0]


def problems_of(pages) -> list[str]:
    with pytest.raises(WooCommerceFileError) as caught:
        parse_orders(pages)
    return [str(problem) for problem in caught.value.problems]


def changed(path: str, value):
    order = copy.deepcopy(an_order())
    *parents, last = path.split(".")
    target = order
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return order


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        ("status", "shipped", "[0].status", "Must be one of"),
        ("id", "1021", "[0].id", "Not a valid integer"),
        ("date_created_gmt", "yesterday", "[0].date_created_gmt", "Not a valid datetime"),
        ("line_items", KeyError, "[0].line_items", "Missing data"),
        ("line_items.1.quantity", 0, "[0].line_items[1].quantity", "greater than or equal to 1"),
        ("line_items.1.quantity", 1.5, "[0].line_items[1].quantity", "Not a valid integer"),
        ("line_items.0.price", "a lot", "[0].line_items[0].price", "Not a valid number"),
        ("line_items.0.price", -3, "[0].line_items[0].price", "greater than or equal to 0"),
        ("billing.email", "anna at example", "[0].billing.email", "not an e-mail address"),
        ("customer_id", -1, "[0].customer_id", "greater than or equal to 0"),
    ],
)
def test_bad_orders_are_reported_with_their_position(path, value, where, message):
    (problem,) = problems_of(page([changed(path, value)]))
    assert problem.startswith(f"page.json, {where}: ") and message in problem


def test_bad_pages_are_reported_and_nothing_is_returned():
    good = json.dumps([an_order()])
    problems = problems_of([
        ("1.json", good), ("2.json", "<html>Error</html>"), ("3.json", '{"orders": []}'),
        ("4.json", good), ("5.json", "[42]"),
    ])  # fmt: skip
    assert problems == [
        "2.json, line 1: not JSON: Expecting value",
        "3.json: expected a JSON array of orders (one API page)",
        "4.json, [0].id: order 1021 is also in 1.json",
        "5.json, [0]: not an object",
    ]
