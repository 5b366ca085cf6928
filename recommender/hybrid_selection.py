"""The hybrid's collaborative part: whichever model wins validation on the catalog's history.

Why: no collaborative model is best everywhere. On next-item data an order-aware model (SLIST
or EASE with each past item weighted by recency) beats RP3beta by a third; above EASE's
dense limit a sparse EASE does. So ``HybridRecommender(collaborative="auto")`` runs the same
budgeted, deterministic selection as ``evaluate`` (:func:`recommender.evaluation.tuning.select`)
on a validation split of the interactions it is given (each user's last one held out; on a
large catalog a bounded sample of them, :func:`recommender.evaluation.tuning.bounded_sample`),
then refits the winner on all of them, so the whole fit costs about one fit of the winner.

The budget is a handful of fits: SLIST (session consistency plus a learned transition) and
decayed EASE up to :data:`DENSE_MAX_ITEMS` items, sparse EASE beyond, RP3beta always as the
order-blind reference; the recency ``decay`` is read only when recommending, so trying its
values costs no fit. Histories too small to validate on (fewer than ``min_users`` users with
two or more items) skip selection and get :data:`SMALL_DATA_DEFAULT`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from recommender.collaborative import RP3beta
from recommender.interactions import Interactions
from recommender.sequential import SLIST
from recommender.sparse_ease import SparseEASE

__all__ = ["DENSE_MAX_ITEMS", "SMALL_DATA_DEFAULT", "Choice", "auto_candidates",
           "choose_collaborative"]

#: Largest catalog (products + articles) the dense order-aware models are tried on.
DENSE_MAX_ITEMS = 25_000
DECAYS = [0.4, 0.6, 0.8, 1.0]
#: The model of histories too small to validate on: SLIST half session, half transition
#: ("after A comes B" is learned from a few shoppers), the latest item weighing most.
SMALL_DATA_DEFAULT = ("slist", SLIST(l2=10.0, alpha=0.5, decay=0.6))


@dataclass(frozen=True)
class Choice:
    """The chosen model (unfitted, with its settings) and how it was chosen."""

    name: str
    estimator: object
    params: dict
    how: str  # "validation" or "small-data default"
    validation: dict = field(default_factory=dict)

    def record(self) -> dict:
        """JSON-ready summary for ``stats_`` (and so the saved artifact)."""
        return {"model": self.name, "params": _plain(self.params), "chosen_by": self.how,
                **self.validation}


def auto_candidates(n_items: int) -> dict:
    """Name -> ``(estimator, grid)`` tried for a catalog of ``n_items`` (deterministic order).

    Examples
    --------
    >>> list(auto_candidates(1_000)), list(auto_candidates(100_000))
    (['slist', 'ease-decay', 'rp3beta'], ['sparse-ease', 'rp3beta'])
    """
    if n_items <= DENSE_MAX_ITEMS:
        order_aware = {
            "slist": (SLIST(l2=100.0, alpha=0.25), {"decay": DECAYS}),
            "ease-decay": (SLIST(l2=100.0, alpha=1.0), {"decay": DECAYS}),
        }
    else:
        order_aware = {"sparse-ease": (SparseEASE(l2=100.0, k=128), {"decay": DECAYS})}
    return {**order_aware, "rp3beta": (RP3beta(), {"beta": [0.5]})}


def _validatable_users(interactions: Interactions) -> int:
    """Users with at least two distinct items (one to fit on, one to validate)."""
    if not len(interactions):
        return 0
    pairs = pd.DataFrame({"user": interactions.user_ids, "item": interactions.item_ids})
    items_per_user = pairs.drop_duplicates().groupby("user", sort=False).size()
    return int((items_per_user.to_numpy() >= 2).sum())


def choose_collaborative(interactions: Interactions, n_items: int, *, min_users: int = 200,
                         k: int = 10) -> Choice:
    """Pick the collaborative model for these interactions (only ids of the catalog).

    Every candidate's grid is scored by validation ``ndcg@k`` (ties: the earlier candidate),
    so the same data always gives the same choice.
    """
    from recommender.evaluation.tuning import select, validation_problem  # it imports the models

    if _validatable_users(interactions) < min_users:
        name, estimator = SMALL_DATA_DEFAULT
        return Choice(name, clone(estimator), _fit_params(estimator), "small-data default")
    best: Choice | None = None
    best_score = -np.inf
    trials, fits = {}, 0
    started = time.perf_counter()
    problem = validation_problem(interactions)  # one sample and split for every candidate
    seconds = time.perf_counter() - started
    for name, (estimator, grid) in auto_candidates(n_items).items():
        try:
            selection = select(estimator, grid, interactions, k=k, problem=problem)
        except (ValueError, MemoryError, np.linalg.LinAlgError) as exc:
            trials[name] = f"{type(exc).__name__}: {exc}"
            continue
        seconds += selection.seconds
        fits += selection.n_fits
        trials[name] = {"params": _plain(selection.params), f"ndcg@{k}": selection.score}
        if selection.score > best_score:
            best_score = selection.score
            chosen = clone(estimator).set_params(**selection.params)
            best = Choice(name, chosen, _fit_params(chosen), "validation")
    if best is None:
        name, estimator = SMALL_DATA_DEFAULT
        return Choice(name, clone(estimator), _fit_params(estimator), "small-data default",
                      {"candidates": trials})
    return Choice(best.name, best.estimator, best.params, best.how, {
        f"validation_ndcg@{k}": float(best_score), "candidates": trials,
        "selection_fits": fits, "selection_seconds": round(seconds, 3)})


def _fit_params(estimator) -> dict:
    return dict(sorted(estimator.get_params(deep=False).items()))


def _plain(params: dict) -> dict:
    out = {}
    for key, value in params.items():
        if isinstance(value, np.generic):
            value = value.item()
        out[key] = value if isinstance(value, (bool, int, float, str, type(None))) else repr(value)
    return out
