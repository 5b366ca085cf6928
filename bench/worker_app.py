"""The served model alone, as a WSGI app for ``bench/worker_memory.py`` (never deployed).

Each gunicorn worker holds the shop's own :class:`~shop.recommendations.store.ModelStore`
over ``MODEL_DIR`` (loaded and hot-swapped exactly as the shop does) and answers
``GET /recommend?h=id,id,...`` with the home recommendation for that history among 95% of the
catalog (the shop's eligibility mask, computed once per model version), timing the model
call itself. ``GET /pid`` names the worker. Without a model the store serves nothing and the
worker answers 503: that run measures what a worker costs without a model.
"""

from __future__ import annotations

import json
import os
import time
from urllib.parse import parse_qs

# What a shop worker holds with or without a model, loaded up front so that the run without
# a model holds it too: the model's code, pandas (and pyarrow, which pandas imports on first
# indexing), and the eligible product ids (the shop's in-stock snapshot).
import pandas  # noqa: F401
import sklearn.feature_extraction.text  # noqa: F401
from synthetic import END, eligible_mask

import recommender.hybrid  # noqa: F401
from recommender.types import VisitorContext
from shop.recommendations.store import ModelStore

try:
    import pyarrow  # noqa: F401
except ImportError:
    pass

store = ModelStore(os.environ["MODEL_DIR"], check_seconds=1.0, max_age_days=None)
_masks: dict[str, object] = {}
_ELIGIBLE = [f"p{i:06d}" for i in eligible_mask(int(os.environ["BENCH_ITEMS"])).nonzero()[0]]


def _mask(model, version: str):
    if version not in _masks:
        _masks.clear()
        _masks[version] = model.eligible_mask(_ELIGIBLE)
    return _masks[version]


def _answer(start_response, status: str, body: dict):
    raw = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))])
    return [raw]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path in ("/pid", "/api/categories"):  # the latter: what bench/_server.py waits for
        return _answer(start_response, "200 OK", {"pid": os.getpid()})
    if path != "/recommend":
        return _answer(start_response, "404 Not Found", {"error": "not found"})
    served = store.current()
    if served.model is None:
        return _answer(start_response, "503 Service Unavailable",
                       {"pid": os.getpid(), "problem": served.problem})
    query = parse_qs(environ.get("QUERY_STRING", ""))
    history = [h for h in (query.get("h") or [""])[0].split(",") if h]
    context = VisitorContext("home", history=[(item, "view", END - 60.0 * (len(history) - i))
                                              for i, item in enumerate(history)])
    mask = _mask(served.model, served.version)
    started, cpu = time.perf_counter(), time.thread_time()
    recs = served.model.recommend(context, 10, mask)
    model_ms = (time.perf_counter() - started) * 1000.0
    model_cpu_ms = (time.thread_time() - cpu) * 1000.0
    return _answer(start_response, "200 OK", {
        "pid": os.getpid(), "version": served.version, "model_ms": model_ms, "model_cpu_ms": model_cpu_ms,
        "items": [r.item_id for r in recs]})
