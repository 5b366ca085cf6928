"""Moving an order along its workflow, and refunds: each a short transaction with its audit entry.

The rules (plain functions over a session, no request objects):

- a transition is one conditional ``UPDATE orders SET status = :to ... WHERE id = :id AND status
  IN (:from)`` (the sources in ``workflow.TRANSITIONS``) with a row-count check, so of two staff
  members cancelling (or shipping) the same order at once exactly one wins; the other gets
  :class:`~shop.orders.workflow.IllegalTransition` naming the status the order is in now;
- cancelling puts every line's quantity back on its variant in the same transaction, so the
  stock comes back exactly once, with the cancellation;
- shipping queues the shipping e-mail in the outbox in the same transaction;
- a refund is capped by ``UPDATE orders SET refunded = refunded + :a WHERE refunded + :a <= total``:
  racing refunds cannot give back more than was paid;
- each change writes its ``shop.admin.audit`` entry in the same transaction (the order's status
  history is its audit entries).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session, selectinload

from catalog.models import Variant

from ..admin import audit
from ..models import Order, Refund, User, utcnow
from .carriers import canonical
from .service import CENT, _begin_write
from .statuses import PaymentStatus
from .workflow import Action, IllegalTransition, refundable, transition

__all__ = ["IllegalTransition", "OrderNotFound", "RefundRefused", "RefundTooLarge", "apply", "refund"]


class OrderNotFound(LookupError):
    pass


class RefundRefused(Exception):
    """This order cannot be refunded now (not paid, or nothing left); ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RefundTooLarge(RefundRefused):
    """The amount is more than what is left to refund."""


def _snapshot(order: Order) -> dict:
    return {"status": order.status, "payment_status": order.payment_status,
            "carrier": order.carrier, "tracking_number": order.tracking_number}


def _locked_order(session: Session, order_id: int) -> Order:
    _begin_write(session)
    order = session.scalar(select(Order).where(Order.id == order_id)
                           .options(selectinload(Order.lines))
                           .execution_options(populate_existing=True))
    if order is None:
        session.rollback()
        raise OrderNotFound(f"There is no order {order_id}.")
    return order


def apply(session: Session, actor: User | None, order_id: int, action: str, *,
          carrier: str | None = None, tracking_number: str | None = None) -> Order:
    """Take ``action`` (pay, ship, deliver, cancel) on the order and commit, or raise, writing nothing.

    Shipping needs ``carrier`` and ``tracking_number`` (the caller validated their form).
    """
    order = _locked_order(session, order_id)
    try:
        step = transition(order.status, action)
    except IllegalTransition:
        session.rollback()
        raise
    before = _snapshot(order)
    now = utcnow()
    values: dict = {"status": step.target.value}
    if step.action is Action.PAY:
        values["payment_status"] = PaymentStatus.PAID.value
    elif step.action is Action.SHIP:
        if not carrier or not tracking_number:
            session.rollback()
            raise ValueError("shipping needs a carrier and a tracking number")
        values |= {"carrier": canonical(carrier), "tracking_number": tracking_number.strip(),
                   "shipped_at": now}
    elif step.action is Action.DELIVER:
        values["delivered_at"] = now
    elif step.action is Action.CANCEL:
        values["cancelled_at"] = now
    orders = Order.__table__
    result = session.execute(
        update(orders)
        .where(orders.c.id == order.id, orders.c.status.in_([s.value for s in step.sources]))
        .values(**values)
    )
    if result.rowcount != 1:  # someone else moved it first (PostgreSQL; SQLite holds the lock)
        session.rollback()
        current = session.scalar(select(Order.status).where(Order.id == order_id))
        transition(current, action)  # raises with the status as it is now
        raise IllegalTransition("This order was changed by someone else; reload it.")
    if step.action is Action.CANCEL:
        _put_back_stock(session, order)
    session.refresh(order)
    changed_from, changed_to = audit.changes(before, _snapshot(order))
    audit.record(session, actor, f"order.{step.action}", "order", order.id,
                 before=changed_from, after=changed_to)
    if step.action is Action.SHIP:
        from ..mail.service import queue_shipping_notice  # renders templates (needs the app)

        queue_shipping_notice(session, order)
    session.commit()
    return order


def _put_back_stock(session: Session, order: Order) -> None:
    """Each line's quantity back on its variant (lines whose variant was deleted are skipped)."""
    quantities = Counter()
    for line in order.lines:
        if line.variant_id is not None:
            quantities[line.variant_id] += line.quantity
    variants = Variant.__table__
    for variant_id in sorted(quantities):  # id order: no deadlock with a checkout
        session.execute(update(variants).where(variants.c.id == variant_id)
                        .values(stock=variants.c.stock + quantities[variant_id]))


def refund(session: Session, actor: User | None, order_id: int, amount: Decimal,
           reason: str) -> Refund:
    """Record money given back on a paid order, at most what is left, and commit."""
    amount = Decimal(amount).quantize(CENT)
    order = _locked_order(session, order_id)
    left = refundable(order.payment_status, order.total, order.refunded)
    problem = None
    if order.payment_status == PaymentStatus.REFUNDED:
        problem = RefundRefused("This order is already refunded in full.")
    elif order.payment_status != PaymentStatus.PAID:
        problem = RefundRefused(f"This order's payment is {order.payment_status}: only a paid "
                                "order can be refunded.")
    elif amount <= 0 or amount > left:
        problem = RefundTooLarge(f"Refund between £0.01 and £{left} (what is left to refund).")
    if problem is not None:
        session.rollback()
        raise problem
    orders = Order.__table__
    new_total = orders.c.refunded + amount
    result = session.execute(
        update(orders)
        .where(orders.c.id == order.id, orders.c.payment_status == PaymentStatus.PAID.value,
               new_total <= orders.c.total)
        .values(refunded=new_total,
                payment_status=case((new_total >= orders.c.total, PaymentStatus.REFUNDED.value),
                                    else_=orders.c.payment_status))
    )
    if result.rowcount != 1:
        session.rollback()
        raise RefundRefused("Another refund of this order came first; reload it and try again.")
    row = Refund(order_id=order.id, amount=amount, reason=reason,
                 staff_id=actor.id if actor is not None else None,
                 staff_email=actor.email if actor is not None else "command line", created_at=utcnow())
    session.add(row)
    session.flush()
    session.refresh(order)
    audit.record(session, actor, "order.refund", "order", order.id,
                 before={"refunded": str(order.refunded - amount)},
                 after={"refunded": str(order.refunded), "amount": str(amount), "reason": reason,
                        "payment_status": order.payment_status})
    session.commit()
    return row
