"""The event log as an interactions CSV (DESIGN.md): for offline evaluation and imports.

One row per event that involves an item: ``user_id`` (``u<account id>`` when the event belongs
to an account, else the guest's visitor id), ``item_id`` (a product slug or ``article:<slug>``),
``timestamp`` (ISO 8601, UTC), ``event`` and ``weight``. Impressions, clicks and searches
are measurement rather than taste and are left out, as are un-carts by default — the same
events the recommender trains on.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Event

COLUMNS = ("user_id", "item_id", "timestamp", "event", "weight")
EXPORTED_EVENTS = ("read", "view", "cart", "purchase")


def user_key(user_id: int | None, visitor_id: str) -> str:
    """One id per person: the account when known (``u<id>``), else the guest visitor id."""
    return f"u{user_id}" if user_id is not None else visitor_id


def _iso_utc(moment: dt.datetime) -> str:
    """Stored times are naive UTC; written with their offset so no reader has to guess."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _weight(value: float | None) -> str:
    return "1" if value is None else f"{float(value):g}"


def event_rows(session: Session, kinds: Iterable[str], batch_size: int,
               since: dt.datetime | None = None, until_id: int | None = None):
    """``(user key, item, created_at, kind, weight)`` of the exported events, oldest first,
    streamed in batches (the CSV and the Parquet export read the same rows). ``until_id``:
    only events with ids up to it (what an export is recorded as covering,
    ``shop.events.retention``)."""
    stmt = (
        select(Event.user_id, Event.visitor_id, Event.item_id, Event.created_at, Event.kind, Event.weight)
        .where(Event.kind.in_(tuple(kinds)), Event.item_id.is_not(None))
        .order_by(Event.created_at, Event.id)
        .execution_options(yield_per=batch_size)
    )
    if since is not None:
        stmt = stmt.where(Event.created_at >= since)
    if until_id is not None:
        stmt = stmt.where(Event.id <= until_id)
    for account, visitor, item, created, kind, weight in session.execute(stmt):
        yield user_key(account, visitor), item, created, kind, weight


def _write(session: Session, handle: IO[str], kinds: Iterable[str], batch_size: int,
           until_id: int | None = None) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for user, item, created, kind, weight in event_rows(session, kinds, batch_size, until_id=until_id):
        writer.writerow((user, item, _iso_utc(created), kind, _weight(weight)))
        count += 1
    return count


def export_interactions(session: Session, path_or_file: str | os.PathLike | IO[str], *,
                        kinds: Iterable[str] = EXPORTED_EVENTS, batch_size: int = 10_000,
                        until_id: int | None = None) -> int:
    """Write the interactions CSV to a path (atomically: all or nothing) or an open text file.

    Returns the number of rows written (the header not counted). Events are streamed in
    batches, oldest first, so the log may be larger than memory. ``until_id``: only events
    with ids up to it.
    """
    if hasattr(path_or_file, "write"):
        return _write(session, path_or_file, kinds, batch_size, until_id)
    path = Path(path_or_file)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = _write(session, handle, kinds, batch_size, until_id)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
