"""One model for all workers: what each gunicorn worker adds in memory, and serving latency.

Fits the hybrid on a seeded synthetic catalog (default 100k products, 1M interactions,
``bench/synthetic.py``) and saves it as the shop does (artifact format 4: its large arrays,
ids included, as ``.npy`` files that workers map read-only). Then runs gunicorn twice with ``--workers`` sync
workers (default 4) of ``bench/worker_app.py`` — the shop's own ``ModelStore`` loading the
artifact, answering the home recommendation for real visitor histories of the synthetic log:

1. without a model (what a worker costs anyway: Python, NumPy, SciPy, scikit-learn, the shop);
2. with the model.

After warming every worker up it sends ``--requests`` requests from each number of client
threads in ``--clients`` (default 1, 2, then 4: the load generator runs on the same 2 cores,
so one request at a time measures service time, two already share a core with the client
threads, and four measure queueing too), then reads each worker's
``/proc/PID/smaps_rollup``: RSS, PSS, USS (private clean + dirty) and private
dirty memory (the worker's own heap; the mapped model's pages are clean file pages held once
by the page cache). What each worker beyond the first adds for the model is its private dirty
memory with the model minus without, against the model's size on disk (artifact + arrays).
The first worker also brings the mapped pages into the page cache; that is the model's size,
once. Latency: the model call inside the worker (``recommend``, the ≤ 10 ms target, as
``bench/serving.py`` measures it; wall and CPU time) and the HTTP round trip, with the
workers' CPU seconds and the load average before and after each run beside the wall time.

Usage::

    .venv/bin/python bench/worker_memory.py                      # 100k products, 4 workers
    .venv/bin/python bench/worker_memory.py --items 10000 --requests 500 --clients 1
    .venv/bin/python bench/worker_memory.py --model-dir /tmp/m   # reuse a model fitted before

Writes ``bench/results/worker_memory.json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Gunicorn  # noqa: E402
from _util import REPO, load_average, machine, percentiles, write_result  # noqa: E402

TARGET_RATIO = 0.10
TARGET_P99_MS = 10.0
ARTIFACT = "recommender.bcart"


def model_bytes(model_dir: Path) -> int:
    return sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())


def fit_and_save(model_dir: Path, n_items: int, n_rows: int, params: dict, log=print) -> dict:
    from synthetic import make_catalog, make_interactions

    from recommender.hybrid import HybridRecommender
    from recommender.persistence import save_artifact

    items, docs, cluster = make_catalog(n_items)
    inter = make_interactions(n_rows, n_items, cluster)
    started = time.perf_counter()
    model = HybridRecommender(**params).fit(items, inter, docs)
    fit_s = time.perf_counter() - started
    log(f"  fitted {n_items:,} products on {n_rows:,} interactions in {fit_s:.0f}s")
    model_dir.mkdir(parents=True, exist_ok=True)
    header = save_artifact(model, model_dir / ARTIFACT, metadata={
        "bench": "worker_memory", "n_items": n_items, "n_interactions": n_rows,
        "params": params, "fit_seconds": round(fit_s, 1)})
    return header


def histories(n_items: int, n_rows: int, count: int) -> list[str]:
    """``count`` visitors' histories (comma-joined item ids) from the synthetic log."""
    import numpy as np
    from synthetic import make_catalog, make_interactions

    _, _, cluster = make_catalog(n_items)
    inter = make_interactions(n_rows, n_items, cluster)
    users = inter.user_ids
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])  # sessions are contiguous
    bounds = np.append(starts, len(users))
    picked = np.random.default_rng(3).choice(len(starts), size=count)
    out = []
    for j in picked:
        ids = [i for i in inter.item_ids[bounds[j]:bounds[j + 1]].tolist() if i.startswith("p")]
        out.append(",".join(ids[-20:]))
    return out


def rollup(pid: int) -> dict[str, float]:
    """MiB figures of ``/proc/PID/smaps_rollup``."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[-1] == "kB":
            out[parts[0].rstrip(":")] = int(parts[1]) / 1024.0
    return {"rss": out["Rss"], "pss": out["Pss"],
            "uss": out["Private_Clean"] + out["Private_Dirty"],
            "private_dirty": out["Private_Dirty"], "shared": out["Shared_Clean"] + out["Shared_Dirty"]}


def mapped_model_rss(pid: int, model_dir: Path) -> float:
    """MiB of the worker's resident pages that belong to the model's mapped array files."""
    total, inside = 0, False
    prefix = str(model_dir.resolve())
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
            inside = len(fields) >= 6 and fields[5].startswith(prefix)
        elif inside and fields and fields[0] == "Rss:":
            total += int(fields[1])
    return total / 1024.0


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def get(url: str) -> tuple[float, dict | None]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read()) if exc.code == 503 else None
    return (time.perf_counter() - started) * 1000.0, body


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def measure(pids: list[int], urls: list[str], clients: int) -> dict:
    """``urls`` fetched by ``clients`` threads: latencies, throughput, CPU seconds, load."""
    load_before, cpu_before = load_average(), cpu_seconds(pids)
    with futures.ThreadPoolExecutor(clients) as pool:
        started = time.perf_counter()
        answers = list(pool.map(get, urls))
        seconds = time.perf_counter() - started
    served = [body for _, body in answers if body and "model_ms" in body]
    return {
        "clients": clients, "requests": len(answers), "answered_by_model": len(served),
        "wall_seconds": round(seconds, 2),
        "workers_cpu_seconds": round(cpu_seconds(pids) - cpu_before, 2),
        "load_average_before": load_before, "load_average_after": load_average(),
        "throughput_rps": round(len(answers) / seconds, 1),
        "workers_answering": len({body["pid"] for _, body in answers if body}),
        "http_ms": percentiles([ms for ms, _ in answers]),
        "model_ms": percentiles([body["model_ms"] for body in served]) if served else None,
        "model_cpu_ms": percentiles([body["model_cpu_ms"] for body in served]) if served else None,
    }


def run_server(env: dict, model_dir: Path, workers: int, visitors: list[str], warmup: int,
               requests: int, clients: list[int], log=print) -> dict:
    extra = {"MODEL_DIR": str(model_dir), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    server = Gunicorn("worker_app:app", env, workers=workers, extra_env=extra,
                      args=("--timeout", "300"))
    server.startup_seconds = 600.0  # four workers importing SciPy at once on a busy machine
    with server:
        pids = worker_pids(server.proc.pid)
        for _ in range(120):  # every worker up (the first to answer is not the last to boot)
            if all(Path(f"/proc/{pid}/smaps_rollup").exists() for pid in pids) and \
                    len({get(server.url + "/pid")[1]["pid"] for _ in range(4 * workers)}) == workers:
                break
            time.sleep(1.0)
        urls = [f"{server.url}/recommend?h={h}" for h in visitors]
        with futures.ThreadPoolExecutor(max(clients)) as pool:
            list(pool.map(get, urls[:warmup]))
        runs = [measure(pids, urls[warmup:warmup + requests], n) for n in clients]
        memory = {pid: {**rollup(pid), "mapped_model_rss": mapped_model_rss(pid, model_dir)}
                  for pid in pids}
    result = {"worker_pids": pids, **runs[0], "by_clients": runs, "memory_mib": memory}
    for run in runs:
        log(f"  {len(pids)} workers, {run['clients']} clients: {run['answered_by_model']}/"
            f"{run['requests']} answered by the model, {run['wall_seconds']} s wall, "
            f"{run['workers_cpu_seconds']} CPU s, load {run['load_average_after']}")
    return result


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4],
                        help="client threads of each measured run (the first is the target's)")
    parser.add_argument("--collaborative", default=None,
                        help="the hybrid's collaborative model (default: the shop's, chosen by validation)")
    parser.add_argument("--model-dir", type=Path, default=None,
                        help="reuse (or write) the fitted model here instead of a temp folder")
    args = parser.parse_args(argv)

    params = {} if args.collaborative is None else {"collaborative": args.collaborative}
    model_dir = args.model_dir or Path(tempfile.mkdtemp(prefix="backcare-bench-model-"))
    if not (model_dir / ARTIFACT).exists():
        print(f"Fitting the model into {model_dir} ...")
        fit_and_save(model_dir, args.items, args.interactions, params)
    from recommender.persistence import artifact_info

    header = artifact_info(model_dir / ARTIFACT)
    size = model_bytes(model_dir) / 2**20
    print(f"Model {header['model_version']}: {size:.1f} MiB on disk "
          f"({len(header.get('arrays') or {})} mapped arrays)")
    visitors = histories(args.items, args.interactions, args.warmup + args.requests)
    env = {**os.environ, "BENCH_ITEMS": str(args.items), "PYTHONPATH": str(REPO),
           "INSTANCE_PATH": tempfile.mkdtemp(prefix="backcare-bench-logs-")}
    empty = Path(tempfile.mkdtemp(prefix="backcare-bench-nomodel-"))
    try:
        print("Without a model:")
        baseline = run_server(env, empty, args.workers, visitors, args.warmup, args.requests,
                              args.clients)
        print("With the model:")
        loaded = run_server(env, model_dir, args.workers, visitors, args.warmup, args.requests,
                            args.clients)
    finally:  # only what this run created; a --model-dir is kept for the next run
        for temporary in (empty, Path(env["INSTANCE_PATH"]), None if args.model_dir else model_dir):
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)

    base = baseline["memory_mib"].values()
    with_model = loaded["memory_mib"].values()
    added = mean(w["private_dirty"] for w in with_model) - mean(w["private_dirty"] for w in base)
    added_uss = mean(w["uss"] for w in with_model) - mean(w["uss"] for w in base)
    pss_total = sum(w["pss"] for w in with_model) - sum(w["pss"] for w in base)
    summary = {
        "model_mib": round(size, 1),
        "mapped_arrays": len(header.get("arrays") or {}),
        "added_per_worker_private_mib": round(added, 1),
        "added_per_worker_uss_mib": round(added_uss, 1),
        "ratio_added_per_worker_to_model": round(added / size, 3),
        "target_ratio": TARGET_RATIO,
        "ratio_met": added / size <= TARGET_RATIO,
        "pss_total_added_mib": round(pss_total, 1),
        "model_p99_ms": round(loaded["model_ms"]["p99"], 2),
        "model_cpu_p99_ms": round(loaded["model_cpu_ms"]["p99"], 2),
        "http_p99_ms": round(loaded["http_ms"]["p99"], 2),
        "target_p99_ms": TARGET_P99_MS,
        "p99_met": loaded["model_ms"]["p99"] <= TARGET_P99_MS,
        "p99_clients": loaded["clients"],
        "p99_by_clients": {run["clients"]: {"model_ms": round(run["model_ms"]["p99"], 2),
                                            "model_cpu_ms": round(run["model_cpu_ms"]["p99"], 2),
                                            "http_ms": round(run["http_ms"]["p99"], 2)}
                           for run in loaded["by_clients"]},
    }
    print(json.dumps(summary, indent=2))
    result = {
        "bench": "worker_memory", "machine": machine(),
        "command": "python bench/worker_memory.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "params": {"items": args.items, "interactions": args.interactions, "workers": args.workers,
                   "requests": args.requests, "warmup": args.warmup, "clients": args.clients,
                   "hybrid": params},
        "model": {"version": header["model_version"], "format_version": header["format_version"],
                  "metadata": header.get("metadata")},
        "summary": summary, "without_model": baseline, "with_model": loaded,
    }
    write_result("worker_memory", result)
    return result


if __name__ == "__main__":
    main()
