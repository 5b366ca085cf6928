"""The served hybrid reads order: what a visitor looked at last weighs most, and says so."""

import numpy as np
import pytest

from recommender.hybrid import HybridRecommender, ItemInfo, VisitorContext
from recommender.hybrid_selection import auto_candidates
from recommender.interactions import Interactions
from recommender.sequential import SLIST

#: Products alike in every word, so content and profile cannot tell them apart: only the
#: order of what shoppers did can.
TITLES = {"a": "Arch Walker", "b": "Back Belt", "c": "Cushion Insole", "d": "Desk Cushion",
          "e": "Easy Pole", "f": "Foam Roller"}
ITEMS = [ItemInfo(i, title, "A product for back care.", ("care",), {})
         for i, title in TITLES.items()]
SEQUENCE_ITEMS = [ItemInfo(f"i{i}", f"Item {i}", "A product for back care.", ("care",), {})
                  for i in range(30)]


def sequences():
    """A is always followed by B, C always by D; E and F are background."""
    rows = []
    for u in range(12):
        first, then = ("a", "b") if u % 2 == 0 else ("c", "d")
        for t, item in enumerate(["e" if u % 3 else "f", first, then]):
            rows.append({"user_id": f"u{u}", "item_id": item, "event": "view",
                         "timestamp": 1_000.0 + 10 * u + t})
    return Interactions.from_records(rows)


def markov_history(n_users=120, seed=0):
    """Shoppers walking a chain: item i is mostly followed by i + 1."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_users):
        item = int(rng.integers(30))
        for t in range(int(rng.integers(3, 8))):
            rows.append({"user_id": f"s{u}", "item_id": f"i{item}", "event": "view",
                         "timestamp": 1_000.0 * u + t})
            item = (item + 1) % 30 if rng.random() < 0.8 else int(rng.integers(30))
    return Interactions.from_records(rows)


@pytest.fixture(scope="module")
def model():
    return HybridRecommender(diversity=0.0).fit(ITEMS, sequences())


def view(*items):
    return [(item, "view", float(t)) for t, item in enumerate(items, start=1)]


def test_small_history_uses_the_order_aware_default_and_records_it(model):
    assert isinstance(model.collaborative_, SLIST)
    assert model.stats_["collaborative"]["model"] == "slist"
    assert model.stats_["collaborative"]["chosen_by"] == "small-data default"


def test_after_a_the_top_item_is_b(model):
    assert model.recommend(VisitorContext("home", history=view("a")), n=1)[0].item_id == "b"
    assert model.recommend(VisitorContext("home", history=view("c")), n=1)[0].item_id == "d"


def test_reversing_the_history_changes_the_suggestion(model):
    forward = model.recommend(VisitorContext("home", history=view("a", "c")), n=1)[0].item_id
    backward = model.recommend(VisitorContext("home", history=view("c", "a")), n=1)[0].item_id
    assert (forward, backward) == ("d", "b")


def test_history_order_without_timestamps_is_the_list_order(model):
    history = [("c", "view", None), ("a", "view", None)]
    assert model.recommend(VisitorContext("home", history=history), n=1)[0].item_id == "b"


def test_the_reason_names_the_product_just_viewed(model):
    top = model.recommend(VisitorContext("home", history=view("c", "a")), n=1)[0]
    assert top.reasons[0] == "Because you just looked at *Arch Walker*"


def test_an_earlier_view_is_not_called_just_looked_at(model):
    recs = model.recommend(VisitorContext("home", history=view("a", "c")), n=6)
    texts = [text for rec in recs for text in rec.reasons]
    assert "Because you just looked at *Arch Walker*" not in texts
    assert "Because you just looked at *Cushion Insole*" in texts


def test_no_reason_names_the_item_itself(model):
    # Viewed products stay eligible (only the cart and purchases are dropped), so both come back.
    recs = model.recommend(VisitorContext("home", history=view("a", "b", "c")), n=6)
    assert {"a", "b", "c"} <= {rec.item_id for rec in recs}
    for rec in recs:
        assert all(f"*{TITLES[rec.item_id]}*" not in text for text in rec.reasons), rec


def test_similar_and_bought_together_read_the_winners_weights(model):
    assert model.similar_items("a", 1)[0].item_id == "b"
    assert model.bought_together("c", 1)[0].item_id == "d"


def test_selection_is_deterministic_and_recorded():
    history = markov_history()
    first = HybridRecommender(selection_min_users=40).fit(SEQUENCE_ITEMS, history)
    second = HybridRecommender(selection_min_users=40).fit(SEQUENCE_ITEMS, history)
    choice = first.stats_["collaborative"]
    timeless = [{k: v for k, v in c.items() if k != "selection_seconds"}
                for c in (choice, second.stats_["collaborative"])]
    assert timeless[0] == timeless[1]
    assert choice["chosen_by"] == "validation"
    assert choice["model"] in auto_candidates(30)
    assert set(choice["candidates"]) == set(auto_candidates(30))
    assert choice["validation_ndcg@10"] == max(c["ndcg@10"] for c in choice["candidates"].values())
    context = VisitorContext("home", history=view("i4", "i5"))
    assert first.recommend(context, n=5) == second.recommend(context, n=5)
    assert first.recommend(context, n=1)[0].item_id == "i6"  # the chain's next step


def test_explicit_models_are_recorded_as_parameters():
    model = HybridRecommender(collaborative="rp3beta").fit(ITEMS, sequences())
    assert model.stats_["collaborative"]["model"] == "rp3beta"
    assert model.stats_["collaborative"]["chosen_by"] == "parameter"


def test_large_catalogs_are_offered_the_sparse_ease():
    assert "sparse-ease" in auto_candidates(100_000) and "slist" not in auto_candidates(100_000)
