"""A/B experiments: sticky assignment, each variant served its strategy, every impression,
click, add-to-cart and order recorded with the variant, and results checked by hand."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from admin_helpers import staff_client
from rec_helpers import install_model
from sqlalchemy import select

from shop.extensions import db
from shop.recommendations.experiment_models import Experiment, ExperimentEvent
from shop.recommendations.experiments import bucket

CHECKOUT = {"name": "Ann Example", "email": "ann@example.com", "delivery": "standard",
            "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"}}
SERVED_VS_POPULARITY = {
    "name": "home: hybrid vs popularity", "slots": ["home"], "min_sample": 2,
    "variants": [{"name": "control", "strategy": "served", "traffic": 50},
                 {"name": "popular", "strategy": "popularity", "traffic": 50}]}


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def start(app, spec=SERVED_VS_POPULARITY):
    admin = staff_client(app, "admin", "ab-admin@example.com")
    created = admin.post("/api/admin/experiments", json=spec)
    assert created.status_code == 201, created.get_json()
    experiment_id = created.get_json()["id"]
    assert admin.post(f"/api/admin/experiments/{experiment_id}/start", json={}).status_code == 200
    return admin, experiment_id


def visitor_in(app, experiment_id: int, variant_index: int):
    """A fresh visitor whose hash puts them in the variant (0: the first 50%)."""
    for i in range(200):
        key = f"visitor-{i:04d}"
        if (bucket(experiment_id, key) < 50) == (variant_index == 0):
            client = app.test_client()
            with client.session_transaction() as session:
                session["visitor_id"] = key
            return client
    raise AssertionError("no visitor landed in the variant")


def home_cards(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_buckets_are_sticky_and_split_evenly():
    keys = [f"visitor-{i}" for i in range(4000)]
    first = [bucket(7, key) for key in keys]
    assert first == [bucket(7, key) for key in keys]
    share = sum(b < 50 for b in first) / len(first)
    assert 0.47 < share < 0.53
    assert [bucket(8, key) for key in keys] != first  # independent across experiments


def test_each_variant_is_served_its_strategy_and_keeps_it(trained):
    _admin, experiment_id = start(trained)
    control, popular = visitor_in(trained, experiment_id, 0), visitor_in(trained, experiment_id, 1)
    control_page, popular_page = home_cards(control), home_cards(popular)
    section = re.compile(r'rec=home"', re.S)
    assert section.search(control_page) and section.search(popular_page)
    assert "Popular with other shoppers" in popular_page.split("Trending")[0]
    assert re.findall(r'/products/([a-z0-9-]+)\?rec=home"', control_page) != \
        re.findall(r'/products/([a-z0-9-]+)\?rec=home"', popular_page)
    assert home_cards(popular) == popular_page  # the same visitor, the same variant
    with trained.app_context():
        variants = {row.visitor: row.variant for row in db.session.scalars(
            select(ExperimentEvent).where(ExperimentEvent.kind == "impression"))}
    assert sorted(set(variants.values())) == ["control", "popular"]


def test_impressions_clicks_carts_and_orders_are_recorded_with_the_variant_across_log_in(trained):
    _admin, experiment_id = start(trained)
    shopper = visitor_in(trained, experiment_id, 1)
    page = home_cards(shopper)
    slug = re.findall(r'/products/([a-z0-9-]+)\?rec=home"', page)[0]
    shopper.get(f"/products/{slug}?rec=home")
    product = shopper.get(f"/api/products/{slug}").get_json()
    sku = next(v["sku"] for v in product["variants"] if v["stock"] > 0)
    assert shopper.post("/api/cart/items", json={"sku": sku, "quantity": 1}).status_code == 201
    shopper.post("/api/account/register", json={"email": "ann@example.com", "password": "a-long-password"})
    assert home_cards(shopper) == home_cards(shopper)  # still the popularity variant after log-in
    order = shopper.post("/api/checkout", json=CHECKOUT)
    assert order.status_code == 201, order.get_json()
    with trained.app_context():
        rows = db.session.scalars(select(ExperimentEvent).order_by(ExperimentEvent.id)).all()
        kinds = [row.kind for row in rows]
        assert {"impression", "click", "cart", "order"} <= set(kinds)
        assert {row.variant for row in rows} == {"popular"}
        assert len({row.visitor for row in rows}) == 1  # one visitor before and after logging in
        placed = next(row for row in rows if row.kind == "order")
        assert placed.value == Decimal(order.get_json()["total"])


def add(session, experiment_id, variant, visitor, kind, value="0.00"):
    session.add(ExperimentEvent(experiment_id=experiment_id, variant=variant, visitor=visitor, kind=kind,
                                value=Decimal(value), created_at=dt.datetime(2026, 12, 1)))


def test_results_are_the_hand_counted_figures(demo):
    admin, experiment_id = start(demo)
    with demo.app_context():
        for visitor in ("a1", "a2", "a3", "a4"):  # control: 4 visitors, 8 impressions, 2 clicks, 1 cart
            add(db.session, experiment_id, "control", visitor, "impression")
            add(db.session, experiment_id, "control", visitor, "impression")
        add(db.session, experiment_id, "control", "a1", "click")
        add(db.session, experiment_id, "control", "a2", "click")
        add(db.session, experiment_id, "control", "a1", "cart")
        add(db.session, experiment_id, "control", "a1", "order", "50.00")
        for visitor in ("b1", "b2"):  # popular: 2 visitors, 2 impressions, 2 clicks, 2 carts, 3 orders
            add(db.session, experiment_id, "popular", visitor, "impression")
            add(db.session, experiment_id, "popular", visitor, "click")
            add(db.session, experiment_id, "popular", visitor, "cart")
        add(db.session, experiment_id, "popular", "b1", "order", "20.00")
        add(db.session, experiment_id, "popular", "b1", "order", "10.00")
        add(db.session, experiment_id, "popular", "b2", "order", "30.00")
        db.session.commit()
    body = admin.get(f"/api/admin/experiments/{experiment_id}").get_json()["results"]
    control, popular = body["variants"]
    assert (control["visitors"], control["impressions"], control["clicks"], control["carted"], control["orders"]) \
        == (4, 8, 2, 1, 1)
    assert control["ctr"]["value"] == pytest.approx(0.25) and control["add_to_cart_rate"]["value"] == 0.25
    assert control["revenue"] == "50.00" and control["revenue_per_visitor"]["value"] == pytest.approx(12.5)
    assert (popular["visitors"], popular["clicks"], popular["orders"], popular["revenue"]) == (2, 2, 3, "60.00")
    assert popular["revenue_per_visitor"]["value"] == pytest.approx(30.0)
    assert popular["vs_control"]["ctr"]["difference"] == pytest.approx(0.75)
    assert 0 <= popular["vs_control"]["ctr"]["p_value"] <= 1
    assert body["may_declare"] is True  # min_sample 2
    assert "Revenue per visitor" in admin.get(f"/admin/experiments/{experiment_id}").get_data(as_text=True)


def test_a_winner_waits_for_the_minimum_sample(demo):
    admin, experiment_id = start(demo, {**SERVED_VS_POPULARITY, "min_sample": 1000})
    refused = admin.post(f"/api/admin/experiments/{experiment_id}/winner", json={"variant": "popular"})
    assert refused.status_code == 409 and "1000 visitors" in refused.get_json()["detail"]
    assert admin.post(f"/api/admin/experiments/{experiment_id}/winner",
                      json={"variant": "nobody"}).status_code == 422
    stopped = admin.post(f"/api/admin/experiments/{experiment_id}/stop", json={})
    assert stopped.get_json()["status"] == "stopped"
    with demo.app_context():
        assert db.session.get(Experiment, experiment_id).stopped_at is not None


def test_two_running_experiments_cannot_share_a_slot(demo):
    admin, _first = start(demo)
    second = admin.post("/api/admin/experiments", json={**SERVED_VS_POPULARITY, "name": "again"}).get_json()["id"]
    clash = admin.post(f"/api/admin/experiments/{second}/start", json={})
    assert clash.status_code == 409 and "home" in clash.get_json()["detail"]
    assert admin.post(f"/api/admin/experiments/{_first}/start", json={}).status_code == 409  # not a draft


def test_the_form_names_each_bad_field(demo):
    staff = staff_client(demo, "merchandiser")
    response = staff.post("/admin/experiments/new", data={
        "name": "", "v0_name": "control", "v0_strategy": "served", "v0_traffic": "60",
        "v1_name": "w", "v1_strategy": "weights", "v1_traffic": "30", "v1_weights": "collaborative=lots"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "is not a number" in page
    response = staff.post("/admin/experiments/new", data={
        "name": "x", "slots": ["home"], "v0_name": "control", "v0_strategy": "served", "v0_traffic": "60",
        "v1_name": "w", "v1_strategy": "weights", "v1_traffic": "30", "v1_weights": "collaborative=3"})
    assert response.status_code == 422 and "add up to 100%" in response.get_data(as_text=True)
    ok = staff.post("/admin/experiments/new", data={
        "name": "x", "slots": ["home", "cart"], "v0_name": "control", "v0_strategy": "served", "v0_traffic": "50",
        "v1_name": "w", "v1_strategy": "weights", "v1_traffic": "50", "v1_weights": "collaborative=3"})
    assert ok.status_code == 302
