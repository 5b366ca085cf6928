"""The recommendation slots of each page, ready to render: ranked, fetched, logged.

Each slot's name, model method and default size come from :mod:`.registry`; the ranking itself
is :mod:`.service`'s. Per request this costs at most one events query (the visitor's recent
history), one profile read, one eligibility query (cached per worker for a few seconds and
dropped on this worker's stock commits) and one product fetch for all slots on the page
(:func:`hydrate`); the cart comes from the header's mini-cart, already read once per request.
Each slot shown logs one ``impression`` event under its name. The product page's two lists
are also kept per worker on the eligibility snapshot, before the cart is taken out (see
:func:`product_slots`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog import queries
from catalog.models import Product
from recommender.types import Recommendation

from .. import events
from ..extensions import db
from . import experiments, merch_store, registry, service
from .bridge import ARTICLE_PREFIX
from .eligibility import EligibleSnapshot, eligible, eligible_cache
from .service import current_model_is_fallback, served
from .signals import signals


@dataclass
class Suggestion:
    """A recommended product ready to render: the product row, score and reasons."""

    product: Product
    score: float
    reasons: list[str]
    slot: str


def ranked(name: str, n: int | None = None, *, anchor: str | None = None, profile: Mapping | None = None,
           exclude: Iterable[str] = ()) -> list[Recommendation]:
    """Slot ``name``'s ranked recommendations, by the model method the registry names for it,
    steered by the merchandising rules live on it (asking the model for a few more to re-rank)."""
    slot = registry.get(name)
    n = n or slot.size
    exclude = set(exclude)
    if slot.method is None:
        return model_ranked(slot, n, anchor, profile, exclude)
    rules = merch_store.live_rules(name)
    with experiments.serving(name):
        if not rules:
            return model_ranked(slot, n, anchor, profile, exclude)
        recs = model_ranked(slot, n + merch_store.OVERFETCH, anchor, profile, exclude)
    return merch_store.steer_slot(name, recs, n, allowed_by_business_rules(profile, {*exclude, anchor}), rules)


def allowed_by_business_rules(profile: Mapping | None, exclude: set):
    """The business rules a pinned product must pass too: eligible (active, in stock, in the
    visitor's size), not in the cart, not the page's own product, not excluded by the caller."""
    sig = signals()
    slugs = eligible(sig.profile if profile is None else profile).slugs
    out = {*exclude, *sig.cart}
    return lambda slug: slug in slugs and slug not in out


def model_ranked(slot: registry.Slot, n: int, anchor: str | None, profile: Mapping | None,
                 exclude: set) -> list[Recommendation]:
    """What the model ranks for the slot, before merchandising rules (the rules page shows both)."""
    name = slot.name
    if slot.method == "recommend":
        return service.for_context(slot.context, anchor, n, profile=profile, exclude=exclude)
    if slot.method == "similar_items":
        return service.similar(anchor, n, exclude)
    if slot.method == "bought_together":
        return service.bought_together(anchor, n, exclude)
    if slot.method == "popular":
        return service.trending(n, exclude)
    if slot.method is None:
        return service.recently_viewed(n, exclude)
    raise ValueError(f"slot {name!r}: unknown model method {slot.method!r}")


def hydrate(slots: Mapping[str, list[Recommendation]], *, log_impressions: bool = True) -> dict[str, list[Suggestion]]:
    """Products for every slot in one fetch; logs one ``impression`` event per slot shown."""
    slugs = list(dict.fromkeys(r.item_id for recs in slots.values() for r in recs))
    products = {p.slug: p for p in queries.product_cards(db.session, slugs)}
    out: dict[str, list[Suggestion]] = {}
    for slot, recs in slots.items():
        shown = [Suggestion(products[r.item_id], r.score, list(r.reasons), slot)
                 for r in recs if r.item_id in products]
        out[slot] = shown
        if shown and log_impressions:
            events.record("impression", None, slot=slot, weight=float(len(shown)),
                          context=",".join(s.product.slug for s in shown))
    return out


def home_slots(n: int | None = None) -> dict[str, list[Suggestion]]:
    """"Recommended for you", "Trending" and "Recently viewed", without repeats across them."""
    viewed = ranked("recently-viewed", n)
    personal = ranked("home", n)
    shown = {r.item_id for r in personal}
    hot = ranked("trending", n, exclude=shown)
    slots = {"home": personal, "trending": hot, "recently-viewed": viewed}
    return hydrate({k: v for k, v in slots.items() if v})


#: Extra "bought together" items fetched for a visitor with a cart, so the cart can be taken
#: out of the cached list per request and still leave ``n``.
PRODUCT_OVERFETCH = 4


def _product_lists(slug: str, n: int, snapshot: EligibleSnapshot, spares: bool,
                   hand_set: tuple[str, ...] = ()) -> tuple[list, list] | None:
    """The product page's ranked lists before the visitor's cart is taken out: "similar" and
    "bought together" (``n`` of them, or ``n + PRODUCT_OVERFETCH`` with ``spares``).

    Cached per worker on the eligibility snapshot, so dropped when it expires or a stock commit
    in this worker invalidates it, and keyed by model version, product and ``n``. ``None`` when
    not cached: snapshots are not cached (``RECOMMENDER_ELIGIBLE_SECONDS`` = 0, as under
    ``TESTING``), the popularity fallback is serving, or the model failed (the caller's uncached
    path then logs it and serves the fallback).
    """
    if eligible_cache().seconds <= 0 or experiments.runs_on("similar") or experiments.runs_on("bought-together"):
        return None  # (an experiment's variants rank these per visitor)
    current = served()
    model = current.model
    if current_model_is_fallback(current):
        return None
    key = ("product-page", current.version, slug, n, hand_set)
    entry = snapshot.recall(key)
    if entry is None or entry["model"] is not model:
        entry = {"model": model}
    part = "spares" if spares else "together"
    try:
        if "similar" not in entry:
            entry["similar"] = model.similar_items(slug, n, snapshot.mask_for(model))
        if part not in entry:
            # Exactly what the uncached path asks for (the MMR pool depends on n), or more.
            size = n + PRODUCT_OVERFETCH if spares else n
            exclude = [*hand_set, *(r.item_id for r in entry["similar"])]
            entry[part] = model.bought_together(slug, size, snapshot.mask_for(model),
                                                 exclude=exclude)
    except Exception:  # noqa: BLE001 - the uncached path logs it and serves the fallback
        return None
    snapshot.remember(key, entry)
    return entry["similar"], entry[part]


def product_slots(product: Product, n: int | None = None) -> dict[str, list[Suggestion]]:
    """"Similar products" and "Frequently bought together" for a product page.

    Both depend only on the model, the product and eligibility, except that "bought together"
    leaves out the visitor's cart: they are cached per worker (see :func:`_product_lists`).
    Without a cart the cached lists are what the model answers; with one, the cart is taken out
    of a slightly longer cached list (scores stay those of the list without the cart). The two
    share one size (the registry's for "similar").
    """
    n = n or registry.get("similar").size
    sig = signals()
    hand_set = _hand_set(product, set(sig.cart))
    lists = _product_lists(product.slug, n, eligible(sig.profile), spares=bool(sig.cart),
                           hand_set=tuple(r.item_id for r in hand_set))
    together = None
    if lists is not None:
        like, ranked_together = lists
        if sig.cart:
            drop = set(sig.cart)
            together = [r for r in ranked_together if r.item_id not in drop][:n]
            if len(together) < n and len(ranked_together) == n + PRODUCT_OVERFETCH:
                together = None  # the cart took out more than the spare items: ask the model
        else:
            together = ranked_together
    else:
        like = ranked("similar", n, anchor=product.slug)
    if together is None:
        together = ranked("bought-together", n, anchor=product.slug,
                          exclude={*(r.item_id for r in hand_set), *(r.item_id for r in like)})
    linked = {r.item_id for r in hand_set}
    like = [r for r in like if r.item_id not in linked]
    if lists is not None:  # the cached lists have not met the merchandising rules yet
        allowed = allowed_by_business_rules(None, {product.slug, *linked})
        like = merch_store.steer_slot("similar", like, n, allowed)
        together = merch_store.steer_slot("bought-together", together, n, allowed)
    together = [*hand_set, *together][: max(n, len(hand_set))]
    return hydrate({k: v for k, v in {"similar": like, "bought-together": together}.items() if v})


#: The reason a hand-set link gives (WooCommerce's upsells and cross-sells).
HAND_SET_REASON = "Picked by the shop to go with this"


def _hand_set(product: Product, cart: set[str]) -> list[Recommendation]:
    """The product's hand-set links, upsells then cross-sells, shown before the model's
    "bought together" and passed to it as ``exclude`` so none is repeated."""
    slugs = [p.slug for kind in ("upsell", "cross_sell") for p in product.linked(kind)
             if p.active and p.in_stock]
    return [Recommendation(slug, 1.0, [HAND_SET_REASON]) for slug in dict.fromkeys(slugs)
            if slug not in cart and slug != product.slug]


def cart_slots(n: int | None = None) -> dict[str, list[Suggestion]]:
    """"Complete your routine": complements to what is in the cart (nothing for an empty cart)."""
    if not signals().cart:
        return {}
    recs = ranked("cart", n)
    return hydrate({"cart": recs} if recs else {})


def article_related(article, n: int | None = None, *, log_impressions: bool = True) -> list[Suggestion]:
    """Related Products of an article: its content and the visitor's profile and history."""
    recs = ranked("article", n, anchor=ARTICLE_PREFIX + article.slug)
    return hydrate({"article": recs}, log_impressions=log_impressions).get("article", [])


def footwear_for(profile: Mapping, n: int | None = None) -> list[Suggestion]:
    """Footwear tailored to ``profile``, in its size and width."""
    recs = ranked("footwear", n, profile=profile)
    return hydrate({"footwear": recs}).get("footwear", [])


def for_api(kind: str, anchor: str | None, n: int) -> list[Suggestion]:
    """Suggestions for ``GET /api/recommendations`` (no slot: no impression is logged); nothing
    for an empty cart."""
    if kind == "cart" and not signals().cart:
        return []
    recs = service.for_context(kind, anchor, n)
    return hydrate({"api": recs}, log_impressions=False)["api"]
