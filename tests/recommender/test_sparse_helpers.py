"""The per-request CSR helpers give what the plain scipy products give."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.content import ContentModel
from recommender.hybrid_ranking import blend
from recommender.sparse import cosine_rows, csr_rows, pool_cosines, top_indices


@pytest.fixture
def tfidf():
    matrix = sp.random(300, 120, density=0.06, format="csr", random_state=1, dtype=np.float32)
    return normalize(matrix).astype(np.float32).tocsr()


@pytest.mark.parametrize("rows", [[3, 7, 7, 100], list(range(0, 300, 1)), [5]])
def test_csr_rows_reads_the_rows_in_stored_order(tfidf, rows):
    lengths, indices, data = csr_rows(tfidf, np.array(rows))
    block = tfidf[rows]
    assert lengths.tolist() == np.diff(block.indptr).tolist()
    assert indices.tolist() == block.indices.tolist()
    assert data.tolist() == block.data.tolist()


def test_cosine_rows_and_pool_cosines_equal_the_sparse_product(tfidf):
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 300, 40), rng.integers(0, 300, 12)
    expected = np.clip((tfidf[a] @ tfidf[b].T).toarray(), 0, 1)
    np.testing.assert_allclose(cosine_rows(tfidf, a, tfidf, b), expected, atol=1e-6)
    pool = np.concatenate([a, a[:3]])  # repeated rows too
    expected = np.clip((tfidf[pool] @ tfidf[pool].T).toarray(), 0, 1)
    np.testing.assert_allclose(pool_cosines(tfidf, pool), expected, atol=1e-6)
    empty = sp.csr_matrix((3, 5), dtype=np.float32)
    assert not pool_cosines(empty, np.array([0, 1])).any()
    assert not cosine_rows(empty, np.array([0]), tfidf, np.array([1])).any()


def test_top_indices_is_the_sorted_order_of_the_finite_values():
    rng = np.random.default_rng(3)
    values = rng.random(500).astype(np.float32)
    values[rng.integers(0, 500, 40)] = -np.inf
    ranked = [int(i) for i in np.lexsort((np.arange(500), -values)) if np.isfinite(values[i])]
    for k in (1, 10, 40, 460, 500, 900):
        assert top_indices(values, k).tolist() == ranked[:k]


def test_blend_is_the_weighted_sum_of_the_clipped_normalised_signals():
    rng = np.random.default_rng(4)
    mask = rng.random(200) < 0.9
    signals = {"a": (2.0, rng.normal(size=200).astype(np.float32)),
               "b": (1.0, rng.random(200).astype(np.float32)), "none": (1.0, None)}
    relevance, weights, scales = blend(signals, mask)
    expected = np.zeros(200)
    for name, share in weights.items():
        top = signals[name][1][mask].max()
        assert scales[name] == pytest.approx(1.0 / top)
        expected += share * np.clip(signals[name][1] / top, 0, 1)
    assert weights == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    np.testing.assert_allclose(relevance[mask], expected[mask], rtol=1e-6, atol=1e-7)
    assert np.isneginf(relevance[~mask]).all()


def test_a_query_reads_at_most_its_postings_budget_strongest_terms_first():
    texts = [f"{'common' if i % 2 else ''} {'shoe' if i % 3 else ''} word{i} rare{i % 7}"
             for i in range(60)]
    model = ContentModel(max_postings=None, max_query_postings=None).fit(
        [f"p{i}" for i in range(60)], texts)
    terms = np.array([model.vectorizer_.vocabulary_[t] for t in ("common", "shoe", "rare3")])
    values = np.array([0.1, 0.2, 0.9])
    full = model.score_terms(terms, values)
    model.set_params(max_query_postings=20)  # "rare3" has 9 postings, the others 30 and 40
    capped = model.score_terms(terms, values)
    only_rare = model.score_terms(terms[2:], values[2:])
    np.testing.assert_array_equal(capped, only_rare)
    assert (full > capped).any()
    model.set_params(max_query_postings=1_000)  # within the budget: exact
    np.testing.assert_array_equal(model.score_terms(terms, values), full)


def test_collaborative_scores_of_a_sparse_model_are_the_weighted_row_sum():
    from recommender.hybrid_signals import Sources, collaborative_scores

    class Model:
        similarity_ = sp.random(50, 50, density=0.2, format="csr", random_state=2,
                                dtype=np.float32)

    sources = Sources(np.array([4, 9, 30]), np.array([1.0, 0.5, 0.25], np.float32),
                      ["view"] * 3, ["a", "b", "c"])
    expected = np.array([1.0, 0.5, 0.25], np.float32) @ Model.similarity_[[4, 9, 30]].toarray()
    scores = collaborative_scores(Model(), sources, 50, 40)
    assert scores.dtype == np.float32 and scores.shape == (40,)
    np.testing.assert_allclose(scores, expected[:40], rtol=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_top_indices_is_a_stable_sort_of_the_finite_values_even_when_most_are_equal(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6000))
    values = rng.choice([-np.inf, 0.0, 0.25, 1.0], n).astype(np.float32)
    values = np.where(rng.random(n) < 0.8, values, rng.random(n)).astype(np.float32)
    k = int(rng.integers(0, n + 3))
    order = sorted((i for i in range(n) if np.isfinite(values[i])), key=lambda i: (-values[i], i))
    assert top_indices(values, k).tolist() == order[:k]
