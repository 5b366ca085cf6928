"""What the recommendation slots earn, per slot and per UTC day, counted in the database.

Figures, for each registry slot (events under other names are left out) and day:

- ``impressions``: times the slot was shown; ``clicks``: visits through its ``?rec=`` links;
  ``ctr`` = clicks / impressions.
- ``add_to_carts``: cart events of a product the same visitor or account clicked in the slot
  at most ``window_days`` before; ``add_to_cart_rate`` = add-to-carts / impressions.
- ``orders`` and ``revenue``: an order line is *attributed* when the visitor or account that
  placed the order clicked that product in a slot at most ``window_days`` before the order.

A cart event or an order line is credited once, to the slot of the most recent such click, on
the day of the add-to-cart or order (the click may fall before the range). ``revenue`` is the
sum of attributed line totals (before discount and delivery, as the shop's ``revenue`` is the
sum of all line totals); ``revenue_share`` = revenue / shop revenue. Orders whose payment
failed or was refunded count nowhere. An order whose lines went to two slots counts once in
each slot and once in the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import DateTime, Integer, and_, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import FunctionElement

from ..models import Event, Order, OrderLine
from ..orders.statuses import PaymentStatus
from . import registry

#: The longest range one report covers (a year and a day: a leap year with its end day).
MAX_DAYS = 367
#: How many days a click earns credit for the add-to-carts and orders that follow it.
DEFAULT_WINDOW_DAYS = 7
NOT_REVENUE = (PaymentStatus.FAILED.value, PaymentStatus.REFUNDED.value)
CENTS = Decimal("0.01")


class RangeError(ValueError):
    """A date range or slot the report cannot cover."""


@dataclass
class Figures:
    """One cell of the report: a slot on a day, a slot over the range, a day, or everything."""

    impressions: int = 0
    clicks: int = 0
    add_to_carts: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")
    #: The revenue of every order in the same days (all slots), the base of ``revenue_share``.
    shop_revenue: Decimal = Decimal("0.00")

    @property
    def ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0

    @property
    def add_to_cart_rate(self) -> float:
        return self.add_to_carts / self.impressions if self.impressions else 0.0

    @property
    def revenue_share(self) -> float:
        return float(self.revenue / self.shop_revenue) if self.shop_revenue else 0.0

    def as_dict(self) -> dict:
        return {"impressions": self.impressions, "clicks": self.clicks, "ctr": self.ctr,
                "add_to_carts": self.add_to_carts, "add_to_cart_rate": self.add_to_cart_rate,
                "orders": self.orders, "revenue": self.revenue, "shop_revenue": self.shop_revenue,
                "revenue_share": self.revenue_share}


@dataclass
class Report:
    since: dt.date
    until: dt.date  # inclusive
    slot: str | None
    window_days: int
    days: list[dt.date]
    #: (day, slot) -> figures; every day and every reported slot is present (zeros included).
    cells: dict[tuple[dt.date, str], Figures]
    by_day: dict[dt.date, Figures]
    by_slot: dict[str, Figures]
    totals: Figures = field(default_factory=Figures)

    @property
    def slots(self) -> list[str]:
        return list(self.by_slot)

    def as_dict(self) -> dict:
        """Plain data (Decimals and dates kept) for ``/api/admin/analytics`` and ``--json``."""
        return {
            "since": self.since, "until": self.until, "slot": self.slot,
            "attribution_window_days": self.window_days,
            "totals": self.totals.as_dict(),
            "slots": [{"slot": name, "title": registry.get(name).title, **figures.as_dict()}
                      for name, figures in self.by_slot.items()],
            "days": [{"day": day, **figures.as_dict()} for day, figures in self.by_day.items()],
            "cells": [{"day": day, "slot": name, **figures.as_dict()} for (day, name), figures in self.cells.items()],
        }


class days_before(FunctionElement):
    """``when`` minus ``days`` days, as each database spells it."""

    type = DateTime()
    inherit_cache = True
    name = "days_before"


@compiles(days_before)
def _days_before_default(element, compiler, **kw):  # PostgreSQL
    when, days = list(element.clauses)
    return f"({compiler.process(when, **kw)} - {compiler.process(days, **kw)} * INTERVAL '1 day')"


@compiles(days_before, "sqlite")
def _days_before_sqlite(element, compiler, **kw):
    when, days = list(element.clauses)
    return f"datetime({compiler.process(when, **kw)}, '-' || {compiler.process(days, **kw)} || ' days')"


def last_days(days: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The range of the last ``days`` days, today (UTC) included."""
    until = today or dt.datetime.now(dt.UTC).date()
    return until - dt.timedelta(days=days - 1), until


def check_range(since: dt.date, until: dt.date, slot: str | None = None) -> None:
    if since > until:
        raise RangeError("The start date must not be after the end date.")
    if (until - since).days + 1 > MAX_DAYS:
        raise RangeError(f"Choose at most {MAX_DAYS} days.")
    if slot is not None and slot not in registry.BY_NAME:
        raise RangeError(f"Unknown slot {slot!r}; choose one of: {', '.join(registry.NAMES)}.")


def report(session: Session, since: dt.date, until: dt.date, *, slot: str | None = None,
           window_days: int = DEFAULT_WINDOW_DAYS) -> Report:
    """The figures of every day from ``since`` to ``until`` (both included, UTC)."""
    check_range(since, until, slot)
    if window_days < 1:
        raise RangeError("The attribution window is at least one day.")
    start = dt.datetime.combine(since, dt.time())
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    slots = [slot] if slot else list(registry.NAMES)
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    cells = {(day, name): Figures() for day in days for name in slots}
    by_day = {day: Figures() for day in days}

    def cell(day, name) -> Figures | None:
        return cells.get((_day(day), name))

    for day, name, count in session.execute(_slot_events("impression", start, end, slots)):
        cell(day, name).impressions = int(count)
    for day, name, count in session.execute(_slot_events("click", start, end, slots)):
        cell(day, name).clicks = int(count)
    carts = _credited_carts(start, end, window_days)
    for day, name, count in session.execute(
            select(carts.c.day, carts.c.slot, func.count()).where(carts.c.rank == 1, carts.c.slot.in_(slots))
            .group_by(carts.c.day, carts.c.slot)):
        cell(day, name).add_to_carts = int(count)
    lines = _credited_lines(start, end, window_days)
    credited = and_(lines.c.rank == 1, lines.c.slot.in_(slots))
    for day, name, orders, cents in session.execute(
            select(lines.c.day, lines.c.slot, func.count(lines.c.order_id.distinct()), func.sum(lines.c.cents))
            .where(credited).group_by(lines.c.day, lines.c.slot)):
        figures = cell(day, name)
        figures.orders, figures.revenue = int(orders), _money(cents)
    for day, orders in session.execute(
            select(lines.c.day, func.count(lines.c.order_id.distinct())).where(credited).group_by(lines.c.day)):
        by_day[_day(day)].orders = int(orders)
    for day, cents in session.execute(_shop_revenue(start, end)):
        by_day[_day(day)].shop_revenue = _money(cents)

    by_slot = {name: Figures() for name in slots}
    totals = Figures()
    for (day, name), figures in cells.items():
        for target in (by_day[day], by_slot[name], totals):
            target.impressions += figures.impressions
            target.clicks += figures.clicks
            target.add_to_carts += figures.add_to_carts
            target.revenue += figures.revenue
        by_slot[name].orders += figures.orders
    for day, figures in by_day.items():
        totals.orders += figures.orders  # an order falls on one day: daily distinct counts add up
        totals.shop_revenue += figures.shop_revenue
        for name in slots:
            cells[(day, name)].shop_revenue = figures.shop_revenue
    for figures in by_slot.values():
        figures.shop_revenue = totals.shop_revenue
    return Report(since, until, slot, window_days, days, cells, by_day, by_slot, totals)


# ------------------------------------------------------------------ the queries
def _slot_events(kind: str, start: dt.datetime, end: dt.datetime, slots: list[str]):
    day = func.date(Event.created_at)
    return (select(day, Event.slot, func.count())
            .where(Event.kind == kind, Event.slot.in_(slots), Event.created_at >= start, Event.created_at < end)
            .group_by(day, Event.slot))


def _clicked_before(click, item, visitor, account, when, window_days: int):
    """The join condition: ``click`` is a slot click on ``item`` by that visitor or account,
    at most ``window_days`` before ``when``."""
    return and_(
        click.kind == "click", click.slot.in_(registry.NAMES), click.item_id == item,
        click.created_at <= when, click.created_at >= days_before(when, literal(window_days, Integer)),
        or_(and_(visitor.is_not(None), click.visitor_id == visitor),
            and_(account.is_not(None), click.user_id == account)),
    )


def _latest_first(partition, click):
    return func.row_number().over(partition_by=partition, order_by=(click.created_at.desc(), click.id.desc()))


def _credited_carts(start, end, window_days):
    cart, click = aliased(Event), aliased(Event)
    return (
        select(func.date(cart.created_at).label("day"), click.slot.label("slot"),
               _latest_first(cart.id, click).label("rank"))
        .join(click, _clicked_before(click, cart.item_id, cart.visitor_id, cart.user_id, cart.created_at,
                                     window_days))
        .where(cart.kind == "cart", cart.created_at >= start, cart.created_at < end)
        .subquery()
    )


def _cents(column):
    return cast(func.round(column * 100), Integer)


def _counted_orders(start, end):
    return and_(Order.created_at >= start, Order.created_at < end, Order.payment_status.not_in(NOT_REVENUE))


def _credited_lines(start, end, window_days):
    click = aliased(Event)
    return (
        select(func.date(Order.created_at).label("day"), click.slot.label("slot"),
               Order.id.label("order_id"), _cents(OrderLine.line_total).label("cents"),
               _latest_first(OrderLine.id, click).label("rank"))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(click, _clicked_before(click, OrderLine.product_slug, Order.visitor_id, Order.user_id,
                                     Order.created_at, window_days))
        .where(_counted_orders(start, end))
        .subquery()
    )


def _shop_revenue(start, end):
    day = func.date(Order.created_at)
    return (select(day, func.sum(_cents(OrderLine.line_total)))
            .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(_counted_orders(start, end)).group_by(day))


def _day(value) -> dt.date:
    """SQLite's ``date()`` answers text, PostgreSQL's a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _money(cents) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENTS)
