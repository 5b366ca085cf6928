"""``shop recommender evaluate``: any interactions CSV in, comparable numbers out."""

from __future__ import annotations

import json

import pytest

from shop.recommendations.cli import evaluate_command

# Two taste clusters of three items; each user buys their cluster's three in a rotated
# order, so the held-out (last) item is always the one of their cluster they lack.
ROWS = ["user_id,item_id,timestamp,event"]
for n in range(12):
    cluster = "a" if n % 2 == 0 else "b"
    order = [1, 2, 3][(n // 2) % 3:] + [1, 2, 3][:(n // 2) % 3]
    for step, item in enumerate(order):
        ROWS.append(f"{cluster}{n},{cluster}{item},{1_700_000_000 + n * 10 + step},purchase")


@pytest.fixture
def interactions_csv(tmp_path):
    path = tmp_path / "interactions.csv"
    path.write_text("\n".join(ROWS) + "\n")
    return path


def run(runner, *args):
    return runner.invoke(evaluate_command, list(args), catch_exceptions=False)


def test_json_report_has_every_model_and_metric(runner, interactions_csv):
    result = run(runner, "--interactions", str(interactions_csv), "--k", "2", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dataset"] == {"users": 12, "items": 6, "interactions": 36}
    assert (report["k"], report["split"], report["serving_model"]) == (2, "leave-last", "hybrid")
    assert set(report["models"]) == {"random", "popularity", "itemknn", "rp3beta", "ease",
                                     "ease-decay", "slist", "transition", "slist+transition",
                                     "sparse-ease", "hybrid"}
    for values in report["models"].values():
        assert set(values) == {"precision", "recall", "ndcg", "map", "hit_rate", "coverage",
                               "fit_seconds", "recommend_ms_p50", "recommend_ms_p99",
                               "params", "validation_ndcg"}
    # The tuned models report the settings validation chose, from their grids.
    assert report["models"]["ease"]["params"]["l2"] in (30.0, 100.0, 300.0)
    assert report["models"]["slist"]["params"]["decay"] in (0.4, 0.6, 0.8, 1.0)
    assert report["models"]["popularity"]["params"] == {}


def test_collaborative_models_find_the_cluster_item(runner, interactions_csv):
    report = json.loads(run(runner, "--interactions", str(interactions_csv), "--k", "1", "--json",
                            "--models", "itemknn,rp3beta,hybrid").output)
    # Each user's held-out item is the third of their cluster; seen items are excluded,
    # so the only sensible top-1 is exactly it: hit rate 1, ndcg 1, precision 1 at k=1.
    for name in ("itemknn", "rp3beta", "hybrid"):
        assert report["models"][name]["hit_rate"] == 1.0, name
        assert report["models"][name]["ndcg"] == 1.0, name
        assert report["models"][name]["precision"] == 1.0, name


def test_readable_table_marks_the_served_model(runner, interactions_csv):
    result = run(runner, "--interactions", str(interactions_csv), "--models", "popularity,hybrid")
    assert result.exit_code == 0
    assert "hybrid*" in result.output and "ndcg" in result.output


def test_time_split_and_items_file(runner, interactions_csv, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("item_id,title\n" + "".join(f"{c}{i},{c} thing {i}\n" for c in "ab" for i in (1, 2, 3)))
    result = run(runner, "--interactions", str(interactions_csv), "--items", str(items),
                 "--split", "time", "--json", "--models", "popularity,hybrid")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["split"] == "time"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("user_id,item_id\nu1,i1\n,i2\n", "line 3"),
        ("user,item\nu1,i1\n", "user_id"),
        ("user_id,item_id,timestamp\nu1,i1,yesterday\n", "line 2"),
    ],
)
def test_bad_files_name_the_line_or_column(runner, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = runner.invoke(evaluate_command, ["--interactions", str(path)])
    assert result.exit_code == 1
    assert message in result.output


def test_unknown_model_name_is_refused(runner, interactions_csv):
    result = runner.invoke(evaluate_command, ["--interactions", str(interactions_csv), "--models", "magic"])
    assert result.exit_code == 2 and "magic" in result.output


def test_real_dataset_serving_model_beats_popularity(runner, shared_data):
    path = shared_data / "online-retail" / "interactions.csv.gz"
    report = json.loads(run(runner, "--interactions", str(path), "--json",
                            "--models", "popularity,hybrid").output)
    assert report["dataset"]["interactions"] > 300_000
    assert report["models"]["hybrid"]["ndcg"] > 1.5 * report["models"]["popularity"]["ndcg"]


def test_time_split_tunes_on_the_window_before_the_test_window(runner, interactions_csv):
    result = run(runner, "--interactions", str(interactions_csv), "--split", "time", "--json",
                 "--models", "ease,ease-decay")
    assert result.exit_code == 0, result.output
    models = json.loads(result.output)["models"]
    assert models["ease"]["params"]["l2"] in (30.0, 100.0, 300.0)
    assert models["ease-decay"]["params"]["decay"] in (0.4, 0.6, 0.8, 1.0)


def test_readable_table_lists_the_chosen_settings(runner, interactions_csv):
    result = run(runner, "--interactions", str(interactions_csv), "--models", "popularity,ease")
    assert result.exit_code == 0
    assert "chosen on the validation split" in result.output and "l2=" in result.output
