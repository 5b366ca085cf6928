"""The recommender in the shop, as the issue states it, against the demo catalog,
the synthetic demo history and a model trained on them in a temporary MODEL_DIR."""

from __future__ import annotations

import logging
import re

import pytest
from rec_helpers import FLAT_FOOTED_LOWER_BACK, install_model, train_now
from sqlalchemy import event, select, update

from catalog.models import Product, Variant
from shop.models import Event

FALLBACK = "popularity-fallback"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RECOMMENDER_CHECK_SECONDS": 0}


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def recommend(client, context, limit=10):
    response = client.get(f"/api/recommendations?context={context}&limit={limit}")
    assert response.status_code == 200, response.json
    return response.json


def slugs(payload):
    return [item["product"]["slug"] for item in payload["items"]]


def section(html: str, slot: str) -> list[str]:
    """Product slugs linked from one recommendation slot of a page, in order."""
    return re.findall(rf'/products/([a-z0-9-]+)\?rec={slot}"', html)


def be_flat_footed_with_lower_back_pain(client):
    assert client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK).status_code == 302


# ------------------------------------------------------------------ what shoppers see
def test_walking_article_puts_cushioned_arch_supporting_walking_shoes_first(trained, client):
    payload = recommend(client, "article:walking-for-back-pain", 6)
    # The first card, and the best-scored two (the list is diversified across categories).
    best = sorted(payload["items"], key=lambda item: -item["score"])[:2]
    for item in [payload["items"][0], *best]:
        product = item["product"]
        assert product["category_path"][0] == "footwear"
        assert product["attributes"]["cushioning"] == "high"
        assert product["attributes"]["arch_support"] == "high"
        assert item["reasons"]
    assert payload["model_version"] != FALLBACK

    html = client.get("/articles/walking-for-back-pain").get_data(as_text=True)
    assert section(html, "article")[:2] == slugs(payload)[:2]
    assert "Because you read <em>" in html


def test_flat_footed_visitor_with_lower_back_pain_gets_stability_above_neutral_in_size(trained, client, session):
    be_flat_footed_with_lower_back_pain(client)
    items = recommend(client, "footwear", 10)["items"]
    attrs = [item["product"]["attributes"] for item in items]
    supportive = [
        a.get("stability") in ("stability", "motion-control") and a.get("arch_support") == "high" for a in attrs
    ]
    assert all(supportive[:3]), attrs[:3]
    neutral = [i for i, a in enumerate(attrs) if a.get("stability") == "neutral"]
    assert not neutral or sum(supportive[: neutral[0]]) >= 3
    assert any("flat feet" in r for r in items[0]["reasons"])

    in_size = set(
        session.scalars(
            select(Product.slug)
            .join(Variant)
            .where(Variant.size_eu.between(41.5, 42.5), Variant.width == "regular", Variant.stock > 0)
        )
    )
    assert {item["product"]["slug"] for item in items} <= in_size

    html = client.get("/footwear").get_data(as_text=True)
    shown = section(html, "footwear")
    assert shown[:3] == [item["product"]["slug"] for item in items[:3]]
    assert "Refine your answers" in html


def test_items_out_of_stock_in_the_visitors_size_never_appear(trained, client, session):
    be_flat_footed_with_lower_back_pain(client)
    first = recommend(client, "footwear", 5)["items"][0]["product"]["slug"]
    session.execute(
        update(Variant)
        .where(
            Variant.product_id == select(Product.id).where(Product.slug == first).scalar_subquery(),
            Variant.size_eu.between(41.5, 42.5),
        )
        .values(stock=0)  # EU 42, give or take half
    )
    session.commit()
    for context in ("footwear", "home", "article:walking-for-back-pain", "product:velmora-steady-cloud"):
        assert first not in slugs(recommend(client, context, 50)), context
    for url in ("/", "/footwear", "/articles/walking-for-back-pain"):
        assert f"/products/{first}?rec=" not in client.get(url).get_data(as_text=True), url

    # Out of stock altogether: not even a visitor without a size sees it.
    session.execute(
        update(Variant)
        .where(Variant.product_id == select(Product.id).where(Product.slug == "lumevo-lumbar-roll").scalar_subquery())
        .values(stock=0)
    )
    session.commit()
    assert "lumevo-lumbar-roll" not in slugs(recommend(trained.test_client(), "home", 50))


def _eligibility_queries(app, call) -> int:
    """How many eligibility queries ``call()`` ran on ``app``'s engine."""
    statements: list[str] = []
    engine = app.extensions["database"].engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sum("variants_1.stock >" in s for s in statements)


def test_a_checkout_in_this_process_drops_the_cached_eligibility(trained, app_config, session):
    """Eligibility is cached per worker for a few seconds, but a sale made in this process is
    seen at once: another visitor in the same size never gets the item just sold out."""
    from shop import create_app

    app = create_app({**app_config, "RECOMMENDER_ELIGIBLE_SECONDS": 5})
    try:
        buyer, other = app.test_client(), app.test_client()
        be_flat_footed_with_lower_back_pain(buyer)
        be_flat_footed_with_lower_back_pain(other)
        first = recommend(other, "footwear", 5)["items"][0]["product"]["slug"]
        # One unit left in EU 42 regular (the visitors' size), none in the other EU 42 widths nor
        # half a size either side (which fit EU 42 too).
        product_id = select(Product.id).where(Product.slug == first).scalar_subquery()
        session.execute(
            update(Variant).where(Variant.product_id == product_id, Variant.size_eu.between(41.5, 42.5)).values(stock=0)
        )
        session.execute(
            update(Variant)
            .where(Variant.product_id == product_id, Variant.size_eu == 42, Variant.width == "regular")
            .values(stock=1)
        )
        session.commit()
        sku = session.scalar(
            select(Variant.sku).where(
                Variant.product_id == product_id, Variant.size_eu == 42, Variant.width == "regular"
            )
        )

        assert first in slugs(recommend(other, "footwear", 50))
        # Cached: the next pages of this worker in that size do not ask the database again.
        assert _eligibility_queries(app, lambda: recommend(other, "footwear", 50)) == 0

        assert buyer.post("/api/cart/items", json={"sku": sku, "quantity": 1}).status_code in (200, 201)
        body = {
            "name": "Ann Walker",
            "email": "ann@example.com",
            "delivery": "standard",
            "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"},
        }
        assert buyer.post("/api/checkout", json=body).status_code == 201

        seen: dict[str, list[str]] = {}
        assert (
            _eligibility_queries(
                app,
                lambda: seen.update(
                    {c: slugs(recommend(other, c, 50)) for c in ("footwear", "home", "article:walking-for-back-pain")}
                ),
            )
            == 1
        )
        for context, shown in seen.items():
            assert first not in shown, context
        assert f"/products/{first}?rec=" not in other.get("/footwear").get_data(as_text=True)
    finally:
        app.extensions["database"].engine.dispose()


@pytest.mark.parametrize(
    "context", ["home", "footwear", "cart", "article:flat-feet-and-overpronation", "product:strideline-comfort-walker"]
)
def test_every_item_has_a_reason(trained, client, context):
    be_flat_footed_with_lower_back_pain(client)
    client.get("/products/velmora-halo-walk")
    if context == "cart":
        with trained.app_context():
            from shop.cart.service import Owner, add_item
            from shop.extensions import db

            with client.session_transaction() as s:
                owner = Owner(visitor_id=s["visitor_id"])
            sku = db.session.scalar(
                select(Variant.sku)
                .join(Product)
                .where(Product.slug == "strideline-comfort-walker", Variant.size_eu == 42, Variant.stock > 0)
            )
            add_item(db.session, owner, sku, 1)
    items = recommend(client, context, 20)["items"]
    assert items
    assert all(item["reasons"] and all(r.strip() for r in item["reasons"]) for item in items)


def test_a_new_visitor_gets_popular_items(trained, client, session):
    payload = recommend(client, "home", 6)
    assert len(payload["items"]) == 6
    assert any("Popular with other shoppers" in item["reasons"] for item in payload["items"])
    bought = _counts(session)
    top_sellers = sorted(bought, key=bought.get, reverse=True)[:20]
    assert slugs(payload)[0] in top_sellers


def _counts(session):
    from sqlalchemy import func

    return dict(
        session.execute(
            select(Event.item_id, func.count()).where(Event.kind.in_(("cart", "purchase"))).group_by(Event.item_id)
        ).all()
    )


def test_home_shows_recommended_trending_and_recently_viewed(trained, client):
    client.get("/products/tarnfield-ridgeback-trail")
    html = client.get("/").get_data(as_text=True)
    assert "Recommended for you" in html and "Trending" in html and "Recently viewed" in html
    assert section(html, "recently-viewed")[0] == "tarnfield-ridgeback-trail"
    shown = section(html, "home") + section(html, "trending")
    assert len(shown) == len(set(shown))


def test_product_page_shows_similar_and_bought_together(trained, client):
    html = client.get("/products/strideline-comfort-walker").get_data(as_text=True)
    similar, together = section(html, "similar"), section(html, "bought-together")
    assert similar and together
    assert "strideline-comfort-walker" not in similar + together
    assert not set(similar) & set(together)
    assert 'class="reasons"' in html


def test_product_page_lists_are_cached_per_worker_without_the_cart_and_dropped_on_stock_commits(trained, app_config):
    """With eligibility snapshots cached, the product page's lists are computed once per worker
    and snapshot; each visitor's cart is still taken out, and a stock commit drops them."""
    from shop import create_app
    from shop.extensions import db
    from shop.recommendations.store import get_store

    page = "/products/strideline-comfort-walker"
    app = create_app({**app_config, "RECOMMENDER_ELIGIBLE_SECONDS": 5})
    try:
        model = get_store(app).current().model
        calls = []
        original = model.bought_together
        model.bought_together = lambda *args, **kwargs: calls.append(args) or original(*args, **kwargs)
        first, second = app.test_client(), app.test_client()
        together = section(first.get(page).get_data(as_text=True), "bought-together")
        assert len(together) >= 2 and len(calls) == 1
        # Another visitor with an empty cart: the same list, without asking the model.
        assert section(second.get(page).get_data(as_text=True), "bought-together") == together
        assert len(calls) == 1

        carted, sold_out = together[0], together[1]
        with app.app_context():
            sku = db.session.scalar(
                select(Variant.sku).join(Product).where(Product.slug == carted, Variant.stock > 0).limit(1)
            )
        assert second.post("/api/cart/items", json={"sku": sku, "quantity": 1}).status_code in (200, 201)
        shown = section(second.get(page).get_data(as_text=True), "bought-together")
        assert carted not in shown and len(shown) == len(together)
        assert section(first.get(page).get_data(as_text=True), "bought-together") == together
        n_calls = len(calls)

        # A stock commit in this worker drops the snapshot, and the lists with it.
        with app.app_context():
            db.session.execute(
                update(Variant)
                .where(Variant.product_id == select(Product.id).where(Product.slug == sold_out).scalar_subquery())
                .values(stock=0)
            )
            db.session.commit()
        fresh = section(first.get(page).get_data(as_text=True), "bought-together")
        assert len(calls) == n_calls + 1
        assert sold_out not in fresh and carted in fresh
    finally:
        app.extensions["database"].engine.dispose()


# ------------------------------------------------------------------ serving and reloading
def test_a_corrupt_model_degrades_to_popularity_with_a_warning(trained, client, caplog):
    assert recommend(client, "home")["model_version"] != FALLBACK
    path = trained.extensions["recommender_store"].path
    path.write_bytes(b"this is not a model" * 10)
    caplog.set_level(logging.WARNING, logger="shop.recommendations")
    payload = recommend(client, "home", 5)
    assert payload["model_version"] == FALLBACK
    assert payload["items"] and all(item["reasons"] for item in payload["items"])
    assert any("Serving popularity" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    for url in ("/", "/articles/walking-for-back-pain", "/products/velmora-halo-walk", "/footwear?show=1"):
        assert client.get(url).status_code == 200, url
    assert section(client.get("/articles/walking-for-back-pain").get_data(as_text=True), "article")


def test_a_model_failing_at_serving_time_is_answered_by_the_fallback(trained, client, caplog, monkeypatch):
    from shop.recommendations.store import get_store

    with trained.app_context():
        model = get_store().current().model

    def broken(*args, **kwargs):
        raise RuntimeError("model bug")

    monkeypatch.setattr(model, "similar_items", broken)
    caplog.set_level(logging.WARNING, logger="shop.recommendations")
    payload = recommend(client, "product:strideline-comfort-walker", 4)
    assert payload["items"] and "strideline-comfort-walker" not in slugs(payload)
    assert any("the model failed" in r.getMessage() for r in caplog.records)


def test_a_missing_model_serves_popularity_and_warns(demo, client, caplog):
    caplog.set_level(logging.WARNING, logger="shop.recommendations")
    payload = recommend(client, "article:walking-for-back-pain", 4)
    assert payload["model_version"] == FALLBACK
    assert payload["items"]
    assert any("no model" in r.getMessage() for r in caplog.records)
    assert client.get("/").status_code == 200


def test_a_stale_model_is_not_served(trained, app_config, caplog):
    from shop import create_app

    stale_app = create_app({**app_config, "RECOMMENDER_MAX_AGE_DAYS": 1e-9})
    caplog.set_level(logging.WARNING, logger="shop.recommendations")
    assert recommend(stale_app.test_client(), "home")["model_version"] == FALLBACK
    assert any("stale" in r.getMessage() for r in caplog.records)
    stale_app.extensions["database"].engine.dispose()


def test_the_running_app_picks_up_a_newly_trained_model(trained, client):
    before = recommend(client, "home")["model_version"]
    header = train_now(trained)
    assert header["model_version"] != before
    assert recommend(client, "home")["model_version"] == header["model_version"]


def test_reload_checks_are_rate_limited(trained, app_config):
    from shop import create_app

    app = create_app({**app_config, "RECOMMENDER_CHECK_SECONDS": 3600})
    client = app.test_client()
    before = recommend(client, "home")["model_version"]
    train_now(app)
    assert recommend(client, "home")["model_version"] == before  # not checked again yet
    app.extensions["recommender_store"].refresh()
    assert recommend(client, "home")["model_version"] != before
    app.extensions["database"].engine.dispose()


# ------------------------------------------------------------------ API validation
@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("", "context"),
        ("context=", "context"),
        ("context=somewhere", "context"),
        ("context=article:", "context"),
        ("context=article:Not%20A%20Slug", "context"),
        ("context=product", "context"),
        ("context=home&limit=0", "limit"),
        ("context=home&limit=51", "limit"),
        ("context=home&limit=ten", "limit"),
        ("context=home&colour=red", "colour"),
    ],
)
def test_api_rejects_bad_parameters_with_a_problem(trained, client, query, param):
    response = client.get(f"/api/recommendations?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert param in [p["name"] for p in response.json["invalid_params"]]


@pytest.mark.parametrize("context", ["article:no-such-article", "product:no-such-product"])
def test_api_unknown_article_or_product_is_404(trained, client, context):
    response = client.get(f"/api/recommendations?context={context}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_api_answer_shape(trained, client):
    payload = recommend(client, "product:velmora-halo-walk", 3)
    assert payload["context"] == "product:velmora-halo-walk"
    assert len(payload["items"]) == 3
    item = payload["items"][0]
    assert set(item) == {"product", "score", "reasons"}
    assert {"slug", "name", "price", "attributes", "in_stock"} <= set(item["product"])
    assert "*" not in " ".join(item["reasons"])  # plain words for JSON clients
    assert recommend(client, "cart")["items"] == []  # nothing to complete in an empty cart


# ------------------------------------------------------------------ measurement
def test_impressions_and_clicks_are_logged_per_slot(trained, client, session):
    html = client.get("/").get_data(as_text=True)
    first = section(html, "trending")[0]
    assert client.get(f"/products/{first}?rec=trending").status_code == 200
    client.get("/products/velmora-halo-walk?rec=not-a-slot")
    rows = session.execute(
        select(Event.kind, Event.slot, Event.item_id, Event.context).where(Event.kind.in_(("impression", "click")))
    ).all()
    impressions = {r.slot: r for r in rows if r.kind == "impression"}
    assert {"home", "trending"} <= set(impressions)
    assert first in impressions["trending"].context.split(",")
    clicks = [(r.slot, r.item_id) for r in rows if r.kind == "click"]
    assert clicks == [("trending", first)]
    assert session.scalar(select(Event.slot).where(Event.kind == "view", Event.item_id == "velmora-halo-walk")) is None


def test_one_events_query_and_one_eligibility_query_per_page(trained, client):
    be_flat_footed_with_lower_back_pain(client)
    client.get("/products/velmora-halo-walk")
    statements: list[str] = []
    engine = trained.extensions["database"].engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert sum("FROM events" in s for s in selects) == 1
    assert sum("variants_1.stock >" in s for s in selects) == 1
