"""Training runs started from the back office, recorded in the database so every app process
(gunicorn worker) can show their progress; :mod:`.retrain` runs them.

``create`` inserts a run with ``active = true``; a unique constraint on ``active`` lets only one
run be queued or running at a time in any process (the second insert fails: :class:`RunActive`).
A run whose process died (no news for ``STALE_AFTER``) is marked failed by the next ``create``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.models import Base

from ..models import utcnow

STALE_AFTER = dt.timedelta(minutes=30)
MESSAGE_LENGTH = 1000


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class TrainingRun(Base):
    """One "retrain now": who asked, how far it got, how it ended and the model it produced."""

    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(40), default="queued")
    message: Mapped[str | None] = mapped_column(String(MESSAGE_LENGTH))
    model_version: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[str | None] = mapped_column(String(254))
    since_days: Mapped[int | None] = mapped_column(Integer)
    #: True while queued or running, NULL after: unique, so one active run at most.
    active: Mapped[bool | None] = mapped_column(Boolean, unique=True, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Last sign of life of the thread that runs it (see ``STALE_AFTER``).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RunActive(Exception):
    """Another run is queued or running."""

    def __init__(self, run: TrainingRun | None):
        self.run = run
        super().__init__(f"Training run {run.id} is {run.status}; wait for it to finish." if run
                         else "A training run is already under way.")


def active_run(session: Session) -> TrainingRun | None:
    return session.scalar(select(TrainingRun).where(TrainingRun.active.is_(True)))


def latest_runs(session: Session, limit: int = 10) -> list[TrainingRun]:
    return list(session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)))


def create(session: Session, requested_by: str | None, since_days: int | None = None) -> TrainingRun:
    """Add a queued run (flushed, not committed: the caller commits it with its audit entry).

    Call it first in a unit of work: when another run is active the session is rolled back.
    """
    now = utcnow()
    session.execute(
        update(TrainingRun).where(TrainingRun.active.is_(True), TrainingRun.updated_at < now - STALE_AFTER)
        .values(status=RunStatus.FAILED.value, active=None, finished_at=now,
                message="Abandoned: the process running it stopped giving news.")
        .execution_options(synchronize_session="fetch")
    )
    run = TrainingRun(requested_by=requested_by, since_days=since_days, created_at=now, updated_at=now)
    session.add(run)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise RunActive(active_run(session)) from None
    return run
