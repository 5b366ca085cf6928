"""The demo reviews: verified purchases, consistent with products and personas, deterministic."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from catalog.demo import DEMO_DIR
from catalog.models import Product
from shop.models import Profile, User
from shop.reviews import reading, service
from shop.reviews.demo import expected_stars, seed_demo_reviews
from shop.reviews.models import Review

NOW = dt.datetime(2026, 11, 1)


def snapshot(session) -> list[tuple]:
    rows = session.execute(
        select(
            Product.slug,
            User.email,
            Review.rating,
            Review.title,
            Review.size_fit,
            Review.width_fit,
            Review.helpful_count,
        )
        .join(Product, Product.id == Review.product_id)
        .join(User, User.id == Review.user_id)
        .order_by(Product.slug, User.email)
    ).all()
    return [tuple(row) for row in rows]


def test_demo_reviews_are_deterministic_verified_and_consistent(demo, session):
    first = seed_demo_reviews(session, now=NOW)
    rows = snapshot(session)
    again = seed_demo_reviews(session, now=NOW)  # replaces, never duplicates
    assert snapshot(session) == rows and again == first and first.reviews > 150

    reviews = list(session.scalars(select(Review)))
    for review in reviews[:40]:
        assert service.has_bought(session, review.user_id, session.get(Product, review.product_id))
    for product_id in {r.product_id for r in reviews}:
        product, summary = (
            session.get(Product, product_id),
            reading.rating_summary(session, product_id),
        )
        assert (product.rating, product.rating_count) == (summary.average, summary.count)


def test_flat_feet_rate_stability_shoes_higher_and_some_models_run_small(demo, session):
    seed_demo_reviews(session, now=NOW)
    flat_on_support, other_footwear = [], []
    for review, product, profile in session.execute(
        select(Review, Product, Profile)
        .join(Product, Product.id == Review.product_id)
        .join(Profile, Profile.user_id == Review.user_id)
    ).all():
        if not service.is_footwear(product):
            continue
        supportive = product.stability in ("stability", "motion-control")
        (
            flat_on_support if profile.data.get("arch") == "flat" and supportive else other_footwear
        ).append(review.rating)
    assert len(flat_on_support) > 10 and len(other_footwear) > 50
    flat_mean = sum(flat_on_support) / len(flat_on_support)
    assert flat_mean > sum(other_footwear) / len(other_footwear) + 0.4, flat_mean
    shoe = session.scalar(select(Product).where(Product.slug == "strideline-comfort-walker"))
    soft = session.scalar(select(Product).where(Product.slug == "velmora-drift-cushion"))
    flat = {"arch": "flat", "overpronation": "yes"}
    assert expected_stars(shoe, flat) > expected_stars(soft, flat)

    traits = json.loads((DEMO_DIR / "review_traits.json").read_text())
    for slug in traits["runs_small"]:
        product = session.scalar(select(Product).where(Product.slug == slug))
        assert (
            reading.rating_summary(session, product.id).size_fit.verdict
            == "Most reviewers say runs small"
        )


def test_shop_db_seed_demo_seeds_the_reviews_too(runner, session):
    result = runner.invoke(args=["db", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo reviews:" in result.output and "@demo.invalid" in result.output
    rated = session.scalar(select(Product).where(Product.slug == "strideline-comfort-walker"))
    assert rated.rating_count > 0 and rated.rating is not None
