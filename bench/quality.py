"""Offline quality benchmark: our recommenders against the ``implicit`` library and the
published sequential transformers.

Why: before the shop serves a model we want evidence it is at least as good as well-known
open-source implementations on real public data, and cheaper to train. Every model, ours or a
peer, sees the same leave-last-out split, the same binary train matrix (plus each entry's
latest time for the order-aware models) and the same metric code; every model's settings are
chosen on a validation split of the training data (each user's second-to-last interaction),
refitted on all of it and scored once on the test items
(:func:`recommender.evaluation.tuning.evaluate_tuned`).

Usage::

    .venv/bin/python bench/quality.py                 # all three datasets
    .venv/bin/python bench/quality.py --datasets amazon-beauty --models slist,ease

Writes ``bench/results/quality.json`` (after every dataset) and prints one table per dataset.
"""

from __future__ import annotations

import os

# implicit warns (and runs slower) when OpenBLAS starts its own thread pool.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._util import machine  # noqa: E402
from recommender.evaluation.candidates import default_candidates  # noqa: E402
from recommender.evaluation.hybrid_adapter import HybridAsMatrixModel  # noqa: E402
from recommender.evaluation.split import leave_last_out  # noqa: E402
from recommender.evaluation.tuning import evaluate_tuned  # noqa: E402
from recommender.hybrid import HybridRecommender  # noqa: E402
from recommender.interactions import IdIndex, read_interactions_csv  # noqa: E402

DATASETS = ("online-retail", "amazon-beauty", "amazon-toys")
#: ndcg@10 of SASRec with sampled softmax on the same files (github.com/blondered/
#: transformer_benchmark, "Calculated" columns): the figure to beat.
PUBLISHED_NDCG10 = {"amazon-beauty": 0.0531, "amazon-toys": 0.0580}

# implicit's item-kNN converts its own internal COO matrices and says so on every fit.
warnings.filterwarnings("ignore", message="Method expects CSR input")


class ImplicitPeer(BaseEstimator):
    """An ``implicit`` model behind the evaluation runner (user indices + rows).

    ``kind`` names the model, ``params`` its keyword arguments, so the tuning grid can
    range over ``params`` like any other setting.
    """

    def __init__(self, kind="als", params=None, random_state=0):
        self.kind = kind
        self.params = params
        self.random_state = random_state

    def fit(self, X):
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.cpu.bpr import BayesianPersonalizedRanking
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

        params = dict(self.params or {})
        factory = {"als": AlternatingLeastSquares, "bpr": BayesianPersonalizedRanking,
                   "cosine": CosineRecommender, "bm25": BM25Recommender}[self.kind]
        if self.kind in ("als", "bpr"):
            params["random_state"] = self.random_state
        self.model_ = factory(**params)
        self.model_.fit(X.tocsr(), show_progress=False)
        return self

    def recommend_for_users(self, userids, user_items, N=10):
        ids, scores = self.model_.recommend(
            np.asarray(userids), user_items.tocsr(), N=N, filter_already_liked_items=True)
        return np.atleast_2d(ids), np.atleast_2d(scores)


def peer_candidates() -> dict:
    """The implicit baselines, each with a small grid around its documented defaults."""
    return {
        "implicit-als": (ImplicitPeer("als"), {"params": [
            {"factors": 128, "regularization": r} for r in (0.01, 0.1)]}),
        "implicit-bpr": (ImplicitPeer("bpr"), {"params": [
            {"factors": 128, "learning_rate": lr} for lr in (0.01, 0.05)]}),
        "implicit-cosine": (ImplicitPeer("cosine"), {"params": [{"K": k} for k in (20, 200)]}),
        "implicit-bm25": (ImplicitPeer("bm25"), {"params": [{"K": k} for k in (20, 200)]}),
    }


def _fmt_table(name: str, results: dict, k: int) -> str:
    header = f"{'model':<18}{'ndcg@' + str(k):>9}{'val':>8}{'recall':>8}{'hit':>8}" \
             f"{'cover':>7}{'fit s':>8}{'fit cpu':>8}{'tune s':>8}{'p99 ms':>8}  params"
    lines = [f"== {name}", header, "-" * len(header)]
    for model, m in sorted(results.items(), key=lambda kv: -kv[1].get(f"ndcg@{k}", -1)):
        if "error" in m:
            lines.append(f"{model:<18} not fitted: {m['error']}")
            continue
        lines.append(
            f"{model:<18}{m[f'ndcg@{k}']:>9.4f}{m.get(f'validation_ndcg@{k}', float('nan')):>8.4f}"
            f"{m[f'recall@{k}']:>8.4f}{m[f'hit_rate@{k}']:>8.4f}{m['coverage']:>7.3f}"
            f"{m['fit_seconds']:>8.2f}{m['fit_cpu_seconds']:>8.2f}{m.get('tuning_seconds', 0.0):>8.1f}"
            f"{m['recommend_ms_p99']:>8.2f}  {json.dumps(m['params'], sort_keys=True)}")
    return "\n".join(lines)


#: Evaluation order: the models the targets are about first, so a cut-short run still says
#: what matters (results are written after every model).
PRIORITY = ("served", "ease", "slist", "ease-decay", "transition", "implicit-bm25", "implicit-cosine",
            "sparse-ease", "implicit-als", "implicit-bpr", "rp3beta", "itemknn",
            "slist+transition", "popularity")


def _titles(path: Path) -> dict[str, str] | None:
    """Item titles from ``items.csv.gz`` beside the interactions (online-retail has them)."""
    items = path.parent / "items.csv.gz"
    if not items.exists():
        return None
    import pandas as pd

    frame = pd.read_csv(items, dtype=str, keep_default_na=False)
    return dict(zip(frame["item_id"], frame["title"], strict=False)) if "title" in frame else None


def served_candidate(train, test, path: Path) -> tuple:
    """The model the shop serves: the hybrid with its defaults (``collaborative='auto'``
    selects on a validation split of ``train`` inside ``fit``), fed each history in order."""
    item_ids = IdIndex(np.concatenate([train.item_ids, test.item_ids])).ids
    return HybridAsMatrixModel(HybridRecommender(), item_ids, _titles(path)), {}


def run_dataset(name: str, path: Path, k: int, progress: bool, weighting: str,
                only: list[str] | None, on_model=None) -> dict:
    start = time.perf_counter()
    inter = read_interactions_csv(path)
    read_seconds = time.perf_counter() - start
    train, test = leave_last_out(inter)
    ours = {n: c for n, c in default_candidates().items() if n != "random"}
    ours["served"] = served_candidate(train, test, path)
    peers = peer_candidates()
    candidates = {**ours, **peers}
    if only:
        candidates = {n: c for n, c in candidates.items() if n in only}
    rank = {n: i for i, n in enumerate(PRIORITY)}
    candidates = dict(sorted(candidates.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    started = time.perf_counter()
    results = {}
    for model_name, candidate in candidates.items():
        results.update(evaluate_tuned({model_name: candidate}, train, test, k=k,
                                      progress=progress, weighting=weighting))
        if model_name == "served" and "error" not in results[model_name]:
            hybrid = candidate[0].hybrid
            results[model_name]["collaborative"] = hybrid.collaborative_choice_
            results[model_name]["params"] = {"collaborative": hybrid.collaborative}
        if on_model is not None:
            on_model(_summary(name, path, inter, read_seconds, started, candidates, results,
                              ours, peers, k))
    return _summary(name, path, inter, read_seconds, started, candidates, results, ours, peers, k)


def _summary(name, path, inter, read_seconds, started, candidates, results, ours, peers, k):
    key = f"ndcg@{k}"
    fitted = [n for n in results if "error" not in results[n]]
    mine = [n for n in ours if n in fitted and n not in ("popularity", "served")]
    theirs = [n for n in fitted if n in peers or n == "ease"]
    best_ours = max(mine, key=lambda n: results[n][key]) if mine else None
    best_peer = max(theirs, key=lambda n: results[n][key]) if theirs else None
    out = {
        "file": str(path),
        "rows": len(inter),
        "users": int(len(set(inter.user_ids))),
        "items": int(len(set(inter.item_ids))),
        "test_users": next(iter(results[n]["n_test_users"] for n in fitted), 0),
        "read_seconds": read_seconds,
        "run_seconds": time.perf_counter() - started,
        "models": {n: repr(est) for n, (est, _) in candidates.items()},
        "grids": {n: {p: [repr(v) for v in vs] for p, vs in grid.items()}
                  for n, (_, grid) in candidates.items()},
        "results": results,
        "best_ours": best_ours,
        "best_peer": best_peer,
    }
    if best_ours and best_peer:
        out["ndcg_ratio_best_ours_to_best_peer"] = results[best_ours][key] / results[best_peer][key]
    if "served" in fitted:
        out["served_choice"] = results["served"].get("collaborative")
        if best_peer:
            out["ndcg_ratio_served_to_best_peer"] = results["served"][key] / results[best_peer][key]
    if name in PUBLISHED_NDCG10 and fitted:
        out["published_ndcg@10"] = PUBLISHED_NDCG10[name]
        out["ndcg_ratio_to_published"] = {
            n: results[n][key] / PUBLISHED_NDCG10[name] for n in fitted}
    return out


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    tmp.replace(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                        help="folder with <dataset>/interactions.csv.gz (default ../shared/data)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--models", default=None,
                        help="comma-separated subset of the model names (default: all)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "quality.json")
    parser.add_argument("--weighting", choices=("binary", "log", "raw"), default="binary",
                        help="train matrix: 1 per (user, item), log1p(summed weight), or the sum")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    only = [m.strip() for m in args.models.split(",")] if args.models else None

    report = {
        "protocol": "leave-last-out (last by time, ties by file order), "
                    f"{args.weighting} train matrix, top-{args.k} with already-seen items "
                    "excluded, all items ranked; settings chosen on each user's second-to-last "
                    "interaction, then refitted on all training data and scored once",
        "weighting": args.weighting,
        "machine": machine(),
        "command": "python bench/quality.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "datasets": {},
    }
    for name in args.datasets:
        path = args.data / name / "interactions.csv.gz"
        if not path.exists():
            print(f"skip {name}: {path} not found", file=sys.stderr)
            continue
        def partial(result, name=name):
            report["datasets"][name] = {**result, "complete": False}
            _write(report, args.out)
            last = list(result["results"].items())[-1]
            print(f"{name} {last[0]}: " + json.dumps({k: v for k, v in last[1].items()
                  if k.startswith(("ndcg", "recall", "fit", "tuning", "params", "error"))}),
                  flush=True)

        result = run_dataset(name, path, args.k, not args.no_progress, args.weighting, only,
                             on_model=partial)
        report["datasets"][name] = {**result, "complete": True}
        print(_fmt_table(f"{name} ({result['rows']} rows, {result['test_users']} test users)",
                         result["results"], args.k))
        if "ndcg_ratio_best_ours_to_best_peer" in result:
            print(f"best ours {result['best_ours']} / best peer {result['best_peer']}: "
                  f"ndcg@{args.k} x{result['ndcg_ratio_best_ours_to_best_peer']:.3f}")
        if "ndcg_ratio_served_to_best_peer" in result:
            print(f"served ({result['served_choice']['model']}) / best peer "
                  f"{result['best_peer']}: x{result['ndcg_ratio_served_to_best_peer']:.3f}")
        if "published_ndcg@10" in result:
            for shown in {result['best_ours'], "served"} & set(result["ndcg_ratio_to_published"]):
                print(f"{shown} / published SASRec {result['published_ndcg@10']}: "
                      f"x{result['ndcg_ratio_to_published'][shown]:.3f}")
        print(flush=True)
        _write(report, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
