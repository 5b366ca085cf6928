"""What new shoppers saw, as whole lists: the article leads its page, the finder's list agrees
with itself, and each card's reasons say what sets it apart (the demo catalog, its articles
and every demo persona, on the model the shop trains)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest
from rec_helpers import install_model
from sqlalchemy import select

from catalog.eligibility import eligible_slugs
from catalog.models import Product, Variant
from catalog.vocabulary import as_data
from recommender.types import VisitorContext

PERSONAS = json.loads((Path(__file__).resolve().parents[2] / "catalog" / "demo" / "personas.json").read_text())


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


@pytest.fixture
def finder_lists(trained, session):
    """Per persona: the finder's list (as the shop ranks it) and the served model."""
    from shop.recommendations.registry import get
    from shop.recommendations.store import get_store

    model = get_store(trained).current().model
    out = {}
    for persona in PERSONAS:
        profile = persona["profile"]
        ok = model.eligible_mask(eligible_slugs(session, profile.get("shoe_size_eu"), profile.get("width")))
        out[persona["name"]] = model.recommend(VisitorContext("footwear", profile=profile), get("footwear").size, ok)
    return model, out


def section(html: str, slot: str) -> list[str]:
    return re.findall(rf'/products/([a-z0-9-]+)\?rec={slot}"', html)


def test_the_sleep_article_keeps_to_sleep_with_a_shoe_in_the_cart(trained, client, session):
    sku = session.scalar(select(Variant.sku).join(Product).where(
        Product.slug == "strideline-comfort-walker", Variant.stock > 0).limit(1))
    assert client.post("/api/cart/items", json={"sku": sku, "quantity": 1}).status_code in (200, 201)
    client.get("/products/velmora-halo-walk")  # and a shoe in the history
    html = client.get("/articles/sleeping-with-back-pain").get_data(as_text=True)
    related = section(html, "article")
    assert len(related) >= 4
    paths = {p.slug: p.category.path for p in session.scalars(select(Product).where(Product.slug.in_(related)))}
    assert not [s for s in related if {"footwear", "insoles-and-orthotics"} & set(paths[s])], paths
    assert all("back-and-posture" in paths[s] for s in related)
    assert sum("sleep-support" in paths[s] for s in related) >= 3


def test_history_only_reorders_within_the_articles_topic(trained, client, session):
    alone = set(section(client.get("/articles/sleeping-with-back-pain").get_data(as_text=True), "article"))
    sku = session.scalar(select(Variant.sku).join(Product).where(
        Product.slug == "tarnfield-summit-cushion", Variant.stock > 0).limit(1))
    client.post("/api/cart/items", json={"sku": sku, "quantity": 1})
    with_cart = set(section(client.get("/articles/sleeping-with-back-pain").get_data(as_text=True), "article"))
    assert alone and with_cart == alone


def _choice_attributes() -> set[str]:
    return {name for name, spec in as_data()["item"].items() if spec["type"] == "choice"}


def contradictions(model, reasons: set[str]) -> list[tuple[str, str]]:
    """Pairs of reasons on one list whose rules want opposite values of one attribute (a
    product has one value of a choice attribute, so ``stability: neutral`` and ``stability:
    stability`` cannot both be what the visitor needs)."""
    choice = _choice_attributes()
    rules = [r for r in model.profile_.rules_ if r.reason in reasons and r.effect == "rank" and r.weight > 0]
    found = []
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            for wa in a.want:
                for wb in b.want:
                    if (wa.attribute == wb.attribute and wa.attribute in choice and wa.values and wb.values
                            and not wa.values & wb.values):
                        found.append((a.reason, b.reason))
    return found


@pytest.mark.parametrize("persona", [p["name"] for p in PERSONAS])
def test_every_personas_finder_list_agrees_with_itself(finder_lists, persona):
    model, lists = finder_lists
    recs = lists[persona]
    assert recs
    reasons = {text for r in recs for text in r.reasons}
    assert not contradictions(model, reasons)
    profile = next(p["profile"] for p in PERSONAS if p["name"] == persona)
    excluded, demoted = model.profile_.effect_masks(profile)
    rows = [model.content_.item_index_[r.item_id] for r in recs]
    assert not excluded[rows].any()
    # Demoted shoes only fill the list after every other shoe.
    flags = list(demoted[rows])
    assert flags == sorted(flags)
    # No reason is an operator's note on why a shoe was left out.
    notes = {r.reason for r in model.profile_.rules_ if r.effect != "rank"}
    assert not reasons & notes


def test_the_contradictions_shoppers_met_are_gone(trained, session):
    """High arches, knee pain, trails: no motion control, no stability pitched at the knees
    beside neutral shoes for high arches, no low cushioning, no recovery sandal among trail shoes."""
    from shop.recommendations.store import get_store

    model = get_store(trained).current().model
    profile = {"arch": "high", "overpronation": "no", "pain_areas": ["knees"], "terrain": ["trail"],
               "fitness_level": "active", "shoe_size_eu": 42, "width": "regular"}
    ok = model.eligible_mask(eligible_slugs(session, 42, "regular"))
    recs = model.recommend(VisitorContext("footwear", profile=profile), 12, ok)
    products = {p.slug: p for p in session.scalars(select(Product).where(Product.slug.in_([r.item_id for r in recs])))}
    attributes = {slug: p.attributes for slug, p in products.items()}
    assert recs and not [s for s, a in attributes.items() if a.get("stability") == "motion-control"]
    assert not [s for s, a in attributes.items() if a.get("cushioning") == "low"]
    reasons = {text for r in recs for text in r.reasons}
    assert "Stability keeps your knees aligned" not in reasons
    sandals = [i for i, r in enumerate(recs) if "recovery-sandals" in products[r.item_id].category.path]
    others = [i for i, r in enumerate(recs) if "recovery-sandals" not in products[r.item_id].category.path]
    assert not sandals or min(sandals) > max(others)


@pytest.mark.parametrize("persona", [p["name"] for p in PERSONAS])
def test_reasons_tell_the_cards_apart(finder_lists, persona):
    _, lists = finder_lists
    recs = lists[persona]
    pairs = Counter(tuple(r.reasons) for r in recs)
    assert pairs.most_common(1)[0][1] <= max(2, math.ceil(len(recs) / 3)), pairs
    texts = Counter(text for r in recs for text in r.reasons)
    assert len(texts) >= min(len(recs), 4)
