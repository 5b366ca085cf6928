"""The models ``evaluate`` compares, each with the small grid its settings are chosen from.

Grids are short on purpose (the budget counts fits: a parameter read only when recommending,
such as a recency ``decay``, costs no extra fit) and centred on values measured on
online-retail, amazon-beauty and amazon-toys (``bench/quality.py``); the choice among them is
made on each run's own validation split (:mod:`recommender.evaluation.tuning`).
"""

from __future__ import annotations

from recommender.collaborative import EASE, ItemKNN, RP3beta
from recommender.popularity import Popularity, RandomRecommender
from recommender.sequential import SLIST, SequentialBlend, TransitionKNN
from recommender.sparse_ease import SparseEASE

__all__ = ["default_candidates", "order_aware_candidates"]

DECAYS = [0.4, 0.6, 0.8, 1.0]


def default_candidates(random_state=0) -> dict:
    """Name -> ``(estimator, grid)`` for the baselines, the classic and order-aware models.

    Examples
    --------
    >>> sorted(default_candidates())[:4]
    ['ease', 'ease-decay', 'itemknn', 'popularity']
    """
    return {
        "random": (RandomRecommender(random_state=random_state), {}),
        "popularity": (Popularity(), {}),
        "itemknn": (ItemKNN(), {"k": [30, 100], "weighting": ["tfidf", "bm25"]}),
        "rp3beta": (RP3beta(), {"beta": [0.3, 0.5]}),
        "ease": (EASE(), {"l2": [30.0, 100.0, 300.0]}),
        **order_aware_candidates(),
    }


def order_aware_candidates() -> dict:
    """The order-aware family: decayed EASE, SLIST, learned transitions, a blend, sparse EASE."""
    return {
        "ease-decay": (SLIST(l2=100.0, alpha=1.0), {"decay": DECAYS}),
        "slist": (SLIST(l2=100.0), {"alpha": [0.25, 0.5], "decay": DECAYS}),
        "transition": (TransitionKNN(), {"window": [1, 3], "decay": [0.3, 0.5, 0.7],
                                         "last_steps": [1, 3]}),
        "slist+transition": (
            SequentialBlend(SLIST(l2=100.0, alpha=0.5, decay=0.6), TransitionKNN()),
            {"weight": [0.0, 0.3, 0.6, 1.0]}),
        "sparse-ease": (SparseEASE(l2=100.0, k=128), {"decay": DECAYS}),
    }
