"""Merchandising rules: save them (checked against the catalog, audited) and show their effect.

The rules themselves act in ``shop.recommendations.merchandising``; this module is the staff
side: create, change, delete, the state of each rule, and what each slot shows now with and
without them.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from catalog.models import Article, Category, Product

from ..models import User, utcnow
from ..recommendations import merch_store, registry
from ..recommendations.merch_models import MerchRule
from . import audit


class RuleError(ValueError):
    """The target does not exist: ``field`` names the form field to show it on."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def state(rule: MerchRule) -> str:
    now = utcnow()
    if not rule.enabled:
        return "disabled"
    if rule.starts_at and now < rule.starts_at:
        return "scheduled"
    if rule.ends_at and now >= rule.ends_at:
        return "ended"
    return "live"


def list_rules(session: Session) -> list[MerchRule]:
    return list(session.scalars(select(MerchRule).order_by(MerchRule.id.desc())))


def _check_target(session: Session, kind: str, target: str) -> str:
    """The target as stored (a brand in its catalog spelling); RuleError when none exists."""
    if kind == "product":
        if not session.scalar(select(exists().where(Product.slug == target))):
            raise RuleError("target", f"No product has the slug {target!r}.")
        return target
    if kind == "brand":
        brand = session.scalar(select(Product.brand).where(Product.brand.ilike(target)).limit(1))
        if brand is None:
            raise RuleError("target", f"No product is of the brand {target!r}.")
        return brand
    if not session.scalar(select(exists().where(Category.slug == target))):
        raise RuleError("target", f"No category has the slug {target!r}.")
    return target


def save(session: Session, actor: User | None, data: dict, rule: MerchRule | None = None) -> MerchRule:
    """Create (``rule`` None) or change a rule from checked ``data``; audited; commits."""
    data = {**data, "target": _check_target(session, data["target_kind"], data["target"])}
    if data["action"] == "pin" and data.get("slot"):
        size = registry.get(data["slot"]).size
        if data["position"] > size:
            raise RuleError("position", f"The {data['slot']} slot shows {size} products: pin at 1 to {size}.")
    before = rule.as_dict() if rule is not None else None
    if rule is None:
        rule = MerchRule(created_by=actor.id if actor else None)
        session.add(rule)
    for key, value in data.items():
        setattr(rule, key, value)
    session.flush()
    if before is None:
        audit.record(session, actor, "rule.create", "merch_rule", rule.id, after=rule.as_dict())
    else:
        old, new = audit.changes(before, rule.as_dict())
        audit.record(session, actor, "rule.update", "merch_rule", rule.id, before=old, after=new)
    session.commit()
    merch_store.forget()
    return rule


def delete(session: Session, actor: User | None, rule: MerchRule) -> None:
    audit.record(session, actor, "rule.delete", "merch_rule", rule.id, before=rule.as_dict())
    session.delete(rule)
    session.commit()
    merch_store.forget()


def _anchor(session: Session, context: str, rules: list) -> str | None:
    """A page to preview a context on: a product a rule names, else any active product; the
    newest article."""
    if context == "product":
        named = [r.target for r in rules if r.target_kind == "product"]
        return named[0] if named else session.scalar(
            select(Product.slug).where(Product.active.is_(True)).order_by(Product.id).limit(1))
    if context == "article":
        slug = session.scalar(select(Article.slug).order_by(Article.published.desc()).limit(1))
        return f"article:{slug}" if slug else None
    return None


def effect(session: Session) -> list[dict]:
    """For every slot a live rule acts on: what it shows now without and with the rules."""
    from ..recommendations.slots import allowed_by_business_rules, model_ranked

    out = []
    for slot in registry.SLOTS:
        if slot.method is None:
            continue
        rules = merch_store.live_rules(slot.name)
        if not rules:
            continue
        anchor = _anchor(session, slot.context, rules)
        if slot.context in ("product", "article") and anchor is None:
            continue
        exclude = {anchor} if anchor else set()
        before = model_ranked(slot, slot.size, anchor, None, set(exclude))
        pool = model_ranked(slot, slot.size + merch_store.OVERFETCH, anchor, None, set(exclude))
        after = merch_store.steer_slot(slot.name, pool, slot.size, allowed_by_business_rules(None, exclude), rules)
        names = dict(session.execute(select(Product.slug, Product.name).where(
            Product.slug.in_({r.item_id for r in [*before, *after]}))).all())
        out.append({"slot": slot.name, "title": slot.title, "anchor": anchor, "rules": [r.id for r in rules],
                    "before": _shown(before, names), "after": _shown(after, names)})
    return out


def _shown(recs, names: dict) -> list[dict]:
    return [{"slug": r.item_id, "name": names.get(r.item_id, r.item_id), "reasons": r.reasons} for r in recs]
