"""Issue-6 load test: 50 simulated shoppers for 60 s against gunicorn (2 workers) on 127.0.0.1.

Prepares a throw-away shop (fresh SQLite in a temp instance, demo catalog, articles, demo
events, trained model; every variant's stock raised to 100,000 in that instance so a minute of
checkouts does not sell the demo shop out), starts ``gunicorn --workers 2 wsgi:app`` on a free
loopback port, and runs ``bench/locustfile.py`` headless (``--run-time 60s``, bounded). Reports
requests/s, failures, and p50/p95/p99 per request type; if anything failed, the failures and
the server log's tracebacks are kept in the result so the cause can be found.

Usage::

    .venv/bin/python bench/load.py                         # 50 users, 60 s
    .venv/bin/python bench/load.py --users 10 --run-time 20s

Writes ``bench/results/load.json`` (``--name`` another result; ``bench/soak.py`` runs the
issue-10 soak through this script with its own locustfile and accounts).
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Gunicorn, prepare_instance, remove_instance  # noqa: E402
from _util import REPO, machine, write_result  # noqa: E402

LOCUSTFILE = REPO / "bench" / "locustfile.py"
#: Every account made by ``--accounts`` has this password (bench instances only).
ACCOUNT_PASSWORD = "bench-only-password-1"
#: A browser's User-Agent for the simulated shoppers: scripted clients' events are not logged.
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 backcare-bench"


def _run_seconds(run_time: str) -> float:
    """Locust's ``--run-time`` (``90``, ``90s``, ``10m``, ``1h``) in seconds."""
    match = re.fullmatch(r"(\d+)([smh]?)", run_time.strip())
    if not match:
        raise SystemExit(f"--run-time {run_time!r}: use e.g. 60s, 10m")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def make_accounts(env: dict, count: int) -> None:
    """``soak-<i>@example.com`` accounts, made through the shop's own service (hashing included)."""
    script = (
        "import sys\n"
        "from shop import create_app\n"
        "from shop.accounts import service\n"
        "from shop.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    for i in range(int(sys.argv[1])):\n"
        # One address per account: sign-ups are throttled per address.
        "        service.register(db.session, f'soak-{i}@example.com', sys.argv[2], f'Soak {i}',\n"
        "                         address=f'bench-{i}')\n"
    )
    subprocess.run([sys.executable, "-c", script, str(count), ACCOUNT_PASSWORD], cwd=REPO, env=env,
                   check=True, capture_output=True, text=True)


def _num(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stock", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temp instance")
    parser.add_argument("--locustfile", default=str(LOCUSTFILE))
    parser.add_argument("--name", default="load", help="result name (bench/results/NAME.json)")
    parser.add_argument("--accounts", type=int, default=0, help="accounts to make for log-ins")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the server (repeatable)")
    args = parser.parse_args(argv)
    run_seconds = _run_seconds(args.run_time)
    server_env = dict(item.split("=", 1) for item in args.server_env)

    print(f"{args.name}: preparing a fresh shop ...", file=sys.stderr, flush=True)
    instance, env = prepare_instance(stock=args.stock, log=lambda m: print(m, file=sys.stderr, flush=True))
    if args.accounts:
        make_accounts(env, args.accounts)
        print(f"  {args.accounts} accounts made", file=sys.stderr, flush=True)
    env = {**env, "BENCH_ACCOUNTS": str(args.accounts), "BENCH_ACCOUNT_PASSWORD": ACCOUNT_PASSWORD,
           "BENCH_USER_AGENT": BROWSER}
    out_dir = Path(tempfile.mkdtemp(prefix="backcare-locust-"))
    prefix = out_dir / "run"
    try:
        with Gunicorn("wsgi:app", env, workers=args.workers, extra_env=server_env) as server:
            cmd = [sys.executable, "-m", "locust", "-f", args.locustfile, "--headless",
                   "-u", str(args.users), "-r", str(args.spawn_rate), "--run-time", args.run_time,
                   "--host", server.url, "--csv", str(prefix), "--only-summary",
                   "--stop-timeout", "10", "--exit-code-on-error", "0"]
            print(f"{args.name}: {' '.join(cmd[2:])}", file=sys.stderr, flush=True)
            proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                                  timeout=run_seconds + 300)
            server_log = server.log_path.read_text(errors="replace")
        with open(f"{prefix}_stats.csv") as fh:
            rows = list(csv.DictReader(fh))
        with open(f"{prefix}_failures.csv") as fh:
            failures = list(csv.DictReader(fh))
    finally:
        if not args.keep:
            remove_instance(instance)

    endpoints = []
    total = None
    for row in rows:
        entry = {
            "method": row["Type"], "name": row["Name"],
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": _num(row["Requests/s"]),
            "p50_ms": _num(row["50%"]), "p95_ms": _num(row["95%"]), "p99_ms": _num(row["99%"]),
            "max_ms": _num(row["Max Response Time"]), "avg_ms": _num(row["Average Response Time"]),
        }
        if row["Name"] == "Aggregated":
            total = entry
        else:
            endpoints.append(entry)
    tracebacks = re.findall(r"Traceback \(most recent call last\):.*?\n(?=\S)", server_log, re.S)
    errors_in_log = [line for line in server_log.splitlines() if "ERROR" in line or "Exception" in line]
    report = {
        "bench": args.name,
        "machine": machine(),
        "command": "python bench/load.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "params": {"users": args.users, "spawn_rate": args.spawn_rate, "run_time": args.run_time,
                   "workers": args.workers, "server": "gunicorn sync", "database": "SQLite",
                   "stock_per_variant": args.stock,
                   "locustfile": str(Path(args.locustfile).resolve().relative_to(REPO)),
                   "accounts": args.accounts, "server_env": server_env},
        "target": {"what": "zero errors and failures", "failures": total["failures"] if total else None,
                   "met": bool(total) and total["failures"] == 0 and total["requests"] > 0},
        "total": total,
        "endpoints": endpoints,
        "failures": failures,
        "server_errors": errors_in_log[:50],
        "server_tracebacks": tracebacks[:5],
        "locust_exit_code": proc.returncode,
        "locust_stderr_tail": proc.stderr[-3000:],
    }
    path = write_result(args.name, report)
    print(f"{'request':<34}{'count':>7}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    for e in endpoints + ([total] if total else []):
        print(f"{e['method'] + ' ' + e['name']:<34}{e['requests']:>7}{e['failures']:>6}{e['rps'] or 0:>8.1f}"
              f"{e['p50_ms'] or 0:>7.0f}{e['p95_ms'] or 0:>7.0f}{e['p99_ms'] or 0:>7.0f}")
    for f in failures:
        print(f"FAILURE {f['Method']} {f['Name']} x{f['Occurrences']}: {f['Error']}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
