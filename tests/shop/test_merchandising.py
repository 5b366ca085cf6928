"""Merchandising rules: what each one does to a ranked list, and to the slots the shop shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from admin_helpers import staff_client
from rec_helpers import install_model
from sqlalchemy import select

from catalog.models import Product
from recommender.types import Recommendation
from shop.admin.models import AuditEntry
from shop.extensions import db
from shop.recommendations.merchandising import STAFF_PICK_REASON, ItemFacts, Rule, rules_for, steer

RANKED = [Recommendation(s, 1.0 - i / 10, ["model"]) for i, s in enumerate("abcdef")]
FACTS = {"a": ItemFacts("Velmora", frozenset({"walking-shoes", "footwear"})),
         "b": ItemFacts("Backcare", frozenset({"insoles"})),
         "c": ItemFacts("Velmora", frozenset({"walking-shoes", "footwear"})),
         "d": ItemFacts("Tarnfield", frozenset({"boots", "footwear"})),
         "e": ItemFacts("Backcare", frozenset({"insoles"})),
         "f": ItemFacts("Tarnfield", frozenset({"boots", "footwear"})),
         "z": ItemFacts("Zeno", frozenset({"supports"}))}
ALL = lambda slug: True  # noqa: E731


def ids(recs):
    return [r.item_id for r in recs]


def rule(action, kind, target, **kw):
    return Rule(id=kw.pop("id", 1), action=action, target_kind=kind, target=target, **kw)


def test_no_rule_leaves_the_model_order():
    assert ids(steer(RANKED, [], FACTS, 4, ALL)) == ["a", "b", "c", "d"]


def test_exclude_drops_a_brand_and_the_next_items_fill_in():
    assert ids(steer(RANKED, [rule("exclude", "brand", "velmora")], FACTS, 4, ALL)) == ["b", "d", "e", "f"]


def test_bury_sends_a_category_after_everything_else():
    out = steer(RANKED, [rule("bury", "category", "footwear")], FACTS, 6, ALL)
    assert ids(out) == ["b", "e", "a", "c", "d", "f"]


def test_boost_lifts_an_item_past_those_it_outweighs():
    # d at place 4 weighs 1/4; a boost of 1 makes it 1/2: past c (1/3), not past b (1/2, earlier).
    assert ids(steer(RANKED, [rule("boost", "product", "d", strength=1.0)], FACTS, 4, ALL)) == ["a", "b", "d", "c"]
    assert ids(steer(RANKED, [rule("boost", "product", "d", strength=4.0)], FACTS, 2, ALL)) == ["d", "a"]


def test_a_pinned_product_takes_its_place_and_says_staff_pick():
    out = steer(RANKED, [rule("pin", "product", "z", position=2)], FACTS, 4, ALL)
    assert ids(out) == ["a", "z", "b", "c"]
    assert out[1].reasons == [STAFF_PICK_REASON]


def test_a_pin_obeys_the_business_rules():
    out = steer(RANKED, [rule("pin", "product", "z", position=1)], FACTS, 3, lambda slug: slug != "z")
    assert ids(out) == ["a", "b", "c"]


def test_a_brand_pin_lifts_its_best_ranked_item():
    assert ids(steer(RANKED, [rule("pin", "brand", "Tarnfield")], FACTS, 3, ALL)) == ["d", "a", "b"]


def test_an_exclusion_beats_a_pin():
    rules = [rule("pin", "product", "c", id=1), rule("exclude", "product", "c", id=2)]
    assert "c" not in ids(steer(RANKED, rules, FACTS, 6, ALL))


def test_rules_act_only_in_their_slot_and_dates():
    now = dt.datetime(2026, 12, 1, 12)
    rules = [rule("pin", "product", "z", id=1, slot="home"),
             rule("pin", "product", "z", id=2, starts_at=now + dt.timedelta(hours=1)),
             rule("pin", "product", "z", id=3, ends_at=now),
             rule("pin", "product", "z", id=4, starts_at=now - dt.timedelta(days=1),
                  ends_at=now + dt.timedelta(days=1))]
    assert [r.id for r in rules_for(rules, "home", now)] == [1, 4]
    assert [r.id for r in rules_for(rules, "cart", now)] == [4]


# ------------------------------------------------------------------ in the shop


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def home_trending(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'/products/([a-z0-9-]+)\?rec=trending"', page)


def a_product_not_in(app, shown) -> str:
    with app.app_context():
        slugs = db.session.scalars(select(Product.slug).where(Product.active.is_(True), Product.slug.not_in(shown),
                                                              Product.consumable.is_(False)))
        return next(iter(slugs))


def test_a_merchandiser_pins_a_product_into_trending_and_shoppers_see_it(trained):
    shopper = trained.test_client()
    before = home_trending(shopper)
    assert before
    pick = a_product_not_in(trained, before)
    staff = staff_client(trained, "merchandiser")
    response = staff.post("/admin/rules/new", data={"action": "pin", "target_kind": "product", "target": pick,
                                                    "slot": "trending", "position": "1", "enabled": "1"})
    assert response.status_code == 302
    after = home_trending(trained.test_client())
    assert after[0] == pick and len(after) == len(before)
    page = trained.test_client().get("/").get_data(as_text=True)
    assert STAFF_PICK_REASON in page
    listing = staff.get("/admin/rules").get_data(as_text=True)
    assert "live" in listing and "Staff pick" in listing  # the effect section shows the pin
    with trained.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rule.create"))
        assert entry.after["target"] == pick and entry.actor_email == "merchandiser@example.com"


def test_an_excluded_brand_leaves_every_slot(trained):
    shopper = trained.test_client()
    shown = home_trending(shopper)
    with trained.app_context():
        brand = db.session.scalar(select(Product.brand).where(Product.slug == shown[0]))
        brand_slugs = set(db.session.scalars(select(Product.slug).where(Product.brand == brand)))
    staff = staff_client(trained, "admin")
    created = staff.post("/api/admin/rules",
                         json={"action": "exclude", "target_kind": "brand", "target": brand.upper()})
    assert created.status_code == 201 and created.get_json()["target"] == brand  # stored as the catalog spells it
    assert not brand_slugs & set(home_trending(trained.test_client()))
    assert staff.delete(f"/api/admin/rules/{created.get_json()['id']}").status_code == 204
    assert home_trending(trained.test_client()) == shown


def test_a_scheduled_rule_does_nothing_yet(trained):
    shown = home_trending(trained.test_client())
    pick = a_product_not_in(trained, shown)
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    staff = staff_client(trained, "admin")
    created = staff.post("/api/admin/rules", json={"action": "pin", "target_kind": "product", "target": pick,
                                                   "starts_at": start})
    assert created.get_json()["state"] == "scheduled"
    assert home_trending(trained.test_client()) == shown


def test_rule_form_names_each_bad_field(demo):
    staff = staff_client(demo, "merchandiser")
    response = staff.post("/admin/rules/new", data={"action": "shove", "target_kind": "product", "target": "",
                                                    "strength": "0", "starts_at": "2026-12-02T10:00",
                                                    "ends_at": "2026-12-01T10:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Choose pin, boost, bury or exclude.", "Name the product, brand or category.",
                    "Use a boost above 0 and at most 10.", "End after the start."):
        assert message in page
    missing = staff.post("/admin/rules/new", data={"action": "pin", "target_kind": "product",
                                                   "target": "no-such-shoe", "slot": "trending", "position": "1"})
    assert missing.status_code == 422 and "No product has the slug" in missing.get_data(as_text=True)
    too_far = staff.post("/api/admin/rules", json={"action": "pin", "target_kind": "category",
                                                   "target": "footwear", "slot": "trending", "position": 9})
    assert too_far.status_code == 422
    assert any("pin at 1 to 4" in p["reason"] for p in too_far.get_json()["invalid_params"])


def test_support_staff_cannot_touch_rules(demo):
    support = staff_client(demo, "support")
    assert support.get("/admin/rules").status_code == 403
    assert support.post("/api/admin/rules", json={}).status_code == 403
