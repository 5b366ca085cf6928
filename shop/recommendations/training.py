"""Train the hybrid recommender on the shop's data and save it as one atomic artifact.

``train()`` is a plain function over a session so the CLI, a scheduler or a test can call
it. Steps report progress through an optional callback (the CLI draws a progress bar).
Products and articles always come from the database; the events too by default, or, with
``engine="spark"``, Spark summarises the Parquet event log (:mod:`.spark_training`) and the
same model is fitted from that summary (docs/scaling.md).

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
from recommender.hybrid_statistics import item_space
from recommender.interactions import Interactions
from recommender.persistence import save_artifact
from recommender.profile import RuleTable

from ..models import Event
from . import bridge, profile_rules_store

ARTIFACT_NAME = "recommender.bcart"
STEPS = ("products", "articles", "events", "fit", "save")
#: The shop's hyper-parameters: the library's defaults (tuned on the demo catalog), and each
#: visitor's history capped at their 500 most recent items (bounds the cost of co-occurrences).
DEFAULT_PARAMS: dict = {"max_user_items": 500}
#: Where the events are read and summarised: the database in process, or Spark over Parquet.
ENGINES = ("python", "spark")
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
          progress: Callable[[str], None] | None = None, engine: str = "python",
          events_uri: str | None = None, spark=None) -> TrainResult:
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
    engine : {'python', 'spark'}
        ``'python'`` reads the events from the database; ``'spark'`` has Spark summarise the
        Parquet event log at ``events_uri`` (``shop events export --format parquet``) and
        fits the same model from that summary (:mod:`.spark_training`).
    spark : SparkSession, optional
        The session for ``engine='spark'`` (default: a local one on every core).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "spark" and not events_uri:
        raise ValueError("the Spark engine reads the Parquet event log: give its folder or URI")
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
    chosen = dict(DEFAULT_PARAMS if params is None else params)
    # The profile rules speak the catalog's words: its registry travels with the rule file.
    chosen["rules_path"] = RuleTable(chosen.get("rules_path") or profile_rules_store.current_path(),
                                     vocabulary.as_data())
    hybrid = HybridRecommender(**chosen)
    cap = _configured_cap() if max_events_per_visitor_day is None else max_events_per_visitor_day
    if engine == "spark":
        from . import spark_training

        spark = spark or spark_training.session()
        job = step("events", lambda: spark_training.summarize(
            spark, spark_training.read_events(spark, events_uri), hybrid, item_space(items, documents),
            since=since, max_events_per_visitor_day=cap))
        model = step("fit", lambda: hybrid.fit(items, None, documents, statistics=job.summary))
        read = {"n_events_read": job.n_events_read, "n_visitors_over_daily_cap": job.n_visitors_over_daily_cap,
                "events_from": _iso(job.events_from) if job.events_from is not None else None,
                "events_to": _iso(job.events_to) if job.events_to is not None else None}
    else:
        interactions, n_capped = step("events", lambda: read_interactions(session, since, cap))
        model = step("fit", lambda: hybrid.fit(items, interactions, documents))
        stamps = interactions.timestamps
        read = {"n_events_read": len(interactions), "n_visitors_over_daily_cap": n_capped,
                "events_from": _iso(stamps.min()) if len(stamps) else None,
                "events_to": _iso(stamps.max()) if len(stamps) else None}

    directory = Path(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = artifact_path(directory)
    stats = {**model.stats_, **read}
    metadata = {
        "data_stats": stats,
        "trained_by": f"{_user()}@{socket.gethostname()}",
        "engine": engine,
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
