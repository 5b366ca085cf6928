"""The event log as Parquet partitioned by day, for engines that read it in parallel (Spark).

The same rows and columns as the interactions CSV (:mod:`shop.events.export`), typed:
``user_id``, ``item_id`` and ``event`` as strings, ``timestamp`` as a UTC timestamp (in
microseconds, as stored), ``weight`` as a double. One folder per day, Hive style, so Spark, DuckDB or pyarrow read the
day as a column and skip the days they do not need::

    DIR/day=2026-03-01/events.parquet
    DIR/day=2026-03-02/events.parquet

Incremental: a run writes only the days from the newest one already in ``DIR`` on (that one
again, since it may have been exported before the day ended); older days are never read
from the database again. Each day is written to a hidden folder and swapped in whole, so a
reader never sees half a day and a failed run leaves the previous export as it was.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from .export import EXPORTED_EVENTS, event_rows

PARTITION = re.compile(r"^day=(\d{4}-\d{2}-\d{2})$")
FILE_NAME = "events.parquet"
INSTALL_HINT = "the Parquet export needs pyarrow: pip install '.[parquet]' (or '.[spark]')"


class ParquetUnavailable(RuntimeError):
    """pyarrow is not installed (it is an optional extra)."""


@dataclass
class ParquetExport:
    """What a run wrote: the days (ISO dates) and their rows; days older than the first were kept."""

    days: list[str] = field(default_factory=list)
    rows: int = 0
    kept_days: int = 0


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # an optional extra
        raise ParquetUnavailable(INSTALL_HINT) from exc
    return pa, pq


def schema():
    pa, _ = _pyarrow()
    return pa.schema([
        ("user_id", pa.string()), ("item_id", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")), ("event", pa.string()), ("weight", pa.float64()),
    ])


def exported_days(directory: Path) -> list[dt.date]:
    """The days already in ``directory`` (folders ``day=YYYY-MM-DD`` holding the file)."""
    if not directory.is_dir():
        return []
    days = []
    for child in directory.iterdir():
        match = PARTITION.match(child.name)
        if match and (child / FILE_NAME).is_file():
            days.append(dt.date.fromisoformat(match.group(1)))
    return sorted(days)


class _DayWriter:
    """Rows of one day, written in row groups to a hidden folder, then swapped in."""

    def __init__(self, directory: Path, day: dt.date, batch_size: int):
        pa, pq = _pyarrow()
        self._pa, self.directory, self.day, self.batch_size = pa, directory, day, batch_size
        self.staging = Path(tempfile.mkdtemp(prefix=f".day={day.isoformat()}.", dir=directory))
        self._writer = pq.ParquetWriter(self.staging / FILE_NAME, schema())
        self._columns: list[list] = [[], [], [], [], []]
        self.rows = 0

    def add(self, user: str, item: str, created: dt.datetime, kind: str, weight: float | None) -> None:
        for column, value in zip(self._columns, (user, item, _utc(created), kind,
                                                 1.0 if weight is None else float(weight)),
                                 strict=True):
            column.append(value)
        self.rows += 1
        if len(self._columns[0]) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._columns[0]:
            self._writer.write_table(self._pa.Table.from_arrays(
                [self._pa.array(c, type=f.type) for c, f in zip(self._columns, schema(), strict=True)],
                schema=schema()))
            self._columns = [[], [], [], [], []]

    def commit(self) -> None:
        self._flush()
        self._writer.close()
        target = self.directory / f"day={self.day.isoformat()}"
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".old-day={self.day.isoformat()}.", dir=self.directory))
            target.rename(old / "day")
            self.staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            self.staging.rename(target)

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)


def _utc(moment: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def export_parquet(session: Session, directory: str | Path, *,
                   kinds: Iterable[str] = EXPORTED_EVENTS, batch_size: int = 50_000) -> ParquetExport:
    """Write the days of the event log that ``directory`` does not hold yet (see the module).

    Raises :class:`ParquetUnavailable` when pyarrow is missing.
    """
    _pyarrow()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    days = exported_days(directory)
    since = dt.datetime.combine(days[-1], dt.time()) if days else None
    result = ParquetExport(kept_days=max(len(days) - 1, 0))
    writer: _DayWriter | None = None
    try:
        for user, item, created, kind, weight in event_rows(session, kinds, batch_size, since):
            day = _utc(created).date()
            if writer is None or writer.day != day:
                if writer is not None:
                    writer.commit()
                    result.days.append(writer.day.isoformat())
                    result.rows += writer.rows
                writer = _DayWriter(directory, day, batch_size)
            writer.add(user, item, created, kind, weight)
        if writer is not None:
            writer.commit()
            result.days.append(writer.day.isoformat())
            result.rows += writer.rows
            writer = None
    finally:
        if writer is not None:
            writer.abort()
    return result


def write_interactions(interactions, directory: str | Path) -> list[str]:
    """Plain :class:`~recommender.interactions.Interactions` (Unix seconds) in the same
    layout, one folder per day, replacing those days: for benchmarks and tests that have
    events but no database. Returns the days written."""
    import numpy as np

    pa, pq = _pyarrow()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    micros = np.round(np.asarray(interactions.timestamps, dtype=np.float64) * 1e6).astype(np.int64)
    day_numbers = micros // 86_400_000_000
    order = np.argsort(day_numbers, kind="stable")
    bounds = np.flatnonzero(np.diff(day_numbers[order])) + 1
    written = []
    for part in np.split(order, bounds) if len(order) else []:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int(day_numbers[part[0]]))
        events = [None if e is None else str(e) for e in interactions.events[part]]
        table = pa.Table.from_arrays([
            pa.array(interactions.user_ids[part].astype(str), pa.string()),
            pa.array(interactions.item_ids[part].astype(str), pa.string()),
            pa.array(micros[part], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            pa.array(events, pa.string()),
            pa.array(np.asarray(interactions.weights[part], dtype=np.float64), pa.float64()),
        ], schema=schema())
        staging = Path(tempfile.mkdtemp(prefix=f".day={day.isoformat()}.", dir=directory))
        pq.write_table(table, staging / FILE_NAME)
        target = directory / f"day={day.isoformat()}"
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
        written.append(day.isoformat())
    return written
