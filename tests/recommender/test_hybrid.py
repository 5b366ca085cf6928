"""Specifications of the served HybridRecommender on a small hand-made shop."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

from recommender.hybrid import (
    Document,
    HybridRecommender,
    ItemInfo,
    Recommendation,
    VisitorContext,
)
from recommender.interactions import Interactions

DAY = 86_400.0
NOW = 1_760_000_000.0

ITEMS = [
    ItemInfo(
        "comfort-walker", "Comfort Walker",
        "Walking shoe with shock absorption and high arch support for daily walks.",
        ("footwear", "walking-shoes"),
        {"arch_support": "high", "cushioning": "high", "stability": "stability", "drop_mm": 10,
         "weight_g": 285, "terrain": ["pavement"], "conditions": ["lower-back-pain", "flat-feet"]},
        widths=("regular", "wide"),
    ),
    ItemInfo(
        "steady-stride", "Steady Stride",
        "Motion control shoe that keeps flat feet from rolling inwards.",
        ("footwear", "walking-shoes"),
        {"arch_support": "high", "cushioning": "medium", "stability": "motion-control",
         "drop_mm": 12, "weight_g": 330, "terrain": ["pavement"], "conditions": ["overpronation"]},
    ),
    ItemInfo(
        "breeze-neutral", "Breeze Neutral",
        "Light neutral shoe with a soft ride.",
        ("footwear", "walking-shoes"),
        {"arch_support": "low", "cushioning": "high", "stability": "neutral", "drop_mm": 8,
         "weight_g": 240, "terrain": ["pavement"], "conditions": ["lower-back-pain"]},
    ),
    ItemInfo(
        "trail-walker-2", "Trail Walker 2",
        "Grippy trail shoe for hills and rocky paths.",
        ("footwear", "trail-shoes"),
        {"arch_support": "medium", "cushioning": "medium", "stability": "neutral", "drop_mm": 6,
         "weight_g": 310, "terrain": ["trail", "hills"]},
    ),
    ItemInfo(
        "gel-insole", "Gel Insole",
        "Gel insole that adds cushioning to any shoe and eases heel pain.",
        ("insoles",), {"arch_support": "high", "cushioning": "high",
                       "conditions": ["plantar-fasciitis"]},
        consumable=True,
    ),
    ItemInfo(
        "lumbar-belt", "Lumbar Belt",
        "Elastic lumbar belt that supports the lower back while lifting.",
        ("supports", "lumbar"), {"conditions": ["lower-back-pain"]},
    ),
    ItemInfo(
        "posture-brace", "Posture Brace",
        "Brace that pulls the shoulders back for better posture at the desk.",
        ("supports", "posture"), {"conditions": ["posture", "upper-back-pain"]},
    ),
    ItemInfo(
        "walking-pole", "Walking Pole",
        "Adjustable pole for steady steps.", ("walking-aids",), {},
    ),
]
IDS = [info.item_id for info in ITEMS]
DOCS = [
    Document(
        "article:walking-for-back-pain", "Step up to pain relief",
        "How walking eases back pain. Choose a walking shoe with shock absorption and "
        "high arch support, and walk a little every day.",
    ),
    Document(
        "article:sleep", "Sleeping with back pain",
        "Pillows, mattresses and sleeping positions for a calmer night.",
    ),
]


def interactions():
    rows = []

    def add(user, item, event, days_ago):
        rows.append({"user_id": user, "item_id": item, "event": event,
                     "timestamp": NOW - days_ago * DAY})

    # The lumbar belt is the best seller, and recently so.
    for u in range(8):
        add(f"belt{u}", "lumbar-belt", "purchase", 2)
    for u in range(3):
        add(f"brace{u}", "posture-brace", "purchase", 5)
    # Readers of the walking article buy the Comfort Walker.
    for u in range(5):
        add(f"reader{u}", "article:walking-for-back-pain", "read", 10)
        add(f"reader{u}", "comfort-walker", "purchase", 9)
    # Readers of the sleep article buy the posture brace (no words in common).
    for u in range(4):
        add(f"sleeper{u}", "article:sleep", "read", 10)
        add(f"sleeper{u}", "posture-brace", "purchase", 9)
    # Trail Walker 2 is bought with the gel insole.
    for u in range(4):
        add(f"trail{u}", "trail-walker-2", "purchase", 20)
        add(f"trail{u}", "gel-insole", "purchase", 20)
    # Unknown ids (retired products) are ignored.
    add("old", "retired-shoe", "purchase", 100)
    return Interactions.from_records(rows)


@pytest.fixture(scope="module")
def model():
    return HybridRecommender(diversity=0.0).fit(ITEMS, interactions(), DOCS)


def ids(recs):
    return [r.item_id for r in recs]


def test_article_about_walking_ranks_the_cushioned_arch_supporting_shoe_first(model):
    context = VisitorContext("article", anchor_id="article:walking-for-back-pain")
    recs = model.recommend(context, n=3)
    assert recs[0].item_id == "comfort-walker"
    assert recs[0].reasons[0] == "Because you read *Step up to pain relief*"
    assert max(recs[0].contributions, key=recs[0].contributions.get) == "content"


def test_article_content_works_without_any_interactions():
    model = HybridRecommender().fit(ITEMS, None, DOCS)
    recs = model.recommend(VisitorContext("article", anchor_id="article:walking-for-back-pain"))
    assert recs[0].item_id == "comfort-walker"


def test_flat_footed_visitor_with_lower_back_pain_gets_stability_above_neutral(model):
    profile = {"arch": "flat", "pain_areas": ["lower-back"]}
    recs = model.recommend(VisitorContext("home", profile=profile), n=len(IDS))
    order = ids(recs)
    for stable in ("comfort-walker", "steady-stride"):
        for neutral in ("breeze-neutral", "trail-walker-2"):
            assert order.index(stable) < order.index(neutral)
    assert recs[order.index("comfort-walker")].reasons[0] == "High arch support for flat feet"

    finder = model.recommend(VisitorContext("footwear", profile=profile), n=10)
    assert finder[0].item_id == "comfort-walker"
    assert set(ids(finder)) <= {"comfort-walker", "steady-stride", "breeze-neutral",
                                "trail-walker-2"}  # the footwear finder only shows footwear
    assert finder[0].contributions["profile"] > finder[0].contributions["popularity"]


def test_items_not_eligible_never_appear(model):
    eligible = {"breeze-neutral", "lumbar-belt", "walking-pole"}
    for context in (
        VisitorContext("home"),
        VisitorContext("article", anchor_id="article:walking-for-back-pain"),
        VisitorContext("product", anchor_id="comfort-walker", profile={"arch": "flat"}),
    ):
        assert set(ids(model.recommend(context, n=10, eligible=eligible))) <= eligible
    assert set(ids(model.similar_items("comfort-walker", 10, eligible))) <= eligible
    assert set(ids(model.bought_together("trail-walker-2", 10, eligible))) <= eligible
    assert set(ids(model.popular(10, eligible))) <= eligible
    assert model.recommend(VisitorContext("home"), eligible=[]) == []


def test_eligible_may_be_a_boolean_mask(model):
    mask = np.zeros(len(IDS), dtype=bool)
    mask[IDS.index("walking-pole")] = True
    assert ids(model.recommend(VisitorContext("home"), eligible=mask)) == ["walking-pole"]


def test_cart_and_purchased_non_consumables_never_appear_but_consumables_may(model):
    context = VisitorContext(
        "cart", cart=["trail-walker-2"], purchased=["lumbar-belt", "gel-insole"],
    )
    recs = ids(model.recommend(context, n=len(IDS)))
    assert "trail-walker-2" not in recs
    assert "lumbar-belt" not in recs
    assert "gel-insole" in recs  # consumable: people buy insoles again


def test_the_anchor_itself_never_appears(model):
    recs = model.recommend(VisitorContext("product", anchor_id="comfort-walker"), n=len(IDS))
    assert "comfort-walker" not in ids(recs)
    assert len(recs) == len(IDS) - 1


def test_new_visitor_without_history_gets_popular_items_with_the_popularity_reason(model):
    recs = model.recommend(VisitorContext("home"), n=3)
    assert ids(recs)[:2] == ["lumbar-belt", "posture-brace"]
    assert all(r.reasons[0] == "Popular with other shoppers" for r in recs)
    assert recs[0].contributions["popularity"] == pytest.approx(1.0)
    assert ids(model.popular(2)) == ["lumbar-belt", "posture-brace"]


def test_recent_popularity_weighs_more():
    # Same count, but the walking pole was bought yesterday and the belt a year ago.
    rows = [{"user_id": f"a{u}", "item_id": "lumbar-belt", "event": "purchase",
             "timestamp": NOW - 365 * DAY} for u in range(5)]
    rows += [{"user_id": f"b{u}", "item_id": "walking-pole", "event": "purchase",
              "timestamp": NOW - DAY} for u in range(5)]
    model = HybridRecommender(half_life_days=30).fit(ITEMS, Interactions.from_records(rows))
    assert ids(model.popular(1)) == ["walking-pole"]


def test_reading_an_article_leads_to_what_its_readers_bought(model):
    context = VisitorContext("home", history=[("article:sleep", "read", NOW)])
    recs = model.recommend(context, n=2)
    assert recs[0].item_id == "posture-brace"
    assert "Because you read *Sleeping with back pain*" in recs[0].reasons
    assert recs[0].contributions["collaborative"] > 0


def test_rich_history_is_led_by_the_collaborative_signal(model):
    history = [("article:walking-for-back-pain", "read", NOW - 3600),
               ("trail-walker-2", "view", NOW - 1800), ("article:sleep", "read", NOW)]
    recs = model.recommend(VisitorContext("home", history=history), n=3)
    top = recs[0].contributions
    assert top["collaborative"] >= max(top["popularity"], top["profile"])
    assert top["collaborative"] > 0


def test_history_timestamps_may_be_datetimes(model):
    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    recs = model.recommend(VisitorContext("home", history=[("article:sleep", "read", when)]))
    assert recs[0].item_id == "posture-brace"


def test_bought_together_uses_co_purchases(model):
    recs = model.bought_together("trail-walker-2", n=3)
    assert recs[0].item_id == "gel-insole"
    assert recs[0].reasons[0] == "Often bought with *Trail Walker 2*"


def test_bought_together_without_history_pairs_other_categories():
    model = HybridRecommender().fit(ITEMS, None, DOCS)
    recs = model.bought_together("comfort-walker", n=1)
    assert recs[0].item_id == "gel-insole"  # similar words, other category
    assert recs[0].reasons == ["Pairs well with *Comfort Walker*"]


def test_similar_items_fall_back_to_content(model):
    recs = model.similar_items("steady-stride", n=2)
    assert "steady-stride" not in ids(recs)
    assert recs[0].reasons[0] == "Similar to *Steady Stride*"
    assert recs[0].contributions["collaborative"] == 0.0
    assert model.similar_items("no-such-product") == []
    assert model.bought_together("no-such-product") == []


def test_diversity_puts_a_second_category_in_the_top_list():
    profile = {"arch": "flat", "pain_areas": ["lower-back"]}
    context = VisitorContext("home", profile=profile)
    plain = HybridRecommender(diversity=0.0).fit(ITEMS, None, DOCS)
    diverse = HybridRecommender(diversity=0.8).fit(ITEMS, None, DOCS)
    top_plain = ids(plain.recommend(context, n=2))
    top_diverse = ids(diverse.recommend(context, n=2))
    leaf = {info.item_id: info.category_path[-1] for info in ITEMS}
    assert {leaf[i] for i in top_plain} == {"walking-shoes"}
    assert len({leaf[i] for i in top_diverse}) >= 2
    assert top_diverse[0] == top_plain[0]


def test_every_recommendation_has_one_or_two_reasons_and_four_contributions(model):
    contexts = [
        VisitorContext("home"),
        VisitorContext("footwear", profile={"arch": "high", "terrain": ["trail"]}),
        VisitorContext("article", anchor_id="article:sleep"),
        VisitorContext("product", anchor_id="gel-insole", history=[("trail-walker-2", "view", 1)]),
        VisitorContext("cart", cart=["comfort-walker"]),
    ]
    for context in contexts:
        for rec in model.recommend(context, n=len(IDS)):
            assert isinstance(rec, Recommendation)
            assert 1 <= len(rec.reasons) <= 2
            assert all(isinstance(r, str) and r for r in rec.reasons)
            assert set(rec.contributions) == {"content", "collaborative", "profile", "popularity"}
            assert rec.score == pytest.approx(sum(rec.contributions.values()), abs=1e-5)


def test_without_any_signal_items_still_get_a_reason():
    model = HybridRecommender().fit(ITEMS, None)
    recs = model.recommend(VisitorContext("home"), n=3)
    assert len(recs) == 3
    assert all(r.reasons == ["From our back-care range"] for r in recs)


def test_unknown_anchor_and_history_ids_are_ignored(model):
    context = VisitorContext("article", anchor_id="article:new", history=[("ghost", "view", 1)])
    assert ids(model.recommend(context, n=2)) == ["lumbar-belt", "posture-brace"]


contexts = st.builds(
    VisitorContext,
    kind=st.sampled_from(["home", "cart", "footwear", "article", "product"]),
    anchor_id=st.sampled_from([None, *IDS, "article:sleep", "unknown"]),
    history=st.lists(st.tuples(st.sampled_from(IDS + ["article:sleep"]),
                               st.sampled_from(["view", "read", "cart", "purchase"]),
                               st.floats(0, NOW)), max_size=6),
    cart=st.lists(st.sampled_from(IDS), max_size=3),
    purchased=st.lists(st.sampled_from(IDS), max_size=3),
    profile=st.sampled_from([None, {}, {"arch": "flat"}, {"pain_areas": ["neck", "knees"]}]),
)


@settings(max_examples=60, deadline=None)
@given(context=contexts, n=st.integers(0, 10),
       eligible=st.one_of(st.none(), st.sets(st.sampled_from(IDS))))
def test_business_rules_hold_for_any_context(model, context, n, eligible):
    recs = model.recommend(context, n=n, eligible=eligible)
    got = ids(recs)
    assert len(got) == len(set(got))  # one entry per item
    assert len(got) <= n
    assert context.anchor_id not in got
    assert not set(got) & set(context.cart)
    assert not {i for i in context.purchased if i != "gel-insole"} & set(got)
    if eligible is not None:
        assert set(got) <= eligible
    scores = [r.score for r in recs]
    assert all(np.isfinite(scores))
    assert all(r.reasons for r in recs)


def test_context_kind_is_validated():
    with pytest.raises(ValueError, match="kind must be one of"):
        VisitorContext("basket")


def test_fit_validates_its_inputs():
    with pytest.raises(ValueError, match="at least one item"):
        HybridRecommender().fit([], None)
    with pytest.raises(ValueError, match="appears twice"):
        HybridRecommender().fit(ITEMS + ITEMS[:1], None)
    with pytest.raises(ValueError, match="collaborative must be one of"):
        HybridRecommender(collaborative="svd").fit(ITEMS, None)


def test_not_fitted_raises():
    with pytest.raises(NotFittedError):
        HybridRecommender().recommend(VisitorContext("home"))


@pytest.mark.parametrize("name", ["rp3beta", "itemknn", "ease"])
def test_every_collaborative_model_can_be_chosen(name):
    model = HybridRecommender(collaborative=name).fit(ITEMS, interactions(), DOCS)
    recs = model.recommend(VisitorContext("home", history=[("article:sleep", "read", NOW)]), n=1)
    assert recs[0].item_id == "posture-brace"
    assert model.stats_["n_interactions_known_ids"] == model.stats_["n_interactions"] - 1


def test_eligible_mask_helper_matches_ids(model):
    mask = model.eligible_mask(["gel-insole", "unknown", "article:sleep"])
    assert mask.dtype == bool and mask.sum() == 1 and model.item_ids_[mask][0] == "gel-insole"
    context = VisitorContext("home")
    by_ids = model.recommend(context, eligible={"gel-insole"})
    assert model.recommend(context, eligible=mask) == by_ids
    with pytest.raises(ValueError, match="shape"):
        model.recommend(context, eligible=np.ones(3, dtype=bool))
