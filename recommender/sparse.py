"""Small CSR and top-k helpers shared by the content model and the hybrid.

Serving touches a handful of rows of catalog-sized sparse matrices per request. Building a
scipy matrix for a few rows costs more than the arithmetic on them, so these helpers read the
CSR arrays (``indptr``, ``indices``, ``data``) directly, with the same numbers summed in the
same order as the sparse products they replace (the results are bit-identical).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["cosine_rows", "csr_rows", "is_csr", "prune_rows", "top_indices"]


def is_csr(matrix) -> bool:
    """Whether ``matrix`` is a scipy sparse matrix in CSR format."""
    return sp.issparse(matrix) and matrix.format == "csr"


def top_indices(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest finite values, best first, ties by lower index.

    >>> top_indices(np.array([0.2, -np.inf, 0.9, 0.2]), 3).tolist()
    [2, 0, 3]
    """
    k = min(k, values.size)
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    part = np.argpartition(-values, k - 1)[:k] if k < values.size else np.arange(values.size)
    order = np.lexsort((part, -values[part]))
    picked = part[order]
    return picked[np.isfinite(values[picked])]


def csr_rows(matrix: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lengths, indices, data)`` of some rows of a CSR matrix, in stored order, without
    building a scipy matrix (its constructor costs more than the work on a few rows)."""
    indptr = matrix.indptr
    rows = np.asarray(rows, dtype=np.intp)
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    positions = np.arange(total) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return lengths, matrix.indices[positions], matrix.data[positions]


def cosine_rows(
    a: sp.csr_matrix, a_rows: np.ndarray, b: sp.csr_matrix, b_rows: np.ndarray
) -> np.ndarray:
    """``ContentModel.cosine_block(a[a_rows], b[b_rows])`` without scipy matrices.

    The same float32 products summed in the same order (each ``a`` row's stored term order, as
    the sparse product does), so the values are bit-identical; a handful of numpy calls.
    """
    la, ta, va = csr_rows(a, a_rows)
    lb, tb, vb = csr_rows(b, b_rows)
    na, nb = len(la), len(lb)
    if not len(ta) or not len(tb):
        return np.zeros((na, nb), dtype=np.float32)
    terms, inverse = np.unique(np.concatenate([ta, tb]), return_inverse=True)
    dense_b = np.zeros((len(terms), nb), dtype=np.float32)
    dense_b[inverse[len(ta):], np.repeat(np.arange(nb), lb)] = vb
    slot = np.arange(len(ta)) - np.repeat(np.cumsum(la) - la, la)
    row = np.repeat(np.arange(na), la)
    term_of = np.zeros((na, int(la.max())), dtype=np.intp)
    value_of = np.zeros((na, int(la.max())), dtype=np.float32)
    term_of[row, slot] = inverse[: len(ta)]
    value_of[row, slot] = va
    # Sequential float32 sums over each a row's terms (cumsum accumulates in order); padding adds 0.
    sums = np.cumsum(value_of[:, :, None] * dense_b[term_of], axis=1)[:, -1, :]
    return np.clip(sums, 0.0, 1.0).astype(np.float32)


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
