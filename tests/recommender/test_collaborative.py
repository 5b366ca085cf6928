"""Specification of the collaborative models' shared behaviour on data with a known answer.

The fixture has two disjoint co-purchase clusters: shoppers of footwear buy
footwear, shoppers of lumbar supports buy lumbar supports. Every model must
recommend within the visitor's cluster, for known users and for new visitors
folded in by their history row alone.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from recommender.base import top_n
from recommender.collaborative import EASE, ItemKNN, RP3beta, _topk_rows_dense, _topk_rows_sparse

CLUSTER_A = np.arange(0, 5)   # footwear
CLUSTER_B = np.arange(5, 10)  # lumbar supports
N_ITEMS = 10


def two_clusters(n_users_per_cluster=30, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for cluster in (CLUSTER_A, CLUSTER_B):
        for _ in range(n_users_per_cluster):
            row = np.zeros(N_ITEMS, dtype=np.float32)
            row[rng.choice(cluster, size=rng.integers(2, 6), replace=False)] = 1
            rows.append(row)
    return sp.csr_matrix(np.array(rows))


MODELS = [
    pytest.param(ItemKNN(k=20, shrink=0), id="itemknn"),
    pytest.param(ItemKNN(k=20, shrink=5, weighting="tfidf"), id="itemknn-tfidf"),
    pytest.param(ItemKNN(k=20, shrink=5, weighting="none"), id="itemknn-none"),
    pytest.param(RP3beta(k=20), id="rp3beta"),
    pytest.param(RP3beta(k=20, alpha=0.7, beta=0.0, normalize=False), id="p3alpha"),
    pytest.param(EASE(l2=1.0), id="ease"),
]


@pytest.fixture(scope="module")
def X():
    return two_clusters()


def visitor(*items):
    row = np.zeros((1, N_ITEMS), dtype=np.float32)
    row[0, list(items)] = 1
    return sp.csr_matrix(row)


@pytest.mark.parametrize("model", MODELS)
def test_fit_returns_self_and_learns_attributes(model, X):
    model = clone(model)
    assert model.fit(X) is model
    assert model.n_items_ == N_ITEMS
    assert model.similarity_.shape == (N_ITEMS, N_ITEMS)


@pytest.mark.parametrize("model", MODELS)
def test_new_visitor_gets_items_of_their_own_cluster(model, X):
    model = clone(model).fit(X)
    ids, scores = model.recommend(visitor(0, 1), N=3)
    assert set(ids[0]) <= set(CLUSTER_A) - {0, 1}
    assert np.all(np.diff(scores[0]) <= 0), "best first"
    ids, _ = model.recommend(visitor(7), N=4)
    assert set(ids[0]) == set(CLUSTER_B) - {7}


@pytest.mark.parametrize("model", MODELS)
def test_known_users_are_recommended_within_their_cluster_in_one_batch(model, X):
    model = clone(model).fit(X)
    ids, _ = model.recommend(X, N=2)
    room = np.diff(X.indptr) <= 3  # at least two unseen items left in their cluster
    in_a = np.isin(ids, CLUSTER_A).all(axis=1)
    in_b = np.isin(ids, CLUSTER_B).all(axis=1)
    assert in_a[:30][room[:30]].all() and in_b[30:][room[30:]].all()


@pytest.mark.parametrize("model", MODELS)
def test_already_liked_items_are_filtered_unless_asked_not_to(model, X):
    model = clone(model).fit(X)
    ids, _ = model.recommend(visitor(0, 1, 2), N=N_ITEMS)
    assert not set(ids[0]) & {0, 1, 2}
    assert ids[0, -3:].tolist() == [-1, -1, -1], "empty slots once candidates run out"
    ids, _ = model.recommend(visitor(0, 1, 2), N=N_ITEMS, filter_already_liked_items=False)
    assert sorted(ids[0].tolist()) == list(range(N_ITEMS))


@pytest.mark.parametrize("model", MODELS)
def test_deny_list_and_allow_list(model, X):
    model = clone(model).fit(X)
    ids, _ = model.recommend(visitor(0), N=3, filter_items=[1, 2])
    assert set(ids[0]) == {3, 4, -1} or not set(ids[0]) & {0, 1, 2}
    ids, _ = model.recommend(visitor(0), N=5, items=[6, 3, 8])
    assert ids.shape == (1, 3), "N is capped at the number of allowed items"
    assert ids[0, 0] == 3 and set(ids[0]) == {3, 6, 8}


@pytest.mark.parametrize("model", MODELS)
def test_score_matches_recommend_and_handles_many_rows(model, X):
    model = clone(model).fit(X)
    scores = model.score(X)
    assert scores.shape == X.shape and scores.dtype == np.float32
    ids, top = model.recommend(X, N=1, filter_already_liked_items=False)
    np.testing.assert_allclose(top[:, 0], scores.max(axis=1), rtol=1e-6)
    one_dense_row = model.score(X[3].toarray().ravel())
    np.testing.assert_allclose(one_dense_row[0], scores[3], rtol=1e-6)


@pytest.mark.parametrize("model", MODELS)
def test_similar_items_stay_in_cluster_and_exclude_the_item(model, X):
    model = clone(model).fit(X)
    ids, scores = model.similar_items([0, 9], N=4)
    assert set(ids[0]) == set(CLUSTER_A) - {0}
    assert set(ids[1]) == set(CLUSTER_B) - {9}
    single, _ = model.similar_items(6, N=2)
    assert single.shape == (2,) and set(single) <= set(CLUSTER_B) - {6}


@pytest.mark.parametrize("model", MODELS)
def test_unfitted_model_and_wrong_width_are_refused(model, X):
    with pytest.raises(NotFittedError):
        clone(model).recommend(visitor(0))
    with pytest.raises(ValueError, match="columns"):
        clone(model).fit(X).score(sp.csr_matrix((1, N_ITEMS + 1), dtype=np.float32))


def test_itemknn_keeps_at_most_k_neighbours_per_item():
    X = sp.csr_matrix(np.ones((4, 6), dtype=np.float32))
    sim = ItemKNN(k=2, shrink=0, weighting="none").fit(X).similarity_
    assert np.diff(sim.indptr).tolist() == [2] * 6
    assert sim.diagonal().tolist() == [0.0] * 6


def test_itemknn_shrink_damps_rare_co_occurrence():
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [1, 0, 1], [1, 0, 1], [1, 0, 1]], np.float32))
    plain = ItemKNN(k=5, shrink=0, weighting="none").fit(X).similarity_.toarray()
    shrunk = ItemKNN(k=5, shrink=10, weighting="none").fit(X).similarity_.toarray()
    assert plain[0, 1] == pytest.approx(1 / np.sqrt(5))  # cosine of (1,1,1,1,1) and (1,0,0,0,0)
    assert shrunk[0, 1] == pytest.approx(1 / (np.sqrt(5) + 10))


def test_rp3beta_penalises_popular_items_more_with_larger_beta():
    # Item 0 is bought by everyone; item 1 and 2 each by one user who also bought item 3.
    X = sp.csr_matrix(np.array(
        [[1, 1, 0, 1], [1, 0, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0]], dtype=np.float32))
    row = sp.csr_matrix(np.array([[0, 0, 0, 1]], dtype=np.float32))
    assert RP3beta(beta=0.0, k=10).fit(X).recommend(row, N=1)[0][0, 0] == 0
    assert RP3beta(beta=1.0, k=10).fit(X).recommend(row, N=1)[0][0, 0] in (1, 2)


def test_ease_matches_the_closed_form_in_float64():
    X = sp.random(200, 40, density=0.1, random_state=1, format="csr", dtype=np.float32)
    X.data[:] = 1
    gram = (X.T @ X).toarray().astype(np.float64) + 5.0 * np.eye(40)
    P = np.linalg.inv(gram)
    B = -P / np.diag(P)
    np.fill_diagonal(B, 0)
    model = EASE(l2=5.0).fit(X)
    np.testing.assert_allclose(model.similarity_, B, atol=1e-5)
    assert model.similarity_.dtype == np.float32


def test_ease_refuses_catalogs_above_max_items():
    X = sp.csr_matrix(np.eye(5, dtype=np.float32))
    with pytest.raises(ValueError, match="RP3beta"):
        EASE(max_items=4).fit(X)


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="negative"):
        ItemKNN().fit(sp.csr_matrix(np.array([[1, -1]], dtype=np.float32)))


def test_hyper_parameters_are_only_stored_by_init():
    model = RP3beta(alpha=0.3, beta=0.1, k=7, normalize=False)
    assert model.get_params() == {"alpha": 0.3, "beta": 0.1, "k": 7, "normalize": False}
    assert not [a for a in vars(model) if a.endswith("_")]


def test_large_batches_are_scored_block_by_block(monkeypatch):
    import recommender.base as base
    monkeypatch.setattr(base, "_BLOCK_CELLS", 25)  # force blocks of 2 users
    X = two_clusters(n_users_per_cluster=7)
    model = ItemKNN(k=20, shrink=0).fit(X)
    ids, _ = model.recommend(X, N=1)
    room = np.diff(X.indptr) <= 4
    assert np.isin(ids[:7][room[:7]], CLUSTER_A).all()
    assert np.isin(ids[7:][room[7:]], CLUSTER_B).all()
    np.testing.assert_allclose(model.score(X), X @ model.similarity_.toarray(), rtol=1e-6)


# ------------------------------------------------------------------ the shared top-n machinery

def reference_top_n(scores, n):
    n = min(n, scores.shape[1])
    cols = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    order = np.lexsort((cols, -scores), axis=1)[:, :n]
    idx = np.take_along_axis(cols, order, axis=1).astype(np.int64)
    vals = np.take_along_axis(scores, order, axis=1)
    idx[np.isneginf(vals)] = -1
    return idx, vals


@settings(max_examples=60, deadline=None)
@given(
    scores=st.integers(1, 6).flatmap(lambda rows: st.integers(1, 1500).flatmap(
        lambda cols: arrays(np.float32, (rows, cols),
                            elements=st.sampled_from([-np.inf, -1.0, -0.0, 0.0, 1.0, 2.0, 3.5]))
    )),
    n=st.integers(1, 40),
)
def test_top_n_is_exact_with_ties_broken_by_lower_index(scores, n):
    idx, vals = top_n(scores, n)
    ref_idx, ref_vals = reference_top_n(scores, n)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(vals, ref_vals)


def test_sparse_and_dense_neighbour_selection_agree():
    block = sp.random(30, 400, density=0.05, random_state=3, format="csr", dtype=np.float32)
    sparse_counts, sparse_cols, sparse_vals = _topk_rows_sparse(block, 5)
    dense_counts, dense_cols, dense_vals = _topk_rows_dense(block.toarray(), 5)
    np.testing.assert_array_equal(sparse_counts, dense_counts)
    starts = np.concatenate([[0], np.cumsum(sparse_counts)])
    for row in range(30):
        a = slice(starts[row], starts[row + 1])
        assert sorted(sparse_vals[a]) == sorted(dense_vals[a])
