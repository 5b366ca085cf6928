"""Training at scale: the in-process trainer beside the Spark engine (local mode).

For each size, synthetic events (``bench/synthetic.py``: power-law popularity, sessions with
co-occurrence, 60 days) over a fixed catalog (``--items`` products and 60 articles), and two
engines fitting the same served model (collaborative SLIST with a transition part, the
history capped at 500 items, co-purchase RP3beta, decayed popularity):

- ``python``: ``HybridRecommender.fit(items, interactions, documents)`` on the events in
  memory (what ``shop recommender train`` does after reading the database);
- ``spark``: the events as Parquet partitioned by day (written first, not timed), then
  ``spark_training.summarize`` in ``local[N]`` and ``fit(..., statistics=summary)`` — what
  ``shop recommender train --engine spark`` does.

Each run is its own subprocess. Memory is the peak RSS of the run's process tree (for Spark:
the Python driver and its JVM, which in local mode is also the only executor), sampled every
50 ms. Wall time is the fit alone (for Spark including the session start); CPU time is the
tree's user + system time over the same span, the fairer figure on a shared machine.

Usage::

    .venv/bin/python bench/spark_scaling.py --sizes 1000000 10000000
    .venv/bin/python bench/spark_scaling.py --sizes 50000000 --engines spark

Writes ``bench/results/spark_scaling.json`` (merged with earlier runs by size and engine).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import REPO, RESULTS, load_average, machine, mib, write_result  # noqa: E402

CHUNK = 5_000_000
PARAMS = {"collaborative": "slist", "max_user_items": 500,
          "collaborative_params": {"l2": 100.0, "alpha": 0.25, "window": 3, "transition_decay": 0.6}}


class TreeRSS:
    """Peak RSS of this process and all its descendants (the JVM of a Spark driver)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def _tree(self):
        return [self._proc, *self._proc.children(recursive=True)]

    def _sample(self) -> int:
        import psutil

        total = 0
        for proc in self._tree():
            try:
                total += proc.memory_info().rss
                self._cpu[proc.pid] = sum(proc.cpu_times()[:2])  # user + system
            except psutil.Error:
                pass
        return total

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the tree while sampled (a child's last sample counts once it ends)."""
        return sum(self._cpu.values()) - self._cpu_start

    def __enter__(self):
        import psutil

        self._proc = psutil.Process()
        self._cpu: dict[int, float] = {}
        self.start = self.peak = self._sample()
        self._cpu_start = sum(self._cpu.values())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())
        return False


def chunks(n_rows: int, n_items: int, seed: int):
    """The events in chunks of at most CHUNK rows (distinct visitors per chunk)."""
    from synthetic import make_catalog, make_interactions

    from recommender.interactions import Interactions

    _, _, cluster = make_catalog(n_items, seed=seed)
    for k, start in enumerate(range(0, n_rows, CHUNK)):
        part = make_interactions(min(CHUNK, n_rows - start), n_items, cluster, seed=seed + 1 + k)
        users = (f"c{k}-" + part.user_ids.astype(str)).astype(object)
        yield k, Interactions(users, part.item_ids, part.weights, part.timestamps, part.events)


def write_parquet(n_rows: int, n_items: int, seed: int, directory: Path) -> float:
    """The events as ``day=.../chunkK-0.parquet`` (the export's layout); returns seconds."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from shop.events.parquet_export import schema

    t0 = time.perf_counter()
    for k, part in chunks(n_rows, n_items, seed):
        micros = np.round(part.timestamps * 1e6).astype(np.int64)
        days = (np.datetime64("1970-01-01") + (micros // 86_400_000_000).astype("timedelta64[D]")).astype(str)
        table = pa.Table.from_arrays([
            pa.array(part.user_ids.astype(str)), pa.array(part.item_ids.astype(str)),
            pa.array(micros).cast(pa.timestamp("us", tz="UTC")), pa.array(part.events.astype(str)),
            pa.array(part.weights)], schema=schema()).append_column("day", pa.array(days))
        pq.write_to_dataset(table, directory, partition_cols=["day"],
                            basename_template=f"chunk{k}-{{i}}.parquet")
    return time.perf_counter() - t0


def run_python(n_rows: int, n_items: int, seed: int) -> dict:
    import numpy as np
    from synthetic import make_catalog

    from recommender.hybrid import HybridRecommender
    from recommender.interactions import Interactions

    items, docs, _ = make_catalog(n_items, seed=seed)
    parts = [p for _, p in chunks(n_rows, n_items, seed)]
    inter = Interactions(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                           ("user_ids", "item_ids", "weights", "timestamps", "events")))
    del parts
    t0 = time.perf_counter()
    with TreeRSS() as rss:
        model = HybridRecommender(**PARAMS).fit(items, inter, docs)
    return {"fit_seconds": time.perf_counter() - t0, "cpu_seconds": rss.cpu_seconds,
            "peak_rss_mib": mib(rss.peak),
            "rss_before_fit_mib": mib(rss.start), "n_users": model.stats_["n_users"],
            "collaborative": model.stats_["collaborative"]["model"]}


def run_spark(n_rows: int, n_items: int, seed: int, events: str, cores: int, memory: str) -> dict:
    from synthetic import make_catalog

    from recommender.hybrid import HybridRecommender
    from recommender.hybrid_statistics import item_space
    from shop.recommendations import spark_training

    items, docs, _ = make_catalog(n_items, seed=seed)
    t0 = time.perf_counter()
    with TreeRSS() as rss:
        spark = spark_training.session(f"local[{cores}]", {"spark.driver.memory": memory,
                                                           "spark.ui.enabled": "false"})
        spark.sparkContext.setLogLevel("ERROR")
        started = time.perf_counter() - t0
        hybrid = HybridRecommender(**PARAMS)
        job = spark_training.summarize(spark, spark_training.read_events(spark, events), hybrid,
                                       item_space(items, docs))
        summarised = time.perf_counter() - t0
        model = hybrid.fit(items, None, docs, statistics=job.summary)
    wall = time.perf_counter() - t0
    spark.stop()
    return {"fit_seconds": wall, "cpu_seconds": rss.cpu_seconds, "session_start_seconds": started,
            "summary_seconds": summarised - started,
            "driver_solve_seconds": wall - summarised, "peak_rss_mib": mib(rss.peak),
            "rss_before_fit_mib": mib(rss.start), "n_users": model.stats_["n_users"],
            "spark_driver_memory": memory, "cores": cores}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", choices=("python", "spark"), default=["python", "spark"])
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        engine, size, events = args.one
        if engine == "python":
            result = run_python(int(size), args.items, args.seed)
        else:
            result = run_spark(int(size), args.items, args.seed, events, args.cores, args.driver_memory)
        print(json.dumps(result))
        return 0

    path = RESULTS / "spark_scaling.json"
    earlier = json.loads(path.read_text())["results"] if path.exists() else []
    results = {(r["engine"], r["n_events"]): r for r in earlier}
    for size in args.sizes:
        scratch = Path(tempfile.mkdtemp(prefix="spark-scaling-"))
        try:
            parquet_seconds = None
            if "spark" in args.engines:
                print(f"writing {size:,} events as Parquet ...", file=sys.stderr, flush=True)
                parquet_seconds = write_parquet(size, args.items, args.seed, scratch / "events")
            for engine in args.engines:
                print(f"{engine}: {size:,} events ...", file=sys.stderr, flush=True)
                cmd = [sys.executable, __file__, "--one", engine, str(size), str(scratch / "events"),
                       "--items", str(args.items), "--seed", str(args.seed), "--cores", str(args.cores),
                       "--driver-memory", args.driver_memory]
                row = {"engine": engine, "n_events": size, "n_items": args.items,
                       "load_average_before": load_average()}
                try:
                    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=args.timeout)
                    if proc.returncode:
                        row["error"] = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                        print(proc.stderr[-3000:], file=sys.stderr)
                    else:
                        row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
                except subprocess.TimeoutExpired:
                    row["error"] = f"did not finish within {args.timeout:.0f} s"
                row["load_average_after"] = load_average()
                if engine == "spark":
                    row["parquet_write_seconds"] = parquet_seconds
                results[(engine, size)] = row
                print(f"  {row}", file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if path.exists():  # another run may have finished meanwhile: keep its sizes too
        for r in json.loads(path.read_text())["results"]:
            results.setdefault((r["engine"], r["n_events"]), r)
    report = {"bench": "spark_scaling", "machine": machine(), "params": PARAMS,
              "command": "python bench/spark_scaling.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "results": sorted(results.values(), key=lambda r: (r["n_events"], r["engine"]))}
    write_result("spark_scaling", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
