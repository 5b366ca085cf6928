"""Run a training run: in a background thread of this process, each step recorded in its row.

The thread has its own app context and so its own session. ``train`` writes the artifact only
at the end, atomically, so a run that fails leaves the served model as it was; the error is
recorded in the run's ``message``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy.orm import Session

from ..models import utcnow
from .training import STEPS
from .training import train as default_train
from .training_runs import MESSAGE_LENGTH, RunStatus, TrainingRun

log = logging.getLogger(__name__)


def execute(session: Session, run_id: int, model_dir: str, train=None) -> TrainingRun:
    """Train for run ``run_id`` in ``session``, recording each step; never raises for a training error."""
    train = train or default_train
    run = session.get(TrainingRun, run_id)
    _record(session, run, status=RunStatus.RUNNING.value, stage="starting", started_at=utcnow())
    done = []

    def progress(step: str) -> None:
        done.append(step)
        _record(session, run, stage=step, progress=min(99, round(100 * len(done) / len(STEPS))))

    since = utcnow() - dt.timedelta(days=run.since_days) if run.since_days else None
    try:
        result = train(session, model_dir, since=since, progress=progress)
    except Exception as exc:  # noqa: BLE001 - any failure is the run's outcome, recorded for staff
        log.warning("training run %s failed", run_id, exc_info=True)
        session.rollback()
        run = session.get(TrainingRun, run_id)
        _record(session, run, status=RunStatus.FAILED.value, active=None, finished_at=utcnow(),
                message=f"{type(exc).__name__}: {exc}"[:MESSAGE_LENGTH])
        return run
    s = result.stats
    _record(session, run, status=RunStatus.SUCCEEDED.value, active=None, progress=100, stage="done",
            finished_at=utcnow(), model_version=result.header["model_version"],
            message=f"Trained on {s.get('n_interactions', 0)} events from {s.get('n_users', 0)} shoppers.")
    return run


def _record(session: Session, run: TrainingRun, **values) -> None:
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
