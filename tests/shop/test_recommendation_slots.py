"""The slot registry is the one place a slot is declared: every slot renders on its page under
its name and title, logs its impressions under that name, is ranked by the model method it
names, shows its size, and the report lists exactly the registry's slots.

Adding a slot: one entry in ``shop.recommendations.registry.SLOTS`` and one entry in ``SHOW``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pytest
from rec_helpers import FLAT_FOOTED_LOWER_BACK, install_model
from sqlalchemy import insert, select

from catalog.models import Product, Variant
from recommender.types import CONTEXT_KINDS, Recommender
from shop.models import Event
from shop.recommendations import registry

TEMPLATES = Path(__file__).resolve().parents[2] / "shop" / "templates"


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def links(html: str, slot: str) -> list[str]:
    return re.findall(rf'/products/([a-z0-9-]+)\?rec={re.escape(slot)}"', html)


def _home(client, app):
    return client.get("/")


def _after_a_view(client, app):
    client.get("/products/tarnfield-ridgeback-trail")
    return client.get("/")


def _article(client, app):
    return client.get("/articles/walking-for-back-pain")


def _product(client, app):
    return client.get("/products/strideline-comfort-walker")


def _cart(client, app):
    from shop.extensions import db

    with app.app_context():
        sku = db.session.scalar(select(Variant.sku).join(Product).where(
            Product.slug == "strideline-comfort-walker", Variant.stock > 0).limit(1))
    assert client.post("/api/cart/items", json={"sku": sku, "quantity": 1}).status_code in (200, 201)
    return client.get("/cart")


def _footwear(client, app):
    assert client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK).status_code == 302
    return client.get("/footwear")


def _few_shoes(client, app):
    """EU 46 extra wide: one shoe fits, so the finder offers the next width and insoles."""
    answers = {**FLAT_FOOTED_LOWER_BACK, "shoe_size": "46", "width": "extra-wide"}
    assert client.post("/footwear", data=answers).status_code == 302
    return client.get("/footwear")


#: How a shopper gets to see each slot (the last request is the page that shows it).
SHOW = {
    "home": _home,
    "trending": _home,
    "recently-viewed": _after_a_view,
    "article": _article,
    "similar": _product,
    "bought-together": _product,
    "cart": _cart,
    "footwear": _footwear,
    "footwear-other-width": _few_shoes,
    "footwear-insoles": _few_shoes,
}


# ------------------------------------------------------------------ the registry itself
def test_every_registry_slot_has_a_way_to_be_shown_here():
    assert set(SHOW) == set(registry.NAMES)


def test_registry_entries_are_well_formed():
    assert len(set(registry.NAMES)) == len(registry.SLOTS)
    for slot in registry.SLOTS:
        assert re.fullmatch(r"[a-z][a-z-]*", slot.name) and len(slot.name) <= 40, slot  # events.slot is 40 chars
        assert slot.title.strip() and slot.size > 0, slot
        assert slot.context in CONTEXT_KINDS, slot
        assert slot.method is None or callable(getattr(Recommender, slot.method, None)), slot
        assert (TEMPLATES / slot.template).is_file(), slot
        assert registry.get(slot.name) is slot
    # The product page's lists are fetched and cached together, with one size.
    assert len({slot.size for slot in registry.in_context("product")}) == 1


def test_query_values_that_are_not_slots_are_ignored():
    assert registry.slot_from_request("trending") == "trending"
    for value in (None, "", "api", "not-a-slot", "Trending"):
        assert registry.slot_from_request(value) is None


# ------------------------------------------------------------------ on the pages
@pytest.mark.parametrize("name", registry.NAMES)
def test_every_slot_renders_and_logs_under_its_name_and_title(trained, client, session, name):
    from shop.recommendations.store import get_store

    slot = registry.get(name)
    model = get_store(trained).current().model
    called: list[str] = []
    for method in ("recommend", "similar_items", "bought_together", "popular"):
        original = getattr(model, method)
        setattr(model, method, lambda *a, _m=method, _f=original, **k: called.append(_m) or _f(*a, **k))
    page = None
    try:
        page = SHOW[name](client, trained)
    finally:
        for method in ("recommend", "similar_items", "bought_together", "popular"):
            delattr(model, method)
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    shown = links(html, name)
    assert shown, f"no ?rec={name} links"
    assert len(shown) <= slot.size
    assert f'data-slot="{name}"' in html
    assert f">{htmllib.escape(slot.title)}</h2>" in html
    if slot.intro:
        assert htmllib.escape(slot.intro) in html
    if slot.method is not None:
        assert slot.method in called, called

    impression = session.scalars(select(Event).where(Event.kind == "impression", Event.slot == name)
                                 .order_by(Event.id.desc())).first()
    assert impression is not None
    assert impression.weight == len(shown)
    assert ",".join(shown).startswith(impression.context)  # the context column may cut a long list
    assert client.get(f"/products/{shown[0]}?rec={name}").status_code == 200
    assert session.scalar(select(Event.slot).where(Event.kind == "click", Event.item_id == shown[0])) == name


def _replace(monkeypatch, name: str, **changes) -> None:
    """Change one registry entry for the test (as editing ``SLOTS`` would)."""
    new = dataclasses.replace(registry.get(name), **changes)
    monkeypatch.setattr(registry, "SLOTS", tuple(new if s.name == name else s for s in registry.SLOTS))
    monkeypatch.setitem(registry.BY_NAME, name, new)


def test_sizes_titles_and_intros_come_from_the_registry(trained, client, monkeypatch):
    _replace(monkeypatch, "trending", size=2, title="Hot this week", intro="What other shoppers buy now.")
    _replace(monkeypatch, "footwear", size=3)
    html = client.get("/").get_data(as_text=True)
    assert len(links(html, "trending")) == 2
    assert ">Hot this week</h2>" in html and "What other shoppers buy now." in html
    assert ">Trending</h2>" not in html
    assert len(links(_footwear(client, trained).get_data(as_text=True), "footwear")) == 3


# ------------------------------------------------------------------ the report
def test_the_report_lists_exactly_the_registry_slots(demo, runner, session):
    from shop.recommendations.analytics import last_days, report

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [{"visitor_id": "v", "user_id": None, "kind": "impression", "item_id": None, "slot": slot,
             "context": None, "weight": 4.0, "created_at": now} for slot in ("trending", "an-old-slot")]
    session.execute(insert(Event), rows)
    session.commit()

    by_slot = report(session, *last_days(30)).by_slot
    assert list(by_slot) == list(registry.NAMES)
    assert by_slot["trending"].impressions == 1
    assert sum(r.impressions for r in by_slot.values()) == 1  # the unknown slot is not counted

    output = runner.invoke(args=["recommender", "report"]).output
    listed = [line.split()[0] for line in output.splitlines()[2:-1] if line.strip() and not line.startswith("-")]
    assert listed == [*registry.NAMES, "all"]
