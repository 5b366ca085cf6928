"""``shop events export --format parquet DIR``: the event log by day, written incrementally."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import insert

from shop.events.export import COLUMNS, export_interactions
from shop.events.parquet_export import FILE_NAME, export_parquet, exported_days
from shop.models import Event

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed (pip install '.[parquet]')")

DAY1 = dt.datetime(2026, 3, 1, 9, 30)


def add_events(session, rows):
    session.execute(insert(Event), [
        {"visitor_id": v, "user_id": None, "kind": k, "item_id": i, "weight": w, "created_at": t}
        for v, k, i, w, t in rows
    ])
    session.commit()


@pytest.fixture
def two_days(session):
    add_events(session, [
        ("g1", "read", "article:walking", 1.0, DAY1),
        ("g1", "view", "halo-walk", 1.0, DAY1 + dt.timedelta(minutes=1)),
        ("g2", "impression", "halo-walk", 1.0, DAY1 + dt.timedelta(minutes=2)),
        ("g2", "cart", "halo-walk", 2.0, DAY1 + dt.timedelta(hours=15)),  # 00:30 the next day
        ("g2", "purchase", "halo-walk", 2.0, DAY1 + dt.timedelta(hours=15, minutes=1)),
    ])


def read_days(directory) -> dict[str, list[dict]]:
    out = {}
    for day in exported_days(directory):
        table = pq.read_table(directory / f"day={day.isoformat()}" / FILE_NAME)
        out[day.isoformat()] = table.to_pylist()
    return out


def test_one_folder_per_day_with_the_rows_and_columns_of_the_csv(session, two_days, tmp_path):
    result = export_parquet(session, tmp_path / "events")
    assert result.days == ["2026-03-01", "2026-03-02"] and result.rows == 4
    days = read_days(tmp_path / "events")
    assert list(days) == ["2026-03-01", "2026-03-02"]
    rows = [row for day in days.values() for row in day]
    assert all(tuple(row) == COLUMNS for row in rows)
    buffer = io.StringIO()
    export_interactions(session, buffer)
    as_csv = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [(r["user_id"], r["item_id"], r["event"], float(r["weight"])) for r in as_csv] == [
        (r["user_id"], r["item_id"], r["event"], r["weight"]) for r in rows]
    assert [dt.datetime.fromisoformat(r["timestamp"]) for r in as_csv] == [r["timestamp"] for r in rows]
    assert rows[0]["timestamp"] == DAY1.replace(tzinfo=dt.UTC)


def test_a_second_run_writes_only_the_newest_day_again_and_the_new_ones(session, two_days, tmp_path):
    directory = tmp_path / "events"
    export_parquet(session, directory)
    first_day = directory / "day=2026-03-01" / FILE_NAME
    before = first_day.stat().st_mtime_ns, first_day.stat().st_ino
    add_events(session, [
        ("g3", "view", "halo-walk", 1.0, DAY1 + dt.timedelta(hours=20)),  # late on day two
        ("g3", "view", "drift", 1.0, DAY1 + dt.timedelta(days=2)),  # day three
    ])
    result = export_parquet(session, directory)
    assert result.days == ["2026-03-02", "2026-03-03"] and result.kept_days == 1
    assert (first_day.stat().st_mtime_ns, first_day.stat().st_ino) == before
    days = read_days(directory)
    assert [r["event"] for r in days["2026-03-02"]] == ["cart", "purchase", "view"]
    assert [r["item_id"] for r in days["2026-03-03"]] == ["drift"]
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]  # no staging left


def test_a_failed_run_leaves_the_previous_export_whole(session, two_days, tmp_path, monkeypatch):
    import shop.events.parquet_export as parquet_export

    directory = tmp_path / "events"
    export_parquet(session, directory)
    before = read_days(directory)

    original = parquet_export.event_rows
    add_events(session, [("g3", "view", "drift", 1.0, DAY1 + dt.timedelta(days=2))])

    def broken(*args, **kwargs):
        yield from original(*args, **kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(parquet_export, "event_rows", broken)
    with pytest.raises(RuntimeError):
        export_parquet(session, directory)
    assert read_days(directory) == before
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]


def test_the_command_exports_parquet_and_says_what_it_wrote(runner, session, two_days, tmp_path):
    directory = tmp_path / "events"
    result = runner.invoke(args=["events", "export", "--format", "parquet", str(directory)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"Exported 4 interactions in 2 days (2026-03-01 to 2026-03-02) to {directory}; 0 earlier days kept")
    again = runner.invoke(args=["events", "export", "--format", "parquet", str(directory)])
    assert "in 1 day (2026-03-02 to 2026-03-02)" in again.output and "1 earlier day kept" in again.output


def test_the_command_refuses_a_file_for_parquet_and_a_folder_for_csv(runner, session, tmp_path):
    a_file = tmp_path / "events.csv"
    a_file.write_text("x")
    result = runner.invoke(args=["events", "export", "--format", "parquet", str(a_file)])
    assert result.exit_code == 2 and "writes a folder" in result.output
    result = runner.invoke(args=["events", "export", str(tmp_path)])
    assert result.exit_code == 2 and "writes a file" in result.output


def test_without_pyarrow_the_command_says_what_to_install(runner, session, tmp_path, monkeypatch):
    import shop.events.parquet_export as parquet_export

    def missing():
        raise parquet_export.ParquetUnavailable(parquet_export.INSTALL_HINT)

    monkeypatch.setattr(parquet_export, "_pyarrow", missing)
    result = runner.invoke(args=["events", "export", "--format", "parquet", str(tmp_path / "events")])
    assert result.exit_code == 1
    assert "pip install '.[parquet]'" in result.output
