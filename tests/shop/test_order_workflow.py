"""The order workflow as rules: pending → paid → shipped → delivered, or cancelled with the stock back.

Called as plain functions over a session (no HTTP), the way the back office pages and API use them.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from ordering import order_id, place
from shopping import HALO, HALO_40, seed_tiny_catalog, stock_of
from sqlalchemy import select

from shop.admin.models import AuditEntry
from shop.models import Order, Refund
from shop.orders import fulfilment
from shop.orders.statuses import OrderStatus, initial_status
from shop.orders.workflow import TRANSITIONS, IllegalTransition, available, transition


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def test_the_transition_table_is_the_documented_workflow():
    table = {step.action.value: (sorted(step.sources), step.target.value) for step in TRANSITIONS.values()}
    assert table == {
        "pay": (["pending"], "paid"),
        "ship": (["paid"], "shipped"),
        "deliver": (["shipped"], "delivered"),
        "cancel": (["paid", "pending"], "cancelled"),
    }
    assert [step.action for step in available("pending")] == ["pay", "cancel"]
    assert available("delivered") == [] and available("cancelled") == []


@pytest.mark.parametrize(("status", "action"), [
    ("pending", "ship"), ("pending", "deliver"), ("paid", "pay"), ("shipped", "cancel"),
    ("delivered", "cancel"), ("cancelled", "pay"), ("cancelled", "cancel"),
])
def test_illegal_transitions_say_what_the_order_is(status, action):
    with pytest.raises(IllegalTransition, match=f"This order is {status}"):
        transition(status, action)


def test_an_unknown_action_is_refused_by_name():
    with pytest.raises(IllegalTransition, match="no action 'teleport'"):
        transition("pending", "teleport")


def test_checkout_starts_an_order_pending_and_paid_only_when_the_payment_is():
    assert initial_status("pending") is OrderStatus.PENDING
    assert initial_status("paid") is OrderStatus.PAID


def test_an_order_goes_the_whole_way_and_each_step_is_audited(app, client, stocked):
    number = place(client, HALO)["number"]
    oid = order_id(stocked, number)
    assert fulfilment.apply(stocked, None, oid, "pay").payment_status == "paid"
    with app.test_request_context():  # the shipping e-mail links to the order page
        shipped = fulfilment.apply(stocked, None, oid, "ship", carrier="royal mail",
                                   tracking_number="AB123456789GB")
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == ("shipped", "Royal Mail", "AB123456789GB")
    assert shipped.shipped_at is not None
    delivered = fulfilment.apply(stocked, None, oid, "deliver")
    assert delivered.status == "delivered" and delivered.delivered_at >= delivered.shipped_at
    actions = stocked.scalars(select(AuditEntry.action).where(AuditEntry.entity == "order",
                                                              AuditEntry.entity_id == str(oid))
                              .order_by(AuditEntry.id)).all()
    assert actions == ["order.pay", "order.ship", "order.deliver"]


def test_cancelling_puts_the_stock_back_once(client, stocked):
    number = place(client, HALO, 2)["number"]
    assert stock_of(stocked, HALO) == 3
    oid = order_id(stocked, number)
    cancelled = fulfilment.apply(stocked, None, oid, "cancel")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert stock_of(stocked, HALO) == 5
    with pytest.raises(IllegalTransition, match="This order is cancelled"):
        fulfilment.apply(stocked, None, oid, "cancel")
    assert stock_of(stocked, HALO) == 5


def test_a_shipped_order_cannot_be_cancelled_and_keeps_its_stock_taken(app, client, stocked):
    oid = order_id(stocked, place(client, HALO)["number"])
    fulfilment.apply(stocked, None, oid, "pay")
    with app.test_request_context():
        fulfilment.apply(stocked, None, oid, "ship", carrier="DPD", tracking_number="1234 5678")
    with pytest.raises(IllegalTransition):
        fulfilment.apply(stocked, None, oid, "cancel")
    assert stock_of(stocked, HALO) == 4


def test_two_cancels_at_once_restock_once(app, client, stocked):
    """Two threads, each with its own session, cancel the same order: one wins, one is told."""
    from shop.extensions import db

    oid = order_id(stocked, place(client, HALO_40, 3)["number"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def cancel():
        with app.app_context():
            barrier.wait()
            try:
                fulfilment.apply(db.session, None, oid, "cancel")
                outcomes.append("cancelled")
            except IllegalTransition:
                outcomes.append("refused")

    threads = [threading.Thread(target=cancel) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["cancelled", "refused"]
    assert stock_of(stocked, HALO_40) == 5


def test_refunds_are_capped_by_what_is_left(client, stocked):
    order = place(client, HALO)
    oid = order_id(stocked, order["number"])
    total = Decimal(order["total"])
    with pytest.raises(fulfilment.RefundRefused, match="only a paid order"):
        fulfilment.refund(stocked, None, oid, Decimal("1.00"), "goodwill")
    fulfilment.apply(stocked, None, oid, "pay")
    first = fulfilment.refund(stocked, None, oid, Decimal("10.00"), "scuffed box")
    assert first.amount == Decimal("10.00") and first.staff_email == "command line"
    with pytest.raises(fulfilment.RefundTooLarge, match=f"£{total - 10}"):
        fulfilment.refund(stocked, None, oid, total, "too much")
    fulfilment.refund(stocked, None, oid, total - Decimal("10.00"), "returned")
    saved = stocked.get(Order, oid)
    stocked.refresh(saved)
    assert saved.refunded == total and saved.payment_status == "refunded"
    with pytest.raises(fulfilment.RefundRefused, match="refunded in full"):
        fulfilment.refund(stocked, None, oid, Decimal("0.01"), "again")
    assert len(stocked.scalars(select(Refund).where(Refund.order_id == oid)).all()) == 2


def test_a_missing_order_is_not_found(stocked):
    with pytest.raises(fulfilment.OrderNotFound):
        fulfilment.apply(stocked, None, 999, "pay")
