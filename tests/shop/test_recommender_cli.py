"""``shop recommender seed-demo | train | status | report``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select

from shop.models import Event


def test_seed_demo_writes_a_synthetic_history_once(demo, runner, session):
    result = runner.invoke(args=["recommender", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Synthetic demo history" in result.output
    count = session.scalar(select(func.count(Event.id)))
    assert count > 1000
    assert session.scalar(select(func.count(Event.id)).where(Event.visitor_id.not_like("demo-%"))) == 0
    kinds = set(session.scalars(select(Event.kind).distinct()))
    assert kinds == {"read", "view", "cart", "purchase"}

    again = runner.invoke(args=["recommender", "seed-demo", "--if-empty"])
    assert "skipped" in again.output
    assert session.scalar(select(func.count(Event.id))) == count


def test_the_synthetic_history_is_coherent_with_the_personas(demo):
    from shop.recommendations.demo_events import generate, load_personas

    personas = load_personas()
    now = dt.datetime(2026, 1, 31, 12, 0)
    rows = generate(personas, visitors=60, seed=1, now=now)
    assert rows == generate(personas, visitors=60, seed=1, now=now)  # seeded
    assert all(now - dt.timedelta(days=61) < r["created_at"] <= now for r in rows)
    by_visitor: dict[str, list[dict]] = {}
    for row in rows:
        by_visitor.setdefault(row["visitor_id"], []).append(row)
    for visitor, events in by_visitor.items():
        persona = personas[int(visitor.split("-")[1])]
        allowed = set(persona["buys"])
        bought = {e["item_id"] for e in events if e["kind"] == "purchase"}
        carted = {e["item_id"] for e in events if e["kind"] == "cart"}
        assert bought <= carted <= allowed
        reads = {e["item_id"].removeprefix("article:") for e in events if e["kind"] == "read"}
        assert reads and reads <= set(persona["reads"])
        times = [e["created_at"] for e in events]
        assert times == sorted(times)


def test_train_then_status(demo, runner):
    assert runner.invoke(args=["recommender", "seed-demo"]).exit_code == 0
    missing = runner.invoke(args=["recommender", "status"])
    assert missing.exit_code == 0
    assert "popularity fallback" in missing.output and "no model" in missing.output

    result = runner.invoke(args=["recommender", "train"])
    assert result.exit_code == 0, result.output
    assert "75 products, 10 articles" in result.output
    assert "time:" in result.output and "total" in result.output
    assert "collaborative: " in result.output and "chosen by" in result.output

    status = runner.invoke(args=["recommender", "status"])
    assert "Model version:" in status.output and "Serving: this model" in status.output
    assert "75 products" in status.output and "age" in status.output

    skipped = runner.invoke(args=["recommender", "train", "--if-needed"])
    assert "training skipped" in skipped.output


def test_train_without_products_fails_clearly(app, runner):
    result = runner.invoke(args=["recommender", "train"])
    assert result.exit_code == 1
    assert "no active products" in result.output


def test_report_computes_click_through_and_add_to_cart_rate_per_slot(demo, runner, session):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def row(visitor, kind, item=None, slot=None, minutes=0, weight=1.0):
        return {"visitor_id": visitor, "user_id": None, "kind": kind, "item_id": item, "slot": slot,
                "context": None, "weight": weight, "created_at": now - dt.timedelta(minutes=60 - minutes)}

    rows = [row(f"v{i}", "impression", slot="home", weight=4) for i in range(4)]
    rows += [row("v0", "click", "velmora-halo-walk", "home", 1), row("v0", "cart", "velmora-halo-walk", None, 2),
             row("v1", "click", "lumevo-lumbar-roll", "home", 1),
             row("v2", "cart", "velmora-halo-walk", None, 2)]  # carted without a click: not the slot's
    rows += [row(f"w{i}", "impression", slot="similar", weight=4) for i in range(10)]
    rows += [row("w0", "click", "velmora-steady-cloud", "similar", 3)]
    session.execute(insert(Event), rows)
    session.commit()

    result = runner.invoke(args=["recommender", "report"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines() if line.strip()}
    assert lines["home"][1:6] == ["4", "2", "50.0%", "1", "25.0%"]
    assert lines["similar"][1:6] == ["10", "1", "10.0%", "0", "0.0%"]
    assert lines["all"][1:6] == ["14", "3", "21.4%", "1", "7.1%"]


def test_report_from_real_page_views(demo, runner, client):
    import re

    html = client.get("/").get_data(as_text=True)
    first = re.findall(r'/products/([a-z0-9-]+)\?rec=trending"', html)[0]
    client.get(f"/products/{first}?rec=trending")
    result = runner.invoke(args=["recommender", "report"])
    trending = next(line for line in result.output.splitlines() if line.startswith("trending"))
    assert trending.split()[1:4] == ["1", "1", "100.0%"]


def test_report_without_events(demo, runner):
    assert "No recommendation impressions" in runner.invoke(args=["recommender", "report"]).output
