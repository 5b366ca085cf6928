"""Both models the shop can serve — the trained hybrid and the database popularity fallback —
implement the one ``recommender.types.Recommender`` protocol the shop calls, and read
``eligible`` (ids or their own boolean mask) and ``exclude=`` the same way."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.hybrid import HybridRecommender, ItemInfo, VisitorContext
from recommender.interactions import Interactions
from recommender.types import Recommender
from shop.recommendations.eligibility import EligibleSnapshot
from shop.recommendations.fallback import PopularityFallback, _Item

#: (slug, leaf category, root category, popularity)
CATALOG = [
    ("comfort-walker", "walking-shoes", "footwear", 0.9),
    ("steady-stride", "walking-shoes", "footwear", 0.5),
    ("trail-walker", "trail-shoes", "footwear", 0.7),
    ("gel-insole", "insoles", "insoles", 1.0),
    ("arch-insole", "insoles", "insoles", 0.3),
    ("lumbar-belt", "supports", "supports", 0.6),
    ("posture-brace", "supports", "supports", 0.2),
]
SLUGS = [slug for slug, *_ in CATALOG]


def _hybrid() -> HybridRecommender:
    items = [ItemInfo(slug, slug.replace("-", " ").title(),
                      f"{slug.replace('-', ' ')} for back care",
                      (root, leaf) if root != leaf else (root,), {})
             for slug, leaf, root, _ in CATALOG]
    users = [("u1", "comfort-walker"), ("u1", "gel-insole"), ("u2", "comfort-walker"),
             ("u2", "gel-insole"), ("u2", "lumbar-belt"), ("u3", "trail-walker"),
             ("u3", "arch-insole")]
    interactions = Interactions(
        user_ids=np.array([u for u, _ in users], dtype=object),
        item_ids=np.array([i for _, i in users], dtype=object),
        weights=np.ones(len(users)),
        timestamps=np.full(len(users), 1_760_000_000.0),
        events=np.full(len(users), "purchase", dtype=object),
    )
    return HybridRecommender().fit(items, interactions)


def _fallback() -> PopularityFallback:
    items = [_Item(slug, slug.replace("-", " ").title(), leaf, root, root == "footwear", False,
                   frozenset(), popularity, 0.5)
             for slug, leaf, root, popularity in CATALOG]
    # Its own item order differs from the hybrid's: masks are per model.
    return PopularityFallback(list(reversed(items)), {})


@pytest.fixture(scope="module", params=["hybrid", "fallback"])
def model(request):
    return _hybrid() if request.param == "hybrid" else _fallback()


#: One call per protocol method: ``ask(model, eligible, exclude)``.
CALLS = {
    "recommend": lambda m, ok, ex: m.recommend(VisitorContext("home"), 5, ok, exclude=ex),
    "recommend/cart": lambda m, ok, ex: m.recommend(
        VisitorContext("cart", cart=["gel-insole"]), 5, ok, exclude=ex),
    "similar_items": lambda m, ok, ex: m.similar_items("comfort-walker", 5, ok, exclude=ex),
    "bought_together": lambda m, ok, ex: m.bought_together("comfort-walker", 5, ok, exclude=ex),
    "popular": lambda m, ok, ex: m.popular(5, ok, exclude=ex),
}


def ids(recs) -> list[str]:
    return [r.item_id for r in recs]


def test_both_models_implement_the_protocol(model):
    assert isinstance(model, Recommender)


def test_eligible_mask_is_boolean_in_the_models_own_order(model):
    mask = model.eligible_mask(["gel-insole", "lumbar-belt", "no-such-product", "article:sleep"])
    assert mask.dtype == bool and mask.shape == (len(SLUGS),) and int(mask.sum()) == 2
    assert model.eligible_mask([]).sum() == 0


@pytest.mark.parametrize("call", CALLS)
def test_a_mask_and_the_ids_it_was_made_from_give_the_same_answer(model, call):
    allowed = ["steady-stride", "trail-walker", "gel-insole", "arch-insole", "posture-brace"]
    by_ids = CALLS[call](model, allowed, ())
    assert by_ids and set(ids(by_ids)) <= set(allowed)
    assert CALLS[call](model, model.eligible_mask(allowed), ()) == by_ids


@pytest.mark.parametrize("call", CALLS)
def test_exclude_is_a_deny_list_equal_to_leaving_the_ids_out_of_eligible(model, call):
    everything = CALLS[call](model, None, ())
    assert len(everything) >= 2
    denied = [everything[0].item_id, "no-such-product"]
    without = CALLS[call](model, None, denied)
    assert everything[0].item_id not in ids(without)
    rest = [slug for slug in SLUGS if slug not in denied]
    assert without == CALLS[call](model, rest, ())
    # The shop's read-only cached mask plus exclude=: the mask is left as it was.
    snapshot = EligibleSnapshot(frozenset(SLUGS))
    mask = snapshot.mask_for(model)
    assert CALLS[call](model, mask, denied) == without
    assert mask.all() and snapshot.mask_for(model) is mask


def test_a_mask_of_the_wrong_shape_is_refused(model):
    with pytest.raises(ValueError, match="shape"):
        model.popular(3, np.ones(len(SLUGS) + 1, dtype=bool))


def test_the_snapshot_keeps_one_mask_per_model_identity():
    hybrid, fallback = _hybrid(), _fallback()
    snapshot = EligibleSnapshot(frozenset(["gel-insole", "trail-walker"]))
    first = snapshot.mask_for(hybrid)
    assert snapshot.mask_for(fallback) is not first
    assert snapshot.mask_for(hybrid) is first  # the model and its fallback do not evict each other
    assert list(np.asarray(SLUGS)[first]) == ["trail-walker", "gel-insole"]
    in_fallback_order = np.asarray(SLUGS[::-1])[snapshot.mask_for(fallback)]
    assert list(in_fallback_order) == ["gel-insole", "trail-walker"]
    with pytest.raises(ValueError):
        first[0] = True  # read-only: models copy it or take exclude=
