"""The hybrid's fit, step by step: catalog, content, profile, interactions, popularity.

Kept apart from serving so each step can be read (and timed) on its own; the steps set the
fitted attributes documented on :class:`recommender.hybrid.HybridRecommender`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.collaborative import EASE, ItemKNN, RP3beta
from recommender.compact import CompactDict
from recommender.content import ContentModel
from recommender.hybrid_selection import choose_collaborative
from recommender.interactions import IdIndex, Interactions, to_matrix
from recommender.popularity import Popularity
from recommender.profile import ProfileScorer
from recommender.review_signals import REVIEW_KEYS, rating_factors
from recommender.sequential import SLIST, recency_matrix
from recommender.sparse_ease import SparseEASE
from recommender.types import Document, ItemInfo

__all__ = ["COLLABORATIVE_MODELS", "HybridFitSteps", "attribute_words"]

COLLABORATIVE_MODELS = {"rp3beta": RP3beta, "itemknn": ItemKNN, "ease": EASE, "slist": SLIST,
                        "sparse-ease": SparseEASE}
#: ``collaborative`` value that picks the model by validation (``recommender.hybrid_selection``).
AUTO = "auto"
#: Events that make a basket, for "bought together".
BUY_EVENTS = ("cart", "purchase")


def attribute_words(info: ItemInfo) -> str:
    """Attribute and category words, so "arch support" in an article meets ``arch_support``."""
    words = [" ".join(info.category_path).replace("-", " ")]
    for key, value in info.attributes.items():
        if key in ("drop_mm", "weight_g", "consumable") or key in REVIEW_KEYS or value is None:
            continue
        name = key.replace("_", " ")
        if isinstance(value, bool):  # a flag is its own word when set ("waterproof")
            if value:
                words.append(name)
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            v = str(v).replace("-", " ")
            words.append(v if key in ("terrain", "conditions", "stability") else f"{v} {name}")
    words.extend(f"{w.replace('-', ' ')} fit" for w in info.widths)
    return ". ".join(words)


class HybridFitSteps:
    """The named steps of ``HybridRecommender.fit`` (a mixin: they read its parameters)."""

    def _check_params(self) -> None:
        if self.collaborative not in (AUTO, *COLLABORATIVE_MODELS):
            raise ValueError(
                f"collaborative must be one of {AUTO}, {', '.join(COLLABORATIVE_MODELS)}, "
                f"got {self.collaborative!r}"
            )
        if not 0.0 <= self.diversity <= 1.0:
            raise ValueError(f"diversity must be in [0, 1], got {self.diversity}")

    def _fit_catalog(self, items: list[ItemInfo], documents: list[Document]) -> None:
        """Ids, the joint product+article space, titles, consumables and categories."""
        if not items:
            raise ValueError("HybridRecommender needs at least one item")
        item_ids = [str(info.item_id) for info in items]
        doc_ids = [str(doc.doc_id) for doc in documents]
        all_ids = item_ids + doc_ids
        if len(set(all_ids)) != len(all_ids):
            seen: set[str] = set()
            dup = next(i for i in all_ids if i in seen or seen.add(i))
            raise ValueError(f"item and document ids must be unique; {dup!r} appears twice")
        self.item_ids_ = np.asarray(item_ids, dtype=object)
        self.doc_ids_ = np.asarray(doc_ids, dtype=object)
        self.space_ = IdIndex(np.asarray(all_ids, dtype=object))
        # Flat arrays, not 100k Python strings: mapped and shared by every serving worker.
        titles = {info.item_id: info.title for info in items}
        titles.update({doc.doc_id: doc.title for doc in documents})
        self.titles_ = CompactDict(titles)
        self.n_items_ = len(items)
        self.consumable_ = np.array(
            [bool(info.consumable or info.attributes.get("consumable")) for info in items]
        )
        paths = [tuple(info.category_path) for info in items]
        self.leaf_category_ = pd.factorize(pd.Series([p[-1] if p else "" for p in paths]))[0]
        self.root_category_ = pd.factorize(pd.Series([p[0] if p else "" for p in paths]))[0]
        self.is_footwear_ = np.array([self.footwear_category in p for p in paths])
        # What reviews say: a popularity multiplier, and per-arch ratings for the reasons.
        self.rating_factor_ = rating_factors(items)
        self.arch_ratings_ = {row: ratings for row, info in enumerate(items)
                              if (ratings := info.attributes.get("rating_by_arch"))}

    def _fit_content(self, items: list[ItemInfo], documents: list[Document]) -> None:
        """TF-IDF of products (with attribute words) and articles in one vocabulary."""
        self.content_ = ContentModel(**(self.content_params or {})).fit(
            self.item_ids_.tolist(),
            [f"{info.title}. {info.text}. {attribute_words(info)}" for info in items],
            self.doc_ids_.tolist(),
            [f"{doc.title}. {doc.text}" for doc in documents],
        )
        self.space_tfidf_ = sp.vstack(
            [self.content_.item_matrix_, self.content_.doc_matrix_], format="csr"
        )

    def _fit_profile(self, items: list[ItemInfo]) -> None:
        self.profile_ = ProfileScorer(rules_path=self.rules_path).fit(
            self.item_ids_.tolist(),
            [
                {**info.attributes, "category": tuple(info.category_path),
                 "widths": tuple(info.widths)}
                for info in items
            ],
        )

    def _new_collaborative(self):
        return COLLABORATIVE_MODELS[self.collaborative](**(self.collaborative_params or {}))

    def _fit_collaborative(self, X: sp.csr_matrix, users: IdIndex,
                           interactions: Interactions, known: np.ndarray):
        """The collaborative model, fitted; records its name, settings and how it was chosen.

        Order-aware models learn from a binary matrix plus each entry's latest time (as they
        were validated); the others from the event-weighted sums.
        """
        if self.collaborative == AUTO:
            choice = choose_collaborative(interactions.take(known), len(self.space_),
                                          min_users=self.selection_min_users)
            model, self.collaborative_choice_ = choice.estimator, choice.record()
        else:
            model = self._new_collaborative()
            self.collaborative_choice_ = {
                "model": self.collaborative, "chosen_by": "parameter",
                "params": {k: v for k, v in sorted(model.get_params(deep=False).items())
                           if isinstance(v, (bool, int, float, str, type(None)))}}
        if getattr(model, "uses_order", False):
            binary = X.copy()
            binary.data[:] = 1.0
            times = recency_matrix(interactions, users, self.space_)
            return model.fit(binary, times=times)
        return model.fit(X)

    def _fit_interactions(self, interactions: Interactions | None) -> dict:
        """Collaborative and co-purchase models, supports and popularity; returns the counts
        recorded in ``stats_``."""
        n_space, n_items = len(self.space_), self.n_items_
        self.collaborative_ = None
        self.collaborative_choice_ = None
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
                self.collaborative_ = self._fit_collaborative(X, users, interactions, known)
                popularity = Popularity(half_life_days=self.half_life_days).fit(
                    X, interactions=interactions, items=self.space_
                )
                self.item_popularity_ = popularity.popularity_[:n_items].astype(np.float32)
            n_buy = self._fit_bought_together(interactions)
        return {
            "n_interactions": n_rows,
            "n_interactions_known_ids": n_known,
            "n_users": n_users,
            "n_buy_pairs": n_buy,
        }

    def _fit_bought_together(self, interactions: Interactions) -> int:
        """The co-purchase model on cart and purchase events; returns their (user, item) pairs."""
        buy = np.isin(interactions.events.astype(str), BUY_EVENTS)
        if not buy.any():
            return 0
        Xb, _, _ = to_matrix(
            interactions.take(buy), items=self.space_, event_weights=self.event_weights
        )
        # Co-purchase needs baskets of two or more.
        if Xb.nnz and (np.diff(Xb.indptr) >= 2).any():
            self.buy_support_ = np.diff(Xb.tocsc().indptr).astype(np.int64)
            # Baskets have no order, and a second dense inverse would double the fit: with
            # an order-aware or validated model, co-purchases use RP3beta.
            auto = self.collaborative == AUTO or getattr(
                COLLABORATIVE_MODELS[self.collaborative], "uses_order", False)
            model = RP3beta() if auto else self._new_collaborative()
            self.bought_together_ = model.fit(Xb)
        return int(Xb.nnz)

    def _fit_popularity_norm(self) -> None:
        """Popularity as a share of the best seller's, the popularity signal."""
        top = float(self.item_popularity_.max()) if self.n_items_ else 0.0
        self.popularity_norm_ = (
            (self.item_popularity_ / np.float32(top) * self.rating_factor_).astype(np.float32)
            if top > 0
            else np.zeros(self.n_items_, dtype=np.float32)
        )

    def _record_stats(self, counts: dict) -> None:
        """Data statistics, recorded in saved artifacts."""
        self.stats_ = {
            "n_items": self.n_items_,
            "n_documents": len(self.doc_ids_),
            **counts,
            "has_collaborative": self.collaborative_ is not None,
            "has_bought_together": self.bought_together_ is not None,
            "collaborative": self.collaborative_choice_,
        }
