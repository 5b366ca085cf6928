"""Specifications of the TF-IDF content model on a tiny hand-made catalog."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from recommender.content import ContentModel

ITEMS = {
    "comfort-walker": "Comfort Walker walking shoe with high cushioning, shock absorption "
    "and high arch support for pavement walking. walking cushioning arch-support",
    "trail-runner": "Trail Runner lightweight trail shoe with aggressive grip for mountain "
    "hills and rocky trails. trail hills",
    "lumbar-belt": "Lumbar support belt that holds the lower back and improves posture "
    "when sitting at a desk. posture lumbar",
    "gel-insole": "Gel insole adds cushioning and arch support to any shoe, relieves "
    "plantar fasciitis heel pain. insole plantar-fasciitis",
}
DOCS = {
    "article:walking": "Walking for back pain: choose a walking shoe with shock absorption "
    "and arch support, and walk on pavement every day.",
    "article:desk": "Sitting at a desk all day: posture tips and lumbar support for your "
    "lower back.",
}

ITEM_IDS = list(ITEMS)


@pytest.fixture(scope="module")
def model():
    return ContentModel().fit(
        list(ITEMS), list(ITEMS.values()), list(DOCS), list(DOCS.values())
    )


def test_article_about_walking_ranks_the_cushioned_arch_supporting_walker_first(model):
    sims = model.doc_similarities("article:walking")
    assert sims.shape == (len(ITEMS),)
    assert model.item_ids_[np.argmax(sims)] == "comfort-walker"


def test_desk_article_ranks_the_lumbar_belt_first(model):
    sims = model.doc_similarities("article:desk")
    assert model.item_ids_[np.argmax(sims)] == "lumbar-belt"


def test_item_similarities_are_cosines_with_self_at_one(model):
    sims = model.item_similarities("comfort-walker")
    assert sims[model.item_index_["comfort-walker"]] == pytest.approx(1.0, abs=1e-5)
    assert np.all((sims >= 0) & (sims <= 1))
    others = np.delete(sims, model.item_index_["comfort-walker"])
    order = np.argsort(-others)
    ranked = np.delete(model.item_ids_, model.item_index_["comfort-walker"])[order]
    assert ranked[0] == "gel-insole"  # shares cushioning and arch support


def test_brand_new_text_without_history_is_matched(model):
    sims = model.text_similarities("A new trail shoe for hills")
    assert model.item_ids_[np.argmax(sims)] == "trail-runner"


def test_text_with_unknown_words_gives_zero_similarity(model):
    sims = model.text_similarities("zzzz qqqq")
    assert sims.shape == (len(ITEMS),)
    assert not sims.any()


def test_unknown_ids_raise_key_error(model):
    with pytest.raises(KeyError):
        model.item_similarities("nope")
    with pytest.raises(KeyError):
        model.doc_similarities("article:nope")


def test_vector_finds_items_and_documents(model):
    assert model.vector("comfort-walker").shape == (1, model.item_matrix_.shape[1])
    assert model.vector("article:desk").shape == (1, model.item_matrix_.shape[1])
    assert model.vector("missing") is None


def test_fit_without_documents_works():
    model = ContentModel().fit(["a", "b"], ["red walking shoe", "blue walking shoe"])
    assert model.doc_matrix_.shape[0] == 0
    assert model.item_similarities("a")[1] > 0


def test_not_fitted_raises():
    with pytest.raises(NotFittedError):
        ContentModel().text_similarities("shoe")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"item_ids": ["a", "a"], "item_texts": ["x", "y"]}, "unique"),
        ({"item_ids": ["a"], "item_texts": ["x", "y"]}, "same length"),
        ({"item_ids": [], "item_texts": []}, "at least one item"),
        ({"item_ids": ["a"], "item_texts": ["the and of"]}, "vocabulary"),
    ],
)
def test_bad_input_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ContentModel().fit(**kwargs)


def test_hyper_parameters_round_trip_through_get_params():
    model = ContentModel(min_df=2, ngram_range=(1, 1))
    assert model.get_params()["min_df"] == 2
    assert model.get_params()["ngram_range"] == (1, 1)


def test_weighted_similarities_equal_the_weighted_sum_of_cosines(model):
    vectors = model.item_matrix_[[0, 2]]
    expected = (2.0 * model.item_similarities(ITEM_IDS[0])
                + 0.5 * model.item_similarities(ITEM_IDS[2]))
    got = model.weighted_similarities(vectors, [2.0, 0.5])
    np.testing.assert_allclose(got, np.clip(expected, 0, 1), atol=1e-6)


def test_score_terms_is_the_query_behind_every_similarity(model):
    row = model.doc_vector("article:walking")
    np.testing.assert_array_equal(
        model.score_terms(row.indices, row.data), model.doc_similarities("article:walking"))
    assert not model.score_terms(np.empty(0, dtype=np.intp), np.empty(0)).any()
    with pytest.raises(NotFittedError):
        ContentModel().score_terms(row.indices, row.data)


def test_cosine_block_matches_the_sparse_product(model):
    a = model.item_matrix_[[0, 1]]
    b = model.doc_matrix_
    np.testing.assert_allclose(model.cosine_block(a, b), (a @ b.T).toarray(), atol=1e-6)


def test_pruned_postings_keep_the_strongest_matches():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(words, 12)) + f" walking shoe{i % 3}" for i in range(300)]
    exact = ContentModel(max_postings=None, max_query_terms=None).fit(
        [f"i{i}" for i in range(300)], texts)
    pruned = ContentModel(max_postings=50, max_query_terms=5).fit(
        [f"i{i}" for i in range(300)], texts)
    assert pruned.postings_.nnz < exact.postings_.nnz
    assert max(np.diff(pruned.postings_.indptr)) <= 50
    query = "w1 w2 w3 walking shoe1"
    top_exact = set(np.argsort(-exact.text_similarities(query))[:5])
    top_pruned = set(np.argsort(-pruned.text_similarities(query))[:5])
    assert len(top_exact & top_pruned) >= 3
    # Small catalogs are exact with the defaults.
    np.testing.assert_allclose(
        ContentModel().fit([f"i{i}" for i in range(300)], texts).text_similarities(query),
        exact.text_similarities(query), atol=1e-6)


def test_long_article_words_no_item_uses_do_not_crowd_out_shared_ones():
    filler = " ".join(f"trialword{i} cohort{i}" for i in range(400) for _ in range(3))
    model = ContentModel(max_query_terms=5).fit(
        list(ITEMS), list(ITEMS.values()),
        ["article:long"], [filler + " arch support shock absorption walking shoe"],
    )
    sims = model.doc_similarities("article:long")
    assert sims.max() > 0
    assert model.item_ids_[np.argmax(sims)] == "comfort-walker"
