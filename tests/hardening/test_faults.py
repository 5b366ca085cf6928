"""Faults: the database gone for a moment, an import interrupted halfway.

- Database unavailable: pages answer a clear 503 page, the API a 503 problem, both with
  ``Retry-After``; once the database is back the same app serves 200 again (no restart).
- An import that fails midway (an exception in the middle of writing) leaves nothing behind.

(The model file deleted or corrupted while running is covered by the recommendations tests.)
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from discover import snapshot
from sqlalchemy import create_engine

from catalog.articles import import_articles, read_articles
from catalog.demo import DEMO_DIR
from catalog.io import import_catalog, parse_json
from catalog.models import Base
from shop import create_app

PROBLEM_JSON = "application/problem+json"
PAGES = ["/", "/products", "/products/velmora-halo-walk", "/articles"]
API = ["/api/products", "/api/products/velmora-halo-walk", "/api/categories", "/api/articles", "/api/cart"]


def demo_slice(products: int = 6) -> dict:
    data = json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8"))
    data["products"] = data["products"][:products]
    for product in data["products"]:  # the pictures by URL: the slice is written elsewhere
        for image in product["images"]:
            image["path"] = (DEMO_DIR / image["path"]).as_uri()
    return data


@pytest.fixture
def file_app(tmp_path):
    """The shop on a SQLite file of its own in a folder the test can take away."""
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'shop.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "faults", "DATABASE_URL": url, "MODEL_DIR": str(tmp_path / "models"),
                      "WTF_CSRF_ENABLED": True})
    from shop.extensions import db

    with app.app_context():
        import_catalog(db.session, parse_json(json.dumps(demo_slice())))
        import_articles(db.session, read_articles(DEMO_DIR / "articles")[:2])
    app.config["DATA_FOLDER"] = folder
    yield app
    app.extensions["database"].engine.dispose()


def content_type(response) -> str:
    return (response.content_type or "").split(";")[0]


def assert_unavailable_page(response, url: str) -> None:
    assert response.status_code == 503, (url, response.status_code)
    assert content_type(response) == "text/html", url
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "unavailable" in html and "try again" in html, url
    assert "Traceback" not in html and "OperationalError" not in html and "sqlite" not in html.lower()


def assert_unavailable_problem(response, url: str) -> None:
    assert response.status_code == 503, (url, response.status_code)
    assert content_type(response) == PROBLEM_JSON, url
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["status"] == 503 and "unavailable" in body["detail"], body
    assert "sqlite" not in response.get_data(as_text=True).lower()


def assert_serving(client) -> None:
    for url in PAGES + API:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_database_folder_gone_for_a_moment_is_a_503_then_the_shop_recovers(file_app):
    """A real outage: the database file's folder disappears (a lost mount), then comes back."""
    client = file_app.test_client()
    assert client.post("/api/cart/items", json={"sku": "VM-HW-39-R", "quantity": 1}).status_code == 201
    assert_serving(client)

    folder = file_app.config["DATA_FOLDER"]
    hidden = folder.with_name("data-away")
    file_app.extensions["database"].engine.dispose()  # pooled connections would keep the old file open
    shutil.move(folder, hidden)
    try:
        for url in PAGES:
            assert_unavailable_page(client.get(url), url)
        for url in API:
            assert_unavailable_problem(client.get(url), url)
        assert_unavailable_problem(client.post("/api/cart/items", json={"sku": "VM-HW-39-R", "quantity": 1}),
                                   "POST /api/cart/items")
    finally:
        file_app.extensions["database"].engine.dispose()
        shutil.move(hidden, folder)

    assert_serving(client)  # the same app, no restart
    assert client.get("/api/cart").get_json()["item_count"] == 1  # and nothing was lost


def test_the_cart_page_is_a_503_not_an_empty_cart_while_the_database_is_away(file_app):
    client = file_app.test_client()
    assert client.post("/api/cart/items", json={"sku": "VM-HW-39-R", "quantity": 1}).status_code == 201
    folder = file_app.config["DATA_FOLDER"]
    hidden = folder.with_name("data-away")
    file_app.extensions["database"].engine.dispose()
    shutil.move(folder, hidden)
    try:
        response = client.get("/cart")
    finally:
        file_app.extensions["database"].engine.dispose()
        shutil.move(hidden, folder)
    assert_unavailable_page(response, "/cart")


def test_a_database_that_refuses_connections_for_one_request_is_a_503(file_app, monkeypatch):
    """The connection attempt itself fails (server restarting): 503 once, then normal service."""
    engine = file_app.extensions["database"].engine
    engine.dispose()
    real_connect = engine.dialect.connect
    failures = {"left": 1}

    def flaky_connect(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(engine.dialect, "connect", flaky_connect)
    client = file_app.test_client()
    assert_unavailable_page(client.get("/products"), "/products")
    assert client.get("/products").status_code == 200

    failures["left"] = 1
    engine.dispose()
    assert_unavailable_problem(client.get("/api/products"), "/api/products")
    assert client.get("/api/products").status_code == 200


def test_a_database_lost_in_the_middle_of_a_request_is_a_503(file_app, monkeypatch):
    """The query fails after the connection was made (a dropped connection): 503, then service."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    engine = file_app.extensions["database"].engine
    failures = {"left": 0}

    def drop(conn, cursor, statement, parameters, context, executemany):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError(statement, parameters, sqlite3.OperationalError("disk I/O error"))

    event.listen(engine, "before_cursor_execute", drop)
    try:
        client = file_app.test_client()
        for url, check in (("/products/velmora-halo-walk", assert_unavailable_page),
                           ("/api/products/velmora-halo-walk", assert_unavailable_problem)):
            failures["left"] = 1
            check(client.get(url), url)
            assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", drop)


# --------------------------------------------------------------------------- interrupted imports

class Interrupted(Exception):
    """Stands for a crash halfway through an import (killed worker, full disk, ...)."""


def interrupt_after(monkeypatch, module, name: str, calls: int) -> dict:
    """Make ``module.name`` raise on its ``calls``-th call, after the earlier ones did their writes."""
    real = getattr(module, name)
    seen = {"calls": 0}

    def wrapper(*args, **kwargs):
        seen["calls"] += 1
        if seen["calls"] == calls:
            raise Interrupted(f"{name} interrupted at call {calls}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return seen


@pytest.mark.parametrize("step", ["_apply_product", "_apply_variants"])
def test_a_catalog_import_interrupted_midway_writes_nothing(app, session, monkeypatch, step):
    import catalog.io

    import_catalog(session, parse_json(json.dumps(demo_slice(3))))  # what was there before
    before = snapshot(app.config["DATABASE_URL"])
    data = demo_slice(12)
    for product in data["products"]:
        product["price"] = "1.00"  # changes to existing products, and new ones
    seen = interrupt_after(monkeypatch, catalog.io, step, calls=8)
    with pytest.raises(Interrupted):
        import_catalog(session, parse_json(json.dumps(data)))
    assert seen["calls"] == 8
    assert snapshot(app.config["DATABASE_URL"]) == before
    monkeypatch.undo()
    session.expire_all()
    import_catalog(session, parse_json(json.dumps(data)))  # and the session is usable afterwards
    assert snapshot(app.config["DATABASE_URL"]) != before


def test_a_catalog_import_whose_commit_fails_writes_nothing(app, session, monkeypatch):
    from sqlalchemy.exc import OperationalError

    before = snapshot(app.config["DATABASE_URL"])
    real_flush = session.flush
    calls = {"n": 0}

    def failing_flush(*args, **kwargs):
        calls["n"] += 1
        real_flush(*args, **kwargs)  # the rows reach the database inside the transaction...
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))  # ...then it fails

    monkeypatch.setattr(session, "flush", failing_flush)
    with pytest.raises(OperationalError):
        import_catalog(session, parse_json(json.dumps(demo_slice(8))))
    assert calls["n"] >= 1
    monkeypatch.undo()
    assert snapshot(app.config["DATABASE_URL"]) == before


def test_an_article_import_interrupted_midway_writes_nothing(app, session, monkeypatch):
    import catalog.articles

    articles = read_articles(DEMO_DIR / "articles")
    import_articles(session, articles[:1])
    before = snapshot(app.config["DATABASE_URL"])
    changed = [{**article, "title": article["title"] + " (revised)"} for article in articles]
    real = catalog.articles.ArticleTopic
    made = {"n": 0}

    def topic(*args, **kwargs):
        made["n"] += 1
        if made["n"] == 10:
            raise Interrupted("article import interrupted")
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog.articles, "ArticleTopic", topic)
    with pytest.raises(Interrupted):
        import_articles(session, changed)
    assert snapshot(app.config["DATABASE_URL"]) == before


def test_the_import_command_interrupted_midway_writes_nothing(app, runner, tmp_path, monkeypatch):
    import catalog.io

    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(demo_slice(10)), encoding="utf-8")
    before = snapshot(app.config["DATABASE_URL"])
    interrupt_after(monkeypatch, catalog.io, "_apply_variants", calls=5)
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code != 0
    assert snapshot(app.config["DATABASE_URL"]) == before
    monkeypatch.undo()
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert snapshot(app.config["DATABASE_URL"]) != before
