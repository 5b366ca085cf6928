"""What the shop gives away without being asked (issue 10, finding 8).

- No ``Server`` header naming the server software or the Python version (development server
  and gunicorn; the gunicorn case is in tests/hardening/test_serving.py).
- The instance folder is 0700; the database (with its WAL and shared-memory files) and the
  secret key are 0600, also when they existed before with looser modes.
- Personal pages and APIs are ``Cache-Control: no-store``.
"""

from __future__ import annotations

import stat
import threading
import urllib.request

import pytest

from shop import create_app

PASSWORD = "correct horse battery staple"
SKU = "VM-HW-39-R"
CHECKOUT = {"name": "Ann Example", "email": "ann@example.com", "delivery": "standard",
            "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"}}


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- Server header

def test_the_development_server_names_no_software_or_version(app, small_demo):
    from werkzeug.serving import make_server

    from shop.serve import QuietRequestHandler

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/api/categories", timeout=10) as response:
            header = response.headers.get("Server", "")
            assert response.status == 200
    finally:
        server.shutdown()
    assert "werkzeug" not in header.lower() and "python" not in header.lower(), header


# --------------------------------------------------------------------------- files

@pytest.mark.sqlite_only
def test_the_instance_folder_database_wal_and_key_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    (instance / "shop.db").touch()
    (instance / "shop.db").chmod(0o644)  # an existing, world-readable database
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"MODEL_DIR": str(tmp_path / "models")})
    try:
        from shop.extensions import db
        from shop.migrate import upgrade

        with app.app_context():
            upgrade(db.engine)
            client = app.test_client()
            client.put("/api/profile", json={"arch": "flat"})  # a write: the WAL exists now
            assert (instance / "shop.db-wal").exists()
            files = ["shop.db", "shop.db-wal", "shop.db-shm", "secret_key"]
            assert {name: oct(mode(instance / name)) for name in files} == {name: "0o600" for name in files}
            assert oct(mode(instance)) == "0o700"
    finally:
        app.extensions["database"].engine.dispose()


@pytest.mark.sqlite_only
def test_a_new_database_is_created_private(tmp_path, monkeypatch):
    instance = tmp_path / "fresh"
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x", "MODEL_DIR": str(tmp_path / "models")})
    try:
        from shop.extensions import db
        from shop.migrate import upgrade

        with app.app_context():
            upgrade(db.engine)
        assert oct(mode(instance / "shop.db")) == "0o600"
        assert oct(mode(instance)) == "0o700"
    finally:
        app.extensions["database"].engine.dispose()


# --------------------------------------------------------------------------- caching

PERSONAL = ["/account", "/account/login", "/orders", "/checkout", "/cart", "/profile",
            "/api/orders", "/api/profile", "/api/account", "/api/cart"]


def test_personal_pages_and_apis_are_never_stored(app, small_demo):
    client = app.test_client()
    client.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD})
    client.post("/api/cart/items", json={"sku": SKU, "quantity": 1})
    number = client.post("/api/checkout", json=CHECKOUT).get_json()["number"]
    for url in PERSONAL + [f"/orders/{number}", f"/api/orders/{number}"]:
        response = client.get(url)
        assert "no-store" in response.headers.get("Cache-Control", ""), (url, response.status_code)


def test_public_pages_may_still_be_cached(app, small_demo):
    assert "no-store" not in app.test_client().get("/api/categories").headers.get("Cache-Control", "")
