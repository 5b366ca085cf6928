"""How long ``shop recommender evaluate`` takes for every model on one real data set.

Issue 11 asks for the whole comparison (baselines, every collaborative model with its
validation-chosen settings, the served hybrid) on amazon-beauty in at most five minutes. This
runs the command as a user would, in a subprocess, and records its wall time, the CPU time of
the subprocess (all threads; robust to other work on a shared machine), the load average and
the command's own JSON report.

Usage::

    .venv/bin/python bench/evaluate_all.py                       # amazon-beauty
    .venv/bin/python bench/evaluate_all.py --dataset amazon-toys

Writes ``bench/results/evaluate_all.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import REPO, load_average, machine, write_result  # noqa: E402

TARGET_SECONDS = 300.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--dataset", default="amazon-beauty")
    args = parser.parse_args(argv)
    path = args.data / args.dataset / "interactions.csv.gz"
    command = [sys.executable, "-m", "shop.cli", "recommender", "evaluate",
               "--interactions", str(path), "--json"]
    load_before = load_average()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = {
        "bench": "evaluate_all",
        "machine": machine(),
        "command": "python -m shop.cli recommender evaluate --interactions "
                   f"<data>/{args.dataset}/interactions.csv.gz --json",
        "dataset": args.dataset,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "seconds_max": TARGET_SECONDS,
        "met": wall <= TARGET_SECONDS,
        "load_average": load_average(),
        "load_average_before": [round(x, 2) for x in load_before],
        "report": json.loads(proc.stdout),
    }
    out = write_result("evaluate_all", report)
    print(f"evaluate (all models) on {args.dataset}: {wall:.0f} s wall, {cpu:.0f} s CPU, "
          f"load average {report['load_average']}; wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
