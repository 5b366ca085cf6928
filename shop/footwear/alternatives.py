"""When few shoes fit: the nearest alternatives a fitter would offer.

A rare size and width (EU 46, extra wide) may leave one shoe in stock. Rather than a near-empty
page, the finder says so and offers what comes closest: shoes in the next width (the next one
up, where a foot still fits, or down from the widest) and insoles and arch supports that add
support and cushioning to the shoes the visitor already owns. Both lists are ranked by the
served model for the visitor's profile, like the finder's own list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select

from catalog.models import Product
from catalog.queries import UnknownCategory, descendant_ids
from catalog.vocabulary import WIDTH_VALUES

from ..extensions import db
from ..recommendations import registry, service
from ..recommendations.slots import Suggestion, hydrate

#: Fewer shoes than this in the visitor's size and width: say so and offer alternatives.
FEW_SHOES = 4
#: The category tree of insoles and orthotics offered for shoes already owned.
INSOLE_CATEGORY = "insoles-and-orthotics"
OTHER_WIDTH_SLOT = "footwear-other-width"
INSOLES_SLOT = "footwear-insoles"


def next_width(width: str | None) -> str | None:
    """The width to try next: one wider, or one narrower from the widest (``None`` when unknown)."""
    widths = [value.code for value in WIDTH_VALUES]
    if width not in widths:
        return None
    position = widths.index(width)
    return widths[position + 1] if position + 1 < len(widths) else widths[position - 1]


def insole_slugs() -> frozenset[str]:
    """Active products in the insoles and orthotics tree (empty when the shop has none)."""
    try:
        ids = descendant_ids(db.session, INSOLE_CATEGORY)
    except UnknownCategory:
        return frozenset()
    return frozenset(db.session.scalars(
        select(Product.slug).where(Product.category_id.in_(ids), Product.active.is_(True))))


def alternatives(profile: Mapping, shown: Iterable[str]) -> dict[str, list[Suggestion]]:
    """Shoes in the next width and insoles for the visitor's profile, without ``shown``.

    Keys are the slot names (``footwear-other-width``, ``footwear-insoles``); empty lists
    are left out.
    """
    shown = list(shown)
    lists = {}
    width = next_width(profile.get("width"))
    if width is not None:
        lists[OTHER_WIDTH_SLOT] = service.for_context(
            "footwear", None, registry.get(OTHER_WIDTH_SLOT).size,
            profile={**profile, "width": width}, exclude=shown)
    insoles = insole_slugs()
    if insoles:
        lists[INSOLES_SLOT] = service.for_context(
            "home", None, registry.get(INSOLES_SLOT).size, profile=profile, exclude=shown,
            only=insoles)
    return hydrate({name: recs for name, recs in lists.items() if recs})
