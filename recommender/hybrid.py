"""The model the shop serves: content, collaborative, profile and popularity, blended.

No single signal covers every visitor. A first-time visitor has only a profile (or nothing);
someone reading an article is best served by products like what they are reading; a returning
shopper's history is best read by what other shoppers did next. :class:`HybridRecommender`
normalises each signal to [0, 1], weights them by how much we know about this visitor, applies
the shop's business rules (eligible, not the anchor, not in the cart, not bought unless
consumable, not excluded, one per item, diverse categories) and says *why* each product is
there. It implements :class:`recommender.types.Recommender`, the one protocol the shop calls.

Products and articles share one item space in the collaborative model, so "read article X →
bought product Y" is learned like any other co-occurrence. Per-request work is a handful of
vectorised passes over the catalog plus small dense blocks for the final top list, so serving
stays in milliseconds for 100k products.

The work is split by job: fitting in :mod:`recommender.hybrid_fitting`, eligibility, the visitor's
sources and per-signal scores in :mod:`recommender.hybrid_signals`, blending and diversity in
:mod:`recommender.hybrid_ranking`, reasons in :mod:`recommender.hybrid_reasons`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recommender.hybrid_candidates import candidates
from recommender.hybrid_fitting import HybridFitSteps
from recommender.hybrid_ranking import rank
from recommender.hybrid_reasons import explain
from recommender.hybrid_signals import (
    Sources,
    collaborative_scores,
    confidence,
    content_scores,
    drop_rows,
    eligible_rows,
    ordered_sources,
    visitor_sources,
)
from recommender.hybrid_statistics import InteractionSummary
from recommender.interactions import Interactions
from recommender.types import (
    CONTEXT_KINDS,
    SIGNALS,
    Document,
    Eligible,
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


class HybridRecommender(HybridFitSteps, BaseEstimator):
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
    collaborative : {'auto', 'slist', 'sparse-ease', 'rp3beta', 'itemknn', 'ease'}, default='auto'
        The collaborative model. ``'auto'`` picks, on a validation split of the interactions
        given to ``fit``, the best of SLIST and decayed EASE (catalogs up to 25k products and
        articles), sparse EASE (beyond) and RP3beta, then refits it on all of them
        (:mod:`recommender.hybrid_selection`). Histories with fewer than
        ``selection_min_users`` users of two or more items skip the selection and use SLIST
        with small-data settings. Order-aware models weigh the visitor's items by
        ``decay ** step`` from the most recent (the page's anchor counts as the newest).
    collaborative_params : dict, optional
        Keyword arguments of an explicitly named model (ignored with ``'auto'``).
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
    max_user_items : int or None, default=None
        Learn only from each visitor's this many most recent distinct items (products and
        articles); None keeps all. Co-occurrences grow with the square of a history, so a
        cap bounds the cost of training on a large event log (the shop sets one).
    max_reasons : int, default=2
        Reasons per recommendation.
    footwear_category : str, default='footwear'
        Category (at any level of the path) the footwear finder recommends from.
    selection_min_users : int, default=200
        Users with two or more items needed before ``collaborative='auto'`` validates.

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
    collaborative_ : SLIST, SparseEASE, RP3beta, ItemKNN, EASE or None
        ``None`` without interactions.
    collaborative_choice_ : dict or None
        Which model and settings, and how they were chosen (also in ``stats_``).
    bought_together_ : same type or None
        Fitted on cart and purchase events only (for :meth:`bought_together`).
    item_popularity_ : ndarray of float32, shape (n_items,)
        Time-decayed popularity of each product.
    popularity_norm_ : ndarray of float32, shape (n_items,)
        The same as a share of the best seller's (the popularity signal).
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
        collaborative: str = "auto",
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
        max_user_items: int | None = None,
        max_reasons: int = 2,
        footwear_category: str = "footwear",
        selection_min_users: int = 200,
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
        self.max_user_items = max_user_items
        self.max_reasons = max_reasons
        self.footwear_category = footwear_category
        self.selection_min_users = selection_min_users

    # ------------------------------------------------------------------------ fit
    def fit(
        self,
        items: Sequence[ItemInfo],
        interactions: Interactions | None,
        documents: Sequence[Document] = (),
        *,
        statistics: InteractionSummary | None = None,
    ) -> HybridRecommender:
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
        statistics : InteractionSummary, optional
            The interactions already summarised by another engine (a Spark job over an event
            log too large for one machine) instead of ``interactions`` (then None): the same
            summary gives the same model (:mod:`recommender.hybrid_statistics`).

        Returns
        -------
        self
        """
        self._check_params()
        items, documents = list(items), list(documents)
        self._fit_catalog(items, documents)
        self._fit_content(items, documents)
        self._fit_profile(items)
        counts = self._fit_interactions(interactions, statistics)
        self._fit_popularity_norm()
        self._record_stats(counts)
        return self

    # ------------------------------------------------------------------- public API
    def recommend(
        self,
        context: VisitorContext,
        n: int = 10,
        eligible: Eligible = None,
        *,
        exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """Top ``n`` products for a visitor in a context, each with reasons.

        Parameters
        ----------
        context : VisitorContext
        n : int, default=10
        eligible : collection of str or boolean ndarray of shape (n_items,), optional
            Only these products may be returned (active and in stock in the visitor's size
            and width). A boolean mask from :meth:`eligible_mask` is the fast path.
        exclude : collection of str, default=()
            Products never to return (e.g. already shown on the page); unknown ids ignored.

        Returns
        -------
        list of Recommendation
            Best first; at most ``n``; never the anchor, the cart, purchased non-consumables,
            an excluded product or an item twice.
        """
        check_is_fitted(self, "item_ids_")
        mask = self._eligible_mask(eligible)
        sources = visitor_sources(
            context, self.space_, event_weights=self.event_weights,
            max_history=self.max_history, half_life_days=self.half_life_days,
            anchor_weight=self.anchor_weight,
        )
        drop = [context.anchor_id, *context.cart]
        drop += [i for i in context.purchased if not self._is_consumable(i)]
        self._drop(mask, [*drop, *exclude])
        if context.kind == "footwear" and self.is_footwear_.any():
            mask &= self.is_footwear_
        # The page's topic and the profile's contradictions (hybrid_candidates).
        mask, demoted = candidates(self, context, mask, n)
        if n <= 0 or not mask.any():
            return []

        w = self._signal_weights()
        trust = self._confidence(sources)
        has_anchor = (
            context.anchor_id is not None
            and self.content_.vector(context.anchor_id) is not None
        )
        signals: dict[str, tuple[float, np.ndarray | None]] = {
            "content": (
                w["content_anchor"] if has_anchor else w["content_history"] * trust,
                self._content_scores(sources),
            ),
            "collaborative": (
                w["collaborative"] * trust,
                self._collaborative_scores(self.collaborative_, sources),
            ),
            "profile": (
                w["footwear_profile"] if context.kind == "footwear" else w["profile"],
                self.profile_.score_vector(context.profile) if context.profile else None,
            ),
            "popularity": (w["popularity"] * (1.0 - trust), self.popularity_norm_),
        }
        return self._rank(signals, mask, n, self.diversity, sources, context.profile,
                          demoted=demoted)

    def similar_items(
        self, item_id: str, n: int = 10, eligible: Eligible = None, *,
        exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """Products like ``item_id``: what its shoppers also chose, and similar descriptions.

        Collaborative similarity weighs in as the product gathers shoppers; without any it is
        pure content similarity. Unknown ``item_id`` gives an empty list.
        """
        anchored = self._anchored(item_id, n, eligible, exclude)
        if anchored is None:
            return []
        sources, mask = anchored
        w = self._signal_weights()
        signals = {
            "content": (w["content_anchor"], self._content_scores(sources)),
            "collaborative": (
                w["collaborative"] * self._confidence(sources),
                self._collaborative_scores(self.collaborative_, sources),
            ),
        }
        return self._rank(signals, mask, n, 0.0, sources, None)

    def bought_together(
        self, item_id: str, n: int = 10, eligible: Eligible = None, *,
        exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """Products bought (carted) with ``item_id``, for "goes well with" on product pages.

        Uses co-purchases when ``item_id`` has any, else co-interactions of any kind; without
        history, falls back to content similarity favouring other categories (an insole for
        a shoe rather than another shoe) with the reason "Pairs well with ...".
        """
        anchored = self._anchored(item_id, n, eligible, exclude)
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
        self, n: int = 10, eligible: Eligible = None, *, exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """The most popular eligible products (recent interest weighs more)."""
        check_is_fitted(self, "item_ids_")
        mask = self._eligible_mask(eligible)
        self._drop(mask, exclude)
        if n <= 0 or not mask.any():
            return []
        signals = {"popularity": (1.0, self.popularity_norm_)}
        return self._rank(signals, mask, n, 0.0, Sources.none(), None)

    def eligible_mask(self, item_ids: Iterable[str] | None) -> np.ndarray:
        """Boolean mask over ``item_ids_`` for a collection of product ids (unknown ids ignored;
        ``None`` allows every product).

        Converting ids costs time proportional to their number; for large catalogs compute the
        mask once per stock change (and size/width) and pass it as ``eligible``.
        """
        check_is_fitted(self, "item_ids_")
        return self._eligible_mask(item_ids)

    # ------------------------------------------------------------------ internals
    def _eligible_mask(self, eligible: Eligible) -> np.ndarray:
        return eligible_rows(eligible, self.space_, self.n_items_)

    def _drop(self, mask: np.ndarray, ids: Iterable[str | None]) -> None:
        drop_rows(mask, self.content_.item_index_, ids)

    def _is_consumable(self, item_id: str) -> bool:
        row = self.content_.item_index_.get(item_id)
        return row is not None and bool(self.consumable_[row])

    def _anchored(self, item_id: str, n: int, eligible, exclude: Collection[str]):
        """``item_id`` as the only source and the eligible mask without it (nor ``exclude``);
        None when nothing can be returned."""
        check_is_fitted(self, "item_ids_")
        if item_id not in self.content_.item_index_:
            return None
        mask = self._eligible_mask(eligible)
        self._drop(mask, [item_id, *exclude])
        if n <= 0 or not mask.any():
            return None
        return Sources.anchor(self.space_, item_id), mask

    def _signal_weights(self) -> dict[str, float]:
        return {**DEFAULT_SIGNAL_WEIGHTS, **(self.signal_weights or {})}

    def _confidence(self, sources: Sources) -> float:
        return confidence(sources, self.support_, self.history_saturation, self.collaborative_)

    def _content_scores(self, sources: Sources) -> np.ndarray | None:
        return content_scores(self.space_tfidf_, self.content_, sources)

    def _collaborative_scores(self, model, sources: Sources) -> np.ndarray | None:
        sources = self._collaborative_sources(model, sources)
        return collaborative_scores(model, sources, len(self.space_), self.n_items_)

    @staticmethod
    def _collaborative_sources(model, sources: Sources) -> Sources:
        """The sources as ``model`` reads them: by recency for an order-aware model."""
        if getattr(model, "uses_order", False):
            return ordered_sources(sources, float(getattr(model, "decay", 1.0)))
        return sources

    def _rank(
        self,
        signals: Mapping[str, tuple[float, np.ndarray | None]],
        mask: np.ndarray,
        n: int,
        diversity: float,
        sources: Sources,
        profile: Mapping[str, Any] | None,
        model=None,
        demoted: np.ndarray | None = None,
    ) -> list[Recommendation]:
        """Blend, pick (diverse when asked; ``demoted`` products last), explain; ``model`` is
        the collaborative model the collaborative signal came from."""
        ranking = rank(
            signals, mask, n, diversity, leaf=self.leaf_category_, root=self.root_category_,
            item_matrix=self.content_.item_matrix_, demoted=demoted,
        )
        contributions = ranking.contributions()
        collaborative = model if model is not None else self.collaborative_
        reasons = explain(self, ranking.chosen, contributions, sources, profile, model,
                          self._collaborative_sources(collaborative, sources))
        return [
            Recommendation(
                item_id=str(self.item_ids_[row]),
                score=float(ranking.relevance[row]),
                reasons=reasons[j],
                contributions={
                    name: float(contributions[name][j]) if name in contributions else 0.0
                    for name in SIGNALS
                },
            )
            for j, row in enumerate(ranking.chosen)
        ]
