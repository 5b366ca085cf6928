"""Many shoppers racing for the last units: no overselling, one order per unit sold, clear refusals.

Every racer has a cart prepared beforehand; they all wait at a barrier and then check out at the
same moment through the real HTTP stack (threads), or from separate processes each with its own
app and connection pool (multiprocessing). Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from collections import Counter

import pytest
from shopping import DRIFT, HALO, seed_tiny_catalog, set_stock, stock_of
from sqlalchemy import func, select

from shop.cart import service as carts
from shop.cart.service import Owner
from shop.models import CartItem, Order, OrderLine

BODY = {
    "name": "Racer", "email": "racer@example.com", "delivery": "standard",
    "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH",
                "country": "GB"},
}  # fmt: skip
TIMEOUT = 120
PRELOAD = {"shop", "catalog", "recommender", "test_concurrency", "shopping"}


def prepare(session, racers: int, lines: list[tuple[str, int]]) -> list[str]:
    """One cart per racer; returns their visitor ids."""
    visitors = [f"racer-{i:03d}" for i in range(racers)]
    for i, visitor in enumerate(visitors):
        ordered = lines if i % 2 == 0 else lines[::-1]  # half add the lines the other way round
        for sku, quantity in ordered:
            carts.add_item(session, Owner(visitor_id=visitor), sku, quantity)
    return visitors


def client_for(app, visitor: str):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["visitor_id"] = visitor
    return client


def race_threads(app, visitors: list[str], headers=None) -> list[tuple[int, dict]]:
    clients = [client_for(app, visitor) for visitor in visitors]
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i, client):
        barrier.wait(timeout=TIMEOUT)
        response = client.post("/api/checkout", json=BODY, headers=headers or {})
        results[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert all(result is not None for result in results), "a racer did not finish"
    return results


def totals(session) -> tuple[int, int]:
    """(orders, units in order lines)."""
    session.expire_all()
    orders = session.scalar(select(func.count(Order.id)))
    units = session.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0)))
    return orders, units


def report(label: str, results, started: float) -> None:
    codes = Counter(status for status, _ in results)
    print(
        f"\n{label}: {len(results)} racers in {time.perf_counter() - started:.2f}s -> {dict(codes)}"
    )


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


# ---------------------------------------------------------------- threads


@pytest.mark.parametrize(("racers", "units", "each"), [(16, 5, 1), (12, 5, 2), (8, 1, 1)])
def test_threads_racing_for_the_last_units_never_oversell(app, stocked, racers, units, each):
    set_stock(stocked, HALO, units)
    visitors = prepare(stocked, racers, [(HALO, each)])
    started = time.perf_counter()
    results = race_threads(app, visitors)
    report(f"threads racers={racers} units={units} each={each}", results, started)

    winners = [body for status, body in results if status == 201]
    losers = [body for status, body in results if status != 201]
    assert len(winners) == units // each
    assert all(status in (201, 409) for status, _ in results), Counter(s for s, _ in results)
    assert all("sold out" in body["detail"] or "left" in body["detail"] for body in losers)
    assert stock_of(stocked, HALO) == units - len(winners) * each >= 0
    assert totals(stocked) == (len(winners), len(winners) * each)
    # the losers' carts are untouched; the winners' are empty
    stocked.expire_all()
    assert stocked.scalar(select(func.count(CartItem.id))) == len(losers)


def test_the_loser_is_told_what_sold_out(app, stocked):
    set_stock(stocked, HALO, 1)
    results = race_threads(app, prepare(stocked, 6, [(HALO, 1)]))
    details = {body["detail"] for status, body in results if status == 409}
    assert details <= {
        "Halo Walk, EU 39 (UK 5.5 / US 6.5), regular is sold out; please remove it.",
        (
            "Sorry, someone else was quicker: Halo Walk, EU 39 (UK 5.5 / US 6.5), regular has just "
            "sold out. No order was placed; please review your cart."
        ),
    }
    assert len(details) >= 1


def test_two_variant_carts_in_opposite_orders_do_not_deadlock(app, stocked):
    """Half the carts hold Halo then Drift, half Drift then Halo: stock is taken in id order."""
    set_stock(stocked, HALO, 4)
    set_stock(stocked, DRIFT, 4)
    visitors = prepare(stocked, 12, [(HALO, 1), (DRIFT, 1)])
    started = time.perf_counter()
    results = race_threads(app, visitors)
    report("threads two-variant carts", results, started)
    assert Counter(status for status, _ in results) == {201: 4, 409: 8}
    assert (stock_of(stocked, HALO), stock_of(stocked, DRIFT)) == (0, 0)
    assert totals(stocked) == (4, 8)


def test_a_double_submit_racing_itself_places_one_order(app, stocked):
    """The same shopper's two tabs (same cart, same key) hit the button at once."""
    [visitor] = prepare(stocked, 1, [(HALO, 2)])
    results = race_threads(app, [visitor] * 6, headers={"Idempotency-Key": "one-click"})
    numbers = {body["number"] for status, body in results if status in (200, 201)}
    assert len(numbers) == 1
    assert sorted(status for status, _ in results) == [200] * 5 + [201]
    assert stock_of(stocked, HALO) == 3 and totals(stocked) == (1, 2)


def test_the_same_cart_checked_out_twice_without_a_key_sells_it_once(app, stocked):
    [visitor] = prepare(stocked, 1, [(HALO, 2)])
    results = race_threads(app, [visitor] * 6)
    assert Counter(status for status, _ in results) == {201: 1, 409: 5}
    assert stock_of(stocked, HALO) == 3 and totals(stocked) == (1, 2)


# ---------------------------------------------------------------- processes


def _checkout_in_a_process(config: dict, visitor: str, barrier, results) -> None:
    """A separate process: its own app, engine and pool, like another gunicorn worker."""
    from shop import create_app

    app = create_app(config)
    try:
        client = client_for(app, visitor)
        client.get("/api/cart")  # warm up: connect before the race
        barrier.wait(timeout=TIMEOUT)
        response = client.post("/api/checkout", json=BODY)
        results.put((visitor, response.status_code, response.get_json()))
    except Exception as exc:  # report, never hang the parent
        results.put((visitor, 0, {"detail": repr(exc)}))
    finally:
        app.extensions["database"].engine.dispose()


@pytest.mark.slow
def test_processes_racing_for_the_last_units_never_oversell(app, app_config, stocked):
    racers, units = 8, 3
    set_stock(stocked, HALO, units)
    visitors = prepare(stocked, racers, [(HALO, 1)])
    # a fork server that imported the shop once (every module this test process has loaded): each
    # racer starts fast, yet inherits no engine, connection or thread from this process
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        sorted(
            name for name in sys.modules if name.partition(".")[0] in PRELOAD and "__" not in name
        )
    )
    barrier, queue = context.Barrier(racers), context.Queue()
    processes = [
        context.Process(target=_checkout_in_a_process, args=(app_config, v, barrier, queue))
        for v in visitors
    ]
    started = time.perf_counter()  # includes each process importing and building its app
    for process in processes:
        process.start()
    results = [queue.get(timeout=TIMEOUT) for _ in processes]
    for process in processes:
        process.join(TIMEOUT)
    report(f"processes racers={racers} units={units}", [(s, b) for _, s, b in results], started)

    codes = Counter(status for _, status, _ in results)
    assert codes == {201: units, 409: racers - units}, results
    assert stock_of(stocked, HALO) == 0
    assert totals(stocked) == (units, units)


# ---------------------------------------------------------------- racing cart updates


def test_racing_adds_to_one_new_cart_lose_no_line(app, stocked):
    """One shopper, several tabs adding different things at once: one cart, every line kept."""
    skus = [HALO, DRIFT, "VM-HW-40-R", "BC-IN-ONE"] * 2  # each twice: quantities must add up
    clients = [client_for(app, "tabs-shopper") for _ in skus]
    barrier = threading.Barrier(len(clients))
    statuses: list = [None] * len(clients)

    def run(i, client):
        barrier.wait(timeout=TIMEOUT)
        statuses[i] = client.post("/api/cart/items", json={"sku": skus[i], "quantity": 1}).status_code

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert all(status in (200, 201) for status in statuses), statuses
    cart = client_for(app, "tabs-shopper").get("/api/cart").get_json()
    assert {line["sku"]: line["quantity"] for line in cart["items"]} == {sku: 2 for sku in set(skus)}
    stocked.expire_all()
    assert stocked.scalar(select(func.count(func.distinct(CartItem.cart_id)))) == 1
