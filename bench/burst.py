"""Issue-10 burst: 500 concurrent product-page and cart requests against a real server.

Before the fix ~130–200 concurrent requests froze the shop for the pool timeout and ended in
500s (each request held a connection while the event writer asked for a second one). This
fires ``--requests`` requests at once (released together by a barrier, one thread each) at:

- ``make-run``: what ``make run`` serves, ``shop run`` (gunicorn, 2 gthread workers, 32 threads
  each, the app's admission limit at its defaults);
- ``gunicorn-gthread``: plain gunicorn as the README's production line has it
  (``gunicorn -w 2 -k gthread --threads 32 wsgi:app``);
- on request (``--servers``): ``gunicorn-sync`` (plain ``gunicorn -w 2 wsgi:app``: a sync worker
  runs one request at a time, so the others wait in the kernel's accept queue where no app can
  shed them) and ``dev``, the development server (``shop run --debug``: Flask's, threaded),

each on a free loopback port over a fresh SQLite instance (demo catalog, events, trained
model). Half the requests are product pages, a quarter the cart page of a shopper with a
cart, a quarter JSON add-to-carts. All send a browser User-Agent and the per-visitor event
cap is off (``EVENTS_PER_VISITOR_PER_MINUTE=0``), so every request writes its events: the
worst case for the pool. Passes when no answer is a 5xx other than a 503 with
``Retry-After`` (deliberate shedding), no connection fails and none takes longer than 5 s.

Usage::

    .venv/bin/python bench/burst.py                      # 500 requests, make-run and gunicorn-gthread
    .venv/bin/python bench/burst.py --requests 200 --servers dev

Writes ``bench/results/burst.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Gunicorn, ServerProcess, prepare_instance, remove_instance  # noqa: E402
from _util import machine, percentiles, write_result  # noqa: E402

from shop.config import SETTINGS  # noqa: E402

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 backcare-bench"
SLOWEST_ALLOWED_S = 5.0
SERVERS = ("make-run", "gunicorn-gthread", "gunicorn-sync", "dev")
THREADS = "32"  # as shop run (WEB_THREADS)
ADMISSION = ("MAX_REQUESTS_IN_FLIGHT", "MAX_REQUESTS_WAITING", "REQUEST_WAIT_SECONDS")
SERVER_ENV = {"EVENTS_PER_VISITOR_PER_MINUTE": "0", "LOG_LEVEL": "WARNING"}


class DevServer(ServerProcess):
    """Flask's threaded development server (what ``shop run --debug`` starts) on a free port.

    Started as ``python -m flask --app wsgi run`` from the repository, so the checkout's code
    is served (an installed ``shop`` script may point at another copy).
    """

    name = "dev server"

    def __init__(self, env: dict):
        super().__init__({**env, **SERVER_ENV}, Path(env["INSTANCE_PATH"]) / "dev.log")

    def command(self) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1",
                "--port", str(self.port), "--with-threads"]


class ShopRun(ServerProcess):
    """``shop run`` (what ``make run`` ends with) from the repository, on a free port."""

    name = "shop run"

    def __init__(self, env: dict):
        super().__init__({**env, **SERVER_ENV}, Path(env["INSTANCE_PATH"]) / "shop-run.log")

    def command(self) -> list[str]:
        return [sys.executable, "-m", "shop.cli", "run", "--host", "127.0.0.1", "--port", str(self.port)]


def start(kind: str, env: dict):
    if kind == "dev":
        return DevServer(env)
    if kind == "make-run":
        return ShopRun(env)
    args = ("--worker-class", "gthread", "--threads", THREADS) if kind == "gunicorn-gthread" else ()
    return Gunicorn("wsgi:app", env, workers=2, extra_env=SERVER_ENV, args=args)


def _request(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None,
             timeout: float = 60.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"User-Agent": BROWSER, "Accept": "text/html,application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Retry-After"), response.getheader("Set-Cookie")
    finally:
        connection.close()


def _catalog(url: str) -> tuple[list[str], list[str]]:
    """Product slugs and in-stock SKUs (from the JSON API)."""
    with urllib.request.urlopen(url + "/api/products?per_page=60", timeout=30) as r:
        slugs = [p["slug"] for p in json.load(r)["items"]]
    skus = []
    for slug in slugs[:20]:
        with urllib.request.urlopen(f"{url}/api/products/{slug}", timeout=30) as r:
            skus += [v["sku"] for v in json.load(r)["variants"] if v["stock"] > 0][:2]
    return slugs, skus


def _shoppers_with_carts(port: int, skus: list[str], n: int) -> list[str]:
    """Session cookies of ``n`` guests who each put one item in their cart (made one by one)."""
    cookies = []
    for i in range(n):
        status, _, set_cookie = _request(port, "POST", "/api/cart/items", {"sku": skus[i % len(skus)], "quantity": 1})
        if status != 201 or not set_cookie:
            raise RuntimeError(f"could not make a cart: {status}")
        cookies.append(set_cookie.split(";", 1)[0])
    return cookies


def burst(server, requests: int) -> dict:
    slugs, skus = _catalog(server.url)
    carts = _shoppers_with_carts(server.port, skus, max(1, requests // 4))
    plan = []
    for i in range(requests):
        if i % 4 in (0, 2):
            plan.append(("product page", "GET", f"/products/{slugs[i % len(slugs)]}", None, None))
        elif i % 4 == 1:
            plan.append(("cart page", "GET", "/cart", None, carts[(i // 4) % len(carts)]))
        else:
            plan.append(("add to cart (API)", "POST", "/api/cart/items",
                         {"sku": skus[i % len(skus)], "quantity": 1}, None))
    barrier = threading.Barrier(requests + 1)
    results: list = [None] * requests

    def fire(index: int) -> None:
        name, method, path, body, cookie = plan[index]
        barrier.wait()
        began = time.perf_counter()
        try:
            status, retry, _ = _request(server.port, method, path, body, cookie)
            error = None
        except OSError as exc:
            status, retry, error = None, None, f"{type(exc).__name__}: {exc}"
        results[index] = {"name": name, "status": status, "retry_after": retry, "error": error,
                          "seconds": time.perf_counter() - began}

    threads = [threading.Thread(target=fire, args=(i,), daemon=True) for i in range(requests)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(120)
    wall = time.perf_counter() - began
    done = [r for r in results if r is not None]
    statuses = Counter(str(r["status"]) for r in done)
    shed = [r for r in done if r["status"] == 503]
    unexpected = [r for r in done if r["status"] is None or (r["status"] >= 500 and r["status"] != 503)
                  or (r["status"] == 503 and not r["retry_after"])]
    by_name = {}
    for name in dict.fromkeys(p[0] for p in plan):
        rows = [r for r in done if r["name"] == name]
        by_name[name] = {"requests": len(rows), "statuses": dict(Counter(str(r["status"]) for r in rows)),
                         **{k: round(v * 1000, 1) for k, v in percentiles([r["seconds"] for r in rows]).items()}}
    slowest = max(r["seconds"] for r in done)
    return {
        "requests": requests, "answered": len(done), "wall_seconds": round(wall, 2),
        "statuses": dict(statuses), "shed_503": len(shed), "unexpected": len(unexpected),
        "unexpected_examples": unexpected[:5], "slowest_seconds": round(slowest, 2),
        "latency_ms": {k: round(v * 1000, 1) for k, v in percentiles([r["seconds"] for r in done]).items()},
        "by_request": by_name,
        "met": len(done) == requests and not unexpected and slowest <= SLOWEST_ALLOWED_S,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    # By default against what `make run` serves and the documented plain gunicorn line; sync
    # workers and the development server (`shop run --debug`) can still be chosen.
    parser.add_argument("--servers", nargs="+", choices=SERVERS, default=["make-run", "gunicorn-gthread"])
    parser.add_argument("--keep", action="store_true", help="keep the temp instance")
    args = parser.parse_args(argv)

    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    log("burst: preparing a fresh shop ...")
    instance, env = prepare_instance(stock=100_000, log=log)
    runs = {}
    try:
        for kind in args.servers:
            log(f"burst: {args.requests} concurrent requests against {kind} ...")
            with start(kind, env) as server:
                runs[kind] = burst(server, args.requests)
                server_log = server.log_path.read_text(errors="replace")
            runs[kind]["server_tracebacks"] = server_log.count("Traceback (most recent call last)")
            runs[kind]["server_log_pool_exhausted"] = server_log.count("database pool exhausted")
            runs[kind]["server_log_shed_reports"] = server_log.count("requests shed with 503")
            r = runs[kind]
            log(f"  {kind}: {r['statuses']} in {r['wall_seconds']} s, slowest {r['slowest_seconds']} s, "
                f"p95 {r['latency_ms']['p95']} ms, unexpected {r['unexpected']} -> "
                f"{'met' if r['met'] else 'NOT met'}")
    finally:
        if not args.keep:
            remove_instance(instance)
    report = {
        "bench": "burst",
        "machine": machine(),
        "command": "python bench/burst.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "params": {"requests": args.requests, "servers": args.servers, "database": "SQLite",
                   "mix": "1/2 product pages, 1/4 cart pages (guest with a cart), 1/4 POST /api/cart/items",
                   "server_env": SERVER_ENV, "slowest_allowed_s": SLOWEST_ALLOWED_S,
                   "gunicorn": f"2 workers, gthread, {THREADS} threads each (make-run: shop run's "
                               "defaults; gunicorn-sync, when chosen: one request at a time)",
                   "admission": "per worker process, the defaults: " + ", ".join(
                       f"{s.name} {s.default:g}" for s in SETTINGS if s.name in ADMISSION)},
        "runs": runs,
        "target": {"what": "no 5xx but a 503 with Retry-After, no request slower than 5 s",
                   "met": bool(runs) and all(r["met"] for r in runs.values())},
    }
    path = write_result("burst", report)
    print(f"wrote {path}")
    return 0 if report["target"]["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
