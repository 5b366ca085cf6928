"""Hyper-parameters are chosen on validation data carved from training only."""

import numpy as np
import pytest

from recommender.collaborative import EASE, ItemKNN
from recommender.evaluation.split import leave_last_out, time_split
from recommender.evaluation.tuning import bounded_sample, evaluate_tuned, select, validation_split
from recommender.interactions import Interactions
from recommender.sequential import SLIST


def sequences(n_users=150, n_items=30, seed=0):
    """Users walk a ring of items (i -> i+1 mostly), so recency matters."""
    rng = np.random.default_rng(seed)
    records = []
    for u in range(n_users):
        item = int(rng.integers(n_items))
        for t in range(int(rng.integers(4, 9))):
            records.append({"user_id": f"u{u}", "item_id": f"i{item}", "timestamp": t})
            item = (item + (1 if rng.random() < 0.8 else int(rng.integers(n_items)))) % n_items
    return Interactions.from_records(records)


def poisoned(test, seed=1):
    """The same test users with every held-out item replaced by a random other item."""
    rng = np.random.default_rng(seed)
    items = np.array([f"i{i}" for i in rng.integers(0, 30, size=len(test))], dtype=object)
    return Interactions(test.user_ids, items, test.weights, test.timestamps, test.events)


CANDIDATES = {
    "ease": (EASE(), {"l2": [1.0, 10.0, 100.0]}),
    "itemknn": (ItemKNN(), {"k": [5, 20], "shrink": [0.0, 10.0]}),
    "slist": (SLIST(), {"l2": [1.0, 10.0], "alpha": [0.5, 1.0], "decay": [0.3, 0.7, 1.0]}),
}


def test_selection_never_reads_a_test_item():
    train, test = leave_last_out(sequences())
    honest = evaluate_tuned(CANDIDATES, train, test, k=5)
    cheated = evaluate_tuned(CANDIDATES, train, poisoned(test), k=5)
    for name in CANDIDATES:
        assert honest[name]["params"] == cheated[name]["params"]
        assert honest[name]["validation_ndcg@5"] == cheated[name]["validation_ndcg@5"]
    # The poison did reach the scoring of the test items, so the check above has teeth.
    assert honest["slist"]["ndcg@5"] != cheated["slist"]["ndcg@5"]


def test_leave_last_validation_holds_out_the_second_to_last_item():
    inter = sequences()
    train, _ = leave_last_out(inter)
    fit_part, val = validation_split(train)
    last_two = {}
    for u, i, t in zip(inter.user_ids, inter.item_ids, inter.timestamps, strict=False):
        last_two.setdefault(u, []).append((t, i))
    for u, i in zip(val.user_ids, val.item_ids, strict=False):
        assert sorted(last_two[u])[-2][1] == i
    assert len(fit_part) + len(val) == len(train)


def test_time_validation_is_the_window_before_the_test_window():
    inter = sequences()
    train, _ = time_split(inter, 6)
    fit_part, val = validation_split(train, "time", window=2)
    assert fit_part.timestamps.max() < 3 <= val.timestamps.min()
    assert val.timestamps.max() < 6


def test_recency_is_chosen_on_sequential_data():
    train, _ = leave_last_out(sequences())
    chosen = select(SLIST(), {"l2": [10.0], "alpha": [1.0], "decay": [1.0, 0.3]}, train, k=5)
    assert chosen.params["decay"] == 0.3
    assert chosen.n_fits == 1  # decay is read when recommending: one fit serves both


def test_selection_is_deterministic():
    train, _ = leave_last_out(sequences())
    grid = {"k": [5, 20], "shrink": [0.0, 10.0]}
    first, second = select(ItemKNN(), grid, train), select(ItemKNN(), grid, train)
    assert first.params == second.params and first.trials == second.trials


def test_a_grid_over_budget_is_refused():
    train, _ = leave_last_out(sequences())
    with pytest.raises(ValueError, match="budget"):
        select(EASE(), {"l2": [1.0, 2.0, 3.0]}, train, max_fits=2)


def test_the_bounded_sample_keeps_the_most_used_items_and_a_seeded_user_sample():
    train, _ = leave_last_out(sequences(n_users=300, n_items=30))
    sample = bounded_sample(train, max_items=10, max_users=50)
    users_per_item = {}
    for _user, i in set(zip(train.user_ids, train.item_ids, strict=False)):
        users_per_item[i] = users_per_item.get(i, 0) + 1
    ranked = sorted(users_per_item, key=lambda i: (-users_per_item[i], i))
    assert set(sample.item_ids) == set(ranked[:10])
    assert len(set(sample.user_ids)) == 50
    again = bounded_sample(train, max_items=10, max_users=50)
    assert again.user_ids.tolist() == sample.user_ids.tolist()
    assert again.item_ids.tolist() == sample.item_ids.tolist()
    # Within both bounds the data are used whole.
    assert bounded_sample(train, max_items=None, max_users=None) is train
    assert bounded_sample(train, max_items=30, max_users=10_000) is train


def test_a_bounded_selection_scores_only_the_sample():
    train, _ = leave_last_out(sequences(n_users=300))
    grid = {"l2": [10.0], "alpha": [1.0], "decay": [1.0, 0.3]}
    whole = select(SLIST(), grid, train, k=5, max_items=None, max_users=None)
    bounded = select(SLIST(), grid, train, k=5, max_items=20, max_users=100)
    assert bounded.params == whole.params == {"l2": 10.0, "alpha": 1.0, "decay": 0.3}
    assert bounded.score != whole.score  # it did score a different (smaller) problem
