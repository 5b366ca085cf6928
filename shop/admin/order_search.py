"""Finding orders for the back office: the filters, one page of results, the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Order
from .audit import safe_cell


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    since: dt.date | None = None  # placed on or after this day (UTC)
    until: dt.date | None = None  # placed on or before this day (UTC)
    customer: str | None = None  # part of the e-mail or the name
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    q: str | None = None  # part of the order number

    @classmethod
    def from_args(cls, data: dict) -> OrderFilter:
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__})

    def apply(self, query):
        if self.status:
            query = query.where(Order.status == self.status)
        if self.since:
            query = query.where(Order.created_at >= dt.datetime.combine(self.since, dt.time()))
        if self.until:
            query = query.where(Order.created_at < dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time()))
        if self.customer:
            text = self.customer.lower()
            query = query.where(or_(func.lower(Order.email).contains(text, autoescape=True),
                                    func.lower(Order.name).contains(text, autoescape=True)))
        if self.total_min is not None:
            query = query.where(Order.total >= self.total_min)
        if self.total_max is not None:
            query = query.where(Order.total <= self.total_max)
        if self.q:
            query = query.where(func.upper(Order.number).contains(self.q.strip().upper(), autoescape=True))
        return query


def find_orders(session: Session, where: OrderFilter = OrderFilter(), *, page: int = 1,
                per_page: int = 50) -> tuple[list[Order], int]:
    """One page of orders, newest first, and how many match in all."""
    total = session.scalar(where.apply(select(func.count(Order.id))))
    rows = session.scalars(
        where.apply(select(Order)).options(selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), int(total or 0)


EXPORT_LIMIT = 100_000  # orders in one export

CSV_COLUMNS = ("number", "created_at", "status", "payment_status", "name", "email", "items",
               "subtotal", "shipping", "discount", "total", "refunded", "carrier",
               "tracking_number", "shipped_at", "delivered_at", "cancelled_at")
_TEXT_COLUMNS = {"number", "name", "email", "carrier", "tracking_number"}


def _when(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def to_csv(rows: Iterable[Order]) -> str:
    """The orders as CSV; text typed by shoppers or staff cannot start a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for order in rows:
        values = {
            "number": order.number, "created_at": _when(order.created_at), "status": order.status,
            "payment_status": order.payment_status, "name": order.name, "email": order.email,
            "items": sum(line.quantity for line in order.lines), "subtotal": order.subtotal,
            "shipping": order.shipping, "discount": order.discount, "total": order.total,
            "refunded": order.refunded, "carrier": order.carrier or "",
            "tracking_number": order.tracking_number or "", "shipped_at": _when(order.shipped_at),
            "delivered_at": _when(order.delivered_at), "cancelled_at": _when(order.cancelled_at),
        }
        writer.writerow([safe_cell(str(values[c])) if c in _TEXT_COLUMNS else values[c]
                         for c in CSV_COLUMNS])
    return out.getvalue()
