"""Which products may be recommended, cached per worker: slugs once, a model-aligned mask once.

Eligibility (active, a variant in stock; for footwear, in the visitor's size and width) is one
SQL query per (size, width), :func:`catalog.eligibility.eligible_slugs`; this module only
caches it, per request (:func:`eligible`) and per worker (:class:`EligibleCache`). At 100k
products both that query and turning its slugs into the model's boolean mask cost tens of
milliseconds, so each app process keeps a short-lived snapshot per (size, width):

- a snapshot lives ``RECOMMENDER_ELIGIBLE_SECONDS`` (default 2 s, 0 under ``TESTING``): other
  gunicorn workers' sales show up here within that time;
- a commit in this process that changed stock or products (a checkout's ``UPDATE variants``,
  an ORM edit of a ``Variant`` or ``Product``, an import) drops every snapshot at once, so a
  visitor never sees an item they just bought out of stock in this worker;
- the mask over the model's items is computed once per snapshot and model
  (:meth:`EligibleSnapshot.mask_for`, through the model's ``eligible_mask``); callers pass
  the anchor, cart and other exclusions as ``exclude=`` instead of changing it;
- results that depend only on the model and on eligibility (the product page's ranked lists,
  see ``slots.product_slots``) can be kept on the snapshot (:meth:`EligibleSnapshot.remember`),
  so they go when it goes: on expiry and on this worker's stock commits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from catalog import eligibility as catalog_eligibility
from catalog.models import Product, Variant
from recommender.types import Recommender

from ..extensions import db
from .signals import request_cache

#: Tables whose committed changes can change eligibility.
WATCHED_TABLES = frozenset({Variant.__tablename__, Product.__tablename__})
_DIRTY = "shop.eligibility.dirty"


@dataclass
class EligibleSnapshot:
    """Eligible product slugs at one moment, and their mask over a model's items."""

    slugs: frozenset[str]
    _masks: dict = field(default_factory=dict, repr=False)
    _results: dict = field(default_factory=dict, repr=False)

    #: Most results kept per snapshot (oldest dropped first).
    MAX_RESULTS = 2048

    def recall(self, key: Hashable):
        """A result kept with :meth:`remember` under ``key``, or ``None``."""
        return self._results.get(key)

    def remember(self, key: Hashable, value) -> None:
        """Keep ``value`` as long as this snapshot lives (at most ``MAX_RESULTS`` entries)."""
        results = self._results
        while len(results) >= self.MAX_RESULTS:
            try:
                del results[next(iter(results))]
            except (StopIteration, KeyError, RuntimeError):  # emptied by another thread
                break
        results[key] = value

    def mask_for(self, model: Recommender) -> np.ndarray:
        """``model.eligible_mask(slugs)``, computed once per model (read-only: the models copy
        it, or take ``exclude=`` instead of a changed mask).

        Keyed by the model's identity: a reloaded model or a rebuilt fallback gets its own
        mask, and the last two models are kept (the trained one and the fallback it falls
        back to).
        """
        key = id(model)
        cached = self._masks.get(key)
        if cached is None or cached[0] is not model:
            mask = model.eligible_mask(self.slugs)
            mask.flags.writeable = False
            masks = {k: v for k, v in self._masks.items() if k != key}
            self._masks = {**dict(list(masks.items())[-1:]), key: (model, mask)}
            cached = (model, mask)
        return cached[1]


class EligibleCache:
    """Per-process snapshots by key (size, width), dropped after ``seconds`` or on a commit
    in this process that changed stock or products."""

    def __init__(self, seconds: float = 2.0):
        self.seconds = float(seconds)
        self.generation = 0
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, EligibleSnapshot]] = {}

    def get(self, key: Hashable, load: Callable[[], frozenset[str]]) -> EligibleSnapshot:
        """The snapshot for ``key``, loading it with ``load()`` when missing or expired."""
        now = time.monotonic()
        if self.seconds > 0:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]
        generation = self.generation
        snapshot = EligibleSnapshot(load())
        if self.seconds > 0:
            with self._lock:
                # A stock change committed while we were reading: do not keep what we read.
                if generation == self.generation:
                    self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                    self._entries[key] = (now + self.seconds, snapshot)
        return snapshot

    def invalidate(self) -> None:
        """Forget every snapshot (stock or products changed)."""
        with self._lock:
            self.generation += 1
            self._entries = {}


def watch_commits(sessions, cache: EligibleCache) -> None:
    """Invalidate ``cache`` whenever a session made by ``sessions`` commits a change to
    products or variants (ORM flush or a bulk/Core ``INSERT``/``UPDATE``/``DELETE``)."""

    def _mark(session: Session) -> None:
        session.info[_DIRTY] = True

    @event.listens_for(sessions, "do_orm_execute")
    def _on_execute(state: ORMExecuteState) -> None:
        statement = state.statement
        if getattr(statement, "is_dml", False):
            table = getattr(statement, "table", None)
            if getattr(table, "name", None) in WATCHED_TABLES:
                _mark(state.session)

    @event.listens_for(sessions, "before_flush")
    def _on_flush(session: Session, _context, _instances) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, (Variant, Product)):
                _mark(session)
                return

    @event.listens_for(sessions, "after_commit")
    def _on_commit(session: Session) -> None:
        if session.info.pop(_DIRTY, False):
            cache.invalidate()

    @event.listens_for(sessions, "after_rollback")
    def _on_rollback(session: Session) -> None:
        session.info.pop(_DIRTY, None)


# ---------------------------------------------------------------------- per request
def eligible(profile: Mapping | None = None) -> EligibleSnapshot:
    """Active products with a variant in stock; for footwear, in the visitor's size and width.

    Queried at most once per request and (size, width), and at most once per
    ``RECOMMENDER_ELIGIBLE_SECONDS`` per worker unless this worker commits a stock change.
    """
    profile = profile or {}
    size = profile.get("shoe_size_eu")
    width = profile.get("width")
    key = (size, width)
    cache = request_cache().setdefault("eligible", {})
    if key not in cache:
        cache[key] = eligible_cache().get(key, lambda: catalog_eligibility.eligible_slugs(db.session, size, width))
    return cache[key]


def eligible_slugs(profile: Mapping | None = None) -> frozenset[str]:
    """The slugs of :func:`eligible`."""
    return eligible(profile).slugs


def eligible_cache(app=None) -> EligibleCache:
    """This worker's snapshots (made by ``init_app``)."""
    return (app or current_app).extensions["recommender_eligible"]
