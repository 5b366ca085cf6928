"""The recommender's public contract: the plain data the shop hands in and gets back, and the
one :class:`Recommender` protocol every served model implements.

The shop talks to whatever model serves (the trained hybrid, the popularity fallback, the next
winner) only through these names, so a model's fitted or private fields never leak into it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "CONTEXT_KINDS",
    "SIGNALS",
    "Document",
    "Eligible",
    "ItemInfo",
    "Recommendation",
    "Recommender",
    "VisitorContext",
]

#: The pages a recommendation can be asked for.
CONTEXT_KINDS = ("home", "cart", "footwear", "article", "product")
#: The signals a recommendation's ``contributions`` are split into.
SIGNALS = ("content", "collaborative", "profile", "popularity")

#: Which products may be returned: ids, a boolean mask over the model's own item order (the
#: fast path, see :meth:`Recommender.eligible_mask`), or ``None`` for every product.
Eligible = Collection[str] | np.ndarray | None


@dataclass
class ItemInfo:
    """A product as the recommender sees it.

    ``text`` is the shop's one text per product (name, description, tags); attribute and
    category words are added by the recommender. ``attributes`` use the catalog vocabulary
    (docs/catalog-format.md); ``attributes["consumable"]`` counts like ``consumable``. Review
    signals travel there too (``rating``, ``rating_count``, ``fit_small_share``,
    ``rating_by_arch``: see :mod:`recommender.review_signals`).
    """

    item_id: str
    title: str
    text: str
    category_path: tuple[str, ...]
    attributes: dict
    widths: tuple[str, ...] = ()
    consumable: bool = False


@dataclass
class Document:
    """An article; interactions refer to it by ``doc_id`` (e.g. ``article:walking``)."""

    doc_id: str
    title: str
    text: str


@dataclass
class VisitorContext:
    """What we know about the visitor at this request.

    Parameters
    ----------
    kind : {'home', 'cart', 'footwear', 'article', 'product'}
        The page asking. ``footwear`` (the footwear finder) only returns footwear.
    anchor_id : str, optional
        The article (``doc_id``) or product being looked at.
    history : sequence of (item_id, event, timestamp)
        Recent events, any order; ``timestamp`` in Unix seconds, a datetime or None.
    cart, purchased : sequence of str
        Product ids in the cart / bought before.
    profile : mapping, optional
        Footwear-finder answers (see :mod:`recommender.profile`).
    """

    kind: str
    anchor_id: str | None = None
    history: Sequence[tuple[str, str, Any]] = ()
    cart: Sequence[str] = ()
    purchased: Sequence[str] = ()
    profile: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in CONTEXT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(CONTEXT_KINDS)}, got {self.kind!r}")


@dataclass
class Recommendation:
    """One suggested product with its blended score, readable reasons and signal shares."""

    item_id: str
    score: float
    reasons: list[str]
    contributions: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class Recommender(Protocol):
    """What the shop may ask of a served model.

    Every method returns at most ``n`` recommendations, best first, each item once, only items
    allowed by ``eligible`` and never one named in ``exclude`` (a deny list, like implicit's
    ``filter_items``). Unknown ids in ``eligible`` or ``exclude`` are ignored.
    """

    def eligible_mask(self, item_ids: Iterable[str]) -> np.ndarray:
        """Boolean mask in this model's item order: compute once per stock change, pass as
        ``eligible`` (turning ids into positions costs time proportional to their number)."""
        ...

    def recommend(
        self, context: VisitorContext, n: int = 10, eligible: Eligible = None, *,
        exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """Products for a visitor in a context (never the anchor, the cart or what was bought,
        consumables aside)."""
        ...

    def similar_items(
        self, item_id: str, n: int = 10, eligible: Eligible = None, *,
        exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """Products like ``item_id`` (never ``item_id`` itself)."""
        ...

    def bought_together(
        self, item_id: str, n: int = 10, eligible: Eligible = None, *,
        exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """Products that go with ``item_id`` in one basket."""
        ...

    def popular(
        self, n: int = 10, eligible: Eligible = None, *, exclude: Collection[str] = (),
    ) -> list[Recommendation]:
        """The most popular products (recent interest weighs more)."""
        ...
