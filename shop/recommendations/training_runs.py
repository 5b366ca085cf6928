"""Training started from the back office: one run at a time, in the background, its progress in
the database so every app process (gunicorn worker) can show it.

``start`` inserts a run with ``active = true``; a unique constraint on ``active`` lets only one
run be queued or running at a time in any process (the second insert fails: :class:`RunActive`).
The run trains in a thread of the process that started it, with its own session; the artifact
is written only at the end, atomically, so a failing run leaves the served model as it was.
A run whose process died (no progress for ``STALE_AFTER``) is marked failed by the next start.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.models import Base

from ..models import utcnow

log = logging.getLogger(__name__)

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


def execute(session: Session, run_id: int, model_dir: str, train=None) -> TrainingRun:
    """Train for run ``run_id`` in ``session``, recording each step; never raises for a training error."""
    from .training import STEPS
    from .training import train as default_train

    train = train or default_train
    run = session.get(TrainingRun, run_id)
    _set(session, run, status=RunStatus.RUNNING.value, stage="starting", started_at=utcnow())
    done = []

    def progress(step: str) -> None:
        done.append(step)
        _set(session, run, stage=step, progress=min(99, round(100 * len(done) / len(STEPS))))

    since = utcnow() - dt.timedelta(days=run.since_days) if run.since_days else None
    try:
        result = train(session, model_dir, since=since, progress=progress)
    except Exception as exc:  # noqa: BLE001 - any failure is the run's outcome, recorded for staff
        log.warning("training run %s failed", run_id, exc_info=True)
        session.rollback()
        run = session.get(TrainingRun, run_id)
        _set(session, run, status=RunStatus.FAILED.value, active=None, finished_at=utcnow(),
             message=f"{type(exc).__name__}: {exc}"[:MESSAGE_LENGTH])
        return run
    s = result.stats
    _set(session, run, status=RunStatus.SUCCEEDED.value, active=None, progress=100, stage="done",
         finished_at=utcnow(), model_version=result.header["model_version"],
         message=f"Trained on {s.get('n_interactions', 0)} events from {s.get('n_users', 0)} shoppers.")
    return run


def _set(session: Session, run: TrainingRun, **values) -> None:
    for key, value in values.items():
        setattr(run, key, value)
    run.updated_at = utcnow()
    session.commit()


def start_in_background(app, run_id: int) -> threading.Thread:
    """Run ``execute`` in a daemon thread with its own app context (and so its own session)."""
    from ..extensions import db

    def work() -> None:
        with app.app_context():
            try:
                execute(db.session, run_id, app.config["MODEL_DIR"])
            except Exception:  # noqa: BLE001 - the database itself failed; nothing more to record
                log.exception("training run %s could not be recorded", run_id)

    thread = threading.Thread(target=work, name=f"training-run-{run_id}", daemon=True)
    app.extensions.setdefault("training_threads", []).append(thread)
    thread.start()
    return thread


def wait_for_runs(app, timeout: float = 300.0) -> None:
    """Join this process's training threads (tests, and a clean shutdown)."""
    for thread in app.extensions.get("training_threads", []):
        thread.join(timeout)
