"""The hybrid's per-request inputs: which products may be returned, who the visitor's known
items are, and what each signal says about every product.

A visitor is a weighted set of *sources* in the joint product+article space (the anchor, the
history with time decay, the cart, past purchases). Content and collaborative scores are both
read off those sources in one vectorised pass each, straight from the CSR arrays, so a request
costs milliseconds at 100k products.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.content import ContentModel
from recommender.interactions import DEFAULT_EVENT_WEIGHTS, IdIndex
from recommender.sparse import csr_rows, is_csr
from recommender.types import Eligible, VisitorContext

__all__ = [
    "Sources",
    "collaborative_scores",
    "confidence",
    "content_scores",
    "drop_rows",
    "eligible_rows",
    "ordered_sources",
    "visitor_sources",
]

#: Source roles, strongest last: a repeated id keeps its strongest role.
ROLE_RANK = {"view": 0, "read": 0, "cart": 1, "purchase": 2, "anchor": 3}


@dataclass
class Sources:
    """The visitor's known items (in the joint product+article space) with weights and roles."""

    space_idx: np.ndarray
    weights: np.ndarray
    roles: list[str]
    ids: list[str]
    #: When each source was last seen (larger is more recent; the anchor is the newest).
    times: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: The most recently viewed product (not the anchor), for "Because you just looked at".
    recent: str | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def none(cls) -> Sources:
        return cls(np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32), [], [])

    @classmethod
    def anchor(cls, space: IdIndex, item_id: str) -> Sources:
        """``item_id`` alone, as the page's anchor."""
        return cls(
            np.array([space.index_of(item_id)], dtype=np.intp),
            np.ones(1, dtype=np.float32),
            ["anchor"],
            [item_id],
            np.ones(1),
        )


def eligible_rows(eligible: Eligible, space: IdIndex, n_items: int) -> np.ndarray:
    """A fresh boolean mask over the products (the first ``n_items`` of ``space``).

    ``eligible`` is ``None`` (every product), a boolean mask of shape ``(n_items,)`` (copied)
    or ids (unknown ids and articles ignored).
    """
    if eligible is None:
        return np.ones(n_items, dtype=bool)
    if isinstance(eligible, np.ndarray) and eligible.dtype == bool:
        if eligible.shape != (n_items,):
            raise ValueError(f"an eligible mask must have shape ({n_items},)")
        return eligible.copy()
    ids = np.asarray(list(eligible), dtype=object)
    mask = np.zeros(n_items, dtype=bool)
    if ids.size:
        idx = space.get_indexer(ids)
        idx = idx[(idx >= 0) & (idx < n_items)]
        mask[idx] = True
    return mask


def drop_rows(mask: np.ndarray, rows: Mapping[str, int], ids: Iterable[str | None]) -> None:
    """Switch products off in ``mask`` by position (``rows``: id → row; others ignored)."""
    for item_id in ids:
        row = rows.get(item_id) if item_id is not None else None
        if row is not None:
            mask[row] = False


def _seconds(timestamp: Any) -> float | None:
    if timestamp is None:
        return None
    if isinstance(timestamp, dt.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=dt.UTC)
        return timestamp.timestamp()
    try:
        return float(timestamp)
    except (TypeError, ValueError):
        return None


def visitor_sources(
    context: VisitorContext,
    space: IdIndex,
    *,
    event_weights: Mapping[str, float] | None,
    max_history: int,
    half_life_days: float | None,
    anchor_weight: float,
) -> Sources:
    """The visitor's known products/articles with event weights, decay and roles.

    Only the ``max_history`` most recent events count; decay is relative to the newest one.
    Ids outside ``space`` (retired products, unknown articles) are ignored. Each source's
    time is its latest event's (the history's position when some events have no timestamp,
    so a list in chronological order is enough); the cart counts as the newest history
    event, purchases without events as the oldest, the anchor as newer than all.
    """
    event_weights = DEFAULT_EVENT_WEIGHTS if event_weights is None else event_weights
    history = list(context.history)
    stamps = [_seconds(t) for _, _, t in history]
    if len(history) > max_history:
        order = sorted(range(len(history)), key=lambda i: stamps[i] or 0.0)
        keep = sorted(order[-max_history:])
        history = [history[i] for i in keep]
        stamps = [stamps[i] for i in keep]
    known = [s for s in stamps if s is not None]
    now = max(known) if known else None

    weights: dict[str, float] = {}
    roles: dict[str, str] = {}
    seen: dict[str, float] = {}
    order = known if len(known) == len(stamps) else [float(i + 1) for i in range(len(stamps))]
    oldest = min(order, default=1.0) - 1.0
    newest = max(order, default=1.0)

    def add(item_id: str | None, weight: float, role: str, moment: float) -> None:
        if item_id is None or item_id not in space:
            return
        weights[item_id] = weights.get(item_id, 0.0) + weight
        seen[item_id] = max(seen.get(item_id, -np.inf), moment)
        if ROLE_RANK.get(role, 0) >= ROLE_RANK.get(roles.get(item_id, "view"), 0):
            roles[item_id] = role

    recent, recent_at = None, -np.inf
    for (item_id, event, _), stamp, moment in zip(history, stamps, order, strict=True):
        weight = float(event_weights.get(event, 1.0))
        if half_life_days and now is not None and stamp is not None:
            weight *= 0.5 ** (max(now - stamp, 0.0) / 86_400.0 / half_life_days)
        role = event if event in ROLE_RANK else "view"
        add(item_id, weight, role, moment)
        if role == "view" and item_id in space and moment >= recent_at:
            recent, recent_at = item_id, moment
    for item_id in context.cart:
        add(item_id, float(event_weights.get("cart", 1.0)), "cart", newest)
    for item_id in context.purchased:
        add(item_id, float(event_weights.get("purchase", 1.0)), "purchase", oldest)
    add(context.anchor_id, float(anchor_weight), "anchor", newest + 1.0)
    ids = [i for i, w in weights.items() if w > 0]
    if recent is not None and (recent == context.anchor_id or roles.get(recent) != "view"):
        recent = None  # the page's own product, or since carted / bought: not "just looked at"
    return Sources(
        # One hash lookup per id: a catalog-sized index's vector lookup costs more for a few.
        np.array([space.index_of(i) for i in ids], dtype=np.intp),
        np.array([weights[i] for i in ids], dtype=np.float32),
        [roles[i] for i in ids],
        ids,
        np.array([seen[i] for i in ids], dtype=np.float64),
        recent,
    )


def ordered_sources(sources: Sources, decay: float) -> Sources:
    """The sources weighted as an order-aware model reads a history: ``decay ** step``.

    Step 0 is the most recent moment, 1 the one before, ...; items sharing a moment share a
    step (as :func:`recommender.ordering.steps_from_end` counts them).
    """
    if not len(sources):
        return sources
    moments = np.asarray(sources.times, dtype=np.float64)
    if moments.shape != (len(sources),):
        moments = np.zeros(len(sources))
    distinct = np.unique(moments)[::-1]
    steps = np.searchsorted(-distinct, -moments)
    weights = np.power(np.float64(decay), steps).astype(np.float32)
    return replace(sources, weights=weights)


def confidence(sources: Sources, support: np.ndarray, saturation: float, model) -> float:
    """``k / (k + saturation)`` for ``k`` sources other shoppers interacted with (0 without
    a collaborative ``model``)."""
    if model is None or not len(sources):
        return 0.0
    k = float(np.count_nonzero(support[sources.space_idx]))
    return k / (k + saturation) if k else 0.0


def content_scores(
    space_tfidf: sp.csr_matrix, content: ContentModel, sources: Sources
) -> np.ndarray | None:
    """Weighted content similarity of every product to the sources (``None`` without any)."""
    if not len(sources):
        return None
    # ContentModel.weighted_similarities on the source rows, read straight from the CSR
    # arrays (the same numbers in the same order) instead of slicing a scipy matrix.
    lengths, indices, data = csr_rows(space_tfidf, sources.space_idx)
    weights = np.asarray(sources.weights, dtype=np.float32)
    per_entry = data.astype(np.float32, copy=False) * np.repeat(weights, lengths)
    terms, inverse = np.unique(indices, return_inverse=True)
    values = np.bincount(inverse, weights=per_entry, minlength=len(terms))
    return content.score_terms(terms, values)


def collaborative_scores(
    model, sources: Sources, n_space: int, n_items: int
) -> np.ndarray | None:
    """``weights @ similarity`` over the products (``None`` without a model or sources)."""
    if model is None or not len(sources):
        return None
    similarity = getattr(model, "similarity_", None)
    if (
        is_csr(similarity)
        and similarity.dtype == np.float32
        and similarity.shape == (n_space, n_space)
    ):
        # ``weights @ similarity_`` for one visitor row: every source row's entries, weighted,
        # summed per column in one pass (no 1 x n matrix, no per-source loop).
        lengths, columns, values = csr_rows(similarity, sources.space_idx)
        weights = np.repeat(np.asarray(sources.weights, dtype=np.float32), lengths)
        return np.bincount(columns, weights=weights * values, minlength=n_space
                           )[:n_items].astype(np.float32)
    row = sp.csr_matrix(
        (sources.weights, (np.zeros(len(sources), dtype=np.intp), sources.space_idx)),
        shape=(1, n_space),
        dtype=np.float32,
    )
    if isinstance(similarity, np.ndarray) and similarity.shape == (n_space, n_space):
        # A dense item-item model (EASE, SLIST): the weighted sum of the source rows, only
        # over the product columns (articles are never recommended).
        rows = similarity[sources.space_idx, :n_items]
        return np.asarray(sources.weights, dtype=np.float32) @ rows
    return model.score(row)[0, :n_items]
