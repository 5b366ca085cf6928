"""EVENT_RETENTION_DAYS: ``shop db maintain`` drops exported events past retention, in batches;
training reads only its window (``--since-days``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, insert, select

from shop.events import retention
from shop.models import Event, EventExport, utcnow

NOW = utcnow()


def add_events(session, ages_days, kind="view", item="velmora-halo-walk"):
    session.execute(insert(Event), [
        {"visitor_id": f"v{i}", "kind": kind, "item_id": item, "weight": 1.0,
         "created_at": NOW - dt.timedelta(days=age)} for i, age in enumerate(ages_days)
    ])
    session.commit()


def ages(session) -> list[int]:
    stamps = session.scalars(select(Event.created_at)).all()
    return sorted(round((NOW - s).total_seconds() / 86_400) for s in stamps)


def export(runner, tmp_path, *args) -> None:
    result = runner.invoke(args=["events", "export", str(tmp_path / "events.csv"), *args])
    assert result.exit_code == 0, result.output


def test_nothing_is_deleted_before_an_export(session):
    add_events(session, [1000, 900, 10])
    report = retention.maintain(session, retention_days=730, now=NOW)
    assert report.rows_deleted == 0
    assert ages(session) == [10, 900, 1000]
    assert any("No export" in line for line in report.lines())


def test_exported_events_past_retention_go_and_the_rest_stay(runner, session, tmp_path):
    add_events(session, [1000, 900, 731, 729, 10])
    export(runner, tmp_path)
    (entry,) = session.scalars(select(EventExport)).all()
    assert entry.rows == 5
    assert entry.max_event_id == session.scalar(select(func.max(Event.id)))
    assert (NOW - entry.first_event_at).days == 1000
    add_events(session, [800])  # back-dated after the export (an order import): not exported
    report = retention.maintain(session, retention_days=730, now=NOW)
    assert report.rows_deleted == 3
    assert ages(session) == [10, 729, 800]


def test_an_export_of_some_kinds_only_is_not_a_backup(runner, session, tmp_path):
    add_events(session, [1000])
    export(runner, tmp_path, "--event", "view")
    assert retention.maintain(session, retention_days=730, now=NOW).rows_deleted == 0
    assert retention.exported_up_to(session) is None


def test_measurement_events_past_retention_go_with_the_exported_ones(runner, session, tmp_path):
    add_events(session, [1000, 10])
    add_events(session, [1000, 10], kind="impression")
    export(runner, tmp_path)
    assert retention.maintain(session, retention_days=730, now=NOW).rows_deleted == 2
    assert ages(session) == [10, 10]


def test_zero_retention_keeps_everything(runner, session, tmp_path):
    add_events(session, [5000])
    export(runner, tmp_path)
    report = retention.maintain(session, retention_days=0, now=NOW)
    assert report.rows_deleted == 0 and report.cutoff is None
    assert ages(session) == [5000]


def test_rows_are_deleted_in_bounded_batches_each_its_own_transaction(app, session, runner, tmp_path):
    add_events(session, [1000 + i for i in range(25)] + [1])
    export(runner, tmp_path)
    deletes, commits = [], []
    engine = session.get_bind()

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(cursor.rowcount)

    event.listen(engine, "after_cursor_execute", on_execute)
    event.listen(engine, "commit", lambda conn: commits.append(1))
    try:
        report = retention.maintain(session, retention_days=730, now=NOW, batch_size=10)
    finally:
        event.remove(engine, "after_cursor_execute", on_execute)
    assert report.rows_deleted == 25
    assert deletes == [10, 10, 5]
    assert len(commits) >= 3
    assert ages(session) == [1]


def test_shop_db_maintain_uses_the_configured_retention(app, runner, session, tmp_path):
    add_events(session, [400, 100])
    export(runner, tmp_path)
    app.config["EVENT_RETENTION_DAYS"] = 365
    result = runner.invoke(args=["db", "maintain"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 event row." in result.output
    assert ages(session) == [100]


def test_the_retention_setting_defaults_to_two_years(app):
    assert app.config["EVENT_RETENTION_DAYS"] == 730


@pytest.mark.parametrize("days, expected", [(30, 2), (None, 4)])
def test_training_reads_only_its_window(runner, session, demo, days, expected):
    from recommender.persistence import artifact_info
    from shop.recommendations.training import artifact_path

    session.execute(Event.__table__.delete())
    add_events(session, [400, 100, 5, 1])
    args = ["recommender", "train", *([] if days is None else ["--since-days", str(days)])]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    stats = artifact_info(artifact_path(runner.app.config["MODEL_DIR"]))["metadata"]["data_stats"]
    assert stats["n_events_read"] == expected
