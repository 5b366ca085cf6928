"""The one API every recommender model shares, and the batched top-N it rests on.

Models only implement ``fit`` and two score functions (user rows -> item
scores, item -> item scores); filtering already-seen items, allow and deny
lists and the top-N selection live here once, vectorised and batched so a
dense ``n_users x n_items`` score matrix is never held in memory at once.
The call signatures follow the ``implicit`` library so the models can be
swapped for (and benchmarked against) it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = ["RecommenderBase", "check_user_items", "top_n"]

#: Upper bound of float32 cells in one dense score block (about 64 MiB).
_BLOCK_CELLS = 1 << 24
#: Columns per chunk in :func:`top_n`.
_CHUNK = 64


def check_user_items(user_items, n_items: int) -> sp.csr_matrix:
    """Return ``user_items`` as a float32 CSR matrix with ``n_items`` columns.

    A 1-D array is read as a single user's row.
    """
    if sp.issparse(user_items):
        mat = sp.csr_matrix(user_items, dtype=np.float32)
    else:
        arr = np.asarray(user_items, dtype=np.float32)
        if arr.ndim == 1:
            arr = arr[None, :]
        mat = sp.csr_matrix(arr)
    if mat.shape[1] != n_items:
        raise ValueError(f"user_items has {mat.shape[1]} columns, the model knows {n_items} items")
    return mat


def _exact_top_n(scores: np.ndarray, cols: np.ndarray, n: int):
    """Best ``n`` of each row by (score descending, column ascending).

    float32 scores and columns below 2**32 (the usual case) are packed into one tie-free
    uint64 key per entry (the score's bits ordered descending, then the column), so one
    partition and a sort of ``n`` keys per row replace a two-key sort of the whole row.
    """
    if scores.dtype != np.float32 or cols.size and int(cols.max()) >= 2**32 or n >= scores.shape[1]:
        order = np.lexsort((cols, -scores), axis=1)[:, :n]
    else:
        bits = (scores + np.float32(0.0)).view(np.uint32)  # + 0.0: -0.0 ties with 0.0
        ascending = np.where(bits >> 31, ~bits, bits | np.uint32(0x80000000))
        key = ((~ascending).astype(np.uint64) << np.uint64(32)) | cols.astype(np.uint64)
        part = np.argpartition(key, n - 1, axis=1)[:, :n]
        order = np.take_along_axis(part, np.argsort(np.take_along_axis(key, part, axis=1), axis=1), axis=1)
    return np.take_along_axis(cols, order, axis=1), np.take_along_axis(scores, order, axis=1)


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``n`` largest entries of each row, best first.

    Entries equal to ``-inf`` are treated as excluded: their index is reported
    as -1. Ties are broken by the lower column index.

    Wide rows are cut into chunks of ``_CHUNK`` columns: the ``n`` chunks with
    the largest maxima (ties: lower chunk first) hold an exact top-``n``, so
    only those are sorted. This is several times faster than ``argpartition``
    over the whole row and keeps the tie rule exact.

    Examples
    --------
    >>> idx, val = top_n(np.array([[0.1, 0.9, -np.inf, 0.5]]), 2)
    >>> idx.tolist(), val.tolist()
    ([[1, 3]], [[0.9, 0.5]])
    """
    n_rows, n_cols = scores.shape
    n = min(int(n), n_cols)
    if n <= 0 or n_rows == 0:
        return np.empty((n_rows, max(n, 0)), dtype=np.int64), \
            np.empty((n_rows, max(n, 0)), dtype=scores.dtype)
    n_chunks = -(-n_cols // _CHUNK)
    if n * _CHUNK * 4 > n_cols:
        cols = np.broadcast_to(np.arange(n_cols), scores.shape)
        idx, vals = _exact_top_n(scores, cols, n)
    else:
        n_full = n_cols // _CHUNK
        maxima = np.full((n_rows, n_chunks), -np.inf, dtype=scores.dtype)
        maxima[:, :n_full] = scores[:, :n_full * _CHUNK].reshape(n_rows, n_full, _CHUNK).max(axis=2)
        if n_full < n_chunks:
            maxima[:, n_full] = scores[:, n_full * _CHUNK:].max(axis=1)
        chunk_ids = np.broadcast_to(np.arange(n_chunks), maxima.shape)
        best_chunks, _ = _exact_top_n(maxima, chunk_ids, n)
        cols = (best_chunks[:, :, None] * _CHUNK + np.arange(_CHUNK)).reshape(n_rows, -1)
        outside = cols >= n_cols
        vals = np.take_along_axis(scores, np.minimum(cols, n_cols - 1), axis=1)
        vals[outside] = -np.inf
        cols = np.where(outside, n_cols, cols)  # sorts after every real column
        idx, vals = _exact_top_n(vals, cols, n)
    idx = idx.astype(np.int64)
    idx[np.isneginf(vals)] = -1
    return idx, vals


class RecommenderBase(BaseEstimator, ABC):
    """Shared ``recommend`` / ``similar_items`` on top of two scoring hooks.

    Subclasses implement :meth:`fit` (setting ``n_items_``), :meth:`_score_block`
    (CSR user rows -> dense scores) and :meth:`_similar_block` (item indices ->
    dense item-to-item scores).
    """

    @abstractmethod
    def fit(self, X, y=None):
        """Learn from a user x item CSR matrix; return self."""

    @abstractmethod
    def _score_block(self, user_items: sp.csr_matrix) -> np.ndarray:
        """Dense float scores for a block of user rows."""

    @abstractmethod
    def _similar_block(self, item_indices: np.ndarray) -> np.ndarray:
        """Dense float scores of every item for each item in ``item_indices``."""

    # -------------------------------------------------------------- public API

    def score(self, user_items) -> np.ndarray:
        """Raw scores of every item for each user row (for blending).

        Parameters
        ----------
        user_items : sparse matrix or array, shape (n_users, n_items)
            Interaction rows; they need not belong to users seen in ``fit``.

        Returns
        -------
        ndarray of float32, shape (n_users, n_items)
        """
        check_is_fitted(self, "n_items_")
        rows = check_user_items(user_items, self.n_items_)
        out = np.empty(rows.shape, dtype=np.float32)
        for start, stop in self._blocks(rows.shape[0]):
            out[start:stop] = self._score_block(rows[start:stop])
        return out

    def recommend(self, user_items, N=10, filter_already_liked_items=True, filter_items=None,
                  items=None):
        """Top-``N`` items for each user row.

        Parameters
        ----------
        user_items : sparse matrix or array, shape (n_users, n_items)
            Each row is one user's history (a known user or a new visitor).
        N : int
            Number of items per user; at most the number of candidate items.
        filter_already_liked_items : bool
            Exclude items with a non-zero entry in the user's row.
        filter_items : array of int, optional
            Item indices never to recommend (deny list).
        items : array of int, optional
            Only recommend among these item indices (allow list).

        Returns
        -------
        indices : ndarray of int64, shape (n_users, N)
            Best first; -1 where fewer than ``N`` items were allowed.
        scores : ndarray of float32, shape (n_users, N)
            ``-inf`` where the index is -1.

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> from recommender.popularity import Popularity
        >>> X = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [0, 1, 0]], dtype=np.float32))
        >>> ids, _ = Popularity().fit(X).recommend(X[2], N=2)
        >>> ids.tolist()
        [[0, 2]]
        """
        check_is_fitted(self, "n_items_")
        rows = check_user_items(user_items, self.n_items_)
        n_items = self.n_items_
        allowed = None
        if items is not None:
            allowed = np.zeros(n_items, dtype=bool)
            allowed[np.asarray(items, dtype=np.int64)] = True
        denied = None
        if filter_items is not None:
            denied = np.zeros(n_items, dtype=bool)
            denied[np.asarray(filter_items, dtype=np.int64)] = True
        n_candidates = n_items if allowed is None else int(allowed.sum())
        n = max(0, min(int(N), n_candidates))
        out_idx = np.empty((rows.shape[0], n), dtype=np.int64)
        out_val = np.empty((rows.shape[0], n), dtype=np.float32)
        for start, stop in self._blocks(rows.shape[0]):
            block = rows[start:stop]
            scores = np.asarray(self._score_block(block), dtype=np.float32)
            if allowed is not None:
                scores[:, ~allowed] = -np.inf
            if denied is not None:
                scores[:, denied] = -np.inf
            if filter_already_liked_items:
                block = block.copy()
                block.eliminate_zeros()
                r = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
                scores[r, block.indices] = -np.inf
            out_idx[start:stop], out_val[start:stop] = top_n(scores, n)
        return out_idx, out_val

    def similar_items(self, item_indices, N=10):
        """The ``N`` nearest items to each given item, excluding the item itself.

        Parameters
        ----------
        item_indices : int or array of int
        N : int

        Returns
        -------
        indices : ndarray of int64, shape (n, N)
        scores : ndarray of float32, shape (n, N)
            For a single int, 1-D arrays of length N.
        """
        check_is_fitted(self, "n_items_")
        single = np.ndim(item_indices) == 0
        idx = np.atleast_1d(np.asarray(item_indices, dtype=np.int64))
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_items_):
            raise IndexError(f"item indices must be in [0, {self.n_items_})")
        n = max(0, min(int(N), self.n_items_ - 1))
        out_idx = np.empty((len(idx), n), dtype=np.int64)
        out_val = np.empty((len(idx), n), dtype=np.float32)
        for start, stop in self._blocks(len(idx)):
            part = idx[start:stop]
            scores = np.array(self._similar_block(part), dtype=np.float32)
            scores[np.arange(len(part)), part] = -np.inf
            out_idx[start:stop], out_val[start:stop] = top_n(scores, n)
        if single:
            return out_idx[0], out_val[0]
        return out_idx, out_val

    # -------------------------------------------------------------- helpers

    def _blocks(self, n_rows: int):
        size = max(1, _BLOCK_CELLS // max(1, self.n_items_))
        for start in range(0, n_rows, size):
            yield start, min(start + size, n_rows)

    def _check_X(self, X) -> sp.csr_matrix:
        if not sp.issparse(X):
            X = sp.csr_matrix(np.asarray(X, dtype=np.float32))
        X = sp.csr_matrix(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] == 0:
            raise ValueError(f"X must be a 2-D user x item matrix with items, got {X.shape}")
        if X.nnz and X.data.min() < 0:
            raise ValueError("X must not contain negative weights")
        return X
