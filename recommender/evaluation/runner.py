"""Fit several models on one split and compare them with one metric code.

The runner builds the train matrix once, fits each model on it, asks for the
top-k of every test user with already-seen items excluded (in batches, so
memory stays bounded), and reports quality together with the costs the shop
cares about: fit time and the latency of one visitor's top-k.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from recommender.collaborative import EASE, ItemKNN, RP3beta
from recommender.evaluation.metrics import ranking_metrics
from recommender.interactions import IdIndex, Interactions, to_matrix
from recommender.ordering import recency_matrix
from recommender.popularity import Popularity, RandomRecommender

__all__ = ["SplitData", "build_matrices", "default_models", "evaluate", "fit_model", "measure",
           "prepare"]

_BATCH_USERS = 2048


def default_models(random_state=0) -> dict:
    """The baselines and each collaborative model with its measured defaults.

    Defaults were chosen on online-retail and amazon-beauty (leave-last-out,
    ndcg@10, binary matrix); see ``bench/results/quality.json``.

    Examples
    --------
    >>> sorted(default_models())
    ['ease', 'itemknn', 'popularity', 'random', 'rp3beta']
    """
    return {
        "random": RandomRecommender(random_state=random_state),
        "popularity": Popularity(),
        "itemknn": ItemKNN(),
        "rp3beta": RP3beta(),
        "ease": EASE(),
    }


def build_matrices(train: Interactions, test: Interactions, weighting: str = "binary",
                   event_weights: Mapping[str, float] | None = None):
    """Train and test matrices over one user and item index.

    Items come from train and test, so a test item never seen in training
    counts as a miss rather than disappearing; users come from training
    (a test user without history cannot be evaluated).

    Parameters
    ----------
    train, test : Interactions
    weighting : {'binary', 'log', 'raw'}
        Transform of the summed train weights: 1, ``log1p(w)`` or ``w``.
    event_weights : mapping, optional
        Passed to :func:`~recommender.interactions.to_matrix`.

    Returns
    -------
    X_train : csr_matrix (users x items)
    X_test : csr_matrix (users x items), binary
    users, items : IdIndex
    """
    users = IdIndex(train.user_ids)
    items = IdIndex(np.concatenate([train.item_ids, test.item_ids]))
    X, _, _ = to_matrix(train, users, items, event_weights=event_weights)
    if weighting == "binary":
        X.data[:] = 1.0
    elif weighting == "log":
        X.data = np.log1p(X.data)
    elif weighting != "raw":
        raise ValueError(f"weighting must be 'binary', 'log' or 'raw', got {weighting!r}")
    T, _, _ = to_matrix(test, users, items, event_weights={})
    T.data[:] = 1.0
    return X, T, users, items


def _recommend(model, X: sp.csr_matrix, rows: np.ndarray, k: int, times=None) -> np.ndarray:
    # Models with per-user state (e.g. a wrapped ALS) may want the user indices too.
    known = getattr(model, "recommend_for_users", None)
    if known is not None:
        return known(rows, X[rows], N=k)[0]
    if getattr(model, "uses_order", False):
        return model.recommend(X[rows], N=k, filter_already_liked_items=True,
                               times=None if times is None else times[rows])[0]
    return model.recommend(X[rows], N=k, filter_already_liked_items=True)[0]


def fit_model(model, X: sp.csr_matrix, times=None):
    """``model.fit(X)``, passing ``times`` to the models that read order."""
    if getattr(model, "uses_order", False):
        return model.fit(X, times=times)
    return model.fit(X)


@dataclass(frozen=True)
class SplitData:
    """One split as matrices: train rows, their order, the held-out items, batches of users."""

    X: sp.csr_matrix
    times: sp.csr_matrix | None
    relevant: sp.csr_matrix
    rows: np.ndarray
    n_items: int

    @property
    def batches(self) -> list[np.ndarray]:
        return [self.rows[i:i + _BATCH_USERS] for i in range(0, len(self.rows), _BATCH_USERS)]


def prepare(train: Interactions, test: Interactions, weighting: str = "binary",
            event_weights: Mapping[str, float] | None = None, with_times: bool = True
            ) -> SplitData:
    """Matrices of one split (see :func:`build_matrices`), plus each entry's latest time."""
    X, T, users, items = build_matrices(train, test, weighting, event_weights)
    times = recency_matrix(train, users, items, like=X) if with_times else None
    rows = np.flatnonzero(np.diff(T.indptr))
    return SplitData(X=X, times=times, relevant=T[rows], rows=rows, n_items=len(items))


def measure(model, data: SplitData, k: int, on_batch=None) -> dict[str, float]:
    """Ranking metrics of a fitted ``model``'s top-``k`` for every test user of ``data``."""
    recommended = np.full((len(data.rows), k), -1, dtype=np.int64)
    pos = 0
    for batch in data.batches:
        top = _recommend(model, data.X, batch, k, data.times)
        recommended[pos:pos + len(batch), :top.shape[1]] = top
        pos += len(batch)
        if on_batch is not None:
            on_batch()
    return ranking_metrics(recommended, data.relevant, k=k, n_items=data.n_items)


def evaluate(models: Mapping[str, object], train: Interactions, test: Interactions, k: int = 10,
             progress: bool = True, *, weighting: str = "binary",
             event_weights: Mapping[str, float] | None = None, latency_users: int = 200,
             random_state=0) -> dict[str, dict[str, float]]:
    """Fit every model on ``train`` and measure its top-``k`` on ``test``.

    Parameters
    ----------
    models : mapping of name -> model
        Objects with ``fit(X)`` and ``recommend(user_items, N, filter_already_liked_items)``
        (or ``recommend_for_users(user_indices, user_items, N)``).
    train, test : Interactions
        For example from :func:`~recommender.evaluation.split.leave_last_out`.
    k : int
        Length of each recommendation list.
    progress : bool
        Show a tqdm progress bar.
    weighting : {'binary', 'log', 'raw'}
        Train matrix weighting, see :func:`build_matrices`.
    event_weights : mapping, optional
    latency_users : int
        Number of sampled test users whose single top-k is timed.
    random_state : int or None
        Seed of that sample.

    Returns
    -------
    dict of name -> dict
        The metrics of :func:`~recommender.evaluation.metrics.ranking_metrics`
        plus ``fit_seconds`` (wall clock), ``fit_cpu_seconds`` (CPU time of
        all threads, steadier on a busy machine), ``recommend_ms_p50``,
        ``recommend_ms_p99`` and ``n_test_users``; for a model whose ``fit`` refused the data
        (``ValueError``, ``MemoryError``, ``LinAlgError``) only ``error``
        and ``fit_seconds``.

    Examples
    --------
    >>> from recommender.evaluation.split import leave_last_out
    >>> inter = Interactions.from_records([("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b")])
    >>> train, test = leave_last_out(inter)
    >>> result = evaluate({"popularity": Popularity()}, train, test, k=1, progress=False)
    >>> result["popularity"]["hit_rate@1"]
    1.0
    """
    data = prepare(train, test, weighting, event_weights,
                   with_times=any(getattr(m, "uses_order", False) for m in models.values()))
    rng = check_random_state(random_state)
    sample = rng.choice(data.rows, size=min(latency_users, len(data.rows)), replace=False)
    bar = tqdm(total=len(models) * (len(data.batches) + 1), disable=not progress, unit="batch",
               desc="evaluate")
    results = {}
    try:
        for name, model in models.items():
            bar.set_postfix_str(f"{name}: fit")
            start, cpu_start = time.perf_counter(), time.process_time()
            try:
                fit_model(model, data.X, data.times)
            except (ValueError, MemoryError, np.linalg.LinAlgError) as exc:
                # A model may refuse the data (EASE above max_items): report, go on.
                results[name] = {"error": f"{type(exc).__name__}: {exc}",
                                 "fit_seconds": time.perf_counter() - start}
                bar.update(len(data.batches) + 1)
                continue
            fit_seconds = time.perf_counter() - start
            fit_cpu_seconds = time.process_time() - cpu_start
            bar.update(1)
            bar.set_postfix_str(f"{name}: recommend")
            metrics = measure(model, data, k, on_batch=lambda: bar.update(1))
            timings = []
            for user in sample:
                one = np.array([user])
                start = time.perf_counter()
                _recommend(model, data.X, one, k, data.times)
                timings.append((time.perf_counter() - start) * 1000.0)
            metrics.update(
                fit_seconds=fit_seconds,
                fit_cpu_seconds=fit_cpu_seconds,
                recommend_ms_p50=float(np.percentile(timings, 50)) if timings else 0.0,
                recommend_ms_p99=float(np.percentile(timings, 99)) if timings else 0.0,
                n_test_users=int(len(data.rows)),
            )
            results[name] = metrics
    finally:
        bar.close()
    return results
