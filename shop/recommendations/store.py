"""The served model: loaded at start, reloaded when a newer artifact appears, else popularity.

Each app process (gunicorn worker) holds one :class:`ModelStore`. At most every
``check_seconds`` a request ``stat``s the artifact; when its modification time, size or
inode changed, the file is loaded and verified (``recommender.persistence``). A missing,
stale (older than ``max_age_days``) or corrupt artifact is logged once as a warning and the
shop serves :class:`~shop.recommendations.fallback.PopularityFallback` — never an error page.
Training writes the artifact atomically, so a reader never sees half a file.

The model's large arrays are not copied into the worker: a format 4 artifact keeps them —
the product ids and the id index too — in ``.npy`` files of a version directory that every
worker maps read-only (:mod:`recommender.persistence`), so all workers share one copy in the
page cache and each adds about 1% of the model for itself (``bench/worker_memory.py``). Swapping in
a new version maps the new version's files; the old model's maps go with its last reference.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.hybrid import HybridRecommender
from recommender.persistence import ArtifactError, load_artifact

from .fallback import PopularityFallback
from .training import artifact_path

log = logging.getLogger(__name__)


def release_heap() -> None:
    """Give the heap that loading freed back to the OS (glibc keeps it otherwise).

    Unpickling a model's skeleton allocates and frees memory (tens of MiB for a format 3
    artifact's Python strings, little for format 4); the model's arrays themselves are shared
    file maps, so without this a worker could keep more freed heap than it holds of the model.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc (macOS, musl): nothing to trim
        pass


@dataclass(frozen=True)
class Served:
    """A snapshot of what the store serves: the model (None = fallback) and why."""

    model: HybridRecommender | None
    header: dict | None
    problem: str | None  # why the fallback is served; None when the model is

    @property
    def version(self) -> str:
        if self.model is None or self.header is None:
            return PopularityFallback.version
        return self.header["model_version"]


def artifact_age(header: dict, now: dt.datetime | None = None) -> dt.timedelta | None:
    try:
        created = dt.datetime.fromisoformat(header["created_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return (now or dt.datetime.now(dt.UTC)) - created


def stale_problem(header: dict, max_age_days: float | None) -> str | None:
    """Why a (readable) artifact should not be served, or None."""
    if not max_age_days:
        return None
    age = artifact_age(header)
    if age is None:
        return "the artifact has no valid creation time"
    if age > dt.timedelta(days=max_age_days):
        return f"the model is stale: trained {age.days} days ago (limit {max_age_days:g} days)"
    return None


class ModelStore:
    """Thread-safe holder of the current model with cheap, rate-limited reload checks."""

    def __init__(self, model_dir: str | Path, *, check_seconds: float = 5.0,
                 max_age_days: float | None = 30.0, fallback_seconds: float = 60.0):
        self.path = artifact_path(model_dir)
        self.check_seconds = check_seconds
        self.max_age_days = max_age_days
        self.fallback_seconds = fallback_seconds
        self._lock = threading.Lock()
        self._served = Served(None, None, "not loaded yet")
        self._signature: tuple | None | str = "unset"
        self._checked_at = float("-inf")
        self._fallback: tuple[float, PopularityFallback] | None = None

    # ------------------------------------------------------------------ reading
    def current(self) -> Served:
        """The model to serve now, after a reload check if one is due."""
        if time.monotonic() - self._checked_at >= self.check_seconds:
            self.refresh()
        return self._served

    def refresh(self, force: bool = False) -> Served:
        """Stat the artifact and (re)load it if it changed (or ``force``)."""
        with self._lock:
            self._checked_at = time.monotonic()
            signature = self._stat()
            if not force and signature == self._signature:
                self._check_still_fresh()
                return self._served
            self._signature = signature
            self._served = self._load(signature)
            return self._served

    def fallback(self, session) -> PopularityFallback:
        """Database popularity, rebuilt at most every ``fallback_seconds``."""
        cached = self._fallback
        now = time.monotonic()
        if cached is None or now - cached[0] >= self.fallback_seconds:
            cached = (now, PopularityFallback.from_database(session))
            self._fallback = cached
        return cached[1]

    # ------------------------------------------------------------------ internals
    def _stat(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return ("error", str(exc))
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self, signature) -> Served:
        if signature is None:
            problem = f"no model at {self.path}; run `shop recommender train`"
            log.warning("Recommender: %s. Serving popularity instead.", problem)
            return Served(None, None, problem)
        started = time.perf_counter()
        try:
            model, header = load_artifact(self.path, expected_class=HybridRecommender)
        except ArtifactError as exc:
            log.warning("Recommender: cannot use the model (%s). Serving popularity instead.", exc)
            return Served(None, None, str(exc))
        problem = stale_problem(header, self.max_age_days)
        if problem:
            log.warning("Recommender: %s. Serving popularity instead; retrain with "
                        "`shop recommender train`.", problem)
            return Served(None, header, problem)
        log.info("Recommender: loaded model %s (%s) in %.2fs", header["model_version"],
                 header.get("created_at"), time.perf_counter() - started)
        release_heap()
        return Served(model, header, None)

    def _check_still_fresh(self) -> None:
        served = self._served
        if served.model is not None and served.header is not None:
            problem = stale_problem(served.header, self.max_age_days)
            if problem:
                log.warning("Recommender: %s. Serving popularity instead.", problem)
                self._served = Served(None, served.header, problem)


def init_store(app) -> ModelStore:
    """Create the app's store and load the newest model now, if there is one (a failure only logs)."""
    store = ModelStore(
        app.config["MODEL_DIR"],
        check_seconds=float(app.config.get("RECOMMENDER_CHECK_SECONDS", 5.0)),
        max_age_days=app.config.get("RECOMMENDER_MAX_AGE_DAYS", 30.0),
        fallback_seconds=float(app.config.get("RECOMMENDER_FALLBACK_SECONDS", 60.0)),
    )
    if store.path.exists():  # a missing model is reported when suggestions are first asked for
        store.refresh()
    app.extensions["recommender_store"] = store
    return store


def get_store(app=None) -> ModelStore:
    from flask import current_app

    return (app or current_app).extensions["recommender_store"]


def describe(store: ModelStore) -> dict[str, Any]:
    """What ``shop recommender status`` prints: version, age, data, served or not and why."""
    served = store.refresh(force=True)
    header = served.header
    info: dict[str, Any] = {"path": str(store.path), "served": served.model is not None,
                            "problem": served.problem}
    if header:
        age = artifact_age(header)
        info.update(
            model_version=header.get("model_version"),
            created_at=header.get("created_at"),
            age=str(age).split(".")[0] if age is not None else None,
            data_stats=(header.get("metadata") or {}).get("data_stats") or header.get("data_stats"),
            durations=(header.get("metadata") or {}).get("durations_seconds"),
        )
    return info
