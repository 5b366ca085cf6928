"""EASE beyond the dense limit: each item's column solved on its own neighbourhood.

EASE's column ``j`` is the ridge regression of item ``j`` on every other item,
``b = (G_{-j,-j} + l2 I)^-1 G_{-j,j}`` with ``G = X'X``. Most of those regressors never
co-occur with ``j`` and get weights near zero, so restricting the regression to the ``k``
items most associated with ``j`` gives nearly the same column for a ``k x k`` solve instead
of one ``n x n`` inverse: memory ``O(n k)`` instead of ``4 n**2`` bytes, and the work is a
batch of small dense solves, so 100k items fit on a laptop. (SANSA, Spisak et al., RecSys
2023, reaches the same goal through a sparse approximate inverse; this local form needs only
NumPy and SciPy.)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.collaborative import _topk_rows_sparse
from recommender.ordering import decayed
from recommender.sequential import OrderedModel

__all__ = ["SparseEASE"]

#: Upper bound on the union of neighbourhoods solved together (dense ``u x u`` float32).
_MAX_UNION = 3072


class SparseEASE(OrderedModel):
    """Neighbourhood-restricted EASE with a sparse ``n_items x k`` weight matrix.

    Parameters
    ----------
    l2 : float
        Ridge penalty, as in :class:`~recommender.collaborative.EASE`.
    k : int
        Regressors per item: its ``k`` strongest co-occurring items.
    neighbours : {'cosine', 'count'}
        How "strongest" is measured: co-occurrence divided by ``sqrt(n_i n_j)``, or raw.
    decay : float in (0, 1]
        Recency weight of a history when recommending (1: order ignored).
    chunk : int
        Items solved per batch (they share one dense block of the Gram matrix).

    Attributes
    ----------
    n_items_ : int
    similarity_ : scipy.sparse.csr_matrix, shape (n_items, n_items)
        ``B``: column ``j`` holds item ``j``'s regression weights.

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]], np.float32))
    >>> visitor = sp.csr_matrix(np.array([[0, 0, 1, 0]], np.float32))
    >>> SparseEASE(l2=1.0, k=2).fit(X).recommend(visitor, N=1)[0].tolist()
    [[3]]
    """

    inference_params = ("decay",)

    def __init__(self, l2=100.0, k=256, neighbours="cosine", decay=1.0, chunk=32):
        self.l2 = l2
        self.k = k
        self.neighbours = neighbours
        self.decay = decay
        self.chunk = chunk

    def fit(self, X, y=None, *, times=None):
        """Solve every item's local ridge regression; return self."""
        from recommender.item_statistics import compute_statistics, statistics_spec

        X = self._check_X(X)
        self._check_params()
        return self.fit_statistics(compute_statistics(statistics_spec(self), X))

    def _check_params(self) -> None:
        if not self.l2 > 0:
            raise ValueError(f"l2 must be > 0, got {self.l2}")
        if self.neighbours not in ("cosine", "count"):
            raise ValueError(f"neighbours must be 'cosine' or 'count', got {self.neighbours!r}")

    def fit_statistics(self, statistics):
        """The local solves from the co-occurrences ``X'X`` of
        :class:`~recommender.item_statistics.PairStatistics` alone; return self."""
        self._check_params()
        n = int(statistics.n_items)
        self.n_items_ = n
        G = sp.csr_matrix(statistics.cooccurrence, dtype=np.float32)
        G.sum_duplicates()
        G.sort_indices()
        diag = G.diagonal().astype(np.float32)
        nbr = _neighbourhoods(G, diag, max(1, min(int(self.k), n - 1)), self.neighbours)
        rows, cols, vals = [], [], []
        # Items with the same strongest neighbour go into one batch, so batches share blocks.
        first = np.array([lst[0] if len(lst) else -1 for lst in nbr])
        order = np.lexsort((np.arange(n), first))
        l2 = np.float32(self.l2)
        for batch in _batches(order, nbr, int(self.chunk)):
            union = np.unique(np.concatenate([batch] + [nbr[j] for j in batch]))
            block = G[union][:, union].toarray()
            for size, members in _by_size(batch, nbr):
                regressors = np.stack([nbr[j] for j in members])
                loc = np.searchsorted(union, regressors)
                target = np.searchsorted(union, members)
                A = block[loc[:, :, None], loc[:, None, :]]
                A[:, np.arange(size), np.arange(size)] += l2
                rhs = block[loc, target[:, None]]
                b = np.linalg.solve(A, rhs[:, :, None])[:, :, 0]
                rows.append(regressors.ravel())
                cols.append(np.repeat(members, size))
                vals.append(b.ravel().astype(np.float32))
        B = sp.csr_matrix(
            (np.concatenate(vals) if vals else np.empty(0, np.float32),
             (np.concatenate(rows) if rows else np.empty(0, np.int64),
              np.concatenate(cols) if cols else np.empty(0, np.int64))),
            shape=(n, n), dtype=np.float32)
        B.sort_indices()
        self.similarity_ = B
        return self

    def _weigh(self, rows, times):
        return decayed(rows, times, float(self.decay))


def _neighbourhoods(G: sp.csr_matrix, diag: np.ndarray, k: int, how: str) -> list[np.ndarray]:
    """Each item's ``k`` strongest co-occurring other items (fewer if it has fewer)."""
    strength = G.copy()
    r = np.repeat(np.arange(G.shape[0]), np.diff(G.indptr))
    data = strength.data.astype(np.float32)
    if how == "cosine":
        data = data / np.sqrt(np.maximum(diag[r] * diag[strength.indices], 1e-12))
    data[r == strength.indices] = 0.0
    strength.data = data
    strength.eliminate_zeros()
    counts, cols, _ = _topk_rows_sparse(strength, k)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    return [np.sort(cols[bounds[i]:bounds[i + 1]]).astype(np.int64) for i in range(G.shape[0])]


def _batches(order: np.ndarray, nbr: list[np.ndarray], chunk: int):
    """Consecutive items of ``order``, at most ``chunk`` per batch and a bounded union."""
    batch, budget = [], 0
    for j in order:
        size = len(nbr[j]) + 1
        if batch and (len(batch) >= chunk or budget + size > _MAX_UNION):
            yield np.array(batch, dtype=np.int64)
            batch, budget = [], 0
        batch.append(j)
        budget += size
    if batch:
        yield np.array(batch, dtype=np.int64)


def _by_size(batch: np.ndarray, nbr: list[np.ndarray]):
    """Members of a batch grouped by neighbourhood size (one stacked solve per size)."""
    sizes = np.array([len(nbr[j]) for j in batch])
    for size in np.unique(sizes):
        if size == 0:
            continue
        yield int(size), batch[sizes == size]
