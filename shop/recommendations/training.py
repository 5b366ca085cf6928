"""Train the hybrid recommender on the shop's data and save it as one atomic artifact.

``train()`` is a plain function over a session so the CLI, a scheduler or a test can call
it. Steps report progress through an optional callback (the CLI draws a progress bar).

Visitors who logged more than ``TRAINING_MAX_EVENTS_PER_VISITOR_DAY`` events (of any kind) on
any one day are left out of training: no person browses like that, a script flooding the event
log to steer "Trending" and "Popular with other shoppers" does.
"""

from __future__ import annotations

import datetime as dt
import getpass
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import vocabulary
from recommender.hybrid import HybridRecommender
from recommender.interactions import Interactions
from recommender.persistence import save_artifact
from recommender.profile import RuleTable

from ..models import Event
from . import bridge, profile_rules_store

ARTIFACT_NAME = "recommender.bcart"
STEPS = ("products", "articles", "events", "fit", "save")
#: The shop's hyper-parameters: the library's defaults (tuned on the demo catalog).
DEFAULT_PARAMS: dict = {}
#: Events per visitor and day above which a visitor is not learned from (0: no cap).
DEFAULT_MAX_EVENTS_PER_VISITOR_DAY = 500


@dataclass(frozen=True)
class TrainResult:
    path: Path
    header: dict
    stats: dict
    seconds: dict[str, float]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def artifact_path(model_dir: str | Path) -> Path:
    return Path(model_dir) / ARTIFACT_NAME


def flooding_visitors(session: Session, max_per_day: int, since: dt.datetime | None = None) -> set[str]:
    """User keys (see :func:`bridge.user_key`) with more than ``max_per_day`` events on some day."""
    if max_per_day <= 0:
        return set()
    day = func.date(Event.created_at)
    stmt = (
        select(Event.user_id, Event.visitor_id)
        .group_by(Event.user_id, Event.visitor_id, day)
        .having(func.count() > max_per_day)
    )
    if since is not None:
        stmt = stmt.where(Event.created_at >= since)
    return {bridge.user_key(account, visitor) for account, visitor in session.execute(stmt)}


def read_interactions(session: Session, since: dt.datetime | None = None,
                      max_per_day: int | None = None) -> tuple[Interactions, int]:
    """The training events without those of flooding visitors, and how many visitors were left out."""
    if max_per_day is None:
        max_per_day = _configured_cap()
    interactions = bridge.load_interactions(session, since=since)
    flooders = flooding_visitors(session, max_per_day, since)
    if not flooders or not len(interactions):
        return interactions, len(flooders)
    keep = ~np.isin(interactions.user_ids, np.asarray(sorted(flooders), dtype=object))
    return interactions.take(np.flatnonzero(keep)), len(flooders)


def _configured_cap() -> int:
    if has_app_context():
        return int(current_app.config.get("TRAINING_MAX_EVENTS_PER_VISITOR_DAY",
                                          DEFAULT_MAX_EVENTS_PER_VISITOR_DAY))
    return DEFAULT_MAX_EVENTS_PER_VISITOR_DAY


def train(session: Session, model_dir: str | Path, *, params: dict | None = None,
          since: dt.datetime | None = None, max_events_per_visitor_day: int | None = None,
          progress: Callable[[str], None] | None = None) -> TrainResult:
    """Read products, articles and events, fit a :class:`HybridRecommender`, save it atomically.

    Parameters
    ----------
    params : dict, optional
        Hyper-parameters of the hybrid (``DEFAULT_PARAMS`` otherwise).
    since : datetime, optional
        Only learn from events from then on.
    max_events_per_visitor_day : int, optional
        Leave out visitors with more events than this on any day (0: keep all); default the
        app's ``TRAINING_MAX_EVENTS_PER_VISITOR_DAY``, else 500.
    progress : callable, optional
        Called with the name of each step when it is done (see ``STEPS``).
    """
    timings: dict[str, float] = {}
    done = progress or (lambda _step: None)

    def step(name: str, func):
        start = time.perf_counter()
        value = func()
        timings[name] = time.perf_counter() - start
        done(name)
        return value

    items = step("products", lambda: bridge.load_items(session))
    if not items:
        raise ValueError("there are no active products to recommend; import a catalog first")
    documents = step("articles", lambda: bridge.load_documents(session))
    interactions, n_capped = step(
        "events", lambda: read_interactions(session, since, max_events_per_visitor_day))
    chosen = dict(DEFAULT_PARAMS if params is None else params)
    # The profile rules speak the catalog's words: its registry travels with the rule file.
    chosen["rules_path"] = RuleTable(chosen.get("rules_path") or profile_rules_store.current_path(),
                                     vocabulary.as_data())
    hybrid = HybridRecommender(**chosen)
    model = step("fit", lambda: hybrid.fit(items, interactions, documents))

    directory = Path(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = artifact_path(directory)
    stamps = interactions.timestamps
    stats = {
        **model.stats_,
        "n_events_read": len(interactions),
        "n_visitors_over_daily_cap": n_capped,
        "events_from": _iso(stamps.min()) if len(stamps) else None,
        "events_to": _iso(stamps.max()) if len(stamps) else None,
    }
    metadata = {
        "data_stats": stats,
        "trained_by": f"{_user()}@{socket.gethostname()}",
        "since": since.isoformat() if since else None,
        "durations_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    header = step("save", lambda: save_artifact(model, path, metadata=metadata))
    return TrainResult(path=path, header=header, stats=stats, seconds=timings)


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(float(seconds), dt.UTC).isoformat(timespec="seconds")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"
