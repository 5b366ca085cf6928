"""Which products may compete for a slot before the signals are blended.

Two rules decide it, apart from stock and the business rules of :mod:`recommender.hybrid`:

- **The page's context leads.** On an article page the article decides the topic: only
  products whose content is close to the article compete, and the visitor's history, cart
  and profile then reorder within that topic. Without this a shoe in the cart turns the
  sleep article's Related Products into five shoes and a pillow.
- **Rules that contradict the profile** (a motion-control shoe for high arches, a barefoot
  shoe for knee pain) take a shoe out (``effect: exclude`` in the rule table) or send it
  behind every shoe that does not contradict it (``effect: demote``); see
  :meth:`recommender.profile.ProfileScorer.effect_masks`.
"""

from __future__ import annotations

import numpy as np

from recommender.hybrid_signals import Sources, content_scores
from recommender.sparse import top_indices

__all__ = ["TOPIC_SHARE", "article_topic", "candidates"]

#: A product is on the article's topic when its content similarity to the article is at
#: least this share of the most similar eligible product's.
TOPIC_SHARE = 0.35


def article_topic(
    mask: np.ndarray, anchor_scores: np.ndarray | None, n: int, share: float = TOPIC_SHARE
) -> np.ndarray:
    """``mask`` kept to the products on the anchor's topic (a new array).

    ``anchor_scores`` is each product's content similarity to the anchor alone. When fewer
    than ``n`` products are on topic, the ``n`` most similar to the anchor (with any
    similarity at all) compete, so the slot still fills by the article's words rather than
    by the visitor's history.
    """
    if anchor_scores is None:
        return mask.copy()
    scores = np.where(mask, anchor_scores, -np.inf)
    top = float(scores.max(initial=-np.inf))
    if not np.isfinite(top) or top <= 0.0:
        return mask.copy()
    topic = mask & (anchor_scores >= share * top)
    if int(topic.sum()) < n:
        topic = np.zeros_like(mask)
        topic[top_indices(scores, min(n, int(mask.sum())))] = True
        topic &= mask & (anchor_scores > 0.0)
    return topic


def candidates(model, context, mask: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The products that compete for ``context`` on a fitted ``HybridRecommender``, and
    those demoted behind the rest (``None`` when none are).

    Shoes a profile rule excludes are taken out, those it demotes are returned apart; on an
    article page only products on the article's topic compete (:func:`article_topic`).
    """
    demoted = None
    if context.profile:
        effect_masks = getattr(model.profile_, "effect_masks", None)
        if effect_masks is not None:
            excluded, demoted = effect_masks(context.profile)
            mask = mask & ~(excluded & model.is_footwear_)
            demoted = demoted & model.is_footwear_
            demoted = demoted if demoted.any() else None
    if context.kind == "article" and context.anchor_id in model.space_:
        if model.content_.vector(context.anchor_id) is not None:
            anchor = Sources.anchor(model.space_, context.anchor_id)
            scores = content_scores(model.space_tfidf_, model.content_, anchor)
            mask = article_topic(mask, scores, n)
    return mask, demoted
