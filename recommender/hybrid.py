"""The model the shop serves: content, collaborative, profile and popularity, blended.

No single signal covers every visitor. A first-time visitor has only a profile (or nothing);
someone reading an article is best served by products like what they are reading; a returning
shopper's history is best read by what other shoppers did next. :class:`HybridRecommender`
normalises each signal to [0, 1], weights them by how much we know about this visitor, applies
the shop's business rules (eligible, not the anchor, not in the cart, not bought unless
consumable, one per item, diverse categories) and says *why* each product is there.

Products and articles share one item space in the collaborative model, so "read article X →
bought product Y" is learned like any other co-occurrence. Per-request work is a handful of
vectorised passes over the catalog plus small dense blocks for the final top list, so serving
stays in milliseconds for 100k products.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recommender.collaborative import EASE, RP3beta, ItemKNN
from recommender.content import ContentModel
from recommender.interactions import DEFAULT_EVENT_WEIGHTS, IdIndex, Interactions, to_matrix
from recommender.popularity import Popularity
from recommender.profile import ProfileScorer
from recommender.types import (
    CONTEXT_KINDS,
    SIGNALS,
    Document,
    ItemInfo,
    Recommendation,
    VisitorContext,
)

__all__ = [
    "CONTEXT_KINDS",
    "DEFAULT_SIGNAL_WEIGHTS",
    "Document",
    "HybridRecommender",
    "ItemInfo",
    "Recommendation",
    "VisitorContext",
]


#: Base weights of the signals before they adapt to the visitor (see ``HybridRecommender``).
DEFAULT_SIGNAL_WEIGHTS: Mapping[str, float] = {
    "content_anchor": 3.0,  # similarity to the article / product being looked at
    "content_history": 1.0,  # similarity to what was read, viewed, carted, bought
    "collaborative": 2.0,  # what other shoppers did next, at full confidence
    "profile": 1.5,  # fit to what the visitor told us
    "footwear_profile": 3.0,  # the same on the footwear finder, where the profile is the point
    "popularity": 1.0,  # the cold-start prior
}

_COLLABORATIVE = {"rp3beta": RP3beta, "itemknn": ItemKNN, "ease": EASE}
_BUY_EVENTS = ("cart", "purchase")
#: Source roles, strongest last: a repeated id keeps its strongest role.
_ROLE_RANK = {"view": 0, "read": 0, "cart": 1, "purchase": 2, "anchor": 3}
_POPULAR_REASON = "Popular with other shoppers"
_FALLBACK_REASON = "From our back-care range"
#: Share of the best seller's popularity an item needs to be called "popular".
_POPULAR_MIN = 0.1
#: A second reason must carry at least this share of the first one's contribution.
_SECOND_REASON_MIN = 0.2
_EPS = 1e-9


# ------------------------------------------------------------------------ helpers
def _attribute_words(info: ItemInfo) -> str:
    """Attribute and category words, so "arch support" in an article meets ``arch_support``."""
    words = [" ".join(info.category_path).replace("-", " ")]
    for key, value in info.attributes.items():
        if key in ("drop_mm", "weight_g", "consumable") or value is None:
            continue
        name = key.replace("_", " ")
        for v in value if isinstance(value, (list, tuple)) else [value]:
            v = str(v).replace("-", " ")
            words.append(v if key in ("terrain", "conditions", "stability") else f"{v} {name}")
    words.extend(f"{w.replace('-', ' ')} fit" for w in info.widths)
    return ". ".join(words)


def _seconds(timestamp: Any) -> float | None:
    if timestamp is None:
        return None
    if isinstance(timestamp, dt.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=dt.timezone.utc)
        return timestamp.timestamp()
    try:
        return float(timestamp)
    except (TypeError, ValueError):
        return None


def _top_indices(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest finite values, best first, ties by lower index."""
    k = min(k, values.size)
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    part = np.argpartition(-values, k - 1)[:k] if k < values.size else np.arange(values.size)
    order = np.lexsort((part, -values[part]))
    picked = part[order]
    return picked[np.isfinite(values[picked])]



def _is_csr(matrix) -> bool:
    return sp.issparse(matrix) and matrix.format == "csr"


def _csr_rows(matrix: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lengths, indices, data)`` of some rows of a CSR matrix, in stored order, without
    building a scipy matrix (its constructor costs more than the work on a few rows)."""
    indptr = matrix.indptr
    rows = np.asarray(rows, dtype=np.intp)
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    positions = np.arange(total) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return lengths, matrix.indices[positions], matrix.data[positions]


def _cosine_rows(
    a: sp.csr_matrix, a_rows: np.ndarray, b: sp.csr_matrix, b_rows: np.ndarray
) -> np.ndarray:
    """``ContentModel.cosine_block(a[a_rows], b[b_rows])`` without scipy matrices.

    The same float32 products summed in the same order (each ``a`` row's stored term order, as
    the sparse product does), so the values are bit-identical; a handful of numpy calls.
    """
    la, ta, va = _csr_rows(a, a_rows)
    lb, tb, vb = _csr_rows(b, b_rows)
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


@dataclass
class _Sources:
    """The visitor's known items (in the joint product+article space) with weights and roles."""

    space_idx: np.ndarray
    weights: np.ndarray
    roles: list[str]
    ids: list[str]

    def __len__(self) -> int:
        return len(self.ids)


class HybridRecommender(BaseEstimator):
    """Blend content, collaborative, profile and popularity signals into explained suggestions.

    Signal weights adapt to the visitor. With ``k`` known items (anchor, history, cart,
    purchases that other shoppers also interacted with) the collaborative confidence is
    ``c = k / (k + history_saturation)``; then

    - content: ``content_anchor`` on article/product pages, else ``content_history * c``;
    - collaborative: ``collaborative * c``;
    - profile: ``profile`` (``footwear_profile`` on the footwear finder) when a rule applies;
    - popularity: ``popularity * (1 - c)``.

    Weights of signals that say nothing (all zero) are dropped and the rest re-normalised, so
    a cold visitor is served by profile and popularity and a rich history by collaboration.

    Parameters
    ----------
    collaborative : {'rp3beta', 'itemknn', 'ease'}, default='rp3beta'
        The collaborative model of :mod:`recommender.collaborative` (EASE only for small
        catalogs).
    collaborative_params : dict, optional
        Keyword arguments of that model.
    content_params : dict, optional
        Keyword arguments of :class:`~recommender.content.ContentModel`.
    rules_path : str or Path, optional
        Profile rule table; the shipped one by default.
    half_life_days : float or None, default=30.0
        Time decay of popularity and of the visitor's history (recent weighs more).
    event_weights : mapping, optional
        Weight per event type; defaults to ``recommender.interactions.DEFAULT_EVENT_WEIGHTS``.
    signal_weights : mapping, optional
        Overrides of :data:`DEFAULT_SIGNAL_WEIGHTS`.
    history_saturation : float, default=1.0
        Known items at which collaborative confidence reaches one half.
    anchor_weight : float, default=5.0
        Weight of the page's anchor among the visitor's items.
    diversity : float in [0, 1], default=0.3
        Maximal-marginal-relevance trade-off: 0 is pure relevance, higher values push
        items from other categories (and with other texts) up.
    max_history : int, default=50
        Most recent history events used per request.
    max_reasons : int, default=2
        Reasons per recommendation.
    footwear_category : str, default='footwear'
        Category (at any level of the path) the footwear finder recommends from.

    Attributes
    ----------
    item_ids_ : ndarray of str, shape (n_items,)
        Products, in the order given to ``fit``.
    doc_ids_ : ndarray of str, shape (n_docs,)
    space_ : IdIndex
        The collaborative item space: products first, then articles.
    content_ : ContentModel
    space_tfidf_ : csr_matrix, shape (n_items + n_docs, n_terms)
        TF-IDF rows in the order of ``space_``.
    profile_ : ProfileScorer
    collaborative_ : RP3beta, ItemKNN, EASE or None
        ``None`` without interactions.
    bought_together_ : same type or None
        Fitted on cart and purchase events only (for :meth:`bought_together`).
    item_popularity_ : ndarray of float32, shape (n_items,)
        Time-decayed popularity of each product.
    support_ : ndarray of int, shape (n_items + n_docs,)
        Number of users who interacted with each product or article.
    stats_ : dict
        Data statistics recorded in saved artifacts.

    Examples
    --------
    >>> items = [
    ...     ItemInfo("walker", "Comfort Walker", "cushioned walking shoe", ("footwear",),
    ...              {"arch_support": "high", "stability": "stability"}),
    ...     ItemInfo("belt", "Lumbar Belt", "lumbar support belt", ("supports",), {}),
    ... ]
    >>> model = HybridRecommender().fit(items, None)
    >>> [r.item_id for r in model.recommend(VisitorContext("home", profile={"arch": "flat"}), n=1)]
    ['walker']
    """

    def __init__(
        self,
        *,
        collaborative: str = "rp3beta",
        collaborative_params: Mapping[str, Any] | None = None,
        content_params: Mapping[str, Any] | None = None,
        rules_path=None,
        half_life_days: float | None = 30.0,
        event_weights: Mapping[str, float] | None = None,
        signal_weights: Mapping[str, float] | None = None,
        history_saturation: float = 1.0,
        anchor_weight: float = 5.0,
        diversity: float = 0.3,
        max_history: int = 50,
        max_reasons: int = 2,
        footwear_category: str = "footwear",
    ) -> None:
        self.collaborative = collaborative
        self.collaborative_params = collaborative_params
        self.content_params = content_params
        self.rules_path = rules_path
        self.half_life_days = half_life_days
        self.event_weights = event_weights
        self.signal_weights = signal_weights
        self.history_saturation = history_saturation
        self.anchor_weight = anchor_weight
        self.diversity = diversity
        self.max_history = max_history
        self.max_reasons = max_reasons
        self.footwear_category = footwear_category

    # ------------------------------------------------------------------------ fit
    def fit(
        self,
        items: Sequence[ItemInfo],
        interactions: Interactions | None,
        documents: Sequence[Document] = (),
    ) -> "HybridRecommender":
        """Fit every component from plain data.

        Parameters
        ----------
        items : sequence of ItemInfo
            The products that may be recommended (at least one; unique ids).
        interactions : Interactions or None
            Users' events on products (``item_id`` = slug) and articles (``doc_id``). Rows
            naming unknown ids (retired products) are ignored. ``None`` or empty: content,
            profile and an all-zero popularity only.
        documents : sequence of Document, default=()
            Articles, for content similarity and as collaborative items.

        Returns
        -------
        self
        """
        if self.collaborative not in _COLLABORATIVE:
            raise ValueError(
                f"collaborative must be one of {', '.join(_COLLABORATIVE)}, "
                f"got {self.collaborative!r}"
            )
        if not 0.0 <= self.diversity <= 1.0:
            raise ValueError(f"diversity must be in [0, 1], got {self.diversity}")
        items = list(items)
        documents = list(documents)
        if not items:
            raise ValueError("HybridRecommender needs at least one item")
        item_ids = [str(info.item_id) for info in items]
        doc_ids = [str(doc.doc_id) for doc in documents]
        all_ids = item_ids + doc_ids
        if len(set(all_ids)) != len(all_ids):
            seen: set[str] = set()
            dup = next(i for i in all_ids if i in seen or seen.add(i))
            raise ValueError(f"item and document ids must be unique; {dup!r} appears twice")
        n_items = len(items)

        self.item_ids_ = np.asarray(item_ids, dtype=object)
        self.doc_ids_ = np.asarray(doc_ids, dtype=object)
        self.space_ = IdIndex(np.asarray(all_ids, dtype=object))
        self.titles_ = {info.item_id: info.title for info in items}
        self.titles_.update({doc.doc_id: doc.title for doc in documents})
        self.n_items_ = n_items
        self.consumable_ = np.array(
            [bool(info.consumable or info.attributes.get("consumable")) for info in items]
        )
        paths = [tuple(info.category_path) for info in items]
        self.leaf_category_ = pd.factorize(pd.Series([p[-1] if p else "" for p in paths]))[0]
        self.root_category_ = pd.factorize(pd.Series([p[0] if p else "" for p in paths]))[0]
        self.is_footwear_ = np.array([self.footwear_category in p for p in paths])

        self.content_ = ContentModel(**(self.content_params or {})).fit(
            item_ids,
            [f"{info.title}. {info.text}. {_attribute_words(info)}" for info in items],
            doc_ids,
            [f"{doc.title}. {doc.text}" for doc in documents],
        )
        self.space_tfidf_ = sp.vstack(
            [self.content_.item_matrix_, self.content_.doc_matrix_], format="csr"
        )
        self.profile_ = ProfileScorer(rules_path=self.rules_path).fit(
            item_ids,
            [
                {**info.attributes, "category": paths[i], "widths": tuple(info.widths)}
                for i, info in enumerate(items)
            ],
        )

        n_space = len(self.space_)
        self.collaborative_ = None
        self.bought_together_ = None
        self.item_popularity_ = np.zeros(n_items, dtype=np.float32)
        self.support_ = np.zeros(n_space, dtype=np.int64)
        self.buy_support_ = np.zeros(n_space, dtype=np.int64)
        n_known = n_users = n_buy = 0
        n_rows = 0 if interactions is None else len(interactions)
        if n_rows:
            known = self.space_.get_indexer(interactions.item_ids) >= 0
            n_known = int(known.sum())
            X, users, _ = to_matrix(
                interactions, items=self.space_, event_weights=self.event_weights
            )
            n_users = len(users)
            if X.nnz:
                self.support_ = np.diff(X.tocsc().indptr).astype(np.int64)
                self.collaborative_ = self._new_collaborative().fit(X)
                popularity = Popularity(half_life_days=self.half_life_days).fit(
                    X, interactions=interactions, items=self.space_
                )
                self.item_popularity_ = popularity.popularity_[:n_items].astype(np.float32)
            buy = np.isin(interactions.events.astype(str), _BUY_EVENTS)
            if buy.any():
                Xb, _, _ = to_matrix(
                    interactions.take(buy), items=self.space_, event_weights=self.event_weights
                )
                n_buy = int(Xb.nnz)
                # Co-purchase needs baskets of two or more.
                if Xb.nnz and (np.diff(Xb.indptr) >= 2).any():
                    self.buy_support_ = np.diff(Xb.tocsc().indptr).astype(np.int64)
                    self.bought_together_ = self._new_collaborative().fit(Xb)
        top = float(self.item_popularity_.max()) if n_items else 0.0
        self._popularity_norm = (
            (self.item_popularity_ / np.float32(top)).astype(np.float32)
            if top > 0
            else np.zeros(n_items, dtype=np.float32)
        )
        self.stats_ = {
            "n_items": n_items,
            "n_documents": len(doc_ids),
            "n_interactions": n_rows,
            "n_interactions_known_ids": n_known,
            "n_users": n_users,
            "n_buy_pairs": n_buy,
            "has_collaborative": self.collaborative_ is not None,
            "has_bought_together": self.bought_together_ is not None,
        }
        return self

    def _new_collaborative(self):
        return _COLLABORATIVE[self.collaborative](**(self.collaborative_params or {}))

    # ------------------------------------------------------------------- public API
    def recommend(
        self,
        context: VisitorContext,
        n: int = 10,
        eligible: Collection[str] | np.ndarray | None = None,
    ) -> list[Recommendation]:
        """Top ``n`` products for a visitor in a context, each with reasons.

        Parameters
        ----------
        context : VisitorContext
        n : int, default=10
        eligible : collection of str or boolean ndarray of shape (n_items,), optional
            Only these products may be returned (active and in stock in the visitor's size
            and width). A boolean mask aligned with ``item_ids_`` is the fast path.

        Returns
        -------
        list of Recommendation
            Best first; at most ``n``; never the anchor, the cart, purchased non-consumables or
            an item twice.
        """
        check_is_fitted(self, "item_ids_")
        mask = self._eligible_mask(eligible)
        sources = self._sources(context)
        exclude = [context.anchor_id, *context.cart]
        exclude += [i for i in context.purchased if not self._is_consumable(i)]
        self._drop(mask, exclude)
        if context.kind == "footwear" and self.is_footwear_.any():
            mask &= self.is_footwear_
        if n <= 0 or not mask.any():
            return []

        w = {**DEFAULT_SIGNAL_WEIGHTS, **(self.signal_weights or {})}
        confidence = self._confidence(sources, self.support_)
        has_anchor = (
            context.anchor_id is not None
            and self.content_.vector(context.anchor_id) is not None
        )
        signals: dict[str, tuple[float, np.ndarray | None]] = {
            "content": (
                w["content_anchor"] if has_anchor else w["content_history"] * confidence,
                self._content_scores(sources),
            ),
            "collaborative": (
                w["collaborative"] * confidence,
                self._collaborative_scores(self.collaborative_, sources),
            ),
            "profile": (
                w["footwear_profile"] if context.kind == "footwear" else w["profile"],
                self.profile_.score_vector(context.profile) if context.profile else None,
            ),
            "popularity": (w["popularity"] * (1.0 - confidence), self._popularity_norm),
        }
        return self._rank(signals, mask, n, self.diversity, sources, context.profile)

    def similar_items(
        self, item_id: str, n: int = 10, eligible: Collection[str] | np.ndarray | None = None
    ) -> list[Recommendation]:
        """Products like ``item_id``: what its shoppers also chose, and similar descriptions.

        Collaborative similarity weighs in as the product gathers shoppers; without any it is
        pure content similarity. Unknown ``item_id`` gives an empty list.
        """
        anchored = self._anchored(item_id, n, eligible)
        if anchored is None:
            return []
        sources, mask = anchored
        w = {**DEFAULT_SIGNAL_WEIGHTS, **(self.signal_weights or {})}
        confidence = self._confidence(sources, self.support_)
        signals = {
            "content": (w["content_anchor"], self._content_scores(sources)),
            "collaborative": (
                w["collaborative"] * confidence,
                self._collaborative_scores(self.collaborative_, sources),
            ),
        }
        return self._rank(signals, mask, n, 0.0, sources, None)

    def _anchored(self, item_id: str, n: int, eligible):
        """``item_id`` as the only source and the eligible mask without it; None for nothing."""
        check_is_fitted(self, "item_ids_")
        if item_id not in self.content_.item_index_:
            return None
        mask = self._eligible_mask(eligible)
        self._drop(mask, [item_id])
        if n <= 0 or not mask.any():
            return None
        return self._single_source(item_id), mask

    def bought_together(
        self, item_id: str, n: int = 10, eligible: Collection[str] | np.ndarray | None = None
    ) -> list[Recommendation]:
        """Products bought (carted) with ``item_id``, for "goes well with" on product pages.

        Uses co-purchases when ``item_id`` has any, else co-interactions of any kind; without
        history, falls back to content similarity favouring other categories (an insole for
        a shoe rather than another shoe) with the reason "Pairs well with ...".
        """
        anchored = self._anchored(item_id, n, eligible)
        if anchored is None:
            return []
        sources, mask = anchored
        model, support = self.bought_together_, self.buy_support_
        if model is None or not support[sources.space_idx].any():
            model, support = self.collaborative_, self.support_
        collab = None
        if model is not None and support[sources.space_idx].any():
            collab = self._collaborative_scores(model, sources)
        content = self._content_scores(sources)
        row = self.content_.item_index_[item_id]
        if collab is None or not collab[mask].any():
            # No shopper evidence: complementary content (other leaf categories first).
            same_leaf = self.leaf_category_ == self.leaf_category_[row]
            content = np.where(same_leaf, 0.5 * content, content)
            sources.roles[0] = "pairs"
            signals = {"content": (1.0, content)}
        else:
            signals = {"collaborative": (1.0, collab), "content": (0.25, content)}
        return self._rank(signals, mask, n, self.diversity, sources, None, model=model)

    def popular(
        self, n: int = 10, eligible: Collection[str] | np.ndarray | None = None
    ) -> list[Recommendation]:
        """The most popular eligible products (recent interest weighs more)."""
        check_is_fitted(self, "item_ids_")
        mask = self._eligible_mask(eligible)
        if n <= 0 or not mask.any():
            return []
        signals = {"popularity": (1.0, self._popularity_norm)}
        return self._rank(signals, mask, n, 0.0, self._no_sources(), None)

    def eligible_mask(self, eligible: Collection[str] | np.ndarray | None) -> np.ndarray:
        """Boolean mask over ``item_ids_`` for a collection of product ids (unknown ids ignored).

        Converting ids costs time proportional to their number; for large catalogs compute the
        mask once per stock change (and size/width) and pass it as ``eligible``.
        """
        check_is_fitted(self, "item_ids_")
        return self._eligible_mask(eligible)

    # ------------------------------------------------------------------ internals
    def _eligible_mask(self, eligible) -> np.ndarray:
        if eligible is None:
            return np.ones(self.n_items_, dtype=bool)
        if isinstance(eligible, np.ndarray) and eligible.dtype == bool:
            if eligible.shape != (self.n_items_,):
                raise ValueError(f"an eligible mask must have shape ({self.n_items_},)")
            return eligible.copy()
        ids = np.asarray(list(eligible), dtype=object)
        mask = np.zeros(self.n_items_, dtype=bool)
        if ids.size:
            idx = self.space_.get_indexer(ids)
            idx = idx[(idx >= 0) & (idx < self.n_items_)]
            mask[idx] = True
        return mask

    def _drop(self, mask: np.ndarray, ids: Sequence[str | None]) -> None:
        for item_id in ids:
            row = self.content_.item_index_.get(item_id) if item_id is not None else None
            if row is not None:
                mask[row] = False

    def _is_consumable(self, item_id: str) -> bool:
        row = self.content_.item_index_.get(item_id)
        return row is not None and bool(self.consumable_[row])

    def _no_sources(self) -> _Sources:
        return _Sources(np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32), [], [])

    def _single_source(self, item_id: str) -> _Sources:
        return _Sources(
            np.array([self.space_.index_of(item_id)], dtype=np.intp),
            np.ones(1, dtype=np.float32),
            ["anchor"],
            [item_id],
        )

    def _sources(self, context: VisitorContext) -> _Sources:
        """The visitor's known products/articles with event weights, decay and roles."""
        event_weights = DEFAULT_EVENT_WEIGHTS if self.event_weights is None else self.event_weights
        history = list(context.history)
        stamps = [_seconds(t) for _, _, t in history]
        if len(history) > self.max_history:
            order = sorted(range(len(history)), key=lambda i: stamps[i] or 0.0)
            keep = sorted(order[-self.max_history:])
            history = [history[i] for i in keep]
            stamps = [stamps[i] for i in keep]
        known = [s for s in stamps if s is not None]
        now = max(known) if known else None

        weights: dict[str, float] = {}
        roles: dict[str, str] = {}

        def add(item_id: str | None, weight: float, role: str) -> None:
            if item_id is None or item_id not in self.space_:
                return
            weights[item_id] = weights.get(item_id, 0.0) + weight
            if _ROLE_RANK.get(role, 0) >= _ROLE_RANK.get(roles.get(item_id, "view"), 0):
                roles[item_id] = role

        for (item_id, event, _), stamp in zip(history, stamps):
            weight = float(event_weights.get(event, 1.0))
            if self.half_life_days and now is not None and stamp is not None:
                weight *= 0.5 ** (max(now - stamp, 0.0) / 86_400.0 / self.half_life_days)
            add(item_id, weight, event if event in _ROLE_RANK else "view")
        for item_id in context.cart:
            add(item_id, float(event_weights.get("cart", 1.0)), "cart")
        for item_id in context.purchased:
            add(item_id, float(event_weights.get("purchase", 1.0)), "purchase")
        add(context.anchor_id, float(self.anchor_weight), "anchor")
        ids = [i for i, w in weights.items() if w > 0]
        return _Sources(
            self.space_.get_indexer(ids).astype(np.intp) if ids else np.empty(0, dtype=np.intp),
            np.array([weights[i] for i in ids], dtype=np.float32),
            [roles[i] for i in ids],
            ids,
        )

    def _confidence(self, sources: _Sources, support: np.ndarray) -> float:
        if self.collaborative_ is None or not len(sources):
            return 0.0
        k = float(np.count_nonzero(support[sources.space_idx]))
        return k / (k + self.history_saturation) if k else 0.0

    def _space_tfidf(self) -> sp.csr_matrix:
        if not hasattr(self, "space_tfidf_"):  # a model pickled before this attribute existed
            self.space_tfidf_ = sp.vstack(
                [self.content_.item_matrix_, self.content_.doc_matrix_], format="csr"
            )
        return self.space_tfidf_

    def _source_vectors(self, sources: _Sources) -> sp.csr_matrix | None:
        if not len(sources):
            return None
        # Products then articles: the same row order as the collaborative space.
        return self._space_tfidf()[sources.space_idx]

    def _content_scores(self, sources: _Sources) -> np.ndarray | None:
        if not len(sources):
            return None
        # ContentModel.weighted_similarities on the source rows, read straight from the CSR
        # arrays (the same numbers in the same order) instead of slicing a scipy matrix.
        lengths, indices, data = _csr_rows(self._space_tfidf(), sources.space_idx)
        weights = np.asarray(sources.weights, dtype=np.float32)
        per_entry = data.astype(np.float32, copy=False) * np.repeat(weights, lengths)
        terms, inverse = np.unique(indices, return_inverse=True)
        values = np.bincount(inverse, weights=per_entry, minlength=len(terms))
        return self.content_._score_terms(terms, values)

    def _collaborative_scores(self, model, sources: _Sources) -> np.ndarray | None:
        if model is None or not len(sources):
            return None
        similarity = getattr(model, "similarity_", None)
        if (
            _is_csr(similarity)
            and similarity.dtype == np.float32
            and similarity.shape == (len(self.space_), len(self.space_))
        ):
            # ``weights @ similarity_`` for one visitor row: the sparse product adds the source
            # rows in column order with float32 sums; doing the same here skips building a
            # 1 x n matrix and the model's input checks.
            order = np.argsort(sources.space_idx, kind="stable")
            lengths, columns, values = _csr_rows(similarity, sources.space_idx[order])
            out = np.zeros(len(self.space_), dtype=np.float32)
            start = 0
            for weight, length in zip(np.asarray(sources.weights, dtype=np.float32)[order], lengths):
                stop = start + int(length)
                np.add.at(out, columns[start:stop], weight * values[start:stop])
                start = stop
            return out[: self.n_items_]
        row = sp.csr_matrix(
            (sources.weights, (np.zeros(len(sources), dtype=np.intp), sources.space_idx)),
            shape=(1, len(self.space_)),
            dtype=np.float32,
        )
        return model.score(row)[0, : self.n_items_]

    def _rank(
        self,
        signals: Mapping[str, tuple[float, np.ndarray | None]],
        mask: np.ndarray,
        n: int,
        diversity: float,
        sources: _Sources,
        profile: Mapping[str, Any] | None,
        model=None,
    ) -> list[Recommendation]:
        weights: dict[str, float] = {}
        normed: dict[str, np.ndarray] = {}
        for name, (weight, scores) in signals.items():
            if scores is None or weight <= 0:
                continue
            top = float(np.max(scores, where=mask, initial=0.0))
            if top <= _EPS:
                continue  # this signal says nothing about the eligible items
            weights[name] = weight
            normed[name] = np.clip(scores / np.float32(top), 0.0, 1.0)
        total = sum(weights.values())
        relevance = np.zeros(self.n_items_, dtype=np.float32)
        for name in weights:
            weights[name] /= total
            relevance += np.float32(weights[name]) * normed[name]
        relevance[~mask] = -np.inf

        n = min(n, int(mask.sum()))
        pool_size = n if diversity <= 0 else min(int(mask.sum()), max(4 * n, n + 20))
        pool = _top_indices(relevance, pool_size)
        chosen = pool[self._mmr(pool, relevance[pool], n, diversity)]

        contributions = {name: weights[name] * normed[name][chosen] for name in weights}
        reasons = self._reasons(chosen, contributions, sources, profile, model)
        return [
            Recommendation(
                item_id=str(self.item_ids_[row]),
                score=float(relevance[row]),
                reasons=reasons[j],
                contributions={
                    name: float(contributions[name][j]) if name in contributions else 0.0
                    for name in SIGNALS
                },
            )
            for j, row in enumerate(chosen)
        ]

    def _mmr(self, pool: np.ndarray, relevance: np.ndarray, n: int, diversity: float) -> np.ndarray:
        """Positions in ``pool`` picked by maximal marginal relevance (category + content)."""
        if diversity <= 0 or len(pool) <= 1:
            return np.arange(min(n, len(pool)))
        top = float(relevance.max())
        rel = relevance / top if top > 0 else np.zeros_like(relevance)
        leaf, root = self.leaf_category_[pool], self.root_category_[pool]
        items = self.content_.item_matrix_

        def similarity(position: int) -> np.ndarray:
            # One row of the pool's similarity matrix (category + content), only for the
            # items actually picked: n - 1 rows instead of the whole pool x pool block.
            category = 0.5 * (root[position] == root) + 0.5 * (leaf[position] == leaf)
            content = _cosine_rows(items, pool[position : position + 1], items, pool)[0]
            return 0.5 * category + 0.5 * content

        picked = [0]  # the pool is sorted: the most relevant goes first
        available = np.ones(len(pool), dtype=bool)
        available[0] = False
        if n <= 1:
            return np.asarray(picked, dtype=np.intp)
        max_sim = similarity(0)
        while len(picked) < n:
            value = (1.0 - diversity) * rel - diversity * max_sim
            value[~available] = -np.inf
            best = int(np.argmax(value))
            picked.append(best)
            available[best] = False
            if len(picked) < n:
                np.maximum(max_sim, similarity(best), out=max_sim)
        return np.asarray(picked, dtype=np.intp)

    # ------------------------------------------------------------------ reasons
    def _source_reason(self, signal: str, position: int, sources: _Sources) -> str:
        source_id = sources.ids[position]
        title = self.titles_.get(source_id, source_id)
        role = sources.roles[position]
        if source_id not in self.content_.item_index_:  # an article
            return f"Because you read *{title}*"
        if role == "pairs":
            return f"Pairs well with *{title}*"
        if signal == "content":
            return {
                "anchor": f"Similar to *{title}*",
                "cart": f"Similar to *{title}* in your cart",
                "purchase": f"Similar to *{title}* you bought",
            }.get(role, f"Similar to *{title}* you viewed")
        if role in ("cart", "purchase", "anchor"):
            return f"Often bought with *{title}*"
        return f"Shoppers who viewed *{title}* also chose this"

    def _best_sources(
        self, signal: str, chosen: np.ndarray, sources: _Sources, model
    ) -> np.ndarray:
        """Per chosen item, the position of the source contributing most (-1 if none)."""
        if not len(sources) or not len(chosen):
            return np.full(len(chosen), -1)
        if signal == "content":
            per_source = _cosine_rows(
                self._space_tfidf(), sources.space_idx, self.content_.item_matrix_, chosen
            )
        else:
            model = model if model is not None else self.collaborative_
            similarity = model.similarity_
            if _is_csr(similarity):
                # The chosen columns of the source rows, straight from the CSR arrays.
                lengths, columns, values = _csr_rows(similarity, sources.space_idx)
                rows = np.repeat(np.arange(len(sources)), lengths)
                order = np.argsort(chosen, kind="stable")
                ranked = np.asarray(chosen)[order]
                where = np.minimum(np.searchsorted(ranked, columns), len(ranked) - 1)
                keep = ranked[where] == columns
                per_source = np.zeros((len(sources), len(chosen)), dtype=np.float32)
                np.add.at(per_source, (rows[keep], order[where[keep]]), values[keep])
            elif sp.issparse(similarity):
                # Pick the chosen columns without a catalog-wide column index.
                block = similarity[sources.space_idx].tocoo()
                column = np.full(block.shape[1], -1, dtype=np.intp)
                column[chosen] = np.arange(len(chosen))
                keep = column[block.col] >= 0
                per_source = np.zeros((block.shape[0], len(chosen)), dtype=np.float32)
                np.add.at(per_source, (block.row[keep], column[block.col[keep]]), block.data[keep])
            else:
                per_source = np.asarray(similarity[sources.space_idx])[:, chosen]
        per_source = per_source * sources.weights[:, None]
        best = per_source.argmax(axis=0)
        best[per_source.max(axis=0) <= 0] = -1
        return best

    def _reasons(
        self,
        chosen: np.ndarray,
        contributions: Mapping[str, np.ndarray],
        sources: _Sources,
        profile: Mapping[str, Any] | None,
        model,
    ) -> list[list[str]]:
        candidates: list[list[tuple[float, str]]] = [[] for _ in chosen]
        for signal in ("content", "collaborative"):
            if signal not in contributions:
                continue
            best = self._best_sources(signal, chosen, sources, model)
            for j, position in enumerate(best):
                if position >= 0 and contributions[signal][j] > _EPS:
                    text = self._source_reason(signal, int(position), sources)
                    candidates[j].append((float(contributions[signal][j]), text))
        if "profile" in contributions:
            for j, pairs in enumerate(self.profile_.explain(profile, chosen)):
                # The strongest rule speaks for the whole profile signal, the next in proportion.
                positive = [(text, c) for text, c in pairs if c > 0][: self.max_reasons]
                for text, c in positive:
                    share = c / positive[0][1]
                    candidates[j].append((float(contributions["profile"][j]) * share, text))
        if "popularity" in contributions:
            share = self._popularity_norm[chosen]
            for j, value in enumerate(contributions["popularity"]):
                if value > _EPS and share[j] >= _POPULAR_MIN:
                    candidates[j].append((float(value), _POPULAR_REASON))
        out = []
        for options in candidates:
            options.sort(key=lambda pair: -pair[0])
            texts: list[str] = []
            for value, text in options:
                if texts and value < _SECOND_REASON_MIN * options[0][0]:
                    break
                if text not in texts:
                    texts.append(text)
                if len(texts) == self.max_reasons:
                    break
            out.append(texts or [_FALLBACK_REASON])
        return out
