"""What may enter the event log: no bots, a bounded rate per visitor, one click per impression.

The event log is the recommender's training data, so whoever can write it can steer what the
shop suggests (issue 10: 400 scripted ``?rec=trending`` requests lifted an unseen product to
#2 of "Popular with other shoppers"). The request's events are checked here before they are
written:

- a User-Agent matching ``EVENTS_BOT_USER_AGENTS`` (crawlers, curl, python-requests, headless
  browsers) logs nothing;
- each visitor logs at most ``EVENTS_PER_VISITOR_PER_MINUTE`` events per minute and worker.
  A request that arrives without a visitor id (a script that drops the cookie gets a new one
  every time) is counted against its client address instead. The counters live in the worker's
  memory, so with W workers a visitor logs at most W times the cap a minute; at most
  ``MAX_TRACKED`` keys are kept (the oldest windows are forgotten first);
- a ``click`` counts only if the visitor was shown that product in that slot within
  ``EVENTS_CLICK_WINDOW_SECONDS`` and has not clicked it since that impression.

Purchases are always logged: each one is an order that took stock.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import OrderedDict
from functools import lru_cache

from sqlalchemy import exists, func, literal, or_, select
from sqlalchemy.orm import Session

from ..models import Event, utcnow

#: Kinds that are never dropped by the guard (real orders, not cheap to fake).
ALWAYS_LOGGED = frozenset({"purchase"})
#: Rate-limit windows kept per worker at most.
MAX_TRACKED = 50_000
WINDOW_SECONDS = 60.0
IMPRESSION_LIST_LENGTH = 200  # Event.context: a longer impression list was cut there


@lru_cache(maxsize=8)
def _bot_pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def is_bot(user_agent: str | None, pattern: str | None) -> bool:
    """True for a User-Agent that names a crawler or a scripted client (or says nothing)."""
    if not pattern:
        return False
    if not user_agent or not user_agent.strip():
        return True
    return _bot_pattern(pattern).search(user_agent) is not None


class RateLimiter:
    """At most ``limit`` events per key per fixed one-minute window, in this process."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, max_keys: int = MAX_TRACKED,
                 clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.clock = clock
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, wanted: int) -> int:
        """How many of ``wanted`` events ``key`` may still log in its current window."""
        if self.limit <= 0:
            return wanted
        now = self.clock()
        with self._lock:
            start, used = self._windows.pop(key, (now, 0))
            if now - start >= self.window:
                start, used = now, 0
            granted = max(0, min(wanted, self.limit - used))
            self._windows[key] = (start, used + granted)
            while len(self._windows) > self.max_keys:
                self._windows.popitem(last=False)
        return granted


def _shown_in_slot(item: str):
    """The impression's comma-separated product list names ``item`` (or was cut short)."""
    listed = (literal(",") + Event.context + literal(",")).contains(f",{item},", autoescape=True)
    return or_(listed, func.length(Event.context) >= IMPRESSION_LIST_LENGTH)


def first_click_of_an_impression(session: Session, visitor: str, slot: str | None, item: str | None,
                                 window_seconds: float, now: dt.datetime | None = None) -> bool:
    """Whether a click on ``item`` in ``slot`` answers an impression not yet clicked."""
    if not slot or not item:
        return False
    now = now or utcnow()
    shown_at = session.scalar(
        select(func.max(Event.created_at)).where(
            Event.visitor_id == visitor, Event.kind == "impression", Event.slot == slot,
            Event.created_at >= now - dt.timedelta(seconds=window_seconds), _shown_in_slot(item),
        )
    )
    if shown_at is None:
        return False
    clicked = session.scalar(select(exists().where(
        Event.visitor_id == visitor, Event.kind == "click", Event.slot == slot,
        Event.item_id == item, Event.created_at >= shown_at,
    )))
    return not clicked


def admit(session: Session, rows: list[dict], *, user_agent: str | None, limit_key: str,
          limiter: RateLimiter, bot_pattern: str | None, click_window: float) -> list[dict]:
    """The rows of one request that may be written, in order."""
    if is_bot(user_agent, bot_pattern):
        return [row for row in rows if row["kind"] in ALWAYS_LOGGED]
    kept, seen_clicks = [], set()
    for row in rows:
        if row["kind"] == "click":
            key = (row["slot"], row["item_id"])
            if key in seen_clicks or not first_click_of_an_impression(
                    session, row["visitor_id"], row["slot"], row["item_id"], click_window):
                continue
            seen_clicks.add(key)
        kept.append(row)
    capped = [row for row in kept if row["kind"] not in ALWAYS_LOGGED]
    granted = limiter.take(limit_key, len(capped))
    if granted < len(capped):
        dropped = {id(row) for row in capped[granted:]}
        kept = [row for row in kept if id(row) not in dropped]
    return kept
