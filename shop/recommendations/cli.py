"""``shop recommender ...``: train, status, report, seed-demo, evaluate."""

from __future__ import annotations

import json
import sys
import time

import click
import numpy as np
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from . import registry


@click.group("recommender")
def recommender_group() -> None:
    """Train, inspect and measure the product recommender."""


@recommender_group.command("train")
@click.option("--if-needed", is_flag=True,
              help="Only train when there is no model the app would serve (missing, stale or broken).")
@click.option("--since-days", type=click.IntRange(min=1), default=None,
              help="Learn only from events of the last N days.")
@click.option("--engine", type=click.Choice(["python", "spark"]), default="python", show_default=True,
              help="python: events from the database, in this process; spark: Spark summarises the "
                   "Parquet event log given by --events (needs the spark extra and Java 17).")
@click.option("--events", "events_uri", metavar="DIR_OR_URI", default=None,
              help="With --engine spark: the folder or URI (hdfs://, s3a://, ...) of "
                   "`shop events export --format parquet`.")
@click.option("--master", default=None, metavar="URL",
              help="With --engine spark: local[N], spark://host:7077, yarn or k8s://...; default the one "
                   "spark-submit sets, else local[*].")
@click.option("--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
              help="With --engine spark: a Spark setting (repeatable), e.g. spark.driver.memory=4g.")
@with_appcontext
def train_command(if_needed: bool, since_days: int | None, engine: str, events_uri: str | None,
                  master: str | None, spark_conf: tuple[str, ...]) -> None:
    """Fit the recommender on products, articles and events; save it atomically to MODEL_DIR."""
    import datetime as dt

    from tqdm import tqdm

    from .store import get_store
    from .training import STEPS, train

    if engine == "spark" and not events_uri:
        raise click.UsageError("--engine spark needs --events DIR_OR_URI (shop events export --format parquet)")
    if engine == "python" and (events_uri or master or spark_conf):
        raise click.UsageError("--events, --master and --spark-conf go with --engine spark")
    if if_needed:
        served = get_store().refresh()
        if served.model is not None:
            click.echo(f"Model {served.version} is current; training skipped.")
            return
    spark = _spark_session(master, spark_conf) if engine == "spark" else None
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=since_days) if since_days else None
    started = time.perf_counter()
    with tqdm(total=len(STEPS), desc="Training", unit="step", file=sys.stderr,
              disable=None, bar_format="{desc}: {n}/{total} {bar} {postfix}") as bar:
        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        try:
            result = train(db.session, current_app.config["MODEL_DIR"], since=since, progress=progress,
                           engine=engine, events_uri=events_uri, spark=spark)
        except ValueError as exc:
            click.echo(f"Not trained: {exc}", err=True)
            sys.exit(1)
    s = result.stats
    click.echo(f"Model {result.header['model_version']} saved to {result.path}"
               + (" (events summarised by Spark)" if engine == "spark" else ""))
    click.echo(f"  data: {s['n_items']} products, {s['n_documents']} articles, "
               f"{s['n_interactions']} events ({s['n_interactions_known_ids']} on known items) "
               f"from {s['n_users']} shoppers; {s['n_buy_pairs']} cart/purchase pairs")
    if s.get("events_from"):
        click.echo(f"  events from {s['events_from']} to {s['events_to']}")
    click.echo(f"  collaborative: {describe_choice(s.get('collaborative'))}")
    click.echo("  time: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items())
               + f"; total {time.perf_counter() - started:.2f}s")


@recommender_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@with_appcontext
def status_command(as_json: bool) -> None:
    """The model on disk: version, creation time, age, data, and whether the app serves it."""
    from .store import describe, get_store

    info = describe(get_store())
    if as_json:
        click.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    click.echo(f"Artifact: {info['path']}")
    if info.get("model_version"):
        click.echo(f"Model version: {info['model_version']}")
        click.echo(f"Created: {info['created_at']} (age {info['age']})")
        stats = info.get("data_stats") or {}
        if stats:
            click.echo(f"Data: {stats.get('n_items')} products, {stats.get('n_documents')} articles, "
                       f"{stats.get('n_interactions')} events from {stats.get('n_users')} shoppers")
        if info.get("durations"):
            click.echo("Training time: " + ", ".join(f"{k} {v:.2f}s" for k, v in info["durations"].items()))
    if info["served"]:
        click.echo("Serving: this model")
    else:
        click.echo(f"Serving: popularity fallback — {info['problem']}")


def _spark_session(master: str | None, settings: tuple[str, ...]):
    """A Spark session, or a clear word on what to install (the Spark extra, Java 17)."""
    conf = {}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{setting!r} is not KEY=VALUE", param_hint="--spark-conf")
        conf[key.strip()] = value.strip()
    try:
        from . import spark_training
    except ImportError as exc:
        raise click.ClickException(
            f"the Spark engine needs PySpark ({exc.name} is missing): pip install '.[spark]'") from exc
    try:
        return spark_training.session(master, conf)
    except Exception as exc:  # noqa: BLE001 - the JVM did not start: say why and what to do
        raise click.ClickException(
            f"Spark could not start ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
            "it needs Java 17: apt-get install openjdk-17-jre-headless (or set JAVA_HOME)") from exc


def describe_choice(choice: dict | None) -> str:
    """One line on the collaborative model a training run chose, and how."""
    if not choice:
        return "none (no interactions on known items)"
    params = ", ".join(f"{k}={v}" for k, v in sorted((choice.get("params") or {}).items()))
    line = f"{choice['model']} ({params}), chosen by {choice.get('chosen_by', '?')}"
    score = next((v for k, v in choice.items() if k.startswith("validation_ndcg")), None)
    if score is not None:
        line += f", validation ndcg@10 {score:.4f} over {len(choice.get('candidates', {}))} models"
    return line


@recommender_group.command("report")
@click.option("--days", type=click.IntRange(min=1, max=367), default=30, show_default=True,
              help="The last N days, today (UTC) included (unless --since is given).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (UTC), YYYY-MM-DD.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day (UTC, included), YYYY-MM-DD; default today.")
@click.option("--slot", type=click.Choice(list(registry.NAMES)), default=None, help="Only this slot.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report (every slot and day) as JSON.")
@with_appcontext
def report_command(days: int, since, until, slot: str | None, as_json: bool) -> None:
    """Impressions, click-through, add-to-cart rate and attributed revenue per recommendation slot."""
    import datetime as dt

    from . import analytics

    until_day = until.date() if until else dt.datetime.now(dt.UTC).date()
    since_day = since.date() if since else analytics.last_days(days, until_day)[0]
    try:
        result = analytics.report(db.session, since_day, until_day, slot=slot,
                                  window_days=int(current_app.config.get("ATTRIBUTION_WINDOW_DAYS", 7)))
    except analytics.RangeError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
        return
    period = f"{since_day} to {until_day}"
    if not any(f.impressions or f.clicks for f in result.by_slot.values()):
        click.echo(f"No recommendation impressions or clicks from {period}.")
        return
    header = (f"{'slot':<22}{'impressions':>12}{'clicks':>8}{'CTR':>8}{'carts':>7}{'cart rate':>11}"
              f"{'orders':>8}{'revenue':>12}{'share':>8}")
    click.echo(header)
    click.echo("-" * len(header))
    for name, figures in result.by_slot.items():
        click.echo(_report_line(name, figures))
    click.echo("-" * len(header))
    click.echo(_report_line("all", result.totals))
    click.echo(f"{period}; revenue of all orders {result.totals.shop_revenue}; an order line counts for the "
               f"slot its product was last clicked in, up to {result.window_days} days before.")


def _report_line(label: str, f) -> str:
    return (f"{label:<22}{f.impressions:>12}{f.clicks:>8}{f.ctr:>8.1%}{f.add_to_carts:>7}{f.add_to_cart_rate:>11.1%}"
            f"{f.orders:>8}{f.revenue:>12}{f.revenue_share:>8.1%}")


@recommender_group.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the event log has no taste events yet.")
@click.option("--visitors", type=click.IntRange(min=1, max=100_000), default=240, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed (same seed, same history).")
@with_appcontext
def seed_demo_command(if_empty: bool, visitors: int, seed: int) -> None:
    """Write a SYNTHETIC event history from catalog/demo/personas.json (demo shops only)."""
    from sqlalchemy import func, select

    from ..models import Event
    from .bridge import TRAINING_EVENTS
    from .demo_events import seed_demo_events

    if if_empty and db.session.scalar(select(func.count(Event.id)).where(Event.kind.in_(TRAINING_EVENTS))):
        click.echo("The event log already has events; synthetic demo history skipped.")
        return
    report = seed_demo_events(db.session, visitors=visitors, seed=seed)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.by_kind.items()))
    click.echo(f"Synthetic demo history: {report.events} events ({kinds}) from {report.visitors} "
               "fictional visitors (ids start with 'demo-').")


# ---------------------------------------------------------------- offline evaluation

METRICS = ("precision", "recall", "ndcg", "map", "hit_rate", "coverage")
COSTS = ("fit_seconds", "recommend_ms_p50", "recommend_ms_p99")
SERVING_MODEL = "hybrid"


def _read_item_titles(path: str) -> dict[str, str]:
    """``item_id`` -> a text made of the other columns (``title`` first)."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read the items file: {exc}") from exc
    if "item_id" not in frame.columns:
        raise click.ClickException(f"{path}: line 1: the header has no item_id column")
    text_columns = [c for c in frame.columns if c != "item_id"]
    if not text_columns:
        raise click.ClickException(f"{path}: line 1: give at least one text column, e.g. title")
    texts = frame[text_columns].agg(" ".join, axis=1)
    return dict(zip(frame["item_id"], texts, strict=False))


def _split(interactions, split: str, cutoff: str | None):
    from recommender.evaluation.split import leave_last_out, time_split

    if split == "leave-last":
        return leave_last_out(interactions)
    if cutoff is None:
        cutoff = float(np.quantile(interactions.timestamps, 0.8))
    else:
        try:
            cutoff = float(cutoff)
        except ValueError:
            pass
    try:
        return time_split(interactions, cutoff)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--cutoff") from exc


@recommender_group.command("evaluate")
@click.option("--interactions", "interactions_path", required=True,
              type=click.Path(exists=True, dir_okay=False),
              help="Interactions CSV (user_id, item_id[, timestamp, event, weight]), .gz allowed.")
@click.option("--items", "items_path", type=click.Path(exists=True, dir_okay=False),
              help="Optional items CSV (item_id, title, ...) so the content signal has texts.")
@click.option("--k", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--split", type=click.Choice(["leave-last", "time"]), default="leave-last",
              show_default=True)
@click.option("--cutoff", default=None,
              help="Time split only: ISO 8601 date or Unix seconds (default: the 80% quantile).")
@click.option("--weighting", type=click.Choice(["binary", "log", "raw"]), default="binary",
              show_default=True, help="How summed interaction weights enter the train matrix.")
@click.option("--models", "only", default=None,
              help="Comma-separated subset, e.g. popularity,rp3beta,hybrid.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate_command(interactions_path, items_path, k, split, cutoff, weighting, only, as_json):
    """Compare the baselines, every collaborative model and the served hybrid on a CSV.

    Needs no catalog: the file alone is split (default: each user's last interaction held
    out), every model is fitted on the training part and asked for each test user's top-k
    with the items they already had excluded. Each model's settings are first chosen on a
    validation split of the training part (each user's second-to-last interaction, or the
    window before the test window) and reported with its scores.
    """
    from recommender.evaluation.candidates import default_candidates
    from recommender.evaluation.hybrid_adapter import HybridAsMatrixModel
    from recommender.evaluation.tuning import evaluate_tuned
    from recommender.hybrid import HybridRecommender
    from recommender.interactions import IdIndex, InteractionsFormatError, read_interactions_csv

    from .training import DEFAULT_PARAMS

    try:
        interactions = read_interactions_csv(interactions_path)
    except InteractionsFormatError as exc:
        raise click.ClickException(f"{interactions_path}: {exc}") from exc
    if len(interactions) == 0:
        raise click.ClickException(f"{interactions_path}: no interactions to evaluate")
    titles = _read_item_titles(items_path) if items_path else None
    train, test = _split(interactions, split, cutoff)
    if len(test) == 0:
        raise click.ClickException("No user has an interaction to hold out: nothing to evaluate.")
    item_ids = IdIndex(np.concatenate([train.item_ids, test.item_ids])).ids
    candidates = default_candidates()
    candidates[SERVING_MODEL] = (
        HybridAsMatrixModel(HybridRecommender(**DEFAULT_PARAMS), item_ids, titles), {})
    if only:
        wanted = [name.strip() for name in only.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(candidates))
        if unknown:
            raise click.BadParameter(f"unknown model(s) {', '.join(unknown)}; choose from "
                                     f"{', '.join(candidates)}", param_hint="--models")
        candidates = {name: candidates[name] for name in wanted}
    # Validation for the time split: the window just before the test window, as long as it.
    window = (float(interactions.timestamps.max()) - float(test.timestamps.min())
              if split == "time" else None)
    try:
        raw = evaluate_tuned(candidates, train, test, k=k, split="time" if split == "time"
                             else "leave-last", window=window, weighting=weighting,
                             progress=not as_json)
    except ValueError as exc:
        raise click.ClickException(f"cannot tune on this data: {exc}") from exc
    results = {
        name: ({"error": values["error"]} if "error" in values else
               {**{m: values[f"{m}@{k}"] if m != "coverage" else values["coverage"] for m in METRICS},
                **{c: values[c] for c in COSTS},
                "params": values["params"],
                "validation_ndcg": values.get(f"validation_ndcg@{k}")})
        for name, values in raw.items()
    }
    report = {
        "dataset": {"users": int(len(np.unique(interactions.user_ids))),
                    "items": int(len(np.unique(interactions.item_ids))),
                    "interactions": int(len(interactions))},
        "k": k,
        "split": split,
        "serving_model": SERVING_MODEL,
        "models": results,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    data = report["dataset"]
    click.echo(f"{interactions_path}: {data['users']} users, {data['items']} items, "
               f"{data['interactions']} interactions; split {split}, k={k}")
    header = f"{'model':<12}" + "".join(f"{m:>10}" for m in (*METRICS, "fit s", "p50 ms", "p99 ms"))
    click.echo(header)
    click.echo("-" * len(header))
    for name, values in results.items():
        label = f"{name}*" if name == SERVING_MODEL else name
        if "error" in values:
            click.echo(f"{label:<12}  {values['error']}")
            continue
        cells = [values[m] for m in METRICS] + [values[c] for c in COSTS]
        click.echo(f"{label:<12}" + "".join(f"{value:>10.4f}" for value in cells[:6])
                   + "".join(f"{value:>10.2f}" for value in cells[6:]))
    click.echo(f"* the model the shop serves ({SERVING_MODEL})")
    chosen = {name: values["params"] for name, values in results.items() if values.get("params")}
    if chosen:
        click.echo("Settings chosen on the validation split (never on the test items):")
        for name, params in chosen.items():
            click.echo(f"  {name}: " + ", ".join(f"{key}={value}" for key, value in params.items()))
