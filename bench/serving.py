"""Serving benchmark: top-10 latency and memory of the model the shop serves, by catalog size.

For each catalog size (default 1k, 10k, 100k products) a fresh subprocess generates a seeded
synthetic catalog and 1M synthetic interactions (``bench/synthetic.py``: power-law item
popularity, sessions with co-occurrence), fits :class:`~recommender.hybrid.HybridRecommender`
with the shop's defaults (as ``shop recommender train`` does), and then times, one visitor at
a time, in process:

- ``hybrid.recommend/home``: ``recommend(VisitorContext('home', history=...), 10, eligible)``;
- ``hybrid.recommend/article``: the same with an article anchor (Related Products);
- ``hybrid.similar_items`` and ``hybrid.bought_together``: the product page's two blocks;
- ``collaborative.recommend``: the collaborative component alone (the hybrid's own fitted
  model, e.g. ``SparseEASE.recommend``, on the visitor's history row, top 10, seen items
  filtered): the hybrid's p99 should stay within 3x of it;
- ``shop-path/...``: the same calls as the shop makes them (``shop.recommendations.service``):
  ``eligible`` the snapshot's cached boolean mask (``EligibleSnapshot.mask_for``), the excluded
  slugs passed as ``exclude=`` (switched off by position inside the model);
- ``shop-path/eligible-mask``: what a snapshot miss costs the shop once per (size, width) and
  few seconds per worker: the slugs turned into the model's mask (``EligibleSnapshot.mask_for``);
- ``slug-set/...``: the same calls with ``eligible`` as the shop gave it before (a set of slugs,
  ``eligible_slugs(...) - set(exclude)``), for comparison.

Visitors are real sessions of the synthetic log (their events as history, at most 50 used by
the model); product anchors are drawn by popularity, like product-page views. ``eligible`` is
95% of the catalog (in stock). Latency is wall-clock (``perf_counter``) and CPU time of the
thread (``thread_time``), the latter being robust to other processes on a shared machine.

Memory: the pickled size of the fitted model (what ``save_artifact`` writes), the bytes it holds
once loaded (``tracemalloc`` around ``pickle.loads``), and the RSS growth of the process over
the fit (after ``gc.collect``; includes allocator slack).

Usage::

    .venv/bin/python bench/serving.py                     # 1k, 10k, 100k products
    .venv/bin/python bench/serving.py --sizes 1000 --queries 200
    .venv/bin/python bench/serving.py --profile 100000    # cProfile of the 100k hot path

Writes ``bench/results/serving.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import REPO, PeakRSS, machine, mib, percentiles, rss_bytes, write_result  # noqa: E402

TARGET_P99_MS = 10.0
#: Hybrid parameters of the run (``--collaborative`` sets the collaborative model).
MODEL_PARAMS: dict = {}
OPERATIONS = (
    "hybrid.recommend/home",
    "hybrid.recommend/article",
    "hybrid.similar_items",
    "hybrid.bought_together",
    "collaborative.recommend",
    "shop-path/recommend/home",
    "shop-path/similar_items",
    "shop-path/eligible-mask",
    "slug-set/recommend/home",
    "slug-set/similar_items",
)
#: The operation the target is judged on: the home recommendation as the shop makes it.
TARGET_OPERATION = "shop-path/recommend/home"


def _visitors(items, docs, inter, n_queries: int, seed: int):
    """Histories of ``n_queries`` random users and popularity-drawn product anchors."""
    import numpy as np
    import scipy.sparse as sp

    from recommender.interactions import DEFAULT_EVENT_WEIGHTS, IdIndex

    rng = np.random.default_rng(seed)
    users = inter.user_ids
    # Row ranges per user (rows are grouped by user in the synthetic log).
    change = np.flatnonzero(users[1:] != users[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [len(users)]))
    chosen = rng.choice(len(starts), size=n_queries, replace=False)
    product_rows = np.flatnonzero(inter.events != "read")
    anchors = inter.item_ids[rng.choice(product_rows, size=n_queries)]
    # The collaborative model's item space, as the hybrid builds it: products, then articles.
    space = IdIndex([i.item_id for i in items] + [d.doc_id for d in docs])
    n_space = len(space)
    out = []
    for q, u in enumerate(chosen):
        a, b = starts[u], stops[u]
        history = list(zip(inter.item_ids[a:b].tolist(), inter.events[a:b].tolist(),
                           inter.timestamps[a:b].tolist(), strict=False))
        idx = space.get_indexer(inter.item_ids[a:b])
        w = np.array([DEFAULT_EVENT_WEIGHTS.get(e, 1.0) for e in inter.events[a:b]], np.float32)
        row = sp.csr_matrix((w, (np.zeros(len(idx), int), idx)), shape=(1, n_space), dtype=np.float32)
        row.sum_duplicates()
        out.append({"history": history, "row": row, "anchor": str(anchors[q]),
                    "article": f"article:a{int(rng.integers(0, len(docs))):03d}"})
    return out


def _calls(model, visitors, mask, slugs):
    """For each operation, a list of zero-argument callables (one per visitor)."""
    from recommender.hybrid import VisitorContext
    from shop.recommendations.eligibility import EligibleSnapshot

    collab = model.collaborative_
    snapshot = EligibleSnapshot(slugs)
    ops = {name: [] for name in OPERATIONS}
    for v in visitors:
        home = VisitorContext("home", history=v["history"])
        article = VisitorContext("article", anchor_id=v["article"], history=v["history"])
        anchor, row = v["anchor"], v["row"]
        ops["hybrid.recommend/home"].append(lambda c=home: model.recommend(c, 10, mask))
        ops["hybrid.recommend/article"].append(lambda c=article: model.recommend(c, 10, mask))
        ops["hybrid.similar_items"].append(lambda a=anchor: model.similar_items(a, 10, mask))
        ops["hybrid.bought_together"].append(lambda a=anchor: model.bought_together(a, 10, mask))
        ops["collaborative.recommend"].append(lambda r=row: collab.recommend(r, N=10))
        ops["shop-path/recommend/home"].append(
            lambda c=home: model.recommend(c, 10, snapshot.mask_for(model)))
        ops["shop-path/similar_items"].append(
            lambda a=anchor: model.similar_items(a, 10, snapshot.mask_for(model), exclude=[a]))
        ops["shop-path/eligible-mask"].append(lambda: EligibleSnapshot(slugs).mask_for(model))
        ops["slug-set/recommend/home"].append(
            lambda c=home: model.recommend(c, 10, slugs - set()))
        ops["slug-set/similar_items"].append(
            lambda a=anchor: model.similar_items(a, 10, slugs - {a}))
    return ops


def _time(calls, warmup: int = 20) -> dict:
    for call in calls[:warmup]:
        call()
    wall, cpu = [], []
    for call in calls:
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        result = call()
        c1, t1 = time.thread_time_ns(), time.perf_counter_ns()
        wall.append((t1 - t0) / 1e6)
        cpu.append((c1 - c0) / 1e6)
        assert result is not None
    return {**percentiles(wall), **percentiles(cpu, "cpu_"), "n": len(calls)}


def _setup(n_items: int, n_interactions: int, seed: int):
    from synthetic import eligible_mask, make_catalog, make_interactions

    items, docs, cluster = make_catalog(n_items, seed=seed)
    inter = make_interactions(n_interactions, n_items, cluster, seed=seed + 1)
    return items, docs, inter, eligible_mask(n_items, seed=seed + 2)


def run_one(n_items: int, n_interactions: int, n_queries: int, seed: int) -> dict:
    """One catalog size, in this process."""
    from recommender.hybrid import HybridRecommender

    items, docs, inter, mask = _setup(n_items, n_interactions, seed)
    gc.collect()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    with PeakRSS() as peak:
        model = HybridRecommender(**MODEL_PARAMS).fit(items, inter, docs)
    fit_seconds = time.perf_counter() - t0
    gc.collect()
    rss_after = rss_bytes()

    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    collab_blob = pickle.dumps(model.collaborative_, protocol=pickle.HIGHEST_PROTOCOL)
    tracemalloc.start()
    loaded = pickle.loads(blob)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del loaded
    gc.collect()
    tracemalloc.start()
    loaded = pickle.loads(collab_blob)
    collab_held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del loaded

    visitors = _visitors(items, docs, inter, n_queries, seed + 3)
    slugs = frozenset(i.item_id for i, ok in zip(items, mask, strict=False) if ok)
    ops = _calls(model, visitors, mask, slugs)
    latency = {name: _time(calls) for name, calls in ops.items()}
    # The same with BLAS pools limited to one thread: what the shop's create_app sets
    # (BLAS_THREADS=1), so what a gunicorn worker runs; small BLAS calls otherwise spin-wait.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        latency_1 = {name: _time(calls) for name, calls in ops.items()}
    sim = model.collaborative_.similarity_
    return {
        "n_items": n_items,
        "n_documents": len(docs),
        "n_interactions": n_interactions,
        "n_users": model.stats_["n_users"],
        "n_queries": n_queries,
        "collaborative": model.stats_.get("collaborative"),
        "history_len_mean": float(sum(len(v["history"]) for v in visitors) / len(visitors)),
        "fit_seconds": fit_seconds,
        "memory": {
            "pickled_model_mib": mib(len(blob)),
            "pickled_collaborative_mib": mib(len(collab_blob)),
            "held_model_mib": mib(held),
            "held_collaborative_mib": mib(collab_held),
            "rss_delta_over_fit_mib": mib(rss_after - rss_before),
            "rss_peak_over_fit_mib": mib(peak.peak - rss_before),
            "collaborative_similarity_nnz": int(sim.nnz),
            "content_terms": int(model.content_.item_matrix_.shape[1]),
        },
        "latency_ms": latency,
        "latency_ms_blas_1_thread": latency_1,
    }


def profile_one(n_items: int, n_interactions: int, n_queries: int, seed: int) -> None:
    """cProfile of the hybrid's home recommendation and product-page calls at one size."""
    import cProfile
    import pstats

    from recommender.hybrid import HybridRecommender

    items, docs, inter, mask = _setup(n_items, n_interactions, seed)
    model = HybridRecommender(**MODEL_PARAMS).fit(items, inter, docs)
    visitors = _visitors(items, docs, inter, n_queries, seed + 3)
    slugs = frozenset(i.item_id for i, ok in zip(items, mask, strict=False) if ok)
    ops = _calls(model, visitors, mask, slugs)
    from threadpoolctl import threadpool_limits

    for blas in (None, 1):
        with threadpool_limits(limits=blas):
            for name in ("hybrid.recommend/home", "hybrid.bought_together", "shop-path/similar_items"):
                prof = cProfile.Profile()
                prof.enable()
                for call in ops[name]:
                    call()
                prof.disable()
                print(f"\n===== {name} ({n_items} products, {len(ops[name])} calls, "
                      f"BLAS threads {'default' if blas is None else blas})")
                pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def _fmt(results: list[dict], key: str = "latency_ms") -> str:
    lines = [key]
    head = f"{'operation':<28}" + "".join(f"{r['n_items']:>10,d} p50/p99" for r in results)
    lines.append(head)
    for op in OPERATIONS:
        cells = "".join(
            f"{r[key][op]['p50']:>9.2f}/{r[key][op]['p99']:<8.2f}" for r in results)
        lines.append(f"{op:<28}{cells}")
    for key in ("pickled_model_mib", "held_model_mib", "held_collaborative_mib", "rss_delta_over_fit_mib"):
        lines.append(f"{key:<28}" + "".join(f"{r['memory'][key]:>18.1f}" for r in results))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=int, metavar="N_ITEMS",
                        help="print a cProfile of the hot path at this catalog size and exit")
    parser.add_argument("--collaborative", default=None,
                        help="the hybrid's collaborative model (default: its own, 'auto')")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.collaborative:
        MODEL_PARAMS["collaborative"] = args.collaborative

    if args.one:
        print(json.dumps(run_one(args.one, args.interactions, args.queries, args.seed)))
        return 0
    if args.profile:
        profile_one(args.profile, args.interactions, min(args.queries, 300), args.seed)
        return 0

    results = []
    for size in args.sizes:
        print(f"serving: {size:,} products, {args.interactions:,} interactions ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--interactions", str(args.interactions),
             "--queries", str(args.queries), "--seed", str(args.seed),
             *(["--collaborative", args.collaborative] if args.collaborative else [])],
            capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"  fit {r['fit_seconds']:.1f}s, home p99 {r['latency_ms']['hybrid.recommend/home']['p99']:.2f} ms",
              file=sys.stderr, flush=True)

    largest = max(results, key=lambda r: r["n_items"])
    # As shipped = the shop's path with BLAS limited to one thread (create_app's BLAS_THREADS=1).
    p99 = largest["latency_ms_blas_1_thread"][TARGET_OPERATION]["p99"]
    p99_default = largest["latency_ms"][TARGET_OPERATION]["p99"]
    collab_p99 = largest["latency_ms_blas_1_thread"]["collaborative.recommend"]["p99"]
    # The same ratio on CPU time of the thread (robust to waiting for a core on a shared machine).
    cpu = largest["latency_ms_blas_1_thread"]
    cpu_ratio = cpu[TARGET_OPERATION]["cpu_p99"] / cpu["collaborative.recommend"]["cpu_p99"]
    report = {
        "bench": "serving",
        "machine": machine(),
        "command": "python bench/serving.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "params": {"sizes": args.sizes, "interactions": args.interactions, "queries": args.queries,
                   "seed": args.seed, "eligible_share": 0.95, "n": 10},
        "target": {"what": "hybrid top-10 p99 at the largest catalog, as the shop calls it "
                           "(its eligibility mask, BLAS 1 thread)",
                   "operation": TARGET_OPERATION, "p99_ms_max": TARGET_P99_MS,
                   "n_items": largest["n_items"], "p99_ms": p99, "ratio": p99 / TARGET_P99_MS,
                   "met": p99 <= TARGET_P99_MS,
                   "p99_ms_blas_default": p99_default, "met_blas_default": p99_default <= TARGET_P99_MS,
                   "collaborative_p99_ms": collab_p99, "ratio_to_collaborative": p99 / collab_p99,
                   "ratio_to_collaborative_cpu": cpu_ratio,
                   "ratio_to_collaborative_max": 3.0,
                   "met_ratio_to_collaborative": p99 / collab_p99 <= 3.0,
                   "met_ratio_to_collaborative_cpu": cpu_ratio <= 3.0,
                   "load_average_after": list(__import__("os").getloadavg())},
        "collaborative": largest.get("collaborative"),
        "results": results,
    }
    path = write_result("serving", report) if args.out is None else args.out
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(_fmt(results))
    print(_fmt(results, "latency_ms_blas_1_thread"))
    print(f"target p99 <= {TARGET_P99_MS} ms at {largest['n_items']:,}: {p99:.2f} ms -> "
          f"{'met' if p99 <= TARGET_P99_MS else 'NOT met'}; x{p99 / collab_p99:.1f} its "
          f"collaborative part ({collab_p99:.2f} ms; target <= x3); wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
