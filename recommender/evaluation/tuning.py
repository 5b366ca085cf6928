"""Choose hyper-parameters on a validation split carved out of the training data only.

Why: a setting picked by its test score is a test score that lies. Selection here never
receives the test set: it splits the *training* interactions once more (each user's last
training interaction for leave-last-out, which is the second-to-last overall; the last
window before the test window for the time split), scores a small fixed grid there, and
returns the winner, which the caller refits on the whole training data and scores once.

Parameters a model reads only when recommending (``inference_params``, e.g. a recency
decay) are scored on one fit, so the budget counts fits, not grid points.

The validation problem is bounded (:func:`bounded_sample`): on a large catalog the grid is
scored on the :data:`SELECT_MAX_ITEMS` items most users had and a seeded sample of at most
:data:`SELECT_MAX_USERS` users. A dense model's fit costs ``n_items ** 3``, so scoring a grid
on the full catalog cost several times the final fit; on the sample it costs a fraction of
it, and the settings it picks (a recency decay, a penalty, a model family) are properties of
the data that a sample of it shows as well. Small data sets are used whole.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from recommender.evaluation.runner import SplitData, evaluate, fit_model, measure, prepare
from recommender.evaluation.split import leave_last_out, time_split
from recommender.interactions import Interactions

__all__ = ["SELECT_MAX_ITEMS", "SELECT_MAX_USERS", "Selection", "bounded_sample",
           "evaluate_tuned", "select", "validation_problem", "validation_split"]

#: Items of the validation problem at most (the most used ones), see :func:`bounded_sample`.
SELECT_MAX_ITEMS = 5_000
#: Users of the validation problem at most (a seeded sample).
SELECT_MAX_USERS = 10_000


@dataclass(frozen=True)
class Selection:
    """The chosen parameters, their validation score and every trial in grid order."""

    params: dict
    score: float
    trials: list[dict] = field(default_factory=list)
    n_fits: int = 0
    seconds: float = 0.0


def validation_split(train: Interactions, split: str = "leave-last",
                     window: float | None = None) -> tuple[Interactions, Interactions]:
    """Split ``train`` into a fitting part and a validation part.

    ``split='leave-last'`` holds out each user's last training interaction.
    ``split='time'`` holds out the last ``window`` seconds of training (default: the last
    20 % of its time span), as the test window is held out of the whole log.

    Examples
    --------
    >>> inter = Interactions.from_records([("u", "a"), ("u", "b"), ("u", "c")])
    >>> fit_part, val = validation_split(inter)
    >>> fit_part.item_ids.tolist(), val.item_ids.tolist()
    (['a', 'b'], ['c'])
    """
    if split == "leave-last":
        return leave_last_out(train)
    if split != "time":
        raise ValueError(f"split must be 'leave-last' or 'time', got {split!r}")
    t = train.timestamps
    if len(t) == 0:
        return train, train
    end, start = float(t.max()), float(t.min())
    window = 0.2 * (end - start) if window is None else float(window)
    return time_split(train, end - window)


def bounded_sample(train: Interactions, max_items: int | None = SELECT_MAX_ITEMS,
                   max_users: int | None = SELECT_MAX_USERS, seed: int = 0) -> Interactions:
    """The rows of ``train`` a grid is scored on: its ``max_items`` items with the most users
    (ties: lower id) and, of the users left with two or more rows, a seeded sample of
    ``max_users`` (``train`` itself when it is within both bounds).

    Deterministic: the same data and bounds always give the same rows, in their order.

    Examples
    --------
    >>> inter = Interactions.from_records(
    ...     [(f"u{u}", i) for u in range(4) for i in ("a", "b", "c")[: 1 + u % 3]])
    >>> sorted(set(bounded_sample(inter, max_items=2).item_ids.tolist()))
    ['a', 'b']
    >>> len(set(bounded_sample(inter, max_users=1).user_ids.tolist()))
    1
    """
    if not len(train):
        return train
    frame = pd.DataFrame({"user": train.user_ids.astype(str), "item": train.item_ids.astype(str)})
    keep = np.ones(len(train), dtype=bool)
    pairs = frame.drop_duplicates()
    if max_items is not None and pairs["item"].nunique() > max_items:
        users_per_item = pairs.groupby("item", sort=True).size()  # sorted by id: ties by id
        top = users_per_item.sort_values(ascending=False, kind="stable").index[:max_items]
        keep &= frame["item"].isin(top).to_numpy()
    if max_users is not None:
        rows_per_user = frame["user"][keep].value_counts()
        candidates = np.sort(rows_per_user.index[rows_per_user.to_numpy() >= 2].to_numpy())
        if len(candidates) > max_users:
            chosen = np.random.default_rng(seed).choice(candidates, max_users, replace=False)
            keep &= frame["user"].isin(chosen).to_numpy()
    return train if keep.all() else train.take(keep)


def validation_problem(train: Interactions, *, split: str = "leave-last",
                       window: float | None = None, weighting: str = "binary",
                       max_items: int | None = SELECT_MAX_ITEMS,
                       max_users: int | None = SELECT_MAX_USERS) -> SplitData:
    """The matrices a selection scores its grids on: the bounded sample of ``train``, split
    once more (:func:`validation_split`), with each entry's latest time. Computed once, it
    serves every candidate of a comparison (models that ignore order ignore the times)."""
    fit_part, val = validation_split(bounded_sample(train, max_items, max_users), split, window)
    return prepare(fit_part, val, weighting, with_times=True)


def _grid_points(grid: Mapping[str, list]) -> list[dict]:
    keys = list(grid)
    return [dict(zip(keys, values, strict=False)) for values in itertools.product(*(grid[k] for k in keys))]


def select(estimator, grid: Mapping[str, list], train: Interactions, *, split: str = "leave-last",
           window: float | None = None, k: int = 10, weighting: str = "binary",
           metric: str | None = None, max_fits: int = 12,
           max_items: int | None = SELECT_MAX_ITEMS, max_users: int | None = SELECT_MAX_USERS,
           problem: SplitData | None = None) -> Selection:
    """Best grid point of ``estimator`` by validation ``ndcg@k`` (ties: earlier point).

    Parameters
    ----------
    estimator : model
        Cloned for every fit; ``set_params`` takes the grid's keys.
    grid : mapping of parameter -> list of values
        Scanned in order (deterministic). Parameters in ``estimator.inference_params``
        reuse the fit of the other parameters.
    train : Interactions
        Training data only; the test set is never an argument.
    max_fits : int
        Budget: a grid needing more fits is refused rather than silently cut.
    max_items, max_users : int or None
        Bounds of the validation problem (:func:`bounded_sample`); ``None``: no bound.
    problem : SplitData, optional
        The validation problem already built from ``train`` by :func:`validation_problem`
        (the same for every candidate of a comparison, so it is built once).

    Examples
    --------
    >>> from recommender.collaborative import EASE
    >>> inter = Interactions.from_records(
    ...     [(f"u{u}", i) for u in range(6) for i in ("a", "b", "c")])
    >>> select(EASE(), {"l2": [1.0, 10.0]}, inter).params
    {'l2': 1.0}
    """
    started = time.perf_counter()
    metric = metric or f"ndcg@{k}"
    points = _grid_points(grid) or [{}]
    inference = set(getattr(estimator, "inference_params", ()))
    fit_keys = [p for p in grid if p not in inference]
    groups: dict[tuple, list[dict]] = {}
    for point in points:
        groups.setdefault(tuple(repr(point[p]) for p in fit_keys), []).append(point)
    if len(groups) > max_fits:
        raise ValueError(f"grid needs {len(groups)} fits, budget max_fits={max_fits}")
    if problem is None:
        problem = validation_problem(train, split=split, window=window, weighting=weighting,
                                     max_items=max_items, max_users=max_users)
    trials, best, best_score = [], None, -np.inf
    for group in groups.values():
        model = clone(estimator).set_params(**group[0])
        try:
            fit_model(model, problem.X, problem.times)
        except (ValueError, MemoryError, np.linalg.LinAlgError) as exc:
            trials.extend({"params": p, "error": f"{type(exc).__name__}: {exc}"} for p in group)
            continue
        for point in group:
            model.set_params(**point)
            score = measure(model, problem, k)[metric]
            trials.append({"params": point, metric: score})
            if score > best_score:
                best, best_score = point, score
    if best is None:
        raise ValueError(f"no grid point of {type(estimator).__name__} could be fitted")
    return Selection(params=best, score=float(best_score), trials=trials, n_fits=len(groups),
                     seconds=time.perf_counter() - started)


def evaluate_tuned(candidates: Mapping[str, tuple[object, Mapping[str, list]]],
                   train: Interactions, test: Interactions, k: int = 10, *,
                   split: str = "leave-last", window: float | None = None,
                   weighting: str = "binary", progress: bool = False, **kwargs) -> dict:
    """Select each model's parameters on validation, refit on ``train``, score once on ``test``.

    ``candidates`` maps a name to ``(estimator, grid)``; an empty grid keeps the
    estimator as given. Each result carries ``params`` (the chosen values),
    ``validation_ndcg@k`` and ``tuning_seconds`` beside the metrics of
    :func:`~recommender.evaluation.runner.evaluate`.
    """
    chosen, selections = {}, {}
    problem = None
    for name, (estimator, grid) in candidates.items():
        if grid:
            if problem is None:
                problem = validation_problem(train, split=split, window=window, weighting=weighting)
            selection = select(estimator, grid, train, split=split, window=window, k=k,
                               weighting=weighting, problem=problem)
            chosen[name] = clone(estimator).set_params(**selection.params)
            selections[name] = selection
        else:
            chosen[name] = estimator
    results = evaluate(chosen, train, test, k=k, progress=progress, weighting=weighting, **kwargs)
    for name, values in results.items():
        selection = selections.get(name)
        values["params"] = _plain(selection.params) if selection else {}
        if selection:
            values[f"validation_ndcg@{k}"] = selection.score
            values["tuning_seconds"] = selection.seconds
            values["tuning_fits"] = selection.n_fits
    return results


def _plain(params: dict) -> dict:
    """JSON-ready values (estimators by their repr)."""
    out = {}
    for key, value in params.items():
        if isinstance(value, (bool, int, float, str)) or value is None:
            out[key] = value
        elif isinstance(value, np.generic):
            out[key] = value.item()
        elif isinstance(value, dict):
            out[key] = _plain(value)
        else:
            out[key] = repr(value)
    return out
