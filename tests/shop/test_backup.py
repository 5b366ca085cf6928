"""``shop db backup`` and ``shop db restore`` (issue 10, finding 10).

A live SQLite shop is backed up while threads keep checking out; the backup restored into a
fresh instance holds a consistent moment: every order with all its lines, exactly as the live
shop has it, and stock that is the opening stock less what those orders took.
"""

from __future__ import annotations

import stat
import threading
import time

import pytest
from shopping import DRIFT, HALO, INSOLE, seed_tiny_catalog
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from catalog.models import Variant
from shop import create_app
from shop.models import Order, OrderLine

pytestmark = pytest.mark.sqlite_only
STOCK = 10_000
CHECKOUT = {"name": "Ann Example", "email": "ann@example.com", "delivery": "standard",
            "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"}}


def make_app(tmp_path, name: str):
    folder = tmp_path / name
    app = create_app({"TESTING": True, "SECRET_KEY": "backup", "WTF_CSRF_ENABLED": False,
                      "DATABASE_URL": f"sqlite:///{folder / 'shop.db'}", "MODEL_DIR": str(folder / "models")})
    return app


@pytest.fixture
def live(tmp_path):
    from shop.extensions import db
    from shop.migrate import upgrade

    (tmp_path / "live").mkdir()
    app = make_app(tmp_path, "live")
    with app.app_context():
        upgrade(db.engine)
        seed_tiny_catalog(db.session, stock=STOCK)
    yield app
    app.extensions["database"].engine.dispose()


def shopper(app, stop: threading.Event, errors: list) -> None:
    client = app.test_client()
    lines = [(HALO, 1), (DRIFT, 2), (INSOLE, 3)]
    while not stop.is_set():
        for sku, quantity in lines:
            client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})
        response = client.post("/api/checkout", json=CHECKOUT)
        if response.status_code != 201:
            errors.append((response.status_code, response.get_data(as_text=True)[:200]))


def orders_of(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(select(Order.number, OrderLine.sku, OrderLine.quantity, OrderLine.line_total)
                                   .join(OrderLine).order_by(Order.number, OrderLine.sku)).all()
            stock = dict(session.execute(select(Variant.sku, Variant.stock)).all())
            count = session.scalar(select(func.count(Order.id)))
    finally:
        engine.dispose()
    orders: dict[str, list[tuple]] = {}
    for number, sku, quantity, total in rows:
        orders.setdefault(number, []).append((sku, quantity, total))
    assert len(orders) == count  # no order without lines
    return orders, stock


def test_a_live_shop_backed_up_during_checkouts_restores_every_order(live, tmp_path):
    stop, errors = threading.Event(), []
    threads = [threading.Thread(target=shopper, args=(live, stop, errors)) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)  # orders are being placed ...
        backup = tmp_path / "backups" / "shop-backup.db"
        result = live.test_cli_runner().invoke(args=["db", "backup", str(backup)])  # ... and now
        assert result.exit_code == 0, result.output
        time.sleep(0.5)  # and still are
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors[:3]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    (tmp_path / "fresh").mkdir()
    fresh = make_app(tmp_path, "fresh")
    try:
        result = fresh.test_cli_runner().invoke(args=["db", "restore", str(backup)])
        assert result.exit_code == 0, result.output
        restored, stock = orders_of(fresh.config["DATABASE_URL"])
    finally:
        fresh.extensions["database"].engine.dispose()
    live_orders, _live_stock = orders_of(live.config["DATABASE_URL"])
    assert 0 < len(restored) < len(live_orders)  # the backup caught a moment mid-stream
    assert {number: live_orders[number] for number in restored} == restored  # every line intact
    sold = {sku: 0 for sku in stock}
    for lines in restored.values():
        for sku, quantity, _total in lines:
            sold[sku] += quantity
    for sku in (HALO, DRIFT, INSOLE):
        assert stock[sku] == STOCK - sold[sku], sku  # stock and orders from the same moment


def test_restore_refuses_a_file_that_is_not_a_shop_backup(tmp_path):
    (tmp_path / "fresh").mkdir()
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    fresh = make_app(tmp_path, "fresh")
    try:
        result = fresh.test_cli_runner().invoke(args=["db", "restore", str(junk)])
    finally:
        fresh.extensions["database"].engine.dispose()
    assert result.exit_code == 1
    assert "not a shop database backup" in result.output


def test_restore_will_not_overwrite_a_shop_with_orders_unless_forced(live, tmp_path):
    backup = tmp_path / "b.db"
    runner = live.test_cli_runner()
    assert runner.invoke(args=["db", "backup", str(backup)]).exit_code == 0
    client = live.test_client()
    client.post("/api/cart/items", json={"sku": HALO, "quantity": 1})
    assert client.post("/api/checkout", json=CHECKOUT).status_code == 201
    refused = runner.invoke(args=["db", "restore", str(backup)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert runner.invoke(args=["db", "restore", "--force", str(backup)]).exit_code == 0
    assert orders_of(live.config["DATABASE_URL"])[0] == {}


def test_postgres_tools_get_the_password_in_the_environment_not_the_command_line():
    from shop.backup import pg_command

    argv, env = pg_command("pg_dump", "postgresql+psycopg://shop:s3cret@db.example:5433/shop",
                           ["--format=custom", "--file", "out.dump"])
    assert "s3cret" not in " ".join(argv)
    assert argv[0] == "pg_dump" and "--format=custom" in argv
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"]) == \
        ("db.example", "5433", "shop", "s3cret", "shop")
