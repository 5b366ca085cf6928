"""Small helpers shared by the benchmarks: machine facts, percentiles, peak RSS, JSON output."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def load_average() -> list[float]:
    """The 1, 5 and 15-minute load averages, rounded: recorded beside every wall time."""
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    """Where and when a benchmark ran: CPU, memory, load, Python, libraries, BLAS kernel."""
    import numpy
    import pandas
    import scipy
    import sklearn

    info: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": numpy.__version__, "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__, "pandas": pandas.__version__,
        "load_average": load_average(),
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                               "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "prefix")}
            for p in threadpool_info() if p.get("user_api") == "blas"
        ]
    except Exception as exc:  # noqa: BLE001 - informational only
        info["blas"] = f"unavailable: {exc}"
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                                            capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "recommender", "shop"],
                               cwd=REPO, capture_output=True, text=True).stdout.split("\n")
        info["uncommitted_in_recommender_or_shop"] = sorted(
            line[3:] for line in dirty if line.strip() and not line.startswith("??"))
    except OSError:
        pass
    return info


def percentiles(values_ms, prefix: str = "") -> dict:
    import numpy as np

    a = np.asarray(values_ms, dtype=float)
    return {
        f"{prefix}p50": float(np.percentile(a, 50)),
        f"{prefix}p95": float(np.percentile(a, 95)),
        f"{prefix}p99": float(np.percentile(a, 99)),
        f"{prefix}mean": float(a.mean()),
        f"{prefix}max": float(a.max()),
    }


def rss_bytes() -> int:
    import psutil

    return psutil.Process().memory_info().rss


class PeakRSS:
    """Sample this process's RSS every ``interval`` seconds in a thread; ``peak`` after exit."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self):
        import psutil

        self._proc = psutil.Process()
        self.start = self._proc.memory_info().rss
        self.peak = self.start
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)
        return False


def write_result(name: str, data: dict) -> Path:
    """Write ``bench/results/<name>.json`` atomically."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)
    return path


def mib(n: float) -> float:
    return round(n / 2**20, 1)
