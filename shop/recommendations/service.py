"""Recommendations for a request: gather the visitor's signals, filter, score, explain, log.

Per request this costs at most one events query (the visitor's recent history), one profile
read, one eligibility query (active products with a variant in stock — in the visitor's size
and width for footwear; cached per worker for a few seconds and dropped on this worker's stock
commits, see :mod:`.eligibility`) and one product fetch for all slots on the page; the cart
comes from the header's mini-cart, already read once per request. Results are cached per
request so several slots on one page share them. The model gets eligibility as a boolean mask
over its items (computed once per snapshot); the anchor and cart are switched off by position.
The product page's two lists are also kept per worker on the eligibility snapshot, before the
cart is taken out (see :func:`product_slots`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import and_, exists, literal, or_, select
from sqlalchemy.orm import aliased

from catalog import queries
from catalog.models import Category, Product, Variant
from recommender.types import Eligible, Recommendation, Recommender, VisitorContext

from .. import events
from ..extensions import db
from ..models import Event, Profile
from ..visitor import user_id, visitor_id
from .bridge import ARTICLE_PREFIX
from .eligibility import EligibleCache, EligibleSnapshot
from .store import Served, get_store

log = logging.getLogger(__name__)

#: Recommendation slots, as logged in ``events.slot`` and carried in links as ``?rec=<slot>``.
SLOTS = ("home", "trending", "recently-viewed", "article", "similar", "bought-together", "cart", "footwear")
HISTORY_EVENTS = ("read", "view", "cart", "purchase")
HISTORY_LIMIT = 200
SIZED_CATEGORY = "footwear"
RECENTLY_VIEWED_REASON = "You looked at this recently"


@dataclass
class Signals:
    """What we know about the visitor in this request.

    The history (one events query) is read on first use: the product page's blocks only need
    the profile and the cart.
    """

    cart: list[str] = field(default_factory=list)
    profile: dict = field(default_factory=dict)
    load_history: Callable[[], list[tuple[str, str, Any]]] = field(default=list, repr=False)
    _history: list[tuple[str, str, Any]] | None = field(default=None, repr=False)

    @property
    def history(self) -> list[tuple[str, str, Any]]:
        if self._history is None:
            self._history = self.load_history()
        return self._history

    @property
    def purchased(self) -> list[str]:
        return list(dict.fromkeys(item for item, kind, _ in self.history if kind == "purchase"))

    @property
    def recently_viewed(self) -> list[str]:
        """Viewed product slugs, most recent first, each once."""
        seen: dict[str, None] = {}
        for item, kind, _ in sorted(self.history, key=lambda h: h[2], reverse=True):
            if kind == "view" and not item.startswith(ARTICLE_PREFIX):
                seen.setdefault(item, None)
        return list(seen)

    def context(self, kind: str, anchor: str | None = None, profile: Mapping | None = None) -> VisitorContext:
        return VisitorContext(kind, anchor_id=anchor, history=self.history, cart=self.cart,
                              purchased=self.purchased, profile=dict(profile if profile is not None else self.profile))


@dataclass
class Suggestion:
    """A recommended product ready to render: the product row, score and reasons."""

    product: Product
    score: float
    reasons: list[str]
    slot: str


# ---------------------------------------------------------------------- signals
def _cache() -> dict:
    """A dict living as long as the request (``g`` can outlive it when an app context is reused)."""
    if has_request_context():
        return request.environ.setdefault("shop.recommendations", {})
    return g.setdefault("rec_cache", {})


def _profile() -> dict:
    try:
        from ..profile.service import current_profile
    except ImportError:  # the profile package is not there: read the table directly
        account, guest = user_id(), visitor_id(create=False)
        if account is None and guest is None:
            return {}
        clause = Profile.user_id == account if account is not None else Profile.visitor_id == guest
        return dict(db.session.scalar(select(Profile.data).where(clause)) or {})
    return current_profile()


def _cart() -> list[str]:
    try:
        from ..cart.context import minicart
    except ImportError:
        return []
    return list(dict.fromkeys(line.product_slug for line in minicart().lines))


def _history() -> list[tuple[str, str, Any]]:
    account, guest = user_id(), visitor_id(create=False)
    if account is None and guest is None:
        return []
    owner = Event.user_id == account if account is not None else Event.visitor_id == guest
    rows = db.session.execute(
        select(Event.item_id, Event.kind, Event.created_at)
        .where(owner, Event.kind.in_(HISTORY_EVENTS), Event.item_id.is_not(None))
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [(row.item_id, row.kind, row.created_at) for row in rows]


def signals() -> Signals:
    """The current visitor's signals, read once per request (the history when first used)."""
    cache = _cache()
    if "signals" not in cache:
        cache["signals"] = Signals(cart=_cart(), profile=_profile(), load_history=_history)
    return cache["signals"]


# ---------------------------------------------------------------------- eligibility
def _fit_clause(variant, size: float | None, width: str | None):
    clauses = []
    if size is not None:
        clauses.append(variant.size_eu == Decimal(str(size)))
    if width:
        clauses.append(variant.width == width)
    return and_(*clauses) if clauses else literal(True)


def eligible(profile: Mapping | None = None) -> EligibleSnapshot:
    """Active products with a variant in stock; for footwear, in the visitor's size and width.

    One SQL statement (a recursive CTE finds the footwear category tree), run at most once per
    request and (size, width), and at most once per ``RECOMMENDER_ELIGIBLE_SECONDS`` per worker
    unless this worker commits a stock change. Insoles, socks and one-size products are not held
    to the shoe size: they stay eligible when in stock at all.
    """
    profile = profile or {}
    size = profile.get("shoe_size_eu")
    width = profile.get("width")
    key = (size, width)
    cache = _cache().setdefault("eligible", {})
    if key not in cache:
        cache[key] = eligible_cache().get(key, lambda: _query_eligible(size, width))
    return cache[key]


def eligible_slugs(profile: Mapping | None = None) -> frozenset[str]:
    """The slugs of :func:`eligible`."""
    return eligible(profile).slugs


def eligible_cache(app=None) -> EligibleCache:
    return (app or current_app).extensions["recommender_eligible"]


def _query_eligible(size: float | None, width: str | None) -> frozenset[str]:
    variant = aliased(Variant)
    if size is None and not width:
        fit = literal(True)
    else:
        tree = select(Category.id).where(Category.slug == SIZED_CATEGORY).cte("sized", recursive=True)
        child = aliased(Category)
        tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
        fit = or_(Product.category_id.not_in(select(tree.c.id)), _fit_clause(variant, size, width))
    stmt = select(Product.slug).where(
        Product.active.is_(True),
        exists().where(variant.product_id == Product.id, variant.stock > 0, fit),
    )
    return frozenset(db.session.scalars(stmt))


# ---------------------------------------------------------------------- the model
#: A question for a served model: ``ask(model, eligible, exclude)``, e.g.
#: ``lambda m, eligible, exclude: m.popular(n, eligible, exclude=exclude)``.
Ask = Callable[[Recommender, Eligible, list[str]], list[Recommendation]]


def served() -> Served:
    return get_store().current()


def engine(current: Served | None = None) -> Recommender:
    """The trained model, or the database popularity fallback (the same protocol)."""
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
                profile: Mapping | None = None, exclude: Iterable[str] = ()) -> list[Recommendation]:
    """Ranked recommendations for one context (``home``, ``cart``, ``footwear``, ``article``, ``product``)."""
    sig = signals()
    profile = sig.profile if profile is None else profile
    snapshot = eligible(profile)
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


# ---------------------------------------------------------------------- for pages
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


def home_slots(n: int = 4) -> dict[str, list[Suggestion]]:
    """"Recommended for you", "Trending" and "Recently viewed", without repeats across them."""
    viewed = recently_viewed(n)
    personal = for_context("home", n=n)
    shown = {r.item_id for r in personal}
    hot = trending(n, exclude=shown)
    slots = {"home": personal, "trending": hot, "recently-viewed": viewed}
    return hydrate({k: v for k, v in slots.items() if v})


#: Extra "bought together" items fetched for a visitor with a cart, so the cart can be taken
#: out of the cached list per request and still leave ``n``.
PRODUCT_OVERFETCH = 4


def _product_lists(slug: str, n: int, snapshot: EligibleSnapshot, spares: bool) -> tuple[list, list] | None:
    """The product page's ranked lists before the visitor's cart is taken out: "similar" and
    "bought together" (``n`` of them, or ``n + PRODUCT_OVERFETCH`` with ``spares``).

    Cached per worker on the eligibility snapshot, so dropped when it expires or a stock commit
    in this worker invalidates it, and keyed by model version, product and ``n``. ``None`` when
    not cached: snapshots are not cached (``RECOMMENDER_ELIGIBLE_SECONDS`` = 0, as under
    ``TESTING``), the popularity fallback is serving, or the model failed (the caller's uncached
    path then logs it and serves the fallback).
    """
    if eligible_cache().seconds <= 0:
        return None
    current = served()
    model = current.model
    if current_model_is_fallback(current):
        return None
    key = ("product-page", current.version, slug, n)
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
            exclude = [r.item_id for r in entry["similar"]]
            entry[part] = model.bought_together(slug, size, snapshot.mask_for(model),
                                                 exclude=exclude)
    except Exception:  # noqa: BLE001 - the uncached path logs it and serves the fallback
        return None
    snapshot.remember(key, entry)
    return entry["similar"], entry[part]


def product_slots(product: Product, n: int = 4) -> dict[str, list[Suggestion]]:
    """"Similar products" and "Frequently bought together" for a product page.

    Both depend only on the model, the product and eligibility, except that "bought together"
    leaves out the visitor's cart: they are cached per worker (see :func:`_product_lists`).
    Without a cart the cached lists are what the model answers; with one, the cart is taken out
    of a slightly longer cached list (scores stay those of the list without the cart).
    """
    sig = signals()
    lists = _product_lists(product.slug, n, eligible(sig.profile), spares=bool(sig.cart))
    together = None
    if lists is not None:
        like, ranked = lists
        if sig.cart:
            drop = set(sig.cart)
            together = [r for r in ranked if r.item_id not in drop][:n]
            if len(together) < n and len(ranked) == n + PRODUCT_OVERFETCH:
                together = None  # the cart took out more than the spare items: ask the model
        else:
            together = ranked
    else:
        like = similar(product.slug, n)
    if together is None:
        together = bought_together(product.slug, n, exclude={r.item_id for r in like})
    return hydrate({k: v for k, v in {"similar": like, "bought-together": together}.items() if v})


def cart_slots(n: int = 4) -> dict[str, list[Suggestion]]:
    """"Complete your routine": complements to what is in the cart (nothing for an empty cart)."""
    if not signals().cart:
        return {}
    recs = for_context("cart", n=n)
    return hydrate({"cart": recs} if recs else {})


def article_related(article, n: int = 6, *, log_impressions: bool = True) -> list[Suggestion]:
    """Related Products of an article: its content and the visitor's profile and history."""
    recs = for_context("article", ARTICLE_PREFIX + article.slug, n)
    return hydrate({"article": recs}, log_impressions=log_impressions).get("article", [])


def footwear_for(profile: Mapping, n: int = 12) -> list[Suggestion]:
    """Footwear tailored to ``profile``, in its size and width."""
    recs = for_context("footwear", n=n, profile=profile)
    return hydrate({"footwear": recs}).get("footwear", [])


def slot_from_request(value: str | None) -> str | None:
    """The ``?rec=`` value if it names a slot (anything else is ignored)."""
    return value if value in SLOTS else None
