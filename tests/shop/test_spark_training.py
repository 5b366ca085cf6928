"""The Spark engine fits the same model as the in-process trainer on the same events.

Spark runs in local mode (``local[2]``); each case fits both engines on one synthetic event
log and compares everything the hybrid learned from it: the collaborative and co-purchase
weights (same neighbours, weights within 1e-6), supports, decayed popularity and the
recorded counts, with event weights, recency decay and the history cap in play.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from spark_fixture import spark  # noqa: F401 - the session fixture

from recommender.hybrid import Document, HybridRecommender, ItemInfo
from recommender.hybrid_statistics import item_space
from recommender.interactions import Interactions
from shop.events.parquet_export import write_interactions

pytestmark = pytest.mark.spark

DAY = 86_400.0
START = 1_767_225_600.0  # 2026-01-01
ITEMS = [ItemInfo(f"p{i}", f"Product {i}", f"walking shoe insole support number {i}",
                  ("footwear",) if i < 6 else ("supports",), {}) for i in range(14)]
DOCS = [Document(f"article:a{i}", f"Article {i}", f"walking and back pain {i}") for i in range(3)]


def synthetic_events(n_users=90, seed=3) -> Interactions:
    """Visitors walking a few "routes" through the catalog (so order and co-occurrence carry
    signal), with carts and purchases, a retired product, equal times (one basket) and one
    visitor with a history far longer than the cap."""
    rng = np.random.default_rng(seed)
    ids = [i.item_id for i in ITEMS] + [d.doc_id for d in DOCS] + ["retired-shoe"]
    routes = [rng.permutation(len(ids))[:8] for _ in range(4)]
    events = ("read", "view", "view", "cart", "purchase")
    rows = []
    for u in range(n_users):
        route = routes[u % len(routes)]
        length = int(rng.integers(2, 8))
        t = START + float(rng.integers(0, 4)) * DAY + float(rng.integers(0, 3600))
        for pos in range(length):
            item = ids[route[pos]] if rng.random() < 0.8 else ids[int(rng.integers(len(ids)))]
            t += float(rng.integers(1, 7200))
            rows.append((f"v{u}", item, t, str(rng.choice(events)), float(rng.choice([1.0, 1.0, 2.0]))))
            if rng.random() < 0.15:  # bought together with the previous item, same time
                rows.append((f"v{u}", ids[int(rng.integers(len(ids) - 1))], t, "purchase", 1.0))
    for pos, item in enumerate(ids * 2):  # the long history
        rows.append(("heavy", item, START + 5 * DAY + pos * 60.0, "view", 1.0))
    users, items, times, kinds, weights = zip(*rows, strict=True)
    return Interactions(np.array(users, object), np.array(items, object), np.array(weights),
                        np.array(times), np.array(kinds, object))


@pytest.fixture(scope="module")
def events():
    return synthetic_events()


@pytest.fixture(scope="module")
def events_dir(events, tmp_path_factory):
    directory = tmp_path_factory.mktemp("events")
    write_interactions(events, directory)
    return str(directory)


def dense(matrix) -> np.ndarray:
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def assert_same_weights(a, b, n_items: int):
    assert type(a) is type(b)
    wa, wb = dense(a.similarity_), dense(b.similarity_)
    np.testing.assert_allclose(wa, wb, rtol=0, atol=1e-6)
    for row in range(n_items):  # the same neighbours, in the same order, where weights differ clearly
        strong_a = [j for j in np.argsort(-wa[row], kind="stable")[:5] if wa[row, j] > 1e-4]
        strong_b = [j for j in np.argsort(-wb[row], kind="stable")[:5] if wb[row, j] > 1e-4]
        gaps = np.diff(np.sort(wa[row])[::-1][:6])
        if len(gaps) and np.abs(gaps).min() > 1e-5:
            assert strong_a == strong_b, row


def comparable(stats: dict) -> dict:
    """Training statistics without the seconds the model selection took."""
    stats = dict(stats)
    if stats.get("collaborative"):
        stats["collaborative"] = {k: v for k, v in stats["collaborative"].items() if k != "selection_seconds"}
    return stats


def fit_both(spark, events, events_dir, params):  # noqa: F811 - spark is the fixture
    from shop.recommendations import spark_training

    local = HybridRecommender(**params).fit(ITEMS, events, DOCS)
    hybrid = HybridRecommender(**params)
    job = spark_training.summarize(spark, spark_training.read_events(spark, events_dir), hybrid,
                                   item_space(ITEMS, DOCS))
    remote = hybrid.fit(ITEMS, None, DOCS, statistics=job.summary)
    return local, remote, job


CASES = {
    # SLIST half session, half transition; capped histories; custom event weights. (The
    # served default, 'auto' validated on the demo shop's visitors, is the end-to-end test.)
    "slist-capped": {"collaborative": "slist", "max_user_items": 5,
                     "collaborative_params": {"l2": 5.0, "alpha": 0.5, "window": 3, "transition_decay": 0.5},
                     "event_weights": {"view": 1.0, "read": 2.0, "cart": 4.0, "purchase": 6.0}},
    # RP3beta on event-weighted sums, popularity without decay; sparse EASE.
    "rp3beta-no-decay": {"collaborative": "rp3beta", "half_life_days": None,
                         "collaborative_params": {"alpha": 0.7, "beta": 0.4, "k": 6}},
    # Sparse EASE (catalogs past the dense limit); co-purchases then use RP3beta.
    "sparse-ease": {"collaborative": "sparse-ease", "max_user_items": 8, "half_life_days": 3.0,
                    "collaborative_params": {"l2": 3.0, "k": 5}},
}


@pytest.mark.parametrize("case", list(CASES))
def test_spark_and_in_process_fit_the_same_model(spark, events, events_dir, case):  # noqa: F811
    local, remote, job = fit_both(spark, events, events_dir, CASES[case])
    n = len(local.space_)
    assert comparable(local.stats_) == comparable(remote.stats_)
    np.testing.assert_array_equal(local.support_, remote.support_)
    np.testing.assert_array_equal(local.buy_support_, remote.buy_support_)
    np.testing.assert_allclose(local.item_popularity_, remote.item_popularity_, rtol=1e-6)
    assert_same_weights(local.collaborative_, remote.collaborative_, n)
    assert_same_weights(local.bought_together_, remote.bought_together_, n)
    assert job.n_events_read == len(events)


def test_the_cap_and_the_decay_change_the_model_so_the_comparison_can_fail(events):
    capped = HybridRecommender(**CASES["slist-capped"]).fit(ITEMS, events, DOCS)
    uncapped = HybridRecommender(**{**CASES["slist-capped"], "max_user_items": None}).fit(ITEMS, events, DOCS)
    slower = HybridRecommender(**{**CASES["slist-capped"], "collaborative_params": {
        **CASES["slist-capped"]["collaborative_params"], "transition_decay": 0.9}}).fit(ITEMS, events, DOCS)
    heavy = capped.space_.index_of("p0")
    assert capped.support_[heavy] < uncapped.support_[heavy]
    assert np.abs(dense(capped.collaborative_.similarity_) - dense(uncapped.collaborative_.similarity_)).max() > 1e-3
    assert np.abs(dense(capped.collaborative_.similarity_) - dense(slower.collaborative_.similarity_)).max() > 1e-3


def test_a_model_the_spark_engine_cannot_sum_is_refused_clearly(spark, events_dir):  # noqa: F811
    from shop.recommendations import spark_training

    hybrid = HybridRecommender(collaborative="itemknn")
    with pytest.raises(spark_training.SparkTrainingError, match="supports slist, sparse-ease, rp3beta or auto"):
        spark_training.summarize(spark, spark_training.read_events(spark, events_dir), hybrid,
                                 item_space(ITEMS, DOCS))


def test_a_missing_event_log_is_a_clear_error(spark, tmp_path):  # noqa: F811
    from shop.recommendations import spark_training

    with pytest.raises(spark_training.SparkTrainingError, match="cannot read Parquet events"):
        spark_training.read_events(spark, str(tmp_path / "nowhere"))


# ---------------------------------------------------------------- the commands, end to end


def test_export_then_train_with_spark_gives_the_model_the_shop_would_have_trained(
        demo, runner, spark, tmp_path):  # noqa: F811
    from recommender.persistence import load_artifact
    from recommender.types import VisitorContext
    from shop.recommendations.training import artifact_path

    assert runner.invoke(args=["recommender", "seed-demo"]).exit_code == 0
    events = tmp_path / "events"
    exported = runner.invoke(args=["events", "export", "--format", "parquet", str(events)])
    assert exported.exit_code == 0, exported.output

    assert runner.invoke(args=["recommender", "train"]).exit_code == 0
    path = artifact_path(demo.config["MODEL_DIR"])
    local, local_header = load_artifact(path)
    result = runner.invoke(args=["recommender", "train", "--engine", "spark", "--events", str(events),
                                 "--master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert "summarised by Spark" in result.output and "75 products, 10 articles" in result.output
    remote, header = load_artifact(path)
    assert header["metadata"]["engine"] == "spark" and local_header["metadata"]["engine"] == "python"
    assert comparable(header["metadata"]["data_stats"]) == comparable(local_header["metadata"]["data_stats"])
    assert_same_weights(local.collaborative_, remote.collaborative_, len(local.space_))
    assert_same_weights(local.bought_together_, remote.bought_together_, len(local.space_))
    np.testing.assert_allclose(local.popularity_norm_, remote.popularity_norm_, rtol=1e-6, atol=1e-7)
    product = str(local.item_ids_[0])
    for context in (VisitorContext("product", anchor_id=product), VisitorContext("home"),
                    VisitorContext("home", history=[(str(local.item_ids_[3]), "view", None)])):
        assert [r.item_id for r in local.recommend(context, n=8)] == [r.item_id for r in remote.recommend(context, n=8)]
    status = runner.invoke(args=["recommender", "status"])
    assert "Serving: this model" in status.output


def test_the_spark_engine_needs_its_event_log(runner, demo):
    result = runner.invoke(args=["recommender", "train", "--engine", "spark"])
    assert result.exit_code == 2 and "--events DIR_OR_URI" in result.output
    result = runner.invoke(args=["recommender", "train", "--events", "somewhere"])
    assert result.exit_code == 2 and "go with --engine spark" in result.output
