"""Customers for the support desk: accounts that are not staff, found by e-mail or name."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Order, User


@dataclass(frozen=True)
class CustomerRow:
    user: User
    orders: int
    spent: Decimal  # the totals of their orders that were not cancelled, less refunds


def _spent():
    return func.coalesce(func.sum(Order.total - Order.refunded).filter(Order.status != "cancelled"), 0)


def find_customers(session: Session, q: str | None = None, *, page: int = 1,
                   per_page: int = 50) -> tuple[list[CustomerRow], int]:
    """One page of shoppers (newest first) whose e-mail or name contains ``q``, and the count."""
    where = [User.role.is_(None)]
    if q:
        text = q.strip().lower()
        where.append(or_(func.lower(User.email).contains(text, autoescape=True),
                         func.lower(User.name).contains(text, autoescape=True)))
    total = session.scalar(select(func.count(User.id)).where(*where)) or 0
    rows = session.execute(
        select(User, func.count(Order.id), _spent())
        .outerjoin(Order, Order.user_id == User.id)
        .where(*where).group_by(User.id)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    customers = [CustomerRow(user, count, Decimal(str(spent)).quantize(Decimal("0.01")))
                 for user, count, spent in rows]
    return customers, total


def customer(session: Session, user_id: int) -> tuple[User, list[Order]] | None:
    """A shopper and their orders, newest first (None for no such shopper, or for staff)."""
    user = session.get(User, user_id)
    if user is None or user.role is not None:
        return None
    orders = session.scalars(select(Order).where(Order.user_id == user.id)
                             .options(selectinload(Order.lines))
                             .order_by(Order.created_at.desc(), Order.id.desc())).all()
    return user, list(orders)
