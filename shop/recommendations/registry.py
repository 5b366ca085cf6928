"""Every recommendation slot, declared once: its name, title, context, model method, size, page.

A slot's ``name`` is what ``events.slot`` logs and what its links carry as ``?rec=<name>``; the
templates take the heading from ``title``, :mod:`.slots` takes the model method and the default
size from here, and ``shop recommender report`` lists exactly these slots. Adding a slot is one
entry here (plus its page function in :mod:`.slots` if it opens a new context) and its test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    """One place on the site where recommendations are shown."""

    #: Logged in ``events.slot`` and carried in links as ``?rec=<name>``.
    name: str
    #: The heading shown above the slot's products.
    title: str
    #: The page context it is shown in (one of ``recommender.types.CONTEXT_KINDS``); the
    #: partial of that context renders its slots in registry order.
    context: str
    #: The ``Recommender`` protocol method that ranks it; ``None``: the visitor's own history.
    method: str | None
    #: How many products it shows unless the caller asks for another number.
    size: int
    #: The template that renders it.
    template: str
    #: A line under the heading, if any.
    intro: str | None = None


SLOTS: tuple[Slot, ...] = (
    Slot("home", "Recommended for you", "home", "recommend", 4, "_home_recommendations.html"),
    Slot("trending", "Trending", "home", "popular", 4, "_home_recommendations.html"),
    Slot("recently-viewed", "Recently viewed", "home", None, 4, "_home_recommendations.html"),
    Slot("article", "Related Products", "article", "recommend", 6, "articles/detail.html"),
    # The product page's two lists are fetched (and cached) together: they share one size.
    Slot("similar", "Similar products", "product", "similar_items", 4, "_product_recommendations.html"),
    Slot("bought-together", "Frequently bought together", "product", "bought_together", 4,
         "_product_recommendations.html"),
    Slot("cart", "Complete your routine", "cart", "recommend", 4, "_cart_recommendations.html",
         intro="Products that go well with what is in your cart."),
    Slot("footwear", "Suggested footwear", "footwear", "recommend", 12, "footwear/results.html"),
    # Shown only when fewer than four shoes fit (shop.footwear.alternatives).
    Slot("footwear-other-width", "In the next width", "footwear", "recommend", 4, "footwear/results.html",
         intro="Shoes in stock in your size one width along; try them on, a fitter would."),
    Slot("footwear-insoles", "Support for the shoes you own", "footwear", "recommend", 4,
         "footwear/results.html",
         intro="Insoles and arch supports that add support and cushioning to shoes you already have."),
)

BY_NAME: dict[str, Slot] = {slot.name: slot for slot in SLOTS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def get(name: str) -> Slot:
    """The slot called ``name`` (``KeyError`` for a name not declared here)."""
    return BY_NAME[name]


def in_context(context: str) -> tuple[Slot, ...]:
    """The slots shown in one page context, in the order they are shown."""
    return tuple(slot for slot in SLOTS if slot.context == context)


def slot_from_request(value: str | None) -> str | None:
    """The ``?rec=`` value if it names a slot (anything else is ignored)."""
    return value if value in BY_NAME else None
