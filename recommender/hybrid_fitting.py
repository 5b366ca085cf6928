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
from recommender.hybrid_statistics import BUY_EVENTS, InteractionSummary, fit_model, item_space, summarize
from recommender.interactions import Interactions
from recommender.profile import ProfileScorer
from recommender.review_signals import REVIEW_KEYS, rating_factors
from recommender.sequential import SLIST
from recommender.sparse_ease import SparseEASE
from recommender.types import Document, ItemInfo

__all__ = ["BUY_EVENTS", "COLLABORATIVE_MODELS", "HybridFitSteps", "attribute_words"]

COLLABORATIVE_MODELS = {"rp3beta": RP3beta, "itemknn": ItemKNN, "ease": EASE, "slist": SLIST,
                        "sparse-ease": SparseEASE}
#: ``collaborative`` value that picks the model by validation (``recommender.hybrid_selection``).
AUTO = "auto"


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
        if self.max_user_items is not None and int(self.max_user_items) < 1:
            raise ValueError(f"max_user_items must be None or >= 1, got {self.max_user_items}")

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
        self.space_ = item_space(items, documents)
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

    def _fit_interactions(self, interactions: Interactions | None,
                          summary: InteractionSummary | None = None) -> dict:
        """Collaborative and co-purchase models, supports and popularity, from the summary of
        the interactions (computed here unless another engine did); returns the counts
        recorded in ``stats_``."""
        if summary is None:
            summary = summarize(self, interactions, self.space_)
        elif interactions is not None and len(interactions):
            raise ValueError("pass interactions or statistics, not both")
        n_space = len(self.space_)
        for name in ("support", "popularity", "buy_support"):
            if len(getattr(summary, name)) != n_space:
                raise ValueError(f"statistics.{name} has {len(getattr(summary, name))} entries, "
                                 f"the item space {n_space}")
        matrices = summary.matrices or {}
        self.support_ = np.asarray(summary.support, dtype=np.int64)
        self.buy_support_ = np.asarray(summary.buy_support, dtype=np.int64)
        self.item_popularity_ = np.asarray(summary.popularity[: self.n_items_], dtype=np.float32)
        self.collaborative_choice_ = summary.choice
        self.collaborative_ = self.bought_together_ = None
        if summary.collaborative is not None:
            self.collaborative_ = fit_model(summary.collaborative, summary.history,
                                            matrices.get("history"))
        if summary.basket_model is not None:
            self.bought_together_ = fit_model(summary.basket_model, summary.baskets,
                                              matrices.get("baskets"))
        return summary.counts()

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
