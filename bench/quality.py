"""Offline quality benchmark: our recommenders against the ``implicit`` library.

Why: before the shop serves a model we want evidence it is at least as good
as well-known open-source implementations on real public data, and cheaper
to train. Every model, ours or a peer, sees the same leave-last-out split,
the same binary train matrix and the same metric code
(:func:`recommender.evaluation.runner.evaluate`).

Usage::

    .venv/bin/python bench/quality.py                 # both datasets
    .venv/bin/python bench/quality.py --datasets online-retail --data ../shared/data

Writes ``bench/results/quality.json`` and prints one table per dataset.
"""

from __future__ import annotations

import os

# implicit warns (and runs slower) when OpenBLAS starts its own thread pool.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommender.collaborative import EASE, ItemKNN, RP3beta  # noqa: E402
from recommender.evaluation.runner import default_models, evaluate  # noqa: E402
from recommender.evaluation.split import leave_last_out  # noqa: E402
from recommender.interactions import read_interactions_csv  # noqa: E402

DATASETS = ("online-retail", "amazon-beauty")

# implicit's item-kNN converts its own internal COO matrices and says so on every fit.
warnings.filterwarnings("ignore", message="Method expects CSR input")


class ImplicitPeer:
    """Adapts an ``implicit`` model to the evaluation runner (user indices + rows)."""

    def __init__(self, factory, label):
        self.factory = factory
        self.label = label

    def fit(self, X):
        self.model_ = self.factory()
        self.model_.fit(X.tocsr(), show_progress=False)
        return self

    def recommend_for_users(self, userids, user_items, N=10):
        ids, scores = self.model_.recommend(
            np.asarray(userids), user_items.tocsr(), N=N, filter_already_liked_items=True)
        return np.atleast_2d(ids), np.atleast_2d(scores)


def peer_models(random_state=0) -> dict:
    """The implicit baselines, at their documented defaults (ALS with 128 factors)."""
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.cpu.bpr import BayesianPersonalizedRanking
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

    return {
        "implicit-als": ImplicitPeer(
            lambda: AlternatingLeastSquares(factors=128, random_state=random_state), "ALS"),
        "implicit-bpr": ImplicitPeer(
            lambda: BayesianPersonalizedRanking(factors=128, random_state=random_state), "BPR"),
        "implicit-cosine": ImplicitPeer(lambda: CosineRecommender(), "cosine item-kNN"),
        "implicit-bm25": ImplicitPeer(lambda: BM25Recommender(), "BM25 item-kNN"),
    }


def our_models(extra: bool) -> dict:
    models = default_models()
    if extra:  # variants documenting the choice of defaults
        models.update({
            "ease-l2=30": EASE(l2=30.0),
            "ease-l2=300": EASE(l2=300.0),
            "itemknn-bm25": ItemKNN(weighting="bm25"),
            "itemknn-k=30": ItemKNN(k=30),
            "rp3beta-b=0.5-norm": RP3beta(beta=0.5, normalize=True),
        })
    return models


def _fmt_table(name: str, results: dict, k: int) -> str:
    header = f"{'model':<20}{'ndcg@' + str(k):>9}{'hit@' + str(k):>8}{'recall':>8}" \
             f"{'map':>8}{'cover':>7}{'fit s':>8}{'fit cpu':>8}{'p50 ms':>8}{'p99 ms':>8}"
    lines = [f"== {name}", header, "-" * len(header)]
    for model, m in sorted(results.items(), key=lambda kv: -kv[1].get(f"ndcg@{k}", -1)):
        if "error" in m:
            lines.append(f"{model:<20} not fitted: {m['error']}")
            continue
        lines.append(
            f"{model:<20}{m[f'ndcg@{k}']:>9.4f}{m[f'hit_rate@{k}']:>8.4f}{m[f'recall@{k}']:>8.4f}"
            f"{m[f'map@{k}']:>8.4f}{m['coverage']:>7.3f}{m['fit_seconds']:>8.2f}"
            f"{m['fit_cpu_seconds']:>8.2f}{m['recommend_ms_p50']:>8.2f}"
            f"{m['recommend_ms_p99']:>8.2f}")
    return "\n".join(lines)


def run_dataset(path: Path, k: int, extra: bool, progress: bool, weighting: str) -> dict:
    start = time.perf_counter()
    inter = read_interactions_csv(path)
    read_seconds = time.perf_counter() - start
    train, test = leave_last_out(inter)
    ours = our_models(extra)
    peers = peer_models()
    results = evaluate({**ours, **peers}, train, test, k=k, progress=progress,
                       weighting=weighting)
    key = f"ndcg@{k}"
    fitted = [n for n in results if "error" not in results[n]]
    candidates = [n for n in ours if n in fitted and n not in ("random", "popularity")]
    best_ours = max(candidates, key=lambda n: results[n][key])
    best_peer = max((n for n in peers if n in fitted), key=lambda n: results[n][key])
    return {
        "file": str(path),
        "rows": len(inter),
        "users": int(len(set(inter.user_ids))),
        "items": int(len(set(inter.item_ids))),
        "test_users": results[best_ours]["n_test_users"],
        "read_seconds": read_seconds,
        "models": {n: repr(m) if n in ours else m.label for n, m in {**ours, **peers}.items()},
        "results": results,
        "best_ours": best_ours,
        "best_peer": best_peer,
        "ndcg_ratio_best_ours_to_best_peer": results[best_ours][key] / results[best_peer][key],
        "fit_time_ratio_best_ours_to_best_peer":
            results[best_ours]["fit_seconds"] / results[best_peer]["fit_seconds"],
        "fit_cpu_ratio_best_ours_to_best_peer":
            results[best_ours]["fit_cpu_seconds"] / results[best_peer]["fit_cpu_seconds"],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                        help="folder with <dataset>/interactions.csv.gz (default ../shared/data)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "quality.json")
    parser.add_argument("--extra", action="store_true",
                        help="also run the parameter variants behind the chosen defaults")
    parser.add_argument("--weighting", choices=("binary", "log", "raw"), default="binary",
                        help="train matrix: 1 per (user, item), log1p(summed weight), or the sum")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    report = {
        "protocol": "leave-last-out (last by time, ties by file order), "
                    f"{args.weighting} train matrix, top-{args.k} with already-seen items "
                    "excluded, all items ranked",
        "weighting": args.weighting,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
        "datasets": {},
    }
    for name in args.datasets:
        path = args.data / name / "interactions.csv.gz"
        if not path.exists():
            print(f"skip {name}: {path} not found", file=sys.stderr)
            continue
        result = run_dataset(path, args.k, args.extra, not args.no_progress, args.weighting)
        report["datasets"][name] = result
        print(_fmt_table(f"{name} ({result['rows']} rows, {result['test_users']} test users)",
                         result["results"], args.k))
        print(f"best ours {result['best_ours']} / best peer {result['best_peer']}: "
              f"ndcg@{args.k} x{result['ndcg_ratio_best_ours_to_best_peer']:.2f}, "
              f"fit time x{result['fit_time_ratio_best_ours_to_best_peer']:.2f} "
              f"(CPU x{result['fit_cpu_ratio_best_ours_to_best_peer']:.2f})\n", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
