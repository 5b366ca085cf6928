"""What shoppers' reviews tell the recommender, read from plain item attributes.

The shop passes per product, in ``ItemInfo.attributes``: ``rating`` (average stars of the
published reviews, or None), ``rating_count``, ``fit_small_share`` (the share of footwear
reviewers who say it runs small) and ``rating_by_arch`` (``{arch: [average, count]}`` over
the reviewers whose saved profile names that arch). A product with poor or "runs small"
reviews loses a little popularity; a good rating from reviewers with the visitor's arch
becomes a reason ("Rated 4.8 by reviewers with flat feet").

>>> poor, good = {"rating": 1.5, "rating_count": 40}, {"rating": 4.6, "rating_count": 40}
>>> rating_factor(poor) < rating_factor(good)
True
>>> arch_reason({"flat": [4.8, 6]}, {"arch": "flat"})
'Rated 4.8 by reviewers with flat feet'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["REVIEW_KEYS", "arch_reason", "rating_factor", "rating_factors"]

#: Attribute keys that carry review signals (numbers and mappings, never content words).
REVIEW_KEYS = frozenset({"rating", "rating_count", "fit_small_share", "rating_by_arch"})
#: The rating a product is assumed to have before its reviews say otherwise, and how many
#: reviews it takes to move halfway from it (a Bayesian average).
PRIOR_RATING, PRIOR_WEIGHT = 4.0, 5.0
#: At most this share of a product's popularity is lost to a poor rating, and to "runs small".
MAX_RATING_PENALTY, MAX_FIT_PENALTY = 0.15, 0.05
#: A reviewers'-arch reason needs this many such reviewers and at least this average.
ARCH_MIN_COUNT, ARCH_MIN_RATING = 2, 4.5
ARCH_WORDS = {"flat": "flat feet", "high": "high arches", "neutral": "neutral arches"}


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return default if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return default


def rating_factor(attributes: Mapping[str, Any]) -> float:
    """A multiplier in ``[1 - MAX_RATING_PENALTY - MAX_FIT_PENALTY, 1]`` for the popularity.

    The shrunk rating ``(r n + 4 k) / (n + k)`` below 4 costs up to 15 % (at 1 star); reviews
    saying it runs small, beyond half of them, up to 5 % more. No reviews: 1.
    """
    count = max(0.0, _number(attributes.get("rating_count")))
    rating = attributes.get("rating")
    factor = 1.0
    if count and rating is not None:
        shrunk = (_number(rating, PRIOR_RATING) * count + PRIOR_RATING * PRIOR_WEIGHT) / (
            count + PRIOR_WEIGHT
        )
        factor -= MAX_RATING_PENALTY * min(
            1.0, max(0.0, (PRIOR_RATING - shrunk) / (PRIOR_RATING - 1.0))
        )
    small = _number(attributes.get("fit_small_share"))
    factor -= MAX_FIT_PENALTY * min(1.0, max(0.0, (small - 0.5) * 2.0))
    return factor


def rating_factors(items: Sequence[Any]) -> np.ndarray:
    """:func:`rating_factor` of each ``ItemInfo``, as float32 in item order."""
    return np.array([rating_factor(info.attributes) for info in items], dtype=np.float32)


def arch_reason(by_arch: Mapping[str, Any] | None, profile: Mapping[str, Any] | None) -> str | None:
    """ "Rated 4.8 by reviewers with flat feet" when enough reviewers share the visitor's arch
    and rate the product well; None otherwise. ``by_arch`` is an item's ``rating_by_arch``."""
    arch = (profile or {}).get("arch")
    if arch not in ARCH_WORDS or not isinstance(by_arch, Mapping) or arch not in by_arch:
        return None
    try:
        average, count = float(by_arch[arch][0]), int(by_arch[arch][1])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    if count < ARCH_MIN_COUNT or average < ARCH_MIN_RATING:
        return None
    return f"Rated {average:.1f} by reviewers with {ARCH_WORDS[arch]}"
