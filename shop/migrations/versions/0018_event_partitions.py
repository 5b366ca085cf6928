"""event_exports; on PostgreSQL the events table partitioned by month of created_at

Revision ID: 0018_event_partitions
Revises: 0017_email_verification
Create Date: 2026-12-01 22:00:00

The existing events table is converted with its rows: renamed aside, a partitioned table
``LIKE`` it created (same columns, defaults and id sequence; primary key ``(id, created_at)``
as PostgreSQL requires the partition key in it), one partition per month from the oldest
event to three months ahead plus a default one, rows copied, the old table dropped. On
SQLite only ``event_exports`` is created.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0018_event_partitions'
down_revision = '0017_email_verification'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_events_kind_time", "kind, created_at"),
    ("ix_events_user_id", "user_id"),
    ("ix_events_visitor_time", "visitor_id, created_at"),
)
MONTHS_AHEAD = 3


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _partition_events() -> None:
    bind = op.get_bind()
    op.execute("ALTER TABLE events RENAME TO events_unpartitioned")
    op.execute("ALTER TABLE events_unpartitioned RENAME CONSTRAINT pk_events TO pk_events_unpartitioned")
    for name, _columns in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS "
               "INCLUDING CONSTRAINTS) PARTITION BY RANGE (created_at)")
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id, created_at)")
    op.execute("ALTER TABLE events ADD CONSTRAINT fk_events_user_id_users "
               "FOREIGN KEY (user_id) REFERENCES users (id)")
    for name, columns in INDEXES:
        op.execute(f"CREATE INDEX {name} ON events ({columns})")
    oldest = bind.scalar(sa.text("SELECT min(created_at) FROM events_unpartitioned"))
    today = dt.datetime.now(dt.UTC).date()
    month = dt.date((oldest or today).year, (oldest or today).month, 1)
    last = dt.date(today.year, today.month, 1)
    for _ in range(MONTHS_AHEAD):
        last = _next_month(last)
    while month <= last:
        end = _next_month(month)
        op.execute(f"CREATE TABLE events_{month.year:04d}_{month.month:02d} PARTITION OF events "
                   f"FOR VALUES FROM ('{month.isoformat()}') TO ('{end.isoformat()}')")
        month = end
    op.execute("CREATE TABLE events_default PARTITION OF events DEFAULT")
    op.execute("INSERT INTO events SELECT * FROM events_unpartitioned")
    op.execute("ALTER SEQUENCE events_id_seq OWNED BY NONE")
    op.execute("DROP TABLE events_unpartitioned")
    op.execute("ALTER SEQUENCE events_id_seq OWNED BY events.id")


def _unpartition_events() -> None:
    op.execute("CREATE TABLE events_plain (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute("INSERT INTO events_plain SELECT * FROM events")
    op.execute("ALTER SEQUENCE events_id_seq OWNED BY NONE")
    op.execute("DROP TABLE events CASCADE")  # and its partitions
    op.execute("ALTER TABLE events_plain RENAME TO events")
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id)")
    op.execute("ALTER TABLE events ADD CONSTRAINT fk_events_user_id_users "
               "FOREIGN KEY (user_id) REFERENCES users (id)")
    for name, columns in INDEXES:
        op.execute(f"CREATE INDEX {name} ON events ({columns})")
    op.execute("ALTER SEQUENCE events_id_seq OWNED BY events.id")


def upgrade() -> None:
    op.create_table('event_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.Column('kinds', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('max_event_id', sa.Integer(), nullable=True),
    sa.Column('first_event_at', sa.DateTime(), nullable=True),
    sa.Column('last_event_at', sa.DateTime(), nullable=True),
    sa.Column('destination', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_exports'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _partition_events()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unpartition_events()
    op.drop_table('event_exports')
