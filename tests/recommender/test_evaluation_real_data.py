"""The evaluation runner, first on a toy log with a known answer, then on real purchases.

The real-data part reads the public UCI "Online Retail" log from
``../shared/data`` next to the repository (never copied into it) and checks
that the serving model clearly beats popularity under leave-last-out. It is
skipped, with the reason, where that data is absent.
"""

from pathlib import Path

import numpy as np
import pytest

from recommender.collaborative import RP3beta
from recommender.evaluation.runner import build_matrices, default_models, evaluate
from recommender.evaluation.split import leave_last_out
from recommender.interactions import Interactions, read_interactions_csv
from recommender.popularity import Popularity

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ONLINE_RETAIL = DATA / "online-retail" / "interactions.csv.gz"


def toy_log():
    """Walkers buy shoe, sock and insole; sitters buy belt, brace and cushion.

    Each buys the first item first and the other two in either order, so the
    held-out last item is always the one of their own cluster they lack.
    A crowd of one-off cushion buyers makes the cushion the bestseller.
    """
    rows = []
    for n in range(20):
        for user, (x, y, z) in ((f"walker{n}", ("shoe", "sock", "insole")),
                                (f"sitter{n}", ("belt", "brace", "cushion"))):
            second, third = (y, z) if n % 2 else (z, y)
            rows += [(user, x, 1), (user, second, 2), (user, third, 3)]
    rows += [(f"fan{n}", "cushion", 1) for n in range(30)]
    return Interactions.from_records(
        [{"user_id": u, "item_id": i, "timestamp": t} for u, i, t in rows])


def test_runner_reports_quality_and_cost_for_every_model():
    train, test = leave_last_out(toy_log())
    results = evaluate({"popularity": Popularity(), "rp3beta": RP3beta(k=10)}, train, test, k=1,
                       progress=False)
    assert set(results) == {"popularity", "rp3beta"}
    # Only the collaborative model sees which cluster a shopper is in.
    assert results["rp3beta"]["hit_rate@1"] == 1.0
    assert results["popularity"]["hit_rate@1"] < 0.5
    for metrics in results.values():
        assert metrics["n_test_users"] == 40
        assert metrics["fit_seconds"] >= 0
        assert 0 <= metrics["recommend_ms_p50"] <= metrics["recommend_ms_p99"]
        assert {"precision@1", "recall@1", "ndcg@1", "map@1", "coverage"} <= set(metrics)


def test_default_models_all_run_on_the_toy_log():
    train, test = leave_last_out(toy_log())
    results = evaluate(default_models(), train, test, k=2, progress=False)
    assert set(results) == {"random", "popularity", "itemknn", "rp3beta", "ease"}
    for name in ("itemknn", "rp3beta", "ease"):
        assert results[name]["hit_rate@2"] == 1.0, name


def test_test_items_never_seen_in_training_count_as_misses():
    train, test = leave_last_out(Interactions.from_records(
        [("u1", "a"), ("u1", "brand-new"), ("u2", "a"), ("u2", "b")]))
    X, T, users, items = build_matrices(train, test)
    assert "brand-new" in items and X[:, items.index_of("brand-new")].nnz == 0
    assert T.nnz == 2


@pytest.fixture(scope="module")
def online_retail_split():
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"real data not available: {ONLINE_RETAIL} is missing")
    return leave_last_out(read_interactions_csv(ONLINE_RETAIL))


def test_online_retail_serving_model_beats_popularity(online_retail_split):
    train, test = online_retail_split
    defaults = default_models()
    models = {"popularity": Popularity(), "serving": defaults["itemknn"],
              "rp3beta": defaults["rp3beta"]}
    results = evaluate(models, train, test, k=10, progress=False, latency_users=50)
    # Measured: popularity 0.034, ItemKNN 0.064, RP3beta 0.058; implicit's ALS scores
    # about 0.055 and its cosine item-kNN about 0.058 on this split.
    assert results["popularity"]["ndcg@10"] == pytest.approx(0.034, abs=0.005)
    assert results["serving"]["ndcg@10"] > 0.06
    assert results["rp3beta"]["ndcg@10"] > 1.5 * results["popularity"]["ndcg@10"]
    assert results["serving"]["n_test_users"] > 4000
    assert np.isfinite(results["serving"]["recommend_ms_p99"])


def test_a_model_refusing_the_data_is_reported_not_fatal():
    from recommender.collaborative import EASE

    train, test = leave_last_out(toy_log())
    results = evaluate({"ease": EASE(max_items=2), "popularity": Popularity()}, train, test,
                       progress=False)
    assert "max_items" in results["ease"]["error"]
    assert "ndcg@10" in results["popularity"]
