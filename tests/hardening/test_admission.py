"""Admission control (issue 10, item 3): a busy worker answers 503 + Retry-After at once
instead of queueing, and the requests it let in still complete."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event
from werkzeug.test import Client

from shop import create_app
from shop.admission import AdmissionLimit

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "Accept": "text/html"}


class GatedApp:
    """A WSGI app whose requests stay inside until ``gate`` opens; counts who got in."""

    def __init__(self):
        self.gate = threading.Event()
        self.inside = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.inside += 1
        self.gate.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"served"]


def _wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_over_the_limit_a_request_is_a_503_with_retry_after_at_once_and_the_admitted_complete():
    inner = GatedApp()
    limited = AdmissionLimit(inner, in_flight=2, waiting=1, wait_seconds=2.0,
                             headers={"X-Frame-Options": "DENY"})
    client = Client(limited)
    with ThreadPoolExecutor(max_workers=3) as pool:
        admitted = [pool.submit(client.get, f"/products/{i}") for i in range(2)]
        _wait_until(lambda: inner.inside == 2)
        waiting = pool.submit(client.get, "/products/waiting")  # takes the one waiting place
        _wait_until(lambda: limited._queued == 1)

        began = time.perf_counter()
        page = client.get("/products/over", headers=BROWSER)
        api = client.post("/api/cart/items", json={"sku": "X", "quantity": 1})
        elapsed = time.perf_counter() - began

        assert elapsed < 0.5, f"shedding took {elapsed:.2f} s"
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert int(page.headers["Retry-After"]) > 0 and "busy" in page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Frame-Options"] == "DENY"
        assert api.status_code == 503 and api.mimetype == "application/problem+json"
        assert api.get_json()["status"] == 503 and int(api.headers["Retry-After"]) > 0
        assert inner.inside == 2 and limited.shed == 2

        inner.gate.set()
        assert [f.result(5).status_code for f in admitted] == [200, 200]
        assert waiting.result(5).status_code == 200  # it got the slot a finished request freed
    assert client.get("/products/later").status_code == 200  # every slot was given back


def test_a_waiting_request_gets_a_503_after_the_wait_not_later():
    inner = GatedApp()
    limited = AdmissionLimit(inner, in_flight=1, waiting=1, wait_seconds=0.2)
    client = Client(limited)
    with ThreadPoolExecutor(max_workers=1) as pool:
        admitted = pool.submit(client.get, "/")
        _wait_until(lambda: inner.inside == 1)
        began = time.perf_counter()
        response = client.get("/", headers=BROWSER)
        elapsed = time.perf_counter() - began
        inner.gate.set()
        assert admitted.result(5).status_code == 200
    assert response.status_code == 503 and 0.15 < elapsed < 1.5


def test_an_app_error_gives_the_slot_back():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    limited = AdmissionLimit(broken, in_flight=1, waiting=0, wait_seconds=0)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            Client(limited).get("/")
    assert limited._slots.acquire(blocking=False)


@pytest.fixture
def limited_shop(app_config, small_demo):
    """The shop with one request slot and no waiting room; ``/test-hold`` keeps its slot until
    the returned event is set (a stand-in for a slow page)."""
    app = create_app({**app_config, "MAX_REQUESTS_IN_FLIGHT": 1, "MAX_REQUESTS_WAITING": 0})
    release = threading.Event()
    app.add_url_rule("/test-hold", "test_hold", lambda: "held" if release.wait(10) else "timeout")
    yield app, release
    release.set()
    app.extensions["database"].engine.dispose()


def test_the_shop_sheds_without_touching_the_database_and_serves_static_files(limited_shop):
    app, release = limited_shop
    assert isinstance(app.wsgi_app, AdmissionLimit)
    engine = app.extensions["database"].engine
    queries = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(app.test_client().get, "/test-hold")
        _wait_until(lambda: app.wsgi_app._slots._value == 0)
        event.listen(engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
        client = app.test_client()
        page = client.get("/products/velmora-halo-walk", headers=BROWSER)
        api = client.get("/api/products")
        css = client.get("/static/css/shop.css")
        release.set()
        assert held.result(10).get_data(as_text=True) == "held"
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert css.status_code == 200  # static files bypass the limit
    assert queries == [], queries
    assert client.get("/products/velmora-halo-walk", headers=BROWSER).status_code == 200


def test_under_testing_the_limit_is_off_unless_asked(app):
    assert app.config["MAX_REQUESTS_IN_FLIGHT"] == 0
    assert not isinstance(app.wsgi_app, AdmissionLimit)
