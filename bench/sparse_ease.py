"""Size benchmark of the sparse EASE: fit time and peak memory at 100k items.

Why: dense EASE refuses catalogs above 25k items (``4 n**2`` bytes per dense matrix); the
sparse, neighbourhood-restricted EASE must fit 100k items in at most 4 GiB on two cores.
Quality against dense EASE (where both fit) is measured by ``bench/quality.py``
(``sparse-ease`` against ``ease-decay``: same ``l2``, same decay grid).

Usage::

    .venv/bin/python bench/sparse_ease.py --items 100000 --rows 1000000

Writes ``bench/results/sparse_ease.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.synthetic import make_catalog, make_interactions  # noqa: E402
from recommender.interactions import IdIndex, to_matrix  # noqa: E402
from recommender.ordering import recency_matrix  # noqa: E402
from recommender.sparse_ease import SparseEASE  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=128)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "sparse_ease.json")
    args = parser.parse_args(argv)

    catalog, docs, cluster = make_catalog(args.items)
    inter = make_interactions(args.rows, args.items, cluster, n_docs=len(docs))
    # The whole catalog is the item index, as in the shop: items nobody touched yet still count.
    items = IdIndex([item.item_id for item in catalog] + [d.doc_id for d in docs])
    X, users, items = to_matrix(inter, items=items, event_weights={})
    X.data[:] = 1.0
    times = recency_matrix(inter, users, items, like=X)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    start, cpu = time.perf_counter(), time.process_time()
    model = SparseEASE(l2=100.0, k=args.k, decay=0.6).fit(X, times=times)
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    model.recommend(X[:1000], N=10, times=times[:1000])
    recommend_ms = (time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    report = {
        "items": int(X.shape[1]), "items_with_interactions": int((X.getnnz(axis=0) > 0).sum()),
        "users": int(X.shape[0]), "interactions": args.rows,
        "nnz": int(X.nnz), "k": args.k,
        "fit_seconds": fit_seconds, "fit_cpu_seconds": fit_cpu,
        "peak_rss_gib": peak, "peak_rss_gib_before_fit": rss_before,
        "weights_nnz": int(model.similarity_.nnz),
        "recommend_ms_per_user": recommend_ms,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
