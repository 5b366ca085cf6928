"""A user's history in order: when each item was last seen, and how many steps from the end.

Why a module of its own: the order-aware models (:mod:`recommender.sequential`,
:mod:`recommender.sparse_ease`), the evaluation runner and the hybrid's statistics all read a
history the same way. It arrives as two aligned CSR matrices, ``X`` (which items, any
positive weight) and ``times`` (same sparsity pattern, the time of the user's latest
interaction with each item; positions work as well as Unix seconds). The *step from the end*
of an entry is 0 for the most recent time in its row, 1 for the one before, ... (items
sharing a timestamp, such as one basket, share a step).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.interactions import IdIndex, Interactions

__all__ = ["aligned_times", "decayed", "recency_matrix", "steps_from_end", "transition_pairs"]


def recency_matrix(interactions: Interactions, users: IdIndex, items: IdIndex,
                   like: sp.csr_matrix | None = None) -> sp.csr_matrix:
    """Latest timestamp of each (user, item), as a CSR matrix with ``like``'s pattern.

    Values are shifted so the earliest time is 1 (a stored 0 could be mistaken for an absent
    entry). Rows and columns outside ``users`` / ``items`` are dropped, as in ``to_matrix``.

    Examples
    --------
    >>> inter = Interactions.from_records([("u", "a"), ("u", "b"), ("u", "a")])
    >>> recency_matrix(inter, IdIndex(["u"]), IdIndex(["a", "b"])).toarray().tolist()
    [[3.0, 2.0]]
    """
    rows = users.get_indexer(interactions.user_ids)
    cols = items.get_indexer(interactions.item_ids)
    known = (rows >= 0) & (cols >= 0)
    rows, cols, t = rows[known], cols[known], interactions.timestamps[known]
    shape = (len(users), len(items))
    if len(t):
        t = t - t.min() + 1.0
    frame = pd.DataFrame({"key": rows.astype(np.int64) * shape[1] + cols, "t": t})
    latest = frame.groupby("key", sort=True)["t"].max()
    keys = latest.index.to_numpy()
    R = sp.csr_matrix((latest.to_numpy(), (keys // shape[1], keys % shape[1])), shape=shape)
    R.sort_indices()
    if like is not None:
        like = like.tocsr()
        if like.nnz != R.nnz or not np.array_equal(like.indices, R.indices):
            raise ValueError("times and X must have the same sparsity pattern")
    return R


def aligned_times(user_items: sp.csr_matrix, times) -> np.ndarray:
    """The ``times`` values at ``user_items``' entries (all equal when ``times`` is None)."""
    if times is None:
        return np.zeros(user_items.nnz)
    T = sp.csr_matrix(times)
    if T.shape != user_items.shape:
        raise ValueError(f"times has shape {T.shape}, user_items {user_items.shape}")
    if T.nnz == user_items.nnz and np.array_equal(T.indptr, user_items.indptr) \
            and np.array_equal(T.indices, user_items.indices):
        return np.asarray(T.data, dtype=np.float64)
    # Different pattern or order: look every entry up (missing times count as oldest).
    T = T.tocsr()
    T.sum_duplicates()
    n = user_items.shape[1]
    rows = np.repeat(np.arange(user_items.shape[0]), np.diff(user_items.indptr))
    keys = rows.astype(np.int64) * n + user_items.indices
    t_rows = np.repeat(np.arange(T.shape[0]), np.diff(T.indptr))
    t_keys = t_rows.astype(np.int64) * n + T.indices
    pos = np.searchsorted(t_keys, keys)
    pos = np.minimum(pos, max(len(t_keys) - 1, 0))
    found = (len(t_keys) > 0) & (t_keys[pos] == keys) if len(t_keys) else np.zeros(len(keys), bool)
    out = np.zeros(len(keys))
    out[found] = T.data[pos[found]]
    return out


def steps_from_end(user_items: sp.csr_matrix, times=None) -> np.ndarray:
    """Per stored entry, how many distinct earlier-than-latest times separate it from the end.

    0 marks the most recent time of its row; equal times share a step.

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1, 1, 1, 0]], np.float32))
    >>> T = sp.csr_matrix(np.array([[5, 9, 5, 0]], np.float64))
    >>> steps_from_end(X, T).tolist()
    [1, 0, 1]
    """
    X = sp.csr_matrix(user_items)
    t = aligned_times(X, times)
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    order = np.lexsort((-t, rows))
    r, ts = rows[order], t[order]
    new_time = np.ones(len(order), dtype=bool)
    new_time[1:] = (r[1:] != r[:-1]) | (ts[1:] != ts[:-1])
    new_row = np.ones(len(order), dtype=bool)
    new_row[1:] = r[1:] != r[:-1]
    rank = np.cumsum(new_time) - 1
    row_start = np.maximum.accumulate(np.where(new_row, rank, 0))
    steps = np.empty(len(order), dtype=np.int64)
    steps[order] = rank - row_start
    return steps


def decayed(user_items: sp.csr_matrix, times, decay: float, window: int | None = None
             ) -> sp.csr_matrix:
    """Rows with each entry's weight multiplied by ``decay ** step`` (0 beyond ``window``)."""
    X = sp.csr_matrix(user_items, dtype=np.float32, copy=True)
    if decay == 1.0 and window is None:
        return X
    steps = steps_from_end(X, times)
    factor = np.power(np.float64(decay), steps)
    if window is not None:
        factor[steps >= window] = 0.0
    X.data = (X.data * factor).astype(np.float32)
    return X


def transition_pairs(X: sp.csr_matrix, times, window: int, decay: float, dtype=np.float32):
    """Sequential training pairs: for every (user, step) the earlier ``window`` steps -> it.

    Returns ``S`` (inputs: earlier items, weight ``decay ** (lag - 1)``) and ``T`` (targets:
    the items of that step), one row per (user, step) that has an earlier step.
    """
    X = sp.csr_matrix(X)
    steps = steps_from_end(X, times)
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr)).astype(np.int64)
    big = int(steps.max()) + 2 if len(steps) else 1
    group_keys, group_of = np.unique(rows * big + steps, return_inverse=True)
    n_groups, n_items = len(group_keys), X.shape[1]
    in_rows, in_cols, in_vals = [], [], []
    for lag in range(1, window + 1):
        # An entry at step s feeds the target step s - lag of the same row (later in time).
        target = rows * big + (steps - lag)
        ok = steps >= lag
        pos = np.searchsorted(group_keys, target[ok])
        hit = pos < n_groups
        hit[hit] = group_keys[pos[hit]] == target[ok][hit]
        in_rows.append(pos[hit])
        in_cols.append(X.indices[ok][hit])
        in_vals.append(np.full(int(hit.sum()), decay ** (lag - 1), dtype=dtype))
    S = sp.csr_matrix((np.concatenate(in_vals), (np.concatenate(in_rows), np.concatenate(in_cols))),
                      shape=(n_groups, n_items), dtype=dtype)
    T = sp.csr_matrix((np.ones(len(rows), dtype), (group_of, X.indices)),
                      shape=(n_groups, n_items))
    has_input = np.diff(S.indptr) > 0
    return S[has_input], T[has_input]
