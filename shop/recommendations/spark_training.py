"""The hybrid's interaction summary computed by Spark from the Parquet event log.

Why: past a few hundred million events the in-process trainer no longer holds the event log
and the user x item matrix in one machine's memory, while the model it serves is still item
x item. So Spark computes what the hybrid learns from (:mod:`recommender.hybrid_statistics`):
the history cap, per-item supports and decayed popularity, and the item x item sums of the
collaborative and co-purchase models (co-occurrences, SLIST's transitions, RP3beta's walk),
with the DataFrame API and Spark SQL. Only those item x item results are collected; the
driver then runs the same closed-form solve as the in-process trainer, so both engines give
the same model and the same artifact.

Each rule here mirrors a function of ``recommender.hybrid_statistics`` (named in the
comments); the tests fit both engines on the same events and compare the models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from recommender.hybrid_statistics import (
    BUY_EVENTS,
    InteractionSummary,
    basket_estimator,
    choose_model,
    popularity_event_weights,
)
from recommender.interactions import DEFAULT_EVENT_WEIGHTS, IdIndex, Interactions
from recommender.item_statistics import PairStatistics, StatisticsSpec, statistics_spec, triplets_to_csr

from .bridge import TRAINING_EVENTS

#: Visitors whose events the driver collects to choose the model (``collaborative='auto'``):
#: the validation of a handful of candidate fits needs the histories themselves.
SELECTION_MAX_USERS = 50_000
SUPPORTED = "slist, sparse-ease, rp3beta or auto"
#: The setting :func:`local_mode_settings` chooses in local mode unless the user set it.
SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions"


class SparkTrainingError(ValueError):
    """The Spark engine cannot fit these settings or read these events."""


@dataclass(frozen=True)
class SparkSummary:
    """The summary the hybrid fits from, and what the training record says of the events."""

    summary: InteractionSummary
    n_events_read: int
    n_visitors_over_daily_cap: int
    events_from: float | None
    events_to: float | None


def session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session (``master``: ``local[2]``, ``spark://...``, ``yarn``, ``k8s://...``;
    None: the one ``spark-submit`` set, else local mode on every core)."""
    builder = SparkSession.builder.appName("backcare-recommender-train")
    if master:
        builder = builder.master(master)
    for key, value in {"spark.sql.session.timeZone": "UTC",
                       "spark.sql.execution.arrow.pyspark.enabled": "true", **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    context = spark.sparkContext
    chosen = SHUFFLE_PARTITIONS in (conf or {}) or context.getConf().contains(SHUFFLE_PARTITIONS)
    settings = local_mode_settings(context.master, context.defaultParallelism,
                                   {SHUFFLE_PARTITIONS} if chosen else set())
    for key, value in settings.items():
        spark.conf.set(key, value)
    return spark


def local_mode_settings(master: str, cores: int, configured: set[str]) -> dict[str, str]:
    """One shuffle partition per core in local mode, where the user did not choose.

    Why: Spark's default of 200 shuffle partitions is sized for a cluster. On one machine each
    of the job's dozen shuffles then runs 200 small tasks (and the windows sort 200 pieces),
    which cost about four times the CPU of the work itself at a million events. A cluster
    keeps Spark's default (adaptive execution coalesces it) or what ``--spark-conf`` says.
    """
    if not master.startswith("local") or SHUFFLE_PARTITIONS in configured:
        return {}
    return {SHUFFLE_PARTITIONS: str(max(1, cores))}


def read_events(spark: SparkSession, uri: str) -> DataFrame:
    """The Parquet event log (``shop events export --format parquet``) as ``user_id, item_id,
    event, weight, t`` (Unix seconds, double)."""
    try:
        frame = spark.read.parquet(uri)
    except Exception as exc:  # noqa: BLE001 - AnalysisException and friends from the JVM
        raise SparkTrainingError(f"cannot read Parquet events at {uri}: {str(exc).splitlines()[0]}") from exc
    missing = {"user_id", "item_id", "timestamp", "event", "weight"} - set(frame.columns)
    if missing:
        raise SparkTrainingError(f"{uri} has no column {', '.join(sorted(missing))}; "
                                 "write it with `shop events export --format parquet`")
    return frame.select(
        F.col("user_id").cast("string").alias("user_id"), F.col("item_id").cast("string").alias("item_id"),
        F.lower(F.trim(F.col("event"))).alias("event"),
        F.coalesce(F.col("weight").cast("double"), F.lit(1.0)).alias("weight"),
        (F.unix_micros(F.col("timestamp").cast("timestamp")) / F.lit(1e6)).alias("t"),
        F.to_date(F.col("timestamp").cast("timestamp")).alias("day"),
    )


def _factor(mapping) -> F.Column:
    """An event's weight as ``to_matrix`` applies it: the mapping's, else 1."""
    mapping = DEFAULT_EVENT_WEIGHTS if mapping is None else mapping
    if not mapping:
        return F.lit(1.0)
    pairs = [x for key, value in mapping.items() for x in (F.lit(str(key)), F.lit(float(value)))]
    return F.coalesce(F.create_map(*pairs)[F.col("event")], F.lit(1.0))


def _without_flooders(events: DataFrame, max_per_day: int) -> tuple[DataFrame, int]:
    """Leave out visitors with more than ``max_per_day`` events on some UTC day."""
    if max_per_day <= 0:
        return events, 0
    flooders = (events.groupBy("user_id", "day").count().where(F.col("count") > max_per_day)
                .select("user_id").distinct().cache())
    n = flooders.count()
    if not n:
        return events, 0
    return events.join(F.broadcast(flooders), "user_id", "left_anti"), n


def _capped(known: DataFrame, max_items: int | None) -> DataFrame:
    """``cap_history``: each user's ``max_items`` most recent distinct items (ties: smaller id)."""
    if max_items is None:
        return known
    latest = known.groupBy("user_id", "item_id").agg(F.max("t").alias("latest"))
    rank = F.row_number().over(Window.partitionBy("user_id").orderBy(F.desc("latest"), F.asc("item_id")))
    kept = latest.withColumn("rank", rank).where(F.col("rank") <= int(max_items)).select("user_id", "item_id")
    return known.join(kept, ["user_id", "item_id"], "left_semi")


def _pairs(rows: DataFrame, event_weights) -> DataFrame:
    """One row per (user, item): summed event weight ``w`` and latest time (``to_matrix``)."""
    return rows.groupBy("user_id", "idx").agg(
        F.sum(F.col("weight") * _factor(event_weights)).alias("w"), F.max("t").alias("latest"))


def _columns(frame: DataFrame) -> dict[str, np.ndarray]:
    """A small result frame collected through Arrow as NumPy columns (no pandas on the way:
    PySpark's pandas bridge lags pandas releases)."""
    if hasattr(frame, "toArrow"):  # PySpark >= 4
        table = frame.toArrow()
        return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    table = frame.toPandas()
    return {name: table[name].to_numpy() for name in table.columns}


def _collect(frame: DataFrame, n: int) -> object:
    """A ``(i, j, v)`` frame collected as an ``n x n`` float64 CSR matrix."""
    table = _columns(frame)
    return triplets_to_csr(table["i"], table["j"], table["v"], n)


def _per_item(frame: DataFrame, column: str, n: int) -> np.ndarray:
    table = _columns(frame)
    out = np.zeros(n, dtype=np.float64)
    out[table["idx"].astype(np.int64)] = table[column].astype(np.float64)
    return out


def pair_statistics(pairs: DataFrame, spec: StatisticsSpec, n: int) -> PairStatistics:
    """``compute_statistics`` in Spark: the item x item sums of ``spec`` over ``pairs``."""
    value = F.lit(1.0) if spec.binary else F.col("w")
    entries = pairs.select("user_id", "idx", "latest", value.alias("v"))
    if spec.walk_alpha is not None:
        entries = entries.where(F.col("v") != 0)
    entries = entries.cache()
    degree = _per_item(entries.groupBy("idx").agg(F.count("*").alias("users")), "users", n)
    a, b = entries.alias("a"), entries.alias("b")
    cooc = inputs = transitions = walk = None
    if spec.cooccurrence:
        cooc = _collect(a.join(b, "user_id").groupBy(F.col("a.idx").alias("i"), F.col("b.idx").alias("j"))
                        .agg(F.sum(F.col("a.v") * F.col("b.v")).alias("v")), n)
    if spec.window is not None:
        inputs, transitions = _transitions(entries, spec.window, spec.transition_decay, n)
    if spec.walk_alpha is not None:
        share = entries.withColumn(
            "share", F.pow(F.col("v") / F.sum("v").over(Window.partitionBy("user_id")), F.lit(spec.walk_alpha)))
        walk = _collect(share.alias("a").join(share.alias("b"), "user_id")
                        .groupBy(F.col("a.idx").alias("i"), F.col("b.idx").alias("j"))
                        .agg(F.sum("b.share").alias("v")), n)
    entries.unpersist()
    return PairStatistics(n, degree, cooc, inputs, transitions, walk)


def _transitions(entries: DataFrame, window: int, decay: float, n: int):
    """SLIST's ``S'S`` and ``S'T`` (``transition_pairs``): every step of a history (0 = the
    latest time, equal times one step) feeds each of the ``window`` later steps with weight
    ``decay ** (lag - 1)``."""
    steps = entries.withColumn(
        "step", F.dense_rank().over(Window.partitionBy("user_id").orderBy(F.desc("latest"))) - 1)
    steps.createOrReplaceTempView("history_steps")
    spark = entries.sparkSession
    spark.sql(f"""
        SELECT user_id, idx, step - lag AS target, POWER(CAST({float(decay)!r} AS DOUBLE), lag - 1) AS v
        FROM history_steps LATERAL VIEW EXPLODE(SEQUENCE(1, LEAST({int(window)}, step))) lags AS lag
        WHERE step >= 1
    """).createOrReplaceTempView("transition_inputs")
    inputs = _collect(spark.sql("""
        SELECT a.idx AS i, b.idx AS j, SUM(a.v * b.v) AS v
        FROM transition_inputs a JOIN transition_inputs b ON a.user_id = b.user_id AND a.target = b.target
        GROUP BY a.idx, b.idx
    """), n)
    targets = _collect(spark.sql("""
        SELECT a.idx AS i, t.idx AS j, SUM(a.v) AS v
        FROM transition_inputs a JOIN history_steps t ON a.user_id = t.user_id AND a.target = t.step
        GROUP BY a.idx, t.idx
    """), n)
    return inputs, targets


def _sample(rows: DataFrame, max_users: int) -> Interactions:
    """The events of at most ``max_users`` visitors (smallest md5 of the id), for choosing."""
    users = rows.select("user_id").distinct().orderBy(F.md5("user_id"), "user_id").limit(max_users)
    # ``in_canonical_order``: by user, time, item and event, as the in-process engine sorts.
    ordered = rows.join(users, "user_id", "left_semi").orderBy(
        "user_id", "t", "item_id", F.coalesce("event", F.lit("")))
    table = _columns(ordered.select("user_id", "item_id", "weight", "t", "event"))
    return Interactions(table["user_id"].astype(object), table["item_id"].astype(object),
                        table["weight"].astype(np.float64), table["t"].astype(np.float64),
                        table["event"].astype(object))


def _check_supported(estimator, name: str) -> StatisticsSpec:
    spec = statistics_spec(estimator)
    if spec is None:
        raise SparkTrainingError(f"the Spark engine fits collaborative={name!r} only as item sums; "
                                 f"it supports {SUPPORTED}")
    return spec


def summarize(spark: SparkSession, events: DataFrame, hybrid, space: IdIndex, *,
              since: dt.datetime | None = None, max_events_per_visitor_day: int = 0,
              selection_max_users: int = SELECTION_MAX_USERS) -> SparkSummary:
    """``recommender.hybrid_statistics.summarize`` over a Spark event frame (:func:`read_events`)."""
    if hybrid.collaborative not in ("auto", "slist", "sparse-ease", "rp3beta"):
        raise SparkTrainingError(f"collaborative={hybrid.collaborative!r}: the Spark engine supports {SUPPORTED}")
    n = len(space)
    events = events.where(F.col("event").isin(*TRAINING_EVENTS) & F.col("item_id").isNotNull())
    if since is not None:
        stamp = since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since
        events = events.where(F.col("t") >= F.lit(stamp.timestamp()))
    events, n_flooders = _without_flooders(events, max_events_per_visitor_day)
    index = spark.createDataFrame([(str(item), i) for i, item in enumerate(space.ids)], "item_id string, idx long")
    rows = events.join(F.broadcast(index), "item_id", "left").cache()
    totals = rows.agg(F.count("*").alias("n"), F.count("idx").alias("known"),
                      F.countDistinct("user_id").alias("users"), F.min("t").alias("first"),
                      F.max("t").alias("last")).first()
    zeros = np.zeros(n, dtype=np.int64)
    if not totals["n"]:
        rows.unpersist()
        return SparkSummary(InteractionSummary(0, 0, 0, 0, zeros, np.zeros(n), zeros.copy()),
                            0, n_flooders, None, None)
    known = _capped(rows.where(F.col("idx").isNotNull()), hybrid.max_user_items).cache()
    pairs = _pairs(known, hybrid.event_weights).cache()
    fields: dict = {"support": zeros, "popularity": np.zeros(n)}
    if pairs.limit(1).count():
        fields["support"] = _per_item(pairs.groupBy("idx").agg(F.count("*").alias("users")),
                                      "users", n).astype(np.int64)
        sample = _sample(known, selection_max_users) if hybrid.collaborative == "auto" else None
        model, choice = choose_model(hybrid, sample, n)
        spec = _check_supported(model, choice["model"])
        fields.update(collaborative=model, choice=choice, history=pair_statistics(pairs, spec, n),
                      popularity=_popularity(known, hybrid, float(totals["last"]), n))
    n_buy, buy_support = 0, zeros.copy()
    buy_pairs = _pairs(known.where(F.col("event").isin(*BUY_EVENTS)), hybrid.event_weights).cache()
    n_buy = buy_pairs.count()
    baskets = buy_pairs.groupBy("user_id").count().where(F.col("count") >= 2).limit(1).count()
    if n_buy and baskets:
        buy_support = _per_item(buy_pairs.groupBy("idx").agg(F.count("*").alias("users")),
                                "users", n).astype(np.int64)
        basket = basket_estimator(hybrid)
        fields.update(basket_model=basket,
                      baskets=pair_statistics(buy_pairs, _check_supported(basket, "the co-purchase model"), n))
    for frame in (buy_pairs, pairs, known, rows):
        frame.unpersist()
    summary = InteractionSummary(int(totals["n"]), int(totals["known"]), int(totals["users"]), int(n_buy),
                                 buy_support=buy_support, **fields)
    return SparkSummary(summary, int(totals["n"]), n_flooders, float(totals["first"]), float(totals["last"]))


def _popularity(known: DataFrame, hybrid, latest: float, n: int) -> np.ndarray:
    """``hybrid_statistics.popularity``: weights halved every ``half_life_days`` before the
    latest event (of any item, as the in-process engine measures it)."""
    value = F.col("weight") * _factor(popularity_event_weights(hybrid))
    if hybrid.half_life_days is not None:
        if not hybrid.half_life_days > 0:
            raise ValueError(f"half_life_days must be > 0, got {hybrid.half_life_days}")
        age = F.greatest(F.lit(latest) - F.col("t"), F.lit(0.0)) / F.lit(86_400.0)
        value = value * F.pow(F.lit(2.0), -age / F.lit(float(hybrid.half_life_days)))
    return _per_item(known.groupBy("idx").agg(F.sum(value).alias("p")), "p", n)
