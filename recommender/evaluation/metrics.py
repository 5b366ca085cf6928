"""Top-k ranking metrics, vectorised over users.

Every metric takes the same two inputs: ``recommended`` (one row of ranked
item indices per user, -1 for an empty slot) and ``relevant`` (a sparse
user x item matrix of held-out items, same row order). Users without any
held-out item are left out of the averages, so a test set can be passed
as a full-size matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "coverage",
    "hit_rate_at_k",
    "map_at_k",
    "ndcg_at_k",
    "precision_at_k",
    "ranking_metrics",
    "recall_at_k",
]


def _prepare(recommended, relevant, k):
    rec = np.asarray(recommended, dtype=np.int64)
    if rec.ndim != 2:
        raise ValueError(f"recommended must be 2-D (users x ranks), got shape {rec.shape}")
    rel = sp.csr_matrix(relevant)
    if rel.shape[0] != rec.shape[0]:
        raise ValueError(f"{rec.shape[0]} recommendation rows but {rel.shape[0]} relevance rows")
    if k is None:
        k = rec.shape[1]
    rec = rec[:, :k]
    rel = rel.copy()
    rel.eliminate_zeros()
    n_rel = np.diff(rel.indptr)
    users = np.flatnonzero(n_rel > 0)
    rec, n_rel = rec[users], n_rel[users]
    rel = rel[users]
    # A hit is a (row, item) pair present in the relevance matrix: compare flat keys.
    n_items = rel.shape[1]
    rel_keys = np.repeat(np.arange(len(users), dtype=np.int64), np.diff(rel.indptr)) * n_items \
        + rel.indices
    rec_keys = np.arange(len(users), dtype=np.int64)[:, None] * n_items + rec
    hits = np.isin(rec_keys, rel_keys) & (rec >= 0)
    return hits, n_rel, k


def precision_at_k(recommended, relevant, k=None) -> float:
    """Mean share of the top-k that is relevant (divided by k).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> rel = sp.csr_matrix(np.array([[0, 1, 0, 1]]))
    >>> precision_at_k([[1, 2]], rel, k=2)
    0.5
    """
    hits, _, k = _prepare(recommended, relevant, k)
    return float(hits.sum(axis=1).mean() / k) if len(hits) else 0.0


def recall_at_k(recommended, relevant, k=None) -> float:
    """Mean share of each user's relevant items found in the top-k.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> recall_at_k([[1, 2]], sp.csr_matrix(np.array([[0, 1, 0, 1]])), k=2)
    0.5
    """
    hits, n_rel, _ = _prepare(recommended, relevant, k)
    return float((hits.sum(axis=1) / n_rel).mean()) if len(hits) else 0.0


def hit_rate_at_k(recommended, relevant, k=None) -> float:
    """Share of users with at least one relevant item in the top-k.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> hit_rate_at_k([[1, 2], [0, 2]], sp.csr_matrix(np.array([[0, 1, 0], [0, 1, 0]])), k=2)
    0.5
    """
    hits, _, _ = _prepare(recommended, relevant, k)
    return float(hits.any(axis=1).mean()) if len(hits) else 0.0


def _discounts(k):
    return 1.0 / np.log2(np.arange(2, k + 2))


def ndcg_at_k(recommended, relevant, k=None) -> float:
    """Mean normalised discounted cumulative gain with binary relevance.

    ``DCG = sum_r hit_r / log2(r + 1)`` over ranks ``r = 1..k``, divided by
    the DCG of a perfect list with ``min(k, n_relevant)`` hits.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> round(ndcg_at_k([[2, 1]], sp.csr_matrix(np.array([[0, 1, 0]])), k=2), 4)
    0.6309
    """
    hits, n_rel, k = _prepare(recommended, relevant, k)
    if not len(hits):
        return 0.0
    disc = _discounts(hits.shape[1])
    dcg = hits @ disc
    ideal = np.concatenate([[0.0], np.cumsum(_discounts(k))])[np.minimum(n_rel, k)]
    return float((dcg / ideal).mean())


def map_at_k(recommended, relevant, k=None) -> float:
    """Mean average precision: ``AP = sum_r P@r * hit_r / min(k, n_relevant)``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> map_at_k([[0, 1, 2]], sp.csr_matrix(np.array([[0, 1, 1]])), k=3)  # (1/2 + 2/3) / 2
    0.5833333333333333
    """
    hits, n_rel, k = _prepare(recommended, relevant, k)
    if not len(hits):
        return 0.0
    ranks = np.arange(1, hits.shape[1] + 1)
    precision_at_r = np.cumsum(hits, axis=1) / ranks
    ap = (precision_at_r * hits).sum(axis=1) / np.minimum(n_rel, k)
    return float(ap.mean())


def coverage(recommended, n_items: int) -> float:
    """Share of the catalog's ``n_items`` recommended to at least one user.

    Examples
    --------
    >>> coverage([[0, 1], [1, -1]], n_items=4)
    0.5
    """
    rec = np.asarray(recommended, dtype=np.int64).ravel()
    rec = rec[rec >= 0]
    return float(len(np.unique(rec)) / n_items) if n_items else 0.0


def ranking_metrics(recommended, relevant, k=None, n_items=None) -> dict[str, float]:
    """All metrics at ``k`` in one pass, keyed ``precision@k``, ``ndcg@k``, ... and ``coverage``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> m = ranking_metrics([[1, 0]], sp.csr_matrix(np.array([[0, 1]])), k=2)
    >>> m["hit_rate@2"], m["ndcg@2"], m["coverage"]
    (1.0, 1.0, 1.0)
    """
    rec = np.asarray(recommended, dtype=np.int64)
    k = rec.shape[1] if k is None else k
    n_items = sp.csr_matrix(relevant).shape[1] if n_items is None else n_items
    return {
        f"precision@{k}": precision_at_k(rec, relevant, k),
        f"recall@{k}": recall_at_k(rec, relevant, k),
        f"ndcg@{k}": ndcg_at_k(rec, relevant, k),
        f"map@{k}": map_at_k(rec, relevant, k),
        f"hit_rate@{k}": hit_rate_at_k(rec, relevant, k),
        "coverage": coverage(rec[:, :k], n_items),
    }
