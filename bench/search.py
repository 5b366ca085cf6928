"""Search-suggestion benchmark: latency of ``GET /api/search/suggest`` per keystroke.

Sets up a throw-away shop (fresh SQLite in a temp directory, or the database in
``--database-url``), loads the demo catalog and articles, and types a list of shopper queries
one character at a time (typos included), calling the suggest endpoint for every prefix of two
characters or more, through the Flask test client (in-process WSGI: the shop's own time,
without a network or an HTTP server). ``--rounds`` passes after one warm-up pass.
Target: p95 ≤ 30 ms on the demo catalog.

Usage::

    .venv/bin/python bench/search.py                  # SQLite, 5 rounds
    .venv/bin/python bench/search.py --database-url postgresql+psycopg://...  # an empty database

Writes ``bench/results/search.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _util import machine, percentiles, write_result  # noqa: E402

TARGET_P95_MS = 30.0
QUERIES = [
    "stability shoe",
    "stabilty shoe",
    "insoles for flat feet",
    "lumbar roll",
    "plantar fasciitis",
    "walking poles",
    "heel cup",
    "memory foam insole",
    "waterprof boots",
    "knee pain",
    "wide walking shoes",
    "back brace",
    "nordic walking",
    "trail shoe",
    "cushioned sandal",
]


def keystrokes(queries: list[str]) -> list[str]:
    return [q[:n] for q in queries for n in range(2, len(q) + 1)]


def run(database_url: str, rounds: int) -> dict:
    from sqlalchemy import create_engine

    import shop.models  # noqa: F401
    from catalog.demo import seed_demo
    from catalog.models import Base
    from shop import create_app
    from shop.extensions import db

    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    with tempfile.TemporaryDirectory() as models:
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": database_url, "MODEL_DIR": models})
        with app.app_context():
            seed_demo(db.session)
        client = app.test_client()
        typed = keystrokes(QUERIES)
        for q in typed:  # warm-up: compiled statements, the vocabulary cache
            assert client.get("/api/search/suggest", query_string={"q": q}).status_code == 200
        times, cpu = [], []
        for _ in range(rounds):
            for q in typed:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get("/api/search/suggest", query_string={"q": q})
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200, (q, response.status_code)
        app.extensions["database"].engine.dispose()
    stats = percentiles(times, "")
    cpu_stats = percentiles(cpu, "cpu_")
    return {
        "requests": len(times),
        "keystrokes_per_round": len(typed),
        **{f"{k}_ms": round(v, 2) for k, v in stats.items()},
        # The shop process's CPU time per request: what a request costs without the
        # waiting a loaded machine adds (a PostgreSQL server's own CPU is not in it).
        **{f"{k}_ms": round(v, 2) for k, v in cpu_stats.items()},
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": stats["p95"] <= TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", help="an empty database to use (default: a temp SQLite file)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        result = run(url, args.rounds)
    backend = url.split(":", 1)[0].split("+", 1)[0]
    data = {"machine": machine(), "backend": backend, "suggest": result}
    path = write_result("search" if backend == "sqlite" else f"search-{backend}", data)
    print(
        f"suggest on {backend}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms "
        f"(CPU p95 {result['cpu_p95_ms']:.1f} ms) over {result['requests']} requests, load "
        f"{result['load_average_1min']} (target p95 ≤ {TARGET_P95_MS:g} ms) -> {path}"
    )


if __name__ == "__main__":
    main()
