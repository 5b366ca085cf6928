"""Serving A/B experiments: which variant a visitor is in, which model answers for them, and
what they did under it.

Assignment is sticky: a hash of the experiment and the visitor's experiment key (made on first
need and carried across log-in, see ``shop.visitor.log_in``), split by the variants' traffic
shares, which cannot change while the experiment runs — so a visitor's experience never changes
mid-session. Every impression and click in the experiment's slots, and every add-to-cart and
order after a visitor's first impression, is written to ``experiment_events`` with the variant,
in the same statement batch as the request's other events.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, g, session
from sqlalchemy import select

from recommender.types import Recommender

from ..extensions import db
from ..models import utcnow
from .experiment_models import Experiment

STRATEGIES = ("served", "popularity", "collaborative", "weights")
#: The served hybrid's signals with everything but "what other shoppers did" switched off
#: (a little popularity left to break ties and fill cold starts).
COLLABORATIVE_ONLY = {"content_anchor": 0.0, "content_history": 0.0, "profile": 0.0,
                      "footwear_profile": 0.0, "popularity": 0.1, "collaborative": 2.0}
KEY = "ab_key"
SEEN = "ab_seen"


@dataclass(frozen=True)
class Arm:
    experiment_id: int
    variant: str
    strategy: str
    weights: tuple | None
    traffic: int


@dataclass(frozen=True)
class Running:
    id: int
    slots: frozenset[str]
    arms: tuple[Arm, ...]


_lock = threading.Lock()
_cached: dict = {"until": 0.0, "running": ()}
_engines: dict = {}


def forget() -> None:
    with _lock:
        _cached["until"] = 0.0


def running() -> tuple[Running, ...]:
    """The running experiments, cached per worker for a few seconds (0 under TESTING)."""
    seconds = float(current_app.config.get("EXPERIMENTS_SECONDS", 0 if current_app.testing else 5))
    now = time.monotonic()
    with _lock:
        if seconds > 0 and now < _cached["until"]:
            return _cached["running"]
    rows = db.session.scalars(select(Experiment).where(Experiment.status == "running")).all()
    found = tuple(Running(row.id, frozenset(row.slots), tuple(
        Arm(row.id, v.name, v.strategy, tuple(sorted((v.weights or {}).items())) or None, v.traffic)
        for v in row.variants)) for row in rows)
    with _lock:
        _cached.update(until=now + seconds, running=found)
    return found


def visitor_key() -> str:
    """The visitor's sticky experiment key."""
    from ..visitor import visitor_id

    key = session.get(KEY)
    if key is None:
        key = session[KEY] = visitor_id()
    return key


def bucket(experiment_id: int, key: str) -> int:
    """0-99, uniform and fixed for one visitor in one experiment."""
    digest = hashlib.sha256(f"{experiment_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def assign(experiment: Running, key: str) -> Arm:
    point, total = bucket(experiment.id, key), 0
    for arm in experiment.arms:
        total += arm.traffic
        if point < total:
            return arm
    return experiment.arms[0]


def arm_for(slot: str) -> Arm | None:
    """The visitor's arm of the experiment running on ``slot``, if one runs there."""
    for experiment in running():
        if slot in experiment.slots and experiment.arms:
            return assign(experiment, visitor_key())
    return None


def runs_on(slot: str) -> bool:
    return any(slot in experiment.slots for experiment in running())


def engine_for(arm: Arm, served_model: Recommender | None, version: str) -> Recommender | None:
    """The model that answers for ``arm``; None: the served one as it is."""
    from .store import get_store

    if arm.strategy == "served":
        return None
    if arm.strategy == "popularity" or served_model is None:
        return get_store().fallback(db.session)
    key = (version, id(served_model), arm.experiment_id, arm.variant)
    model = _engines.get(key)
    if model is None:
        weights = COLLABORATIVE_ONLY if arm.strategy == "collaborative" else dict(arm.weights or ())
        model = copy.copy(served_model)  # shares the fitted arrays; only the weights differ
        model.signal_weights = {**(getattr(served_model, "signal_weights", None) or {}), **weights}
        with _lock:
            if len(_engines) > 64:
                _engines.clear()
            _engines[key] = model
    return model


@contextmanager
def serving(slot: str) -> Iterator[None]:
    """Within the block, the slot is ranked by the visitor's arm of an experiment on it."""
    from .service import served

    arm = arm_for(slot)
    if arm is None:
        yield
        return
    current = served()
    model = engine_for(arm, current.model, current.version)
    previous = g.get("rec_engine_override")
    g.rec_engine_override = model
    try:
        yield
    finally:
        g.rec_engine_override = previous


# ---------------------------------------------------------------------- what exposed visitors did
def rows_for(events: list[dict]) -> list[dict]:
    """``experiment_events`` rows for a request's admitted events."""
    experiments = running()
    if not experiments:
        return []
    key = visitor_key()
    seen = set(session.get(SEEN, []))
    out = []
    for row in events:
        for experiment in experiments:
            arm = assign(experiment, key)
            if row["kind"] in ("impression", "click") and row.get("slot") in experiment.slots:
                if row["kind"] == "impression":
                    seen.add(experiment.id)
            elif not (row["kind"] == "cart" and experiment.id in seen):
                continue
            out.append({"experiment_id": experiment.id, "variant": arm.variant, "visitor": key,
                        "kind": row["kind"], "slot": row.get("slot"), "item_id": row.get("item_id"),
                        "value": Decimal("0.00"), "created_at": row["created_at"]})
    if seen != set(session.get(SEEN, [])):
        session[SEEN] = sorted(seen)
    return out


def note_order(order) -> None:
    """Buffer an ``order`` row (its total) for every running experiment the visitor has seen."""
    seen = set(session.get(SEEN, []))
    if not seen:
        return
    key = visitor_key()
    for experiment in running():
        if experiment.id in seen:
            g.setdefault("pending_experiment_events", []).append({
                "experiment_id": experiment.id, "variant": assign(experiment, key).variant, "visitor": key,
                "kind": "order", "slot": None, "item_id": order.number, "value": order.total,
                "created_at": utcnow()})


def pending(events: list[dict]) -> list[dict]:
    """Everything to write for this request: rows for its events and the orders it placed."""
    return [*rows_for(events), *g.pop("pending_experiment_events", [])]

