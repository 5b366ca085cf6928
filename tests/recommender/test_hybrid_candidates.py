"""Which products compete: the article's topic leads its page, contradicting shoes go or go
last, and each card's reasons are chosen against its neighbours'."""

import numpy as np

from recommender.hybrid import HybridRecommender, ItemInfo, VisitorContext
from recommender.hybrid_candidates import article_topic
from recommender.hybrid_ranking import rank
from recommender.hybrid_reasons import pick_distinct
from recommender.types import Document


def test_the_topic_keeps_products_close_to_the_article():
    scores = np.array([1.0, 0.8, 0.1, 0.0, 0.5], dtype=np.float32)
    mask = np.array([True, True, True, True, False])
    assert article_topic(mask, scores, 2).tolist() == [True, True, False, False, False]
    # Fewer on topic than asked: the most similar fill up, never a product without similarity.
    assert article_topic(mask, scores, 3).tolist() == [True, True, True, False, False]
    assert article_topic(mask, scores, 4).tolist() == [True, True, True, False, False]
    # No anchor similarity at all: nothing to lead with.
    assert article_topic(mask, np.zeros(5, dtype=np.float32), 2).tolist() == mask.tolist()
    assert article_topic(mask, None, 2) is not mask


ITEMS = [
    ItemInfo("walker", "Comfort Walker", "cushioned walking shoe with arch support for daily walks",
             ("footwear", "walking-shoes"), {"stability": "stability", "cushioning": "high"}),
    ItemInfo("glide", "Daily Glide", "light cushioned walking shoe for pavement walks",
             ("footwear", "walking-shoes"), {"stability": "neutral", "cushioning": "high"}),
    ItemInfo("control", "Control Max", "motion control walking shoe for feet that roll inwards",
             ("footwear", "walking-shoes"), {"stability": "motion-control", "cushioning": "high"}),
    ItemInfo("barefoot", "Flow Barefoot", "minimal barefoot walking shoe",
             ("footwear", "walking-shoes"), {"stability": "neutral", "cushioning": "low"}),
    ItemInfo("pillow", "Neck Pillow", "contour pillow for sleeping with neck and back pain",
             ("sleep",), {}),
    ItemInfo("wedge", "Knee Pillow", "pillow between the knees keeps the spine aligned while sleeping",
             ("sleep",), {}),
    ItemInfo("topper", "Mattress Topper", "mattress topper for a supportive night of sleeping",
             ("sleep",), {}),
]
DOCS = [Document("article:sleep", "Sleeping with back pain",
                 "Pillows, a mattress topper and sleeping positions ease back pain at night.")]


def test_a_shoe_in_the_cart_only_reorders_the_sleep_articles_products():
    model = HybridRecommender().fit(ITEMS, None, DOCS)
    plain = model.recommend(VisitorContext("article", anchor_id="article:sleep"), n=3)
    carted = model.recommend(
        VisitorContext("article", anchor_id="article:sleep", cart=("walker",),
                       history=[("glide", "view", None)]), n=3)
    assert {r.item_id for r in plain} == {"pillow", "wedge", "topper"}
    assert {r.item_id for r in carted} == {"pillow", "wedge", "topper"}


def test_contradicting_shoes_are_excluded_or_ranked_last_wherever_footwear_shows():
    model = HybridRecommender().fit(ITEMS, None, DOCS)
    profile = {"arch": "high", "pain_areas": ["knees"]}
    for kind in ("footwear", "home"):
        recs = model.recommend(VisitorContext(kind, profile=profile), n=10)
        ids = [r.item_id for r in recs]
        assert "control" not in ids and "barefoot" not in ids, kind
    ids = [r.item_id for r in model.recommend(VisitorContext("footwear", profile=profile), n=10)]
    assert ids == ["glide", "walker"]  # the stability shoe is demoted behind the neutral one


def test_demoted_products_come_after_every_other_one():
    relevance = np.array([0.9, 0.1, 0.8, 0.5], dtype=np.float32)
    mask = np.ones(4, dtype=bool)
    demoted = np.array([True, False, False, False])
    kwargs = dict(leaf=np.zeros(4, int), root=np.zeros(4, int),
                  item_matrix=__import__("scipy.sparse").sparse.identity(4, format="csr"))
    ranking = rank({"s": (1.0, relevance)}, mask, 4, 0.0, demoted=demoted, **kwargs)
    assert ranking.chosen.tolist() == [2, 3, 1, 0]
    assert rank({"s": (1.0, relevance)}, mask, 2, 0.3, demoted=demoted, **kwargs).chosen.tolist() == [2, 3]


def test_a_reason_already_given_above_gives_way_to_one_that_sets_the_card_apart():
    common = [(1.0, "Cushioning"), (0.9, "Light"), (0.5, "Made for pavement"), (0.4, "Grip")]
    picked = pick_distinct([list(common) for _ in range(6)], 2)
    assert picked[0] == ["Cushioning", "Light"]
    assert picked[1] != picked[0]
    pairs = [tuple(p) for p in picked]
    assert max(pairs.count(p) for p in pairs) <= 2
    # Without alternatives a card keeps the reasons it has.
    assert pick_distinct([[(1.0, "Only")], [(1.0, "Only")]], 2) == [["Only"], ["Only"]]
