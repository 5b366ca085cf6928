"""Merchandising rules applied to a slot's ranked list: pin, boost, bury, exclude.

Staff steer what the model ranks without retraining it. A rule targets one product, a brand or
a category (with its sub-categories), in one slot or everywhere, between optional dates. Rules
act after ranking and before the business rules: a pinned product must still be on sale, in
stock, in the visitor's size and not in their cart (``allowed``), as every recommendation must.

In order: ``exclude`` drops matching items; ``boost`` and ``bury`` re-rank (a boost of *s*
weighs an item's place as if it ranked (1 + *s*) times higher; buried items go after all the
others); ``pin`` puts an item at a fixed position (a product pin places that product; a brand or
category pin lifts the best-ranked matching item). A pinned item's reason is "Staff pick".
Plain data in and out: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from recommender.types import Recommendation

ACTIONS = ("pin", "boost", "bury", "exclude")
TARGET_KINDS = ("product", "brand", "category")
STAFF_PICK_REASON = "Staff pick"


@dataclass(frozen=True)
class Rule:
    id: int
    action: str
    target_kind: str
    target: str
    #: The slot's registry name; ``None``: every slot.
    slot: str | None = None
    #: For ``pin``: the 1-based place in the list.
    position: int = 1
    #: For ``boost``: how much higher the item's place weighs (0 < strength ≤ 10).
    strength: float = 1.0
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None

    def live(self, now: dt.datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (self.ends_at is None or now < self.ends_at)

    def in_slot(self, slot: str) -> bool:
        return self.slot is None or self.slot == slot


@dataclass(frozen=True)
class ItemFacts:
    """What a rule can match on besides the slug."""

    brand: str
    #: The product's category slug and every ancestor's.
    categories: frozenset[str]


def matches(rule: Rule, slug: str, facts: ItemFacts | None) -> bool:
    if rule.target_kind == "product":
        return slug == rule.target
    if facts is None:
        return False
    if rule.target_kind == "brand":
        return facts.brand.casefold() == rule.target.casefold()
    return rule.target in facts.categories


def rules_for(rules: Iterable[Rule], slot: str, now: dt.datetime) -> list[Rule]:
    """The rules that act on ``slot`` at ``now``."""
    return [rule for rule in rules if rule.in_slot(slot) and rule.live(now)]


def steer(recs: Sequence[Recommendation], rules: Sequence[Rule], facts: Mapping[str, ItemFacts],
          n: int, allowed: Callable[[str], bool]) -> list[Recommendation]:
    """``recs`` (best first, possibly more than ``n``) with ``rules`` applied, cut to ``n``."""
    if not rules:
        return list(recs[:n])

    def hit(action: str, slug: str) -> list[Rule]:
        return [r for r in rules if r.action == action and matches(r, slug, facts.get(slug))]

    kept = [rec for rec in recs if not hit("exclude", rec.item_id)]
    weights = []
    for place, rec in enumerate(kept):
        boosts = hit("boost", rec.item_id)
        weight = (1.0 / (1 + place)) * (1 + sum(r.strength for r in boosts))
        weights.append((bool(hit("bury", rec.item_id)), -weight, place, rec))
    ordered = [rec for *_key, rec in sorted(weights, key=lambda w: w[:3])]

    pins = sorted((r for r in rules if r.action == "pin"), key=lambda r: (r.position, r.id))
    pinned: list[tuple[int, Recommendation]] = []
    taken: set[str] = set()
    for rule in pins:
        choice = _pin_choice(rule, ordered, facts, allowed, taken)
        if choice is None or hit("exclude", choice):  # an exclusion beats a pin
            continue
        taken.add(choice)
        pinned.append((rule.position, Recommendation(choice, 1.0, [STAFF_PICK_REASON])))
    out = [rec for rec in ordered if rec.item_id not in taken]
    for position, rec in pinned:  # by position, so each lands where its rule says
        out.insert(min(position - 1, len(out)), rec)
    return out[:n]


def _pin_choice(rule: Rule, ordered: Sequence[Recommendation], facts: Mapping[str, ItemFacts],
                allowed: Callable[[str], bool], taken: set[str]) -> str | None:
    if rule.target_kind == "product":
        slug = rule.target
        listed = any(rec.item_id == slug for rec in ordered)
        return slug if slug not in taken and (listed or allowed(slug)) else None
    for rec in ordered:
        if rec.item_id not in taken and matches(rule, rec.item_id, facts.get(rec.item_id)):
            return rec.item_id
    return None
