"""Issue-10 soak: 200 simulated users for 10 minutes (browse, cart, check out, log in and out)
against gunicorn with 2 workers on a fresh SQLite shop; bounded by ``--duration``.

A thin front to ``bench/load.py`` (same instance preparation, server and report) with the
scenario of ``bench/soakfile.py`` and one account per user. Every event is logged
(``EVENTS_PER_VISITOR_PER_MINUTE=0`` for the server): 200 busy users are the worst case for
the database, which is what a soak is for. Passes with zero failures.

Usage::

    .venv/bin/python bench/soak.py                      # 200 users, 600 s
    .venv/bin/python bench/soak.py --duration 60        # a one-minute check

Writes ``bench/results/soak.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402
from _util import REPO  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=600, help="seconds (default 600)")
    parser.add_argument("--spawn-rate", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    return load.main([
        "--name", "soak", "--locustfile", str(REPO / "bench" / "soakfile.py"),
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s", "--workers", str(args.workers),
        "--accounts", str(args.users), "--server-env", "EVENTS_PER_VISITOR_PER_MINUTE=0",
    ])


if __name__ == "__main__":
    raise SystemExit(main())
