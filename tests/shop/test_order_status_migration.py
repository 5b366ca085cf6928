"""Migration 0015: orders stored as "placed" become "pending", or "paid" when their payment was."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from shop.migrate import upgrade


def test_placed_orders_become_pending_or_paid(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0015_order_workflow-1")  # the schema just before this migration
    with engine.begin() as connection:
        for number, payment in (("BC-OLD-1", "pending"), ("BC-OLD-2", "paid")):
            connection.execute(text(
                "INSERT INTO orders (number, name, email, address, delivery, subtotal, shipping, discount, "
                "total, status, payment_status, created_at) VALUES (:number, 'Ann', 'ann@example.com', '{}', "
                "'standard', 10, 0, 0, 10, 'placed', :payment, '2026-01-01 10:00:00')"),
                {"number": number, "payment": payment})
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT number, status, refunded FROM orders ORDER BY number")).all()
    assert [(number, status) for number, status, _ in rows] == [("BC-OLD-1", "pending"), ("BC-OLD-2", "paid")]
    assert all(float(refunded) == 0 for _n, _s, refunded in rows)
