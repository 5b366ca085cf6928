"""The shop hands review signals to the recommender as plain item attributes."""

from __future__ import annotations

from reviewing import buy, make_user
from shopping import seed_tiny_catalog

from catalog.models import Product
from recommender.hybrid import HybridRecommender, VisitorContext
from shop.models import Profile
from shop.recommendations import bridge
from shop.reviews import service

HALO, DRIFT = "velmora-halo-walk", "velmora-drift-cushion"


def reviewer(session, email, arch, slug, stars, size_fit=None):
    user_id = make_user(session, email)
    if arch:
        session.add(Profile(user_id=user_id, data={"arch": arch}))
        session.commit()
    buy(session, user_id, slug)
    product = session.query(Product).filter_by(slug=slug).one()
    service.create_review(
        session,
        user_id,
        product,
        {"rating": stars, "title": "t", "body": "b", "size_fit": size_fit},
    )


def seed(session):
    seed_tiny_catalog(session)
    reviewer(session, "f1@example.com", "flat", HALO, 5, "small")
    reviewer(session, "f2@example.com", "flat", HALO, 4, "small")  # flat: 4.5 from 2
    reviewer(session, "h1@example.com", "high", HALO, 2, "true")
    reviewer(session, "n1@example.com", None, HALO, 3)  # no profile: counts overall only
    reviewer(session, "x1@example.com", "flat", DRIFT, 1)


def test_items_carry_rating_fit_and_per_arch_ratings(session):
    seed(session)
    items = {info.item_id: info for info in bridge.load_items(session)}
    halo = items[HALO].attributes
    assert halo["rating"] == 3.5 and halo["rating_count"] == 4  # (5 + 4 + 2 + 3) / 4
    assert halo["fit_small_share"] == round(2 / 3, 3)
    assert halo["rating_by_arch"] == {"flat": [4.5, 2], "high": [2.0, 1]}
    assert "rating" not in items["backcare-gel-insole"].attributes


def test_a_flat_footed_visitor_hears_how_flat_footed_reviewers_rated_the_shoe(session):
    seed(session)
    model = HybridRecommender(diversity=0.0).fit(
        bridge.load_items(session),
        bridge.load_interactions(session),
        bridge.load_documents(session),
    )
    recs = {
        r.item_id: r
        for r in model.recommend(VisitorContext("footwear", profile={"arch": "flat"}), n=3)
    }
    assert "Rated 4.5 by reviewers with flat feet" in recs[HALO].reasons
    assert not any("Rated" in reason for reason in recs[DRIFT].reasons)  # 1 reviewer, 1 star
    others = model.recommend(VisitorContext("footwear", profile={"arch": "high"}), n=3)
    assert not any("Rated" in reason for r in others for reason in r.reasons)
