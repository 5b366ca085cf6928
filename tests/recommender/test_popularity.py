"""Specification of the baselines: popularity (with optional time decay) and random."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from recommender.interactions import IdIndex, Interactions, to_matrix
from recommender.popularity import Popularity, RandomRecommender

DAY = 86_400.0

# Item 2 is bought by three users, item 0 by two, item 1 by one, item 3 by nobody.
X = sp.csr_matrix(np.array(
    [[1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 1, 0]], dtype=np.float32))


def test_popularity_ranks_by_total_weight_for_everyone():
    model = Popularity().fit(X)
    assert model.popularity_.tolist() == [2.0, 1.0, 3.0, 0.0]
    ids, scores = model.recommend(sp.csr_matrix((2, 4), dtype=np.float32), N=3)
    assert ids.tolist() == [[2, 0, 1], [2, 0, 1]]
    assert scores[0].tolist() == [3.0, 2.0, 1.0]


def test_popularity_skips_what_the_user_already_has():
    ids, _ = Popularity().fit(X).recommend(X[2], N=2)
    assert ids.tolist() == [[0, 1]]


def test_popularity_similar_items_are_the_bestsellers_other_than_the_item():
    ids, _ = Popularity().fit(X).similar_items(2, N=2)
    assert ids.tolist() == [0, 1]


def test_time_decay_lets_recent_interest_beat_old_sales():
    inter = Interactions.from_records(
        [{"user_id": f"u{n}", "item_id": "classic", "timestamp": 0.0} for n in range(3)]
        + [{"user_id": "u9", "item_id": "trending", "timestamp": 100 * DAY}]
    )
    X, _, items = to_matrix(inter)
    assert Popularity().fit(X).recommend(X[:1] * 0, N=1)[0][0, 0] == items.index_of("classic")
    decayed = Popularity(half_life_days=10).fit(X, interactions=inter, items=items)
    assert decayed.recommend(X[:1] * 0, N=1)[0][0, 0] == items.index_of("trending")
    assert decayed.popularity_[items.index_of("classic")] == pytest.approx(3 * 0.5**10)


def test_time_decay_needs_the_interactions_and_a_matching_index():
    with pytest.raises(ValueError, match="interactions"):
        Popularity(half_life_days=7).fit(X)
    inter = Interactions.from_records([("u", "a")])
    with pytest.raises(ValueError, match="columns"):
        Popularity(half_life_days=7).fit(X, interactions=inter, items=IdIndex(["a"]))


def test_random_is_reproducible_with_a_seed_and_covers_all_candidates():
    first = RandomRecommender(random_state=3).fit(X).recommend(X, N=4)[0]
    again = RandomRecommender(random_state=3).fit(X).recommend(X, N=4)[0]
    np.testing.assert_array_equal(first, again)
    user0 = first[0][first[0] >= 0]
    assert sorted(user0.tolist()) == [1, 3]


def test_baselines_must_be_fitted_first():
    for model in (Popularity(), RandomRecommender()):
        with pytest.raises(NotFittedError):
            model.score(X)
