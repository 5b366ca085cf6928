"""Review signals in the recommender: a poor rating costs a little popularity, and reviewers
with the visitor's arch give a reason."""

from __future__ import annotations

import dataclasses

import pytest
from test_hybrid import DOCS, ITEMS, interactions

from recommender.hybrid import HybridRecommender, ItemInfo, VisitorContext
from recommender.hybrid_fitting import attribute_words
from recommender.review_signals import arch_reason, rating_factor


def with_attributes(changes: dict[str, dict]) -> list[ItemInfo]:
    return [
        dataclasses.replace(info, attributes={**info.attributes, **changes.get(info.item_id, {})})
        for info in ITEMS
    ]


@pytest.mark.parametrize(
    "attributes, expected",
    [
        ({}, 1.0),
        ({"rating": 4.7, "rating_count": 50}, 1.0),
        ({"rating": 1.0, "rating_count": 1000}, pytest.approx(0.85, abs=0.002)),
        (
            {"rating": 1.0, "rating_count": 1},
            pytest.approx(1 - 0.15 * (0.5 / 3), abs=1e-6),
        ),  # shrunk to 3.5
        ({"fit_small_share": 1.0}, pytest.approx(0.95)),
        ({"fit_small_share": 0.4}, 1.0),
        ({"rating": "bad", "rating_count": None}, 1.0),
    ],
)
def test_rating_factor(attributes, expected):
    assert rating_factor(attributes) == expected


def test_a_poorly_rated_best_seller_loses_a_little_popularity():
    plain = HybridRecommender().fit(ITEMS, interactions(), DOCS)
    rated = HybridRecommender().fit(
        with_attributes({"lumbar-belt": {"rating": 1.2, "rating_count": 40}}), interactions(), DOCS
    )
    belt = list(plain.item_ids_).index("lumbar-belt")
    assert plain.popularity_norm_[belt] == pytest.approx(1.0)
    assert 0.85 <= rated.popularity_norm_[belt] < 0.9  # a little, not a ban
    assert rated.recommend(VisitorContext("home"), n=1)[0].item_id == "lumbar-belt"


def test_review_attributes_are_not_content_words():
    info = with_attributes(
        {
            "comfort-walker": {
                "rating": 4.8,
                "rating_count": 3,
                "fit_small_share": 0.5,
                "rating_by_arch": {"flat": [4.8, 3]},
            }
        }
    )[0]
    words = attribute_words(info)
    assert (
        "rating" not in words
        and "4.8" not in words
        and "flat" not in words.replace("flat feet", "")
    )


def test_arch_reason_needs_enough_well_rating_reviewers_with_the_visitors_arch():
    attributes = {"flat": [4.8, 6], "high": [3.1, 9], "neutral": [4.9, 1]}
    assert arch_reason(attributes, {"arch": "flat"}) == "Rated 4.8 by reviewers with flat feet"
    assert arch_reason(attributes, {"arch": "high"}) is None  # rated, but not well
    assert arch_reason(attributes, {"arch": "neutral"}) is None  # one reviewer is not "reviewers"
    assert arch_reason(attributes, {"arch": "unknown"}) is None
    assert arch_reason(attributes, None) is None
    assert arch_reason({"flat": "junk"}, {"arch": "flat"}) is None
    assert arch_reason(None, {"arch": "flat"}) is None


def test_a_flat_footed_visitor_is_told_how_flat_footed_reviewers_rated_it():
    model = HybridRecommender(diversity=0.0).fit(
        with_attributes(
            {
                "comfort-walker": {
                    "rating": 4.6,
                    "rating_count": 10,
                    "rating_by_arch": {"flat": [4.8, 4], "high": [4.0, 6]},
                }
            }
        ),
        interactions(),
        DOCS,
    )
    profile = {"arch": "flat", "pain_areas": ["lower-back"]}
    recs = {r.item_id: r for r in model.recommend(VisitorContext("footwear", profile=profile), n=4)}
    assert "Rated 4.8 by reviewers with flat feet" in recs["comfort-walker"].reasons
    assert recs["comfort-walker"].reasons[0] == "High arch support for flat feet"  # the lead stays
    high = model.recommend(VisitorContext("footwear", profile={"arch": "high"}), n=4)
    assert not any("Rated" in reason for r in high for reason in r.reasons)
