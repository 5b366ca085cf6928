"""Small CSR and top-k helpers shared by the content model and the hybrid.

Serving touches a handful of rows of catalog-sized sparse matrices per request. Building a
scipy matrix for a few rows costs more than the arithmetic on them, so these helpers read the
CSR arrays (``indptr``, ``indices``, ``data``) directly.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["cosine_rows", "csr_rows", "is_csr", "pool_cosines", "prune_rows", "top_indices"]


def is_csr(matrix) -> bool:
    """Whether ``matrix`` is a scipy sparse matrix in CSR format."""
    return sp.issparse(matrix) and matrix.format == "csr"


def top_indices(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest finite values, best first, ties by lower index.

    A served score array is mostly one value (``-inf`` where the slot's mask rules a product
    out, 0 where no signal reached it), and NumPy's introselect slows about tenfold on such
    duplicates; so the selection runs on the values above the minimum when they are few.

    >>> top_indices(np.array([0.2, -np.inf, 0.9, 0.2]), 3).tolist()
    [2, 0, 3]
    >>> top_indices(np.array([0.0, 0.0, 0.5, 0.0]), 3).tolist()
    [2, 0, 1]
    """
    k = min(k, values.size)
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    floor = values.min()
    if values.size > 1024 and not np.isnan(floor):
        above = np.flatnonzero(values > floor)
        if above.size < values.size // 2:
            picked = above[_top_order(values[above], min(k, above.size))]
            if picked.size < k:  # the rest tie at the floor: lower indices first
                picked = np.concatenate([picked, np.flatnonzero(values == floor)[: k - picked.size]])
            return picked[np.isfinite(values[picked])]
    picked = _top_order(values, k)
    return picked[np.isfinite(values[picked])]


def _top_order(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest of ``values``, best first, ties by lower position."""
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    if k >= values.size:
        part = np.arange(values.size)
    else:
        # Partition on the values themselves (no negated copy of a catalog-wide array). Of
        # the values tied at the cut, introselect keeps any; the rule keeps the lowest.
        part = np.argpartition(values, values.size - k)[values.size - k:]
        cut = values[part].min()
        if np.count_nonzero(values == cut) > np.count_nonzero(values[part] == cut):
            above = part[values[part] > cut]
            part = np.concatenate([above, np.flatnonzero(values == cut)[: k - above.size]])
    return part[np.lexsort((part, -values[part]))]


#: Up to this many rows, :func:`csr_rows` copies each row's slice (a few long posting lists);
#: beyond, it gathers every position at once (many short rows).
_SLICED_ROWS = 256


def csr_rows(matrix: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lengths, indices, data)`` of some rows of a CSR matrix, in stored order, without
    building a scipy matrix (its constructor costs more than the work on a few rows)."""
    indptr = matrix.indptr
    rows = np.asarray(rows, dtype=np.intp)
    starts = indptr[rows]
    stops = indptr[rows + 1]
    lengths = stops - starts
    if 0 < len(rows) <= _SLICED_ROWS:
        # Few rows: concatenating their slices copies each entry once, where a position
        # array costs four passes over every entry (arange, repeat, add, two gathers).
        bounds = list(zip(starts.tolist(), stops.tolist(), strict=True))
        indices, data = matrix.indices, matrix.data
        return (lengths, np.concatenate([indices[a:b] for a, b in bounds]),
                np.concatenate([data[a:b] for a, b in bounds]))
    total = int(lengths.sum())
    positions = np.arange(total) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return lengths, matrix.indices[positions], matrix.data[positions]


def cosine_rows(
    a: sp.csr_matrix, a_rows: np.ndarray, b: sp.csr_matrix, b_rows: np.ndarray
) -> np.ndarray:
    """``ContentModel.cosine_block(a[a_rows], b[b_rows])`` without scipy matrices.

    Only the terms both sets of rows use can add to a cosine, and a few dozen products share
    few of their terms: each ``a`` entry of a shared term times that term's ``b`` values, summed
    per ``a`` row. The same cosines up to float32 rounding, in a handful of numpy calls on
    small arrays (no BLAS call, whose thread pool costs more than such a product).
    """
    la, ta, va = csr_rows(a, a_rows)
    lb, tb, vb = csr_rows(b, b_rows)
    na, nb = len(la), len(lb)
    out = np.zeros((na, nb), dtype=np.float32)
    if not len(ta) or not len(tb):
        return out
    # Dense term ranks of both sides from one sort (np.unique costs several times this).
    terms = np.concatenate([ta, tb])
    order = np.argsort(terms, kind="stable")
    ranked = terms[order]
    rank = np.empty(len(terms), dtype=np.intp)
    rank[order] = np.concatenate([[0], np.cumsum(ranked[1:] != ranked[:-1])])
    rank_a, rank_b = rank[: len(ta)], rank[len(ta):]
    n_terms = int(rank.max()) + 1
    used_a = np.zeros(n_terms, dtype=bool)
    used_a[rank_a] = True
    used_b = np.zeros(n_terms, dtype=bool)
    used_b[rank_b] = True
    shared = used_a & used_b
    if not shared.any():
        return out
    slot = np.cumsum(shared) - 1  # compact position of each shared term
    in_a, in_b = shared[rank_a], shared[rank_b]
    dense_b = np.zeros((int(shared.sum()), nb), dtype=np.float32)
    dense_b[slot[rank_b[in_b]], np.repeat(np.arange(nb), lb)[in_b]] = vb[in_b]
    row_a = np.repeat(np.arange(na), la)[in_a]
    products = va[in_a].astype(np.float32, copy=False)[:, None] * dense_b[slot[rank_a[in_a]]]
    # Entries are grouped by ``a`` row (stored order): one segmented sum per row.
    starts = np.flatnonzero(np.concatenate([[True], row_a[1:] != row_a[:-1]]))
    out[row_a[starts]] = np.add.reduceat(products, starts, axis=0)
    return np.clip(out, 0.0, 1.0, out=out)


def pool_cosines(matrix: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """``cosine_rows(matrix, rows, matrix, rows)`` for a pool of products (MMR's candidates).

    A term only one product of the pool uses adds to that product's own cosine and nothing
    else, and most of a product's terms are its own: only the terms two or more products
    share are multiplied out; the diagonal is each row's squared norm.
    """
    lengths, terms, values = csr_rows(matrix, rows)
    n = len(lengths)
    out = np.zeros((n, n), dtype=np.float32)
    if not len(terms):
        return out
    owner = np.repeat(np.arange(n), lengths)
    values = values.astype(np.float32, copy=False)
    out[np.arange(n), np.arange(n)] = np.bincount(owner, weights=values * values, minlength=n)
    order = np.argsort(terms, kind="stable")  # entries grouped by term, rows ascending
    ranked = terms[order]
    first = np.concatenate([[True], ranked[1:] != ranked[:-1]])
    group = np.cumsum(first) - 1
    common_group = np.bincount(group) >= 2
    common = common_group[group]
    if not common.any():
        return np.clip(out, 0.0, 1.0, out=out)
    slot = (np.cumsum(common_group) - 1)[group[common]]
    who, what = owner[order][common], values[order][common]
    dense = np.zeros((int(common_group.sum()), n), dtype=np.float32)
    dense[slot, who] = what
    # Each shared entry times its term's column of the pool, summed per row (grouped by row).
    by_row = np.argsort(who, kind="stable")
    who, products = who[by_row], what[by_row, None] * dense[slot[by_row]]
    starts = np.flatnonzero(np.concatenate([[True], who[1:] != who[:-1]]))
    diagonal = out.diagonal().copy()
    out[who[starts]] = np.add.reduceat(products, starts, axis=0)
    out[np.arange(n), np.arange(n)] = diagonal
    return np.clip(out, 0.0, 1.0, out=out)


def prune_rows(matrix: sp.csr_matrix, keep: int | None) -> sp.csr_matrix:
    """Keep the ``keep`` largest entries of each row (all of them when ``keep`` is None)."""
    lengths = np.diff(matrix.indptr)
    if keep is None or not (lengths > keep).any():
        return matrix
    mask = np.ones(matrix.nnz, dtype=bool)
    for row in np.flatnonzero(lengths > keep):  # only the few very common terms
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        drop = np.argpartition(-matrix.data[start:end], keep - 1)[keep:]
        mask[start + drop] = False
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)[mask]
    pruned = sp.csr_matrix(
        (matrix.data[mask], (rows, matrix.indices[mask])), shape=matrix.shape, dtype=np.float32
    )
    pruned.sort_indices()
    return pruned
