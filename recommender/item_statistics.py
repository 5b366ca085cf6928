"""Item-by-item sufficient statistics of the collaborative models, and how to compute them.

Why: the served collaborative models (SLIST and decayed EASE, sparse EASE, RP3beta) read the
user x item history only through a few item x item sums: co-occurrences ``X'X``, the
transition sums ``S'S`` and ``S'T`` of SLIST, the random-walk sums of RP3beta, and each
item's number of users. Any engine that can compute those sums (NumPy here, a distributed
engine over an event log too large for one machine) feeds the same final solve
(``fit_statistics`` on each model), so both engines give the same model.

Every sum is float64 and sparse; an engine that computes the same sums in another order
differs only in the last bits, far below the float32 of the fitted weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["PairStatistics", "StatisticsSpec", "compute_statistics", "fit_from_statistics",
           "statistics_spec"]


@dataclass(frozen=True)
class StatisticsSpec:
    """Which sums a model reads.

    ``binary``: the hybrid gives the model ``X > 0`` (the order-aware models), not the
    event-weighted values (:func:`compute_statistics` sums whatever ``X`` it is given);
    ``cooccurrence``: ``X'X``; ``window`` (with ``transition_decay``): SLIST's
    transition sums; ``walk_alpha``: RP3beta's walk sums.
    """

    binary: bool
    cooccurrence: bool = False
    window: int | None = None
    transition_decay: float = 1.0
    walk_alpha: float | None = None


@dataclass(frozen=True)
class PairStatistics:
    """Item x item sums over every user's history (float64, CSR, ``n_items`` square).

    Attributes
    ----------
    n_items : int
    degree : ndarray of float64, shape (n_items,)
        Users per item.
    cooccurrence : csr_matrix or None
        ``X'X``: for a binary history, the users who have both ``i`` and ``j`` (the diagonal
        is then ``degree``).
    transition_inputs, transitions : csr_matrix or None
        SLIST's ``S'S`` and ``S'T`` (:func:`recommender.ordering.transition_pairs`).
    walk : csr_matrix or None
        RP3beta's ``sum_u [x_ui > 0] (x_uj / sum_k x_uk) ** alpha``.
    """

    n_items: int
    degree: np.ndarray
    cooccurrence: sp.csr_matrix | None = None
    transition_inputs: sp.csr_matrix | None = None
    transitions: sp.csr_matrix | None = None
    walk: sp.csr_matrix | None = None


def statistics_spec(estimator) -> StatisticsSpec | None:
    """The sums ``estimator.fit_statistics`` reads, or None when it needs the full matrix.

    >>> from recommender.sequential import SLIST
    >>> statistics_spec(SLIST(alpha=0.5, window=2))
    StatisticsSpec(binary=True, cooccurrence=True, window=2, transition_decay=0.6, walk_alpha=None)
    """
    from recommender.collaborative import RP3beta
    from recommender.sequential import SLIST
    from recommender.sparse_ease import SparseEASE

    if isinstance(estimator, SLIST):
        alpha = float(estimator.alpha)
        return StatisticsSpec(binary=True, cooccurrence=alpha > 0,
                              window=int(estimator.window) if alpha < 1 else None,
                              transition_decay=float(estimator.transition_decay))
    if isinstance(estimator, SparseEASE):
        return StatisticsSpec(binary=True, cooccurrence=True)
    if isinstance(estimator, RP3beta):
        return StatisticsSpec(binary=False, walk_alpha=float(estimator.alpha))
    return None


def compute_statistics(spec: StatisticsSpec, X: sp.csr_matrix, times=None) -> PairStatistics:
    """The sums of ``spec`` from a user x item matrix (and, for transitions, its ``times``)."""
    from recommender.ordering import transition_pairs

    X = sp.csr_matrix(X, dtype=np.float64, copy=True)
    X.sum_duplicates()
    if spec.walk_alpha is not None:
        X.eliminate_zeros()
    n = X.shape[1]
    binary = X.copy()
    binary.data[:] = 1.0
    degree = np.diff(binary.tocsc().indptr).astype(np.float64)
    cooc = inputs = transitions = walk = None
    if spec.cooccurrence:
        cooc = (X.T @ X).tocsr()
    if spec.window is not None:
        S, T = transition_pairs(binary, times, spec.window, spec.transition_decay, dtype=np.float64)
        inputs, transitions = (S.T @ S).tocsr(), (S.T @ T).tocsr()
    if spec.walk_alpha is not None:
        sums = np.asarray(X.sum(axis=1)).ravel()
        share = X.copy()
        share.data = (share.data / np.repeat(sums, np.diff(X.indptr))) ** spec.walk_alpha
        walk = (binary.T @ share).tocsr()
    for m in (cooc, inputs, transitions, walk):
        if m is not None:
            m.sum_duplicates()
            m.sort_indices()
    return PairStatistics(n, degree, cooc, inputs, transitions, walk)


def fit_from_statistics(estimator, statistics: PairStatistics):
    """``estimator.fit_statistics(statistics)``: the final solve shared by every engine."""
    return estimator.fit_statistics(statistics)


def triplets_to_csr(rows, cols, values, n: int) -> sp.csr_matrix:
    """Summed ``(row, col, value)`` triplets as an ``n x n`` float64 CSR matrix (sorted)."""
    m = sp.csr_matrix((np.asarray(values, dtype=np.float64),
                       (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                      shape=(n, n))
    m.sum_duplicates()
    m.sort_indices()
    return m


def dense_float32(matrix: sp.spmatrix, n: int) -> np.ndarray:
    """A sparse ``n x n`` matrix as dense float32 in Fortran order (LAPACK works in place)."""
    out = np.zeros((n, n), dtype=np.float32, order="F")
    csc = sp.csc_matrix(matrix)
    step = max(1, (1 << 24) // max(1, n))
    for start in range(0, n, step):
        stop = min(start + step, n)
        out[:, start:stop] = csc[:, start:stop].toarray()
    return out
