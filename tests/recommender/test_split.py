"""Specification of the train/test splits."""

import numpy as np
import pytest

from recommender.evaluation.split import leave_last_out, time_split
from recommender.interactions import Interactions


def log(*rows):
    return Interactions.from_records(
        [{"user_id": u, "item_id": i, "timestamp": t} for u, i, t in rows])


def pairs(inter):
    return sorted(zip(inter.user_ids.tolist(), inter.item_ids.tolist(), inter.timestamps.tolist(), strict=False))


def test_leave_last_out_holds_out_each_users_latest_interaction():
    inter = log(("u1", "a", 3), ("u1", "b", 9), ("u1", "c", 5), ("u2", "d", 1), ("u2", "e", 2))
    train, test = leave_last_out(inter)
    assert pairs(test) == [("u1", "b", 9), ("u2", "e", 2)]
    assert pairs(train) == [("u1", "a", 3), ("u1", "c", 5), ("u2", "d", 1)]


def test_ties_in_time_are_broken_by_file_order():
    train, test = leave_last_out(log(("u", "first", 7), ("u", "second", 7), ("u", "old", 1)))
    assert test.item_ids.tolist() == ["second"]


def test_users_with_a_single_interaction_stay_in_training():
    train, test = leave_last_out(log(("lonely", "a", 1), ("u", "b", 1), ("u", "c", 2)))
    assert "lonely" in train.user_ids.tolist()
    assert test.user_ids.tolist() == ["u"]


def test_split_never_leaks_held_out_rows_into_training():
    rng = np.random.default_rng(0)
    n = 2_000
    inter = Interactions(
        np.array([f"u{x}" for x in rng.integers(0, 300, n)], dtype=object),
        np.array([f"i{x}" for x in rng.integers(0, 100, n)], dtype=object),
        np.ones(n), rng.integers(0, 50, n).astype(float), np.full(n, None, dtype=object))
    train, test = leave_last_out(inter)
    assert len(train) + len(test) == n
    assert len(set(test.user_ids)) == len(test), "one test row per user"
    latest_train = {}
    for u, t in zip(train.user_ids, train.timestamps, strict=False):
        latest_train[u] = max(latest_train.get(u, -1), t)
    for u, t in zip(test.user_ids, test.timestamps, strict=False):
        assert latest_train[u] <= t, "nothing in training is later than the held-out row"
    # Row identity: tag each row with its position through the weights.
    tagged = Interactions(inter.user_ids, inter.item_ids, np.arange(n, dtype=float),
                          inter.timestamps, inter.events)
    train, test = leave_last_out(tagged)
    assert not set(train.weights) & set(test.weights)


def test_time_split_cuts_at_the_date_and_keeps_only_known_users_and_items():
    day = 86_400
    inter = log(
        ("u1", "a", 1 * day), ("u2", "b", 2 * day),          # before the cutoff
        ("u1", "b", 10 * day),                               # known user, known item: test
        ("u3", "a", 11 * day),                               # new user: dropped
        ("u1", "new-item", 12 * day),                        # new item: dropped
    )
    train, test = time_split(inter, "1970-01-05")
    assert pairs(train) == [("u1", "a", 1 * day), ("u2", "b", 2 * day)]
    assert pairs(test) == [("u1", "b", 10 * day)]
    again_train, again_test = time_split(inter, 4 * day)
    assert pairs(again_test) == pairs(test) and len(again_train) == len(train)


@pytest.mark.parametrize("split", [leave_last_out, lambda i: time_split(i, 0)])
def test_empty_log_splits_into_empty_parts(split):
    train, test = split(Interactions.from_records([]))
    assert len(train) == len(test) == 0
