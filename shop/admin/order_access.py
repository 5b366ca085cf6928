"""Reading one order for the back office: its lines, refunds and status history (audit entries)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Order
from . import audit
from .models import AuditEntry


def order_by_id(session: Session, order_id: int) -> Order | None:
    return session.scalar(select(Order).where(Order.id == order_id)
                          .options(selectinload(Order.lines), selectinload(Order.refunds)))


def history(session: Session, order: Order) -> list[AuditEntry]:
    """What staff did to the order, oldest first: its status history."""
    rows, _total = audit.entries(session, audit.AuditFilter(entity="order", entity_id=str(order.id)),
                                 per_page=500)
    return rows[::-1]
