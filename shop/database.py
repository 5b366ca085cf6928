"""A small SQLAlchemy 2 binding: one engine per app, one session per app context.

A request uses at most one pooled connection (its session's; the event log writes through it
too), so a burst can only queue for the pool, never deadlock on it. Waiting for a connection
is bounded by ``DB_POOL_TIMEOUT``: an exhausted pool raises ``sqlalchemy.exc.TimeoutError``
quickly, which the error handlers answer with a 503 and ``Retry-After``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: Pool settings (``DB_POOL_SIZE``, ``DB_MAX_OVERFLOW``, ``DB_POOL_TIMEOUT`` in the config).
POOL_DEFAULTS = {"pool_size": 5, "max_overflow": 10, "pool_timeout": 2.0}


def pool_options(config: dict | None = None) -> dict:
    """Pool sizes and the longest wait for a connection, from ``DB_*`` config keys."""
    config = config or {}
    return {
        "pool_size": int(config.get("DB_POOL_SIZE", POOL_DEFAULTS["pool_size"])),
        "max_overflow": int(config.get("DB_MAX_OVERFLOW", POOL_DEFAULTS["max_overflow"])),
        "pool_timeout": float(config.get("DB_POOL_TIMEOUT", POOL_DEFAULTS["pool_timeout"])),
    }


def make_engine(url: str, pool: dict | None = None) -> Engine:
    """An engine with the settings each backend needs for a web shop.

    ``pool``: :func:`pool_options` (the defaults when omitted). An in-memory SQLite database
    keeps SQLAlchemy's single shared connection and takes no pool options.
    """
    pool = pool_options() if pool is None else pool
    if url.startswith("sqlite"):
        memory = ":memory:" in url or url in ("sqlite://", "sqlite:///")
        engine = create_engine(url, connect_args={"timeout": 30}, **({} if memory else pool))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


@dataclass
class _State:
    engine: Engine
    sessions: sessionmaker[Session]


class Database:
    """``db.session`` is the current app context's session, closed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"], pool_options(app.config))
        app.extensions["database"] = _State(engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def _state() -> _State:
        return current_app.extensions["database"]

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self._state().sessions()
        return g.db_session

    @staticmethod
    def fail_fast() -> None:
        """For the rest of this context, database access fails at once instead of waiting.

        Called when the pool is exhausted or the database is down: the error page's own reads
        (the header's mini-cart) then fail immediately (``UnboundExecutionError``, which they
        tolerate) rather than queue for a connection a second time.
        """
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
        g.db_session = Session()

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
