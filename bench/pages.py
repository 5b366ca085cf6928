"""Page benchmark: requests/s of the product page with vs without its recommendation blocks.

Sets up a throw-away shop (fresh SQLite in a temp instance: ``shop db init``, ``shop db
seed-demo``, ``shop recommender seed-demo``, ``shop recommender train``) and serves it with
gunicorn, 2 sync workers, on 127.0.0.1:

- ``with-recommendations``: ``wsgi:app``, the shop as shipped; the product page renders
  "Similar products" and "Frequently bought together";
- ``plain``: ``bench/plain_wsgi.py``, the same app whose templates get no recommendation
  slots (the shop has no switch for this; production code is not changed for a benchmark);
- ``with-recommendations, BLAS_THREADS=default``: the shipped app with BLAS thread pools left
  at the libraries' default (one thread per core) instead of the shop's ``BLAS_THREADS=1``,
  to show what that limit costs or saves;
- ``product JSON API`` (``/api/products/<slug>``) on the shipped app, for reference.

Load: closed loop, ``--clients`` threads each with its own cookie session (a visitor whose
history grows), cycling over every product of the catalog; after ``--warmup`` seconds, requests
are counted for ``--duration`` seconds. The variants are interleaved for ``--rounds`` rounds so
drifting load on a shared machine hits them alike. Target: with ≥ 50% of plain.

Usage::

    .venv/bin/python bench/pages.py                    # 2 rounds x 15 s per variant
    .venv/bin/python bench/pages.py --duration 20 --rounds 1 --clients 8

Writes ``bench/results/pages.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Gunicorn, prepare_instance, remove_instance  # noqa: E402
from _util import machine, percentiles, write_result  # noqa: E402

TARGET_RATIO = 0.5
REC_MARKER = 'data-slot="similar"'


def closed_loop(base: str, paths: list[str], clients: int, duration: float, warmup: float) -> dict:
    """``clients`` threads requesting ``paths`` round-robin; counts what finishes in the window."""
    import requests

    start = time.monotonic()
    t_begin, t_end = start + warmup, start + warmup + duration
    lock = threading.Lock()
    stats = {"ok": 0, "errors": 0, "latencies": [], "with_marker": 0, "status": {}}

    def worker(k: int) -> None:
        session = requests.Session()
        i = k * 7
        while True:
            now = time.monotonic()
            if now >= t_end:
                return
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = session.get(base + path, timeout=30)
                status, body = r.status_code, r.text
            except requests.RequestException as exc:
                status, body = type(exc).__name__, ""
            t1 = time.perf_counter()
            if now < t_begin or time.monotonic() > t_end:
                continue
            with lock:
                stats["status"][str(status)] = stats["status"].get(str(status), 0) + 1
                if status == 200:
                    stats["ok"] += 1
                    stats["latencies"].append((t1 - t0) * 1000)
                    stats["with_marker"] += REC_MARKER in body
                else:
                    stats["errors"] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = stats.pop("latencies")
    return {**stats, "rps": stats["ok"] / duration, "duration_s": duration,
            "latency_ms": percentiles(lat) if lat else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the temp instance")
    args = parser.parse_args(argv)

    print("pages: preparing a fresh shop ...", file=sys.stderr, flush=True)
    instance, env = prepare_instance(log=lambda m: print(m, file=sys.stderr, flush=True))
    try:
        with Gunicorn("wsgi:app", env) as shop, Gunicorn("plain_wsgi:app", env) as plain, \
                Gunicorn("wsgi:app", env, extra_env={"BLAS_THREADS": "default"}) as shop_blas:
            with urllib.request.urlopen(shop.url + "/api/products?per_page=60") as r:
                first = json.load(r)
            slugs = [p["slug"] for p in first["items"]]
            page = 2
            while len(slugs) < first.get("total", 0):
                with urllib.request.urlopen(f"{shop.url}/api/products?per_page=60&page={page}") as r:
                    slugs += [p["slug"] for p in json.load(r)["items"]]
                page += 1
            html = [f"/products/{s}" for s in slugs]
            api = [f"/api/products/{s}" for s in slugs]
            variants = {
                "with-recommendations": (shop.url, html),
                "plain": (plain.url, html),
                "with-recommendations, BLAS_THREADS=default": (shop_blas.url, html),
                "product JSON API": (shop.url, api),
            }
            runs: dict[str, list[dict]] = {name: [] for name in variants}
            for rnd in range(args.rounds):
                for name, (base, paths) in variants.items():
                    r = closed_loop(base, paths, args.clients, args.duration, args.warmup)
                    runs[name].append(r)
                    print(f"  round {rnd + 1} {name:<46} {r['rps']:7.1f} req/s  "
                          f"p95 {r['latency_ms']['p95'] if r['latency_ms'] else float('nan'):7.1f} ms  "
                          f"errors {r['errors']}", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            remove_instance(instance)

    summary = {}
    for name, rs in runs.items():
        ok = sum(r["ok"] for r in rs)
        summary[name] = {
            "rps": ok / sum(r["duration_s"] for r in rs),
            "rps_per_round": [round(r["rps"], 1) for r in rs],
            "errors": sum(r["errors"] for r in rs),
            "pages_with_recommendation_blocks": sum(r["with_marker"] for r in rs),
            "requests": ok,
            "p50_ms": sorted(r["latency_ms"]["p50"] for r in rs)[len(rs) // 2] if ok else None,
            "p95_ms": max(r["latency_ms"]["p95"] for r in rs) if ok else None,
        }
    ratio = summary["with-recommendations"]["rps"] / summary["plain"]["rps"]
    ratio_blas = summary["with-recommendations, BLAS_THREADS=default"]["rps"] / summary["plain"]["rps"]
    report = {
        "bench": "pages",
        "machine": machine(),
        "command": "python bench/pages.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "params": {"workers": 2, "server": "gunicorn sync", "clients": args.clients,
                   "duration_s": args.duration, "warmup_s": args.warmup, "rounds": args.rounds,
                   "products": len(slugs), "database": "SQLite (fresh temp instance)"},
        "target": {"what": "product page with recommendation blocks, req/s relative to plain",
                   "ratio_min": TARGET_RATIO, "ratio": ratio, "met": ratio >= TARGET_RATIO,
                   "ratio_blas_default": ratio_blas},
        "summary": summary,
        "runs": runs,
    }
    path = write_result("pages", report)
    for name, s in summary.items():
        print(f"{name:<48}{s['rps']:8.1f} req/s  p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  "
              f"errors {s['errors']}")
    print(f"with/plain = {ratio:.2f} (target >= {TARGET_RATIO}) -> {'met' if ratio >= TARGET_RATIO else 'NOT met'}; "
          f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
