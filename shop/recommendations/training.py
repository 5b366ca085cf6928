"""Train the hybrid recommender on the shop's data and save it as one atomic artifact.

``train()`` is a plain function over a session so the CLI, a scheduler or a test can call
it. Steps report progress through an optional callback (the CLI draws a progress bar).
"""

from __future__ import annotations

import datetime as dt
import getpass
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from catalog import vocabulary
from recommender.hybrid import HybridRecommender
from recommender.persistence import save_artifact
from recommender.profile import RuleTable

from . import bridge

ARTIFACT_NAME = "recommender.bcart"
STEPS = ("products", "articles", "events", "fit", "save")
#: The shop's hyper-parameters: the library's defaults (tuned on the demo catalog).
DEFAULT_PARAMS: dict = {}


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


def train(session: Session, model_dir: str | Path, *, params: dict | None = None,
          since: dt.datetime | None = None,
          progress: Callable[[str], None] | None = None) -> TrainResult:
    """Read products, articles and events, fit a :class:`HybridRecommender`, save it atomically.

    Parameters
    ----------
    params : dict, optional
        Hyper-parameters of the hybrid (``DEFAULT_PARAMS`` otherwise).
    since : datetime, optional
        Only learn from events from then on.
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
    interactions = step("events", lambda: bridge.load_interactions(session, since=since))
    chosen = dict(DEFAULT_PARAMS if params is None else params)
    # The profile rules speak the catalog's words: its registry travels with the rule file.
    chosen["rules_path"] = RuleTable(chosen.get("rules_path"), vocabulary.as_data())
    hybrid = HybridRecommender(**chosen)
    model = step("fit", lambda: hybrid.fit(items, interactions, documents))

    directory = Path(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = artifact_path(directory)
    stamps = interactions.timestamps
    stats = {
        **model.stats_,
        "n_events_read": len(interactions),
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
