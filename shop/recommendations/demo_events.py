"""A synthetic but coherent event history for the demo shop (clearly marked as synthetic).

A new demo shop has no shoppers, so its recommender would only know popularity zero and
the profile rules. ``catalog/demo/personas.json`` describes fictional shoppers (a profile,
the articles they read, the products they browse and buy). From it we generate guest
visitors — as many per persona as its relative weight says — who read, view, cart and buy
in a believable order over the last weeks. Everything is seeded, so the same seed gives the
same history. The rows are marked: visitor ids start with ``demo-`` and ``context`` says
``synthetic demo history``, so they can be told apart from (and deleted before) real traffic.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from catalog.demo import DEMO_DIR
from catalog.models import Article, Product

from ..models import Event, utcnow

PERSONAS_PATH = DEMO_DIR / "personas.json"
VISITOR_PREFIX = "demo-"
CONTEXT = "synthetic demo history"


@dataclass(frozen=True)
class DemoReport:
    visitors: int
    events: int
    by_kind: dict[str, int]


def load_personas(path: Path = PERSONAS_PATH) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _sample(rng: random.Random, items: list[str], low: float, high: float, at_least: int = 0) -> list[str]:
    if not items:
        return []
    k = max(at_least, round(len(items) * rng.uniform(low, high)))
    return rng.sample(items, min(k, len(items)))


def generate(personas: list[dict], *, visitors: int = 240, days: int = 60, seed: int = 7,
             now: dt.datetime | None = None, known_products: set[str] | None = None,
             known_articles: set[str] | None = None) -> list[dict]:
    """Event rows (dicts for ``insert(Event)``) for ``visitors`` synthetic guests.

    Each visitor follows one persona: reads some of its articles first, then views products
    it browses and buys, carts some of the latter and buys most of what it carted; a few
    stray views of other products keep the data from being too tidy.
    """
    rng = random.Random(seed)
    now = now or utcnow()
    total_weight = sum(float(p.get("weight", 1)) for p in personas) or 1.0
    all_products = sorted({s for p in personas for s in p.get("buys", []) + p.get("browses", [])})
    rows: list[dict] = []
    counter = 0

    def keep(slug: str, known: set[str] | None) -> bool:
        return known is None or slug in known

    for index, persona in enumerate(personas):
        count = max(1, round(visitors * float(persona.get("weight", 1)) / total_weight))
        reads = [a for a in persona.get("reads", []) if keep(a, known_articles)]
        buys = [s for s in persona.get("buys", []) if keep(s, known_products)]
        browses = [s for s in persona.get("browses", []) if keep(s, known_products)]
        others = [s for s in all_products if s not in buys and s not in browses and keep(s, known_products)]
        for _ in range(count):
            counter += 1
            visitor = f"{VISITOR_PREFIX}{index:02d}-{counter:05d}"
            clock = now - dt.timedelta(days=rng.uniform(1, days), minutes=rng.uniform(0, 600))

            def add(kind: str, item: str) -> None:
                nonlocal clock
                clock += dt.timedelta(seconds=rng.uniform(20, 600))
                if clock > now:
                    clock = now
                rows.append({"visitor_id": visitor, "user_id": None, "kind": kind, "item_id": item,  # noqa: B023
                             "context": CONTEXT, "slot": None, "weight": 1.0, "created_at": clock})

            for slug in _sample(rng, reads, 0.4, 1.0, at_least=1):
                add("read", f"article:{slug}")
            wanted = _sample(rng, buys, 0.3, 0.8, at_least=1)
            looked = wanted + _sample(rng, browses, 0.2, 0.7)
            if others and rng.random() < 0.3:
                looked.append(rng.choice(others))
            rng.shuffle(looked)
            for slug in looked:
                add("view", slug)
            if rng.random() < 0.75:  # most visitors go on to buy something
                carted = [s for s in wanted if rng.random() < 0.8] or wanted[:1]
                for slug in carted:
                    add("cart", slug)
                clock += dt.timedelta(minutes=rng.uniform(2, 40))
                for slug in carted:
                    if rng.random() < 0.85:
                        add("purchase", slug)
    return rows


def seed_demo_events(session: Session, *, visitors: int = 240, seed: int = 7, replace: bool = True) -> DemoReport:
    """Write the synthetic history (replacing an earlier one) in one multi-row INSERT."""
    products = set(session.scalars(select(Product.slug).where(Product.active.is_(True))))
    articles = set(session.scalars(select(Article.slug)))
    rows = generate(load_personas(), visitors=visitors, seed=seed, known_products=products,
                    known_articles=articles)
    if replace:
        session.execute(delete(Event).where(Event.visitor_id.like(f"{VISITOR_PREFIX}%"),
                                            Event.context == CONTEXT))
    if rows:
        session.execute(insert(Event), rows)
    session.commit()
    by_kind: dict[str, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
    return DemoReport(visitors=len({r["visitor_id"] for r in rows}), events=len(rows), by_kind=by_kind)
