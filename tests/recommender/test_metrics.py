"""Each ranking metric against values computed by hand.

Two users, k = 3, items 0..5:
- user A's held-out items are {1, 4}; recommended [1, 2, 4] -> hits at ranks 1 and 3.
- user B's held-out item is {5}; recommended [0, 3, -1] -> no hit (one empty slot).
- user C has no held-out item and must be ignored by every average.
"""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.metrics import (
    coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
)

RECOMMENDED = np.array([[1, 2, 4], [0, 3, -1], [5, 5, 5]])
RELEVANT = sp.csr_matrix(np.array([
    [0, 1, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0],
]))


def test_precision_is_hits_over_k():
    assert precision_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((2 / 3 + 0) / 2)


def test_recall_is_hits_over_held_out_items():
    assert recall_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((2 / 2 + 0) / 2)
    assert recall_at_k(RECOMMENDED, RELEVANT, k=1) == pytest.approx((1 / 2 + 0) / 2)


def test_hit_rate_counts_users_with_any_hit():
    assert hit_rate_at_k(RECOMMENDED, RELEVANT, k=3) == 0.5
    assert hit_rate_at_k([[2, 1]], sp.csr_matrix([[0, 1, 0]]), k=1) == 0.0


def test_ndcg_discounts_by_log_rank_and_normalises_by_the_ideal_list():
    dcg_a = 1 / math.log2(2) + 1 / math.log2(4)
    idcg_a = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((dcg_a / idcg_a + 0) / 2)


def test_ndcg_for_a_single_held_out_item_is_one_over_log_rank():
    rel = sp.csr_matrix([[0, 0, 0, 1]])
    assert ndcg_at_k([[0, 1, 3]], rel, k=3) == pytest.approx(1 / math.log2(4))


def test_map_averages_precision_at_each_hit():
    ap_a = (1 / 1 + 2 / 3) / 2
    assert map_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((ap_a + 0) / 2)


def test_coverage_is_the_share_of_catalog_ever_recommended():
    # Items 0, 1, 2, 3, 4, 5 appear (user C included); -1 is not an item.
    assert coverage(RECOMMENDED, n_items=6) == 1.0
    assert coverage(RECOMMENDED[:2], n_items=10) == pytest.approx(5 / 10)


def test_only_the_first_k_columns_count():
    assert hit_rate_at_k([[0, 1]], sp.csr_matrix([[0, 1]]), k=1) == 0.0
    assert hit_rate_at_k([[0, 1]], sp.csr_matrix([[0, 1]])) == 1.0


def test_ranking_metrics_reports_everything_at_once():
    metrics = ranking_metrics(RECOMMENDED, RELEVANT, k=3)
    assert metrics == pytest.approx({
        "precision@3": precision_at_k(RECOMMENDED, RELEVANT, 3),
        "recall@3": recall_at_k(RECOMMENDED, RELEVANT, 3),
        "ndcg@3": ndcg_at_k(RECOMMENDED, RELEVANT, 3),
        "map@3": map_at_k(RECOMMENDED, RELEVANT, 3),
        "hit_rate@3": 0.5,
        "coverage": 1.0,
    })


def test_no_user_with_held_out_items_gives_zero_not_nan():
    empty = sp.csr_matrix((2, 4))
    assert ndcg_at_k([[0], [1]], empty, k=1) == 0.0
    assert precision_at_k([[0], [1]], empty, k=1) == 0.0


def test_rows_must_line_up():
    with pytest.raises(ValueError, match="rows"):
        ndcg_at_k([[0]], RELEVANT, k=1)
