"""A burst of concurrent requests against a small connection pool (issue 10, finding 3).

Before the fix every request held its read connection while the event writer asked the pool
for a second one: enough concurrent requests took every connection and then all waited for
one more, the app froze for the pool timeout (30 s) and answered 500
(``QueuePool limit ... overflow reached``). Now a request never needs two connections and an
exhausted pool answers 503 with ``Retry-After`` within about ``DB_POOL_TIMEOUT``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from shop import create_app
from shop.models import Event

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}
PRODUCT = "/products/velmora-halo-walk"


@pytest.fixture
def small_pool_app(app_config, small_demo):
    """The shop with a pool of 2 connections, no overflow, and a 1 s wait for one; every event
    logged (the per-visitor cap would count these cookie-less requests against one address)."""
    app = create_app({**app_config, "DB_POOL_SIZE": 2, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT": 1,
                      "EVENTS_PER_VISITOR_PER_MINUTE": 0})
    yield app
    app.extensions["database"].engine.dispose()


def _per_thread_checkouts(engine):
    """Track how many pooled connections each thread holds at once (the most seen)."""
    held: Counter = Counter()
    most: Counter = Counter()
    lock = threading.Lock()

    @event.listens_for(engine, "checkout")
    def _out(*_args):
        with lock:
            me = threading.get_ident()
            held[me] += 1
            most[me] = max(most[me], held[me])

    @event.listens_for(engine, "checkin")
    def _in(*_args):
        with lock:
            held[threading.get_ident()] -= 1

    return most


def test_a_request_never_holds_two_pooled_connections(small_pool_app):
    engine = small_pool_app.extensions["database"].engine
    most = _per_thread_checkouts(engine)
    client = small_pool_app.test_client()
    for url in (PRODUCT, "/", "/cart", "/products?q=walk"):
        assert client.get(url, headers=BROWSER).status_code == 200, url
    assert client.post("/api/cart/items", json={"sku": "VM-HW-39-R", "quantity": 1},
                       headers=BROWSER).status_code == 201
    assert most and max(most.values()) == 1, dict(most)
    with small_pool_app.app_context():
        from shop.extensions import db

        kinds = dict(db.session.execute(select(Event.kind, func.count()).group_by(Event.kind)).all())
    assert kinds.get("view") == 1 and kinds.get("search") == 1 and kinds.get("cart") == 1, kinds


def test_sixty_concurrent_requests_on_two_connections_answer_quickly_200_or_503(small_pool_app):
    start_together = threading.Barrier(60)

    def fetch(i: int):
        client = small_pool_app.test_client()
        url = PRODUCT if i % 2 else "/api/cart"
        start_together.wait()
        start = time.perf_counter()
        response = client.get(url, headers=BROWSER)
        return url, response.status_code, response.headers.get("Retry-After"), time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=60) as pool:
        results = list(pool.map(fetch, range(60)))

    statuses = Counter(status for _, status, _, _ in results)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] > 0, statuses
    assert all(int(retry) > 0 for _, status, retry, _ in results if status == 503)
    slowest = max(seconds for *_, seconds in results)
    assert slowest < 5, f"slowest request took {slowest:.1f} s; {statuses}"
    with small_pool_app.app_context():
        from shop.extensions import db

        views = db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "view"))
    served_pages = sum(1 for url, status, _, _ in results if url == PRODUCT and status == 200)
    assert views == served_pages


def test_an_exhausted_pool_is_a_503_problem_with_retry_after(small_pool_app):
    """Both connections taken elsewhere: the API answers 503 within about the pool timeout."""
    engine = small_pool_app.extensions["database"].engine
    held = [engine.connect(), engine.connect()]
    try:
        client = small_pool_app.test_client()
        start = time.perf_counter()
        api = client.get("/api/products")
        page = client.get("/products", headers=BROWSER)
        elapsed = time.perf_counter() - start
    finally:
        for connection in held:
            connection.close()
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert int(api.headers["Retry-After"]) > 0 and "busy" in api.get_json()["detail"]
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    assert elapsed < 5
    assert client.get("/api/products").status_code == 200  # and serves again once freed
