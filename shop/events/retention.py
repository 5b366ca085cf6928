"""How long events are kept: ``EVENT_RETENTION_DAYS``, and never an event not yet exported.

The event log grows for years; training reads only a window of it (``--since-days``), so
what is older than the retention only costs disk and index size. ``shop db maintain`` drops
it, but only once ``shop events export`` has written it somewhere: each completed export is
recorded (:class:`~shop.models.EventExport`) with the newest event id it covered. On
PostgreSQL whole month partitions go (:mod:`.partitions`); elsewhere (SQLite) rows are
deleted in bounded batches, each its own short transaction, so the shop keeps serving.

"Exported" means the training events (read, view, cart, purchase) are in an export;
impressions, clicks and searches are measurement and are not kept past the retention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import Event, EventExport, utcnow
from . import partitions
from .export import EXPORTED_EVENTS

DEFAULT_RETENTION_DAYS = 730
#: Rows per transaction when deleting (SQLite, and PostgreSQL's default partition).
BATCH_SIZE = 10_000
#: Month partitions kept ready beyond the current month.
MONTHS_AHEAD = 3


def latest_event_id(session: Session) -> int | None:
    return session.scalar(select(func.max(Event.id)))


def record_export(session: Session, *, max_event_id: int | None, kinds, rows: int,
                  destination: str) -> EventExport:
    """Note a completed export of the events up to ``max_event_id`` (and commit)."""
    kinds = tuple(kinds)
    first, last = session.execute(
        select(func.min(Event.created_at), func.max(Event.created_at))
        .where(Event.id <= (max_event_id or 0), Event.kind.in_(kinds))
    ).one()
    entry = EventExport(kinds=",".join(sorted(kinds)), rows=rows, max_event_id=max_event_id,
                        first_event_at=first, last_event_at=last, destination=destination[:500])
    session.add(entry)
    session.commit()
    return entry


def exported_up_to(session: Session) -> int | None:
    """The newest event id covered by an export of all the training events, or None."""
    best = None
    for kinds, max_id in session.execute(
            select(EventExport.kinds, EventExport.max_event_id)
            .where(EventExport.max_event_id.is_not(None))):
        if set(EXPORTED_EVENTS) <= set(kinds.split(",")):
            best = max_id if best is None else max(best, max_id)
    return best


@dataclass
class MaintenanceReport:
    cutoff: dt.datetime | None
    exported_up_to: int | None
    partitions_created: list[str] = field(default_factory=list)
    partitions_dropped: list[str] = field(default_factory=list)
    partitions_kept_unexported: list[str] = field(default_factory=list)
    rows_deleted: int = 0

    def lines(self) -> list[str]:
        out = []
        if self.partitions_created:
            out.append(f"Created partitions: {', '.join(self.partitions_created)}")
        if self.cutoff is None:
            out.append("EVENT_RETENTION_DAYS=0: events are kept forever.")
            return out
        out.append(f"Retention: events before {self.cutoff:%Y-%m-%d %H:%M} UTC may go.")
        if self.exported_up_to is None:
            out.append("No export of the event log yet: nothing deleted "
                       "(run `shop events export FILE` first).")
        if self.partitions_dropped:
            out.append(f"Dropped partitions: {', '.join(self.partitions_dropped)}")
        if self.partitions_kept_unexported:
            out.append("Kept (events newer than the last export): "
                       + ", ".join(self.partitions_kept_unexported))
        out.append(f"Deleted {self.rows_deleted} event row{'' if self.rows_deleted == 1 else 's'}.")
        return out


def delete_in_batches(session: Session, before: dt.datetime, max_event_id: int,
                      batch_size: int = BATCH_SIZE) -> int:
    """Delete events older than ``before`` with ids up to ``max_event_id``, ``batch_size``
    rows per transaction (a writer waits for one batch at most, never for the whole purge)."""
    total = 0
    while True:
        batch = (select(Event.id).where(Event.created_at < before, Event.id <= max_event_id)
                 .order_by(Event.id).limit(batch_size).scalar_subquery())
        result = session.execute(delete(Event).where(Event.id.in_(batch)),
                                 execution_options={"synchronize_session": False})
        session.commit()
        total += result.rowcount
        if result.rowcount < batch_size:
            return total


def maintain(session: Session, *, retention_days: int = DEFAULT_RETENTION_DAYS,
             now: dt.datetime | None = None, months_ahead: int = MONTHS_AHEAD,
             batch_size: int = BATCH_SIZE) -> MaintenanceReport:
    """Prepare the coming months (PostgreSQL) and drop the exported events past retention."""
    now = now or utcnow()
    partitioned = partitions.is_partitioned(session.connection())
    report = MaintenanceReport(
        cutoff=now - dt.timedelta(days=retention_days) if retention_days > 0 else None,
        exported_up_to=exported_up_to(session))
    if partitioned:
        report.partitions_created = partitions.ensure_months_ahead(
            session.connection(), now.date(), months_ahead)
        session.commit()
    if report.cutoff is None or report.exported_up_to is None:
        return report
    if partitioned:
        _drop_expired_months(session, report)
        # Only stragglers of the default partition remain to delete row by row.
        report.rows_deleted = _delete_default_partition(session, report, batch_size)
    else:
        report.rows_deleted = delete_in_batches(session, report.cutoff, report.exported_up_to,
                                                batch_size)
    return report


def _drop_expired_months(session: Session, report: MaintenanceReport) -> None:
    for partition in partitions.monthly_partitions(session.connection()):
        if dt.datetime.combine(partition.end, dt.time()) > report.cutoff:
            break  # a month partly inside the retention stays whole
        if partitions.has_rows_after(session.connection(), partition.name,
                                     report.exported_up_to):
            report.partitions_kept_unexported.append(partition.name)
            continue
        partitions.drop(session.connection(), partition.name)
        session.commit()  # one short lock per month
        report.partitions_dropped.append(partition.name)


def _delete_default_partition(session: Session, report: MaintenanceReport, batch_size: int) -> int:
    from sqlalchemy import text

    total = 0
    while True:
        result = session.execute(text(
            f"DELETE FROM {partitions.DEFAULT_PARTITION} WHERE id IN (SELECT id FROM "
            f"{partitions.DEFAULT_PARTITION} WHERE created_at < :before AND id <= :max_id "
            "ORDER BY id LIMIT :n)"),
            {"before": report.cutoff, "max_id": report.exported_up_to, "n": batch_size})
        session.commit()
        total += result.rowcount
        if result.rowcount < batch_size:
            return total
