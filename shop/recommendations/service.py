"""Ranked recommendations for a request: which model serves, and what it answers per context.

The visitor's signals come from :mod:`.signals`, eligibility (cached per request and worker)
from :mod:`.eligibility`; the pages' slots built on these functions are in :mod:`.slots`. The
model gets eligibility as a boolean mask over its items (computed once per snapshot); the
anchor and cart are switched off by position. If the model fails at serving time, the answer
is the popularity fallback's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from flask import g

from recommender.types import Eligible, Recommendation, Recommender

from ..extensions import db
from .eligibility import EligibleSnapshot, eligible, eligible_slugs
from .signals import signals
from .store import Served, get_store

log = logging.getLogger(__name__)

RECENTLY_VIEWED_REASON = "You looked at this recently"


# ---------------------------------------------------------------------- the model
#: A question for a served model: ``ask(model, eligible, exclude)``, e.g.
#: ``lambda m, eligible, exclude: m.popular(n, eligible, exclude=exclude)``.
Ask = Callable[[Recommender, Eligible, list[str]], list[Recommendation]]


def served() -> Served:
    return get_store().current()


def engine(current: Served | None = None) -> Recommender:
    """The trained model, or the database popularity fallback (the same protocol)."""
    override = g.get("rec_engine_override")
    if override is not None:  # an A/B experiment's variant (``.experiments.serving``)
        return override
    current = served() if current is None else current
    if current.model is not None:
        return current.model
    return get_store().fallback(db.session)


def model_version() -> str:
    return served().version


def _call(ask: Ask, *, eligible: EligibleSnapshot, exclude: Iterable[str] = ()) -> list[Recommendation]:
    """Ask the served model with the snapshot's mask in its item order (computed once per
    snapshot and model) and ``exclude``; if it fails at serving time, log and answer with the
    fallback."""
    exclude = [slug for slug in exclude if slug]
    current = served()
    model = engine(current)
    try:
        return ask(model, eligible.mask_for(model), exclude)
    except Exception:  # noqa: BLE001 - a broken model must not break the page
        if current_model_is_fallback(current):
            raise
        log.warning("Recommender: the model failed; serving popularity instead", exc_info=True)
        fallback = get_store().fallback(db.session)
        return ask(fallback, eligible.mask_for(fallback), exclude)


def current_model_is_fallback(current: Served | None = None) -> bool:
    """Whether the popularity fallback serves (no usable trained model)."""
    return (served() if current is None else current).model is None


# ---------------------------------------------------------------------- raw recommendations
def for_context(kind: str, anchor: str | None = None, n: int = 6, *,
                profile: Mapping | None = None, exclude: Iterable[str] = (),
                only: frozenset[str] | None = None) -> list[Recommendation]:
    """Ranked recommendations for one context (``home``, ``cart``, ``footwear``, ``article``, ``product``);
    with ``only``, among those products alone (e.g. the insoles offered when few shoes fit)."""
    sig = signals()
    profile = sig.profile if profile is None else profile
    snapshot = eligible(profile)
    if only is not None:
        snapshot = EligibleSnapshot(snapshot.slugs & only)
    if kind == "product":
        return _call(lambda m, ok, ex: m.similar_items(anchor, n, ok, exclude=ex),
                     eligible=snapshot, exclude=exclude)
    context = sig.context(kind, anchor, profile)
    return _call(lambda m, ok, ex: m.recommend(context, n, ok, exclude=ex),
                 eligible=snapshot, exclude=exclude)


def similar(slug: str, n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    return _call(lambda m, ok, ex: m.similar_items(slug, n, ok, exclude=ex),
                 eligible=eligible(signals().profile), exclude=exclude)


def bought_together(slug: str, n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    sig = signals()
    return _call(lambda m, ok, ex: m.bought_together(slug, n, ok, exclude=ex),
                 eligible=eligible(sig.profile), exclude=[*exclude, *sig.cart])


def trending(n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    return _call(lambda m, ok, ex: m.popular(n, ok, exclude=ex),
                 eligible=eligible(signals().profile), exclude=exclude)


def recently_viewed(n: int = 4, exclude: Iterable[str] = ()) -> list[Recommendation]:
    sig = signals()
    slugs, excluded = eligible_slugs(sig.profile), set(exclude)
    shown = [s for s in sig.recently_viewed if s in slugs and s not in excluded][:n]
    return [Recommendation(s, 0.0, [RECENTLY_VIEWED_REASON]) for s in shown]
