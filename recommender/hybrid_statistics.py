"""Everything the hybrid's collaborative fit reads from the interactions, as one summary.

Why: :class:`~recommender.hybrid.HybridRecommender` learns from its interactions only through
a few numbers per item (users, time-decayed popularity), a handful of counts and the item x
item sums of its collaborative and co-purchase models (:mod:`recommender.item_statistics`).
:func:`summarize` computes that :class:`InteractionSummary` in process; an engine that reads
an event log too large for one machine can compute the same summary and pass it to
``HybridRecommender.fit(items, None, documents, statistics=summary)``, which then solves
the same models from it (the closed-form step on the item x item matrices runs here).

The rules an engine must reproduce are the functions of this module: the history cap
(:func:`cap_history`), the model choice (:func:`choose_model`, :func:`basket_estimator`),
the popularity (:func:`popularity`) and the event weights (``to_matrix``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from recommender.interactions import DEFAULT_EVENT_WEIGHTS, IdIndex, Interactions, to_matrix
from recommender.item_statistics import PairStatistics, compute_statistics, statistics_spec
from recommender.ordering import recency_matrix
from recommender.types import Document, ItemInfo

__all__ = ["BUY_EVENTS", "InteractionSummary", "basket_estimator", "cap_history", "choose_model",
           "event_factors", "item_space", "popularity", "summarize"]

#: Events that make a basket, for "bought together".
BUY_EVENTS = ("cart", "purchase")
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class InteractionSummary:
    """What the hybrid learns from interactions; arrays are in the order of the item space.

    ``collaborative`` and ``basket_model`` are unfitted estimators, fitted from ``history``
    and ``baskets``. ``matrices`` holds ``(X, times)`` pairs for models that read more than
    item sums (ItemKNN, EASE: only the in-process engine supports them).
    """

    n_interactions: int
    n_known: int
    n_users: int
    n_buy_pairs: int
    support: np.ndarray
    popularity: np.ndarray
    buy_support: np.ndarray
    collaborative: object | None = None
    choice: dict | None = None
    history: PairStatistics | None = None
    basket_model: object | None = None
    baskets: PairStatistics | None = None
    matrices: Mapping[str, tuple] | None = None

    def counts(self) -> dict:
        """The counts recorded in the hybrid's ``stats_``."""
        return {"n_interactions": self.n_interactions, "n_interactions_known_ids": self.n_known,
                "n_users": self.n_users, "n_buy_pairs": self.n_buy_pairs}


def item_space(items: Sequence[ItemInfo], documents: Sequence[Document]) -> IdIndex:
    """The collaborative item space: products in the given order, then articles."""
    return IdIndex(np.asarray([str(i.item_id) for i in items] + [str(d.doc_id) for d in documents],
                              dtype=object))


def cap_history(interactions: Interactions, space: IdIndex, max_items: int | None) -> Interactions:
    """Only each user's ``max_items`` most recent distinct known items (all when None).

    Recency is the user's latest time with the item; ties go to the smaller item id. Rows of
    unknown items stay (they are ignored later anyway). Why: co-occurrences grow with the
    square of a history's length, so one scripted visitor with 10,000 items would cost more
    than a million real ones, and say less.
    """
    if max_items is None or not len(interactions):
        return interactions
    known = space.get_indexer(interactions.item_ids) >= 0
    frame = pd.DataFrame({"user": interactions.user_ids[known], "item": interactions.item_ids[known],
                          "t": interactions.timestamps[known]})
    latest = frame.groupby(["user", "item"], sort=False)["t"].max().reset_index()
    latest = latest.sort_values(["user", "t", "item"], ascending=[True, False, True], kind="stable")
    latest["rank"] = latest.groupby("user", sort=False).cumcount()
    kept = latest[latest["rank"] < int(max_items)]
    if len(kept) == len(latest):
        return interactions
    keep_keys = pd.MultiIndex.from_frame(kept[["user", "item"]])
    keep = np.ones(len(interactions), dtype=bool)
    keep[known] = pd.MultiIndex.from_frame(frame[["user", "item"]]).isin(keep_keys)
    return interactions.take(np.flatnonzero(keep))


def event_factors(events: np.ndarray, mapping: Mapping[str, float] | None) -> np.ndarray:
    """Each event's weight as ``to_matrix`` applies it (unknown or missing events weigh 1)."""
    mapping = DEFAULT_EVENT_WEIGHTS if mapping is None else mapping
    if not mapping or not len(events):
        return np.ones(len(events))
    return pd.Series(events, dtype=object).map(dict(mapping)).astype(np.float64).fillna(1.0).to_numpy()


def popularity_event_weights(hybrid) -> Mapping[str, float]:
    """Popularity with a half-life counts the library's default event weights (as it always
    has); without one, the hybrid's."""
    if hybrid.half_life_days is not None:
        return DEFAULT_EVENT_WEIGHTS
    return DEFAULT_EVENT_WEIGHTS if hybrid.event_weights is None else hybrid.event_weights


def popularity(interactions: Interactions, space: IdIndex, hybrid) -> np.ndarray:
    """Each item's summed event weight, halved every ``half_life_days`` before the latest event."""
    cols = space.get_indexer(interactions.item_ids)
    values = interactions.weights * event_factors(interactions.events, popularity_event_weights(hybrid))
    if hybrid.half_life_days is not None:
        if not hybrid.half_life_days > 0:
            raise ValueError(f"half_life_days must be > 0, got {hybrid.half_life_days}")
        ref = float(np.max(interactions.timestamps))
        age_days = np.maximum(ref - interactions.timestamps, 0.0) / _SECONDS_PER_DAY
        values = values * np.exp2(-age_days / hybrid.half_life_days)
    known = cols >= 0
    return np.bincount(cols[known], weights=values[known], minlength=len(space)).astype(np.float64)


def in_canonical_order(interactions: Interactions) -> Interactions:
    """Rows by user, time, item and event: validation holds out each user's last row, and
    rows with equal times (one basket) would otherwise be told apart by the order an engine
    happened to read them in."""
    if not len(interactions):
        return interactions
    frame = pd.DataFrame({"u": interactions.user_ids.astype(str), "t": interactions.timestamps,
                          "i": interactions.item_ids.astype(str),
                          "e": ["" if e is None else str(e) for e in interactions.events]})
    order = frame.sort_values(["u", "t", "i", "e"], kind="stable").index.to_numpy()
    return interactions.take(order)


def choose_model(hybrid, known: Interactions, n_space: int) -> tuple[object, dict]:
    """The unfitted collaborative model and the record of how it was chosen.

    ``known``: the (capped) interactions on items of the space; ``'auto'`` validates on them.
    """
    from recommender.hybrid_fitting import AUTO, COLLABORATIVE_MODELS
    from recommender.hybrid_selection import choose_collaborative

    if hybrid.collaborative == AUTO:
        choice = choose_collaborative(in_canonical_order(known), n_space,
                                      min_users=hybrid.selection_min_users)
        return choice.estimator, choice.record()
    model = COLLABORATIVE_MODELS[hybrid.collaborative](**(hybrid.collaborative_params or {}))
    return model, {
        "model": hybrid.collaborative, "chosen_by": "parameter",
        "params": {k: v for k, v in sorted(model.get_params(deep=False).items())
                   if isinstance(v, (bool, int, float, str, type(None)))}}


def basket_estimator(hybrid):
    """The co-purchase model: baskets have no order, and a second dense inverse would double
    the fit, so with an order-aware or validated model co-purchases use RP3beta."""
    from recommender.collaborative import RP3beta
    from recommender.hybrid_fitting import AUTO, COLLABORATIVE_MODELS

    auto = hybrid.collaborative == AUTO or getattr(
        COLLABORATIVE_MODELS[hybrid.collaborative], "uses_order", False)
    if auto:
        return RP3beta()
    return COLLABORATIVE_MODELS[hybrid.collaborative](**(hybrid.collaborative_params or {}))


def _pair_input(estimator, X, times):
    """The item sums ``estimator`` reads, or None and the matrices when it reads more."""
    spec = statistics_spec(estimator)
    if spec is None:
        return None, (X, times)
    return compute_statistics(spec, X, times), None


def summarize(hybrid, interactions: Interactions | None, space: IdIndex) -> InteractionSummary:
    """The in-process engine: the summary of ``interactions`` for ``hybrid``'s parameters."""
    n_space = len(space)
    zeros = np.zeros(n_space, dtype=np.int64)
    n_rows = 0 if interactions is None else len(interactions)
    if not n_rows:
        return InteractionSummary(0, 0, 0, 0, zeros, np.zeros(n_space), zeros.copy())
    n_known = int((space.get_indexer(interactions.item_ids) >= 0).sum())
    capped = cap_history(interactions, space, hybrid.max_user_items)
    X, users, _ = to_matrix(capped, items=space, event_weights=hybrid.event_weights)
    fields: dict = {"support": zeros, "popularity": np.zeros(n_space)}
    matrices: dict = {}
    if X.nnz:
        fields["support"] = np.diff(X.tocsc().indptr).astype(np.int64)
        known = space.get_indexer(capped.item_ids) >= 0
        model, choice = choose_model(hybrid, capped.take(known), n_space)
        times = None
        matrix = X
        if getattr(model, "uses_order", False):
            matrix = X.copy()
            matrix.data[:] = 1.0
            times = recency_matrix(capped, users, space)
        history, matrices["history"] = _pair_input(model, matrix, times)
        fields.update(collaborative=model, choice=choice, history=history,
                      popularity=popularity(capped, space, hybrid))
    n_buy, buy_support = 0, zeros.copy()
    buy = np.isin(capped.events.astype(str), BUY_EVENTS)
    if buy.any():
        Xb, _, _ = to_matrix(capped.take(buy), items=space, event_weights=hybrid.event_weights)
        n_buy = int(Xb.nnz)
        # Co-purchase needs baskets of two or more.
        if Xb.nnz and (np.diff(Xb.indptr) >= 2).any():
            buy_support = np.diff(Xb.tocsc().indptr).astype(np.int64)
            basket = basket_estimator(hybrid)
            baskets, matrices["baskets"] = _pair_input(basket, Xb, None)
            fields.update(basket_model=basket, baskets=baskets)
    return InteractionSummary(n_rows, n_known, len(users), n_buy, buy_support=buy_support,
                              matrices=matrices, **fields)


def fit_model(estimator, statistics: PairStatistics | None, matrices: tuple | None):
    """A fresh copy of ``estimator`` fitted from item sums (or, failing them, the matrices)."""
    model = clone(estimator)
    if statistics is not None:
        return model.fit_statistics(statistics)
    X, times = matrices
    if getattr(model, "uses_order", False):
        return model.fit(X, times=times)
    return model.fit(X)
