"""Order-aware item-item models: what a person did last says most about what comes next.

A user's history arrives as two aligned CSR matrices, ``X`` and ``times``; every model reads
it through :mod:`recommender.ordering` (each entry's *step from the end*: 0 for the most
recent time in the row).

- :class:`SLIST` (Choi et al., WSDM 2021) solves one ridge regression in closed form that
  mixes EASE's session consistency ("reconstruct the history from itself", weight
  ``alpha``) with a sequential transition ("predict the next step from the ``window``
  steps before it", weight ``1 - alpha``). ``alpha=1`` is EASE, ``alpha=0`` a learned
  previous-items -> next-item transition. At recommendation time each past item weighs
  ``decay ** step``: the one-line change that lifts EASE most on next-item data.
- :class:`TransitionKNN` counts "j followed i within ``window`` steps" (neighbourhood
  statistics, no inverse), so it fits in seconds on any catalog size.
- :class:`SequentialBlend` adds a transition model's scores to an order-aware base model.

Models that read order set ``uses_order = True``; the evaluation runner then passes
``times=`` to ``fit`` and ``recommend``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from recommender.base import RecommenderBase, check_user_items, top_n
from recommender.collaborative import spd_inverse
from recommender.ordering import decayed, recency_matrix, steps_from_end, transition_pairs

# The ordered-input helpers live in recommender.ordering; re-exported for existing callers.
__all__ = ["SLIST", "OrderedModel", "SequentialBlend", "TransitionKNN", "recency_matrix",
           "steps_from_end", "transition_pairs"]



class OrderedModel(RecommenderBase):
    """``recommend`` / ``score`` that weigh a history by recency before scoring it."""

    uses_order = True
    #: Parameters read only when recommending: tuning changes them without refitting.
    inference_params: tuple[str, ...] = ()

    def _weigh(self, rows: sp.csr_matrix, times) -> sp.csr_matrix:
        raise NotImplementedError

    def score(self, user_items, *, times=None):
        """Raw scores of every item for each user row, ``times`` giving the order."""
        check_is_fitted(self, "n_items_")
        rows = check_user_items(user_items, self.n_items_)
        return super().score(self._weigh(rows, times))

    def recommend(self, user_items, N=10, filter_already_liked_items=True, filter_items=None,
                  items=None, *, times=None):
        """Top-``N`` items per history row; see :meth:`RecommenderBase.recommend`.

        ``times`` (same shape as ``user_items``) orders each history; without it all items
        count as equally recent.
        """
        check_is_fitted(self, "n_items_")
        rows = check_user_items(user_items, self.n_items_)
        weighted = self._weigh(rows, times)
        weighted.data = np.maximum(weighted.data, np.float32(1e-30))  # keep "seen" visible
        return super().recommend(weighted, N=N, filter_already_liked_items=filter_already_liked_items,
                                 filter_items=filter_items, items=items)

    def _similar_block(self, item_indices):
        rows = self.similarity_[item_indices]
        if sp.issparse(rows):
            rows = rows.toarray()
        return np.asarray(rows, dtype=np.float32)

    def _score_block(self, user_items):
        scores = user_items @ self.similarity_
        if sp.issparse(scores):
            scores = scores.toarray()
        return np.asarray(scores, dtype=np.float32)


class SLIST(OrderedModel):
    """Session-aware linear item similarity and transition (Choi et al., WSDM 2021).

    Minimises ``alpha ||X - X B||^2 + (1 - alpha) ||T - S B||^2 + l2 ||B||^2`` with
    ``diag(B) = 0``, where ``X`` are the users' histories and ``S -> T`` the pairs
    "the ``window`` steps before -> the next step" (earlier steps weigh
    ``transition_decay ** (lag - 1)``). Closed form: with
    ``P = (alpha X'X + (1 - alpha) S'S + l2 I)^-1``,
    ``B = I - l2 P + (1 - alpha) P (S'T - S'S) - P diagMat(mu)``, ``mu`` zeroing the
    diagonal. The sparse ``S'T - S'S`` keeps the product cheap. Recommending weighs each
    past item by ``decay ** step`` (step 0 = most recent).

    Parameters
    ----------
    l2 : float
        Ridge penalty.
    alpha : float in [0, 1]
        Weight of session consistency; 1 gives EASE, 0 a pure transition model.
    decay : float in (0, 1]
        Recency weight of a history when recommending (1: order ignored).
    window : int
        Earlier steps feeding each transition.
    transition_decay : float in (0, 1]
        Weight ratio between successive lags of a transition's inputs.
    max_items : int
        Refuse larger catalogs (the dense inverse needs ``4 n**2`` bytes several times).

    Attributes
    ----------
    n_items_ : int
    similarity_ : ndarray of float32, shape (n_items, n_items)

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]], np.float32))
    >>> times = sp.csr_matrix(np.array([[1, 2, 0], [1, 2, 0], [0, 1, 2]], np.float64))
    >>> model = SLIST(l2=1.0, alpha=0.5).fit(X, times=times)
    >>> model.recommend(sp.csr_matrix(np.array([[1, 0, 0]], np.float32)), N=1)[0].tolist()
    [[1]]
    """

    inference_params = ("decay",)

    def __init__(self, l2=100.0, alpha=1.0, decay=0.6, window=3, transition_decay=0.6,
                 max_items=25_000):
        self.l2 = l2
        self.alpha = alpha
        self.decay = decay
        self.window = window
        self.transition_decay = transition_decay
        self.max_items = max_items

    def fit(self, X, y=None, *, times=None):
        """Solve the closed form on user histories (``times`` orders them); return self."""
        from recommender.item_statistics import compute_statistics, statistics_spec

        X = self._check_X(X)
        self._check_size(X.shape[1])
        return self.fit_statistics(compute_statistics(statistics_spec(self), X, times))

    def _check_size(self, n: int) -> None:
        if n > self.max_items:
            raise ValueError(f"SLIST needs dense {n} x {n} matrices; max_items={self.max_items}. "
                             "Use TransitionKNN or the sparse EASE for large catalogs.")
        if not self.l2 > 0:
            raise ValueError(f"l2 must be > 0, got {self.l2}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {self.alpha}")

    def fit_statistics(self, statistics):
        """Solve the closed form from the item sums of
        :class:`~recommender.item_statistics.PairStatistics` (``X'X``, ``S'S``, ``S'T``);
        :meth:`fit` computes them in process, a distributed engine may too. Return self."""
        from recommender.item_statistics import dense_float32

        n = int(statistics.n_items)
        self._check_size(n)
        self.n_items_ = n
        alpha = float(self.alpha)
        total = sp.csr_matrix((n, n), dtype=np.float64)
        if alpha > 0:
            total = total + statistics.cooccurrence * alpha
        cross = None
        if alpha < 1.0:
            total = total + statistics.transition_inputs * (1.0 - alpha)
            cross = ((statistics.transitions - statistics.transition_inputs) * (1.0 - alpha))
            cross = sp.csr_matrix(cross, dtype=np.float32)
        gram = dense_float32(total, n)
        gram[np.diag_indices(n)] += np.float32(self.l2)
        P = spd_inverse(gram)
        B = -np.float32(self.l2) * P
        B[np.diag_indices(n)] += 1.0
        if cross is not None and cross.nnz:
            B += np.asarray((cross.T @ P).T, dtype=np.float32)  # P symmetric: P @ C = (C^T P)^T
        mu = np.diag(B) / np.diag(P)
        B -= P * mu[None, :].astype(np.float32)
        B[np.diag_indices(n)] = 0.0
        self.similarity_ = np.ascontiguousarray(B, dtype=np.float32)
        return self

    def _weigh(self, rows, times):
        return decayed(rows, times, float(self.decay))


class TransitionKNN(OrderedModel):
    """Item -> next-item transition counts within a window, normalised like RP3beta.

    ``C[i, j]`` sums ``transition_decay ** (lag - 1)`` over every time ``j`` came ``lag``
    steps (``lag <= window``) after ``i``; each row is divided by ``count(i) + shrink`` and
    each column by ``count(j) ** beta`` (a popularity penalty). Only the ``k`` best
    successors per item are kept. Recommending reads only the last ``last_steps`` steps of a
    history, weighted by ``decay ** step``.

    Examples
    --------
    >>> X = sp.csr_matrix(np.ones((3, 2), np.float32))
    >>> times = sp.csr_matrix(np.array([[1, 2], [1, 2], [1, 2]], np.float64))
    >>> TransitionKNN(shrink=0).fit(X, times=times).similar_items(0, N=1)[0].tolist()
    [1]
    """

    inference_params = ("decay", "last_steps")

    def __init__(self, window=2, transition_decay=0.5, shrink=10.0, beta=0.3, k=200,
                 decay=0.5, last_steps=3):
        self.window = window
        self.transition_decay = transition_decay
        self.shrink = shrink
        self.beta = beta
        self.k = k
        self.decay = decay
        self.last_steps = last_steps

    def fit(self, X, y=None, *, times=None):
        """Count the transitions of the ordered histories; return self."""
        X = self._check_X(X)
        self.n_items_ = n = X.shape[1]
        S, T = transition_pairs(X, times, int(self.window), float(self.transition_decay))
        C = (S.T @ T).tocsr()
        C.setdiag(0)
        C.eliminate_zeros()
        count = np.asarray((X > 0).sum(axis=0), dtype=np.float64).ravel()
        row_scale = 1.0 / (count + float(self.shrink) + 1e-12)
        col_scale = np.where(count > 0, np.maximum(count, 1.0) ** -float(self.beta), 0.0)
        C = sp.diags(row_scale.astype(np.float32)) @ C @ sp.diags(col_scale.astype(np.float32))
        self.similarity_ = _keep_top_k(C.tocsr(), int(self.k), n)
        return self

    def _weigh(self, rows, times):
        return decayed(rows, times, float(self.decay), window=int(self.last_steps))


def _keep_top_k(C: sp.csr_matrix, k: int, n: int) -> sp.csr_matrix:
    C.sum_duplicates()
    rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    order = np.lexsort((-C.data, rows))
    rank = np.arange(len(order)) - np.repeat(C.indptr[:-1], np.diff(C.indptr))
    keep = order[rank < k]
    out = sp.csr_matrix((C.data[keep], (rows[keep], C.indices[keep])), shape=(n, n),
                        dtype=np.float32)
    out.sort_indices()
    return out


class SequentialBlend(OrderedModel):
    """``base`` scores plus ``weight`` times ``transition`` scores, each row-max normalised.

    Normalising each model's row by its largest score makes ``weight`` mean the same on any
    data set: "how much of the best transition is worth the best base match".

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]], np.float32))
    >>> times = sp.csr_matrix(np.array([[1, 2, 0], [1, 2, 0], [0, 1, 2]], np.float64))
    >>> blend = SequentialBlend(SLIST(l2=1.0), TransitionKNN(shrink=0), weight=0.5)
    >>> blend.fit(X, times=times).recommend(X[:1], N=1, times=times[:1])[0].tolist()
    [[2]]
    """

    inference_params = ("weight",)

    def __init__(self, base=None, transition=None, weight=0.3):
        self.base = base
        self.transition = transition
        self.weight = weight

    def fit(self, X, y=None, *, times=None):
        """Fit both parts on the same ordered histories; return self."""
        X = self._check_X(X)
        self.n_items_ = X.shape[1]
        self.base_ = clone(self.base if self.base is not None else SLIST()).fit(X, times=times)
        self.transition_ = clone(self.transition if self.transition is not None
                                 else TransitionKNN()).fit(X, times=times)
        return self

    def recommend(self, user_items, N=10, filter_already_liked_items=True, filter_items=None,
                  items=None, *, times=None):
        check_is_fitted(self, "n_items_")
        rows = check_user_items(user_items, self.n_items_)
        scores = self._blend(rows, times)
        if filter_already_liked_items:
            r = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
            scores[r, rows.indices] = -np.inf
        if filter_items is not None:
            scores[:, np.asarray(filter_items, dtype=np.int64)] = -np.inf
        if items is not None:
            allowed = np.zeros(self.n_items_, dtype=bool)
            allowed[np.asarray(items, dtype=np.int64)] = True
            scores[:, ~allowed] = -np.inf
        n = max(0, min(int(N), self.n_items_ if items is None else int(allowed.sum())))
        return top_n(scores, n)

    def score(self, user_items, *, times=None):
        check_is_fitted(self, "n_items_")
        return self._blend(check_user_items(user_items, self.n_items_), times)

    def _blend(self, rows, times):
        a = self.base_.score(rows, times=times)
        b = self.transition_.score(rows, times=times)
        a /= np.maximum(np.abs(a).max(axis=1, keepdims=True), 1e-12)
        b /= np.maximum(np.abs(b).max(axis=1, keepdims=True), 1e-12)
        return a + np.float32(self.weight) * b

    def _similar_block(self, item_indices):
        return self.base_._similar_block(item_indices)
