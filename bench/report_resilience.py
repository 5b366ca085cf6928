"""The issue-10 sections of ``docs/benchmarks.md``: the burst and the soak (used by report.py)."""

from __future__ import annotations


def _f(x, nd=1) -> str:
    return "—" if x is None else f"{x:,.{nd}f}"


def _mark(met: bool | None) -> str:
    return "—" if met is None else ("**met**" if met else "**NOT met**")


def summary_rows(burst: dict | None, soak: dict | None) -> list[str]:
    rows = []
    if burst:
        worst = max(r["slowest_seconds"] for r in burst["runs"].values())
        unexpected = sum(r["unexpected"] for r in burst["runs"].values())
        shed = ", ".join(f"{k} {r['shed_503']}" for k, r in burst["runs"].items())
        rows.append(
            f"| burst: {burst['params']['requests']} concurrent requests ({', '.join(burst['runs'])}): "
            f"no 5xx but 503 + Retry-After, none slower than {burst['params']['slowest_allowed_s']:g} s | "
            f"{unexpected} unexpected; slowest {worst:.1f} s; 503s shed: {shed} | "
            f"{_mark(burst['target']['met'])} |"
        )
    if soak and soak.get("total"):
        pr = soak["params"]
        rows.append(
            f"| soak: {pr['users']} users × {pr['run_time']} (log-in/out, cart, checkout), zero failures | "
            f"{soak['target']['failures']} failures of {soak['total']['requests']:,} requests, "
            f"p95 {_f(soak['total']['p95_ms'], 0)} ms, {_f(soak['total']['rps'])} req/s | "
            f"{_mark(soak['target']['met'])} |"
        )
    return rows


def burst_section(burst: dict | None) -> list[str]:
    lines = ["## Burst: 500 concurrent requests (`bench/burst.py`, issue 10)", ""]
    if not burst:
        return lines + ["No `bench/results/burst.json`.", ""]
    pr = burst["params"]
    lines.append(
        f"{pr['requests']} requests released together (one thread each, a barrier) against each server "
        f"on a free loopback port over a fresh {pr['database']} shop: {pr['mix']}. Browser User-Agent, "
        "per-visitor event cap off so every request writes its events (the worst case for the pool). "
        f"Servers: {', '.join(pr['servers'])} (gunicorn: {pr['gunicorn']}). Pool: 5 + 10 "
        "overflow connections per process, `DB_POOL_TIMEOUT` 2 s. Before the fix about 130–200 "
        "concurrent requests froze the shop for 30–60 s and ended in 500s (`QueuePool limit ... "
        "overflow 10 reached`): a request held its connection while the event writer asked for a "
        "second."
    )
    if pr.get("admission"):
        lines.append("")
        lines.append(
            f"Admission limit ({pr['admission']}): a worker process lets that many requests into the "
            "app, a few more wait briefly for a slot, every other one is answered 503 with "
            "`Retry-After` at once, before its session is loaded. Before it (sync workers, and gthread "
            "with 8 threads, no limit) all 500 were answered 200/201, but the last only after 6.1 s "
            "and 14.9 s, queued behind 2 workers."
        )
    lines.append("")
    lines.append(
        f"Load average when the burst started: {burst['machine'].get('load_average', '?')} on "
        f"{burst['machine'].get('nproc', '?')} cores (the machine is shared; latencies and the share "
        "of requests served rather than shed depend on it)."
    )
    lines.append("")
    lines.append(
        "| server | answers | 503 (shed, Retry-After) | unexpected | wall s | p50 ms | p95 ms | slowest s | status |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for kind, r in burst["runs"].items():
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        lines.append(
            f"| {kind} | {answers} | {r['shed_503']} | {r['unexpected']} | {r['wall_seconds']:.1f} | "
            f"{_f(r['latency_ms']['p50'], 0)} | {_f(r['latency_ms']['p95'], 0)} | "
            f"{r['slowest_seconds']:.1f} | {_mark(r['met'])} |"
        )
    lines.append("")
    load = burst["machine"].get("load_average", ["?"])[0]
    for kind, r in burst["runs"].items():
        examples = r.get("unexpected_examples", [])
        if examples and all(e["status"] is None for e in examples):
            lines.append(
                f"- {kind}: {r['unexpected']} connections were reset by the server's TCP stack "
                f"(`{examples[0]['error']}` after about {examples[0]['seconds']:.1f} s), before the app saw "
                "them: the development server accepts with a fixed listen backlog of 128, and when checked "
                "its log had no request line for them. No request the app received was answered with a 500."
            )
        elif examples:
            for example in examples[:2]:
                lines.append(f"- {kind}: {example['name']} → {example['status']} {example.get('error') or ''}")
        if r["slowest_seconds"] > burst["params"]["slowest_allowed_s"] and not r["shed_503"]:
            lines.append(
                f"- {kind}: no errors and no shedding, but the last requests waited "
                f"{r['slowest_seconds']:.0f} s in the queue in front of the workers: {r['answered']} "
                f"requests in {r['wall_seconds']:.0f} s at a load average of {load} on 2 cores shared with "
                "other work. That is throughput on a busy machine, not a stall on the database pool "
                "(none of them needed a 503)."
            )
    lines.append("")
    return lines


def soak_section(soak: dict | None) -> list[str]:
    lines = ["## Soak: 200 users with accounts (`bench/soak.py`, `bench/soakfile.py`, issue 10)", ""]
    if not soak or not soak.get("total"):
        return lines + ["No `bench/results/soak.json`.", ""]
    pr = soak["params"]
    lines.append(
        f"locust headless, {pr['users']} users (spawn {pr['spawn_rate']:g}/s) for {pr['run_time']} against "
        f"gunicorn {pr['workers']} sync workers, {pr['database']}: the issue-6 shoppers (browse, filter, "
        "read, product pages, cart, checkout) who also log in and out of their own account (one of "
        f"{pr['accounts']}, HTML forms with CSRF tokens). `make bench` runs 600 s (`SOAK_SECONDS`)."
    )
    lines.append("")
    lines.append("| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |")
    lines.append("|---|---|---|---|---|---|---|")
    for e in soak["endpoints"] + [soak["total"]]:
        name = "**all**" if e["name"] == "Aggregated" else f"{e['method']} `{e['name']}`"
        lines.append(
            f"| {name} | {e['requests']:,} | {e['failures']} | {_f(e['rps'])} | "
            f"{_f(e['p50_ms'], 0)} | {_f(e['p95_ms'], 0)} | {_f(e['p99_ms'], 0)} |"
        )
    lines.append("")
    lines.append(
        f"**Target zero failures**: {soak['target']['failures']} → {_mark(soak['target']['met'])}. "
        f"Load average at the start: {soak['machine'].get('load_average', '?')} on 2 cores: "
        "the latencies are those of a machine shared with other work."
    )
    for f in soak.get("failures") or []:
        lines.append(f"- {f['Method']} `{f['Name']}` ×{f['Occurrences']}: {f['Error'][:300]}")
    lines.append("")
    return lines
