"""Baselines: random order and (optionally time-decayed) popularity.

Popularity is the cold-start prior the shop falls back to when a visitor has
no history or the collaborative model is missing; random is the floor every
evaluation should beat. Both share the collaborative models' API so the
evaluation runner and the shop treat them alike.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from recommender.base import RecommenderBase
from recommender.interactions import IdIndex, Interactions, to_matrix

__all__ = ["Popularity", "RandomRecommender"]


class RandomRecommender(RecommenderBase):
    """Scores every item uniformly at random (the floor of any evaluation).

    Parameters
    ----------
    random_state : int, RandomState instance or None

    Attributes
    ----------
    n_items_ : int
    rng_ : numpy.random.Generator
        Seeded from ``random_state``; drawn from on every call, so repeated
        calls give different orders.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.eye(3, dtype=np.float32))
    >>> ids, _ = RandomRecommender(random_state=0).fit(X).recommend(X[:1], N=2)
    >>> sorted(ids[0].tolist())
    [1, 2]
    """

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        """Remember the item count; return self."""
        X = self._check_X(X)
        self.n_items_ = X.shape[1]
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        self.rng_ = np.random.default_rng(seed)
        return self

    def _score_block(self, user_items):
        return self.rng_.random(user_items.shape, dtype=np.float32)

    def _similar_block(self, item_indices):
        return self.rng_.random((len(item_indices), self.n_items_), dtype=np.float32)


class Popularity(RecommenderBase):
    """Ranks items by their total interaction weight, optionally time-decayed.

    Parameters
    ----------
    half_life_days : float, optional
        When given, each interaction counts ``0.5 ** (age_days / half_life_days)``
        so recent interest outranks old sales. Needs the raw ``interactions``
        (with their timestamps) and the column ``items`` index in :meth:`fit`.

    Attributes
    ----------
    n_items_ : int
    popularity_ : ndarray of float32, shape (n_items,)
        The score of each item (the same for every user).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 0]], dtype=np.float32))
    >>> Popularity().fit(X).popularity_.tolist()
    [1.0, 2.0, 0.0]
    """

    def __init__(self, half_life_days=None):
        self.half_life_days = half_life_days

    def fit(self, X, y=None, *, interactions: Interactions | None = None,
            items: IdIndex | None = None, now: float | None = None):
        """Count each item's weight in ``X`` (user x item); return self.

        Parameters
        ----------
        X : sparse matrix, shape (n_users, n_items)
        y : ignored
        interactions : Interactions, optional
            Required with ``half_life_days``: the decayed counts are computed
            from these (with :func:`recommender.interactions.to_matrix`) and
            ``X`` only fixes the item count.
        items : IdIndex, optional
            The column index of ``X``; required with ``half_life_days``.
        now : float, optional
            Reference time for the decay (default: the latest interaction).
        """
        X = self._check_X(X)
        self.n_items_ = X.shape[1]
        if self.half_life_days is not None:
            if interactions is None or items is None:
                raise ValueError("Popularity(half_life_days=...) needs interactions= and items=")
            if len(items) != self.n_items_:
                raise ValueError(f"items has {len(items)} ids, X has {self.n_items_} columns")
            X, _, _ = to_matrix(interactions, items=items, half_life_days=self.half_life_days,
                                now=now)
        self.popularity_ = np.asarray(X.sum(axis=0), dtype=np.float32).ravel()
        return self

    def _score_block(self, user_items: sp.csr_matrix):
        return np.broadcast_to(self.popularity_, user_items.shape).copy()

    def _similar_block(self, item_indices):
        return np.broadcast_to(self.popularity_, (len(item_indices), self.n_items_)).copy()
