"""Why a product is recommended: one or two readable reasons per pick.

Each signal that contributed proposes a reason weighted by its contribution: the content and
collaborative signals name the visitor's item that pulled the product up most ("Similar to
*Comfort Walker* in your cart", "Because you read *Walking for back pain*"), the profile
names its strongest rule, popularity says so when the product really is popular. The
strongest reason goes first; a second one only when it carries a fair share of the first.
When reviewers with the visitor's arch rated the product well, that comes second ("Rated 4.8
by reviewers with flat feet", see :mod:`recommender.review_signals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.hybrid_ranking import EPS
from recommender.hybrid_signals import Sources
from recommender.review_signals import arch_reason
from recommender.sparse import cosine_rows, csr_rows, is_csr

__all__ = [
    "FALLBACK_REASON",
    "POPULAR_REASON",
    "best_sources",
    "explain",
    "pick_distinct",
    "source_reason",
]

POPULAR_REASON = "Popular with other shoppers"
FALLBACK_REASON = "From our back-care range"
#: Share of the best seller's popularity an item needs to be called "popular".
POPULAR_MIN = 0.1
#: A second reason must carry at least this share of the first one's contribution.
SECOND_REASON_MIN = 0.2
#: A reason given on ``k`` earlier cards of the list counts this to the power ``k``.
REPEAT_DISCOUNT = 0.5


def source_reason(signal: str, title: str, role: str, is_article: bool,
                  just_viewed: bool = False) -> str:
    """The sentence for a source item (titled ``title``, in ``role``) behind ``signal``;
    ``just_viewed`` when it is the visitor's most recently viewed product."""
    if is_article:
        return f"Because you read *{title}*"
    if just_viewed and role == "view":
        return f"Because you just looked at *{title}*"
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


def _similarity_block(similarity, rows: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Dense ``similarity[rows][:, chosen]`` without a catalog-wide column index."""
    if is_csr(similarity):
        # The chosen columns of the source rows, straight from the CSR arrays.
        lengths, columns, values = csr_rows(similarity, rows)
        row_of = np.repeat(np.arange(len(rows)), lengths)
        order = np.argsort(chosen, kind="stable")
        ranked = np.asarray(chosen)[order]
        where = np.minimum(np.searchsorted(ranked, columns), len(ranked) - 1)
        keep = ranked[where] == columns
        block = np.zeros((len(rows), len(chosen)), dtype=np.float32)
        np.add.at(block, (row_of[keep], order[where[keep]]), values[keep])
        return block
    if sp.issparse(similarity):
        coo = similarity[rows].tocoo()
        column = np.full(coo.shape[1], -1, dtype=np.intp)
        column[chosen] = np.arange(len(chosen))
        keep = column[coo.col] >= 0
        block = np.zeros((coo.shape[0], len(chosen)), dtype=np.float32)
        np.add.at(block, (coo.row[keep], column[coo.col[keep]]), coo.data[keep])
        return block
    return np.asarray(similarity[rows])[:, chosen]


def best_sources(
    signal: str,
    chosen: np.ndarray,
    sources: Sources,
    *,
    space_tfidf: sp.csr_matrix,
    item_matrix: sp.csr_matrix,
    similarity=None,
) -> np.ndarray:
    """Per chosen product, the position of the source contributing most (-1 if none).

    ``content`` compares TF-IDF rows (sources in ``space_tfidf``, products in
    ``item_matrix``); ``collaborative`` reads the collaborative model's ``similarity``.
    A product never explains itself (a viewed product may come back as a suggestion).
    """
    if not len(sources) or not len(chosen):
        return np.full(len(chosen), -1)
    if signal == "content":
        per_source = cosine_rows(space_tfidf, sources.space_idx, item_matrix, chosen)
    else:
        per_source = _similarity_block(similarity, sources.space_idx, chosen)
    per_source = per_source * sources.weights[:, None]
    per_source[sources.space_idx[:, None] == np.asarray(chosen)[None, :]] = 0.0
    best = per_source.argmax(axis=0)
    best[per_source.max(axis=0) <= 0] = -1
    return best


def explain(
    model,
    chosen: np.ndarray,
    contributions: Mapping[str, np.ndarray],
    sources: Sources,
    profile: Mapping[str, Any] | None,
    collaborative=None,
    collaborative_sources: Sources | None = None,
) -> list[list[str]]:
    """Reasons for each chosen product row of a fitted ``HybridRecommender``.

    ``contributions`` are the signals' shares of each chosen product's score;
    ``collaborative`` the model the collaborative signal came from (the hybrid's own when
    ``None``, its co-purchase model for "bought together"); ``collaborative_sources`` the
    sources weighted as that model read them (by recency for an order-aware one).
    """
    candidates: list[list[tuple[float, str]]] = [[] for _ in chosen]
    for signal in ("content", "collaborative"):
        if signal not in contributions:
            continue
        similarity, weighted = None, sources
        if signal == "collaborative":
            collaborative = collaborative if collaborative is not None else model.collaborative_
            similarity = collaborative.similarity_
            weighted = collaborative_sources if collaborative_sources is not None else sources
        best = best_sources(
            signal, chosen, weighted, space_tfidf=model.space_tfidf_,
            item_matrix=model.content_.item_matrix_, similarity=similarity,
        )
        for j, position in enumerate(best):
            if position >= 0 and contributions[signal][j] > EPS:
                source_id = sources.ids[position]
                text = source_reason(
                    signal,
                    model.titles_.get(source_id, source_id),
                    sources.roles[position],
                    is_article=sources.space_idx[position] >= model.n_items_,
                    just_viewed=source_id == sources.recent,
                )
                candidates[j].append((float(contributions[signal][j]), text))
    if "profile" in contributions:
        for j, pairs in enumerate(model.profile_.explain(profile, chosen)):
            # The strongest rule speaks for the whole profile signal, the others in
            # proportion (all of them: a weaker one may be what sets this card apart).
            positive = [(text, c) for text, c in pairs if c > 0]
            for text, c in positive:
                share = c / positive[0][1]
                candidates[j].append((float(contributions["profile"][j]) * share, text))
    if "popularity" in contributions:
        share = model.popularity_norm_[chosen]
        for j, value in enumerate(contributions["popularity"]):
            if value > EPS and share[j] >= POPULAR_MIN:
                candidates[j].append((float(value), POPULAR_REASON))
    arch_ratings = getattr(model, "arch_ratings_", None)  # absent from older artifacts
    if profile and arch_ratings:
        for j, row in enumerate(chosen):
            # row -> ratings of the rated items (a list of every item's in format 2 artifacts)
            text = arch_reason(arch_ratings[row] if isinstance(arch_ratings, list)
                               else arch_ratings.get(int(row)), profile)
            if text:
                _second(candidates[j], text)
    return pick_distinct(candidates, model.max_reasons)


def pick_distinct(candidates: list[list[tuple[float, str]]], max_reasons: int) -> list[list[str]]:
    """Each card's reasons, down-weighting those already given on earlier cards.

    A reason already shown ``k`` times above counts ``REPEAT_DISCOUNT ** k`` of its share, and
    a reason already shown ``m`` times beside this card's first one another
    ``REPEAT_DISCOUNT ** m``, so a card says what sets it apart from its neighbours when it
    has such a reason, rather than the pair every card of the list carries.
    """
    used: dict[str, int] = {}
    together: dict[tuple[str, str], int] = {}
    picked = []
    for options in candidates:
        discounted = [
            (value * REPEAT_DISCOUNT ** used.get(text, 0), text) for value, text in options
        ]
        discounted.sort(key=lambda pair: -pair[0])
        if discounted:
            first = discounted[0][1]
            discounted = discounted[:1] + sorted(
                ((value * REPEAT_DISCOUNT ** together.get((first, text), 0), text)
                 for value, text in discounted[1:]),
                key=lambda pair: -pair[0],
            )
        texts = _pick(discounted, max_reasons)
        for text in texts:
            used[text] = used.get(text, 0) + 1
        for other in texts[1:]:
            together[(texts[0], other)] = together.get((texts[0], other), 0) + 1
        picked.append(texts)
    return picked


def _second(options: list[tuple[float, str]], text: str) -> None:
    """Evidence from reviewers like the visitor goes right after the reason that picked the
    product (as strong as it, so ``_pick``'s stable sort keeps it there)."""
    options.sort(key=lambda pair: -pair[0])
    if options:
        options.insert(1, (options[0][0], text))
    else:
        options.append((1.0, text))


def _pick(options: list[tuple[float, str]], max_reasons: int) -> list[str]:
    """The strongest distinct reasons, a second only with a fair share of the first."""
    options.sort(key=lambda pair: -pair[0])
    texts: list[str] = []
    for value, text in options:
        if texts and value < SECOND_REASON_MIN * options[0][0]:
            break
        if text not in texts:
            texts.append(text)
        if len(texts) == max_reasons:
            break
    return texts or [FALLBACK_REASON]
