"""PostgreSQL: the events table partitioned by month, so old months leave as whole tables.

Deleting two years of events row by row bloats the table and its indexes and holds locks for
minutes; ``DROP TABLE`` of a month is instant and gives the space back. Migration 0013 turns
``events`` into a table ``PARTITION BY RANGE (created_at)`` with one partition per month
(``events_2026_12``) and a default partition (``events_default``) that catches a row no
month partition is ready for, so recording an event never fails; ``shop db maintain``
creates the coming months ahead (moving any such rows in) and drops the expired ones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

PARENT = "events"
DEFAULT_PARTITION = "events_default"
_MONTHLY = re.compile(r"^events_(\d{4})_(\d{2})$")


def is_event_partition(name: str | None) -> bool:
    """A partition of ``events`` (not a table of the models; autogenerate must leave it be)."""
    return bool(name) and (name == DEFAULT_PARTITION or bool(_MONTHLY.match(name)))


def month_start(moment: dt.datetime | dt.date) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"events_{month.year:04d}_{month.month:02d}"


@dataclass(frozen=True)
class Partition:
    name: str
    start: dt.date  # inclusive
    end: dt.date  # exclusive


def is_partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.scalar(text(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = :name AND c.relnamespace = to_regnamespace(current_schema())"
    ), {"name": PARENT}))


def monthly_partitions(connection: Connection) -> list[Partition]:
    """The month partitions of ``events``, oldest first (the default one is not listed)."""
    names = connection.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :name "
        "AND p.relnamespace = to_regnamespace(current_schema())"
    ), {"name": PARENT}).all()
    found = []
    for name in names:
        match = _MONTHLY.match(name)
        if match:
            start = dt.date(int(match[1]), int(match[2]), 1)
            found.append(Partition(name, start, next_month(start)))
    return sorted(found, key=lambda p: p.start)


def create_month(connection: Connection, month: dt.date) -> str | None:
    """Create the partition of ``month`` unless it exists; returns its name when created.

    Rows of that month already in the default partition are moved into it (PostgreSQL refuses
    to attach a range the default partition holds rows of).
    """
    month = month_start(month)
    name = partition_name(month)
    if connection.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is not None:
        return None
    bounds = {"start": month, "end": next_month(month)}
    stray = f"{DEFAULT_PARTITION}_moving"
    connection.execute(text(
        f"CREATE TEMPORARY TABLE {stray} ON COMMIT DROP AS "
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE created_at >= :start "
        "AND created_at < :end RETURNING *) SELECT * FROM moved"), bounds)
    connection.execute(text(
        f"CREATE TABLE {name} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{bounds['end'].isoformat()}')"))
    connection.execute(text(f"INSERT INTO {PARENT} SELECT * FROM {stray}"))
    connection.execute(text(f"DROP TABLE {stray}"))
    return name


def ensure_months_ahead(connection: Connection, today: dt.date, months_ahead: int) -> list[str]:
    """Partitions for this month and the next ``months_ahead``; returns those created."""
    created, month = [], month_start(today)
    for _ in range(months_ahead + 1):
        if name := create_month(connection, month):
            created.append(name)
        month = next_month(month)
    return created


def has_rows_after(connection: Connection, partition: str, max_event_id: int) -> bool:
    """Whether the partition holds an event written after the export that ended at
    ``max_event_id`` (a back-dated event, e.g. an imported order): it must not be dropped."""
    return connection.scalar(text(
        f"SELECT EXISTS (SELECT 1 FROM {partition} WHERE id > :max_id)"
    ), {"max_id": max_event_id})


def drop(connection: Connection, partition: str) -> None:
    connection.execute(text(f"DROP TABLE {partition}"))
