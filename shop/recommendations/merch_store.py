"""Serving the merchandising rules: read them (cached per worker), and steer a slot's list.

Rules change rarely and are read on every slot, so each worker keeps the enabled rules and the
category tree for ``MERCH_RULES_SECONDS`` (5 s; 0 under ``TESTING``); saving a rule drops this
worker's copy at once (:func:`forget`). With no live rule for a slot, steering costs nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from flask import current_app
from sqlalchemy import select

from catalog.models import Category, Product
from recommender.types import Recommendation

from ..extensions import db
from ..models import utcnow
from .merch_models import MerchRule
from .merchandising import ItemFacts, Rule, rules_for, steer

#: How many more items a slot asks the model for when rules act on it, to re-rank and refill.
OVERFETCH = 8

_lock = threading.Lock()
_cached: dict = {"until": 0.0, "rules": (), "ancestors": {}}


def forget() -> None:
    """Drop this worker's cached rules (after a rule is saved)."""
    with _lock:
        _cached["until"] = 0.0


def _load() -> tuple[tuple[Rule, ...], dict[str, frozenset[str]]]:
    seconds = float(current_app.config.get("MERCH_RULES_SECONDS", 0 if current_app.testing else 5))
    now = time.monotonic()
    with _lock:
        if seconds > 0 and now < _cached["until"]:
            return _cached["rules"], _cached["ancestors"]
    rows = db.session.scalars(select(MerchRule).where(MerchRule.enabled.is_(True))).all()
    rules = tuple(row.as_rule() for row in rows)
    # The category tree only matters to rules; with none (the usual case) it is not read.
    tree = db.session.execute(select(Category.id, Category.parent_id, Category.slug)).all() if rules else []
    parents = {category_id: parent for category_id, parent, _slug in tree}
    slugs = {category_id: slug for category_id, _parent, slug in tree}
    ancestors = {}
    for category_id, slug in slugs.items():
        chain, seen, at = [], set(), category_id
        while at is not None and at not in seen:
            seen.add(at)
            chain.append(slugs[at])
            at = parents.get(at)
        ancestors[slug] = frozenset(chain)
    with _lock:
        _cached.update(until=now + seconds, rules=rules, ancestors=ancestors)
    return rules, ancestors


def live_rules(slot: str) -> list[Rule]:
    """The rules acting on ``slot`` now."""
    rules, _ancestors = _load()
    return rules_for(rules, slot, utcnow())


def facts_for(slugs: Iterable[str]) -> dict[str, ItemFacts]:
    slugs = list(dict.fromkeys(slugs))
    if not slugs:
        return {}
    _rules, ancestors = _load()
    rows = db.session.execute(
        select(Product.slug, Product.brand, Category.slug).join(Category, Product.category_id == Category.id)
        .where(Product.slug.in_(slugs))
    ).all()
    return {slug: ItemFacts(brand or "", ancestors.get(category, frozenset({category})))
            for slug, brand, category in rows}


def steer_slot(slot: str, recs: Sequence[Recommendation], n: int,
               allowed: Callable[[str], bool], rules: Sequence[Rule] | None = None) -> list[Recommendation]:
    """``recs`` of ``slot`` with the live rules (or ``rules``, already read) applied, cut to ``n``."""
    rules = live_rules(slot) if rules is None else rules
    if not rules:
        return list(recs[:n])
    pinned_products = [r.target for r in rules if r.action == "pin" and r.target_kind == "product"]
    facts = facts_for([*(r.item_id for r in recs), *pinned_products])
    return steer(recs, rules, facts, n, allowed)
