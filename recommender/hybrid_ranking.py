"""Turning the hybrid's signals into one ranked, diverse list.

Each signal is normalised to [0, 1] over the eligible products, so weights mean shares; a
signal that says nothing about them (all zero) drops out and the others are re-normalised.
Maximal marginal relevance then trades relevance against similarity (same category, similar
text) to what is already picked, so a list is not six versions of one shoe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.sparse import pool_cosines, top_indices

__all__ = ["EPS", "Ranking", "blend", "mmr", "rank"]

EPS = 1e-9


@dataclass
class Ranking:
    """The picked product rows, best first, with the blended relevance over all products and
    each contributing signal's raw scores, their scale (1 / top) and final weight."""

    chosen: np.ndarray
    relevance: np.ndarray
    weights: dict[str, float]
    raw: dict[str, np.ndarray]
    scales: dict[str, float]

    def normed(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Signal ``name`` normalised to [0, 1] at ``rows`` (only where it is read)."""
        return np.clip(self.raw[name][rows] * np.float32(self.scales[name]), 0.0, 1.0)

    def contributions(self) -> dict[str, np.ndarray]:
        """Per signal, its weighted share of each chosen product's relevance."""
        return {name: self.weights[name] * self.normed(name, self.chosen)
                for name in self.weights}


def _eligible_max(scores: np.ndarray, mask: np.ndarray) -> float:
    """``max(scores[mask], 0)``: the plain argmax is eligible almost always, and a masked
    reduction costs several times a plain one at 100k products."""
    best = int(np.argmax(scores))
    if mask[best]:
        return max(float(scores[best]), 0.0)
    return float(np.max(scores, where=mask, initial=0.0))


def blend(
    signals: Mapping[str, tuple[float, np.ndarray | None]], mask: np.ndarray
) -> tuple[np.ndarray, dict[str, float], dict[str, float]]:
    """Weighted sum of the signals normalised over ``mask``; ``-inf`` outside it.

    Returns the relevance, the re-normalised weights and the scale (1 / top over ``mask``) of
    the signals that count (a signal counts when its weight is positive and it scores an
    eligible item). One pass per signal into one buffer: at 100k products the blend is a few
    catalog-wide vector operations, not a normalised copy of every signal.
    """
    weights: dict[str, float] = {}
    scales: dict[str, float] = {}
    for name, (weight, scores) in signals.items():
        if scores is None or weight <= 0:
            continue
        top = _eligible_max(scores, mask)
        if top <= EPS:
            continue  # this signal says nothing about the eligible items
        weights[name] = weight
        scales[name] = 1.0 / top
    total = sum(weights.values())
    relevance = np.zeros(mask.shape[0], dtype=np.float32)
    part = np.empty(mask.shape[0], dtype=np.float32)
    for name, weight in weights.items():
        share = weights[name] = weight / total
        # ``share * clip(scores * scale, 0, 1)`` as ``clip(scores * (scale * share), 0, share)``:
        # three passes over the catalog instead of four, no temporary.
        np.multiply(signals[name][1], np.float32(scales[name] * share), out=part,
                    casting="unsafe")
        np.minimum(part, np.float32(share), out=part)
        np.maximum(part, np.float32(0.0), out=part)
        relevance += part
    relevance[~mask] = -np.inf
    return relevance, weights, scales


def mmr(
    pool: np.ndarray,
    relevance: np.ndarray,
    n: int,
    diversity: float,
    *,
    leaf: np.ndarray,
    root: np.ndarray,
    item_matrix: sp.csr_matrix,
) -> np.ndarray:
    """Positions in ``pool`` (sorted, best first) picked by maximal marginal relevance.

    Similarity between two products is half category (``root`` and ``leaf`` codes per product
    row, equal halves) and half TF-IDF cosine of their ``item_matrix`` rows.
    """
    if diversity <= 0 or len(pool) <= 1:
        return np.arange(min(n, len(pool)))
    top = float(relevance.max())
    rel = relevance / top if top > 0 else np.zeros_like(relevance)
    leaf, root = leaf[pool], root[pool]

    picked = [0]  # the pool is sorted: the most relevant goes first
    if n <= 1:
        return np.asarray(picked, dtype=np.intp)
    # The pool's whole similarity matrix (category + content) at once: a few small array
    # operations, then each pick only reads one of its rows.
    content = pool_cosines(item_matrix, pool)
    category = 0.5 * (root[:, None] == root[None, :]) + 0.5 * (leaf[:, None] == leaf[None, :])
    similarity = 0.5 * category + 0.5 * content
    relevant = (1.0 - diversity) * rel
    max_sim = similarity[0].copy()
    taken = np.zeros(len(pool), dtype=bool)
    taken[0] = True
    while len(picked) < n:
        value = relevant - diversity * max_sim
        value[taken] = -np.inf
        best = int(np.argmax(value))
        picked.append(best)
        taken[best] = True
        if len(picked) < n:
            np.maximum(max_sim, similarity[best], out=max_sim)
    return np.asarray(picked, dtype=np.intp)


def rank(
    signals: Mapping[str, tuple[float, np.ndarray | None]],
    mask: np.ndarray,
    n: int,
    diversity: float,
    *,
    leaf: np.ndarray,
    root: np.ndarray,
    item_matrix: sp.csr_matrix,
    demoted: np.ndarray | None = None,
) -> Ranking:
    """Blend the signals and pick at most ``n`` eligible products, diverse when asked.

    MMR re-ranks a pool of the most relevant ``max(4n, n + 20)`` products only. ``demoted``
    products (contradicting the visitor's profile) come only after every other eligible
    product, by relevance, to fill the list.
    """
    relevance, weights, scales = blend(signals, mask)
    n_open = int(mask.sum())
    n = min(n, n_open)
    first = relevance
    if demoted is not None and (demoted & mask).any():
        first = np.where(demoted, -np.inf, relevance).astype(np.float32)
        n_open = int((mask & ~demoted).sum())
    n_first = min(n, n_open)
    pool_size = n_first if diversity <= 0 else min(n_open, max(4 * n, n + 20))
    pool = top_indices(first, pool_size)
    picked = mmr(
        pool, first[pool], n_first, diversity, leaf=leaf, root=root, item_matrix=item_matrix
    )
    chosen = pool[picked]
    if len(chosen) < n and demoted is not None:  # fill up with the demoted products, best first
        rest = np.where(demoted & mask, relevance, -np.inf)
        chosen = np.concatenate([chosen, top_indices(rest, n - len(chosen))])
    raw = {name: signals[name][1] for name in weights}
    return Ranking(chosen, relevance, weights, raw, scales)
