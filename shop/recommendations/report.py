"""Click-through and add-to-cart rate of each recommendation slot, from the event log.

An ``impression`` event is one slot shown (``context`` lists its products); a ``click`` is a
visit to a product through a slot's link (``?rec=<slot>``). An add-to-cart counts for a slot
when the same visitor carted a product within ``attribution_hours`` after clicking it there.
The report has one row per slot of :mod:`.registry`, in its order (events under other names,
from before a slot was renamed or removed, are left out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Event, utcnow
from . import registry


@dataclass(frozen=True)
class SlotStats:
    slot: str
    impressions: int
    products_shown: int
    clicks: int
    carts: int

    @property
    def ctr(self) -> float:
        """Clicks per slot impression."""
        return self.clicks / self.impressions if self.impressions else 0.0

    @property
    def cart_rate(self) -> float:
        """Add-to-carts per slot impression."""
        return self.carts / self.impressions if self.impressions else 0.0


def slot_report(session: Session, *, days: int | None = 30, attribution_hours: float = 24.0) -> list[SlotStats]:
    """Impressions, clicks and attributed add-to-carts of every registry slot (zeros included)."""
    since = utcnow() - dt.timedelta(days=days) if days else None

    def window(stmt):
        return stmt.where(Event.created_at >= since) if since is not None else stmt

    shown = {
        slot: (count, int(products or 0))
        for slot, count, products in session.execute(
            window(select(Event.slot, func.count(), func.sum(Event.weight))
                   .where(Event.kind == "impression", Event.slot.is_not(None))
                   .group_by(Event.slot))
        )
    }
    clicks = session.execute(
        window(select(Event.visitor_id, Event.item_id, Event.slot, Event.created_at)
               .where(Event.kind == "click", Event.slot.is_not(None)))
    ).all()
    click_count: dict[str, int] = {}
    by_visitor_item: dict[tuple[str, str], list[tuple[dt.datetime, str]]] = {}
    for visitor, item, slot, at in clicks:
        click_count[slot] = click_count.get(slot, 0) + 1
        by_visitor_item.setdefault((visitor, item), []).append((at, slot))
    carts: dict[str, int] = {}
    if by_visitor_item:
        visitors = sorted({v for v, _ in by_visitor_item})
        horizon = dt.timedelta(hours=attribution_hours)
        for chunk in range(0, len(visitors), 500):
            for visitor, item, at in session.execute(
                window(select(Event.visitor_id, Event.item_id, Event.created_at)
                       .where(Event.kind == "cart", Event.visitor_id.in_(visitors[chunk:chunk + 500])))
            ):
                prior = [(t, s) for t, s in by_visitor_item.get((visitor, item), []) if t <= at <= t + horizon]
                if prior:
                    slot = max(prior)[1]  # the latest click before the add-to-cart gets the credit
                    carts[slot] = carts.get(slot, 0) + 1
    slots = registry.NAMES
    return [
        SlotStats(slot, shown.get(slot, (0, 0))[0], shown.get(slot, (0, 0))[1], click_count.get(slot, 0),
                  carts.get(slot, 0))
        for slot in slots
    ]
