"""Migration 0013 on PostgreSQL: the events table becomes partitioned by month, rows kept;
``shop db maintain`` creates months ahead and drops exported expired months whole."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import create_engine, insert, make_url, select, text
from sqlalchemy.orm import Session

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"),
    reason="PostgreSQL only (DATABASE_URL)")

DB_NAME = "backcare_migrate_events"


@pytest.fixture
def fresh_engine():
    """An empty database of its own (the suite's database has the models' plain schema)."""
    url = make_url(os.environ["DATABASE_URL"])
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME}"))
        connection.execute(text(f"CREATE DATABASE {DB_NAME}"))
    engine = create_engine(url.set(database=DB_NAME))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME}"))
    admin.dispose()


def months_ago(n: int) -> dt.datetime:
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    month = today.year * 12 + today.month - 1 - n
    return dt.datetime(month // 12, month % 12 + 1, 15, 12, 0)


def test_the_migration_partitions_existing_events_and_keeps_them(fresh_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import shop.models  # noqa: F401
    from catalog.models import Base
    from shop.events import partitions
    from shop.migrate import alembic_config, include_object, upgrade

    upgrade(fresh_engine, "0010_discounts")
    with fresh_engine.begin() as connection:
        for n in (30, 2, 0):
            connection.execute(text(
                "INSERT INTO events (visitor_id, kind, item_id, weight, created_at) "
                "VALUES ('v', 'view', 'x', 1.0, :t)"), {"t": months_ago(n)})
    upgrade(fresh_engine)
    with fresh_engine.begin() as connection:
        assert partitions.is_partitioned(connection)
        assert connection.scalar(text("SELECT count(*) FROM events")) == 3
        names = [p.name for p in partitions.monthly_partitions(connection)]
        assert len(names) == 30 + 1 + 3  # oldest event's month to three months ahead
        key = connection.scalars(text(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'events'::regclass "
            "AND i.indisprimary ORDER BY a.attname")).all()
        assert key == ["created_at", "id"]
        # new rows get fresh ids from the kept sequence, through the ORM too
        with Session(bind=connection) as session:
            session.add(shop.models.Event(visitor_id="w", kind="view", item_id="y"))
            session.flush()
            assert session.scalar(select(shop.models.Event.id).where(
                shop.models.Event.visitor_id == "w")) == 4
        context = MigrationContext.configure(connection, opts={"include_object": include_object,
                                                                "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    from alembic import command

    command.downgrade(alembic_config(fresh_engine), "0010_discounts")
    with fresh_engine.begin() as connection:
        assert not partitions.is_partitioned(connection)
        assert connection.scalar(text("SELECT count(*) FROM events")) == 4


def test_maintain_creates_months_ahead_and_drops_exported_expired_months(fresh_engine):
    from shop.events import partitions, retention
    from shop.migrate import upgrade
    from shop.models import Event

    upgrade(fresh_engine)  # an empty table: partitions from this month on
    with Session(fresh_engine) as session:
        for n in (30, 26, 1):
            partitions.create_month(session.connection(), months_ago(n))
        session.execute(insert(Event), [
            {"visitor_id": "v", "kind": "view", "item_id": "x", "weight": 1.0, "created_at": t}
            for t in (months_ago(30), months_ago(26), months_ago(1))])
        session.commit()
        # a month nobody prepared: its row waits in the default partition until maintain
        session.execute(text("DROP TABLE events_" + months_ago(-3).strftime("%Y_%m")))
        session.execute(insert(Event), [{"visitor_id": "v", "kind": "view", "item_id": "x",
                                         "weight": 1.0, "created_at": months_ago(-3)}])
        session.commit()
        assert session.scalar(text("SELECT count(*) FROM events_default")) == 1

        first = retention.maintain(session, retention_days=730, months_ahead=4)
        assert first.partitions_dropped == [] and first.exported_up_to is None
        assert months_ago(-3).strftime("events_%Y_%m") in first.partitions_created
        assert months_ago(-4).strftime("events_%Y_%m") in first.partitions_created
        assert session.scalar(text("SELECT count(*) FROM events_default")) == 0

        retention.record_export(session, max_event_id=retention.latest_event_id(session),
                                kinds=("read", "view", "cart", "purchase"), rows=4,
                                destination="test")
        session.execute(insert(Event), [{"visitor_id": "late", "kind": "view", "item_id": "x",
                                         "weight": 1.0, "created_at": months_ago(26)}])
        session.commit()
        second = retention.maintain(session, retention_days=730)
        expired = [p.name for p in partitions.monthly_partitions(session.connection())
                   if p.end < (dt.datetime.now() - dt.timedelta(days=730)).date()]
        assert months_ago(30).strftime("events_%Y_%m") in second.partitions_dropped
        assert second.partitions_kept_unexported == [months_ago(26).strftime("events_%Y_%m")]
        assert expired == second.partitions_kept_unexported
        # the 26-month-old partition stays whole (its late row is not exported yet)
        assert sorted(session.scalars(select(Event.visitor_id)).all()) == ["late", "v", "v", "v"]
