"""Gather ``bench/results/*.json`` into ``docs/benchmarks.md`` and ``docs/benchmarks.png``.

Usage::

    .venv/bin/python bench/report.py

Each section is written from whichever result files exist; a missing bench is said so.
Targets are marked met / NOT met from the numbers, never by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import REPO, RESULTS, machine  # noqa: E402
from report_resilience import burst_section, soak_section, summary_rows  # noqa: E402
from report_workers import section as workers_section  # noqa: E402
from report_workers import summary_rows as workers_summary_rows  # noqa: E402

DOCS = REPO / "docs"
#: Issue 11: the served hybrid's fit (selection included) on each real data set.
FIT_SECONDS_MAX = 60.0
OPS_LABEL = {
    "hybrid.recommend/home": "hybrid `recommend` (home, visitor history)",
    "hybrid.recommend/article": "hybrid `recommend` (article anchor + history)",
    "hybrid.similar_items": "hybrid `similar_items` (product page)",
    "hybrid.bought_together": "hybrid `bought_together` (product page)",
    "collaborative.recommend": "collaborative part alone (the hybrid's fitted model, `recommend`)",
    "shop-path/recommend/home": "hybrid `recommend` as the shop calls it (cached eligible mask)",
    "shop-path/similar_items": "hybrid `similar_items` as the shop calls it (cached mask, anchor off by position)",
    "shop-path/eligible-mask": "shop: eligible slugs → mask (once per eligibility snapshot)",
    "slug-set/recommend/home": "hybrid `recommend`, eligible as a slug set (the shop before)",
    "slug-set/similar_items": "hybrid `similar_items`, eligible as a slug set (the shop before)",
}
#: Titles of the two latency tables of bench/serving.py.
BLAS_TITLES = (
    ("latency_ms_blas_1_thread", "BLAS limited to one thread, as the shop runs it (`BLAS_THREADS=1`)"),
    ("latency_ms", "BLAS thread pools at the libraries' defaults (one per core)"),
)


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _mark(met: bool | None) -> str:
    return "—" if met is None else ("**met**" if met else "**NOT met**")


def _f(x, nd=1) -> str:
    return "—" if x is None else f"{x:,.{nd}f}"


def _machine_section(results: dict) -> list[str]:
    m = machine()
    lines = ["## Machine", ""]
    lines += [
        f"- CPU: {m.get('cpu', '?')}, `nproc` = {m['nproc']}; memory {m.get('memory_gib', '?')} GiB",
        f"- Python {m['python']} on {m['platform']}",
        f"- numpy {m['numpy']}, scipy {m['scipy']}, scikit-learn {m['scikit-learn']}, pandas {m['pandas']}",
    ]
    try:
        import implicit
        import locust

        lines.append(f"- implicit {implicit.__version__}, locust {locust.__version__}")
    except Exception:  # noqa: BLE001
        pass
    blas = m.get("blas")
    if isinstance(blas, list):
        lines.append(
            "- BLAS (threadpoolctl): "
            + "; ".join(
                f"{b['internal_api']} {b.get('version')} kernel `{b.get('architecture')}`, {b.get('num_threads')} threads"  # noqa: E501
                for b in blas
            )
        )
    lines.append(
        f"- Environment: {', '.join(f'{k}={v}' for k, v in m['env'].items() if v) or 'no OPENBLAS_* / OMP_* variables set'}"  # noqa: E501
    )
    lines.append("")
    lines.append("When each bench ran (UTC), with the 1-minute load average at its start:")
    lines.append("")
    lines.append("| bench | date | load average (1, 5, 15 min) | commit | uncommitted files in recommender/ or shop/ |")
    lines.append("|---|---|---|---|---|")
    for name, r in results.items():
        if r is None:
            continue
        mm = r.get("machine", {})
        dirty = mm.get("uncommitted_in_recommender_or_shop")
        lines.append(
            f"| {name} | {mm.get('date', '?')} | {mm.get('load_average', '?')} | "
            f"{mm.get('git_commit', '?')} | {len(dirty) if dirty is not None else '?'} |"
        )
    lines.append("")
    loads = [
        r["machine"]["load_average"][0]
        for r in results.values()
        if r and "machine" in r and r["machine"].get("load_average")
    ]
    if loads and max(loads) > (m["nproc"] or 1):
        lines.append(
            f"**Read the wall-clock numbers with care**: the machine was shared with other work while "
            f"these ran (load average up to {max(loads):.0f} on {m['nproc']} cores), so wall times "
            "include waiting for a core. The serving and training tables therefore also give CPU "
            "time, which is what the code costs when it has a core."
        )
        lines.append("")
    return lines


def _quality_section(q: dict | None) -> list[str]:
    lines = ["## Quality against peers (`bench/quality.py`)", ""]
    if not q:
        return lines + ["Not run in this report (`BENCH_SKIP_QUALITY=1` or no `bench/results/quality.json`).", ""]
    lines += [
        f"Protocol: {q.get('protocol', '?')}. `val` is the validation ndcg@10 the settings "
        "were chosen by; `fit s` is the final fit (wall clock, then CPU time of all threads); "
        "`tune s` the whole selection. Order-aware models (issue 11): `ease-decay` (EASE, "
        "each past item weighted `decay ** steps from the end`), `slist` (SLIST, session "
        "consistency + transition in one closed form), `transition` (item -> next-item "
        "counts), `slist+transition` (blend), `sparse-ease` (neighbourhood-restricted EASE "
        "for catalogs beyond the dense limit).",
        "",
    ]
    for name, d in q.get("datasets", {}).items():
        res = d["results"]
        fitted = {m: r for m, r in res.items() if "error" not in r}
        key = next((k for k in next(iter(fitted.values())) if k.startswith("ndcg@")), "ndcg@10")
        k = key.split("@")[1]
        published = d.get("published_ndcg@10")
        lines.append(
            f"### {name} ({d['rows']:,} rows, {d['users']:,} users, {d['items']:,} items, "
            f"{d.get('test_users', '?')} test users)"
        )
        lines.append("")
        extra = " | × SASRec" if published else ""
        lines.append(
            f"| model | {key} | val | recall@{k} | coverage | fit s | fit CPU s | tune s | "
            f"p99 ms{extra} | chosen settings |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|" + ("---|" if published else ""))
        for model, r in sorted(fitted.items(), key=lambda kv: -kv[1][key]):
            ratio = f" | {r[key] / published:.3f}" if published else ""
            params = ", ".join(f"{p}={v}" for p, v in sorted(r.get("params", {}).items())) or "-"
            lines.append(
                f"| {model} | {r[key]:.4f} | {_f(r.get(f'validation_ndcg@{k}'), 4)} | "
                f"{r.get(f'recall@{k}', 0):.4f} | {r.get('coverage', 0):.3f} | "
                f"{r['fit_seconds']:.1f} | {r.get('fit_cpu_seconds', 0):.1f} | "
                f"{r.get('tuning_seconds', 0):.0f} | {r['recommend_ms_p99']:.2f}{ratio} | "
                f"{params} |"
            )
        for model, r in res.items():
            if "error" in r:
                lines.append(f"| {model} | not fitted: {r['error']} |")
        lines.append("")
        rerun = d.get("served_rerun")
        if rerun:
            load = rerun.get("machine", {}).get("load_average")
            lines.append(
                f"The `served` row is from a later run on newer code (`{rerun['command']}`, "
                f"{rerun.get('machine', {}).get('date', '?')}, load average {load}); the other rows "
                "from the run of all models."
            )
            lines.append("")
        ratio = d.get("ndcg_ratio_best_ours_to_best_peer")
        lines.append(
            f"Best of ours `{d['best_ours']}` vs best peer `{d['best_peer']}` (implicit's "
            f"models and dense EASE): {key} ×{_f(ratio, 3)} "
            f'({_mark(ratio >= 1 if ratio is not None else None)} for "≥ 1.0× the best peer").'
        )
        served = d.get("ndcg_ratio_served_to_best_peer")
        if served is not None:
            choice = d.get("served_choice") or {}
            lines.append(
                f"The **served** hybrid (`collaborative='auto'` chose `{choice.get('model')}` "
                f"on its own validation split) vs best peer `{d['best_peer']}`: {key} "
                f'×{served:.3f} ({_mark(served >= 1)} for "≥ 1.0× the best peer").'
            )
        if published:
            for shown in dict.fromkeys([d.get("best_ours"), "served"]):
                if shown not in d["ndcg_ratio_to_published"]:
                    continue
                best = d["ndcg_ratio_to_published"][shown]
                lines.append(
                    f"`{shown}` against SASRec with sampled softmax ({published}): "
                    f'×{best:.3f} ({_mark(best > 1)} for "beat it"; aim ×1.1).'
                )
        lines.append("")
    return lines


def _sparse_section(sp_: dict | None) -> list[str]:
    if not sp_:
        return []
    return [
        "## Sparse EASE at 100k items (`bench/sparse_ease.py`)",
        "",
        f"{sp_['items']:,} items, {sp_['users']:,} users, {sp_['interactions']:,} synthetic "
        f"interactions, k={sp_['k']} neighbours per item: fit {sp_['fit_seconds']:.1f} s wall, "
        f"{sp_['fit_cpu_seconds']:.1f} s CPU, peak memory {sp_['peak_rss_gib']:.2f} GiB "
        f"(target ≤ 4 GiB: {_mark(sp_['peak_rss_gib'] <= 4)}), {sp_['weights_nnz']:,} weights; "
        f"load average {[round(x, 1) for x in sp_['load_average']]}. Quality against dense EASE "
        "where both fit: `sparse-ease` against `ease-decay` (same l2, same decay grid) above.",
        "",
    ]


def _serving_section(s: dict | None) -> list[str]:
    lines = ["## Serving latency and memory (`bench/serving.py`)", ""]
    if not s:
        return lines + ["No `bench/results/serving.json`.", ""]
    p = s["params"]
    res = sorted(s["results"], key=lambda r: r["n_items"])
    lines.append(
        f"Top-10, in process, one visitor at a time, {p['queries']} visitors per operation "
        f"(after 20 warm-up calls); {p['interactions']:,} synthetic interactions "
        "(power-law popularity, sessions with co-occurrence); 95% of the catalog eligible. "
        "Model: `HybridRecommender()` with the shop's defaults "
        + (f"(`collaborative='auto'` chose `{s['collaborative'].get('model')}` on its validation "
           "sample)." if s.get("collaborative") else
           "(RP3beta collaborative, the default when this ran; `collaborative='auto'` came later).")
    )
    lines.append("")
    t = s["target"]
    lines.append(
        f"**Target p99 ≤ {t['p99_ms_max']:g} ms at {t['n_items']:,} products** (`{t['operation']}`: "
        f"hybrid `recommend` with the shop's eligibility mask, BLAS 1 thread, as shipped): "
        f"p99 = {t['p99_ms']:.2f} ms, ×{t['ratio']:.2f} of the budget → {_mark(t['met'])}. "
        f"With BLAS at the libraries' default threads: p99 = {t['p99_ms_blas_default']:.2f} ms → "
        f"{_mark(t['met_blas_default'])}."
    )
    lines.append("")
    for key, title in BLAS_TITLES:
        lines.append(f"### Wall-clock latency, {title}: p50 / p95 / p99 ms")
        lines.append("")
        lines.append("| operation | " + " | ".join(f"{r['n_items']:,} products" for r in res) + " |")
        lines.append("|---|" + "---|" * len(res))
        for op in OPS_LABEL:
            cells = []
            for r in res:
                v = r[key].get(op)
                cells.append(f"{v['p50']:.2f} / {v['p95']:.2f} / {v['p99']:.2f}" if v else "—")
            lines.append(f"| {OPS_LABEL[op]} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(f"CPU time of the calling thread, p50 / p99 ms ({title}):")
        lines.append("")
        lines.append("| operation | " + " | ".join(f"{r['n_items']:,}" for r in res) + " |")
        lines.append("|---|" + "---|" * len(res))
        for op in OPS_LABEL:
            cells = [f"{r[key][op]['cpu_p50']:.2f} / {r[key][op]['cpu_p99']:.2f}" if op in r[key] else "—" for r in res]
            lines.append(f"| {OPS_LABEL[op]} | " + " | ".join(cells) + " |")
        lines.append("")
    if len(res) > 1:
        lines.append(
            "Wall-clock columns of different sizes ran at different times on a shared machine, "
            "so they are not comparable with each other when the load changed in between; "
            "the CPU-time tables are comparable. A p99 above the CPU p99 is time spent "
            "waiting for a core."
        )
    else:
        lines.append(
            "A wall-clock p99 above the CPU p99 is time spent waiting for a core (the "
            "machine is shared); the CPU-time tables are what the code costs."
        )
    lines.append("")
    lines.append("### Memory held by the fitted model")
    lines.append("")
    lines.append(
        "| products | fit s | pickled model MiB | held once loaded MiB (tracemalloc) | "
        "collaborative part held MiB | RSS growth over fit MiB | peak RSS over fit MiB | "
        "RP3beta nnz | TF-IDF terms |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in res:
        m = r["memory"]
        lines.append(
            f"| {r['n_items']:,} | {r['fit_seconds']:.1f} | {m['pickled_model_mib']:.1f} | "
            f"{m['held_model_mib']:.1f} | {m['held_collaborative_mib']:.1f} | "
            f"{m['rss_delta_over_fit_mib']:.1f} | {m['rss_peak_over_fit_mib']:.1f} | "
            f"{m['collaborative_similarity_nnz']:,} | {m['content_terms']:,} |"
        )
    lines.append("")
    if len(res) >= 2:
        a, b = res[0], res[-1]
        grow = b["n_items"] / a["n_items"]
        lat = b["latency_ms_blas_1_thread"]["hybrid.recommend/home"]["cpu_p50"] / max(
            a["latency_ms_blas_1_thread"]["hybrid.recommend/home"]["cpu_p50"], 1e-9
        )
        mem = b["memory"]["held_model_mib"] / max(a["memory"]["held_model_mib"], 1e-9)
        lines.append(
            f"Growth from {a['n_items']:,} to {b['n_items']:,} products (×{grow:.0f}): hybrid "
            f"`recommend` CPU p50 ×{lat:.1f}, memory held ×{mem:.1f}."
        )
        lines.append("")
    return lines


def _training_section(t: dict | None) -> list[str]:
    lines = ["## Training (`bench/training.py`)", ""]
    if not t:
        return lines + ["No `bench/results/training.json`.", ""]
    lines.append(
        f"Synthetic interactions on a catalog of {t['params']['n_items']:,} products and 60 "
        "articles; each (model, size) in its own process; peak memory = RSS sampled every "
        "10 ms during `fit`, above the RSS with the input already loaded."
    )
    lines.append("")
    lines.append(
        "| model | interactions | users | fit s (wall) | fit s (CPU) | peak RSS above input MiB | process peak RSS MiB |"  # noqa: E501
    )
    lines.append("|---|---|---|---|---|---|---|")
    for r in t["results"]:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['n_interactions']:,} | — | {r['error']} | | | |")
            continue
        lines.append(
            f"| {r['model']} | {r['n_interactions']:,} | {r.get('n_users', 0):,} | "
            f"{r['fit_seconds']:.1f} | {r['fit_cpu_seconds']:.1f} | "
            f"{r['peak_rss_above_input_mib']:.0f} | {r['process_peak_rss_mib']:.0f} |"
        )
    lines.append("")
    for name, tg in t["target"]["by_model"].items():
        lines.append(
            f"- **Target 1M interactions < {tg['seconds_max']:g} s** ({name}): {tg['fit_seconds']:.1f} s wall "
            f"(×{tg['ratio']:.2f} of the budget; {tg['fit_cpu_seconds']:.1f} s CPU) → {_mark(tg['met'])}"
        )
    lines.append("")
    return lines


def _pages_section(p: dict | None) -> list[str]:
    lines = ["## Product page with vs without recommendations (`bench/pages.py`)", ""]
    if not p:
        return lines + ["No `bench/results/pages.json`.", ""]
    pr = p["params"]
    lines.append(
        f"gunicorn, {pr['workers']} sync workers, 127.0.0.1, fresh SQLite demo shop "
        f"({pr['products']} products, demo events, trained model); closed loop with "
        f"{pr['clients']} client threads (own cookies each), {pr['rounds']} interleaved rounds "
        f"× {pr['duration_s']:g} s per variant after {pr['warmup_s']:g} s warm-up. "
        '"plain" is the same app and template with the recommendation slots answered empty '
        "(`bench/plain_wsgi.py`; the shop has no switch for this)."
    )
    lines.append("")
    lines.append("| variant | req/s | per round | p50 ms | p95 ms | errors | pages showing rec. blocks |")
    lines.append("|---|---|---|---|---|---|---|")
    for name, s in p["summary"].items():
        lines.append(
            f"| {name} | {s['rps']:.1f} | {s['rps_per_round']} | {_f(s['p50_ms'])} | "
            f"{_f(s['p95_ms'])} | {s['errors']} | {s['pages_with_recommendation_blocks']} |"
        )
    lines.append("")
    t = p["target"]
    lines.append(
        f"**Target ≥ {t['ratio_min']:.0%} of plain**: {t['ratio']:.0%} → {_mark(t['met'])} "
        f"(with BLAS at the libraries' default threads, `BLAS_THREADS=default`: "
        f"{t['ratio_blas_default']:.0%})."
    )
    lines.append("")
    return lines


def _search_section(results: list[dict]) -> list[str]:
    lines = ["## Search suggestions per keystroke (`bench/search.py`)", ""]
    if not results:
        return lines + ["No `bench/results/search*.json`.", ""]
    lines.append(
        "Demo catalog; 15 shopper queries typed letter by letter (typos included), "
        "`GET /api/search/suggest` through the Flask test client (in-process WSGI)."
    )
    lines.append("")
    lines.append("| database | requests | p50 ms | p95 ms | CPU p95 ms | load (1 min) | p95 ≤ 30 ms |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in results:
        g = r["suggest"]
        lines.append(
            f"| {r['backend']} | {g['requests']} | {_f(g['p50_ms'])} | {_f(g['p95_ms'])} | "
            f"{_f(g.get('cpu_p95_ms'))} | {g.get('load_average_1min', '—')} | "
            f"{_mark(g['meets_target'])} |"
        )
    lines.append("")
    return lines


def _load_section(ld: dict | None) -> list[str]:
    lines = ["## Load: the issue-6 scenario (`bench/load.py`, `bench/locustfile.py`)", ""]
    if not ld:
        return lines + ["No `bench/results/load.json`.", ""]
    pr = ld["params"]
    lines.append(
        f"locust headless, {pr['users']} users (spawn {pr['spawn_rate']:g}/s), {pr['run_time']}, "
        f"wait 0.5–2 s between tasks, against gunicorn {pr['workers']} sync workers on 127.0.0.1, "
        f"{pr['database']}; browse, filter, read articles, product pages with recommendations, add "
        "to cart (HTML form with CSRF token, a third through the JSON API), cart, checkout "
        f"(HTML form with CSRF token). Stock per variant set to {pr['stock_per_variant']:,} in "
        "the bench instance."
    )
    lines.append("")
    lines.append("| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |")
    lines.append("|---|---|---|---|---|---|---|")
    for e in ld["endpoints"] + ([ld["total"]] if ld.get("total") else []):
        name = "**all**" if e["name"] == "Aggregated" else f"{e['method']} `{e['name']}`"
        lines.append(
            f"| {name} | {e['requests']:,} | {e['failures']} | {_f(e['rps'])} | "
            f"{_f(e['p50_ms'], 0)} | {_f(e['p95_ms'], 0)} | {_f(e['p99_ms'], 0)} |"
        )
    lines.append("")
    lines.append(f"**Target zero errors and failures**: {ld['target']['failures']} → {_mark(ld['target']['met'])}.")
    if ld.get("failures"):
        lines.append("")
        lines.append("Failures:")
        for f in ld["failures"]:
            lines.append(f"- {f['Method']} `{f['Name']}` ×{f['Occurrences']}: {f['Error'][:300]}")
    if ld.get("server_tracebacks"):
        lines.append("")
        lines.append(
            f"The server logged {len(ld['server_tracebacks'])} traceback(s); the first ends with: "
            f"`{ld['server_tracebacks'][0].strip().splitlines()[-1][:300]}`"
        )
    lines.append("")
    return lines


def _plot(q: dict | None, s: dict | None, out: Path) -> bool:
    try:
        import matplotlib
    except ImportError:  # the plot is optional (bench extra); keep the existing picture
        return out.exists()

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = (1 if q else 0) + (1 if s else 0)
    if not panels:
        return False
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.6))
    axes = [axes] if panels == 1 else list(axes)
    ax_i = 0
    if q:
        ax = axes[ax_i]
        ax_i += 1
        datasets = list(q["datasets"])
        models = sorted({m for d in q["datasets"].values() for m in d["results"]})
        width = 0.8 / max(1, len(datasets))
        for j, name in enumerate(datasets):
            res = q["datasets"][name]["results"]
            key = next(k for r in res.values() for k in r if k.startswith("ndcg@"))
            vals = [res.get(m, {}).get(key, 0.0) for m in models]
            ax.barh([i + j * width for i in range(len(models))], vals, height=width, label=name)
        ax.set_yticks([i + width * (len(datasets) - 1) / 2 for i in range(len(models))], models, fontsize=8)
        ax.set_xlabel("NDCG@10 (leave-last-out)")
        ax.set_title("Quality per model and dataset")
        ax.legend(fontsize=8)
    if s:
        ax = axes[ax_i]
        res = sorted(s["results"], key=lambda r: r["n_items"])
        x = [r["n_items"] for r in res]
        for op, style in (
            ("hybrid.recommend/home", "o-"),
            ("hybrid.similar_items", "s-"),
            ("hybrid.bought_together", "^-"),
            ("collaborative.recommend", "d-"),
        ):
            (line,) = ax.plot(x, [r["latency_ms"][op]["p99"] for r in res], style, label=f"{op} p99")
            ax.plot(
                x,
                [r["latency_ms_blas_1_thread"][op]["p99"] for r in res],
                marker=style[0],
                linestyle="--",
                color=line.get_color(),
                alpha=0.5,
                label=f"{op} p99, BLAS 1 thread",
            )
        ax.axhline(s["target"]["p99_ms_max"], color="red", linestyle=":", label="target p99")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("catalog size (products)")
        ax.set_ylabel("top-10 latency p99 (ms, wall)")
        ax.set_title(f"Serving latency, {s['params']['interactions']:,} interactions")
        ax.legend(fontsize=6)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def main() -> int:
    results = {name: _load(name) for name in ("quality", "serving", "training", "pages", "load", "burst", "soak")}
    sparse = _load("sparse_ease")
    lines = ["# Benchmarks", "", "Generated by `bench/report.py` from `bench/results/*.json`; do not edit by hand.", ""]
    lines += ["## Summary against the targets", ""]
    lines += ["| target | measured | status |", "|---|---|---|"]
    s, t, p, ld, q = (results[k] for k in ("serving", "training", "pages", "load", "quality"))
    if s:
        tg = s["target"]
        lines.append(
            f"| serving p99 ≤ {tg['p99_ms_max']:g} ms at {tg['n_items']:,} products (hybrid as the shop "
            f"calls it, BLAS 1 thread, as shipped) | {tg['p99_ms']:.2f} ms (BLAS default threads: "
            f"{tg['p99_ms_blas_default']:.2f} ms) | {_mark(tg['met'])} |"
        )
        if "ratio_to_collaborative" in tg:
            lines.append(
                f"| serving: the hybrid's p99 ≤ ×{tg['ratio_to_collaborative_max']:g} its collaborative "
                f"part's (`{(s.get('collaborative') or {}).get('model', '?')}` alone), same run | "
                f"×{tg['ratio_to_collaborative']:.2f} on wall time, "
                f"×{tg.get('ratio_to_collaborative_cpu', float('nan')):.2f} on CPU time "
                f"({tg['p99_ms']:.2f} / {tg['collaborative_p99_ms']:.2f} ms) | "
                f"{_mark(tg['ratio_to_collaborative'] <= tg['ratio_to_collaborative_max'])} on wall "
                f"time, {_mark(tg.get('met_ratio_to_collaborative_cpu'))} on CPU time |"
            )
    if t:
        for name, tg in t["target"]["by_model"].items():
            lines.append(
                f"| fit 1M interactions < {tg['seconds_max']:g} s ({name}) | {tg['fit_seconds']:.1f} s wall, "
                f"{tg['fit_cpu_seconds']:.1f} s CPU | {_mark(tg['met'])} on wall time"
                f"{'; CPU time is within the budget' if tg['fit_cpu_seconds'] < tg['seconds_max'] else ''} |"
            )
    if p:
        tg = p["target"]
        lines.append(
            f"| product page with recommendations ≥ {tg['ratio_min']:.0%} of plain req/s | "
            f"{tg['ratio']:.0%} | {_mark(tg['met'])} |"
        )
    if ld:
        lines.append(
            f"| load: {ld['params']['users']} users × {ld['params']['run_time']}, zero failures | {ld['target']['failures']} failures of "  # noqa: E501
            f"{ld['total']['requests']:,} requests, p95 {_f(ld['total']['p95_ms'], 0)} ms, "
            f"{_f(ld['total']['rps'])} req/s | {_mark(ld['target']['met'])} |"
        )
    lines += summary_rows(results["burst"], results["soak"])
    workers = _load("worker_memory")
    lines += workers_summary_rows(workers)
    if q:
        for name, d in q["datasets"].items():
            served = d["results"].get("served")
            if served and "fit_seconds" in served:
                wall, cpu = served["fit_seconds"], served.get("fit_cpu_seconds", float("nan"))
                lines.append(
                    f"| fit of the served hybrid ≤ {FIT_SECONDS_MAX:g} s on two cores ({name}) | "
                    f"{wall:.1f} s wall, {cpu:.1f} s CPU | {_mark(wall <= FIT_SECONDS_MAX)} on wall "
                    f"time{'; CPU time is within the budget' if cpu <= FIT_SECONDS_MAX else ''} |"
                )
    evaluate_all = _load("evaluate_all")
    if evaluate_all:
        e = evaluate_all
        hybrid = e["report"]["models"].get(e["report"].get("serving_model", "hybrid"), {})
        if "fit_seconds" in hybrid:
            lines.append(
                f"| fit of the served hybrid ≤ {FIT_SECONDS_MAX:g} s on two cores ({e['dataset']}, "
                f"inside the `evaluate` run below) | {hybrid['fit_seconds']:.1f} s wall (load average "
                f"{[round(x, 1) for x in e['load_average_before']]} before the run) | "
                f"{_mark(hybrid['fit_seconds'] <= FIT_SECONDS_MAX)} |"
            )
        lines.append(
            f"| `shop recommender evaluate` of all models on {e['dataset']} ≤ "
            f"{e['seconds_max'] / 60:g} min | {e['wall_seconds']:.0f} s wall, {e['cpu_seconds']:.0f} s "
            f"CPU (load average {[round(x, 1) for x in e['load_average']]}) | "
            f"{_mark(e['wall_seconds'] <= e['seconds_max'])} on wall time"
            f"{'; CPU time is within the budget' if e['cpu_seconds'] <= e['seconds_max'] else ''} |"
        )
    if q:
        for name, d in q["datasets"].items():
            r = d.get("ndcg_ratio_best_ours_to_best_peer")
            lines.append(
                f"| quality {name}: beat every peer on ndcg@10 | best ours / best peer ×{_f(r, 3)} | "
                f"{_mark(r >= 1 if r is not None else None)} |"
            )
            sr = d.get("ndcg_ratio_served_to_best_peer")
            if sr is not None:
                lines.append(
                    f"| quality {name}: the served hybrid ≥ 1.0× the best peer | ×{_f(sr, 3)} | {_mark(sr >= 1)} |"
                )
            if d.get("published_ndcg@10"):
                for shown in dict.fromkeys([d.get("best_ours"), "served"]):
                    pr = d["ndcg_ratio_to_published"].get(shown)
                    if pr is None:
                        continue
                    lines.append(
                        f"| quality {name}: `{shown}` beats SASRec ({d['published_ndcg@10']}) | "
                        f"×{_f(pr, 3)} | {_mark(pr > 1)} |"
                    )
    lines.append("")
    lines += [
        "## Reproduce",
        "",
        "```sh",
        "make bench                                   # everything, then this report",
        "BENCH_SKIP_QUALITY=1 bash scripts/bench.sh   # skip the slow quality bench",
        ".venv/bin/python bench/serving.py            # or any single bench",
        ".venv/bin/python bench/training.py",
        ".venv/bin/python bench/pages.py",
        ".venv/bin/python bench/load.py",
        ".venv/bin/python bench/burst.py",
        ".venv/bin/python bench/soak.py --duration 600   # SOAK_SECONDS for make bench",
        ".venv/bin/python bench/search.py            # --database-url for PostgreSQL",
        ".venv/bin/python bench/worker_memory.py     # 4 gunicorn workers sharing one 100k model",
        ".venv/bin/python bench/report.py",
        "```",
        "",
    ]
    lines.append(
        "Commands as run: "
        + "; ".join(f"`{r['command'].strip()}`" for r in results.values() if r and r.get("command"))
        + "."
    )
    lines.append("")
    lines += _machine_section(results)
    lines += _quality_section(q)
    lines += _sparse_section(sparse)
    lines += _serving_section(s)
    lines += workers_section(workers)
    lines += _training_section(t)
    lines += _pages_section(p)
    lines += _load_section(ld)
    lines += burst_section(results["burst"])
    lines += soak_section(results["soak"])
    lines += _search_section([r for r in (_load("search"), _load("search-postgresql")) if r])
    if _plot(q, s, DOCS / "benchmarks.png"):
        lines += ["## Plot", "", "![Quality and serving latency](benchmarks.png)", ""]
    DOCS.mkdir(exist_ok=True)
    (DOCS / "benchmarks.md").write_text("\n".join(lines))
    print(f"wrote {DOCS / 'benchmarks.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
