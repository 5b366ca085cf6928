"""Ranked recommendations for a request: which model serves, and what it answers per context.

The visitor's signals come from :mod:`.signals`, eligibility (cached per request and worker)
from :mod:`.eligibility`; the pages' slots built on these functions are in :mod:`.slots`. The
model gets eligibility as a boolean mask over its items (computed once per snapshot); the
anchor and cart are switched off by position. If the model fails at serving time, the answer
is the popularity fallback's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from recommender.hybrid import Recommendation

from ..extensions import db
from .eligibility import EligibleSnapshot, eligible, eligible_slugs
from .signals import signals
from .store import Served, get_store

log = logging.getLogger(__name__)

RECENTLY_VIEWED_REASON = "You looked at this recently"


# ---------------------------------------------------------------------- the model
def served() -> Served:
    return get_store().current()


def engine():
    """The trained model, or the database popularity fallback (same four methods)."""
    current = served()
    if current.model is not None:
        return current.model
    return get_store().fallback(db.session)


def model_version() -> str:
    return served().version


def _restrict(model, snapshot: EligibleSnapshot, exclude: Iterable[str]):
    """``eligible`` for ``model``: its cached mask with ``exclude`` switched off by position
    (the popularity fallback takes slugs)."""
    exclude = [slug for slug in exclude if slug]
    if current_model_is_fallback(model):
        return snapshot.slugs - set(exclude) if exclude else snapshot.slugs
    mask = snapshot.mask_for(model)
    if not exclude:
        return mask  # read-only; the model copies it
    rows = model.content_.item_index_  # product id -> position in the mask (as the model's own _drop)
    mask = mask.copy()
    mask[[rows[slug] for slug in exclude if slug in rows]] = False
    return mask


def _call(method: str, *args, eligible: EligibleSnapshot, exclude: Iterable[str] = ()) -> list[Recommendation]:
    """Call the model (``eligible`` last); if it fails at serving time, log and answer with the fallback."""
    exclude = list(exclude)
    model = engine()
    try:
        return getattr(model, method)(*args, _restrict(model, eligible, exclude))
    except Exception:  # noqa: BLE001 - a broken model must not break the page
        if current_model_is_fallback(model):
            raise
        log.warning("Recommender: the model failed in %s; serving popularity instead", method, exc_info=True)
        fallback = get_store().fallback(db.session)
        return getattr(fallback, method)(*args, _restrict(fallback, eligible, exclude))


def current_model_is_fallback(model) -> bool:
    return not hasattr(model, "item_ids_")


# ---------------------------------------------------------------------- raw recommendations
def for_context(kind: str, anchor: str | None = None, n: int = 6, *,
                profile: Mapping | None = None, exclude: Iterable[str] = ()) -> list[Recommendation]:
    """Ranked recommendations for one context (``home``, ``cart``, ``footwear``, ``article``, ``product``)."""
    sig = signals()
    profile = sig.profile if profile is None else profile
    snapshot = eligible(profile)
    if kind == "product":
        return _call("similar_items", anchor, n, eligible=snapshot, exclude=exclude)
    return _call("recommend", sig.context(kind, anchor, profile), n, eligible=snapshot, exclude=exclude)


def similar(slug: str, n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    return _call("similar_items", slug, n, eligible=eligible(signals().profile), exclude=exclude)


def bought_together(slug: str, n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    sig = signals()
    return _call("bought_together", slug, n, eligible=eligible(sig.profile), exclude=[*exclude, *sig.cart])


def trending(n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    return _call("popular", n, eligible=eligible(signals().profile), exclude=exclude)


def recently_viewed(n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    sig = signals()
    slugs, excluded = eligible_slugs(sig.profile), set(exclude)
    shown = [s for s in sig.recently_viewed if s in slugs and s not in excluded][:n]
    return [Recommendation(s, 0.0, [RECENTLY_VIEWED_REASON]) for s in shown]
