"""The event log exported as the interactions CSV of DESIGN.md, and ``shop events export``."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import insert

from recommender.interactions import read_interactions_csv
from shop.accounts.service import register
from shop.events.export import COLUMNS, export_interactions
from shop.models import Event

T0 = dt.datetime(2026, 3, 1, 9, 30, 0)


@pytest.fixture
def log(session):
    """A small event log: a guest, an account, and events the export leaves out."""
    ann = register(session, "ann@example.com", "correct horse battery")
    rows = [
        ("guest-1", None, "read", "article:walking-for-back-pain", 1.0, 0),
        ("guest-1", None, "view", "velmora-halo-walk", 1.0, 1),
        ("visitor-ann", ann.id, "cart", "velmora-halo-walk", 2.0, 2),
        ("visitor-ann", ann.id, "purchase", "velmora-halo-walk", 2.0, 3),
        ("guest-1", None, "search", None, 1.0, 4),
        ("guest-1", None, "impression", "velmora-halo-walk", 1.0, 5),
        ("guest-1", None, "click", "velmora-halo-walk", 1.0, 6),
        ("visitor-ann", ann.id, "uncart", "velmora-drift-cushion", 1.0, 7),
    ]
    session.execute(insert(Event), [
        {"visitor_id": v, "user_id": u, "kind": k, "item_id": i, "weight": w,
         "created_at": T0 + dt.timedelta(minutes=m)} for v, u, k, i, w, m in rows
    ])  # fmt: skip
    session.commit()
    return ann


def exported(session, **kwargs) -> tuple[int, list[dict]]:
    buffer = io.StringIO()
    count = export_interactions(session, buffer, **kwargs)
    return count, list(csv.DictReader(io.StringIO(buffer.getvalue())))


def test_one_row_per_item_event_with_the_design_columns(session, log):
    count, rows = exported(session)
    assert count == 4 == len(rows)
    assert tuple(rows[0]) == COLUMNS
    assert rows == [
        {"user_id": "guest-1", "item_id": "article:walking-for-back-pain",
         "timestamp": "2026-03-01T09:30:00.000+00:00", "event": "read", "weight": "1"},
        {"user_id": "guest-1", "item_id": "velmora-halo-walk",
         "timestamp": "2026-03-01T09:31:00.000+00:00", "event": "view", "weight": "1"},
        {"user_id": f"u{log.id}", "item_id": "velmora-halo-walk",
         "timestamp": "2026-03-01T09:32:00.000+00:00", "event": "cart", "weight": "2"},
        {"user_id": f"u{log.id}", "item_id": "velmora-halo-walk",
         "timestamp": "2026-03-01T09:33:00.000+00:00", "event": "purchase", "weight": "2"},
    ]


def test_impressions_clicks_searches_and_uncarts_are_left_out_by_default(session, log):
    _, rows = exported(session)
    assert {row["event"] for row in rows} == {"read", "view", "cart", "purchase"}
    _, rows = exported(session, kinds=("uncart",))
    assert [(row["event"], row["item_id"]) for row in rows] == [("uncart", "velmora-drift-cushion")]


def test_an_empty_log_is_a_header_only_file(session):
    count, rows = exported(session)
    assert count == 0 and rows == []


def test_the_export_reads_back_as_interactions(session, log, tmp_path):
    path = tmp_path / "interactions.csv"
    assert export_interactions(session, path) == 4
    interactions = read_interactions_csv(path)
    assert interactions.user_ids.tolist() == ["guest-1", "guest-1", f"u{log.id}", f"u{log.id}"]
    assert interactions.events.tolist() == ["read", "view", "cart", "purchase"]
    assert interactions.weights.tolist() == [1.0, 1.0, 2.0, 2.0]
    assert interactions.timestamps[0] == T0.replace(tzinfo=dt.UTC).timestamp()


def test_a_failed_export_leaves_no_file(session, tmp_path, monkeypatch):
    import shop.events.export as export

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(export, "_write", broken)
    path = tmp_path / "interactions.csv"
    with pytest.raises(RuntimeError):
        export_interactions(session, path)
    assert list(tmp_path.iterdir()) == []


def test_guest_events_exported_after_login_carry_the_account(client, session, demo, tmp_path):
    slug = client.get("/api/products?per_page=1").get_json()["items"][0]["slug"]
    client.get(f"/products/{slug}")
    client.post("/account/register", data={"email": "bob@example.com", "password": "correct horse battery"})
    from sqlalchemy import select

    from shop.models import User

    bob = session.scalar(select(User))
    _, rows = exported(session)
    assert [(row["user_id"], row["item_id"], row["event"]) for row in rows] == [(f"u{bob.id}", slug, "view")]


# ---------------------------------------------------------------- the command


def test_shop_events_export_prints_the_count_and_writes_the_design_format(runner, session, log, tmp_path):
    path = tmp_path / "events.csv"
    result = runner.invoke(args=["events", "export", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Exported 4 interactions to {path}"
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert {"user_id", "item_id"} <= set(reader.fieldnames)  # required by DESIGN.md
        assert set(reader.fieldnames) <= {"user_id", "item_id", "timestamp", "event", "weight"}
        rows = list(reader)
    assert len(rows) == 4 and all(row["user_id"] and row["item_id"] for row in rows)
    assert len(read_interactions_csv(path)) == 4


def test_shop_events_export_can_choose_event_kinds(runner, session, log, tmp_path):
    path = tmp_path / "events.csv"
    result = runner.invoke(args=["events", "export", str(path), "--event", "purchase"])
    assert result.output.strip() == f"Exported 1 interaction to {path}"
    result = runner.invoke(args=["events", "export", str(path), "--event", "teleport"])
    assert result.exit_code == 2


def test_shop_events_is_on_the_shop_script():
    from shop.cli import main

    assert "export" in main.commands["events"].commands
