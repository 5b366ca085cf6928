"""Training benchmark: fit time and peak memory for 100k, 1M and 10M interactions.

Two models, each size and model in its own subprocess (so peak RSS is not polluted by the
previous run):

- ``collaborative``: the catalog-size-independent baseline alone — ``to_matrix`` (event
  weights) then ``RP3beta().fit`` (what the hybrid falls back to on the largest catalogs);
- ``hybrid``: the whole :class:`~recommender.hybrid.HybridRecommender` with the shop's
  defaults, as ``shop recommender train`` fits it — content TF-IDF, profile rules, the
  interaction matrix, the collaborative model chosen on a validation split
  (``collaborative='auto'``: SLIST, sparse EASE or RP3beta; the record names the winner),
  time-decayed popularity, and RP3beta on cart/purchase events ("bought together").

Data: ``bench/synthetic.py`` (seeded; power-law popularity, sessions with co-occurrence) on a
fixed catalog of 10,000 products and 60 articles (``--items``), so only the log grows.
Memory is the process's RSS sampled every 10 ms during ``fit`` (psutil), reported as the peak
above the RSS just before ``fit`` (the input data already in memory is not counted) and the
process's absolute peak. Wall time and CPU time (``process_time``) are both recorded: on a
shared machine the CPU time shows what the fit costs when it has the cores to itself.

Usage::

    .venv/bin/python bench/training.py
    .venv/bin/python bench/training.py --sizes 100000 1000000 --models collaborative

Writes ``bench/results/training.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import REPO, PeakRSS, machine, mib, write_result  # noqa: E402

TARGET_SECONDS_1M = 30.0
MODELS = ("collaborative", "hybrid")


def run_one(model_name: str, n_rows: int, n_items: int, seed: int) -> dict:
    import numpy as np
    from synthetic import make_catalog, make_interactions

    from recommender.collaborative import RP3beta
    from recommender.hybrid import HybridRecommender
    from recommender.interactions import IdIndex, to_matrix

    t0 = time.perf_counter()
    items, docs, cluster = make_catalog(n_items, seed=seed)
    inter = make_interactions(n_rows, n_items, cluster, seed=seed + 1)
    gen_seconds = time.perf_counter() - t0
    space = IdIndex([i.item_id for i in items] + [d.doc_id for d in docs])
    gc.collect()
    steps: dict[str, float] = {}
    c0, t0 = time.process_time(), time.perf_counter()
    with PeakRSS() as peak:
        if model_name == "collaborative":
            s = time.perf_counter()
            X, users, _ = to_matrix(inter, items=space)
            steps["to_matrix"] = time.perf_counter() - s
            s = time.perf_counter()
            model = RP3beta().fit(X)
            steps["rp3beta_fit"] = time.perf_counter() - s
            info = {"n_users": len(users), "matrix_nnz": int(X.nnz),
                    "similarity_nnz": int(model.similarity_.nnz)}
        else:
            model = HybridRecommender().fit(items, inter, docs)
            similarity = model.collaborative_.similarity_
            info = {"n_users": model.stats_["n_users"],
                    "collaborative": model.stats_.get("collaborative"),
                    "similarity_nnz": int(similarity.nnz if hasattr(similarity, "nnz")
                                          else np.count_nonzero(similarity))}
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    import resource

    return {
        "model": model_name, "n_interactions": n_rows, "n_items": n_items, "n_documents": len(docs),
        "fit_seconds": wall, "fit_cpu_seconds": cpu, "steps_seconds": steps,
        "peak_rss_above_input_mib": mib(peak.peak - peak.start),
        "rss_before_fit_mib": mib(peak.start),
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "data_generation_seconds": gen_seconds, **info,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds allowed per (model, size) run before it is reported as impractical")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), args.items, args.seed)))
        return 0

    results = []
    for size in args.sizes:
        for name in args.models:
            print(f"training: {name}, {size:,} interactions ...", file=sys.stderr, flush=True)
            cmd = [sys.executable, __file__, "--one", name, str(size), "--items", str(args.items),
                   "--seed", str(args.seed)]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                results.append({"model": name, "n_interactions": size, "n_items": args.items,
                                "error": f"did not finish within {args.timeout:.0f} s"})
                continue
            if proc.returncode != 0:
                results.append({"model": name, "n_interactions": size, "n_items": args.items,
                                "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"})
                print(proc.stderr[-2000:], file=sys.stderr)
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(r)
            print(f"  fit {r['fit_seconds']:.1f}s wall, {r['fit_cpu_seconds']:.1f}s CPU, "
                  f"peak +{r['peak_rss_above_input_mib']:.0f} MiB", file=sys.stderr, flush=True)

    target = {}
    for name in args.models:
        one_m = next((r for r in results if r["model"] == name and r["n_interactions"] == 1_000_000
                      and "fit_seconds" in r), None)
        if one_m:
            target[name] = {"seconds_max": TARGET_SECONDS_1M, "fit_seconds": one_m["fit_seconds"],
                            "fit_cpu_seconds": one_m["fit_cpu_seconds"],
                            "ratio": one_m["fit_seconds"] / TARGET_SECONDS_1M,
                            "met": one_m["fit_seconds"] < TARGET_SECONDS_1M}
    report = {
        "bench": "training",
        "machine": machine(),
        "command": "python bench/training.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "params": {"sizes": args.sizes, "models": args.models, "n_items": args.items, "seed": args.seed},
        "target": {"what": "fit 1M interactions in under 30 s on 2 cores", "by_model": target},
        "results": results,
    }
    path = write_result("training", report)
    print(f"{'model':<15}{'interactions':>14}{'fit s':>9}{'cpu s':>9}{'peak MiB':>10}")
    for r in results:
        if "error" in r:
            print(f"{r['model']:<15}{r['n_interactions']:>14,}  {r['error']}")
        else:
            print(f"{r['model']:<15}{r['n_interactions']:>14,}{r['fit_seconds']:>9.1f}"
                  f"{r['fit_cpu_seconds']:>9.1f}{r['peak_rss_above_input_mib']:>10.0f}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
